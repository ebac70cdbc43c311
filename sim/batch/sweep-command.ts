import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isDirectoryPath, OpenOutput, OutputSet } from '../cli-outputs.js';
import { InputError } from '../core/input-error.js';
import { packageVersion } from '../core/package-version.js';
import { loadScenario } from '../scenario/load-scenario.js';
import type { SweepMeta } from './aggregate.js';
import { SweepCollector } from './collector.js';
import { ROWS_FILE, SWEEP_FILES, sweepFiles } from './outputs.js';
import { Axis, type Combination, combinations, MAX_RUNS, parseSeeds, parseShard, shardRuns, tasks } from './plan.js';
import { runPool } from './pool.js';
import { progress } from './progress.js';
import { RunRow, rowFailed } from './row.js';
import { applySettings } from './settings.js';
import type { SweepTask } from './worker.js';

export interface SweepFlags {
  seeds: string;
  set: Axis[];
  jobs?: number;
  shard?: string;
  out?: string;
}

/** `--jobs N`: a positive integer (default: the cores Node may use). */
export function parseJobs(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 1024) throw new InputError('--jobs', undefined, undefined, `expected a number of worker threads from 1 to 1024, found "${v}"`);
  return n;
}

export interface Writer {
  (s: string | Buffer): void;
}

/**
 * `sipsim sweep`: checks every input at once (bad flags, the scenario, every combination's
 * settings: exit 2 before anything runs), then runs the shard's runs on the pool and writes the
 * outputs (outputs.ts) all or nothing. Resolves to the exit code: 1 when an expectation failed
 * in some run. Throws InputError synchronously for bad input.
 */
export function startSweep(file: string, flags: SweepFlags, say: Writer): Promise<number> {
  const seeds = parseSeeds(flags.seeds);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : { k: 1, n: 1 };
  const jobs = flags.jobs ?? availableParallelism();
  const scenario = loadScenario(file);
  const combos = combinations(flags.set);
  // Each combination is derived once here too, so a setting this scenario rejects stops the
  // sweep with its message (exit 2) instead of failing in every worker.
  for (const c of combos) applySettings(scenario, c.settings);
  const perCombo = seeds.last - seeds.first + 1;
  if (perCombo * combos.length > MAX_RUNS) {
    throw new InputError('--set', undefined, undefined, `${combos.length} combinations × ${perCombo} seeds are more runs than a sweep holds (${MAX_RUNS}): use fewer seeds or values, or shard the sweep`);
  }
  const meta: SweepMeta = {
    file, id: scenario.id, name: scenario.name, version: packageVersion(), ...(scenario.digest !== undefined ? { digest: scenario.digest } : {}), seeds, axes: flags.set, ...(shard.n > 1 ? { shard } : {}),
  };
  const outDir = flags.out ?? join('out', shard.n > 1 ? `${scenario.id}-sweep-${shard.k}-of-${shard.n}` : `${scenario.id}-sweep`);
  const runs = shardRuns(combos.length, seeds, shard);
  const total = runs.reduce((n, r) => n + r.seeds.length, 0);
  // Tasks small enough to balance the threads (at least 16 a thread), large enough that the
  // hand-over costs little: a worker waits for the main thread between tasks, and with 50 runs
  // of 07-lossy-link (~5 ms) a task it waited 7–8 % of the time (CPU profile of a 100,000-seed
  // --jobs 2 sweep), with 200 (~18 ms) 4 %.
  const size = Math.max(1, Math.min(200, Math.ceil(total / (jobs * 16))));
  const work: SweepTask[] = tasks(runs, size).map((t) => ({ file, combo: t.combo, settings: combos[t.combo]!.settings, seeds: t.seeds }));
  const out = openSweepOutput(combos, outDir, say, scenario.inputs);
  const { outputs, collector } = out;
  const bar = progress(total);
  // An interrupt leaves nothing half-written behind: the staged files go.
  const interrupted = (): void => {
    bar.stop();
    outputs.abort();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  // Batches finish in any order; the collector takes them in run order (runs.jsonl's order).
  const waiting = new Map<number, RunRow[]>();
  let next = 0;
  const done = (rows: RunRow[], index: number): void => {
    bar.add(rows.length, rows.filter(rowFailed).length);
    waiting.set(index, rows);
    for (let r = waiting.get(next); r !== undefined; r = waiting.get(next)) {
      waiting.delete(next++);
      for (const row of r) collector.add(row);
    }
  };
  return runPool(work, Math.min(jobs, Math.max(1, work.length)), done, false)
    .finally(() => bar.stop())
    .then(() => finish(meta, out, outDir, say))
    .catch((e: unknown) => {
      outputs.abort();
      throw e;
    })
    .finally(() => process.removeListener('SIGINT', interrupted));
}

/** Where a sweep's (or a merge's) files go: the output set, runs.jsonl open in it, and the collector that streams into it. */
export interface SweepOutput {
  outputs: OutputSet;
  jsonl: OpenOutput;
  collector: SweepCollector;
}

/**
 * Opens the output directory's runs.jsonl (staged: nothing is in place until finish commits) and
 * the collector that writes it as rows come; the other files need every row. A bad --out stops
 * here, before anything runs (exit 2).
 */
export function openSweepOutput(combos: readonly Combination[], outDir: string, say: Writer, inputs: readonly string[] = []): SweepOutput {
  // The other files are staged only at the end: a directory in the way of one is said now, not
  // after every run (the same message the staging would give).
  for (const name of SWEEP_FILES) {
    const target = join(outDir, name);
    if (isDirectoryPath(target)) throw new InputError(target, undefined, '--out', 'cannot write the output: is a directory (EISDIR)');
  }
  const outputs = new OutputSet(say, inputs);
  const jsonl = outputs.open('--out', join(outDir, ROWS_FILE));
  return { outputs, jsonl, collector: new SweepCollector(combos, (part) => jsonl.write(part)) };
}

/** Writes the rest of the files and commits them all, prints the table and failures; the exit code. Shared with merge. */
export function finish(meta: SweepMeta, out: SweepOutput, outDir: string, say: Writer): number {
  const files = sweepFiles(meta, out.collector);
  try {
    for (const [name, data] of files.files) {
      if (name !== ROWS_FILE) out.outputs.put('--out', join(outDir, name), data);
      else if (typeof data === 'string') out.jsonl.write(data);
      else for (const part of data) out.jsonl.write(part);
    }
  } catch (e) {
    out.outputs.abort();
    throw e;
  }
  out.outputs.commit();
  say(files.text);
  say(`outputs in ${outDir}/: ${files.files.map(([n]) => n).join(', ')}\n`);
  return files.aggregates.some((a) => a.failed > 0) ? 1 : 0;
}

/**
 * Settles an asynchronous command the way the CLI's main() settles the others: its exit code,
 * or exit 2 with one line for an InputError, or 3 with the stack for a bug.
 */
export function settle(p: Promise<number>): void {
  p.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof InputError) {
        process.stderr.write(`sipsim: ${e.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`sipsim: internal error (please report it with the scenario): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 3;
    },
  );
}
