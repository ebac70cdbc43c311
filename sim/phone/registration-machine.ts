import type { Micros } from '../core/clock.js';
import type { RegistrationState } from '../core/trace.js';

/**
 * One account's registration with one server, as a pure transition. The driver sends the
 * REGISTER, runs the timers and feeds back the outcome. R3/R9 of the reference: register at
 * boot, renew before expiry, and after a failure re-register at the retry interval (a 503's
 * Retry-After overrides that wait or, per policy, lengthens it — RFC 3261 §21.5.4, AMB-23).
 */
export interface RegistrationMachineState {
  phase: RegistrationState;
  /** Consecutive failures since the last success. */
  failures: number;
}

export interface RegistrationPolicy {
  retryInterval: Micros;
  /** When set, the wait after `failures` consecutive failures (RFC 5626 back-off); else retryInterval. */
  retryDelay?(failures: number): Micros;
  /**
   * How a 503's Retry-After sets the retry wait (model option retryAfter, AMB-23): 'override' —
   * the Retry-After, shorter or longer; 'atLeast' (when unset) — max(wait, Retry-After);
   * 'ignore' — the wait alone.
   */
  retryAfter?: 'override' | 'atLeast' | 'ignore';
  /** When to renew, given the granted lifetime. */
  refreshAfter(grantedSeconds: number): Micros;
  /**
   * AMB-35 registrationRetryScope = retryCounts: how many times a failed registration is repeated
   * (the server's retry_counts, B6) before the phone gives up; unset = unbounded.
   */
  maxRetries?: number;
}

export type RegistrationInput =
  | { type: 'start'; reason: string }
  | { type: 'ok'; grantedSeconds: number; status: string }
  | { type: 'fail'; reason: string; retryAfter?: Micros }
  | { type: 'refresh-due' }
  | { type: 'retry-due' }
  /** Stop registering (successive fallback: the working server is back). */
  | { type: 'stop'; reason: string };

export type RegistrationEffect =
  | { type: 'transition'; from: RegistrationState; to: RegistrationState; reason: string }
  | { type: 'send-register' }
  | { type: 'schedule-refresh'; after: Micros }
  | { type: 'schedule-retry'; after: Micros }
  | { type: 'cancel-timers' };

export interface RegistrationStep {
  state: RegistrationMachineState;
  effects: RegistrationEffect[];
}

export const initialRegistration: RegistrationMachineState = { phase: 'unregistered', failures: 0 };

export function nextRegistration(s: RegistrationMachineState, input: RegistrationInput, policy: RegistrationPolicy): RegistrationStep {
  switch (input.type) {
    case 'start':
      if (s.phase === 'registering') return { state: s, effects: [] };
      return { state: { ...s, phase: 'registering' }, effects: [tr(s.phase, 'registering', input.reason), { type: 'send-register' }] };
    case 'refresh-due':
      // A renewal keeps the current state visible as registered until it fails or the binding lapses.
      if (s.phase !== 'registered') return { state: s, effects: [] };
      return { state: s, effects: [{ type: 'send-register' }] };
    case 'retry-due':
      if (s.phase !== 'failed') return { state: s, effects: [] };
      return { state: { ...s, phase: 'registering' }, effects: [tr('failed', 'registering', `retry after ${s.failures} failure${s.failures > 1 ? 's' : ''}`), { type: 'send-register' }] };
    case 'ok': {
      const effects: RegistrationEffect[] = [];
      if (s.phase !== 'registered') effects.push(tr(s.phase, 'registered', `${input.status}, expires ${input.grantedSeconds}s`));
      effects.push({ type: 'schedule-refresh', after: policy.refreshAfter(input.grantedSeconds) });
      return { state: { phase: 'registered', failures: 0 }, effects };
    }
    case 'stop':
      if (s.phase === 'unregistered') return { state: s, effects: [] };
      return { state: { phase: 'unregistered', failures: 0 }, effects: [{ type: 'cancel-timers' }, tr(s.phase, 'unregistered', input.reason)] };
    case 'fail': {
      const state = { phase: 'failed' as const, failures: s.failures + 1 };
      if (policy.maxRetries !== undefined && state.failures > policy.maxRetries) {
        const repeats = `${policy.maxRetries} repeat${policy.maxRetries === 1 ? '' : 's'}`;
        return { state, effects: [tr(s.phase, 'failed', `${input.reason}; registration given up after ${repeats} (retry_counts, registrationRetryScope = retryCounts)`)] };
      }
      const base = policy.retryDelay ? policy.retryDelay(state.failures) : policy.retryInterval;
      const ra = input.retryAfter;
      const wait = ra === undefined || ra <= 0 || policy.retryAfter === 'ignore' ? base : policy.retryAfter === 'override' ? ra : Math.max(base, ra);
      return { state, effects: [tr(s.phase, 'failed', input.reason), { type: 'schedule-retry', after: wait }] };
    }
  }
}

function tr(from: RegistrationState, to: RegistrationState, reason: string): RegistrationEffect {
  return { type: 'transition', from, to, reason };
}
