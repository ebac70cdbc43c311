import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { RunRow } from './row.js';
import type { SweepTask } from './worker.js';

/**
 * Runs the sweep's tasks on a piscina pool of worker threads, in this process (no node start-up
 * per run). Results are put back in task order, whatever order the workers finish in.
 *
 * Where the worker file is: next to this module (dist/sim/batch/worker.js) when the CLI runs
 * from its modules; when it runs from the one-file bundle dist/sipsim.cjs (import.meta.url is
 * the bundle's own URL, scripts/bundle.mjs), the same compiled module at dist/sim/batch/
 * worker.js, which the package ships (package.json "files": dist/sim). A worker thus loads the
 * ES modules once at start (tens of ms per thread), then runs thousands of seeds.
 * piscina itself is loaded with require and left out of the bundle: it starts its threads from
 * its own dist/worker.js, found next to its own files.
 */
export function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const f of [join(here, 'worker.js'), join(here, 'sim', 'batch', 'worker.js')]) if (existsSync(f)) return f;
  throw new Error(`cannot find the sweep worker (worker.js) next to ${here} or in ${join(here, 'sim', 'batch')}`);
}

export interface PoolProgress {
  (rows: RunRow[]): void;
}

export async function runPool(tasks: SweepTask[], jobs: number, onDone: PoolProgress): Promise<RunRow[][]> {
  const require = createRequire(import.meta.url);
  const PiscinaCtor = require('piscina') as typeof Piscina;
  const pool = new PiscinaCtor<SweepTask, RunRow[]>({ filename: workerFile(), minThreads: jobs, maxThreads: jobs, idleTimeout: 1000 });
  const results: RunRow[][] = new Array(tasks.length);
  try {
    await Promise.all(tasks.map(async (t, i) => {
      const rows = await pool.run(t);
      results[i] = rows;
      onDone(rows);
    }));
  } finally {
    await pool.destroy();
  }
  return results;
}
