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

// The minimum matters near the heap limit (the million, with ~9.5 of its 14 GB live): V8 then
// runs in "reduce memory" mode and shrinks the young generation to its minimum, 1 MB by
// default, and a fleet's scavenge costs ~35 ms however little it frees — measured: a scavenge
// every 40 ms freeing 0.6 MB, 85 % of the time in GC, the million stuck for 13 min in one
// simulated minute (6,734 s for the hour). With the minimum at 64 MB the same run took 1,846 s,
// peak RSS 14.1 GB. Cost: ~60 MB more RSS for a small fleet (1,000 phones: 153 → 216 MB).
const FLEET_HEAP_FLAGS = ['--max-semi-space-size=64', '--min-semi-space-size=64'];

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
