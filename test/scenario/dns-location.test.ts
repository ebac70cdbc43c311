import { expect } from 'chai';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * Fact sheet B17 / AMB-34: server location when NAPTR gives nothing — account.X.naptr_build
 * chooses SRV for UDP only (0) or for TLS, TCP and UDP (1). AMB-33: a NAPTR record with an
 * empty flag makes the phone ask NAPTR again on its replacement (★) or is dropped; SIP+D2S
 * (SCTP) records are skipped. AMB-15/16/34: SRV equal-priority order, several A records, SRV
 * or A only for a configured transport, and the naptr_build = 1 SRV order.
 */

const PHONES = path.join(repoRoot, 'scenarios', 'phones');

/** erin: transport DNS-NAPTR, port 0; pbx.example.com has no NAPTR, an SRV per transport. */
function scenarioText(opts: { erin?: string; model?: string; records?: string[]; events?: string } = {}): string {
  const records = opts.records ?? [
    '"_sips._tcp.pbx.example.com. 300 IN SRV 10 50 5061 sip3.pbx.example.com."',
    '"_sip._tcp.pbx.example.com. 300 IN SRV 10 50 5060 sip2.pbx.example.com."',
    '"_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."',
    '"sip1.pbx.example.com. 300 IN A 10.0.0.1"',
    '"sip2.pbx.example.com. 300 IN A 10.0.0.2"',
    '"sip3.pbx.example.com. 300 IN A 10.0.0.3"',
  ];
  return `name: DNS location
seed: 1
duration: 2m
phones:
  erin:
    address: 10.0.0.14
    config: [${PHONES}/common.cfg, ${PHONES}/erin-naptr.cfg]
    settings: { account.1.sip_server.2.address: "" ${opts.erin ?? ''} }
dns:
  server: 10.0.0.53
  records:
${records.map((r) => `    - ${r}`).join('\n')}
servers:
  sip1: { address: 10.0.0.1 }
  sip2: { address: 10.0.0.2 }
  sip3: { address: 10.0.0.3 }
network:
  default: { delay: 10ms }
${opts.model ?? ''}
events:
  - { at: 0s, boot: erin }
${opts.events ?? ''}
`;
}

describe('DNS server location (fact sheet B17, AMB-34)', function () {
  this.timeout(60_000);
  const { write, run } = useScenarioDir('sipsim-dnsloc-');
  /** "qtype name @ms" of every DNS question erin asks a server. */
  const asked = (rs: readonly TraceEvent[]): string[] =>
    rs.flatMap((r) => (r.kind === 'dns.query' && r.host === 'erin' ? [`${r.qtype} ${r.name} @${r.t / 1000}`] : []));
  const located = (rs: readonly TraceEvent[]): string[] =>
    rs.flatMap((r) => (r.kind === 'dns.resolved' && r.host === 'erin' ? [r.servers.map((s) => `${s.transport}:${s.ip}:${s.port}`).join(' ')] : []));
  const registeredOn = (rs: readonly TraceEvent[]): string[] =>
    rs.flatMap((r) => (r.kind === 'phone.registration' && r.phone === 'erin' && r.to === 'registered' ? [r.server] : []));

  it('naptr_build 0 (default): no NAPTR answer ⇒ SRV for _sip._udp only, then its A — registers over UDP', () => {
    const rs = run(write('b0.yaml', scenarioText()));
    expect(asked(rs)).to.deep.equal(['NAPTR pbx.example.com @0', 'SRV _sip._udp.pbx.example.com @20', 'A sip1.pbx.example.com @40']);
    expect(located(rs)[0]).to.equal('udp:10.0.0.1:5060');
    expect(registeredOn(rs)[0]).to.equal('sip1');
  });

  it('naptr_build 1: SRV for TLS, TCP, UDP in that order (AMB-34 ★), every address in the failover list; registers over TLS', () => {
    const rs = run(write('b1.yaml', scenarioText({ erin: ', account.1.naptr_build: "1"' })));
    expect(asked(rs)).to.deep.equal([
      'NAPTR pbx.example.com @0',
      'SRV _sips._tcp.pbx.example.com @20', 'A sip3.pbx.example.com @40',
      'SRV _sip._tcp.pbx.example.com @60', 'A sip2.pbx.example.com @80',
      'SRV _sip._udp.pbx.example.com @100', 'A sip1.pbx.example.com @120',
    ]);
    expect(located(rs)[0]).to.equal('tls:10.0.0.3:5061 tcp:10.0.0.2:5060 udp:10.0.0.1:5060');
    expect(registeredOn(rs)[0]).to.equal('sip3');
  });

  it('naptr_build 1 with only a UDP SRV: the missing TLS and TCP SRVs cost one query each, then UDP as with 0', () => {
    const records = ['"_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."', '"sip1.pbx.example.com. 300 IN A 10.0.0.1"'];
    const rs = run(write('b1u.yaml', scenarioText({ erin: ', account.1.naptr_build: "1"', records })));
    expect(asked(rs).slice(0, 4)).to.deep.equal(['NAPTR pbx.example.com @0', 'SRV _sips._tcp.pbx.example.com @20', 'SRV _sip._tcp.pbx.example.com @40', 'SRV _sip._udp.pbx.example.com @60']);
    expect(located(rs)[0]).to.equal('udp:10.0.0.1:5060');
  });

  it('explain shows naptr_build with its origin and meaning; 2 exits 2 with file:line:key', () => {
    const cfg = (body: string): string =>
      write('n.cfg', `#!version:1.0.0.1\naccount.1.enable = 1\naccount.1.sip_server.1.address = pbx.example.com\naccount.1.sip_server.1.port = 0\naccount.1.sip_server.1.transport_type = 3\n${body}`);
    const ok = runCli(['explain', cfg('account.1.naptr_build = 1\n')]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/account\.1\.naptr_build +1 \(SRV for TLS, TCP and UDP\) +\S+n\.cfg:6 /);
    expect(ok.stdout).to.include('with no NAPTR answer, SRV for TLS, TCP and UDP (naptr_build 1)');
    const bad = runCli(['explain', cfg('account.1.naptr_build = 2\n')]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('n.cfg:6: account.1.naptr_build:');
    expect(bad.stderr).to.not.match(/\n\s+at /);
  });

  const SRVS = [
    '"_sip._tcp.pbx.example.com. 300 IN SRV 10 50 5060 sip2.pbx.example.com."',
    '"_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."',
    '"sip1.pbx.example.com. 300 IN A 10.0.0.1"',
    '"sip2.pbx.example.com. 300 IN A 10.0.0.2"',
  ];
  const EMPTY_FLAG = [
    `'pbx.example.com. 300 IN NAPTR 10 50 "" "" "" next.pbx.example.com.'`,
    `'next.pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp.pbx.example.com.'`,
    ...SRVS,
  ];

  it('naptrEmptyFlag requery (default ★): an empty-flag NAPTR sends a NAPTR query for its replacement, whose "s" record leads to TCP', () => {
    const rs = run(write('e1.yaml', scenarioText({ records: EMPTY_FLAG })));
    expect(asked(rs)).to.deep.equal(['NAPTR pbx.example.com @0', 'NAPTR next.pbx.example.com @20', 'SRV _sip._tcp.pbx.example.com @40', 'A sip2.pbx.example.com @60']);
    expect(located(rs)[0]).to.equal('tcp:10.0.0.2:5060');
    expect(registeredOn(rs)[0]).to.equal('sip2');
  });

  it('naptrEmptyFlag drop (the model before AMB-33): the record is ignored, no NAPTR is usable ⇒ SRV _sip._udp (naptr_build 0)', () => {
    const rs = run(write('e2.yaml', scenarioText({ records: EMPTY_FLAG })), { naptrEmptyFlag: 'drop' });
    expect(asked(rs)).to.deep.equal(['NAPTR pbx.example.com @0', 'SRV _sip._udp.pbx.example.com @20', 'A sip1.pbx.example.com @40']);
    expect(registeredOn(rs)[0]).to.equal('sip1');
  });

  it('naptrEmptyFlag userDomain (older text "query sip:user@domain"): NAPTR again for the AOR\'s domain, pbx.example.com, not the replacement; its "s" rule leads to UDP — with dns_cache_type 0 the second query is on the wire at 20 ms, with the cache it is answered from it', () => {
    const records = [
      `'pbx.example.com. 300 IN NAPTR 10 50 "" "" "" next.pbx.example.com.'`,
      `'pbx.example.com. 300 IN NAPTR 20 50 "s" "SIP+D2U" "" _sip._udp.pbx.example.com.'`,
      `'next.pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp.pbx.example.com.'`,
      ...SRVS,
    ];
    const uncached = run(write('e6.yaml', scenarioText({ records, erin: ', account.1.dns_cache_type: 0' })), { naptrEmptyFlag: 'userDomain' });
    expect(asked(uncached).slice(0, 4)).to.deep.equal(['NAPTR pbx.example.com @0', 'NAPTR pbx.example.com @20', 'SRV _sip._udp.pbx.example.com @40', 'A sip1.pbx.example.com @60']);
    expect(registeredOn(uncached)[0]).to.equal('sip1');
    const cached = run(write('e7.yaml', scenarioText({ records })), { naptrEmptyFlag: 'userDomain' });
    expect(asked(cached)).to.deep.equal(['NAPTR pbx.example.com @0', 'SRV _sip._udp.pbx.example.com @20', 'A sip1.pbx.example.com @40']);
    // requery (★) follows the replacement instead: TCP via next.pbx.example.com.
    expect(registeredOn(run(write('e8.yaml', scenarioText({ records }))))[0]).to.equal('sip2');
  });

  it('a replacement with nothing usable falls to the next record of the first answer; a NAPTR loop ends after 5 steps with no server', () => {
    const next = [
      `'pbx.example.com. 300 IN NAPTR 10 50 "" "" "" empty.pbx.example.com.'`,
      `'pbx.example.com. 300 IN NAPTR 20 50 "s" "SIP+D2U" "" _sip._udp.pbx.example.com.'`,
      ...SRVS,
    ];
    const rs = run(write('e3.yaml', scenarioText({ records: next })));
    expect(asked(rs)).to.deep.equal(['NAPTR pbx.example.com @0', 'NAPTR empty.pbx.example.com @20', 'SRV _sip._udp.pbx.example.com @40', 'A sip1.pbx.example.com @60']);
    const loop = [`'pbx.example.com. 300 IN NAPTR 10 50 "" "" "" a.pbx.example.com.'`, `'a.pbx.example.com. 300 IN NAPTR 10 50 "" "" "" pbx.example.com.'`, ...SRVS];
    const lr = run(write('e4.yaml', scenarioText({ records: loop })));
    const naptrLookups = lr.filter((r) => (r.kind === 'dns.query' || r.kind === 'dns.cache') && r.host === 'erin' && r.qtype === 'NAPTR' && r.t < 1e6);
    expect(naptrLookups.length, 'the first answer plus 5 non-terminal steps').to.equal(6);
    // Every rule led nowhere — as when terminal rules give no address, no SRV fallback: no server.
    expect(located(lr)[0]).to.equal('');
    expect(lr.some((r) => r.kind === 'dns.query' && r.host === 'erin' && r.qtype === 'SRV' && r.t < 1e6)).to.equal(false);
  });

  it('SIP+D2S (SCTP) is skipped, even at a lower order: no SRV query for _sip._sctp; the SIP+D2U record is used', () => {
    const sctp = [
      `'pbx.example.com. 300 IN NAPTR 5 50 "s" "SIP+D2S" "" _sip._sctp.pbx.example.com.'`,
      `'pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2U" "" _sip._udp.pbx.example.com.'`,
      '"_sip._sctp.pbx.example.com. 300 IN SRV 10 50 5060 sip2.pbx.example.com."',
      ...SRVS,
    ];
    const rs = run(write('s1.yaml', scenarioText({ records: sctp })));
    expect(asked(rs)).to.deep.equal(['NAPTR pbx.example.com @0', 'SRV _sip._udp.pbx.example.com @20', 'A sip1.pbx.example.com @40']);
  });

  const EQUAL = [
    '"_sip._udp.pbx.example.com. 300 IN SRV 10 1 5060 sip1.pbx.example.com."',
    '"_sip._udp.pbx.example.com. 300 IN SRV 10 2 5060 sip2.pbx.example.com."',
    '"sip1.pbx.example.com. 300 IN A 10.0.0.1"',
    '"sip2.pbx.example.com. 300 IN A 10.0.0.2"',
  ];

  it('srvEqualPrioritySelection: weightDescending puts the weight-2 target first (the vendor example), recordOrder keeps the answer order, rfc2782Random (★) draws', () => {
    const file = write('w.yaml', scenarioText({ records: EQUAL }));
    expect(located(run(file, { srvEqualPrioritySelection: 'weightDescending' }))[0]).to.equal('udp:10.0.0.2:5060 udp:10.0.0.1:5060');
    expect(located(run(file, { srvEqualPrioritySelection: 'recordOrder' }))[0]).to.equal('udp:10.0.0.1:5060 udp:10.0.0.2:5060');
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const sc = loadScenario(write(`w${seed}.yaml`, scenarioText({ records: EQUAL }).replace('seed: 1', `seed: ${seed}`)));
      firsts.add(located(runRecorded(sc).records)[0]!.split(' ')[0]!);
    }
    expect([...firsts].sort(), 'over 12 seeds both targets come first at least once').to.deep.equal(['udp:10.0.0.1:5060', 'udp:10.0.0.2:5060']);
  });

  it('multiAddressOrder: asReturned (★) every A in answer order; firstOnly one; rotate turns the list at the next lookup', () => {
    const records = ['"_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."', '"sip1.pbx.example.com. 5 IN A 10.0.0.1"', '"sip1.pbx.example.com. 5 IN A 10.0.0.2"'];
    const file = write('m.yaml', scenarioText({ records, events: '  - { at: 30s, call: { from: erin, to: "2000", duration: 5s } }' }));
    expect(located(run(file)).slice(0, 2)).to.deep.equal(['udp:10.0.0.1:5060 udp:10.0.0.2:5060', 'udp:10.0.0.1:5060 udp:10.0.0.2:5060']);
    expect(located(run(file, { multiAddressOrder: 'firstOnly' }))[0]).to.equal('udp:10.0.0.1:5060');
    // The A TTL (5 s) has run out by the call at 30 s: located again, the list turned by one.
    expect(located(run(file, { multiAddressOrder: 'rotate' })).slice(0, 2)).to.deep.equal(['udp:10.0.0.1:5060 udp:10.0.0.2:5060', 'udp:10.0.0.2:5060 udp:10.0.0.1:5060']);
  });

  it('transportWithoutNaptr: srv (★) asks SRV for the configured UDP, aOnly asks A on the domain (port 5060)', () => {
    const records = [...SRVS, '"pbx.example.com. 300 IN A 10.0.0.2"'];
    const file = write('t.yaml', scenarioText({ records, erin: ', account.1.sip_server.1.transport_type: "0"' }));
    expect(asked(run(file))).to.deep.equal(['SRV _sip._udp.pbx.example.com @0', 'A sip1.pbx.example.com @20']);
    expect(asked(run(file, { transportWithoutNaptr: 'aOnly' }))).to.deep.equal(['A pbx.example.com @0']);
    expect(located(run(file, { transportWithoutNaptr: 'aOnly' }))[0]).to.equal('udp:10.0.0.2:5060');
  });

  it('naptrBuildOrder udpFirst (the vendor listing): naptr_build 1 asks UDP, TCP, TLS and lists UDP first', () => {
    const rs = run(write('u.yaml', scenarioText({ erin: ', account.1.naptr_build: "1"' })), { naptrBuildOrder: 'udpFirst' });
    expect(asked(rs).filter((q) => q.startsWith('SRV')).map((q) => q.split(' ')[1])).to.deep.equal(['_sip._udp.pbx.example.com', '_sip._tcp.pbx.example.com', '_sips._tcp.pbx.example.com']);
    expect(located(rs)[0]).to.equal('udp:10.0.0.1:5060 tcp:10.0.0.2:5060 tls:10.0.0.3:5061');
  });

  it('dns_cache_type 0 (AMB-19, today = ★ per transaction): the call at 30 s asks SRV and A again; with 1 the cached answer serves it', () => {
    const records = ['"_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."', '"sip1.pbx.example.com. 300 IN A 10.0.0.1"'];
    const events = '  - { at: 30s, call: { from: erin, to: "2000", duration: 5s } }';
    const at30 = (rs: readonly TraceEvent[]): string[] => asked(rs).filter((q) => /@3\d{4}/.test(q)).map((q) => q.split(' @')[0]!);
    const none = run(write('c0.yaml', scenarioText({ records, events, erin: ', account.1.dns_cache_type: "0"' })));
    expect(at30(none)).to.deep.equal(['NAPTR pbx.example.com', 'SRV _sip._udp.pbx.example.com', 'A sip1.pbx.example.com']);
    const cached = run(write('c1.yaml', scenarioText({ records, events })));
    expect(at30(cached)).to.deep.equal([]);
  });

  it('dns_cache_type per account: account 2 with 0 asks DNS again for its call at 30 s (SRV 30 s, A 30.02 s), account 1 (1) keeps its boot list for its call at 40 s — one resolver, each account its own key', () => {
    const text = `name: two accounts, two cache types
seed: 1
duration: 1m
phones:
  erin:
    address: 10.0.0.14
    config: [${PHONES}/common.cfg]
    settings:
      account.1.enable: "1"
      account.1.user_name: "1005"
      account.1.sip_server.1.address: pbx.example.com
      account.1.sip_server.1.port: "0"
      account.1.sip_server.1.transport_type: "0"
      account.2.enable: "1"
      account.2.user_name: "1006"
      account.2.sip_server.1.address: pbx.example.com
      account.2.sip_server.1.port: "0"
      account.2.sip_server.1.transport_type: "0"
      account.2.dns_cache_type: "0"
dns:
  server: 10.0.0.53
  records:
    - "_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."
    - "sip1.pbx.example.com. 300 IN A 10.0.0.1"
servers:
  sip1: { address: 10.0.0.1 }
network:
  default: { delay: 10ms }
events:
  - { at: 0s, boot: erin }
  - { at: 30s, call: { from: erin, to: "2000", account: 2, duration: 2s } }
  - { at: 40s, call: { from: erin, to: "2000", account: 1, duration: 2s } }
`;
    const rs = run(write('acct.yaml', text));
    const after = (t: number): string[] => asked(rs).filter((q) => Number(q.split('@')[1]) >= t * 1000).map((q) => q.split(' @')[0]!);
    // Boot: both accounts ask the same questions at once — one query each, shared.
    expect(asked(rs).filter((q) => Number(q.split('@')[1]) < 1000)).to.deep.equal(['SRV _sip._udp.pbx.example.com @0', 'A sip1.pbx.example.com @20']);
    expect(after(30)).to.deep.equal(['SRV _sip._udp.pbx.example.com', 'A sip1.pbx.example.com']);
    expect(asked(rs).filter((q) => /@3\d{4}/.test(q)).map((q) => q.split('@')[1])).to.deep.equal(['30000', '30020']);
    // Account 2 (type 0) did not read the answers account 1 (type 1) keeps; account 1's call at 40 s
    // needs no DNS at all: its list, located at boot, lives for the 300 s TTL.
    expect(after(31)).to.deep.equal([]);
    expect(rs.some((r) => r.kind === 'dns.cache' && r.host === 'erin' && r.source === 'cache' && r.t >= 30e6 && r.t < 31e6)).to.equal(false);
    const calls = rs.flatMap((r) => (r.kind === 'call.outcome' ? [`${r.outcome} via ${r.via}`] : []));
    expect(calls).to.deep.equal(['answered via sip1', 'answered via sip1']);
  });

  it('--model dnsCacheType0=… (a key with a digit) is accepted on the command line; a wrong value exits 2 naming the key', () => {
    const file = path.join(repoRoot, 'scenarios', '17-failback-mode1-dnsttl.yaml');
    const ok = runCli(['run', file, '--quiet', '--model', 'dnsCacheType0=everyDialogOrRegistration', '--model', 'dnsServerOrder=rounds']);
    expect([ok.code, ok.stderr]).to.deep.equal([0, '']);
    const bad = runCli(['run', file, '--quiet', '--model', 'dnsCacheType0=sometimes']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('dnsCacheType0: expected one of everyTransaction, everyDialogOrRegistration, found "sometimes"');
  });

  it('dnsCacheType0 (AMB-19): everyTransaction (★) locates for the call at 30 s and the renewal at 54 s; everyDialogOrRegistration for the call only, the renewal reuses the list', () => {
    const records = ['"_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."', '"sip1.pbx.example.com. 300 IN A 10.0.0.1"'];
    const events = '  - { at: 30s, call: { from: erin, to: "2000", duration: 5s } }';
    const erin = ', account.1.dns_cache_type: "0", account.1.sip_server.1.expires: "60"';
    const registers = (rs: readonly TraceEvent[]): number[] => rs.flatMap((r) => (r.kind === 'net.send' && r.from === 'erin' && r.label === 'REGISTER' ? [r.t / 1e6] : []));
    const naptrAt = (rs: readonly TraceEvent[]): number[] => asked(rs).filter((q) => q.startsWith('NAPTR')).map((q) => Number(q.split('@')[1]) / 1000);
    const every = run(write('t0.yaml', scenarioText({ records, events, erin })));
    expect(registers(every)).to.deep.equal([0.06, 54.14, 108.22]);
    expect(naptrAt(every)).to.deep.equal([0, 30, 54.08, 108.16]);
    const dialog = run(write('t1.yaml', scenarioText({ records, events, erin, model: 'model: { dnsCacheType0: everyDialogOrRegistration }' })));
    expect(registers(dialog)).to.deep.equal([0.06, 54.08, 108.1]);
    expect(naptrAt(dialog)).to.deep.equal([0, 30]);
    const call = (rs: readonly TraceEvent[]): string[] => rs.flatMap((r) => (r.kind === 'call.outcome' ? [`${r.outcome} via ${r.via} @${r.t / 1e6}`] : []));
    expect(call(dialog)).to.deep.equal(call(every));
  });
});
