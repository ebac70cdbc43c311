import { EventQueue, REF_SPACE, SEQ_LIMIT, TypedHeapQueue } from './event-queue.js';

/**
 * Events further ahead than this wait in the queue's far tier (see TypedHeapQueue): SIP's long
 * timers (B/F at 64·T1 = 32 s, registration refresh, Timer D) are mostly cancelled before they
 * are due. Half of 64·T1 at the default T1: a 32 s timer is swept about twice in its life.
 */
const FAR_HORIZON_US = 16_000_000;
// Small to start, doubled as needed: a sweep builds one clock per run (a one-phone run has a
// few dozen events pending), and each typed array is an off-heap allocation — at 1,024 entries
// they were ~4 % of a sweep worker's time. A fleet's tables reach their size in a few doublings.
const INITIAL_SLOTS = 64;

/** Integer microseconds since the start of the run. */
export type Micros = number;
/** An opaque, always-safe reference to a scheduled event (0 = never set). */
export type EventHandle = number;
/** Event callbacks get the `arg` they were scheduled with; pass a long-lived function, not a fresh closure, on hot paths. */
export type EventFn<A = any> = (arg: A) => void;

export type RunStatus = 'idle' | 'until' | 'max-events';
/** runSlice's statuses: 'paused' — the slice's budget of events ran out first; call again to go on. */
export type SliceStatus = 'until' | 'max-events' | 'paused';

export interface ClockOptions {
  /** Guard against event storms: run loops stop with status 'max-events' past this count. */
  maxEvents?: number;
  queue?: EventQueue;
}

// A handle packs (generation, slot): slot in the low 24 bits, generation above — stays < 2^53.
// Slots are the queue's refs, so the slot space is the queue's ref space.
const SLOT_SPACE = REF_SPACE;
// Handles are doubles: a bit mask is far cheaper than a float modulo, and exact because
// SLOT_SPACE divides 2^32.
const SLOT_MASK = SLOT_SPACE - 1;
// A slot whose generation reaches this is retired, never reused: a stale handle can then never
// match a later event (exact isPending). Costs one 32-byte slot per 2^29 events through it.
const GEN_LIMIT = 2 ** 29;
// Slot table layout: [fn, arg, owner, gen] per slot, in one array. An event's state is then one
// cache line instead of four arrays' worth. At 10⁶ pending events that one miss per event is
// most of what the engine costs over a bare heap (measured: ~0.6×; ~1.0× with a cached table).
const STRIDE = 4;
const ARG = 1;
const OWNER = 2;
const GEN = 3;

/**
 * The virtual clock and run loop (SimPy's Environment, ns-3's Simulator, without globals).
 * Order is total: (time µs, insertion sequence), kept by the queue. Callbacks live in a slot
 * table addressed by the queue's ref, so scheduling allocates nothing once the table has grown.
 *
 * Cancel is O(1): it clears the slot's callback and bumps its generation (the handle goes stale),
 * but the slot stays reserved until its heap entry pops or is compacted away, so a heap entry
 * never needs a generation of its own (one array fewer to move per heap level). Cost: a
 * cancelled event holds its 32-byte slot until then. Dead entries are skipped on pop and
 * compacted when they exceed half the heap (SIP Timers B/F are cancelled far more often than
 * they fire), so they never exceed max(64, live events).
 */
export class Clock {
  private _now: Micros = 0;
  private readonly queue: EventQueue;
  private readonly slots: unknown[] = [];
  private readonly free: number[] = [];
  /**
   * 1 while a slot's event is queued and live. Compaction and far-tier sweeps test liveness
   * here — a byte per slot, cache-resident — rather than in the slot table, where each test of
   * a long-dead timer's slot is a cache miss.
   */
  private live = new Uint8Array(INITIAL_SLOTS);
  private dead = 0;
  private _eventsRun = 0;
  private _owner: string | undefined;
  readonly maxEvents: number;
  /** Where drain stops counting: maxEvents, or a slice's end while runSlice runs (same one compare per event). */
  private stopAt: number;

  constructor(options: ClockOptions = {}) {
    if (options.queue) {
      this.queue = options.queue;
    } else {
      const q = new TypedHeapQueue(INITIAL_SLOTS, SEQ_LIMIT, FAR_HORIZON_US);
      // A far-tier sweep drops cancelled entries as compact() does.
      q.setSweeper((slot) => {
        if (this.live[slot] === 1) return true;
        this.dropped(slot);
        return false;
      });
      this.queue = q;
    }
    this.maxEvents = options.maxEvents ?? Number.MAX_SAFE_INTEGER;
    this.stopAt = this.maxEvents;
  }

  get now(): Micros {
    return this._now;
  }

  get eventsRun(): number {
    return this._eventsRun;
  }

  /** Owner (host/actor name) of the event being run, for attribution. */
  get currentOwner(): string | undefined {
    return this._owner;
  }

  /** Live events still queued. */
  get pending(): number {
    return this.queue.size - this.dead;
  }

  schedule<A>(delayUs: Micros, fn: EventFn<A>, arg?: A, owner?: string): EventHandle {
    if (!Number.isSafeInteger(delayUs) || delayUs < 0) throw badDelay(delayUs);
    return this.insert(this._now + delayUs, fn, arg, owner);
  }

  at<A>(timeUs: Micros, fn: EventFn<A>, arg?: A, owner?: string): EventHandle {
    if (!Number.isSafeInteger(timeUs) || timeUs < this._now) throw badTime(timeUs, this._now);
    return this.insert(timeUs, fn, arg, owner);
  }

  /** No-op for expired, cancelled or never-set handles (ns-3 EventId semantics). */
  cancel(handle: EventHandle): void {
    // Only the test here, the work in kill(): a handle is a double, and a double passed to a
    // call V8 does not inline is boxed (one allocation per cancel). A cancel this small is
    // inlined where it is called; kill takes the slot, a small int, so it need not be.
    if (this.isPending(handle)) this.kill(handle & SLOT_MASK);
  }

  /** Cancels the live event in `slot`. */
  private kill(slot: number): void {
    const b = slot * STRIDE;
    const s = this.slots;
    s[b] = undefined; // marks the heap entry dead
    s[b + ARG] = undefined; // let the arg be collected now, not when the entry pops
    this.live[slot] = 0;
    s[b + GEN] = (s[b + GEN] as number) + 1;
    // A far-tier entry (most cancelled SIP timers) leaves the queue now: its slot is free at once.
    if (this.queue.removeFar !== undefined && this.queue.removeFar(slot)) {
      this.freeSlot(slot);
      return;
    }
    this.dead++;
    if (this.dead > 64 && this.dead * 2 > this.queue.size) this.compact();
  }

  isPending(handle: EventHandle): boolean {
    if (!handle) return false;
    const slot = handle & SLOT_MASK;
    const b = slot * STRIDE;
    // gen · 2^24 + slot is exact (< 2^53), so this matches exactly the handles insert returned;
    // a multiply, not (handle − slot) / 2^24: cancel is hot (SIP Timers B/F), and a float
    // division cost ~4% of the hold-model bench at N = 100.
    return (this.slots[b + GEN] as number) * SLOT_SPACE + slot === handle && this.slots[b] !== undefined;
  }

  /** Time of the next live event, Infinity if none. */
  peek(): Micros {
    this.dropDeadHead();
    return this.queue.peekTime();
  }

  /** Runs the next live event; false when there is none. */
  step(): boolean {
    const q = this.queue;
    while (q.size > 0) {
      const t = q.headTime();
      const slot = q.peekRef();
      q.removeNext();
      if (this.slots[slot * STRIDE] === undefined) {
        this.dropped(slot);
        continue;
      }
      this._now = t;
      this.fire(slot);
      return true;
    }
    return false;
  }

  /**
   * Runs every event with time ≤ untilUs, then sets now = untilUs. Later events stay
   * queued, so the run can be resumed (SimPy's run(until)).
   */
  runUntil(untilUs: Micros): RunStatus {
    if (!Number.isSafeInteger(untilUs)) throw new Error(`Cannot run until ${untilUs} µs: it is not an integer`);
    if (untilUs < this._now) throw new Error(`Cannot run until ${untilUs} µs: it is before now (${this._now} µs)`);
    if (!this.drain(untilUs)) return 'max-events';
    this._now = untilUs;
    return 'until';
  }

  /**
   * runUntil in slices: runs at most `budget` more events, then returns 'paused' (now stays the
   * last event's time; call again to go on). The events, their order and their times are those
   * of one runUntil: a slice only moves where the event guard's compare stops, so a long run can
   * show progress and let the event loop in (Ctrl-C) between slices at no cost per event.
   */
  runSlice(untilUs: Micros, budget: number): SliceStatus {
    if (!Number.isSafeInteger(budget) || budget < 1) throw new Error(`Cannot run a slice of ${budget} events: it is not a positive integer`);
    if (!Number.isSafeInteger(untilUs)) throw new Error(`Cannot run until ${untilUs} µs: it is not an integer`);
    if (untilUs < this._now) throw new Error(`Cannot run until ${untilUs} µs: it is before now (${this._now} µs)`);
    this.stopAt = Math.min(this.maxEvents, this._eventsRun + budget);
    let done: boolean;
    try {
      done = this.drain(untilUs);
    } finally {
      this.stopAt = this.maxEvents;
    }
    if (done) {
      this._now = untilUs;
      return 'until';
    }
    return this._eventsRun >= this.maxEvents ? 'max-events' : 'paused';
  }

  /** Runs until no event is left. */
  run(): RunStatus {
    return this.drain(Infinity) ? 'idle' : 'max-events';
  }

  /**
   * The run loop behind runUntil and run: runs live events with time ≤ untilUs; false when it
   * stopped at maxEvents with a live event ≤ untilUs still queued. One pass per event, rather
   * than peek() then step(), which looked at every head twice once anything was cancelled.
   * The head's slot is read after removeNext, as step() does: reading it before (to skip dead
   * heads first) made the hold-model bench ~25% slower at 10⁶ events, where that read is a
   * cache miss the heap's sift-down can otherwise overlap.
   */
  private drain(untilUs: number): boolean {
    const q = this.queue;
    const s = this.slots;
    while (q.size > 0) {
      const t = q.headTime(); // not peekTime: size > 0, and its Infinity branch boxed t
      if (t > untilUs) return true;
      const slot = q.peekRef();
      // The guard stops only before a live event: a cancelled head is dropped below.
      if (this._eventsRun >= this.stopAt && s[slot * STRIDE] !== undefined) return false;
      q.removeNext();
      if (s[slot * STRIDE] === undefined) {
        this.dropped(slot);
        continue;
      }
      this._now = t; // here, not in fire: a double passed to a call V8 does not inline is boxed
      this.fire(slot);
    }
    return true;
  }

  /** Runs the live event in `slot` (its entry already removed; now already its time). */
  private fire(slot: number): void {
    const s = this.slots;
    const b = slot * STRIDE;
    const fn = s[b] as EventFn;
    const arg = s[b + ARG];
    this._owner = s[b + OWNER] as string | undefined;
    // Free the slot before running, so the callback may reschedule into it and its own
    // handle already reads as not pending.
    s[b] = undefined;
    s[b + ARG] = undefined;
    this.live[slot] = 0;
    const gen = (s[b + GEN] as number) + 1;
    s[b + GEN] = gen;
    if (gen < GEN_LIMIT) this.free.push(slot); // freeSlot(), without reading gen back
    this._eventsRun++;
    fn(arg);
  }

  private insert(timeUs: Micros, fn: EventFn, arg: unknown, owner: string | undefined): EventHandle {
    const s = this.slots;
    let slot = this.free.pop();
    if (slot === undefined) slot = this.newSlot();
    const b = slot * STRIDE;
    this.live[slot] = 1;
    s[b] = fn;
    s[b + ARG] = arg;
    s[b + OWNER] = owner;
    this.queue.insert(timeUs, slot);
    return (s[b + GEN] as number) * SLOT_SPACE + slot;
  }

  /**
   * A slot when the free list is empty: a new one at the table's end, or one reclaimed by
   * compaction. Out of line so that insert stays small enough for V8 to inline into callers.
   */
  private newSlot(): number {
    const s = this.slots;
    const slot = s.length >> 2; // = s.length / STRIDE, as a small int
    if (slot < SLOT_SPACE) {
      s.push(undefined, undefined, undefined, 1);
      if (slot >= this.live.length) this.growLive();
      return slot;
    }
    // Cancelled entries hold their slots until compacted: reclaim them before giving up.
    this.compact();
    const reclaimed = this.free.pop();
    if (reclaimed === undefined) throw new Error(`Cannot schedule event: more than ${SLOT_SPACE} pending events`);
    return reclaimed;
  }

  /** A cancelled entry left the queue: its slot, kept reserved until now, can be reused. */
  private dropped(slot: number): void {
    this.dead--;
    this.freeSlot(slot);
  }

  /** Returns a slot whose heap entry is gone to the free list, unless its generations are used up. */
  private freeSlot(slot: number): void {
    if ((this.slots[slot * STRIDE + GEN] as number) < GEN_LIMIT) this.free.push(slot);
  }

  /**
   * Drops cancelled entries from the queue and frees their slots. The far tier first: that is
   * where cancelled timers wait, and if it holds most of them the heap is left as it is. O(n).
   */
  private compact(): void {
    const keep = (slot: number): boolean => {
      if (this.live[slot] === 1) return true;
      this.dead--;
      this.freeSlot(slot);
      return false;
    };
    const q = this.queue;
    if (q.retainFar) {
      q.retainFar(keep);
      if (this.dead <= 64 || this.dead * 4 <= q.size) return;
    }
    q.retain(keep);
    this.dead = 0;
  }

  private growLive(): void {
    const bigger = new Uint8Array(this.live.length * 2);
    bigger.set(this.live);
    this.live = bigger;
  }

  private dropDeadHead(): void {
    if (this.dead === 0) return; // the common case: nothing cancelled is waiting in the heap
    const q = this.queue;
    while (q.size > 0) {
      const slot = q.peekRef();
      if (this.slots[slot * STRIDE] !== undefined) return;
      q.removeNext();
      this.dropped(slot);
    }
  }
}

// Errors are built out of line: template strings would make schedule/at too big to inline.
function badDelay(delayUs: number): Error {
  const why = Number.isSafeInteger(delayUs) ? 'is negative' : 'is not an integer';
  return new Error(`Cannot schedule event: delay ${delayUs} µs ${why}`);
}

function badTime(timeUs: number, now: number): Error {
  const why = Number.isSafeInteger(timeUs) ? `is before now (${now} µs)` : 'is not an integer';
  return new Error(`Cannot schedule event: time ${timeUs} µs ${why}`);
}
