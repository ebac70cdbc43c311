import { EventQueue, TypedHeapQueue } from './event-queue.js';

/** Integer microseconds since the start of the run. */
export type Micros = number;
/** An opaque, always-safe reference to a scheduled event (0 = never set). */
export type EventHandle = number;
/** Event callbacks get the `arg` they were scheduled with; pass a long-lived function, not a fresh closure, on hot paths. */
export type EventFn<A = any> = (arg: A) => void;

export type RunStatus = 'idle' | 'until' | 'max-events';

export interface ClockOptions {
  /** Guard against event storms: run loops stop with status 'max-events' past this count. */
  maxEvents?: number;
  queue?: EventQueue;
}

// A handle packs (generation, slot): slot in the low 24 bits, generation above — stays < 2^53.
const SLOT_SPACE = 1 << 24;
// Handles come out of a Float64Array as doubles: a bit mask is far cheaper than a float modulo,
// and exact because SLOT_SPACE divides 2^32.
const SLOT_MASK = SLOT_SPACE - 1;
const GEN_LIMIT = 1 << 28;

/**
 * The virtual clock and run loop (SimPy's Environment, ns-3's Simulator, without globals).
 * Order is total: (time µs, insertion sequence). Callbacks live in slot tables addressed by
 * the heap's `ref`, so scheduling allocates nothing once the tables have grown.
 * Cancel is O(1) by generation bump; dead heap entries are skipped on pop and compacted when
 * they exceed half the heap (SIP Timers B/F are cancelled far more often than they fire).
 */
export class Clock {
  private _now: Micros = 0;
  private seq = 0;
  private readonly queue: EventQueue;
  private fns: (EventFn | undefined)[] = [];
  private args: unknown[] = [];
  private owners: (string | undefined)[] = [];
  private gens: number[] = [];
  private free: number[] = [];
  private dead = 0;
  private _eventsRun = 0;
  private _owner: string | undefined;
  readonly maxEvents: number;

  constructor(options: ClockOptions = {}) {
    this.queue = options.queue ?? new TypedHeapQueue();
    this.maxEvents = options.maxEvents ?? Number.MAX_SAFE_INTEGER;
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
    if (!Number.isSafeInteger(delayUs)) throw new Error(`Cannot schedule event: delay ${delayUs} µs is not an integer`);
    if (delayUs < 0) throw new Error(`Cannot schedule event: delay ${delayUs} µs is negative`);
    return this.insert(this._now + delayUs, fn, arg, owner);
  }

  at<A>(timeUs: Micros, fn: EventFn<A>, arg?: A, owner?: string): EventHandle {
    if (!Number.isSafeInteger(timeUs)) throw new Error(`Cannot schedule event: time ${timeUs} µs is not an integer`);
    if (timeUs < this._now) throw new Error(`Cannot schedule event: time ${timeUs} µs is before now (${this._now} µs)`);
    return this.insert(timeUs, fn, arg, owner);
  }

  /** No-op for expired, cancelled or never-set handles (ns-3 EventId semantics). */
  cancel(handle: EventHandle): void {
    if (!this.isPending(handle)) return;
    this.release(handle & SLOT_MASK);
    this.dead++;
    if (this.dead > 64 && this.dead * 2 > this.queue.size) {
      this.queue.retain((ref) => this.isPending(ref));
      this.dead = 0;
    }
  }

  isPending(handle: EventHandle): boolean {
    if (!handle) return false;
    const slot = handle & SLOT_MASK;
    return this.gens[slot] === (handle - slot) / SLOT_SPACE && this.fns[slot] !== undefined;
  }

  /** Time of the next live event, Infinity if none. */
  peek(): Micros {
    this.dropDeadHead();
    return this.queue.peekTime();
  }

  /** Runs the next live event; false when there is none. */
  step(): boolean {
    this.dropDeadHead();
    if (this.queue.size === 0) return false;
    const t = this.queue.peekTime();
    const ref = this.queue.peekRef();
    this.queue.removeNext();
    const slot = ref & SLOT_MASK;
    const fn = this.fns[slot]!;
    const arg = this.args[slot];
    this._owner = this.owners[slot];
    // Free the slot before running, so the callback may reschedule into it and its own
    // handle already reads as not pending.
    this.release(slot);
    this._now = t;
    this._eventsRun++;
    fn(arg);
    return true;
  }

  /**
   * Runs every event with time ≤ untilUs, then sets now = untilUs. Later events stay
   * queued, so the run can be resumed (SimPy's run(until)).
   */
  runUntil(untilUs: Micros): RunStatus {
    if (!Number.isSafeInteger(untilUs)) throw new Error(`Cannot run until ${untilUs} µs: it is not an integer`);
    if (untilUs < this._now) throw new Error(`Cannot run until ${untilUs} µs: it is before now (${this._now} µs)`);
    while (this.peek() <= untilUs) {
      if (this._eventsRun >= this.maxEvents) return 'max-events';
      this.step();
    }
    this._now = untilUs;
    return 'until';
  }

  /** Runs until no event is left. */
  run(): RunStatus {
    while (this.peek() !== Infinity) {
      if (this._eventsRun >= this.maxEvents) return 'max-events';
      this.step();
    }
    return 'idle';
  }

  private insert(timeUs: Micros, fn: EventFn, arg: unknown, owner: string | undefined): EventHandle {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.fns.length;
      if (slot >= SLOT_SPACE) throw new Error(`Cannot schedule event: more than ${SLOT_SPACE} pending events`);
      this.gens.push(1);
    }
    this.fns[slot] = fn;
    this.args[slot] = arg;
    this.owners[slot] = owner;
    const handle = this.gens[slot]! * SLOT_SPACE + slot;
    this.queue.insert(timeUs, this.seq++, handle);
    return handle;
  }

  private release(slot: number): void {
    this.fns[slot] = undefined;
    this.args[slot] = undefined;
    this.gens[slot] = (this.gens[slot]! % (GEN_LIMIT - 1)) + 1;
    this.free.push(slot);
  }

  private dropDeadHead(): void {
    if (this.dead === 0) return; // the common case: nothing cancelled is waiting in the heap
    while (this.queue.size > 0 && !this.isPending(this.queue.peekRef())) {
      this.queue.removeNext();
      this.dead--;
    }
  }
}
