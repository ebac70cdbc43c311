import type { Micros } from '../core/clock.js';
import type { Rng } from '../core/random.js';
import type { ModelOptions } from './model-options.js';
import type { AccountSettings } from './phone-config.js';

/**
 * Reference A7: the vendor's reg_failed_retry_min_time / max_time switch the retry wait to the
 * RFC 5626 §4.5 back-off — W = min(max, base · 2^failures), waiting a random 50–100 % of W —
 * when both are non-zero (the guide says reg_fail_retry_interval applies when both are 0; a
 * zero base with a non-zero cap, the vendor defaults, is read as "not configured").
 * A successive-mode probe (`probe`) keeps its fallback.timeout.
 */
export function backoff(account: AccountSettings, o: Pick<ModelOptions, 'regRetryPolicy'>, rng: Rng, probe: boolean): { retryDelay?: (failures: number) => Micros } {
  const policy = o.regRetryPolicy;
  const interval = account.regFailRetryInterval;
  // AMB-24: fixedInterval (★) backs off only when min and max are both set.
  const { base, max } = policy === 'rfc5626IntervalBase'
    ? { base: interval, max: Math.max(account.regBackoff.max, interval) }
    : account.regBackoff;
  if (probe || (policy === 'fixedInterval' && (base === 0 || max === 0))) return {};
  return { retryDelay: (failures) => Math.max(1_000_000, Math.round(Math.min(max, base * 2 ** failures) * (0.5 + rng() / 2))) };
}

/** B24 / AMB-26: when a registration granted `granted` seconds is renewed — register_expires_overlap before its end, else refreshFraction of it. */
export function refreshAfter(account: AccountSettings, o: Pick<ModelOptions, 'refreshFraction'>, granted: number): Micros {
  const overlap = account.registerExpiresOverlap;
  const seconds = overlap >= 0 && overlap < granted ? granted - overlap : granted * o.refreshFraction;
  return Math.round(seconds * 1_000_000);
}
