'use strict';
// Fleets get a bigger young generation. A fleet's transactions, DNS questions and messages live
// for seconds of simulated time — long enough to survive V8's default 16 MB semi-spaces, so each
// scavenge copies and promotes them and the old generation fills with what is dead soon after.
// With 64 MB semi-spaces most of them die young: at 100,000 phones (the fleet bench's shape)
// 109–117 s → 92–102 s (3 and 2 runs), peak RSS ~2.8 GB either way; at 10,000 phones no
// difference beyond noise. Cost: the restart (~50 ms), and the main code cache does not fit a
// node started with other flags, so a fleet run compiles the CLI (~0.1 s). The size
// is fixed when V8 starts (setting the flag later does nothing), so bin/sipsim.cjs runs `run`
// again in a node started with it when a scenario it was given has `fleets:`. Single phones
// never reach the default's limit, so they keep a plain start (no second node).
const fs = require('node:fs');
const path = require('node:path');

const FLEET_HEAP_FLAGS = ['--max-semi-space-size=64'];

/** The scenario files `run` was given, as far as a cheap look can tell (the CLI checks them properly). */
function scenarioFiles(args) {
  const files = [];
  for (const a of args) {
    if (a.startsWith('-')) continue;
    try {
      if (fs.statSync(a).isDirectory()) {
        for (const f of fs.readdirSync(a)) if (/\.ya?ml$/.test(f)) files.push(path.join(a, f));
      } else if (/\.ya?ml$/.test(a)) files.push(a);
    } catch {
      // Not a path (a flag's value, or a file that is missing): the CLI says what is wrong.
    }
  }
  return files;
}

/** True when this is `sipsim run` on a fleet scenario in a node not already started with a young-generation size. */
function wantsFleetHeap(argv, execArgv, env) {
  if (argv[0] !== 'run') return false;
  const chosen = (a) => a.startsWith('--max-semi-space-size');
  if (execArgv.some(chosen) || (env.NODE_OPTIONS ?? '').split(/\s+/).some(chosen)) return false;
  // The build's code-cache warm-up must run in a plainly started node: V8 rejects a cache made under other flags.
  if (env.SIPSIM_BUILD_CODE_CACHE) return false;
  return scenarioFiles(argv.slice(1)).some((f) => {
    try {
      return /^fleets\s*:/m.test(fs.readFileSync(f, 'utf8'));
    } catch {
      return false;
    }
  });
}

module.exports = { FLEET_HEAP_FLAGS, wantsFleetHeap };
