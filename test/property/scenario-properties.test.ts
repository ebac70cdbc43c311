import { expect } from 'chai';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJsonl } from '../../reports/jsonl.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const phones = join(root, 'scenarios/phones');
const dir = tempDir('sipsim-prop-');

const mode = fc.constantFrom('silent', 'unreachable', 'host-unreachable', '503', 'slow');
/** Random outage scenarios: failures, recoveries, lossy links and calls at random instants. */
const scenarioArb = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  loss: fc.integer({ min: 0, max: 60 }),
  jitter: fc.integer({ min: 0, max: 30 }),
  t1: fc.constantFrom('0.5', '1', '2'),
  /** account.1.sip_server.Y.transport_type for both servers: UDP or TCP. */
  transport: fc.constantFrom(0, 1),
  /** AMB-21: what an ICMP host unreachable does to a SYN. */
  synIcmp: fc.constantFrom('immediate', 'softError'),
  fails: fc.array(fc.record({ at: fc.integer({ min: 0, max: 200 }), server: fc.constantFrom('sip1', 'sip2'), mode, recoverAfter: fc.integer({ min: 1, max: 120 }) }), { maxLength: 3 }),
  calls: fc.array(fc.integer({ min: 1, max: 240 }), { minLength: 1, maxLength: 4 }),
});

type Spec = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

let n = 0;
function writeScenario(s: Spec): string {
  const events = [
    '  - { at: 0s, boot: alice }',
    ...s.fails.flatMap((f) => [
      `  - { at: ${f.at}s, fail: ${f.server}, mode: "${f.mode}", retryAfter: 10s }`,
      `  - { at: ${Math.min(f.at + f.recoverAfter, 299)}s, recover: ${f.server} }`,
    ]),
    ...s.calls.map((t) => `  - { at: ${t}s, call: { from: alice, to: "2000", duration: 5s } }`),
  ];
  const text = [
    'name: property',
    `seed: ${s.seed}`,
    // Over TCP a lossy link can hold a segment back for minutes (15 retransmissions, the RTO
    // doubling to 120 s: ~20 min before the connection gives up), so every transaction has ended
    // only well after the last call; over UDP 10 minutes leave Timer B/F, M and noAnswer room.
    `duration: ${s.transport === 1 ? '60m' : '10m'}`,
    'phones:',
    `  alice: { address: 10.0.0.10, config: [${phones}/common.cfg, ${phones}/alice.cfg], settings: { sip.timer_t1: ${s.t1}, account.1.sip_server.1.transport_type: ${s.transport}, account.1.sip_server.2.transport_type: ${s.transport} } }`,
    `model: { tcpSynIcmp: ${s.synIcmp} }`,
    'servers:',
    '  sip1: { address: 10.0.0.1 }',
    '  sip2: { address: 10.0.0.2 }',
    'network:',
    `  default: { delay: 20ms, jitter: ${s.jitter}ms, loss: ${s.loss}% }`,
    'events:',
    ...events,
  ].join('\n');
  const file = join(dir, `p${++n}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('properties of whole runs (fast-check)', function () {
  this.timeout(120_000);

  it('same scenario + seed ⇒ byte-identical trace', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const file = writeScenario(s);
        const a = renderJsonl(runRecorded(loadScenario(file)).records);
        const b = renderJsonl(runRecorded(loadScenario(file)).records);
        expect(a).to.equal(b);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('trace time never goes backwards', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const records = runRecorded(loadScenario(writeScenario(s))).records;
        for (let i = 1; i < records.length; i++) expect(records[i]!.t).to.be.at.least(records[i - 1]!.t);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('every transaction started ends in terminated, and every call gets exactly one outcome', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        // Calls end by 245 s; the 10 min run leaves far more than 64·T1 + Timer D for everything to settle.
        const run = runRecorded(loadScenario(writeScenario(s)));
        const open = new Map<string, string>();
        for (const r of run.records) {
          if (r.kind !== 'sip.txn.state') continue;
          const key = `${r.host}|${r.txn}|${r.branch}|${r.method}`;
          if (r.to === 'terminated') open.delete(key);
          else open.set(key, r.to);
        }
        // Registrations keep refreshing: only transactions started in the last 64·T1 + 32 s may still be open.
        const late = run.end - 64 * Number(s.t1) * 1e6 - 32e6;
        const stuck = [...open.keys()].filter((k) => {
          const started = run.records.find((r) => r.kind === 'sip.txn.state' && `${r.host}|${r.txn}|${r.branch}|${r.method}` === k)!;
          return started.t < late;
        });
        expect(stuck, 'transactions that never terminated').to.deep.equal([]);
        const outcomes = run.records.filter((r) => r.kind === 'call.outcome');
        const calls = outcomes.map((o) => (o.kind === 'call.outcome' ? o.call : 0)).sort((a, b) => a - b);
        expect(calls, 'one outcome per call placed').to.deep.equal(s.calls.map((_, i) => i + 1));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
