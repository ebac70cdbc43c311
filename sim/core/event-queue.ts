/**
 * The event queue behind a tiny interface (ns-3 `Scheduler`): insert / peek / removeNext / retain.
 * Entries are plain numbers — (time µs, ref) — so the hot path allocates nothing. The queue owns
 * the tie-break: entries with equal times pop in insertion order, so the order is total.
 */
export interface EventQueue {
  /** Number of entries, dead (cancelled) ones included. */
  readonly size: number;
  /** Adds an entry; `ref` is an integer in [0, REF_SPACE). Equal times pop in insertion order. */
  insert(timeUs: number, ref: number): void;
  /** Time of the earliest entry; Infinity when empty. O(1). */
  peekTime(): number;
  /**
   * Time of the earliest entry, for a caller that knows the queue is not empty (undefined
   * behaviour when empty, as peekRef). The run loop reads this: peekTime's Infinity branch made
   * V8 box every head time into a heap number (one allocation per event).
   */
  headTime(): number;
  /** Ref of the earliest entry (undefined behaviour when empty). O(1). */
  peekRef(): number;
  /** Removes the earliest entry. O(log n). */
  removeNext(): void;
  /** Keeps only entries whose ref satisfies `keep`, in the same order; O(n). Compacts cancelled entries. */
  retain(keep: (ref: number) => boolean): void;
  /** Like retain, over the entries not yet in the heap (a tiered queue's far tier) only. */
  retainFar?(keep: (ref: number) => boolean): void;
  /**
   * Removes the entry with this ref if it waits in the far tier (O(1)); false if it is in the
   * heap (or absent). Lets a cancel free a far timer's slot at once instead of leaving a dead entry.
   */
  removeFar?(ref: number): boolean;
}

/** Refs are below 2^24 (the Clock's slot space): they share a 53-bit key with the sequence number. */
export const REF_SPACE = 1 << 24;
const REF_MASK = REF_SPACE - 1;
/** Default sequence limit: seq · 2^24 + ref stays an exact double (< 2^53). */
export const SEQ_LIMIT = 2 ** 29;
/** Heap entries [0, this) sift down branch-free; see siftDown. 2^14 × 16 B = 256 KB, cache-resident. */
const BRANCH_FREE_TOP = 1 << 14;

/**
 * Binary min-heap over two parallel Float64Arrays, ordered by (time, key) with
 * key = seq · 2^24 + ref. Packing the insertion sequence and the ref into one double moves two
 * arrays per level instead of three, like a bare heap of (time, seq): the queue alone went from
 * 0.81 to 1.0 × the bench's bare heap at 10⁶ entries (0.92 → 1.15 at 10⁴, with siftDown's
 * branch-free top). Typed arrays keep entries contiguous; one object per event falls to ~0.2×
 * at 10⁶ (cache misses, GC) — see shared/DESIGN.md.
 *
 * The sequence number is bounded (`seqLimit`, 2^29 by default, i.e. every ~5·10⁸ inserts): when it
 * is reached, the live keys are renumbered 0..n-1 in key order, which keeps every comparison the
 * heap relies on — O(n log n) once per (seqLimit − n) inserts, so nothing a long run can hit.
 */
export class TypedHeapQueue implements EventQueue {
  private times: Float64Array;
  private keys: Float64Array;
  private n = 0;
  private seq = 0;
  private readonly seqLimit: number;
  private _renumbers = 0;
  // The far tier: entries more than `horizon` after the last removed time wait here, unsorted,
  // and move into the heap only when time approaches them. Most of them are SIP timers (B, F,
  // registration refresh) that are cancelled long before they are due, and those never pay a
  // heap insert or a dead pop: a sweep drops them. Each sweep moves every entry due within the
  // next `horizon`, so one happens per `horizon` of time and an entry is swept ~lifetime/horizon times.
  private farTimes = new Float64Array(64);
  private farKeys = new Float64Array(64);
  private farN = 0;
  private farMin = Infinity;
  /**
   * Per ref: 1 + its index in the far tier, 0 when it is not there. The far tier is unsorted (keys
   * carry the order), so a cancelled far entry can be swap-removed in O(1): SIP timers are
   * mostly cancelled while far, and each dead far entry otherwise held its slot until a sweep or
   * compaction (the hold bench at N = 100 was ~40% slower for it).
   */
  private farPos = new Int32Array(64);
  private lastTime = 0;
  private readonly horizon: number;
  private sweepKeep: ((ref: number) => boolean) | undefined;

  /**
   * `seqLimit` is for tests, to force renumbering; it must exceed the largest size the queue
   * reaches. `horizon` (in the times' unit) turns the far tier on; Infinity keeps every entry in the heap.
   */
  constructor(initialCapacity = 1024, seqLimit = SEQ_LIMIT, horizon = Infinity) {
    if (!(Number.isInteger(seqLimit) && seqLimit >= 2 && seqLimit <= SEQ_LIMIT)) {
      throw new RangeError(`TypedHeapQueue: seqLimit ${seqLimit} is not an integer in [2, 2^29]`);
    }
    if (!(horizon > 0)) throw new RangeError(`TypedHeapQueue: horizon ${horizon} is not positive`);
    this.times = new Float64Array(initialCapacity);
    this.keys = new Float64Array(initialCapacity);
    this.seqLimit = seqLimit;
    this.horizon = horizon;
  }

  get size(): number {
    return this.n + this.farN;
  }

  /**
   * Lets far-tier sweeps drop dead entries: `keep(ref)` false drops the entry (the owner frees
   * what it holds, as with retain). Without it every far entry moves into the heap when due.
   */
  setSweeper(keep: (ref: number) => boolean): void {
    this.sweepKeep = keep;
  }

  /** How many times sequence numbers were renumbered (observability for tests). */
  get renumbers(): number {
    return this._renumbers;
  }

  insert(timeUs: number, ref: number): void {
    // One AND + compare: a bad ref would otherwise silently corrupt the sequence bits.
    if ((ref & REF_MASK) !== ref) throw badRef(ref);
    if (this.seq >= this.seqLimit) this.renumber();
    const key = this.seq++ * REF_SPACE + ref;
    // The entry is written here and its helpers read it back: they take only small ints,
    // because doubles passed to a call V8 does not inline are boxed (an allocation each), and
    // which calls it inlines depends on a budget the caller's other calls share.
    if (timeUs - this.lastTime > this.horizon) {
      if (this.farN === this.farTimes.length) this.growFar();
      this.farTimes[this.farN] = timeUs;
      this.farKeys[this.farN] = key;
      this.farAdded(ref);
    } else {
      if (this.n === this.times.length) this.grow();
      this.times[this.n] = timeUs;
      this.keys[this.n] = key;
      this.siftUp(this.n++);
    }
  }

  /** Moves the entry at i (just appended) up to its place. */
  private siftUp(i: number): void {
    const { times, keys } = this;
    const timeUs = times[i]!;
    const key = keys[i]!;
    // Move parents down until the slot for the new entry is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < timeUs || (pt === timeUs && keys[p]! < key)) break;
      times[i] = pt;
      keys[i] = keys[p]!;
      i = p;
    }
    times[i] = timeUs;
    keys[i] = key;
  }

  // Invariant between calls: the heap's head precedes every far entry, and the heap is empty
  // only if the far tier is. So peeks are plain reads; whatever changes the head re-checks.

  peekTime(): number {
    return this.n === 0 ? Infinity : this.times[0]!;
  }

  headTime(): number {
    return this.times[0]!;
  }

  peekRef(): number {
    return this.keys[0]! & REF_MASK; // exact: ToInt32 keeps the low 32 bits of an integer < 2^53
  }

  removeNext(): void {
    if (this.n === 0) return;
    this.lastTime = this.times[0]!;
    const last = --this.n;
    this.times[0] = this.times[last]!;
    this.keys[0] = this.keys[last]!;
    this.siftDown(0);
    if (this.farN > 0 && (this.n === 0 || this.farMin <= this.times[0]!)) this.sweep();
  }

  retain(keep: (ref: number) => boolean): void {
    const { times, keys } = this;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      if (!keep(keys[r]! & REF_MASK)) continue;
      times[w] = times[r]!;
      keys[w] = keys[r]!;
      w++;
    }
    const changed = w !== this.n;
    this.n = w;
    // Floyd's heapify, O(n). Keys are unchanged, so the (time, insertion) order is too.
    if (changed) for (let i = (w >> 1) - 1; i >= 0; i--) this.siftDown(i);
    this.retainFar(keep);
  }

  retainFar(keep: (ref: number) => boolean): void {
    this.farFilter(keep, -Infinity);
    if (this.farN > 0 && (this.n === 0 || this.farMin <= this.times[0]!)) this.sweep();
  }

  /** Books the far entry insert just wrote at index farN, for `ref`. */
  private farAdded(ref: number): void {
    const timeUs = this.farTimes[this.farN]!;
    if (ref >= this.farPos.length) this.growFarPos(ref);
    this.farPos[ref] = ++this.farN;
    if (timeUs < this.farMin) this.farMin = timeUs;
    // A sweep may have moved entries later than this one into the heap: keep the head first.
    if (this.n === 0 || timeUs <= this.times[0]!) this.sweep();
  }

  removeFar(ref: number): boolean {
    const pos = ref < this.farPos.length ? this.farPos[ref]! : 0;
    if (pos === 0) return false;
    this.farPos[ref] = 0;
    const last = --this.farN;
    if (pos - 1 !== last) {
      // Swap the last entry in. farMin stays a lower bound: a sweep recomputes it exactly.
      const k = this.farKeys[last]!;
      this.farTimes[pos - 1] = this.farTimes[last]!;
      this.farKeys[pos - 1] = k;
      this.farPos[k & REF_MASK] = pos;
    }
    if (last === 0) this.farMin = Infinity;
    return true;
  }

  // Out of line, as growFarPos: the growth paths would make insert too big for V8 to inline
  // into the scheduling call site.
  private growFar(): void {
    const t = new Float64Array(this.farN * 2);
    const k = new Float64Array(this.farN * 2);
    t.set(this.farTimes);
    k.set(this.farKeys);
    this.farTimes = t;
    this.farKeys = k;
  }

  private growFarPos(ref: number): void {
    let n = this.farPos.length * 2;
    while (n <= ref) n *= 2;
    const bigger = new Int32Array(n);
    bigger.set(this.farPos);
    this.farPos = bigger;
  }

  /** Moves the far entries due within `horizon` of the earliest into the heap, until the heap's head precedes every far entry. */
  private sweep(): void {
    const keep = this.sweepKeep;
    while (this.farN > 0 && (this.n === 0 || this.farMin <= this.times[0]!)) {
      this.farFilter(keep, this.farMin + this.horizon);
    }
  }

  /**
   * One pass over the far tier: entries with time ≤ `moveUpTo` go into the heap (kept order:
   * their keys are their original ones), entries `keep` rejects are dropped, the rest stay.
   */
  private farFilter(keep: ((ref: number) => boolean) | undefined, moveUpTo: number): void {
    const ft = this.farTimes;
    const fk = this.farKeys;
    const pos = this.farPos;
    let w = 0;
    let min = Infinity;
    for (let r = 0; r < this.farN; r++) {
      const t = ft[r]!;
      const k = fk[r]!;
      const ref = k & REF_MASK;
      pos[ref] = 0;
      if (keep !== undefined && !keep(ref)) continue;
      if (t <= moveUpTo) {
        if (this.n === this.times.length) this.grow();
        this.times[this.n] = t;
        this.keys[this.n] = k;
        this.siftUp(this.n++);
        continue;
      }
      ft[w] = t;
      fk[w] = k;
      w++;
      pos[ref] = w;
      if (t < min) min = t;
    }
    this.farN = w;
    this.farMin = min;
  }

  /**
   * Moves entry i down to its place. It reads the entry itself rather than taking (t, k) as
   * arguments: doubles passed to a call that is not inlined are boxed, one allocation each.
   */
  private siftDown(i: number): void {
    const { times, keys } = this;
    const n = this.n;
    const t = times[i]!;
    const k = keys[i]!;
    // Which child is smaller is a coin flip, so a branch on it mispredicts half the time. Near
    // the root, where the heap is cache-resident, picking it arithmetically is cheaper (the whole
    // engine went 0.8 → 0.95 × bare heap at 10⁴ events). Deeper, loads miss cache and a predicted
    // branch lets the CPU fetch the next level early; branch-free there made 10⁶ 2× slower.
    // Hence two loops; both keep the same order, only their speed differs.
    const top = n < BRANCH_FREE_TOP ? n : BRANCH_FREE_TOP;
    let c = 2 * i + 1;
    for (; c < top; c = 2 * i + 1) {
      if (c + 1 < n) {
        const t1 = times[c]!;
        const t2 = times[c + 1]!;
        c += +(t2 < t1) | (+(t2 === t1) & +(keys[c + 1]! < keys[c]!));
      }
      const ct = times[c]!;
      if (t < ct || (t === ct && k < keys[c]!)) {
        // In place: return rather than fall through to the deep loop, which would compare it again.
        times[i] = t;
        keys[i] = k;
        return;
      }
      times[i] = ct;
      keys[i] = keys[c]!;
      i = c;
    }
    times[i] = t;
    keys[i] = k;
    if (c < n) this.siftDownDeep(i);
  }

  /**
   * The branchy loop below the cache-resident top, for entry i (already written in place). Its
   * own function: small heaps never reach it, and keeping it out of siftDown keeps siftDown
   * small enough that V8 still inlines the scheduling path around it. Same order as above.
   */
  private siftDownDeep(i: number): void {
    const { times, keys } = this;
    const n = this.n;
    const t = times[i]!;
    const k = keys[i]!;
    for (let c = 2 * i + 1; c < n; c = 2 * i + 1) {
      if (c + 1 < n && (times[c + 1]! < times[c]! || (times[c + 1] === times[c] && keys[c + 1]! < keys[c]!))) c++;
      const ct = times[c]!;
      if (t < ct || (t === ct && k < keys[c]!)) break;
      times[i] = ct;
      keys[i] = keys[c]!;
      i = c;
    }
    times[i] = t;
    keys[i] = k;
  }

  /**
   * Replaces each key's sequence part by the key's rank among the live keys. Ranks keep the key
   * order, and the heap only ever compares keys, so the heap stays valid as it is.
   */
  private renumber(): void {
    const { keys, n, farKeys, farN } = this;
    const total = n + farN;
    if (total >= this.seqLimit) throw new RangeError(`TypedHeapQueue: ${total} entries do not fit seqLimit ${this.seqLimit}`);
    // Heap and far tier share one sequence: rank their keys together.
    const sorted = new Float64Array(total);
    sorted.set(keys.subarray(0, n));
    sorted.set(farKeys.subarray(0, farN), n);
    sorted.sort(); // typed-array sort: numeric, native
    const rank = (k: number): number => {
      let lo = 0;
      let hi = total - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < k) lo = mid + 1;
        else hi = mid;
      }
      return lo * REF_SPACE + (k & REF_MASK);
    };
    for (let i = 0; i < n; i++) keys[i] = rank(keys[i]!);
    for (let i = 0; i < farN; i++) farKeys[i] = rank(farKeys[i]!);
    this.seq = total;
    this._renumbers++;
  }

  private grow(): void {
    const cap = Math.max(16, this.times.length * 2);
    const t = new Float64Array(cap);
    const k = new Float64Array(cap);
    t.set(this.times);
    k.set(this.keys);
    this.times = t;
    this.keys = k;
  }
}

// Built out of line: a template string would make insert too big to inline (as Clock's errors).
function badRef(ref: number): RangeError {
  return new RangeError(`TypedHeapQueue: ref ${ref} is not an integer in [0, 2^24)`);
}
