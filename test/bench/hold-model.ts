/**
 * Hold-model benchmark of the event queue (Vaucher & Duval 1975; Jones 1986).
 *
 * Fill a queue with N pending events at Exp(mean) times, then repeat a "hold": pop the earliest
 * event and schedule one new event at now + Exp(mean). The queue stays at N live entries, so the
 * rate of holds measures the cost of one pop + one push at that size.
 *
 * Variants:
 *  - engine:    sim/core Clock, driven by the run loop the simulator uses: runScenario calls
 *               clock.runUntil(duration) under the maxEvents guard, so here the guard is the
 *               hold count and runUntil(MAX_SAFE_INTEGER) runs exactly `holds` events, then
 *               returns 'max-events'. One long-lived handler does each hold (no closure per
 *               event). Cancellations are in the mix as in SIP: every second hold also starts
 *               a 32 s timer (64·T1, Timer B/F) and the hold after it cancels that timer, as a
 *               response would. No timer ever fires (its handler throws), so cancelled entries
 *               pile up in the heap until the Clock drops them at the head or compacts them —
 *               the engine pays for all of that inside the timed loop.
 *  - bare heap: BareHeap (bare-heap.ts), a typed-array heap with nothing else — the baseline.
 *               It does one pop and one push per hold: the same live pops and pushes as the
 *               engine, on the same times. A bare heap has no cancel, so it does nothing for
 *               the timers. That is the fair baseline: the best any queue could do for the same
 *               live event sequence. Scheduling, cancelling and clearing away the timers (half
 *               an extra push per hold, dead entries in the heap, compaction) is the price of
 *               being a general-purpose scheduler with O(1) cancel, so the ratio counts it
 *               against the engine rather than crediting the baseline with a made-up cancel.
 *  - rxjs VTS:  rxjs VirtualTimeScheduler, which re-sorts its action array on every schedule.
 *               Reference only, without timers, and only at small N with few holds.
 *
 * Every variant consumes the same pre-drawn delays (seeded stream), so all see the identical
 * event sequence (checked: engine and bare heap end at the same instant) and the RNG's cost is
 * kept out of the timings. Wall-clock time is fine here: this is test/, not sim/.
 *
 * Prints `ratio N=<N>: <engine ÷ bare heap>` per N (read by tools; target ≥ 0.7).
 * Run: npm run bench  (build + startup bench + node dist/test/bench/hold-model.js)
 */
import { performance } from 'node:perf_hooks';
import { VirtualTimeScheduler } from 'rxjs';
import { Clock, type EventHandle } from '../../sim/core/clock.js';
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
// Module-level state so the handlers are long-lived functions, as sim/ code should be.
/** Timer B/F: 64·T1 with T1 = 500 ms. Far beyond the next hold, so it is always cancelled first. */
const TIMER_US = 32_000_000;
let clock = new Clock();
let delays: Float64Array = new Float64Array(0);
let base = 0; // = n: hold delays start after the fill
let next = 0;
let timer: EventHandle = 0;

function holdHandler(): void {
  const i = next++;
  clock.schedule(delays[base + (i & POOL_MASK)]!, holdHandler);
  // Even holds send a "request" and start its timer; the next hold is its "response".
  if ((i & 1) === 0) timer = clock.schedule(TIMER_US, timerFired);
  else clock.cancel(timer);
}

function timerFired(): void {
  throw new Error('engine: a timer fired; every timer must be cancelled before it fires');
}

function runEngine(d: Float64Array, n: number, holds: number): Run {
  if (holds % 2 !== 0) throw new Error(`holds ${holds} must be even (each timer is cancelled by the next hold)`);
  clock = new Clock({ maxEvents: holds });
  delays = d;
  base = n;
  next = 0;
  timer = 0;
  for (let i = 0; i < n; i++) clock.schedule(d[i]!, holdHandler); // fill: absolute time = delay from 0
  const t0 = performance.now();
  const status = clock.runUntil(Number.MAX_SAFE_INTEGER);
  const ms = performance.now() - t0;
  if (status !== 'max-events' || clock.eventsRun !== holds) {
    throw new Error(`engine: ${status} after ${clock.eventsRun} events, expected max-events after ${holds}`);
  }
  if (clock.pending !== n) throw new Error(`engine: ${clock.pending} pending, expected ${n}`);
  return { ms, end: clock.now };
}

// ---- (b) bare heap (baseline) -----------------------------------------------------------
let bareChecksum = 0; // keeps the popped times observable so the loop cannot be elided

function runBare(d: Float64Array, n: number, holds: number): Run {
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
  return { ms, end: now };
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
/** A timed run: wall ms of the hold loop, and the time (µs) of the last event it ran. */
interface Run {
  ms: number;
  end: number;
}
type Runner = (d: Float64Array, n: number, holds: number) => Run;

function fmtRate(perSec: number): string {
  return perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M/s` : `${(perSec / 1e3).toFixed(1)} k/s`;
}

const results: { n: number; variant: string; holds: number; ms: number; rate: number }[] = [];

console.log(
  `hold model: pop earliest, push now + Exp(${MEAN_US} µs); engine through runUntil, a ${TIMER_US / 1e6} s timer` +
    ` started every 2nd hold and cancelled by the next; node ${process.version}; best of ${REPS}`,
);
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
  const ends = new Set<number>();
  for (let r = 0; r < REPS; r++) {
    variants.forEach(([, run, holds], i) => {
      const { ms, end } = run(d, c.n, holds);
      times[i]!.push(ms);
      ends.add(end);
    });
  }
  // Same delays, same holds: every run must end on the same event, else the variants differ.
  if (ends.size !== 1) throw new Error(`N=${c.n}: runs ended at different instants: ${[...ends].join(', ')}`);
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
