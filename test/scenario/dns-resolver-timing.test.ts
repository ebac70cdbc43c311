import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { payloadText } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Fact sheet B20 / AMB-20: the resolver's timing comes from static.network.dns.query_timeout
 * (3 s) and retry_times (2); a silent DNS server gets retry_times + 1 queries per name, 3 s
 * apart. B18 / AMB-17: static entries bridge a DNS outage whenever the phone boots.
 */

const PHONES = path.join(repoRoot, 'scenarios', 'phones');

/** carol (SRV domain, no static entries) and dave (static entries) boot at `boot` with DNS silent. */
function scenarioText(opts: { boot?: string; carol?: string; dave?: string; model?: string } = {}): string {
  const boot = opts.boot ?? '0s';
  return `name: silent DNS
seed: 1
duration: 8m
phones:
  carol:
    address: 10.0.0.12
    config: [${PHONES}/common.cfg, ${PHONES}/carol-srv.cfg]
    settings: { account.1.sip_server.2.address: "" ${opts.carol ?? ''} }
  dave:
    address: 10.0.0.13
    config: [${PHONES}/common.cfg, ${PHONES}/dave-static.cfg]
    settings: { account.1.sip_server.2.address: "" ${opts.dave ?? ''} }
dns:
  server: 10.0.0.53
  records:
    - "_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."
    - "sip1.pbx.example.com. 300 IN A 10.0.0.1"
servers:
  sip1: { address: 10.0.0.1 }
network:
  default: { delay: 10ms }
${opts.model ?? ''}
events:
  - { at: 0s, fail: dns, mode: silent }
  - { at: ${boot}, boot: carol }
  - { at: ${boot}, boot: dave }
`;
}

describe('DNS resolver timing (fact sheet B20, AMB-20) and static entries at a late boot (AMB-17)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-dns-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const records = (file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] => runRecorded(loadScenario(file), { model }).records;
  /** Instants (s) at which `from` sends a DNS query (to port 53) in the first `until` seconds. */
  const queries = (rs: readonly TraceEvent[], from: string, until = 60): number[] =>
    rs.filter((r) => r.kind === 'net.send' && r.from === from && r.to === 'dns' && r.t < until * 1e6).map((r) => r.t / 1e6);
  const firstRegister = (rs: readonly TraceEvent[], from: string): number =>
    rs.filter((r) => r.kind === 'net.send' && r.from === from && r.to === 'sip1' && payloadText(r).startsWith('REGISTER '))[0]!.t / 1e6;

  it('a silent DNS server: the SRV query for one name leaves at 0, 3 and 6 s, read from the pcap by tshark', function () {
    if (!tsharkAvailable()) this.skip();
    const file = write('silent.yaml', scenarioText());
    const pcap = path.join(tmp, 'silent.pcap');
    const r = runCli(['run', file, '--quiet', '--pcap', pcap]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const rows = tsharkFields(pcap, ['frame.time_relative', 'dns.qry.name', 'dns.qry.type'], 'ip.src == 10.0.0.12 && dns && frame.time_relative < 30');
    const at = (name: string): number[] => rows.filter((row) => row[1] === name).map((row) => Number(row[0]));
    expect(at('_sip._udp.pbx.example.com')).to.deep.equal([0, 3, 6]);
    // RFC 3263 §4.2: with no SRV answer, an A query on the domain, which pays the same 9 s.
    expect(at('pbx.example.com')).to.deep.equal([9, 12, 15]);
  });

  it('dnsQueryTiming=retriesOnly (AMB-20 alternative): retry_times queries in all — 0 and 3 s', () => {
    const rs = records(write('only.yaml', scenarioText()), { dnsQueryTiming: 'retriesOnly' });
    expect(queries(rs, 'carol', 12)).to.deep.equal([0, 3, 6, 9]); // SRV at 0, 3; A at 6, 9
  });

  it('dnsServerOrder (AMB-20): primaryThenSecondary (★) asks the silent primary 0, 3, 6 s then the secondary 9 s — for SRV, and again for A (9.02…18.02 s), REGISTER at 18.04 s; rounds alternates, REGISTER at 6.04 s', () => {
    // A second DNS server dns2 (10.0.0.54) that answers; the primary dns stays silent.
    const text = scenarioText().replace('dns:\n  server: 10.0.0.53\n', 'dns:\n  server: 10.0.0.53\n  secondary: 10.0.0.54\n');
    expect(text).to.contain('secondary: 10.0.0.54');
    const file = write('two-dns.yaml', text);
    const to = (rs: readonly TraceEvent[], dns: string): string[] =>
      rs.flatMap((r) => (r.kind === 'dns.query' && r.host === 'carol' && r.server === dns && r.t < 60e6 ? [`${r.qtype}@${r.t / 1e6}`] : []));
    const star = records(file);
    // Each question starts at the primary again: the resolver keeps no memory of a silent server.
    expect(to(star, 'dns')).to.deep.equal(['SRV@0', 'SRV@3', 'SRV@6', 'A@9.02', 'A@12.02', 'A@15.02']);
    expect(to(star, 'dns2')).to.deep.equal(['SRV@9', 'A@18.02']);
    expect(firstRegister(star, 'carol')).to.equal(18.04);
    const rounds = records(file, { dnsServerOrder: 'rounds' });
    expect(to(rounds, 'dns')).to.deep.equal(['SRV@0', 'A@3.02']);
    expect(to(rounds, 'dns2')).to.deep.equal(['SRV@3', 'A@6.02']);
    expect(firstRegister(rounds, 'carol')).to.equal(6.04);
  });

  it('dnsTryBudget (AMB-20): perServer (★) gives each of two silent DNS servers its 3 tries (SRV given up at 18 s); shared gives the question 3 tries in all, taken in turn — primary 0 s, secondary 3 s, primary 6 s, given up at 9 s', () => {
    // Both DNS servers silent: the primary dns and a secondary dns2 that fails with it.
    const text = scenarioText().replace('dns:\n  server: 10.0.0.53\n', 'dns:\n  server: 10.0.0.53\n  secondary: 10.0.0.54\n').replace('  - { at: 0s, fail: dns, mode: silent }\n', '  - { at: 0s, fail: dns, mode: silent }\n  - { at: 0s, fail: dns2, mode: silent }\n');
    expect(text).to.contain('fail: dns2');
    const file = write('two-silent.yaml', text);
    const asked = (rs: readonly TraceEvent[]): string[] =>
      rs.flatMap((r) => (r.kind === 'dns.query' && r.host === 'carol' && r.t < 40e6 ? [`${r.qtype}@${r.t / 1e6}→${r.server}`] : []));
    expect(asked(records(file))).to.deep.equal([
      'SRV@0→dns', 'SRV@3→dns', 'SRV@6→dns', 'SRV@9→dns2', 'SRV@12→dns2', 'SRV@15→dns2',
      'A@18→dns', 'A@21→dns', 'A@24→dns', 'A@27→dns2', 'A@30→dns2', 'A@33→dns2',
    ]);
    expect(asked(records(file, { dnsTryBudget: 'shared' }))).to.deep.equal([
      'SRV@0→dns', 'SRV@3→dns2', 'SRV@6→dns', 'A@9→dns', 'A@12→dns2', 'A@15→dns', 'SRV@48→dns', 'SRV@51→dns2', 'SRV@54→dns',
    ].filter((q) => Number(q.split('@')[1]!.split('→')[0]) < 40));
    // One server: nothing to share, the same 0, 3, 6 s either way.
    expect(queries(records(write('one.yaml', scenarioText()), { dnsTryBudget: 'shared' }), 'carol', 12)).to.deep.equal([0, 3, 6, 9]);
  });

  it('dnsTimeoutScope (AMB-20): perQueryType (★) — SRV and then the A fallback each pay the 9 s (A at 9, 12, 15 s); perName — the wait is paid once for pbx.example.com: no A query, the location fails at 9 s saying why; with static entries the phone registers at 9 s, not 18 s', () => {
    const file = write('scope.yaml', scenarioText());
    expect(queries(records(file), 'carol', 20)).to.deep.equal([0, 3, 6, 9, 12, 15]);
    const once = records(file, { dnsTimeoutScope: 'perName' });
    expect(queries(once, 'carol', 20)).to.deep.equal([0, 3, 6]);
    const located = once.find((r) => r.kind === 'dns.resolved' && r.host === 'carol');
    expect(located && located.kind === 'dns.resolved' ? [located.t / 1e6, located.error] : []).to.deep.equal([
      9, 'no server address for pbx.example.com (A pbx.example.com: not asked, the DNS servers did not answer SRV _sip._udp.pbx.example.com (dnsTimeoutScope = perName))',
    ]);
    // dave: static entries stand in for the SRV question at 9 s; the A question for its target is
    // then answered from the static entries unasked, so he registers at 9 s instead of 18 s.
    expect(queries(records(file), 'dave', 20)).to.deep.equal([0, 3, 6, 9, 12, 15]);
    expect(firstRegister(records(file), 'dave')).to.equal(18);
    expect(queries(once, 'dave', 20)).to.deep.equal([0, 3, 6]);
    expect(firstRegister(once, 'dave')).to.equal(9);
  });

  it('the .cfg keys decide: query_timeout 2, retry_times 0 gives one query per name, 2 s apart', () => {
    const keys = ', static.network.dns.query_timeout: "2", static.network.dns.retry_times: "0"';
    const rs = records(write('keys.yaml', scenarioText({ carol: keys })));
    expect(queries(rs, 'carol', 12)).to.deep.equal([0, 2]); // SRV at 0, A at 2; fails at 4, retried after reg_fail_retry_interval
    expect(queries(rs, 'dave', 12), 'dave keeps the defaults').to.deep.equal([0, 3, 6, 9]);
  });

  it('model: { dnsTimeout, dnsAttempts } still overrides the keys (scenarios written for glibc 5 s × 2)', () => {
    const rs = records(write('glibc.yaml', scenarioText({ model: 'model: { dnsTimeout: 5, dnsAttempts: 2 }' })));
    expect(queries(rs, 'carol', 25)).to.deep.equal([0, 5, 10, 15]);
  });

  it('a phone booting at 5 min with DNS down and static entries (TTL 120 s) registers within seconds', () => {
    const ttl = ', dns_cache_srv.1.ttl: "120", dns_cache_a.1.ttl: "120"';
    const file = write('late.yaml', scenarioText({ boot: '5m', dave: ttl }));
    // SRV then A each get their 9 s of silence, then the static entries: REGISTER at 5m18s.
    expect(firstRegister(records(file), 'dave')).to.equal(318);
    expect(firstRegister(records(file, { staticCacheTtlClock: 'atBoot' }), 'dave')).to.equal(318);
  });

  it('explain shows the resolver keys with their origin; out-of-range values exit 2 with file:line:key', () => {
    const cfg = (body: string): string => write('r.cfg', `#!version:1.0.0.1\naccount.1.enable = 1\n${body}`);
    const ok = runCli(['explain', cfg('static.network.dns.query_timeout = 7\nstatic.network.dns.retry_times = 0\nsip.dns_transport_type = 1\n')]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/static\.network\.dns\.query_timeout +7 +\S+r\.cfg:3 /);
    expect(ok.stdout).to.match(/static\.network\.dns\.retry_times +0 +\S+r\.cfg:4 /);
    expect(ok.stdout).to.match(/sip\.dns_transport_type +1 \(TCP\) +\S+r\.cfg:5 +.*affects nothing/);
    expect(ok.stdout + ok.stderr).to.not.match(/key not modelled/); // the loader's warning (explain's own words may say a feature is not modelled)
    for (const [line, key] of [['static.network.dns.query_timeout = 65536', 'static.network.dns.query_timeout'], ['static.network.dns.retry_times = -1', 'static.network.dns.retry_times'], ['sip.dns_transport_type = 2', 'sip.dns_transport_type']]) {
      const bad = runCli(['explain', cfg(`${line}\n`)]);
      expect(bad.code, line).to.equal(2);
      expect(bad.stderr, line).to.include(`r.cfg:3: ${key}:`);
    }
  });

  it('static NAPTR entries have no flags/regexp keys (the vendor templates): such a key is reported as not modelled', () => {
    const file = write('n.cfg', '#!version:1.0.0.1\ndns_cache_naptr.1.name = x.com\ndns_cache_naptr.1.service = SIP+D2U\ndns_cache_naptr.1.replace = _sip._udp.x.com\ndns_cache_naptr.1.regexp = !x!\n');
    const r = runCli(['explain', file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout + r.stderr).to.include('n.cfg:5: dns_cache_naptr.1.regexp: key not modelled');
  });
});
