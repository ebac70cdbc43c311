/**
 * The benchmark's baseline: the smallest reasonable binary min-heap of event times.
 * Two parallel Float64Arrays (time µs, insertion sequence) ordered by (time, seq) — the same
 * total order as the engine's queue — with no slot tables, callbacks, handles or cancellation.
 * Whatever the engine spends above this is the cost of being a general-purpose scheduler.
 */
export class BareHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private n = 0;
  private seq = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
  }

  get size(): number {
    return this.n;
  }

  push(t: number): void {
    if (this.n === this.times.length) this.grow();
    const { times, seqs } = this;
    const s = this.seq++;
    // Sift up: move parents down until the new entry's slot is found.
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < t || (pt === t && seqs[p]! < s)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
  }

  /** Removes the earliest entry and returns its time (the caller guarantees size > 0). */
  pop(): number {
    const { times, seqs } = this;
    const top = times[0]!;
    const n = --this.n;
    if (n === 0) return top;
    // Sift the last entry down from the root.
    const t = times[n]!;
    const s = seqs[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const c2 = c + 1;
      if (c2 < n && (times[c2]! < times[c]! || (times[c2] === times[c] && seqs[c2]! < seqs[c]!))) c = c2;
      const ct = times[c]!;
      if (t < ct || (t === ct && s < seqs[c]!)) break;
      times[i] = ct;
      seqs[i] = seqs[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    return top;
  }

  private grow(): void {
    const t = new Float64Array(this.times.length * 2);
    const s = new Float64Array(this.times.length * 2);
    t.set(this.times);
    s.set(this.seqs);
    this.times = t;
    this.seqs = s;
  }
}
