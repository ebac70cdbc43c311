/**
 * Hold-model benchmark of the event queue (Vaucher & Duval 1975; Jones 1986).
 *
 * Fill a queue with N pending events at Exp(mean) times, then repeat a "hold": pop the earliest
 * event and schedule one new event at now + Exp(mean). The queue stays at N entries, so the
 * rate of holds measures the cost of one pop + one push at that size.
 *
 * Variants:
 *  - engine:    sim/core Clock; the pop happens in clock.step(), which calls one long-lived
 *               handler that schedules the next event (no closure per event).
 *  - bare heap: BareHeap (bare-heap.ts), a typed-array heap with nothing else — the baseline.
 *  - rxjs VTS:  rxjs VirtualTimeScheduler, which re-sorts its action array on every schedule.
 *               Reference only, and only at small N with few holds.
 *
 * Every variant consumes the same pre-drawn delays (seeded stream), so all see the identical
 * event sequence and the RNG's cost is kept out of the timings. Wall-clock time is fine here:
 * this is test/, not sim/.
 *
 * Run: npm run bench  (build + node dist/test/bench/hold-model.js)
 */
import { performance } from 'node:perf_hooks';
import { VirtualTimeScheduler } from 'rxjs';
import { Clock } from '../../sim/core/clock.js';
import { RandomStreams, exponential } from '../../sim/core/random.js';
import { BareHeap } from './bare-heap.js';

const MEAN_US = 1_000_000;
// Timed repetitions per (variant, N). The best (fastest) is reported: on a shared 2-core box,
// interference only ever slows a run down, so the minimum time is the least noisy estimate.
const REPS = 5;

interface Case {
  n: number;
  /** Holds per timed run of engine and bare heap (sized for ~0.5–2 s on a 2-core machine). */
  holds: number;
  /** Holds per timed rxjs run; 0 = skip (it would take minutes). */
  rxjsHolds: number;
}

const CASES: Case[] = [
  { n: 100, holds: 12_000_000, rxjsHolds: 400_000 },
  { n: 10_000, holds: 6_000_000, rxjsHolds: 10_000 },
  { n: 1_000_000, holds: 3_000_000, rxjsHolds: 0 },
];

/**
 * Pre-drawn integer-µs Exp(mean) delays, the same for every variant: the first n fill the
 * queue, then holds read the next POOL entries cyclically (index & POOL_MASK), which keeps
 * memory at ~8 MB + n doubles however many holds are run.
 */
const POOL = 1 << 20;
const POOL_MASK = POOL - 1;

function drawDelays(n: number): Float64Array {
  const rng = new RandomStreams(1).stream('bench:hold');
  const d = new Float64Array(n + POOL);
  for (let i = 0; i < d.length; i++) d[i] = Math.max(1, Math.round(exponential(rng, MEAN_US)));
  return d;
}

// ---- (a) engine -------------------------------------------------------------------------
// Module-level state so the handler is one long-lived function, as sim/ code should be.
let clock = new Clock();
let delays: Float64Array = new Float64Array(0);
let base = 0; // = n: hold delays start after the fill
let next = 0;

function holdHandler(): void {
  clock.schedule(delays[base + (next++ & POOL_MASK)]!, holdHandler);
}

function runEngine(d: Float64Array, n: number, holds: number): number {
  clock = new Clock();
  delays = d;
  base = n;
  next = 0;
  for (let i = 0; i < n; i++) clock.schedule(d[i]!, holdHandler); // fill: absolute time = delay from 0
  const t0 = performance.now();
  for (let i = 0; i < holds; i++) clock.step();
  const ms = performance.now() - t0;
  if (clock.pending !== n) throw new Error(`engine: ${clock.pending} pending, expected ${n}`);
  return ms;
}

// ---- (b) bare heap (baseline) -----------------------------------------------------------
let bareChecksum = 0; // keeps the popped times observable so the loop cannot be elided

function runBare(d: Float64Array, n: number, holds: number): number {
  const heap = new BareHeap();
  for (let i = 0; i < n; i++) heap.push(d[i]!);
  const t0 = performance.now();
  let now = 0;
  for (let i = 0; i < holds; i++) {
    now = heap.pop();
    heap.push(now + d[n + (i & POOL_MASK)]!);
  }
  const ms = performance.now() - t0;
  bareChecksum += now;
  if (heap.size !== n) throw new Error(`bare heap: ${heap.size} pending, expected ${n}`);
  return ms;
}

// ---- (c) rxjs VirtualTimeScheduler (reference) ------------------------------------------
function runRxjs(d: Float64Array, n: number, holds: number): number {
  const sched = new VirtualTimeScheduler();
  let done = 0;
  let t1 = 0;
  // One long-lived work function. After the last hold it stops rescheduling and stamps the
  // end time; flush() then drains the remaining n actions untimed.
  const work = (): void => {
    if (done >= holds) return;
    sched.schedule(work, d[n + (done & POOL_MASK)]!);
    if (++done === holds) t1 = performance.now();
  };
  for (let i = 0; i < n; i++) sched.schedule(work, d[i]!);
  const t0 = performance.now();
  sched.flush();
  if (done !== holds) throw new Error(`rxjs: ${done} holds, expected ${holds}`);
  return t1 - t0;
}

// ---- driver -----------------------------------------------------------------------------
type Runner = (d: Float64Array, n: number, holds: number) => number;


function fmtRate(perSec: number): string {
  return perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M/s` : `${(perSec / 1e3).toFixed(1)} k/s`;
}

const results: { n: number; variant: string; holds: number; ms: number; rate: number }[] = [];

console.log(`hold model: pop earliest, push now + Exp(${MEAN_US} µs); node ${process.version}; best of ${REPS}`);
console.log('');

for (const c of CASES) {
  const d = drawDelays(c.n);
  const variants: [string, Runner, number][] = [
    ['bare heap', runBare, c.holds],
    ['engine', runEngine, c.holds],
  ];
  // Warm up each variant once (JIT) on a shorter run at the same N.
  for (const [, run, holds] of variants) run(d, c.n, Math.min(holds, 500_000));
  // Interleave the timed repetitions so drift (thermal, other load) hits both alike.
  const times = variants.map(() => [] as number[]);
  for (let r = 0; r < REPS; r++) variants.forEach(([, run, holds], i) => times[i]!.push(run(d, c.n, holds)));
  variants.forEach(([variant, , holds], i) => {
    const ms = Math.min(...times[i]!);
    results.push({ n: c.n, variant, holds, ms, rate: holds / (ms / 1000) });
  });

  if (c.rxjsHolds > 0) {
    runRxjs(d, c.n, Math.min(c.rxjsHolds, 2_000)); // warm-up
    const ms = runRxjs(d, c.n, c.rxjsHolds); // one run: reference only
    results.push({ n: c.n, variant: 'rxjs VTS (ref)', holds: c.rxjsHolds, ms, rate: c.rxjsHolds / (ms / 1000) });
  }
}

const rate = (n: number, variant: string): number => results.find((r) => r.n === n && r.variant === variant)!.rate;

console.log(`${'N'.padStart(9)}  ${'variant'.padEnd(15)}${'holds'.padStart(12)}${'ms'.padStart(9)}${'events/s'.padStart(13)}${'vs bare'.padStart(9)}`);
for (const r of results) {
  console.log(
    `${r.n.toLocaleString('en-US').padStart(9)}  ${r.variant.padEnd(15)}` +
      `${r.holds.toLocaleString('en-US').padStart(12)}${r.ms.toFixed(0).padStart(9)}` +
      `${fmtRate(r.rate).padStart(13)}${(r.rate / rate(r.n, 'bare heap')).toFixed(2).padStart(9)}`,
  );
}
console.log('');
console.log('rxjs VTS re-sorts its action array on every schedule: reference only, not a target.');
if (!Number.isFinite(bareChecksum)) console.log('(checksum)'); // never true; keeps bareChecksum live
console.log('');
for (const c of CASES) console.log(`ratio N=${c.n}: ${(rate(c.n, 'engine') / rate(c.n, 'bare heap')).toFixed(2)}`);
