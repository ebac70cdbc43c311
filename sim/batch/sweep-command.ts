import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { OpenOutput, OutputSet } from '../cli-outputs.js';
import { InputError } from '../core/input-error.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { FAILING_SEEDS_KEPT, type SweepMeta } from './aggregate.js';
import { SweepCollector } from './collector.js';
import { ROWS_FILE, sweepFiles } from './outputs.js';
import { Axis, combinations, MAX_RUNS, parseSeeds, parseShard, shardRuns, tasks } from './plan.js';
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
    file, id: scenario.id, name: scenario.name, seeds, axes: flags.set, ...(shard.n > 1 ? { shard } : {}),
  };
  const outDir = flags.out ?? join('out', shard.n > 1 ? `${scenario.id}-sweep-${shard.k}-of-${shard.n}` : `${scenario.id}-sweep`);
  const runs = shardRuns(combos.length, seeds, shard);
  const total = runs.reduce((n, r) => n + r.seeds.length, 0);
  // Tasks small enough to balance the threads, large enough that messaging costs nothing.
  const size = Math.max(1, Math.min(50, Math.ceil(total / (jobs * 16))));
  const work: SweepTask[] = tasks(runs, size).map((t) => ({ file, combo: t.combo, settings: combos[t.combo]!.settings, seeds: t.seeds }));
  // runs.jsonl streams into its staged file as rows come; the other files need every row.
  const outputs = new OutputSet(say);
  const jsonl = outputs.open('--out', join(outDir, ROWS_FILE));
  const collector = new SweepCollector(combos, (part) => jsonl.write(part));
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
      for (const row of r) collector.add(row, rowFailed(row), FAILING_SEEDS_KEPT);
    }
  };
  return runPool(work, Math.min(jobs, Math.max(1, work.length)), done, false)
    .finally(() => bar.stop())
    .then(() => finish(meta, collector, outDir, say, outputs, jsonl))
    .catch((e: unknown) => {
      outputs.abort();
      throw e;
    })
    .finally(() => process.removeListener('SIGINT', interrupted));
}

/**
 * Writes the files, prints the table and failures; the exit code. Shared with merge. With
 * `outputs`, the set runs.jsonl is already streaming into (`jsonl`): its last part and the
 * other files join it, and the set is committed.
 */
export function finish(meta: SweepMeta, rows: SweepCollector | readonly RunRow[], outDir: string, say: Writer, outputs = new OutputSet(say), jsonl?: OpenOutput): number {
  const out = sweepFiles(meta, rows);
  try {
    for (const [name, data] of out.files) {
      if (name === ROWS_FILE && jsonl) for (const part of data) jsonl.write(part);
      else outputs.put('--out', join(outDir, name), data);
    }
  } catch (e) {
    outputs.abort();
    throw e;
  }
  outputs.commit();
  say(out.text);
  say(`outputs in ${outDir}/: ${out.files.map(([n]) => n).join(', ')}\n`);
  const failed = out.aggregates.some((a) => a.failed > 0);
  return failed ? 1 : 0;
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
