import type { Micros } from '../core/clock.js';
import type { TraceEvent, TraceSink } from '../core/trace.js';

/**
 * Failover detection and failback per single phone, folded from the trace (a few numbers per
 * phone, nothing per record). With F the scenario's first fault (the first fail, partition,
 * link or dns event; run-scenario.ts firstFault) and W the phone's working server per account
 * when the first record at or after F arrives:
 *
 *  - detection instant: the first record at or after F showing the phone moving off a server —
 *    a `phone.working-server` change of an account away from its non-null W, a
 *    `phone.register-attempt` of an account to a server other than its non-null W (trying the
 *    next address), or a call's `call.state` naming a different server than the call's
 *    previous one (an INVITE failing over). Reported as the delay from F.
 *  - failback instant: after the phone's working server left W, the first `phone.working-server`
 *    record returning that account to W. Reported as the absolute simulated time.
 *
 * Neither exists when the scenario has no fault or the phone never moved.
 */
export interface ProbeResult {
  detect: Micros | null;
  failback: Micros | null;
}

interface PhoneState {
  /** account → working server now. */
  working: Map<number, string | null>;
  /** account → working server at F (set once F is reached). */
  atFault: Map<number, string | null> | undefined;
  /** call → server of its last call.state. */
  callServer: Map<number, string | null>;
  left: Set<number>;
  detect: Micros | null;
  failback: Micros | null;
}

export class FailoverProbe implements TraceSink {
  private readonly phones = new Map<string, PhoneState>();

  constructor(phones: readonly string[], private readonly fault: Micros | undefined) {
    for (const p of phones) this.phones.set(p, { working: new Map(), atFault: undefined, callServer: new Map(), left: new Set(), detect: null, failback: null });
  }

  write(r: TraceEvent): void {
    if (this.fault === undefined || !('phone' in r)) return;
    const s = this.phones.get(r.phone);
    if (!s) return;
    if (r.t >= this.fault && s.atFault === undefined) s.atFault = new Map(s.working);
    const after = s.atFault !== undefined;
    switch (r.kind) {
      case 'phone.working-server': {
        s.working.set(r.account, r.server);
        if (!after) return;
        const w = s.atFault!.get(r.account) ?? null;
        if (w === null) return;
        if (r.server !== w) {
          s.left.add(r.account);
          this.detected(s, r.t);
        } else if (s.left.has(r.account) && s.failback === null) {
          s.failback = r.t;
        }
        return;
      }
      case 'phone.register-attempt': {
        if (!after) return;
        const w = s.atFault!.get(r.account) ?? null;
        if (w !== null && r.server !== w) this.detected(s, r.t);
        return;
      }
      case 'call.state': {
        const before = s.callServer.get(r.call);
        s.callServer.set(r.call, r.server);
        if (after && before !== undefined && before !== null && r.server !== null && r.server !== before) this.detected(s, r.t);
        return;
      }
    }
  }

  private detected(s: PhoneState, t: Micros): void {
    if (s.detect === null) s.detect = t - this.fault!;
  }

  result(phone: string): ProbeResult {
    const s = this.phones.get(phone)!;
    return { detect: s.detect, failback: s.failback };
  }
}
