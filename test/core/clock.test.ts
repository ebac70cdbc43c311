// chai 6 ships no .d.ts and @types/chai is not installed yet; harmless once it is.
// @ts-ignore TS7016
import { expect } from 'chai';
import fc from 'fast-check';
import { Clock, EventHandle } from '../../sim/core/clock.js';
import { EventQueue, TypedHeapQueue } from '../../sim/core/event-queue.js';

type Seen = [number, string];

/** A TypedHeapQueue that counts retain() calls, to prove the compaction path actually ran. */
class CountingQueue implements EventQueue {
  readonly inner: TypedHeapQueue;
  retains = 0;
  sizeBeforeRetain: number[] = [];
  constructor(seqLimit?: number) {
    this.inner = new TypedHeapQueue(4, seqLimit);
  }
  get size(): number {
    return this.inner.size;
  }
  insert(t: number, r: number): void {
    this.inner.insert(t, r);
  }
  peekTime(): number {
    return this.inner.peekTime();
  }
  headTime(): number {
    return this.inner.headTime();
  }
  peekRef(): number {
    return this.inner.peekRef();
  }
  removeNext(): void {
    this.inner.removeNext();
  }
  retain(keep: (ref: number) => boolean): void {
    this.retains++;
    this.sizeBeforeRetain.push(this.inner.size);
    this.inner.retain(keep);
  }
}

describe('Clock', () => {
  describe('ordering', () => {
    it('fires events in (time, insertion) order, coincident events in insertion order', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      const log = (label: string) => seen.push([clock.now, label]);
      clock.schedule(300, log, 'c300');
      clock.schedule(100, log, 'a100');
      clock.schedule(200, log, 'b200-1');
      clock.schedule(200, log, 'b200-2');
      clock.at(100, log, 'a100-at');
      clock.schedule(0, log, 'z0');
      clock.schedule(200, log, 'b200-3');
      expect(clock.run()).to.equal('idle');
      expect(seen).to.deep.equal([
        [0, 'z0'],
        [100, 'a100'],
        [100, 'a100-at'],
        [200, 'b200-1'],
        [200, 'b200-2'],
        [200, 'b200-3'],
        [300, 'c300'],
      ]);
      expect(clock.now).to.equal(300);
      expect(clock.eventsRun).to.equal(7);
    });

    it('advances now to each event’s own time before running it, and delays are relative to that', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      clock.schedule(1_000, () => {
        seen.push([clock.now, 'outer']);
        clock.schedule(500, () => seen.push([clock.now, 'inner+500']));
        clock.at(1_200, () => seen.push([clock.now, 'inner@1200']));
      });
      clock.schedule(1_400, () => seen.push([clock.now, 'other@1400']));
      clock.run();
      expect(seen).to.deep.equal([
        [1_000, 'outer'],
        [1_200, 'inner@1200'],
        [1_400, 'other@1400'],
        [1_500, 'inner+500'],
      ]);
    });

    it('schedule(0) from a callback runs after events already queued at the same time', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      clock.schedule(10, () => {
        seen.push([clock.now, 'first']);
        clock.schedule(0, () => {
          seen.push([clock.now, 'zero-delay']);
          clock.schedule(0, () => seen.push([clock.now, 'zero-delay-2']));
        });
      });
      clock.schedule(10, () => seen.push([clock.now, 'second']));
      clock.schedule(10, () => seen.push([clock.now, 'third']));
      clock.schedule(11, () => seen.push([clock.now, 'later']));
      clock.run();
      expect(seen).to.deep.equal([
        [10, 'first'],
        [10, 'second'],
        [10, 'third'],
        [10, 'zero-delay'],
        [10, 'zero-delay-2'],
        [11, 'later'],
      ]);
    });

    it('passes arg and exposes the owner of the running event', () => {
      const clock = new Clock();
      const seen: [number, unknown, string | undefined][] = [];
      const fn = (arg: unknown) => seen.push([clock.now, arg, clock.currentOwner]);
      clock.schedule(5, fn, { n: 1 }, 'alice');
      clock.schedule(6, fn, 'x');
      clock.schedule(7, fn, 42, 'sip1');
      clock.run();
      expect(seen).to.deep.equal([
        [5, { n: 1 }, 'alice'],
        [6, 'x', undefined],
        [7, 42, 'sip1'],
      ]);
    });

    it('an event that reschedules itself keeps going until it stops', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      const tick = (n: number) => {
        seen.push([clock.now, `tick${n}`]);
        if (n < 4) clock.schedule(250, tick, n + 1);
      };
      clock.schedule(0, tick, 0);
      expect(clock.run()).to.equal('idle');
      expect(seen).to.deep.equal([
        [0, 'tick0'],
        [250, 'tick1'],
        [500, 'tick2'],
        [750, 'tick3'],
        [1000, 'tick4'],
      ]);
      expect(clock.pending).to.equal(0);
    });

    it('step runs exactly one event and returns false when none is left; peek skips cancelled heads', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      const h = clock.schedule(5, () => seen.push([clock.now, 'cancelled']));
      clock.schedule(7, () => seen.push([clock.now, 'a']));
      clock.schedule(9, () => seen.push([clock.now, 'b']));
      clock.cancel(h);
      expect(clock.peek()).to.equal(7);
      expect(clock.step()).to.equal(true);
      expect(seen).to.deep.equal([[7, 'a']]);
      expect(clock.step()).to.equal(true);
      expect(clock.step()).to.equal(false);
      expect(clock.peek()).to.equal(Infinity);
      expect(seen).to.deep.equal([
        [7, 'a'],
        [9, 'b'],
      ]);
    });
  });

  describe('cancel / isPending / pending', () => {
    it('cancel stops an event from running; isPending and pending track it', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      const a = clock.schedule(10, () => seen.push([clock.now, 'a']));
      const b = clock.schedule(20, () => seen.push([clock.now, 'b']));
      const c = clock.schedule(30, () => seen.push([clock.now, 'c']));
      expect([clock.isPending(a), clock.isPending(b), clock.isPending(c), clock.pending]).to.deep.equal([true, true, true, 3]);
      clock.cancel(b);
      expect([clock.isPending(a), clock.isPending(b), clock.isPending(c), clock.pending]).to.deep.equal([true, false, true, 2]);
      clock.run();
      expect(seen).to.deep.equal([
        [10, 'a'],
        [30, 'c'],
      ]);
      expect([clock.isPending(a), clock.isPending(c), clock.pending]).to.deep.equal([false, false, 0]);
    });

    it('cancelling a never-set (0), cancelled or expired handle is a no-op', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      expect(clock.isPending(0)).to.equal(false);
      clock.cancel(0);
      const a = clock.schedule(1, () => seen.push([clock.now, 'a']));
      const b = clock.schedule(2, () => seen.push([clock.now, 'b']));
      clock.cancel(b);
      clock.cancel(b); // double cancel
      expect(clock.pending).to.equal(1);
      clock.run();
      clock.cancel(a); // expired
      clock.cancel(0);
      expect(clock.pending).to.equal(0);
      // Nonsense handles too.
      for (const h of [-1, 1.5, 2 ** 40, NaN]) {
        expect(clock.isPending(h)).to.equal(false);
        clock.cancel(h);
      }
      // Clock still consistent afterwards.
      clock.schedule(5, () => seen.push([clock.now, 'c']));
      expect(clock.pending).to.equal(1);
      clock.run();
      expect(seen).to.deep.equal([
        [1, 'a'],
        [6, 'c'],
      ]);
      expect(clock.pending).to.equal(0);
    });

    it('a stale handle does not cancel a new event that reuses its slot (generation check)', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      // Cancelled handle, slot reused.
      const old1 = clock.schedule(10, () => seen.push([clock.now, 'old1']));
      clock.cancel(old1);
      const new1 = clock.schedule(10, () => seen.push([clock.now, 'new1']));
      expect(clock.isPending(old1)).to.equal(false);
      expect(clock.isPending(new1)).to.equal(true);
      clock.cancel(old1);
      expect(clock.isPending(new1)).to.equal(true);
      // Expired handle, slot reused.
      let old2: EventHandle = 0;
      old2 = clock.schedule(20, () => {
        seen.push([clock.now, 'old2']);
        expect(clock.isPending(old2)).to.equal(false); // already not pending while running
        const new2 = clock.schedule(5, () => seen.push([clock.now, 'new2']));
        clock.cancel(old2); // stale: must not hit new2
        expect(clock.isPending(new2)).to.equal(true);
      });
      clock.run();
      clock.cancel(old1);
      clock.cancel(old2);
      expect(seen).to.deep.equal([
        [10, 'new1'],
        [20, 'old2'],
        [25, 'new2'],
      ]);
    });

    it('an event can cancel a later event and one at the same time', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      let later: EventHandle = 0;
      let sameTime: EventHandle = 0;
      clock.schedule(10, () => {
        seen.push([clock.now, 'killer']);
        clock.cancel(later);
        clock.cancel(sameTime);
      });
      sameTime = clock.schedule(10, () => seen.push([clock.now, 'same-time']));
      later = clock.schedule(50, () => seen.push([clock.now, 'later']));
      clock.schedule(60, () => seen.push([clock.now, 'survivor']));
      clock.run();
      expect(seen).to.deep.equal([
        [10, 'killer'],
        [60, 'survivor'],
      ]);
    });

    it('cancelling more than half of a large heap (> 64) compacts and keeps the live events in order', () => {
      const queue = new CountingQueue();
      const clock = new Clock({ queue });
      const seen: Seen[] = [];
      const log = (label: string) => seen.push([clock.now, label]);
      const handles: EventHandle[] = [];
      for (let i = 0; i < 200; i++) handles.push(clock.schedule(1000 + (i % 10) * 10, log, `e${i}`));
      // Cancel every event except those with i % 8 === 3.
      const survivors: number[] = [];
      for (let i = 0; i < 200; i++) {
        if (i % 8 === 3) survivors.push(i);
        else clock.cancel(handles[i]!);
      }
      expect(queue.retains).to.be.greaterThan(0); // the compaction path ran
      expect(queue.size).to.be.lessThan(200); // and actually dropped dead entries
      expect(clock.pending).to.equal(survivors.length);
      for (let i = 0; i < 200; i++) expect(clock.isPending(handles[i]!)).to.equal(i % 8 === 3);
      // Schedule more after compaction: slots get reused, must interleave correctly.
      const extra = clock.schedule(1035, log, 'extra');
      clock.schedule(999, log, 'first');
      clock.cancel(handles[0]!); // stale, no-op
      expect(clock.pending).to.equal(survivors.length + 2);
      clock.run();
      const expected: Seen[] = [[999, 'first']];
      const live = survivors.map((i) => [1000 + (i % 10) * 10, `e${i}`] as Seen);
      live.push([1035, 'extra']);
      // Stable sort by time = insertion order within a time.
      expected.push(...live.map((e, k) => [e, k] as const).sort((x, y) => x[0][0] - y[0][0] || x[1] - y[1]).map(([e]) => e));
      expect(seen).to.deep.equal(expected);
      expect(clock.isPending(extra)).to.equal(false);
      expect(clock.pending).to.equal(0);
    });

    it('compaction triggered from inside a running callback leaves the rest in order', () => {
      const queue = new CountingQueue();
      const clock = new Clock({ queue });
      const seen: Seen[] = [];
      const log = (label: string) => seen.push([clock.now, label]);
      const handles: EventHandle[] = [];
      clock.schedule(1, () => {
        seen.push([clock.now, 'canceller']);
        for (let i = 0; i < 100; i++) if (i % 10 !== 0) clock.cancel(handles[i]!);
      });
      for (let i = 0; i < 100; i++) handles.push(clock.schedule(100 - i, log, `e${i}`));
      clock.run();
      expect(queue.retains).to.be.greaterThan(0);
      // i % 10 === 0 → i = 0,10,...,90 at times 100,90,...,10 → fired in ascending time.
      // e99 fires at t=1 too but was inserted after the canceller; it is cancelled (99 % 10 !== 0).
      expect(seen).to.deep.equal([
        [1, 'canceller'],
        [10, 'e90'],
        [20, 'e80'],
        [30, 'e70'],
        [40, 'e60'],
        [50, 'e50'],
        [60, 'e40'],
        [70, 'e30'],
        [80, 'e20'],
        [90, 'e10'],
        [100, 'e0'],
      ]);
    });
  });

  describe('runUntil', () => {
    it('runs events ≤ t, leaves later ones queued, sets now = t, and is resumable', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      const log = (label: string) => seen.push([clock.now, label]);
      clock.schedule(100, log, 'a');
      clock.schedule(200, log, 'b');
      clock.schedule(201, log, 'c');
      clock.schedule(500, log, 'd');
      expect(clock.runUntil(200)).to.equal('until');
      expect(seen).to.deep.equal([
        [100, 'a'],
        [200, 'b'],
      ]);
      expect(clock.now).to.equal(200);
      expect(clock.pending).to.equal(2);
      // Schedules relative to the new now.
      clock.schedule(50, log, 'e'); // at 250
      expect(clock.runUntil(300)).to.equal('until');
      expect(clock.now).to.equal(300);
      expect(clock.runUntil(300)).to.equal('until'); // t === now is fine
      expect(clock.runUntil(10_000)).to.equal('until');
      expect(clock.now).to.equal(10_000); // advances past the last event
      expect(seen).to.deep.equal([
        [100, 'a'],
        [200, 'b'],
        [201, 'c'],
        [250, 'e'],
        [500, 'd'],
      ]);
      expect(clock.pending).to.equal(0);
    });

    it('runUntil with no events just advances now', () => {
      const clock = new Clock();
      expect(clock.runUntil(1_000_000)).to.equal('until');
      expect(clock.now).to.equal(1_000_000);
      expect(clock.eventsRun).to.equal(0);
    });

    it('runUntil(t) with t < now throws "Cannot run until…"', () => {
      const clock = new Clock();
      clock.runUntil(100);
      expect(() => clock.runUntil(99)).to.throw(/^Cannot run until 99 µs/);
      expect(clock.now).to.equal(100);
    });

    it('runUntil rejects NaN / non-integer times', () => {
      const clock = new Clock();
      expect(() => clock.runUntil(NaN)).to.throw(/^Cannot run until/);
      expect(() => clock.runUntil(1.5)).to.throw(/^Cannot run until/);
      expect(clock.now).to.equal(0);
    });
  });

  describe('argument validation', () => {
    it('negative and non-integer delays throw "Cannot schedule event: …"', () => {
      const clock = new Clock();
      const noop = () => {};
      for (const d of [-1, -1_000_000, 0.5, 1.0001, NaN, Infinity, -Infinity, 2 ** 53]) {
        expect(() => clock.schedule(d, noop), `delay ${d}`).to.throw(/^Cannot schedule event: /);
      }
      expect(clock.pending).to.equal(0);
    });

    it('at() in the past or at a non-integer time throws "Cannot schedule event: …"; at(now) is fine', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      clock.runUntil(1_000);
      expect(() => clock.at(999, () => {})).to.throw(/^Cannot schedule event: time 999 µs is before now/);
      expect(() => clock.at(1_000.5, () => {})).to.throw(/^Cannot schedule event: /);
      expect(() => clock.at(NaN, () => {})).to.throw(/^Cannot schedule event: /);
      clock.at(1_000, () => seen.push([clock.now, 'at-now']));
      clock.run();
      expect(seen).to.deep.equal([[1_000, 'at-now']]);
    });
  });

  describe('maxEvents guard', () => {
    it('run() returns "max-events" for a self-rescheduling storm instead of hanging', () => {
      const clock = new Clock({ maxEvents: 1000 });
      let count = 0;
      const storm = () => {
        count++;
        // Safety valve so a broken guard fails this test instead of hanging the suite.
        if (count < 100_000) clock.schedule(0, storm);
      };
      clock.schedule(0, storm);
      expect(clock.run()).to.equal('max-events');
      expect([count, clock.eventsRun, clock.now, clock.pending]).to.deep.equal([1000, 1000, 0, 1]);
      // Guard is sticky: further runs stop immediately too.
      expect(clock.run()).to.equal('max-events');
      expect(count).to.equal(1000);
    });

    it('runUntil() also returns "max-events" and does not advance now to t', () => {
      const clock = new Clock({ maxEvents: 50 });
      const storm = () => clock.eventsRun < 100_000 && clock.schedule(1, storm);
      clock.schedule(0, storm);
      expect(clock.runUntil(1_000_000)).to.equal('max-events');
      expect([clock.eventsRun, clock.now]).to.deep.equal([50, 49]);
    });

    it('exactly maxEvents events complete with "idle"', () => {
      const clock = new Clock({ maxEvents: 3 });
      const seen: Seen[] = [];
      for (let i = 0; i < 3; i++) clock.schedule(i, () => seen.push([clock.now, `e${i}`]));
      expect(clock.run()).to.equal('idle');
      expect(seen.length).to.equal(3);
    });

    it('cancelled events count for nothing: the guard stops only before a live event', () => {
      // The run loop drops cancelled heads itself; one left at the guard must not read as a storm.
      const clock = new Clock({ maxEvents: 2 });
      const seen: Seen[] = [];
      const fire = (name: string) => () => seen.push([clock.now, name]);
      clock.schedule(1, fire('a'));
      const b = clock.schedule(2, fire('b'));
      clock.schedule(3, fire('c'));
      const d = clock.schedule(4, fire('d'));
      clock.schedule(9, fire('late'));
      clock.cancel(b);
      clock.cancel(d);
      expect(clock.runUntil(5)).to.equal('until');
      expect([seen, clock.eventsRun, clock.now, clock.pending]).to.deep.equal([[[1, 'a'], [3, 'c']], 2, 5, 1]);
      // Only now is a live event (at 9) waiting beyond the guard.
      expect(clock.runUntil(10)).to.equal('max-events');
      expect([seen.length, clock.now, clock.pending]).to.deep.equal([2, 5, 1]);
    });
  });

  describe('properties (fast-check)', () => {
    // A random static schedule: each event has a delay; a subset is cancelled up front.
    const staticArb = fc.array(fc.record({ delay: fc.integer({ min: 0, max: 30 }), cancel: fc.boolean() }), { maxLength: 300 });

    it('static schedules: non-cancelled events fire exactly once, in stable (time, insertion) order', () => {
      fc.assert(
        fc.property(staticArb, (events) => {
          const clock = new Clock();
          const seen: Seen[] = [];
          const log = (label: string) => seen.push([clock.now, label]);
          const handles = events.map((e, i) => clock.schedule(e.delay, log, `e${i}`));
          events.forEach((e, i) => e.cancel && clock.cancel(handles[i]!));
          const live = events.map((e, i) => ({ ...e, i })).filter((e) => !e.cancel);
          expect(clock.pending).to.equal(live.length);
          expect(clock.run()).to.equal('idle');
          const expected = live
            .sort((a, b) => a.delay - b.delay || a.i - b.i)
            .map((e) => [e.delay, `e${e.i}`] as Seen);
          expect(seen).to.deep.equal(expected);
          expect(clock.pending).to.equal(0);
        }),
        { numRuns: 300 },
      );
    });

    // A random dynamic schedule: events spawn children and cancel other (arbitrary) events while running.
    interface Spec {
      delay: number;
      children: { delay: number }[];
      cancels: number[]; // indices into the global handle table, mod its length
    }
    const specArb: fc.Arbitrary<Spec> = fc.record({
      delay: fc.integer({ min: 0, max: 20 }),
      children: fc.array(fc.record({ delay: fc.integer({ min: 0, max: 20 }) }), { maxLength: 3 }),
      cancels: fc.array(fc.nat(10_000), { maxLength: 2 }),
    });
    const dynArb = fc.record({
      roots: fc.array(specArb, { minLength: 1, maxLength: 60 }),
      upfrontCancels: fc.array(fc.nat(10_000), { maxLength: 40 }),
    });

    /** Runs a dynamic schedule; returns the (time, id) sequence and bookkeeping. */
    function runDynamic(spec: { roots: Spec[]; upfrontCancels: number[] }) {
      const clock = new Clock();
      const seen: [number, number][] = [];
      const handles: EventHandle[] = [];
      const due: number[] = []; // scheduled time per id
      const cancelledWhilePending = new Set<number>();
      const specs: Spec[] = [];
      const cancelId = (id: number) => {
        if (clock.isPending(handles[id]!)) cancelledWhilePending.add(id);
        clock.cancel(handles[id]!);
      };
      const fire = (id: number) => {
        seen.push([clock.now, id]);
        const s = specs[id]!;
        for (const c of s.children) add({ delay: c.delay, children: [], cancels: s.cancels });
        for (const k of s.cancels) cancelId(k % handles.length);
      };
      const add = (s: Spec) => {
        const id = handles.length;
        specs.push(s);
        due.push(clock.now + s.delay);
        handles.push(clock.schedule(s.delay, fire, id));
      };
      for (const r of spec.roots) add(r);
      for (const k of spec.upfrontCancels) cancelId(k % handles.length);
      expect(clock.run()).to.equal('idle');
      return { seen, due, cancelledWhilePending, total: handles.length, clock };
    }

    it('dynamic schedules: observed times are non-decreasing, each live event runs exactly once at its time', () => {
      fc.assert(
        fc.property(dynArb, (spec) => {
          const { seen, due, cancelledWhilePending, total, clock } = runDynamic(spec);
          for (let k = 1; k < seen.length; k++) expect(seen[k]![0]).to.be.at.least(seen[k - 1]![0]);
          const runs = new Map<number, number>();
          for (const [t, id] of seen) {
            expect(t).to.equal(due[id]);
            runs.set(id, (runs.get(id) ?? 0) + 1);
          }
          for (let id = 0; id < total; id++) {
            const expected = cancelledWhilePending.has(id) ? 0 : 1;
            expect(runs.get(id) ?? 0, `event ${id}`).to.equal(expected);
          }
          expect(clock.pending).to.equal(0);
          expect(clock.eventsRun).to.equal(seen.length);
        }),
        { numRuns: 300 },
      );
    });

    it('determinism: the same random schedule run twice gives identical (time, id) sequences', () => {
      fc.assert(
        fc.property(dynArb, (spec) => {
          const a = runDynamic(spec);
          const b = runDynamic(spec);
          expect(b.seen).to.deep.equal(a.seen);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('slot reservation and sequence renumbering', () => {
    it('schedule/cancel churn keeps the heap bounded: cancelled entries do not leak', () => {
      const queue = new CountingQueue();
      const clock = new Clock({ queue });
      const seen: Seen[] = [];
      const live: EventHandle[] = [];
      for (let i = 0; i < 5; i++) live.push(clock.schedule(1_000_000 + i, () => seen.push([clock.now, `live${i}`])));
      let maxSize = 0;
      for (let i = 0; i < 20_000; i++) {
        const h = clock.schedule(500 + (i % 7), () => seen.push([clock.now, 'cancelled']));
        clock.cancel(h);
        maxSize = Math.max(maxSize, queue.size);
      }
      expect(queue.retains).to.be.greaterThan(100);
      expect(maxSize).to.be.at.most(2 * 5 + 66); // dead ≤ half the heap, plus the 64 slack
      expect(clock.pending).to.equal(5);
      expect(live.every((h) => clock.isPending(h))).to.equal(true);
      clock.run();
      expect(seen.map(([, l]) => l)).to.deep.equal(['live0', 'live1', 'live2', 'live3', 'live4']);
    });

    it('a cancelled event whose entry is still queued does not lend its slot to a stale handle', () => {
      const clock = new Clock();
      const seen: Seen[] = [];
      const a = clock.schedule(10, () => seen.push([clock.now, 'a']));
      clock.cancel(a);
      // Many schedules while a's dead entry is still in the heap: none may be hit by cancel(a).
      const others = Array.from({ length: 10 }, (_, i) => clock.schedule(5 + i, () => seen.push([clock.now, `o${i}`])));
      clock.cancel(a);
      expect(others.every((h) => clock.isPending(h))).to.equal(true);
      clock.run(); // pops a's dead entry at 10, frees its slot
      const b = clock.schedule(1, () => seen.push([clock.now, 'b']));
      clock.cancel(a); // stale, even if b now has a's slot
      expect(clock.isPending(b)).to.equal(true);
      clock.run();
      expect(seen.map(([, l]) => l)).to.deep.equal(['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9', 'b']);
    });

    it('SIP-like churn at scale (30,000 phones, Timer F armed and cancelled per request): exact order, no cancelled timer fires', () => {
      // Every event carries (due time, insertion stamp). A new event is never before now and its
      // stamp is the largest so far, so events must run strictly increasing in (time, stamp):
      // any event run too early shows up as a decrease later. The heap exceeds 2^14 entries.
      const clock = new Clock();
      let stamp = 0;
      let last: [number, number] = [-1, -1];
      let seed = 7;
      const rnd = (m: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % m;
      interface Phone { timerF: EventHandle; replies: number }
      interface Ev { phone: Phone; due: number; stamp: number }
      const errors: string[] = []; // plain checks: chai per event would take seconds
      const check = (e: Ev) => {
        const inOrder = clock.now > last[0] || (clock.now === last[0] && e.stamp > last[1]);
        if (clock.now !== e.due || !inOrder) errors.push(`(${clock.now}, ${e.stamp}) due ${e.due}, after (${last})`);
        last = [clock.now, e.stamp];
      };
      const at = (delay: number, fn: (e: Ev) => void, phone: Phone): EventHandle =>
        clock.schedule(delay, fn, { phone, due: clock.now + delay, stamp: stamp++ });
      const timerF = () => errors.push(`Timer F fired at ${clock.now} µs although every request got a reply`);
      const request = (e: Ev) => {
        check(e);
        e.phone.timerF = at(32_000_000, timerF, e.phone);
        at(1000 + rnd(20) * 1000, reply, e.phone); // coarse delays: many coincident events
      };
      const reply = (e: Ev) => {
        check(e);
        if (!clock.isPending(e.phone.timerF)) errors.push(`Timer F of a phone not pending at ${clock.now}`);
        clock.cancel(e.phone.timerF);
        e.phone.replies++;
        at(rnd(50) * 1000, request, e.phone);
      };
      const phones: Phone[] = Array.from({ length: 30_000 }, () => ({ timerF: 0, replies: 0 }));
      for (const p of phones) at(rnd(100) * 1000, request, p);
      for (let i = 0; i < 300_000; i++) clock.step();
      expect(errors.slice(0, 5)).to.deep.equal([]);
      expect(clock.eventsRun).to.equal(300_000);
      // Per phone: a request, or a reply and its Timer F.
      expect(clock.pending).to.equal(30_000 + phones.filter((p) => clock.isPending(p.timerF)).length);
      expect(phones.reduce((n, p) => n + p.replies, 0)).to.be.greaterThan(100_000);
    });

    // Tickers reschedule themselves with small delays (many coincident times) and cancel each
    // other; run once on a queue whose sequence numbers must be renumbered every few inserts,
    // once on a default queue. Same (time, label) sequence = renumbering kept the order.
    function runTickers(spec: { delays: number[]; cancelEvery: number }, seqLimit?: number) {
      const queue = new CountingQueue(seqLimit);
      const clock = new Clock({ queue, maxEvents: 3_000 });
      const seen: Seen[] = [];
      const handles: EventHandle[] = [];
      let fired = 0;
      const tick = (k: number) => {
        seen.push([clock.now, `t${k}`]);
        handles[k] = clock.schedule(spec.delays[k]!, tick, k, `owner${k}`);
        if (++fired % spec.cancelEvery === 0) {
          const victim = (k + 1) % spec.delays.length;
          clock.cancel(handles[victim]!);
          handles[victim] = clock.schedule(spec.delays[victim]! + 1, tick, victim, `owner${victim}`);
        }
      };
      spec.delays.forEach((d, k) => (handles[k] = clock.schedule(d, tick, k)));
      expect(clock.run()).to.equal('max-events');
      return { seen, renumbers: queue.inner.renumbers, pending: clock.pending };
    }

    it('renumbering sequence numbers mid-run keeps (time, insertion) order (small injected seqLimit)', () => {
      let renumbers = 0;
      fc.assert(
        fc.property(
          fc.record({ delays: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 }), cancelEvery: fc.integer({ min: 1, max: 7 }) }),
          (spec) => {
            // Heap ≤ tickers + dead entries (≤ 64 + half the heap): 2·12 + 66 < 100.
            const small = runTickers(spec, 100);
            const plain = runTickers(spec);
            expect(plain.renumbers).to.equal(0);
            expect(small.seen).to.deep.equal(plain.seen);
            expect(small.pending).to.equal(plain.pending);
            renumbers += small.renumbers;
          },
        ),
        { numRuns: 100 },
      );
      expect(renumbers).to.be.greaterThan(1_000);
    });
  });
});
