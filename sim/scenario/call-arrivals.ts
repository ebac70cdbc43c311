import type { Clock } from '../core/clock.js';
import { exponential, RandomStreams } from '../core/random.js';
import type { Phone } from '../phone/phone.js';
import type { ScenarioAction } from './scenario.js';

type CallsAction = Extract<ScenarioAction, { type: 'calls' }>;

/**
 * A calls: event — Poisson call arrivals over [now, now + for): exponential gaps of mean 1/rate,
 * each arrival from a phone of the pool drawn uniformly. Two named streams (`<stream>:gaps`,
 * `<stream>:phones`) so neither the rest of the model nor the other's draws shift them. Lazy:
 * only the next arrival is ever pending (50 minutes at 100/s is 300,000 calls, not 300,000 events
 * queued up front).
 *
 * A phone already in a call still places the new one (the phone model holds several calls at
 * once, as a desk phone with several call appearances does): the offered load stays the Poisson
 * process the scenario asks for. Its first call.state reason says so ("call placed (calls
 * office: arrival 17; 1 other call in progress)"), as it names the arrival for every call.
 */
export function startCallArrivals(clock: Clock, random: RandomStreams, a: CallsAction, pool: readonly Phone[], defaultDuration: number): void {
  const gaps = random.stream(`${a.stream}:gaps`);
  const pick = random.stream(`${a.stream}:phones`);
  const end = clock.now + a.for;
  const meanGap = 1_000_000 / a.rate;
  let arrival = 0;
  const next = (): void => {
    const at = clock.now + Math.round(exponential(gaps, meanGap));
    if (at >= end) return;
    clock.at(at, () => {
      next();
      const phone = pool[Math.floor(pick() * pool.length)]!;
      const busy = phone.callsInProgress;
      const note = `calls ${a.from}: arrival ${++arrival}${busy > 0 ? `; ${busy} other call${busy > 1 ? 's' : ''} in progress` : ''}`;
      phone.call(a.to, a.duration ?? defaultDuration, a.account ?? 1, note);
    }, undefined, 'scenario');
  };
  next();
}
