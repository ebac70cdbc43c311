import type { Micros } from '../core/clock.js';
import { formatDuration, US_PER_S } from '../core/time.js';

/**
 * The event guard stops a run that schedules far more events than a phone network does, so a
 * model bug or an absurd setting fails with a message instead of running for hours and filling
 * memory (the trace keeps every record: about 2.5 records per event). The bundled scenarios run
 * 0.03–0.3 events per host per simulated second; the default allows 100, a few hundred times
 * that, so a long normal run never meets it and a storm (thousands per second) soon does.
 */
export const EVENTS_PER_HOST_SECOND = 100;
/** A short scenario still gets room for bursts (a boot storm, retransmissions): at least this many. */
export const MIN_DEFAULT_MAX_EVENTS = 1_000_000;

/** The default maxEvents of a scenario with `hosts` hosts (phones, servers, DNS) running `duration`. */
export function defaultMaxEvents(hosts: number, duration: Micros): number {
  return Math.max(MIN_DEFAULT_MAX_EVENTS, Math.ceil(hosts * (duration / US_PER_S) * EVENTS_PER_HOST_SECOND));
}

/**
 * Why the run stopped, in words: how many events in how much simulated time, and how to raise
 * the limit. `setInFile`: the scenario's own maxEvents (the error then points at its line).
 */
export function eventGuardMessage(events: number, now: Micros, duration: Micros, hosts: number, setInFile: boolean): string {
  const done = `the run stopped after ${events.toLocaleString('en-US')} events in ${formatDuration(now)} of simulated time (of ${formatDuration(duration)})`;
  const perHostSecond = events / hosts / (now / US_PER_S);
  const rate = now > 0 ? `, ${perHostSecond >= 10 ? Math.round(perHostSecond).toLocaleString('en-US') : perHostSecond.toPrecision(2)} events per host per simulated second` : '';
  if (setInFile) return `${done}${rate}: the limit set here; raise maxEvents if this load is intended`;
  return `${done}${rate}: the default limit for ${hosts} host${hosts === 1 ? '' : 's'} over ${formatDuration(duration)} `
    + `(${EVENTS_PER_HOST_SECOND} events per host per simulated second, at least ${MIN_DEFAULT_MAX_EVENTS.toLocaleString('en-US')}); `
    + 'if this load is intended, set maxEvents: in the scenario to a larger number';
}
