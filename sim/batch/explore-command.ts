import fc from 'fast-check';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { writeOutputs } from '../cli-outputs.js';
import { InputError } from '../core/input-error.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { activeBreakages } from '../testing/broken-model.js';
import type { Scenario } from '../scenario/scenario.js';
import { faultEvents, Gene, scheduleArbitrary } from './explore-faults.js';
import type { InvariantName } from './explore-invariants.js';
import { explorable, Explorable, explorableAsWritten, ExploreChecks, ExploreResult, faultsEnd, judge } from './explore-run.js';
import { climb, figureOf, best, Objective, OBJECTIVES } from './explore-search.js';
import { shrinkSchedule } from './explore-shrink.js';
import { exploreSummary, figureText, Finding, Worst } from './explore-summary.js';
import { runExploreTask, ExploreTask } from './explore-worker.js';
import { scenarioWithFaults } from './explore-yaml.js';
import { runPool } from './pool.js';
import { progress } from './progress.js';
import type { Writer } from './sweep-command.js';

export interface ExploreFlags {
  runs: number;
  faults: number;
  seed: number;
  objective?: Objective;
  out?: string;
  jobs?: number;
  /** Run the file as written (its own faults) under the invariants: how a written schedule is re-checked. */
  check?: boolean;
  /** Test-only: threads off, everything in this thread (the tests' fast path). */
  inProcess?: boolean;
  checks?: ExploreChecks;
}

const int = (flag: string, lo: number, hi: number, what: string) => (v: string): number => {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < lo || n > hi) throw new InputError(flag, undefined, undefined, `expected ${what} from ${lo} to ${hi}, found "${v}"`);
  return n;
};
export const parseRuns = int('--runs', 1, 1_000_000, 'a number of runs');
export const parseFaults = int('--faults', 1, 20, 'a number of faults per schedule');
export const parseExploreSeed = int('--seed', 0, 2 ** 31 - 1, 'an integer seed');
export function parseObjective(v: string): Objective {
  if (!(OBJECTIVES as readonly string[]).includes(v)) throw new InputError('--objective', undefined, undefined, `expected one of ${OBJECTIVES.join(', ')}, found "${v}"`);
  return v as Objective;
}

/** Every this-many runs one is hashed and replayed even when it passes (failing ones always are). */
const SAMPLE_EVERY = 100;

/**
 * `sipsim explore`: random fault schedules over the scenario (explore-faults.ts), each run
 * under the invariants (explore-invariants.ts) on the worker pool; each invariant that fails is
 * shrunk (explore-shrink.ts) and written as a scenario next to the summary; with --objective,
 * a local search from the best random schedules (explore-search.ts) writes the worst schedule.
 * Resolves to the exit code: 1 when an invariant failed. Throws InputError for bad input.
 */
export async function exploreCommand(file: string, flags: ExploreFlags, say: Writer): Promise<number> {
  const scenario = loadScenario(file);
  if (flags.check) return checkFile(scenario, flags.checks ?? {}, say);
  const x = explorable(scenario, flags.checks ?? {});
  const outDir = flags.out ?? join('out', `${scenario.id}-explore`);
  if (x.surface.targets.length === 0) throw new InputError(file, undefined, 'servers', 'explore needs something to break: the scenario has no servers');
  const schedules = fc.sample(scheduleArbitrary(x.surface, flags.faults), { seed: flags.seed, numRuns: flags.runs });
  // A test-only breakage lives in this thread: the pool's workers would run the sound model.
  if (activeBreakages().length > 0 && !flags.inProcess) throw new Error(`explore: test-only breakage ${activeBreakages().join(', ')} is on; run in this thread (inProcess)`);
  const jobs = flags.inProcess ? 1 : Math.max(1, Math.min(flags.jobs ?? availableParallelism(), Math.ceil(flags.runs / 50)));
  const t0 = performance.now();
  const bar = flags.inProcess ? undefined : progress(flags.runs, process.stderr, 'explore');
  const evaluate = async (batch: Gene[][], first: number, sampled: boolean, inThread = flags.inProcess): Promise<ExploreResult[]> => {
    const runs = batch.map((genes, i) => ({ index: first + i, genes, sample: sampled && (first + i) % SAMPLE_EVERY === 0 }));
    if (inThread) return runExploreTask({ kind: 'explore', file, checks: x.checks, runs });
    const size = Math.max(1, Math.min(50, Math.ceil(runs.length / (jobs * 8))));
    const tasks: ExploreTask[] = [];
    for (let i = 0; i < runs.length; i += size) tasks.push({ kind: 'explore', file, checks: x.checks, runs: runs.slice(i, i + size) });
    const done = await runPool<ExploreTask, ExploreResult>(tasks, jobs, (rs) => bar?.add(rs.length, rs.filter((r) => r.failures.length > 0).length));
    return done.flat();
  };
  let results: ExploreResult[];
  try {
    results = await evaluate(schedules, 0, true);
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  let worst: Worst | undefined;
  if (flags.objective) {
    const objective = flags.objective;
    const randomBest = best(results, objective)!;
    // The search's rounds are small (32 runs) and sequential: in this thread, not a pool started per round.
    const found = await climb(results, (b, first) => evaluate(b, first, false, true), { objective, surface: x.surface, maxFaults: flags.faults, budget: flags.runs, seed: flags.seed });
    worst = { objective, result: found.best, randomBest: figureOf(randomBest, objective), searchRuns: found.runs, file: join(outDir, `${scenario.id}-worst-${objective}.yaml`) };
  }
  const findings = shrinkFailures(x, results, flags.faults, outDir, scenario.id);
  const files = [
    ...findings.map((f) => ({ flag: '--out', target: f.file, data: written(x, file, f.file, f.shrunk.genes, f.invariant, `shrunk from run ${f.from.index}: ${f.shrunk.result.failures.find((g) => g.invariant === f.invariant)?.detail ?? ''}`) })),
    ...(worst ? [{ flag: '--out', target: worst.file, data: written(x, file, worst.file, worst.result.genes, undefined, `worst ${worst.objective}: ${figureText(worst.objective, figureOf(worst.result, worst.objective))}`) }] : []),
  ];
  const summary = exploreSummary({ file, outDir, id: scenario.id, name: scenario.name, seed: flags.seed, faults: flags.faults, runs: results, findings, ...(worst ? { worst } : {}) });
  writeOutputs([...files, { flag: '--out', target: join(outDir, 'explore.json'), data: summary.json }], say, scenario.inputs);
  say(summary.text);
  // The rate is wall-clock: stderr only, never in the outputs (tests running in-thread skip it).
  if (!flags.inProcess) process.stderr.write(`explore: ${results.length} runs in ${seconds.toFixed(1)} s (${(results.length / Math.max(seconds, 1e-9)).toFixed(0)} runs/s, ${jobs} thread${jobs > 1 ? 's' : ''})\n`);
  return findings.length > 0 ? 1 : 0;
}

/** For each invariant that failed: its first failing run, shrunk, to be written as `<id>-<invariant>.yaml`. */
function shrinkFailures(x: Explorable, results: readonly ExploreResult[], maxFaults: number, outDir: string, id: string): Finding[] {
  const firstOf = new Map<InvariantName, ExploreResult>();
  const count = new Map<InvariantName, number>();
  for (const r of results) {
    for (const name of new Set(r.failures.map((f) => f.invariant))) {
      count.set(name, (count.get(name) ?? 0) + 1);
      if (!firstOf.has(name)) firstOf.set(name, r);
    }
  }
  return [...firstOf].sort(([a], [b]) => a.localeCompare(b)).map(([invariant, from]) => ({
    invariant, from, runs: count.get(invariant)!, shrunk: shrinkSchedule(x, maxFaults, from, invariant), file: join(outDir, `${id}-${invariant}.yaml`),
  }));
}

/** The scenario file for a schedule: the original with these faults, run to the schedule's end. */
function written(x: Explorable, original: string, target: string, genes: readonly Gene[], invariant: InvariantName | undefined, what: string): string {
  const header = [
    ` Written by sipsim explore from ${basename(original)}: its hosts, boots and calls, with these faults.`,
    ` ${what}`,
    ` Replay: sipsim run ${basename(target)}   Check the invariants${invariant ? ` (${invariant} fails)` : ''}: sipsim explore ${basename(target)} --check`,
  ].join('\n');
  return scenarioWithFaults(original, target, faultEvents(x.skeleton, x.surface, genes), x.end, x.skeleton.events.filter((e) => e.line === 0), header);
}

/**
 * A scenario as written (its own faults are the schedule; healing starts at its last fault
 * event) judged under the invariants: how a file explore wrote is checked again.
 */
export function checkScenario(scenario: Scenario, checks: ExploreChecks = {}): ExploreResult {
  const x = explorableAsWritten(scenario, checks);
  const healedAt = faultsEnd(scenario);
  return judge(x, { ...x.skeleton, events: [...scenario.events] }, healedAt, 0, [], true);
}

function checkFile(scenario: Scenario, checks: ExploreChecks, say: Writer): number {
  const r = checkScenario(scenario, checks);
  const lines = r.failures.map((f) => `  ${f.invariant}: ${f.detail}\n`);
  say(r.failures.length === 0 ? `every invariant holds (${r.expectations.length} expectation${r.expectations.length === 1 ? '' : 's'} failed)\n` : `invariants failing:\n${lines.join('')}`);
  return r.failures.length > 0 ? 1 : 0;
}
