/**
 * Sweep benchmark: runs/s of the installed command (bin/sipsim.cjs sweep) on a bundled
 * single-phone scenario (07-lossy-link: 3 simulated minutes, one call over a lossy link) at
 * --jobs 1 and --jobs 2 in the same benchmark run. Wall time of the whole command: node start,
 * pool start-up, the runs, and writing the rows, aggregates and page — what a user waits for.
 * Prints, one line per thread count (read by tools):
 *   sweep jobs=1: <runs/s>
 *   sweep jobs=2: <runs/s>, scaling <x>
 * (the exact form, with `runs/s` as the unit), after lines with the run counts, times and
 * CPU used (all threads, reported by report-cpu.cjs preloaded into each sweep), and
 * an informational line with the marginal rates between N and 3N seeds (start-up and warm-up left out).
 * Targets (issue 9): ≥ 200 runs/s per core, scaling ≥ 1.7 on 2 cores — on an otherwise idle
 * machine. SWEEP_BENCH_SEEDS sets the seed count (default 10,000). Wall-clock time is fine here:
 * this is test/, not sim/.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'sipsim.cjs');
const scenario = join(root, 'scenarios', '07-lossy-link.yaml');
// 10,000 seeds: at ~2,000 runs/s a 1,000-seed sweep is over in half a second, so node and
// worker start-up (each thread loads and JIT-compiles the simulator) would be most of what is timed.
const seeds = Number(process.env.SWEEP_BENCH_SEEDS ?? 10_000);
const tmp = mkdtempSync(join(tmpdir(), 'sipsim-sweep-bench-'));

// Preloaded into each sweep so it reports the CPU it used (all threads): see report-cpu.cjs.
const cpuReporter = join(root, 'test', 'bench', 'report-cpu.cjs');

function bench(jobs: number, n = seeds): { rate: number; s: number; aggregates: string } {
  const out = join(tmp, `jobs${jobs}-${n}`);
  const cpuFile = join(tmp, `cpu-${jobs}-${n}.json`);
  const nodeOptions = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(cpuReporter)}`].filter(Boolean).join(' ');
  const env = { ...process.env, NODE_OPTIONS: nodeOptions, SIPSIM_BENCH_CPU_FILE: cpuFile };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'sweep', scenario, '--seeds', `1..${n}`, '--jobs', String(jobs), '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], env });
  const s = (performance.now() - t0) / 1000;
  // 1: some seeds fail the scenario's seed-3 expectations, as they should; anything else is a bug.
  if (r.status !== 0 && r.status !== 1) throw new Error(`sweep --jobs ${jobs} exited ${r.status}: ${r.stderr.toString()}`);
  const rate = n / s;
  // The CPU it used, across all its threads: with one worker, V8's compiler and GC threads already
  // keep part of the second core busy, which bounds what a second worker can add.
  const cpu = JSON.parse(readFileSync(cpuFile, 'utf8')) as { userUs: number; systemUs: number };
  const cpuS = (cpu.userUs + cpu.systemUs) / 1e6;
  process.stdout.write(`sweep: --jobs ${jobs}, ${n} runs in ${s.toFixed(2)} s (CPU ${cpuS.toFixed(2)} s, ${(cpuS / s).toFixed(2)} cores busy)\n`);
  return { rate, s, aggregates: readFileSync(join(out, 'aggregates.json'), 'utf8') };
}

try {
  const one = bench(1);
  const two = bench(2);
  // Informational (not a tool-read line): the rate between a sweep of N and one of 3N seeds, i.e.
  // without what every sweep pays once (node and pool start, each worker's JIT warm-up, part of
  // the outputs) — how the pool itself scales once it is running.
  const one3 = bench(1, 3 * seeds);
  const two3 = bench(2, 3 * seeds);
  const m1 = (2 * seeds) / (one3.s - one.s);
  const m2 = (2 * seeds) / (two3.s - two.s);
  process.stdout.write(`sweep (marginal, runs ${seeds}→${3 * seeds}): jobs=1 ${m1.toFixed(0)} runs/s, jobs=2 ${m2.toFixed(0)} runs/s, scaling ${(m2 / m1).toFixed(2)}; fixed cost jobs=1 ${(one.s - seeds / m1).toFixed(2)} s, jobs=2 ${(two.s - seeds / m2).toFixed(2)} s\n`);
  process.stdout.write(`sweep jobs=1: ${one.rate.toFixed(0)} runs/s\n`);
  process.stdout.write(`sweep jobs=2: ${two.rate.toFixed(0)} runs/s, scaling ${(two.rate / one.rate).toFixed(2)}\n`);
  // A benchmark that got faster by being wrong says so.
  if (one.aggregates !== two.aggregates) {
    process.stderr.write('sweep bench: --jobs 1 and --jobs 2 wrote different aggregates\n');
    process.exitCode = 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
