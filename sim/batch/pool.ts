import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { Piscina } from 'piscina';
import type { RunRow } from './row.js';
import type { SweepTask } from './worker.js';

/**
 * Runs the sweep's tasks on a piscina pool of worker threads, in this process (no node start-up
 * per run). Results are put back in task order, whatever order the workers finish in.
 *
 * Which worker file: when the CLI runs from its modules (dist/sim/cli.js, the tests), the
 * compiled module next to this one, dist/sim/batch/worker.js. When it runs from the one-file
 * bundle dist/sipsim.cjs (the installed command; import.meta.url is then the bundle's own URL,
 * scripts/bundle.mjs), the worker's own bundle next to it, dist/sipsim-worker.cjs: one file
 * loads in a third of the time the ~90 modules take, and every thread pays that start-up. That
 * bundle is loaded through bin/sipsim-worker.cjs, which gives V8 the bundle's code cache. If
 * the bundle is missing the CLI falls back to dist/sim/batch/worker.js (shipped too: "files"
 * has dist/sim). piscina itself is loaded with require and left out of the bundles: it starts
 * its threads from its own dist/worker.js, found next to its own files.
 */
export function workerFile(): string {
  const self = fileURLToPath(import.meta.url);
  const here = dirname(self);
  if (self.endsWith('.cjs')) {
    // bin/sipsim-worker.cjs loads dist/sipsim-worker.cjs with its code cache: both must be there.
    const loader = join(here, '..', 'bin', 'sipsim-worker.cjs');
    if (existsSync(loader) && existsSync(join(here, 'sipsim-worker.cjs'))) return loader;
  }
  const candidates = self.endsWith('.cjs') ? [join(here, 'sipsim-worker.cjs'), join(here, 'sim', 'batch', 'worker.js')] : [join(here, 'worker.js')];
  for (const f of candidates) if (existsSync(f)) return f;
  throw new Error(`cannot find the sweep worker: none of ${candidates.join(', ')}`);
}

export interface PoolProgress<R = RunRow> {
  /** A task's results, and its index in the task list. */
  (rows: R[], index: number): void;
}

/**
 * Batch work allocates a whole World per run and drops it a fraction of a millisecond later.
 * V8's allocation-site pretenuring sees Worlds alive at a scavenge during warm-up and starts
 * allocating them in old space; from there they keep each run's young objects alive until the
 * next full GC, so every scavenge promotes most of what it finds (measured on 07-lossy-link:
 * ~37 KB promoted per run, scavenges 30 % of a worker's time; with pretenuring off 1 %, and
 * runs/s up 40 %). The flag is process-wide and read at each GC, so setting it before the
 * threads start covers them all; single runs and fleets are not affected (fleets measured the
 * same either way: their objects live for the whole run, pretenured or copied once).
 */
export const BATCH_V8_FLAGS = '--no-allocation-site-pretenuring';
let pretenuringOff = false;
function batchGcTuning(): void {
  if (pretenuringOff) return;
  setFlagsFromString(BATCH_V8_FLAGS);
  pretenuringOff = true;
}

/**
 * Sweep batches (RunRow results) or explore batches (ExploreResult results): the worker file
 * dispatches on the task. `keep` false: the results go only to onDone (a sweep folds them as
 * they come and keeps none), and the promise resolves to an empty list.
 */
export async function runPool<T = SweepTask, R = RunRow>(tasks: T[], jobs: number, onDone: PoolProgress<R>, keep = true): Promise<R[][]> {
  batchGcTuning();
  const require = createRequire(import.meta.url);
  const PiscinaCtor = require('piscina') as typeof Piscina;
  // One task in hand per worker. Two (concurrentTasksPerWorker: 2, so no worker waits for the
  // main thread between batches — ~4 % idle in piscina's wait loop on a 100,000-seed profile)
  // measured worse: 30,000 seeds at --jobs 2 took 5.5–6.5 s and 9.6–11.4 s of CPU, against
  // 4.7–5.1 s and 7.9–8.8 s with one.
  const pool = new PiscinaCtor<T, R[]>({ filename: workerFile(), minThreads: jobs, maxThreads: jobs, idleTimeout: 1000 });
  const results: R[][] = keep ? new Array(tasks.length) : [];
  try {
    await new Promise<void>((resolve, reject) => {
      // A window of tasks handed over in task order, rather than every task at once: given all
      // 42,000 tasks of a 2,100,000-seed sweep, piscina finished some of the first ones last
      // (task 31 among the last ten of 400), so a caller folding results in task order held
      // nearly all of them until the end. A task starts only within `window` of the first one
      // not yet finished, so at most `window` results ever wait for an earlier one; four per
      // thread, so a thread rarely waits on a slow earlier task.
      const window = 4 * jobs;
      const finishedAt = new Uint8Array(tasks.length);
      let low = 0;
      let next = 0;
      let finished = 0;
      let failed = false;
      const launch = (): void => {
        while (!failed && next < tasks.length && next < low + window) {
          const i = next++;
          pool.run(tasks[i]!).then(
            (rows) => {
              finished++;
              finishedAt[i] = 1;
              while (low < tasks.length && finishedAt[low] === 1) low++;
              if (keep) results[i] = rows;
              try {
                onDone(rows, i);
              } catch (e) {
                failed = true;
                return reject(e);
              }
              if (finished === tasks.length) resolve();
              else launch();
            },
            (e: unknown) => {
              failed = true;
              reject(e);
            },
          );
        }
      };
      if (tasks.length === 0) resolve();
      else launch();
    });
  } finally {
    await pool.destroy();
  }
  return results;
}
