#!/usr/bin/env node
'use strict';
// The installed command. It runs the one-file bundle of the CLI (dist/sipsim.cjs, made by
// scripts/bundle.mjs) through V8's code cache made at build time: loading ~90 ES modules and
// compiling them cost more than a whole single-phone run. When the cache does not fit this
// Node (another V8 version), V8 rejects it and the bundle compiles as usual — same behaviour,
// slower start. Nothing is written here at run time, except when the build asks for the cache.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { wrap } = require('node:module');

const { FLEET_HEAP_FLAGS, wantsFleetHeap } = require('./fleet-heap.cjs');

// A fleet scenario runs in a node with a bigger young generation (fleet-heap.cjs says why).
const argv = process.argv.slice(2);
if (wantsFleetHeap(argv, process.execArgv, process.env)) {
  const { spawnSync } = require('node:child_process');
  // Ctrl-C reaches the child too (same process group), which removes what it staged and exits
  // 130: this node waits for that instead of dying first and handing the shell back mid-cleanup.
  // (SIGINT only: a SIGTERM sent to this pid alone still ends it, as before.)
  process.on('SIGINT', () => undefined);
  const r = spawnSync(process.execPath, [...process.execArgv, ...FLEET_HEAP_FLAGS, __filename, ...argv], { stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.signal) process.kill(process.pid, r.signal);
  process.exit(r.status ?? 1);
}

const bundle = path.join(__dirname, '..', 'dist', 'sipsim.cjs');
const cacheFile = `${bundle}.cache`;
// The bundle starts with a #! line, which is no JavaScript inside the function wrapper.
const source = fs.readFileSync(bundle, 'utf8').replace(/^#!.*/, '');
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(wrap(source), { filename: bundle, cachedData });
const cacheOut = process.env.SIPSIM_BUILD_CODE_CACHE;
if (cacheOut) process.on('exit', () => fs.writeFileSync(cacheOut, script.createCachedData()));
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, require, mod, bundle, path.dirname(bundle));
