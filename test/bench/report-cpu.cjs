/**
 * Preloaded into a benchmarked command (NODE_OPTIONS=--require …) so the bench can say how much
 * CPU the command used besides how long it took: on exit, the main thread writes the process's
 * resource usage (every thread's CPU: the worker pool, V8's compiler and GC threads) as JSON to
 * the file named by SIPSIM_BENCH_CPU_FILE. CommonJS, because --require loads it before the CLI.
 */
'use strict';
const { writeFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const file = process.env.SIPSIM_BENCH_CPU_FILE;
if (file && isMainThread) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, minorFaults: u.minorPageFault }));
  });
}
