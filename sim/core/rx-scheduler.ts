import { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { Clock, EventHandle } from './clock.js';

/**
 * An adapter (not a subclass) making our Clock an rxjs SchedulerLike, so `timer`, `delay`,
 * `timeout`… run in virtual time. rxjs speaks milliseconds; we convert to integer µs once here.
 * Protocol timers do not use this: they call the Clock directly (see shared/DESIGN.md).
 */
export class ClockScheduler implements SchedulerLike {
  constructor(readonly clock: Clock) {}

  now(): number {
    return this.clock.now / 1000;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new ClockAction<T>(this.clock, work).schedule(state, delay);
  }
}

class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: EventHandle = 0;

  constructor(
    private readonly clock: Clock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super(() => this.clock.cancel(this.handle));
  }

  /** Re-arms the same action (what `timer` with a period and `executeSchedule` rely on). */
  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.clock.cancel(this.handle);
    this.handle = this.clock.schedule(Math.max(0, Math.round(delay * 1000)), this.fire, state);
    return this;
  }

  private readonly fire = (state: T | undefined): void => {
    if (!this.closed) this.work.call(this, state);
  };
}
