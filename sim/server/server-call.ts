import type { Clock, EventHandle, Micros } from '../core/clock.js';
import type { Trace } from '../core/trace.js';
import { SipRequest, SipResponse, header } from '../sip/message.js';
import type { SipEndpoint, SipTarget, SipTransport } from '../sip/sip-endpoint.js';
import { NO_OUTCOME } from '../sip/transaction-user.js';
import type { ClientTransaction, ClientTransactionUser } from '../sip/transaction-user.js';
import type { InviteClientTransaction } from '../sip/invite-client-transaction.js';

/** How long the platform lets a phone ring before it gives up with CANCEL (the phone model's noAnswerTimeout default). */
const PLATFORM_NO_ANSWER: Micros = 180_000_000;

export interface IncomingCallSpec {
  /** Scenario name of the called phone (for the trace). */
  phone: string;
  /** The phone's registered contact URI, e.g. sip:1001@10.0.0.10:5060;transport=tcp. */
  contact: string;
  aor: string;
  caller: string;
  duration: Micros;
}

/**
 * A call the platform places towards a phone through the registration the phone holds on this
 * server: INVITE to the registered contact, ACK of the 2xx, BYE after the call's duration.
 * Traced as one `call.incoming` record with its outcome.
 */
export class ServerCall {
  private readonly started: Micros;
  private readonly target: SipTarget;
  private readonly callId: string;
  private readonly fromTag: string;
  private answered = false;
  /** The outcome was traced (answered, or failed/busy, or given up with CANCEL). */
  private done = false;
  private invite: ClientTransaction | undefined;
  private noAnswer: EventHandle = 0;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    private readonly via: string,
    private readonly spec: IncomingCallSpec,
  ) {
    this.started = clock.now;
    this.target = contactTarget(spec.contact);
    this.callId = sip.ids.callId();
    this.fromTag = sip.ids.tag();
  }

  start(): void {
    this.invite = this.sip.sendRequest(this.request('INVITE', 1), this.target, this.tu);
    // A phone that rings and then goes quiet (its 200 lost in an outage) would otherwise keep the
    // INVITE transaction in Proceeding for ever: no timer bounds it there (RFC 3261 §17.1.1.2
    // leaves it to the TU). The platform gives up like a caller does: CANCEL (§9.1).
    this.noAnswer = this.clock.schedule(PLATFORM_NO_ANSWER, this.giveUp, undefined, this.via);
  }

  private readonly giveUp = (): void => {
    if (this.done || !this.invite) return;
    const inv = this.request('INVITE', 1);
    const keep = new Set(['Via', 'From', 'To', 'Call-ID']);
    const cancel: SipRequest = { ...inv, method: 'CANCEL', headers: [...inv.headers.filter(([n]) => keep.has(n)), ['CSeq', '1 CANCEL']] };
    // The CANCEL must carry the INVITE's own Via (branch): take it from the request sent.
    cancel.headers = cancel.headers.map(([n, v]) => (n === 'Via' ? [n, header(this.invite!.request, 'Via') ?? v] : [n, v]));
    this.sip.sendRequest(cancel, this.target, NO_OUTCOME);
    (this.invite as InviteClientTransaction).cancelled();
    this.finish('failed', `no answer in ${PLATFORM_NO_ANSWER / 1e6} s: the platform gave up (CANCEL)`);
  };

  private readonly tu: ClientTransactionUser = {
    receiveResponse: (res: SipResponse) => {
      if (res.status < 200) return;
      if (res.status < 300) {
        // A retransmitted 2xx gets our ACK again (RFC 3261 §13.2.2.4).
        this.sip.sendStateless(this.inDialog('ACK', 1, res), this.target);
        if (this.answered) return;
        // Answered after the platform gave up: ACK and BYE it at once (§9.1, §15).
        if (this.done) return void this.sip.sendRequest(this.inDialog('BYE', 2, res), this.target, NO_OUTCOME);
        this.answered = true;
        this.finish('answered', `${res.status} ${res.reason}`);
        this.clock.schedule(this.spec.duration, () => this.sip.sendRequest(this.inDialog('BYE', 2, res), this.target, NO_OUTCOME), undefined, this.via);
        return;
      }
      this.finish(res.status === 486 || res.status === 600 ? 'busy' : 'failed', `${res.status} ${res.reason}`);
    },
    onRequestTimeout: (timer) => this.finish('failed', `Timer ${timer} fired: the phone did not answer`),
    onTransportError: (cause) => this.finish('failed', cause),
  };

  private finish(outcome: 'answered' | 'failed' | 'busy', reason: string): void {
    if (this.done) return;
    this.done = true;
    this.clock.cancel(this.noAnswer);
    this.trace.emit({ kind: 'call.incoming', phone: this.spec.phone, caller: this.spec.caller, via: this.via, outcome, setup: this.clock.now - this.started, reason });
  }

  private request(method: string, cseq: number): SipRequest {
    const s = this.spec;
    return {
      type: 'request',
      method,
      uri: s.contact,
      headers: [
        ['Via', this.sip.via(this.target.transport)],
        ['Max-Forwards', '70'],
        ['From', `<sip:${s.caller}@${this.sip.host.ip}>;tag=${this.fromTag}`],
        ['To', `<${s.aor}>`],
        ['Call-ID', this.callId],
        ['CSeq', `${cseq} ${method}`],
        ['Contact', `<sip:${s.caller}@${this.sip.host.ip}:5060>`],
      ],
      body: '',
    };
  }

  private inDialog(method: 'ACK' | 'BYE', cseq: number, ok: SipResponse): SipRequest {
    const r = this.request(method, cseq);
    r.headers = r.headers.map(([n, v]) => (n === 'To' ? [n, header(ok, 'To') ?? v] : [n, v]));
    return r;
  }
}

/** sip:user@ip:port;transport=tcp → where to send. */
export function contactTarget(uri: string): SipTarget {
  const m = /^sips?:(?:[^@]+@)?([\d.]+)(?::(\d+))?(?:;.*transport=(\w+))?/i.exec(uri);
  const transport = (m?.[3]?.toLowerCase() ?? 'udp') as SipTransport;
  return { ip: m?.[1] ?? '0.0.0.0', port: Number(m?.[2] ?? 5060), transport };
}

