// Build step after tsc: bundles the CLI into one CommonJS file (dist/sipsim.cjs) and makes the
// V8 code cache bin/sipsim.cjs loads it with, by running every bundled scenario once (the cache
// then holds the bytecode of what a run compiles). Start-up drops from ~0.25 s to ~0.11 s.
// Likewise the sweep worker's bundle (dist/sipsim-worker.cjs) and the cache bin/sipsim-worker.cjs
// loads it with, made by a short sweep: each worker thread starts ~65 ms sooner.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'sipsim.cjs');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'eof',
  // import.meta.url (the CLI finds package.json with it) points at the bundle itself.
  banner: { js: "const __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundle_url' },
  // piscina starts its threads from its own dist/worker.js, found next to its own files: it
  // stays a package the bundle requires.
  external: ['piscina'],
};
await build({ ...common, entryPoints: [join(root, 'dist', 'sim', 'cli.js')], outfile: bundle });
// The sweep's worker threads load this one file (sim/batch/pool.ts): a third of the start-up
// of loading the ~90 modules of dist/sim/batch/worker.js in every thread.
await build({ ...common, entryPoints: [join(root, 'dist', 'sim', 'batch', 'worker.js')], outfile: join(root, 'dist', 'sipsim-worker.cjs') });

const workerCache = join(root, 'dist', 'sipsim-worker.cjs.cache');
rmSync(workerCache, { force: true });
const cache = `${bundle}.cache`;
rmSync(cache, { force: true });
const warm = spawnSync(process.execPath, [join(root, 'bin', 'sipsim.cjs'), 'run', join(root, 'scenarios'), '--quiet'], {
  env: { ...process.env, SIPSIM_BUILD_CODE_CACHE: cache },
  stdio: ['ignore', 'ignore', 'inherit'],
});
// 1 is an expectation failing in some scenario under development: the cache is made all the same.
if (warm.status !== 0 && warm.status !== 1) {
  rmSync(cache, { force: true });
  console.error(`bundle: warming the code cache failed (exit ${warm.status}); bin/sipsim.cjs will run without it`);
  process.exit(1);
}

// The worker's cache is made inside a worker thread of a real sweep (one thread, so one writer),
// so V8 sees the flags the pool sets (a cache made under other flags is rejected). 07 is a call
// over a lossy link: registration, INVITE, retransmissions, expectations — what sweeps run.
const sweepOut = join(root, 'dist', '.worker-cache-sweep');
const warmWorker = spawnSync(
  process.execPath,
  [join(root, 'bin', 'sipsim.cjs'), 'sweep', join(root, 'scenarios', '07-lossy-link.yaml'), '--seeds', '1..200', '--jobs', '1', '--out', sweepOut],
  { env: { ...process.env, SIPSIM_BUILD_WORKER_CACHE: workerCache }, stdio: ['ignore', 'ignore', 'inherit'] },
);
rmSync(sweepOut, { recursive: true, force: true });
if (warmWorker.status !== 0 && warmWorker.status !== 1) {
  rmSync(workerCache, { force: true });
  console.error(`bundle: warming the worker's code cache failed (exit ${warmWorker.status}); sweeps will run without it`);
  process.exit(1);
}
