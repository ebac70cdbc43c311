'use strict';
// What each sweep/explore worker thread loads (sim/batch/pool.ts picks this file when the CLI runs
// from its bundle). As bin/sipsim.cjs does for the command, it runs the worker's one-file bundle
// (dist/sipsim-worker.cjs) through a V8 code cache made at build time, so that every thread
// skips compiling what a run needs: ~50 ms of load and ~15 ms of first run saved per thread. When
// the cache does not fit (another V8, other V8 flags), V8 rejects it and the bundle compiles as
// usual — same behaviour, slower start. Nothing is written at run time unless the build asks.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire, wrap } = require('node:module');

const bundle = path.join(__dirname, '..', 'dist', 'sipsim-worker.cjs');
const cacheFile = `${bundle}.cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
const runTask = mod.exports.runTask;

// The build (scripts/bundle.mjs) runs a one-thread sweep with this set. The cache is written
// after each task (the last write wins) rather than at exit: piscina ends its threads by
// terminating them, and a terminated thread runs no exit handler.
const cacheOut = process.env.SIPSIM_BUILD_WORKER_CACHE;

/** piscina's handler: one task of the sweep or explore. */
function handler(task) {
  const out = runTask(task);
  if (cacheOut) fs.writeFileSync(cacheOut, script.createCachedData());
  return out;
}
// For the test that proves the cache is used: V8 sets this when it is given a cache it cannot use.
handler.codeCacheRejected = cachedData === undefined ? undefined : script.cachedDataRejected;
module.exports = handler;
