import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * AMB-24, model option regRetryPolicy (docs/fact-sheet/server-list.md): the wait after a failed
 * registration with the vendor defaults reg_fail_retry_interval 30, reg_failed_retry_min_time 0,
 * max_time 60. Variant of bundled 04: sip1 answers 503 (no Retry-After) from 0 s, alice boots at
 * 1 s, so each REGISTER to sip1 fails 40 ms after it is sent.
 */
/**
 * The waits are read over many failures, so registrationRetryScope is unbounded here (AMB-35's ★
 * retryCounts, the default, gives up after retry_counts = 3 repeats: three waits).
 */
const run = (file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] =>
  runRecorded(loadScenario(file), { model: { registrationRetryScope: 'unbounded', ...model } }).records;

/** Seconds between each failure of sip1's registration and the retry that follows it. */
function waits(records: readonly TraceEvent[]): number[] {
  const out: number[] = [];
  let failedAt: number | undefined;
  for (const e of records) {
    if (e.kind !== 'phone.registration' || e.server !== 'sip1') continue;
    if (e.to === 'failed') failedAt = e.t;
    else if (e.from === 'failed' && e.to === 'registering' && failedAt !== undefined) out.push((e.t - failedAt) / 1e6);
  }
  return out;
}

describe('AMB-24 regRetryPolicy: the wait after a failed registration (vendor defaults 30 / 0 / 60)', function () {
  this.timeout(30_000);
  let tmp: string;
  let file: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-reg-retry-'));
    file = path.join(tmp, 'reg-retry.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(repoRoot, 'scenarios/04-server1-503.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/alice.cfg]', `config: [${['common.cfg', 'alice.cfg'].map((c) => path.join(repoRoot, 'scenarios/phones', c)).join(', ')}]`)
      .replace(/^events:[\s\S]*$/m, 'events:\n  - { at: 0s, fail: sip1, mode: "503" }\n  - { at: 1s, boot: alice }\n'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('fixedInterval (default ★): min 0 reads as "back-off off" — every retry 30 s after the failure', () => {
    const w = waits(run(file));
    expect(w).to.have.length(5);
    expect(w.every((s) => s === 30)).to.equal(true);
  });
  it('rfc5626MinMax: base 0 gives W = 0, floored at 1 s — a retry every second (~170 in 3 minutes)', () => {
    const w = waits(run(file, { regRetryPolicy: 'rfc5626MinMax' }));
    expect(w.length).to.be.above(150);
    expect(w.every((s) => s === 1)).to.equal(true);
  });
  it('rfc5626IntervalBase: base 30 s, cap 60 s — each wait 50–100 % of 60 s, drawn', () => {
    const w = waits(run(file, { regRetryPolicy: 'rfc5626IntervalBase' }));
    expect(w.length).to.be.within(2, 5);
    expect(w.every((s) => s >= 30 && s <= 60)).to.equal(true);
    expect(new Set(w).size, 'the waits are drawn, not fixed').to.be.above(1);
  });
});
