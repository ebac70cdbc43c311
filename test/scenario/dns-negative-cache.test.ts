import { expect } from 'chai';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * Fact sheet B19 / AMB-18: negative caching. NXDOMAIN/NODATA live for min(SOA MINIMUM, SOA TTL)
 * (`soaMinimum` ★) or a fixed time; SERVFAIL and unanswered questions are remembered for 5 min
 * (`upTo5min` ★, RFC 2308 §7) or not at all (`no`).
 */

const PHONES = path.join(repoRoot, 'scenarios', 'phones');

function scenarioText(records: string[], events: string): string {
  // As bundled 09 (whose twin this is): a phone that keeps retrying until DNS answers — the AMB-35
  // ★ (registrationRetryScope retryCounts, the default) would give up at 1m48s.
  return `name: negative cache
seed: 1
duration: 7m
model: { registrationRetryScope: unbounded }
phones:
  carol:
    address: 10.0.0.12
    config: [${PHONES}/common.cfg, ${PHONES}/carol-srv.cfg]
    settings: { account.1.sip_server.2.address: "" }
dns:
  server: 10.0.0.53
  records:
${records.map((r) => `    - "${r}"`).join('\n')}
servers:
  sip1: { address: 10.0.0.1 }
network:
  default: { delay: 10ms }
events:
  - { at: 0s, boot: carol }
${events}
`;
}

const GOOD = ['_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.', 'sip1.pbx.example.com. 300 IN A 10.0.0.1'];

describe('negative caching (fact sheet B19, AMB-18)', function () {
  this.timeout(60_000);
  const { write, run } = useScenarioDir('sipsim-neg-');
  /** Seconds at which carol asks a DNS server anything. */
  const queryTimes = (rs: readonly TraceEvent[]): number[] => rs.flatMap((r) => (r.kind === 'dns.query' && r.host === 'carol' ? [r.t / 1e6] : []));
  const negativeHits = (rs: readonly TraceEvent[]): string[] =>
    rs.flatMap((r) => (r.kind === 'dns.cache' && r.host === 'carol' && r.source === 'negative' ? [`${r.qtype} ${r.name} @${r.t / 1e6}`] : []));
  const registeredAt = (rs: readonly TraceEvent[]): number | undefined =>
    rs.find((r) => r.kind === 'phone.registration' && r.phone === 'carol' && r.to === 'registered')?.t;

  const silentFile = (): string => write('silent.yaml', scenarioText(GOOD, '  - { at: 0s, fail: dns, mode: silent }\n  - { at: 1m, recover: dns }'));

  it('upTo5min (default ★): the unanswered SRV and A questions are remembered 300 s — no query from 18 s until 5m18s, registered then', () => {
    const rs = run(silentFile());
    expect(queryTimes(rs).filter((t) => t < 318)).to.deep.equal([0, 3, 6, 9, 12, 15]);
    expect(negativeHits(rs).slice(0, 2)).to.deep.equal(['SRV _sip._udp.pbx.example.com @48', 'A pbx.example.com @48']);
    expect(queryTimes(rs).filter((t) => t >= 318)[0]).to.equal(318);
    expect(registeredAt(rs)).to.equal(318_060_000);
  });

  it('negativeCacheFailures no (the model before AMB-18): each retry asks again; registered on the retry 30 s after the NODATA at 60.02 s', () => {
    const rs = run(silentFile(), { negativeCacheFailures: 'no' });
    expect(negativeHits(rs).filter((h) => !h.startsWith('A pbx'))).to.deep.equal([]);
    expect(queryTimes(rs).filter((t) => t >= 40 && t < 50)).to.deep.equal([48]); // SRV again at 48 s (A still pending at 1m: NODATA)
    expect(registeredAt(rs)).to.equal(90_080_000); // retry at 90.02 s: SRV, A, REGISTER, 20 ms each
  });

  it('a SERVFAIL (CNAME loop) is cached too under upTo5min: the retry at 30 s sends no query; with no it asks SRV again', () => {
    const loop = ['_sip._udp.pbx.example.com. 300 IN CNAME loop.pbx.example.com.', 'loop.pbx.example.com. 300 IN CNAME _sip._udp.pbx.example.com.', 'sip1.pbx.example.com. 300 IN A 10.0.0.1'];
    const file = write('servfail.yaml', scenarioText(loop, ''));
    const byDefault = run(file);
    expect(negativeHits(byDefault).filter((h) => h.startsWith('SRV'))[0]).to.match(/^SRV _sip\._udp\.pbx\.example\.com @30\.0[0-9]*$/);
    expect(queryTimes(byDefault).filter((t) => t >= 30 && t < 60)).to.deep.equal([]);
    const no = run(file, { negativeCacheFailures: 'no' });
    expect(negativeHits(no).filter((h) => h.startsWith('SRV'))).to.deep.equal([]);
    expect(queryTimes(no).filter((t) => t >= 30 && t < 31).length).to.be.greaterThan(0);
  });

  it('negativeCacheTtl: soaMinimum (★) keeps an NXDOMAIN for the SOA minimum (45 s); fixed 10 s lets the retry at 30 s ask again', () => {
    const file = write('nx.yaml', scenarioText(['other.example.com. 300 IN A 10.0.0.9', 'example.com. 300 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 45'], ''));
    const soa = run(file);
    expect(queryTimes(soa).filter((t) => t >= 30 && t < 31)).to.deep.equal([]);
    expect(negativeHits(soa)[0]).to.match(/@30\.0[0-9]*$/);
    const fixed = run(file, { negativeCacheTtl: 'fixed', negativeCacheFixedTtl: 10 });
    expect(queryTimes(fixed).filter((t) => t >= 30 && t < 31).length).to.be.greaterThan(0);
    expect(negativeHits(fixed)).to.deep.equal([]);
  });

  it('--model negativeCacheFailures=sometimes exits 2 naming the option and its values', () => {
    const r = runCli(['run', silentFile(), '--quiet', '--model', 'negativeCacheFailures=sometimes']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('negativeCacheFailures').and.to.include('upTo5min');
  });
});
