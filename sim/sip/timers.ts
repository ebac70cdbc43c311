import type { Micros } from '../core/clock.js';

export interface SipTimerConfig {
  t1: Micros;
  t2: Micros;
  t4: Micros;
}

export interface TimerValues {
  /** Initial INVITE retransmission interval; doubles without cap. 0 ⇒ no retransmissions (reliable). */
  readonly A: Micros;
  readonly B: Micros;
  readonly D: Micros;
  /** Initial non-INVITE retransmission interval; doubles up to T2. 0 ⇒ reliable. */
  readonly E: Micros;
  readonly F: Micros;
  readonly G: Micros;
  readonly H: Micros;
  readonly I: Micros;
  readonly J: Micros;
  readonly K: Micros;
  /** RFC 6026 Timers L and M: how long accepted INVITE transactions absorb 2xx retransmissions. */
  readonly L: Micros;
  readonly M: Micros;
  readonly t2: Micros;
}

const THIRTY_TWO_S = 32_000_000;

/** RFC 3261 §17 timer table (Table 4) as a function of the phone's T1/T2/T4 and the transport. */
/** One object per distinct timer set: a fleet's phones share their transport's values instead of holding a copy each. */
const shared = new Map<string, TimerValues>();

export function timerValues({ t1, t2, t4 }: SipTimerConfig, reliable: boolean): TimerValues {
  const k = `${t1}/${t2}/${t4}/${reliable}`;
  let v = shared.get(k);
  if (v === undefined) shared.set(k, (v = computeTimerValues(t1, t2, t4, reliable)));
  return v;
}

function computeTimerValues(t1: number, t2: number, t4: number, reliable: boolean): TimerValues {
  return {
    A: reliable ? 0 : t1,
    B: 64 * t1,
    D: reliable ? 0 : Math.max(THIRTY_TWO_S, 64 * t1),
    E: reliable ? 0 : t1,
    F: 64 * t1,
    G: reliable ? 0 : t1,
    H: 64 * t1,
    I: reliable ? 0 : t4,
    J: reliable ? 0 : 64 * t1,
    K: reliable ? 0 : t4,
    L: 64 * t1,
    M: 64 * t1,
    t2,
  };
}
