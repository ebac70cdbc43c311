import type { CallState } from '../core/trace.js';

/**
 * The outgoing call as a pure transition (xstate style): `nextCall(state, input)` returns the
 * next state and the effects to run; the phone driver executes effects against the clock and
 * the SIP stack. Rule R1 of the reference: INVITE to the first server of the list; on 503, a
 * transport error or a timeout move to the next; fail when every server has been tried.
 */
export interface CallMachineState {
  phase: CallState | 'idle';
  /** Index into the server list of the attempt in progress. */
  index: number;
  /** Number of servers in the list. */
  servers: number;
  /** Indices tried so far, in order. */
  tried: number[];
  /** AMB-03 (model option provisionalStopsFailover): what a provisional changes for failover. */
  afterProvisional: ProvisionalFailover;
  /**
   * AMB-01 retryCounts = transactions: whole INVITE transactions per list entry before a timeout
   * moves the call on (absent or 1: the first timeout does).
   */
  transactions: readonly number[];
  /** INVITE transactions sent to the entry in progress. */
  sent: number;
}

/**
 * AMB-03 — after a 1xx: 'rfc' (★) — Timer B no longer runs; a later 503 or transport error still
 * fails over; a call left ringing for noAnswerTimeout is given up (CANCEL, no failover).
 * 'appTimer' — noAnswerTimeout after the 1xx the phone gives up on that server (CANCEL) and tries
 * the next. 'noFailoverAfter1xx' — once a 1xx came, a 503 or transport error ends the call.
 */
export type ProvisionalFailover = 'rfc' | 'appTimer' | 'noFailoverAfter1xx';

export type CallInput =
  /** noServer: why the server list is empty (a name that did not resolve), when it is. */
  | { type: 'start'; noServer?: string; note?: string }
  | { type: 'provisional'; status: number; reason: string }
  | { type: 'final'; status: number; reason: string }
  | { type: 'timeout'; timer: string }
  | { type: 'transport-error'; cause: string }
  | { type: 'hangup' }
  /** Ringing for too long (model option noAnswerTimeout): give up — not a server failure, so no failover. */
  | { type: 'no-answer' };

export type CallEffect =
  | { type: 'send-invite'; index: number }
  | { type: 'transition'; from: CallState | 'idle'; to: CallState; index: number; reason: string }
  | { type: 'send-ack' }
  | { type: 'send-bye' }
  | { type: 'send-cancel' }
  | { type: 'schedule-hangup' }
  | { type: 'outcome'; outcome: 'answered' | 'failed' | 'busy'; via: number | null };

export interface CallStep {
  state: CallMachineState;
  effects: CallEffect[];
}

export function initialCall(servers: number, afterProvisional: ProvisionalFailover = 'rfc', transactions: readonly number[] = []): CallMachineState {
  return { phase: 'idle', index: -1, servers, tried: [], afterProvisional, transactions, sent: 0 };
}

/** Statuses that mean "this server cannot take the call now: try the next" (seed step 2). */
export function isServerUnavailable(status: number): boolean {
  return status === 503;
}

const BUSY = new Set([486, 600]);

/** AMB-01 retryCounts = transactions: a timeout now sends another INVITE transaction to the same server. */
export function repeatsOnTimeout(s: CallMachineState): boolean {
  return s.phase === 'trying' && s.sent < (s.transactions[s.index] ?? 1);
}

export function nextCall(s: CallMachineState, input: CallInput): CallStep {
  switch (input.type) {
    case 'start':
      if (s.phase !== 'idle') return stay(s);
      if (s.servers === 0) return finish(s, 'failed', input.noServer ?? 'no server configured');
      return attempt(s, 0, input.note === undefined ? 'call placed' : `call placed (${input.note})`);
    case 'provisional':
      if (s.phase !== 'trying') return stay(s);
      return move(s, 'proceeding', `${input.status} ${input.reason}`);
    case 'final': {
      if (s.phase !== 'trying' && s.phase !== 'proceeding') return stay(s);
      const what = `${input.status} ${input.reason}`;
      if (input.status < 300) {
        const step = move(s, 'answered', what);
        step.effects.push({ type: 'send-ack' }, { type: 'outcome', outcome: 'answered', via: s.index }, { type: 'schedule-hangup' });
        return step;
      }
      if (isServerUnavailable(input.status)) return failover(s, what);
      return finish(s, BUSY.has(input.status) ? 'busy' : 'failed', what);
    }
    case 'timeout': {
      if (s.phase !== 'trying' && s.phase !== 'proceeding') return stay(s);
      const why = input.timer === 'retry-counts' ? 'retry counts exhausted' : `Timer ${input.timer} fired: no response`;
      // AMB-01 transactions: the server gets its whole INVITE transactions before the call moves on.
      if (repeatsOnTimeout(s)) {
        const state: CallMachineState = { ...s, sent: s.sent + 1 };
        const reason = `${why}; INVITE transaction ${state.sent} of ${s.transactions[s.index]} to this server (retryCounts = transactions)`;
        return { state, effects: [transition(s, 'trying', s.index, reason), { type: 'send-invite', index: s.index }] };
      }
      return failover(s, why);
    }
    case 'transport-error':
      if (s.phase !== 'trying' && s.phase !== 'proceeding') return stay(s);
      return failover(s, input.cause);
    case 'hangup':
      if (s.phase !== 'answered') return stay(s);
      return { state: { ...s, phase: 'ended' }, effects: [transition(s, 'ended', s.index, 'caller hung up'), { type: 'send-bye' }] };
    case 'no-answer': {
      if (s.phase !== 'proceeding') return stay(s);
      // appTimer: the server had its time after the 1xx — CANCEL there, then the next server.
      const step = s.afterProvisional === 'appTimer'
        ? failover(s, 'no final answer noAnswerTimeout after the provisional (provisionalStopsFailover = appTimer): CANCEL')
        : finish(s, 'failed', 'no answer: the caller gave up (CANCEL)');
      step.effects.unshift({ type: 'send-cancel' });
      return step;
    }
  }
}

function failover(s: CallMachineState, why: string): CallStep {
  if (s.phase === 'proceeding' && s.afterProvisional === 'noFailoverAfter1xx') {
    return finish(s, 'failed', `${why}; no failover after a provisional (provisionalStopsFailover = noFailoverAfter1xx)`);
  }
  const next = s.index + 1;
  if (next >= s.servers) return finish(s, 'failed', `${why}; every server tried`);
  return attempt(s, next, `${why}; trying the next server`);
}

function attempt(s: CallMachineState, index: number, reason: string): CallStep {
  const state: CallMachineState = { ...s, phase: 'trying', index, tried: [...s.tried, index], sent: 1 };
  return { state, effects: [transition(s, 'trying', index, reason), { type: 'send-invite', index }] };
}

function move(s: CallMachineState, to: CallState, reason: string): CallStep {
  return { state: { ...s, phase: to }, effects: [transition(s, to, s.index, reason)] };
}

function finish(s: CallMachineState, outcome: 'failed' | 'busy', reason: string): CallStep {
  return {
    state: { ...s, phase: outcome },
    effects: [transition(s, outcome, s.index, reason), { type: 'outcome', outcome, via: outcome === 'busy' ? s.index : null }],
  };
}

function transition(s: CallMachineState, to: CallState, index: number, reason: string): CallEffect {
  return { type: 'transition', from: s.phase, to, index, reason };
}

function stay(s: CallMachineState): CallStep {
  return { state: s, effects: [] };
}
