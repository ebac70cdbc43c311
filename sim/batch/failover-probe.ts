import type { Micros } from '../core/clock.js';
import type { TraceEvent, TraceSink, TraceKind } from '../core/trace.js';

/**
 * Failover detection and failback per single phone, folded from the trace (a few numbers per
 * phone, nothing per record). With F the scenario's first fault (the first fail, partition,
 * link or dns event; run-scenario.ts firstFault) and W an account's working server when the
 * first record at or after F arrives:
 *
 *  - detection: the first record at or after F showing the phone moving off a server —
 *    an account's `phone.working-server` changing away from a non-null W; a
 *    `phone.register-attempt` (the phone trying the next address) to a server other than W, or
 *    to any server when the account had no working server at F (a primary down at boot); or a
 *    call's `call.state` naming another server than its previous one (an INVITE failing over).
 *    Reported as the delay from F. The server left is W, the call's previous server, or (no W)
 *    the peer of the phone's last transaction timeout or transport error.
 *  - failback: after detection, the first `phone.working-server` record that brings an account
 *    back to the server left, from another one. Reported as the absolute simulated time.
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
  /** The peer of the phone's last sip.timeout / sip.transport-error. */
  lastFailedPeer: string | undefined;
  detect: Micros | null;
  /** The server the phone moved off at detection (undefined: not known). */
  left: string | undefined;
  failback: Micros | null;
}

export class FailoverProbe implements TraceSink {
  private readonly phones = new Map<string, PhoneState>();
  /** Only these reach it (the trace routes kinds): a sweep's runs build no record nobody reads. */
  readonly kinds: readonly TraceKind[] = ['sip.timeout', 'sip.transport-error', 'phone.working-server', 'phone.register-attempt', 'call.state'];

  constructor(phones: readonly string[], private readonly fault: Micros | undefined) {
    for (const p of phones) {
      this.phones.set(p, { working: new Map(), atFault: undefined, callServer: new Map(), lastFailedPeer: undefined, detect: null, left: undefined, failback: null });
    }
  }

  write(r: TraceEvent): void {
    if (this.fault === undefined) return;
    if (r.kind === 'sip.timeout' || r.kind === 'sip.transport-error') {
      const s = this.phones.get(r.host);
      if (s) s.lastFailedPeer = r.peer;
      return;
    }
    if (r.kind !== 'phone.working-server' && r.kind !== 'phone.register-attempt' && r.kind !== 'call.state') return;
    const s = this.phones.get(r.phone);
    if (!s) return;
    if (r.t >= this.fault && s.atFault === undefined) s.atFault = new Map(s.working);
    const after = s.atFault !== undefined;
    switch (r.kind) {
      case 'phone.working-server': {
        const before = s.working.get(r.account) ?? null;
        s.working.set(r.account, r.server);
        if (!after) return;
        const w = s.atFault!.get(r.account) ?? null;
        if (s.detect === null) {
          if (w !== null && r.server !== w) this.detected(s, r.t, w);
        } else if (s.failback === null && s.left !== undefined && r.server === s.left && before !== s.left) {
          s.failback = r.t;
        }
        return;
      }
      case 'phone.register-attempt': {
        if (!after) return;
        const w = s.atFault!.get(r.account) ?? null;
        if (w === null) this.detected(s, r.t, s.lastFailedPeer);
        else if (r.server !== w) this.detected(s, r.t, w);
        return;
      }
      case 'call.state': {
        const before = s.callServer.get(r.call);
        s.callServer.set(r.call, r.server);
        if (after && before !== undefined && before !== null && r.server !== null && r.server !== before) this.detected(s, r.t, before);
        return;
      }
    }
  }

  private detected(s: PhoneState, t: Micros, left: string | undefined): void {
    if (s.detect !== null) return;
    s.detect = t - this.fault!;
    s.left = left;
  }

  result(phone: string): ProbeResult {
    const s = this.phones.get(phone)!;
    return { detect: s.detect, failback: s.failback };
  }
}
