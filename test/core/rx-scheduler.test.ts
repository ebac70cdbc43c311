// chai 6 ships no .d.ts and @types/chai is not installed yet; harmless once it is.
// @ts-ignore TS7016
import { expect } from 'chai';
import { NEVER, Subject, SchedulerAction, delay, interval, of, take, timeout, timer } from 'rxjs';
import { Clock } from '../../sim/core/clock.js';
import { ClockScheduler } from '../../sim/core/rx-scheduler.js';
import { Trace, TraceEvent } from '../../sim/core/trace.js';

type Seen = [number, string];

function setup() {
  const clock = new Clock();
  const scheduler = new ClockScheduler(clock);
  const seen: Seen[] = [];
  return { clock, scheduler, seen };
}

describe('ClockScheduler (rxjs in virtual time)', () => {
  it('now() is the clock time in milliseconds', () => {
    const { clock, scheduler } = setup();
    expect(scheduler.now()).to.equal(0);
    clock.runUntil(1_500_250);
    expect(scheduler.now()).to.equal(1500.25);
  });

  it('timer(1500) emits at virtual 1.5 s, then completes; nothing left on the clock', () => {
    const { clock, scheduler, seen } = setup();
    timer(1500, scheduler).subscribe({
      next: (v) => seen.push([clock.now, `next ${v}`]),
      complete: () => seen.push([clock.now, 'complete']),
    });
    expect(seen).to.deep.equal([]); // nothing synchronous
    expect(clock.run()).to.equal('idle');
    expect(seen).to.deep.equal([
      [1_500_000, 'next 0'],
      [1_500_000, 'complete'],
    ]);
    expect(clock.now).to.equal(1_500_000);
    expect(clock.pending).to.equal(0);
  });

  it('interval(1000).pipe(take(3)) emits at 1, 2, 3 s and leaves no timer behind', () => {
    const { clock, scheduler, seen } = setup();
    interval(1000, scheduler)
      .pipe(take(3))
      .subscribe({
        next: (v) => seen.push([clock.now, `next ${v}`]),
        complete: () => seen.push([clock.now, 'complete']),
      });
    expect(clock.run()).to.equal('idle');
    expect(seen).to.deep.equal([
      [1_000_000, 'next 0'],
      [2_000_000, 'next 1'],
      [3_000_000, 'next 2'],
      [3_000_000, 'complete'],
    ]);
    // If the periodic action had been re-armed after take(3) completed, the clock would have
    // advanced to 4 s running a dead event.
    expect(clock.now).to.equal(3_000_000);
    expect(clock.pending).to.equal(0);
  });

  it('of(1).pipe(delay(250)) emits at 0.25 s', () => {
    const { clock, scheduler, seen } = setup();
    of(1)
      .pipe(delay(250, scheduler))
      .subscribe({
        next: (v) => seen.push([clock.now, `next ${v}`]),
        complete: () => seen.push([clock.now, 'complete']),
      });
    clock.run();
    expect(seen).to.deep.equal([
      [250_000, 'next 1'],
      [250_000, 'complete'],
    ]);
  });

  it('converts fractional ms to integer µs (0.25 ms → 250 µs)', () => {
    const { clock, scheduler, seen } = setup();
    scheduler.schedule(() => seen.push([clock.now, 'work']), 0.25);
    scheduler.schedule(() => seen.push([clock.now, 'zero']));
    clock.run();
    expect(seen).to.deep.equal([
      [0, 'zero'],
      [250, 'work'],
    ]);
  });

  it('timeout({ first: 2000 }) on NEVER errors at 2 s', () => {
    const { clock, scheduler, seen } = setup();
    NEVER.pipe(timeout({ first: 2000, scheduler })).subscribe({
      next: () => seen.push([clock.now, 'next']),
      error: (e: Error) => seen.push([clock.now, `error ${e.name}`]),
    });
    clock.run();
    expect(seen).to.deep.equal([[2_000_000, 'error TimeoutError']]);
    expect(clock.pending).to.equal(0);
  });

  it('timeout({ first: 2000 }) on a Subject errors at 2 s when nothing arrives', () => {
    const { clock, scheduler, seen } = setup();
    const src = new Subject<string>();
    src.pipe(timeout({ first: 2000, scheduler })).subscribe({
      next: (v) => seen.push([clock.now, `next ${v}`]),
      error: (e: Error) => seen.push([clock.now, `error ${e.name}`]),
    });
    clock.schedule(2_000_001, () => src.next('too late'));
    clock.run();
    expect(seen).to.deep.equal([[2_000_000, 'error TimeoutError']]);
  });

  it('timeout({ first: 2000 }) does not error when the value arrives at 1 s, and its timer is cancelled', () => {
    const { clock, scheduler, seen } = setup();
    const src = new Subject<string>();
    src.pipe(timeout({ first: 2000, scheduler })).subscribe({
      next: (v) => seen.push([clock.now, `next ${v}`]),
      error: (e: Error) => seen.push([clock.now, `error ${e.name}`]),
    });
    clock.schedule(1_000_000, () => src.next('hello'));
    clock.run();
    expect(seen).to.deep.equal([[1_000_000, 'next hello']]);
    // The 2 s timeout event was cancelled on the clock, not just ignored when it fired.
    expect(clock.now).to.equal(1_000_000);
    expect(clock.pending).to.equal(0);
  });

  it('unsubscribing before a timer fires cancels it on the clock', () => {
    const { clock, scheduler, seen } = setup();
    const sub = timer(1000, scheduler).subscribe(() => seen.push([clock.now, 'fired']));
    expect(clock.pending).to.equal(1);
    clock.schedule(500_000, () => {
      seen.push([clock.now, 'unsubscribe']);
      sub.unsubscribe();
      expect(clock.pending).to.equal(0);
    });
    clock.run();
    expect(seen).to.deep.equal([[500_000, 'unsubscribe']]);
    expect(clock.now).to.equal(500_000); // the 1 s event never ran
    expect(clock.pending).to.equal(0);
  });

  it('unsubscribing synchronously leaves nothing pending', () => {
    const { clock, scheduler, seen } = setup();
    const subs = [
      timer(1000, scheduler).subscribe(() => seen.push([clock.now, 'timer'])),
      interval(10, scheduler).subscribe(() => seen.push([clock.now, 'interval'])),
      of(1).pipe(delay(5, scheduler)).subscribe(() => seen.push([clock.now, 'delay'])),
    ];
    expect(clock.pending).to.equal(3);
    subs.forEach((s) => s.unsubscribe());
    expect(clock.pending).to.equal(0);
    expect(clock.run()).to.equal('idle');
    expect([seen, clock.now]).to.deep.equal([[], 0]);
  });

  it('re-arming a pending action moves it (fires once, at the new time)', () => {
    const { clock, scheduler, seen } = setup();
    const action = scheduler.schedule(() => seen.push([clock.now, 'work']), 1000) as SchedulerAction<unknown>;
    action.schedule(undefined, 300);
    expect(clock.pending).to.equal(1);
    clock.run();
    expect(seen).to.deep.equal([[300_000, 'work']]);
  });

  it('a closed action cannot be re-armed', () => {
    const { clock, scheduler, seen } = setup();
    const action = scheduler.schedule(() => seen.push([clock.now, 'work']), 100) as SchedulerAction<unknown>;
    action.unsubscribe();
    action.schedule(undefined, 50);
    expect(clock.pending).to.equal(0);
    clock.run();
    expect(seen).to.deep.equal([]);
  });

  it('rxjs timers interleave with plain clock events in (time, insertion) order', () => {
    const { clock, scheduler, seen } = setup();
    clock.schedule(1_000_000, () => seen.push([clock.now, 'clock@1s (first)']));
    timer(1000, scheduler).subscribe(() => seen.push([clock.now, 'rx timer@1s']));
    clock.schedule(1_000_000, () => seen.push([clock.now, 'clock@1s (last)']));
    clock.schedule(999_999, () => seen.push([clock.now, 'clock@<1s']));
    clock.run();
    expect(seen).to.deep.equal([
      [999_999, 'clock@<1s'],
      [1_000_000, 'clock@1s (first)'],
      [1_000_000, 'rx timer@1s'],
      [1_000_000, 'clock@1s (last)'],
    ]);
  });
});

describe('Trace', () => {
  it('publishes synchronously on events$ and stamps t from the clock', () => {
    const clock = new Clock();
    const trace = new Trace(() => clock.now, { keep: true });
    const seen: Seen[] = [];
    trace.events$.subscribe((e: TraceEvent) => {
      seen.push([e.t, `sub ${e.kind}:${e.kind === 'scenario.action' ? e.action : ''} records=${trace.records.length}`]);
    });
    clock.schedule(1_500_000, () => {
      trace.emit({ kind: 'scenario.action', action: 'partition', detail: 'alice|sip1' });
      seen.push([clock.now, 'after emit']);
    });
    clock.schedule(2_000_001, () => trace.emit({ kind: 'scenario.action', action: 'heal', detail: '' }));
    trace.emit({ kind: 'scenario.action', action: 'start', detail: '' });
    clock.run();
    expect(seen).to.deep.equal([
      [0, 'sub scenario.action:start records=1'],
      [1_500_000, 'sub scenario.action:partition records=2'],
      [1_500_000, 'after emit'],
      [2_000_001, 'sub scenario.action:heal records=3'],
    ]);
    expect(trace.records).to.deep.equal([
      { t: 0, kind: 'scenario.action', action: 'start', detail: '' },
      { t: 1_500_000, kind: 'scenario.action', action: 'partition', detail: 'alice|sip1' },
      { t: 2_000_001, kind: 'scenario.action', action: 'heal', detail: '' },
    ]);
  });

  it('the record pushed to records is the same object subscribers receive', () => {
    const clock = new Clock();
    const trace = new Trace(() => clock.now, { keep: true });
    const got: TraceEvent[] = [];
    trace.events$.subscribe((e) => got.push(e));
    trace.emit({ kind: 'host.state', host: 'sip1', mode: 'silent', reason: 'test' });
    expect(got.length).to.equal(1);
    expect(got[0]).to.equal(trace.records[0]);
  });

  it('late subscribers do not get past events (hot Subject), but records has them', () => {
    const clock = new Clock();
    const trace = new Trace(() => clock.now, { keep: true });
    trace.emit({ kind: 'host.state', host: 'sip1', mode: 'silent', reason: 'a' });
    const got: Seen[] = [];
    trace.events$.subscribe((e) => got.push([e.t, e.kind]));
    clock.runUntil(7);
    trace.emit({ kind: 'host.state', host: 'sip1', mode: 'up', reason: 'b' });
    expect(got).to.deep.equal([[7, 'host.state']]);
    expect(trace.records.map((r) => [r.t, r.kind])).to.deep.equal([
      [0, 'host.state'],
      [7, 'host.state'],
    ]);
  });
});
