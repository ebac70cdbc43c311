/**
 * The event queue behind a tiny interface (ns-3 `Scheduler`): insert / peek / removeNext.
 * Entries are plain numbers — (time µs, sequence, ref) — so the hot path allocates nothing.
 */
export interface EventQueue {
  /** Number of entries, dead (cancelled) ones included. */
  readonly size: number;
  insert(timeUs: number, seq: number, ref: number): void;
  /** Time of the earliest entry; Infinity when empty. O(1). */
  peekTime(): number;
  /** Ref of the earliest entry (undefined behaviour when empty). O(1). */
  peekRef(): number;
  /** Removes the earliest entry. O(log n). */
  removeNext(): void;
  /** Keeps only entries whose ref satisfies `keep`; O(n). Used to compact cancelled entries. */
  retain(keep: (ref: number) => boolean): void;
}

/**
 * Binary min-heap over three parallel Float64Arrays ordered by (time, seq).
 * Typed arrays keep entries contiguous: measured ≥ 0.9× a bare heap at 10⁶ pending events,
 * where one object per event falls to ~0.2× (cache misses, GC) — see shared/DESIGN.md.
 */
export class TypedHeapQueue implements EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private refs: Float64Array;
  private n = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.refs = new Float64Array(initialCapacity);
  }

  get size(): number {
    return this.n;
  }

  insert(timeUs: number, seq: number, ref: number): void {
    if (this.n === this.times.length) this.grow();
    const { times, seqs, refs } = this;
    // Sift up: move parents down until the slot for the new entry is found.
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < timeUs || (pt === timeUs && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      refs[i] = refs[p]!;
      i = p;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    refs[i] = ref;
  }

  peekTime(): number {
    return this.n === 0 ? Infinity : this.times[0]!;
  }

  peekRef(): number {
    return this.refs[0]!;
  }

  removeNext(): void {
    if (this.n === 0) return;
    const last = --this.n;
    if (last > 0) this.siftDown(0, this.times[last]!, this.seqs[last]!, this.refs[last]!);
  }

  retain(keep: (ref: number) => boolean): void {
    const { times, seqs, refs } = this;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      if (!keep(refs[r]!)) continue;
      times[w] = times[r]!;
      seqs[w] = seqs[r]!;
      refs[w] = refs[r]!;
      w++;
    }
    this.n = w;
    // Floyd's heapify, O(n).
    for (let i = (w >> 1) - 1; i >= 0; i--) this.siftDown(i, times[i]!, seqs[i]!, refs[i]!);
  }

  private siftDown(start: number, t: number, s: number, r: number): void {
    const { times, seqs, refs } = this;
    const n = this.n;
    let i = start;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const c2 = c + 1;
      if (c2 < n && (times[c2]! < times[c]! || (times[c2] === times[c] && seqs[c2]! < seqs[c]!))) c = c2;
      const ct = times[c]!;
      if (t < ct || (t === ct && s < seqs[c]!)) break;
      times[i] = ct;
      seqs[i] = seqs[c]!;
      refs[i] = refs[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    refs[i] = r;
  }

  private grow(): void {
    const cap = Math.max(16, this.times.length * 2);
    const t = new Float64Array(cap);
    const s = new Float64Array(cap);
    const r = new Float64Array(cap);
    t.set(this.times);
    s.set(this.seqs);
    r.set(this.refs);
    this.times = t;
    this.seqs = s;
    this.refs = r;
  }
}
