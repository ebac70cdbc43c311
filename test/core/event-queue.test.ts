// chai 6 ships no .d.ts and @types/chai is not installed yet; harmless once it is.
// @ts-ignore TS7016
import { expect } from 'chai';
import fc from 'fast-check';
import { EventQueue, REF_SPACE, SEQ_LIMIT, TypedHeapQueue } from '../../sim/core/event-queue.js';

/**
 * Reference implementation: a sorted array, obviously correct, O(n) insert.
 * Entries are kept sorted ascending by time, equal times in insertion order; the head is index 0.
 */
class SortedArrayQueue implements EventQueue {
  private entries: { t: number; r: number }[] = [];

  get size(): number {
    return this.entries.length;
  }

  insert(timeUs: number, ref: number): void {
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.t > timeUs) i--;
    this.entries.splice(i, 0, { t: timeUs, r: ref });
  }

  peekTime(): number {
    return this.entries.length === 0 ? Infinity : this.entries[0]!.t;
  }

  headTime(): number {
    return this.entries[0]!.t;
  }

  peekRef(): number {
    return this.entries[0]!.r;
  }

  removeNext(): void {
    this.entries.shift();
  }

  retain(keep: (ref: number) => boolean): void {
    this.entries = this.entries.filter((e) => keep(e.r));
  }
}

type Factory = (initialCapacity?: number) => EventQueue;

/** Pops everything, returning [time, ref] tuples in pop order. */
function drain(q: EventQueue): [number, number][] {
  const out: [number, number][] = [];
  while (q.size > 0) {
    out.push([q.peekTime(), q.peekRef()]);
    q.removeNext();
  }
  return out;
}

/** `sizes`: (queue size, time range) of the long hold runs; a big one passes BRANCH_FREE_TOP = 2^14. */
function queueContract(name: string, make: Factory, sizes: [number, number][]): void {
  describe(`EventQueue contract: ${name}`, () => {
    it('is empty at start: size 0, peekTime Infinity', () => {
      const q = make();
      expect(q.size).to.equal(0);
      expect(q.peekTime()).to.equal(Infinity);
    });

    it('pops in time order regardless of insertion order', () => {
      const q = make();
      const times = [50, 10, 40, 30, 20, 0, 60];
      times.forEach((t, i) => q.insert(t, 100 + i));
      expect(q.size).to.equal(7);
      expect(drain(q)).to.deep.equal([
        [0, 105],
        [10, 101],
        [20, 104],
        [30, 103],
        [40, 102],
        [50, 100],
        [60, 106],
      ]);
      expect(q.size).to.equal(0);
      expect(q.peekTime()).to.equal(Infinity);
    });

    it('breaks ties on time by insertion order, whatever the refs', () => {
      const q = make();
      q.insert(5, 30);
      q.insert(5, 10);
      q.insert(5, 20);
      q.insert(4, 90);
      q.insert(5, 0);
      expect(drain(q)).to.deep.equal([
        [4, 90],
        [5, 30],
        [5, 10],
        [5, 20],
        [5, 0],
      ]);
    });

    it('peekTime/peekRef report the head and removeNext advances it', () => {
      const q = make();
      q.insert(30, 7);
      expect([q.peekTime(), q.peekRef()]).to.deep.equal([30, 7]);
      q.insert(10, 8);
      expect([q.peekTime(), q.peekRef()]).to.deep.equal([10, 8]);
      q.insert(20, 9);
      expect([q.peekTime(), q.peekRef()]).to.deep.equal([10, 8]);
      q.removeNext();
      expect([q.size, q.peekTime(), q.peekRef()]).to.deep.equal([2, 20, 9]);
      q.removeNext();
      expect([q.size, q.peekTime(), q.peekRef()]).to.deep.equal([1, 30, 7]);
      q.removeNext();
      expect([q.size, q.peekTime()]).to.deep.equal([0, Infinity]);
    });

    it('interleaves inserts and removes correctly (insert earlier than current head)', () => {
      const q = make();
      q.insert(100, 1);
      q.insert(200, 2);
      q.removeNext(); // pops 100
      q.insert(150, 3);
      q.insert(50, 4);
      q.insert(200, 5);
      expect(drain(q)).to.deep.equal([
        [50, 4],
        [150, 3],
        [200, 2],
        [200, 5],
      ]);
    });

    it('grows beyond its initial capacity without losing or reordering entries', () => {
      const q = make(2);
      const n = 1000;
      // Descending times: every insert sifts to the root, maximal stress on growth + sift-up.
      for (let i = 0; i < n; i++) q.insert(n - i, i);
      expect(q.size).to.equal(n);
      const popped = drain(q);
      expect(popped.length).to.equal(n);
      expect(popped.slice(0, 3)).to.deep.equal([
        [1, n - 1],
        [2, n - 2],
        [3, n - 3],
      ]);
      expect(popped.slice(-2)).to.deep.equal([
        [n - 1, 1],
        [n, 0],
      ]);
      for (let k = 0; k < n; k++) expect(popped[k]).to.deep.equal([k + 1, n - 1 - k]);
    });

    it('handles large times (µs over hours) and the largest refs exactly', () => {
      const q = make();
      const big = 2 ** 52; // still exact in Float64
      const top = REF_SPACE - 1;
      q.insert(big + 1, 1);
      q.insert(big, top);
      q.insert(big, 0);
      q.insert(big, top - 1);
      expect(drain(q)).to.deep.equal([
        [big, top],
        [big, 0],
        [big, top - 1],
        [big + 1, 1],
      ]);
    });

    it('retain keeps only the kept refs, and pops them in (time, insertion) order', () => {
      const q = make(4);
      // 20 entries, times with many ties, shuffled insertion order.
      const order = [13, 2, 19, 7, 0, 11, 5, 17, 3, 9, 15, 1, 18, 6, 12, 4, 16, 8, 14, 10];
      for (const i of order) q.insert(Math.floor(i / 3) * 10, 1000 + i);
      q.retain((ref) => ref % 2 === 1); // keep odd refs
      expect(q.size).to.equal(10);
      // Within a time, insertion order: 5 before 3, 11 before 9, 17 before 15.
      expect(drain(q)).to.deep.equal([
        [0, 1001],
        [10, 1005],
        [10, 1003],
        [20, 1007],
        [30, 1011],
        [30, 1009],
        [40, 1013],
        [50, 1017],
        [50, 1015],
        [60, 1019],
      ]);
    });

    it('retain calls keep once per entry, and dropping everything / nothing works', () => {
      const q = make();
      for (let i = 0; i < 10; i++) q.insert(i, i);
      const seen: number[] = [];
      q.retain((ref) => {
        seen.push(ref);
        return true;
      });
      expect([...seen].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(q.size).to.equal(10);
      expect(q.peekTime()).to.equal(0);
      q.retain(() => false);
      expect([q.size, q.peekTime()]).to.deep.equal([0, Infinity]);
      // still usable afterwards
      q.insert(3, 42);
      expect(drain(q)).to.deep.equal([[3, 42]]);
    });

    it('pops every entry exactly once, in order, over long random hold runs (entries settle at every depth)', () => {
      // Hold model: keep ~n entries, pop the head, push head + random delay (ties included). A
      // pushed entry is never smaller than the one just popped, so pops must come out strictly
      // increasing in (time, insertion): any entry popped too early shows up as a decrease later.
      for (const [n, range] of sizes) {
        const q = make(8);
        const alive = new Map<number, number>(); // ref → time, the queue's expected contents
        let seed: number = n;
        const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % range;
        let ref = 0;
        const push = (t: number) => {
          q.insert(t, ref);
          alive.set(ref++, t);
        };
        let last: [number, number] = [-1, -1];
        const pop = (): number => {
          const t = q.peekTime();
          const r = q.peekRef();
          expect(alive.get(r), `ref ${r} at n=${n}`).to.equal(t);
          expect(t > last[0] || (t === last[0] && r > last[1]), `(${t}, ${r}) after (${last}) at n=${n}`).to.equal(true);
          last = [t, r];
          alive.delete(r);
          q.removeNext();
          return t;
        };
        for (let i = 0; i < n; i++) push(rnd());
        for (let i = 0; i < 2 * n; i++) {
          push(pop() + rnd());
          if (i === n >> 1 || i === n) {
            const keep = (r: number) => r % 5 !== i % 5;
            q.retain(keep);
            for (const r of [...alive.keys()]) if (!keep(r)) alive.delete(r);
          }
          expect(q.size).to.equal(alive.size);
        }
        while (q.size > 0) pop();
        expect(alive.size).to.equal(0);
      }
    });

    it('after retain, further inserts and removes keep heap order', () => {
      const q = make(2);
      for (let i = 0; i < 50; i++) q.insert((i * 37) % 50, i);
      q.retain((ref) => ref % 3 !== 0);
      q.insert(-1, 500); // becomes the new head
      q.insert(25, 501); // ties with an existing time 25, inserted later
      const popped = drain(q);
      expect(popped.slice(0, 1)).to.deep.equal([[-1, 500]]);
      const at25 = popped.filter(([t]) => t === 25).map(([, r]) => r);
      // ref with time 25: i*37%50 === 25 → i = 25 (25 % 3 !== 0, kept), inserted before 501
      expect(at25).to.deep.equal([25, 501]);
      const times = popped.map(([t]) => t);
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      expect(popped.length).to.equal(1 + 1 + 50 - 17);
    });
  });
}

queueContract('TypedHeapQueue', (cap) => new TypedHeapQueue(cap), [
  [300, 50],
  [3000, 1_000_000],
  [40_000, 1000],
]);
queueContract('SortedArrayQueue (reference)', () => new SortedArrayQueue(), [
  [300, 50],
  [3000, 1_000_000],
]);

describe('TypedHeapQueue vs reference (fast-check)', () => {
  type Op =
    | { op: 'insert'; t: number; ref: number }
    | { op: 'remove' }
    | { op: 'retain'; mod: number; rem: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), t: fc.integer({ min: 0, max: 20 }), ref: fc.nat(REF_SPACE - 1) }) },
    { weight: 3, arbitrary: fc.constant({ op: 'remove' as const }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('retain' as const), mod: fc.integer({ min: 2, max: 5 }), rem: fc.nat(4) }) },
  );

  /**
   * Runs ops on a TypedHeapQueue and the reference and compares every pop. With `seqLimit`, the
   * queue renumbers its sequence numbers whenever they reach it; inserts that would take the
   * queue to seqLimit entries are skipped (on both), since renumbering needs size < seqLimit.
   */
  function compare(ops: Op[], cap: number, seqLimit?: number, horizon?: number): number {
    const heap = new TypedHeapQueue(cap, seqLimit, horizon);
    const ref = new SortedArrayQueue();
    const heapPops: [number, number][] = [];
    const refPops: [number, number][] = [];
    for (const o of ops) {
      if (o.op === 'insert') {
        if (seqLimit !== undefined && ref.size >= seqLimit - 1) continue;
        heap.insert(o.t, o.ref);
        ref.insert(o.t, o.ref);
      } else if (o.op === 'remove') {
        // removeNext on empty is outside the contract; only remove when non-empty.
        if (ref.size === 0) continue;
        heapPops.push([heap.peekTime(), heap.peekRef()]);
        refPops.push([ref.peekTime(), ref.peekRef()]);
        heap.removeNext();
        ref.removeNext();
      } else {
        const keep = (r: number) => r % o.mod !== o.rem;
        heap.retain(keep);
        ref.retain(keep);
      }
      expect(heap.size).to.equal(ref.size);
      expect(heap.peekTime()).to.equal(ref.peekTime());
    }
    heapPops.push(...drain(heap));
    refPops.push(...drain(ref));
    expect(heapPops).to.deep.equal(refPops);
    return heap.renumbers;
  }

  it('pops the same refs in the same order for random insert/remove/retain sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), fc.integer({ min: 1, max: 8 }), (ops, cap) => {
        expect(compare(ops, cap)).to.equal(0);
      }),
      { numRuns: 300 },
    );
  });

  it('still does when a tiny seqLimit forces sequence renumbering again and again', () => {
    let renumbers = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 50, maxLength: 400 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 2, max: 24 }), (ops, cap, limit) => {
        renumbers += compare(ops, cap, limit);
      }),
      { numRuns: 300 },
    );
    expect(renumbers).to.be.greaterThan(300); // the renumbering path really ran, many times
  });
});

describe('TypedHeapQueue far tier vs reference (fast-check)', () => {
  // Entries more than `horizon` after the last pop wait unsorted in the far tier and are swept
  // into the heap when due: pops, ties, retain and renumbering must not notice.
  type Op = { op: 'insert'; t: number; ref: number } | { op: 'remove' } | { op: 'retain'; mod: number; rem: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), t: fc.integer({ min: 0, max: 40 }), ref: fc.nat(REF_SPACE - 1) }) },
    { weight: 3, arbitrary: fc.constant({ op: 'remove' as const }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('retain' as const), mod: fc.integer({ min: 2, max: 5 }), rem: fc.nat(4) }) },
  );
  function run(ops: Op[], horizon: number, seqLimit?: number): void {
    const heap = new TypedHeapQueue(4, seqLimit, horizon);
    const ref = new SortedArrayQueue();
    for (const o of ops) {
      if (o.op === 'insert') {
        if (seqLimit !== undefined && ref.size >= seqLimit - 1) continue;
        heap.insert(o.t, o.ref);
        ref.insert(o.t, o.ref);
      } else if (o.op === 'remove') {
        if (ref.size === 0) continue;
        expect([heap.peekTime(), heap.peekRef()]).to.deep.equal([ref.peekTime(), ref.peekRef()]);
        heap.removeNext();
        ref.removeNext();
      } else {
        const keep = (r: number) => r % o.mod !== o.rem;
        heap.retain(keep);
        ref.retain(keep);
      }
      expect(heap.size).to.equal(ref.size);
    }
    expect(drain(heap)).to.deep.equal(drain(ref));
  }

  it('pops the same refs in the same order, ties included, for any horizon', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 400 }), fc.integer({ min: 1, max: 12 }), (ops, h) => run(ops, h)), { numRuns: 300 });
  });

  it('still does while a tiny seqLimit renumbers heap and far tier together', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 50, maxLength: 400 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2, max: 24 }), (ops, h, limit) => run(ops, h, limit)),
      { numRuns: 300 },
    );
  });

  it('a sweeper drops the entries its owner no longer wants as they come due, and keeps the rest in order', () => {
    const q = new TypedHeapQueue(4, SEQ_LIMIT, 10);
    const dead = new Set<number>();
    const dropped: number[] = [];
    q.setSweeper((ref) => {
      if (!dead.has(ref)) return true;
      dropped.push(ref);
      return false;
    });
    q.insert(1, 99); // near: the head
    for (let r = 0; r < 8; r++) q.insert(100 + (r % 4), r); // far: more than 10 after time 0
    expect(q.size).to.equal(9);
    dead.add(3).add(5); // cancelled by their owner while waiting in the far tier
    expect(drain(q)).to.deep.equal([[1, 99], [100, 0], [100, 4], [101, 1], [102, 2], [102, 6], [103, 7]]);
    expect(dropped.sort()).to.deep.equal([3, 5]);
  });
});

describe('TypedHeapQueue edge cases', () => {
  it('accepts initialCapacity 0 and still grows', () => {
    const q = new TypedHeapQueue(0);
    q.insert(5, 7);
    q.insert(3, 8);
    expect(drain(q)).to.deep.equal([
      [3, 8],
      [5, 7],
    ]);
  });

  it('renumbering keeps FIFO order among equal times, across many renumberings and a growing heap', () => {
    const limit = 16;
    const q = new TypedHeapQueue(2, limit);
    const popped: [number, number][] = [];
    // Keep ~10 entries queued, all at a few coincident times, and push 1000 through.
    let ref = 0;
    for (let i = 0; i < 10; i++) q.insert(100 + (i % 3), ref++);
    while (ref < 1000) {
      popped.push([q.peekTime(), q.peekRef()]);
      q.removeNext();
      q.insert(popped[popped.length - 1]![0] + (ref % 3), ref++);
    }
    popped.push(...drain(q));
    expect(q.renumbers).to.be.greaterThan(100);
    // Reference: the same workload on a queue that never renumbers.
    const r = new SortedArrayQueue();
    const expected: [number, number][] = [];
    ref = 0;
    for (let i = 0; i < 10; i++) r.insert(100 + (i % 3), ref++);
    while (ref < 1000) {
      expected.push([r.peekTime(), r.peekRef()]);
      r.removeNext();
      r.insert(expected[expected.length - 1]![0] + (ref % 3), ref++);
    }
    expected.push(...drain(r));
    expect(popped).to.deep.equal(expected);
  });

  it('rejects refs outside [0, 2^24) instead of corrupting the order', () => {
    const q = new TypedHeapQueue();
    for (const bad of [-1, REF_SPACE, 1.5, NaN, 2 ** 40]) expect(() => q.insert(0, bad), `ref ${bad}`).to.throw(RangeError);
    expect(q.size).to.equal(0);
  });

  it('rejects a seqLimit it cannot honour, and a queue too big for its seqLimit', () => {
    for (const bad of [0, 1, 2.5, SEQ_LIMIT + 1, NaN]) expect(() => new TypedHeapQueue(4, bad), `limit ${bad}`).to.throw(RangeError);
    const q = new TypedHeapQueue(4, 3);
    q.insert(1, 1);
    q.insert(1, 2);
    q.insert(1, 3); // seq 2: last one below the limit
    expect(() => q.insert(1, 4)).to.throw(RangeError); // 3 entries cannot be renumbered below 3
    expect(drain(q)).to.deep.equal([
      [1, 1],
      [1, 2],
      [1, 3],
    ]); // and the failed insert changed nothing
  });
});
