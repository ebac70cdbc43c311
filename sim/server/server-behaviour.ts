import type { SubscriptionFeature } from '../sip/event-packages.js';
import type { Micros } from '../core/clock.js';
import type { ServerCapacity } from './capacity-queue.js';

/**
 * What the server application does with requests. Host-level outages (silent, unreachable)
 * are network states, not behaviours: see sim/net/host.ts.
 */
export type ServerBehaviour =
  | { mode: 'normal' }
  /** Answer every request with 503, optionally with Retry-After (RFC 3261 §21.5.4). */
  | { mode: '503'; retryAfter?: Micros }
  /** Handle every request `delay` later than normal. */
  | { mode: 'slow'; delay: Micros };

export interface ServerProfile {
  /** Time from an INVITE's arrival to its final answer. */
  ringTime: Micros;
  /**
   * Time from an INVITE's arrival to its 180 Ringing, at most ringTime. 0 (default): at once,
   * with the 100. Real platforms often send it later: a proxy relays the 180 only once the
   * callee's device says it rings.
   */
  ringDelay: Micros;
  /** Final status the callee answers INVITEs with (200, or e.g. 486 busy). */
  answer: number;
  /** Registration lifetime granted at most, seconds. */
  maxExpires: number;
  /** Subscription features offered; a fallback server offers basic calls only (R5). */
  features: readonly ServerFeature[];
  /** Requests served at a rate behind a bounded queue (absent: unlimited, served on arrival). */
  capacity?: ServerCapacity;
}

export type ServerFeature = SubscriptionFeature;

export const DEFAULT_SERVER_PROFILE: ServerProfile = { ringTime: 1_000_000, ringDelay: 0, answer: 200, maxExpires: 3600, features: ['mwi', 'shared-line', 'reg'] };

