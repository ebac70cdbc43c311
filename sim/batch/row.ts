import type { Micros } from '../core/clock.js';
import { InputError } from '../core/input-error.js';
import { firstFault, runScenario } from '../scenario/run-scenario.js';
import type { Scenario } from '../scenario/scenario.js';
import { FailoverProbe } from './failover-probe.js';

/**
 * One run of a sweep as a row: its seed, its combination, its verdicts and the timings QA reads.
 * Every time is in seconds (µs precision, as the JSONL trace writes `t`); null = did not happen.
 *  - firstReg: the first instant any account of the phone had a working server;
 *  - detect: failover detection, the delay from the first fault (failover-probe.ts);
 *  - gapTotal / gapLongest: the time without a working server after the first registration,
 *    summed and longest, over the phone's accounts (0 when it never lost it);
 *  - failback: the instant the phone's working server returned to the one it had at the fault;
 *  - calls: each outgoing call by number: setup (placing to the final outcome, DNS included),
 *    outcome and the server that gave it (a call still ringing at the end has no row entry).
 * Fleets give their metrics' headline numbers (reports/fleet-metrics.ts).
 */
export interface CallCell {
  call: number;
  setup: number;
  outcome: 'answered' | 'failed' | 'busy';
  via: string | null;
}

export interface PhoneCells {
  phone: string;
  firstReg: number | null;
  detect: number | null;
  gapTotal: number;
  gapLongest: number;
  failback: number | null;
  calls: CallCell[];
}

export interface FleetCells {
  fleet: string;
  neverRegistered: number;
  gapP50: number | null;
  gapP95: number | null;
  gapMax: number | null;
  setupP50: number | null;
  setupP95: number | null;
  setupMax: number | null;
  answered: number;
  failed: number;
  busy: number;
}

export interface RunRow {
  combo: number;
  seed: number;
  /** Expectations that held and that failed. */
  pass: number;
  fail: number;
  /** The scenario lines of the failed expectations, in file order. */
  failed: number[];
  /** The run stopped early (the event guard): its message. Counts as a failure. */
  error?: string;
  phones: PhoneCells[];
  fleets: FleetCells[];
}

const s = (t: Micros): number => t / 1_000_000;
const sOrNull = (t: Micros | null | undefined): number | null => (t === null || t === undefined ? null : s(t));

/** Runs one seed of a (combination's) scenario into its row. */
export function runRow(scenario: Scenario, combo: number, seed: number): RunRow {
  const single = scenario.phones.filter((p) => p.fleet === undefined).map((p) => p.name);
  const probe = new FailoverProbe(single, firstFault(scenario));
  let run;
  try {
    run = runScenario(scenario, { seed, sinks: [probe] });
  } catch (e) {
    // The event guard stops a run that would not end; in a sweep that is one failing seed, not
    // the end of the sweep (its replay command shows the message again).
    if (!(e instanceof InputError)) throw e;
    return { combo, seed, pass: 0, fail: scenario.expectations.length, failed: scenario.expectations.map((x) => x.line), error: e.message, phones: [], fleets: [] };
  }
  const failed = run.verdicts.filter((v) => !v.pass).map((v) => v.expectation.line);
  const phones = run.timelines.map((tl): PhoneCells => {
    const firsts = tl.accounts.map((a) => a.firstRegistered).filter((t): t is Micros => t !== null);
    const gaps = tl.accounts.flatMap((a) => a.gaps.map((g) => g.to - g.from));
    const p = probe.result(tl.phone);
    return {
      phone: tl.phone,
      firstReg: firsts.length > 0 ? s(Math.min(...firsts)) : null,
      detect: sOrNull(p.detect),
      gapTotal: s(gaps.reduce((a, b) => a + b, 0)),
      gapLongest: s(gaps.reduce((a, b) => Math.max(a, b), 0)),
      failback: sOrNull(p.failback),
      calls: [...tl.calls].sort((a, b) => a.call - b.call).map((c) => ({ call: c.call, setup: s(c.setup), outcome: c.outcome, via: c.via })),
    };
  });
  const fleets = (run.metrics?.fleets ?? []).map((f): FleetCells => ({
    fleet: f.name,
    neverRegistered: f.neverRegistered,
    gapP50: sOrNull(f.gap?.p50),
    gapP95: sOrNull(f.gap?.p95),
    gapMax: sOrNull(f.gap?.max),
    setupP50: sOrNull(f.setup?.p50),
    setupP95: sOrNull(f.setup?.p95),
    setupMax: sOrNull(f.setup?.max),
    answered: f.calls.answered,
    failed: f.calls.failed,
    busy: f.calls.busy,
  }));
  return { combo, seed, pass: run.verdicts.length - failed.length, fail: failed.length, failed, phones, fleets };
}

export function rowFailed(r: RunRow): boolean {
  return r.fail > 0 || r.error !== undefined;
}

/** Row order everywhere: combination, then seed — never the order runs finished in. */
export function compareRows(a: RunRow, b: RunRow): number {
  return a.combo - b.combo || a.seed - b.seed;
}
