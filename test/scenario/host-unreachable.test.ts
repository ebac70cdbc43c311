import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { DEFAULT_MODEL_OPTIONS } from '../../sim/phone/model-options.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark.js';

/**
 * Outage mode host-unreachable (the host is down and its last-hop router answers every packet
 * for it with ICMP host unreachable, type 3 code 1) and AMB-21's "ICMP during SYN" reading,
 * model option tcpSynIcmp: immediate ★ (Linux) / softError (RFC 1122 §4.2.3.9).
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');
/** Bundled scenario `id` with sip1 host-unreachable instead of silent, its expectations removed. */
const variant = (id: string): string => fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')
  .replaceAll('phones/', `${PHONES}/`).replace('fail: sip1, mode: silent', 'fail: sip1, mode: host-unreachable').replace(/^expect:[\s\S]*$/m, '');

const s = (e: TraceEvent): number => Math.round(e.t / 1e3) / 1e3;
function outcome(r: readonly TraceEvent[], phone: string) {
  return {
    toSip1: r.filter((e) => e.kind === 'net.send' && e.from === phone && e.to === 'sip1').map((e) => `${e.kind === 'net.send' ? e.label.replace(' [retransmission]', '') : ''}@${s(e)}`),
    icmp: r.filter((e) => e.kind === 'net.send' && e.proto === 'icmp').map((e) => `${e.kind === 'net.send' ? `${e.from}>${e.to} ${e.icmp?.type}/${e.icmp?.code}` : ''}@${s(e)}`),
    ends: r.flatMap((e) => (e.kind === 'sip.timeout' && e.host === phone ? [[s(e), `${e.method} Timer ${e.timer}`]]
      : e.kind === 'sip.transport-error' && e.host === phone ? [[s(e), `${e.method} ${e.cause}`]] : [])),
    registeredSip2: r.find((e) => e.kind === 'phone.registration' && e.server === 'sip2' && e.to === 'registered')?.t,
    call: r.flatMap((e) => (e.kind === 'call.outcome' ? [[s(e), e.outcome, e.via]] : [])),
  };
}

describe('outage mode host-unreachable and AMB-21 tcpSynIcmp', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-hostunreach-');

  it('tcpSynIcmp defaults to immediate (★)', () => {
    expect(DEFAULT_MODEL_OPTIONS.tcpSynIcmp).to.equal('immediate');
  });

  it('TCP, immediate (★): the SYN at 60 ms draws ICMP host unreachable at 70 ms and the REGISTER moves to sip2 at once (registered 120 ms); the 1m call likewise, answered via sip2', () => {
    const o = outcome(dir.run(dir.write('tcp.yaml', variant('13-tcp-primary-silent'))), 'frank');
    expect(o.toSip1).to.deep.equal(['SYN@0.06', 'SYN@60']);
    expect(o.icmp).to.deep.equal(['sip1>frank 3/1@0.07', 'sip1>frank 3/1@60.01']);
    expect(o.ends).to.deep.equal([[0.08, 'REGISTER TCP connect to sip1 failed: ICMP host unreachable'], [60.02, 'INVITE TCP connect to sip1 failed: ICMP host unreachable']]);
    expect(o.registeredSip2).to.equal(120_000);
    expect(o.call).to.deep.equal([[61.04, 'answered', 'sip2']]);
  });

  it('TCP, softError (RFC 1122): every SYN draws an ICMP, the SYNs go on (0.06, 1.06, 3.06, 7.06, 15.06, 31.06 s) and Timer F ends the REGISTER at 32.06 s, Timer B the INVITE at 1m32s — as with a silent host', () => {
    const o = outcome(dir.run(dir.write('tcp-soft.yaml', variant('13-tcp-primary-silent')), { tcpSynIcmp: 'softError' }), 'frank');
    expect(o.toSip1.slice(0, 6)).to.deep.equal(['SYN@0.06', 'SYN@1.06', 'SYN@3.06', 'SYN@7.06', 'SYN@15.06', 'SYN@31.06']);
    expect(o.icmp.slice(0, 2)).to.deep.equal(['sip1>frank 3/1@0.07', 'sip1>frank 3/1@1.07']);
    expect(o.ends).to.deep.equal([[32.06, 'REGISTER Timer F'], [92, 'INVITE Timer B']]);
    expect(o.registeredSip2).to.equal(32_100_000);
  });

  it('TCP, softError with tcpConnectFailure kernel127: the connect ends at 127.06 s and says which ICMP it last heard', () => {
    const r = dir.run(dir.write('tcp-kernel.yaml', variant('13-tcp-primary-silent').replace('duration: 3m', 'duration: 4m')), { tcpSynIcmp: 'softError', tcpConnectFailure: 'kernel127' });
    const closed = r.find((e) => e.kind === 'tcp.state' && e.host === 'frank' && e.to === 'closed');
    expect(closed && s(closed)).to.equal(127.06);
    expect(closed && 'reason' in closed ? closed.reason : '').to.equal('connect timeout after 6 SYN retransmissions (last ICMP: ICMP host unreachable for sip1)');
  });

  it('UDP: the REGISTER at 60 ms draws ICMP host unreachable; icmpHandling failServerNow (★) fails sip1 at once — REGISTER to sip2 at 80 ms', () => {
    const r = dir.run(dir.write('udp.yaml', variant('16-failback-mode0-new-requests')));
    const o = outcome(r, 'hank');
    expect(o.toSip1[0]).to.equal('REGISTER@0.06');
    expect(o.icmp[0]).to.equal('sip1>hank 3/1@0.07');
    expect(o.ends[0]).to.deep.equal([0.08, 'REGISTER ICMP host unreachable for sip1']);
    expect(o.registeredSip2).to.equal(100_000);
  });

  it('pcap: tshark reads ICMP type 3 code 1 from 10.0.0.1 quoting the SYN\'s TCP ports', function () {
    if (!tsharkAvailable()) this.skip();
    const file = dir.write('tcp-pcap.yaml', variant('13-tcp-primary-silent'));
    const pcap = file.replace(/\.yaml$/, '.pcap');
    const res = runCli(['run', file, '--quiet', '--pcap', pcap]);
    expect(res.code, res.stderr).to.equal(0);
    const rows = tsharkFields(pcap, ['frame.time_relative', 'ip.src', 'icmp.type', 'icmp.code', 'tcp.srcport', 'tcp.dstport'], 'icmp');
    expect(rows.map((row) => [Number(row[0]), row[1], row[2], row[3], row[4], row[5]])).to.deep.equal([
      [0.07, '10.0.0.1,10.0.0.15', '3', '1', '49152', '5060'],
      [60.01, '10.0.0.1,10.0.0.15', '3', '1', '49154', '5060'],
    ]);
  });

  it('validate accepts mode: host-unreachable; a typo is refused with the modes listed', () => {
    const ok = runCli(['validate', dir.write('ok.yaml', variant('16-failback-mode0-new-requests'))]);
    expect(ok.code, ok.stderr).to.equal(0);
    const bad = runCli(['validate', dir.write('bad.yaml', variant('16-failback-mode0-new-requests').replace('mode: host-unreachable', 'mode: host-unreachble'))]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('host-unreachable');
  });
});
