// chai 6 ships no .d.ts and @types/chai is not installed yet; harmless once it is.
// @ts-ignore TS7016
import { expect } from 'chai';
import fc from 'fast-check';
import { Clock, EventHandle } from '../../sim/core/clock.js';

/**
 * Clock.runSlice: a long run in slices of events (so `sipsim run` can show progress and hear
 * Ctrl-C between them) must run exactly what one runUntil runs — same events, order, times,
 * guard — whatever the slice sizes.
 */

interface Spec {
  delay: number;
  children: number[];
  cancel: number[];
}
const specArb: fc.Arbitrary<Spec> = fc.record({
  delay: fc.integer({ min: 0, max: 50 }),
  children: fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 3 }),
  cancel: fc.array(fc.nat(10_000), { maxLength: 2 }),
});
const scheduleArb = fc.record({
  roots: fc.array(specArb, { minLength: 1, maxLength: 60 }),
  until: fc.integer({ min: 0, max: 200 }),
  maxEvents: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
  budgets: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
});

type Outcome = { seen: [number, number][]; status: string; now: number; eventsRun: number; pending: number; slices: number };

/** Runs a self-extending random schedule to `until`, in one runUntil or in slices of `budgets` (cycled). */
function run(spec: { roots: Spec[]; until: number; maxEvents?: number }, budgets?: number[]): Outcome {
  const clock = new Clock(spec.maxEvents !== undefined ? { maxEvents: spec.maxEvents } : {});
  const seen: [number, number][] = [];
  const handles: EventHandle[] = [];
  const specs: Spec[] = [];
  const fire = (id: number): void => {
    seen.push([clock.now, id]);
    const s = specs[id]!;
    // Bounded growth: children only for the first few hundred events.
    if (handles.length < 400) for (const d of s.children) add({ delay: d, children: s.children.slice(1), cancel: s.cancel });
    for (const k of s.cancel) clock.cancel(handles[k % handles.length]!);
  };
  const add = (s: Spec): void => {
    specs.push(s);
    handles.push(clock.schedule(s.delay, fire, handles.length));
  };
  for (const r of spec.roots) add(r);
  let status: string;
  let slices = 0;
  if (!budgets) {
    status = clock.runUntil(spec.until);
  } else {
    for (;;) {
      status = clock.runSlice(spec.until, budgets[slices % budgets.length]!);
      slices++;
      if (status !== 'paused') break;
      // Between slices nothing runs and time stands at the last event's.
      expect(clock.now).to.equal(seen[seen.length - 1]![0]);
    }
  }
  return { seen, status, now: clock.now, eventsRun: clock.eventsRun, pending: clock.pending, slices };
}

describe('Clock.runSlice', () => {
  it('slices of any size run exactly what one runUntil runs: events, order, times, status, guard', () => {
    fc.assert(
      fc.property(scheduleArb, (spec) => {
        const whole = run(spec);
        const sliced = run(spec, spec.budgets);
        const { slices, ...same } = sliced;
        const { slices: _one, ...expected } = whole;
        expect(same).to.deep.equal(expected);
        // It really was cut: a run longer than its first budget took more than one slice.
        if (whole.eventsRun > spec.budgets[0]!) expect(slices).to.be.greaterThan(1);
      }),
      { numRuns: 400 },
    );
  });

  it('pauses after the budget, resumes where it stopped, and ends with "until" at the target time', () => {
    const clock = new Clock();
    const seen: number[] = [];
    for (let i = 1; i <= 5; i++) clock.schedule(i * 10, () => seen.push(clock.now));
    expect(clock.runSlice(100, 2)).to.equal('paused');
    expect([seen, clock.now, clock.eventsRun]).to.deep.equal([[10, 20], 20, 2]);
    expect(clock.runSlice(100, 2)).to.equal('paused');
    expect(clock.runSlice(100, 2)).to.equal('until');
    expect([seen, clock.now, clock.eventsRun]).to.deep.equal([[10, 20, 30, 40, 50], 100, 5]);
  });

  it('the event guard still stops a storm, as "max-events", and a slice never lifts it', () => {
    const clock = new Clock({ maxEvents: 25 });
    const storm = (): void => void (clock.eventsRun < 10_000 && clock.schedule(1, storm));
    clock.schedule(0, storm);
    const statuses: string[] = [];
    for (let i = 0; i < 10; i++) {
      const s = clock.runSlice(1_000_000, 10);
      statuses.push(s);
      if (s !== 'paused') break;
    }
    expect(statuses).to.deep.equal(['paused', 'paused', 'max-events']);
    expect([clock.eventsRun, clock.now]).to.deep.equal([25, 24]);
    // After a slice, runUntil sees the scenario's own guard again (not the slice's end).
    expect(clock.runUntil(1_000_000)).to.equal('max-events');
    expect(clock.eventsRun).to.equal(25);
  });

  it('rejects a budget that is not a positive integer', () => {
    const clock = new Clock();
    for (const b of [0, -1, 1.5, Number.NaN]) expect(() => clock.runSlice(10, b), String(b)).to.throw(/slice of .* events/);
  });
});
