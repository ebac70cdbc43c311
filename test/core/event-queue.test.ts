// chai 6 ships no .d.ts and @types/chai is not installed yet; harmless once it is.
// @ts-ignore TS7016
import { expect } from 'chai';
import fc from 'fast-check';
import { EventQueue, TypedHeapQueue } from '../../sim/core/event-queue.js';

/**
 * Reference implementation: a sorted array, obviously correct, O(n) insert.
 * Entries are kept sorted ascending by (time, seq); the head is index 0.
 */
class SortedArrayQueue implements EventQueue {
  private entries: { t: number; s: number; r: number }[] = [];

  get size(): number {
    return this.entries.length;
  }

  insert(timeUs: number, seq: number, ref: number): void {
    let i = this.entries.length;
    while (i > 0) {
      const e = this.entries[i - 1]!;
      if (e.t < timeUs || (e.t === timeUs && e.s < seq)) break;
      i--;
    }
    this.entries.splice(i, 0, { t: timeUs, s: seq, r: ref });
  }

  peekTime(): number {
    return this.entries.length === 0 ? Infinity : this.entries[0]!.t;
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

function queueContract(name: string, make: Factory): void {
  describe(`EventQueue contract: ${name}`, () => {
    it('is empty at start: size 0, peekTime Infinity', () => {
      const q = make();
      expect(q.size).to.equal(0);
      expect(q.peekTime()).to.equal(Infinity);
    });

    it('pops in time order regardless of insertion order', () => {
      const q = make();
      const times = [50, 10, 40, 30, 20, 0, 60];
      times.forEach((t, i) => q.insert(t, i, 100 + i));
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

    it('breaks ties on time by seq, not by insertion order', () => {
      const q = make();
      q.insert(5, 3, 1);
      q.insert(5, 1, 2);
      q.insert(5, 2, 3);
      q.insert(4, 9, 4);
      q.insert(5, 0, 5);
      expect(drain(q)).to.deep.equal([
        [4, 4],
        [5, 5],
        [5, 2],
        [5, 3],
        [5, 1],
      ]);
    });

    it('peekTime/peekRef report the head and removeNext advances it', () => {
      const q = make();
      q.insert(30, 0, 7);
      expect([q.peekTime(), q.peekRef()]).to.deep.equal([30, 7]);
      q.insert(10, 1, 8);
      expect([q.peekTime(), q.peekRef()]).to.deep.equal([10, 8]);
      q.insert(20, 2, 9);
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
      q.insert(100, 0, 1);
      q.insert(200, 1, 2);
      q.removeNext(); // pops 100
      q.insert(150, 2, 3);
      q.insert(50, 3, 4);
      q.insert(200, 4, 5);
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
      for (let i = 0; i < n; i++) q.insert(n - i, i, i);
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

    it('handles large times (µs over hours) and large seqs exactly', () => {
      const q = make();
      const big = 2 ** 52; // still exact in Float64
      q.insert(big + 1, 1, 1);
      q.insert(big, 2, 2);
      q.insert(big, 1, 3);
      expect(drain(q)).to.deep.equal([
        [big, 3],
        [big, 2],
        [big + 1, 1],
      ]);
    });

    it('retain keeps only the kept refs, and pops them in (time, seq) order', () => {
      const q = make(4);
      // 20 entries, times with many ties, shuffled insertion order.
      const order = [13, 2, 19, 7, 0, 11, 5, 17, 3, 9, 15, 1, 18, 6, 12, 4, 16, 8, 14, 10];
      for (const i of order) q.insert(Math.floor(i / 3) * 10, i, 1000 + i);
      q.retain((ref) => ref % 2 === 1); // keep odd refs
      expect(q.size).to.equal(10);
      expect(drain(q)).to.deep.equal([
        [0, 1001],
        [10, 1003],
        [10, 1005],
        [20, 1007],
        [30, 1009],
        [30, 1011],
        [40, 1013],
        [50, 1015],
        [50, 1017],
        [60, 1019],
      ]);
    });

    it('retain calls keep once per entry, and dropping everything / nothing works', () => {
      const q = make();
      for (let i = 0; i < 10; i++) q.insert(i, i, i);
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
      q.insert(3, 11, 42);
      expect(drain(q)).to.deep.equal([[3, 42]]);
    });

    it('after retain, further inserts and removes keep heap order', () => {
      const q = make(2);
      for (let i = 0; i < 50; i++) q.insert((i * 37) % 50, i, i);
      q.retain((ref) => ref % 3 !== 0);
      q.insert(-1, 100, 500); // becomes the new head
      q.insert(25, -1, 501); // ties with an existing time 25 but lower seq
      const popped = drain(q);
      expect(popped.slice(0, 1)).to.deep.equal([[-1, 500]]);
      const at25 = popped.filter(([t]) => t === 25).map(([, r]) => r);
      // ref with time 25: i*37%50 === 25 → i = 25 (25 % 3 !== 0, kept), seq 25 > -1
      expect(at25).to.deep.equal([501, 25]);
      const times = popped.map(([t]) => t);
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      expect(popped.length).to.equal(1 + 1 + 50 - 17);
    });
  });
}

queueContract('TypedHeapQueue', (cap) => new TypedHeapQueue(cap));
queueContract('SortedArrayQueue (reference)', () => new SortedArrayQueue());

describe('TypedHeapQueue vs reference (fast-check)', () => {
  type Op =
    | { op: 'insert'; t: number; ref: number }
    | { op: 'remove' }
    | { op: 'retain'; mod: number; rem: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), t: fc.integer({ min: 0, max: 20 }), ref: fc.nat(1_000_000) }) },
    { weight: 3, arbitrary: fc.constant({ op: 'remove' as const }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('retain' as const), mod: fc.integer({ min: 2, max: 5 }), rem: fc.nat(4) }) },
  );

  it('pops the same refs in the same order for random insert/remove/retain sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), fc.integer({ min: 1, max: 8 }), (ops, cap) => {
        const heap = new TypedHeapQueue(cap);
        const ref = new SortedArrayQueue();
        const heapPops: [number, number][] = [];
        const refPops: [number, number][] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.op === 'insert') {
            heap.insert(o.t, seq, o.ref);
            ref.insert(o.t, seq, o.ref);
            seq++;
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
      }),
      { numRuns: 300 },
    );
  });
});

describe('TypedHeapQueue edge cases', () => {
  it('accepts initialCapacity 0 and still grows', () => {
    const q = new TypedHeapQueue(0);
    q.insert(5, 0, 7);
    q.insert(3, 1, 8);
    expect(drain(q)).to.deep.equal([
      [3, 8],
      [5, 7],
    ]);
  });
});
