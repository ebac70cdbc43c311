/**
 * Start-up benchmark: how much longer `sipsim run` of a small scenario takes than starting node
 * at all. A single-phone 24 h scenario (test/bench/scenarios/single-phone-24h.yaml) is a few
 * thousand events, so its wall time is mostly loading the CLI. Both commands are run RUNS times,
 * interleaved so that machine load hits both alike, and the medians are compared.
 *
 * Prints `startup: node <ms> ms, sipsim run <ms> ms, ratio <r>` (read by tools; target ≤ 2.5).
 * Wall-clock time is fine here: this is test/, not sim/.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const RUNS = 15;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'sipsim.cjs');
const scenario = join(root, 'test', 'bench', 'scenarios', 'single-phone-24h.yaml');

function wallMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const bare: number[] = [];
const sipsim: number[] = [];
wallMs([bin, 'run', scenario, '--quiet']); // first touch of the files: not timed
for (let i = 0; i < RUNS; i++) {
  bare.push(wallMs(['-e', '0']));
  sipsim.push(wallMs([bin, 'run', scenario, '--quiet']));
}
const b = median(bare);
const s = median(sipsim);
console.log(`startup: node ${b.toFixed(0)} ms, sipsim run ${s.toFixed(0)} ms, ratio ${(s / b).toFixed(2)}`);
