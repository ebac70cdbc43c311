/**
 * One fleet-bench run in its own process (so its peak RSS is its own): loads the scenario,
 * runs it as `sipsim run --quiet --metrics` does (metrics folded, no trace files), and prints
 * one JSON line: wall ms (load included), events run, pending events at the end, peak RSS, and
 * the CPU (user, system) and minor page faults of the process.
 */
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runScenario } from '../../sim/scenario/run-scenario.js';

const file = process.argv[2];
if (!file) throw new Error('usage: fleet-run <scenario.yaml>');
const t0 = performance.now();
const scenario = loadScenario(file);
let pending = 0;
let samples = 0;
const run = runScenario(scenario, {
  metrics: true,
  // Samples the clock's pending count once per simulated minute, for the bare-heap baseline.
  onWorld: (w) => {
    const sample = (): void => {
      samples++;
      pending = Math.max(pending, w.clock.pending);
      w.clock.schedule(60_000_000, sample);
    };
    w.clock.schedule(60_000_000, sample);
  },
});
const wallMs = performance.now() - t0;
const failed = run.verdicts.filter((v) => !v.pass).length;
const usage = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({ wallMs, events: run.eventsRun - samples, pending, maxRssKb: usage.maxRSS, failed, userUs: usage.userCPUTime, systemUs: usage.systemCPUTime, minorFaults: usage.minorPageFault })}\n`,
);
