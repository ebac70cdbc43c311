import type { Clock, EventHandle, Micros } from '../core/clock.js';
import type { Endpoint, Trace } from '../core/trace.js';
import type { Located } from '../dns/server-locator.js';
import { SipRequest, SipResponse, header, headerSeconds } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import { NO_OUTCOME } from '../sip/transaction-user.js';
import type { ClientTransaction } from '../sip/transaction-user.js';
import type { InviteClientTransaction } from '../sip/invite-client-transaction.js';
import type { ClientTransactionUser, RetransmitLimit } from '../sip/transaction-user.js';
import type { AddressBound } from './retry-limits.js';
import { isInvite2xx, refuseAnswer } from './refuse-answer.js';
import { type ByeFailover, sendByeWalk } from './bye-failover.js';
import { tagOf } from '../sip/message.js';
import { CallEffect, CallInput, CallMachineState, ProvisionalFailover, initialCall, isServerUnavailable, nextCall, repeatsOnTimeout } from './call-machine.js';

export interface CallTarget {
  phone: string;
  call: number;
  user: string;
  displayName: string;
  /** Dialled number or user. */
  to: string;
  /** The server list, primary first: server 1's addresses, then server 2's (reference A3). */
  servers: Located[];
  /** Why `servers` is empty, when located names did not resolve; the call's failure says so. */
  noServer?: string;
  /** Bound per server (retry-limits.ts): the full Timer B for the last. */
  bounds: readonly AddressBound[];
  /** How long the caller stays on an answered call before hanging up. */
  duration: Micros;
  /** How long a ringing call is given before the caller gives up (CANCEL) — or, with appTimer, fails over. */
  noAnswerTimeout: Micros;
  /** AMB-03 model option provisionalStopsFailover; 'rfc' when absent. */
  afterProvisional?: ProvisionalFailover;
  /** Told when an address fails this call (503, transport error, timeout), before the next is tried; a 503's Retry-After in µs. */
  onServerFailed?: (server: Located, index: number, retryAfter?: Micros) => void;
  /**
   * Asked before the INVITE to address `index` leaves; the INVITE goes when `send` is called
   * (B7 register_on_enable: the phone registers with a failover address first).
   */
  beforeInvite?: (server: Located, index: number, send: () => void) => void;
  /** Where the BYE goes, given the dialog's server (AMB-38 inDialogRequests); unset = the dialog's server. */
  byeServer?: (dialogServer: Located) => Located;
  /** AMB-38 inDialogFailover = failoverPer3263: where a failed BYE goes next, given its first address. Unset = one BYE transaction (noFailover). */
  byeFailover?: (first: Located) => ByeFailover;
  /** Told when an address answers the call. */
  onAnswered?: (server: Located, index: number) => void;
  /** Why the call was placed, added to its first state change's reason (e.g. a calls: arrival). */
  note?: string;
  /** Told once when the call is over: failed, busy or ended. */
  onFinished?: () => void;
}

/**
 * Drives one outgoing call: the pure call machine decides, this class sends INVITEs (one
 * client transaction per server tried), ACKs the 2xx, hangs up with BYE, and traces every
 * state change and the call's outcome.
 */
export class OutgoingCall {
  private state: CallMachineState;
  private readonly callId: string;
  private readonly fromTag: string;
  private cseq = 0;
  private startedAt = 0;
  private invite: { request: SipRequest; txn: ClientTransaction; server: Located } | undefined;
  private noAnswer: EventHandle = 0;
  /** Numbers the INVITEs sent; only the latest one's responses move the call (an earlier one was given up). */
  private attempts = 0;
  private dialog: { toHeader: string; target: string; server: Located; inviteCseq: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    private readonly target: CallTarget,
    /** When the user placed the call (DNS lookups may come before the first INVITE). */
    private readonly placedAt: number,
  ) {
    this.state = initialCall(target.servers.length, target.afterProvisional, target.bounds.map((b) => b.transactions));
    this.callId = sip.ids.callId();
    this.fromTag = sip.ids.tag();
  }

  start(): void {
    this.startedAt = this.placedAt;
    // A 2xx that comes after its INVITE transaction ended (Timer B or the retry limit fired, the
    // server was slow) is this call's to ACK and to BYE; once the call is over the phone's core does it.
    this.sip.onStrayResponses(this.callId, (res, source) => this.lateResponse(res, source));
    this.feed({
      type: 'start', ...(this.target.noServer !== undefined ? { noServer: this.target.noServer } : {}), ...(this.target.note !== undefined ? { note: this.target.note } : {}),
    });
  }

  private feed(input: CallInput): void {
    const step = nextCall(this.state, input);
    this.state = step.state;
    for (const e of step.effects) this.run(e);
  }

  private serverName(index: number): string | null {
    const ep = this.target.servers[index];
    return ep ? this.sip.nameOf(ep) : null;
  }

  private run(e: CallEffect): void {
    const t = this.target;
    switch (e.type) {
      case 'transition':
        this.trace.emit({ kind: 'call.state', phone: t.phone, call: t.call, from: e.from, to: e.to, server: this.serverName(e.index), reason: e.reason });
        this.clock.cancel(this.noAnswer);
        if (e.to === 'proceeding') this.noAnswer = this.clock.schedule(t.noAnswerTimeout, this.onNoAnswer, undefined, t.phone);
        if (e.to === 'failed' || e.to === 'busy' || e.to === 'ended') {
          this.sip.forgetStrayResponses(this.callId);
          t.onFinished?.();
        }
        return;
      case 'send-invite': {
        const server = t.servers[e.index]!;
        const send = (): void => {
          const request = this.buildInvite(server);
          this.invite = { request, server, txn: this.sip.sendRequest(request, server, this.inviteUser(++this.attempts, server), t.bounds[e.index]?.limit) };
        };
        if (t.beforeInvite) t.beforeInvite(server, e.index, send);
        else send();
        return;
      }
      case 'send-cancel': {
        // RFC 3261 §9.1: CANCEL copies the INVITE's Request-URI, Call-ID, From, To, CSeq number and top Via.
        const inv = this.invite;
        if (!inv) return;
        const keep = new Set(['via', 'from', 'to', 'call-id']);
        const cancel: SipRequest = {
          type: 'request', method: 'CANCEL', uri: inv.request.uri, body: '',
          headers: [...inv.request.headers.filter(([n]) => keep.has(n.toLowerCase())), ['Max-Forwards', '70'], ['CSeq', `${(header(inv.request, 'CSeq') ?? '1').split(/\s+/)[0]} CANCEL`]],
        };
        this.sip.sendRequest(cancel, inv.server, NO_OUTCOME);
        (inv.txn as InviteClientTransaction).cancelled();
        return;
      }
      case 'send-ack':
        return this.sendAck();
      case 'schedule-hangup':
        this.clock.schedule(t.duration, () => this.feed({ type: 'hangup' }), undefined, t.phone);
        return;
      case 'send-bye': {
        if (!this.dialog) return;
        const first = t.byeServer?.(this.dialog.server) ?? this.dialog.server;
        if (!t.byeFailover) return void this.sip.sendRequest(this.inDialog('BYE', ++this.cseq), first, NO_OUTCOME);
        const f = t.byeFailover(first);
        const cseq = ++this.cseq;
        sendByeWalk({ sip: this.sip, trace: this.trace, phone: t.phone, call: t.call }, [first, ...f.next], f.limit, (to) => this.inDialog('BYE', cseq, to));
        return;
      }
      case 'outcome':
        if (e.outcome === 'answered' && e.via !== null) t.onAnswered?.(t.servers[e.via]!, e.via);
        this.trace.emit({
          kind: 'call.outcome', phone: t.phone, call: t.call, to: t.to, outcome: e.outcome,
          via: e.via === null ? null : this.serverName(e.via), tried: this.state.tried.map((i) => this.serverName(i)!),
          setup: this.clock.now - this.startedAt,
        });
        return;
    }
  }

  private readonly onNoAnswer = (): void => {
    // appTimer: giving up on a ringing server is that server failing (the call then tries the next).
    if (this.state.afterProvisional === 'appTimer') this.serverFailed();
    this.feed({ type: 'no-answer' });
  };

  private serverFailed(retryAfter?: Micros): void {
    const i = this.state.index;
    const server = this.target.servers[i];
    if (server) this.target.onServerFailed?.(server, i, retryAfter);
  }

  /**
   * The transaction user of INVITE number `attempt`. Once a later INVITE went (appTimer gave up on
   * a ringing server), the earlier one's responses change nothing — a 2xx from it is refused.
   */
  private inviteUser(attempt: number, server: Located): ClientTransactionUser {
    const current = (): boolean => attempt === this.attempts;
    return {
    receiveResponse: (res: SipResponse) => {
      if (!current()) return isInvite2xx(res) ? this.refuse(res, server) : undefined;
      if (res.status < 200) return this.feed({ type: 'provisional', status: res.status, reason: res.reason });
      if (res.status < 300) {
        if (this.dialog && this.ownDialog(res)) return this.sendAck(); // a retransmitted 2xx: our ACK was lost (RFC 3261 §13.2.2.4)
        // A 2xx the call cannot take any more (it gave up with CANCEL, or another server answered):
        // ACK it and BYE it, or the server keeps the call (§9.1, §13.2.2.4).
        if (this.dialog || (this.state.phase !== 'trying' && this.state.phase !== 'proceeding')) return this.refuse(res);
        const contact = /<([^>]+)>/.exec(header(res, 'Contact') ?? '')?.[1];
        const server = this.target.servers[this.state.index]!;
        this.dialog = { toHeader: header(res, 'To') ?? '', target: contact ?? `sip:${this.target.to}@${server.ip}`, server, inviteCseq: this.cseq };
      }
      if (isServerUnavailable(res.status)) {
        const retryAfter = headerSeconds(res, 'Retry-After');
        this.serverFailed(retryAfter !== undefined ? retryAfter * 1_000_000 : undefined);
      }
      this.feed({ type: 'final', status: res.status, reason: res.reason });
    },
    onRequestTimeout: (timer) => {
      if (!current()) return;
      // AMB-01 transactions: the server has not failed while it still gets another transaction.
      if (!repeatsOnTimeout(this.state)) this.serverFailed();
      this.feed({ type: 'timeout', timer });
    },
    onTransportError: (cause) => {
      if (!current()) return;
      this.serverFailed();
      this.feed({ type: 'transport-error', cause });
    },
    };
  }

  /** A response to one of this call's INVITEs that no transaction took any more (see start()). */
  private lateResponse(res: SipResponse, source: Endpoint): void {
    if (!isInvite2xx(res)) return;
    if (this.dialog && this.ownDialog(res)) return this.sendAck();
    this.refuse(res, source);
  }

  private ownDialog(res: SipResponse): boolean {
    return tagOf(header(res, 'To')) === tagOf(this.dialog?.toHeader);
  }

  /** ACK then BYE a 2xx of an attempt the call abandoned, towards the server that sent it. */
  private refuse(res: SipResponse, source?: Endpoint): void {
    const server = this.target.servers.find((s) => source === undefined || (s.ip === source.ip && s.port === source.port)) ?? this.invite?.server;
    if (server) refuseAnswer(this.sip, res, server);
  }

  private sendAck(): void {
    if (!this.dialog) return;
    // The ACK of a 2xx carries the INVITE's CSeq number (§13.2.2.4).
    this.sip.sendStateless(this.inDialog('ACK', this.dialog.inviteCseq), this.dialog.server);
  }

  private common(server: Located): { from: string; to: string; via: string } {
    const { sip, target } = this;
    const name = target.displayName ? `"${target.displayName}" ` : '';
    return {
      from: `${name}<sip:${target.user}@${server.ip}>;tag=${this.fromTag}`,
      to: `<sip:${target.to}@${server.ip}>`,
      via: sip.via(server.transport),
    };
  }

  private buildInvite(server: Located): SipRequest {
    const c = this.common(server);
    return {
      type: 'request',
      method: 'INVITE',
      uri: `sip:${this.target.to}@${server.ip}${server.port === 5060 ? '' : `:${server.port}`}`,
      headers: [
        ['Via', c.via],
        ['Max-Forwards', '70'],
        ['From', c.from],
        ['To', c.to],
        ['Call-ID', this.callId],
        ['CSeq', `${++this.cseq} INVITE`],
        ['Contact', this.sip.contactFor(this.target.user, server.transport)],
        ['User-Agent', 'sipsim-phone'],
      ],
      body: '',
    };
  }

  /** An ACK or BYE of the dialog; `via` = the address it is sent to (its transport goes in the Via). */
  private inDialog(method: 'ACK' | 'BYE', cseqNo: number, via?: Located): SipRequest {
    const d = this.dialog!;
    const c = this.common(d.server);
    if (via) c.via = this.sip.via(via.transport);
    return {
      type: 'request',
      method,
      uri: d.target,
      headers: [['Via', c.via], ['Max-Forwards', '70'], ['From', c.from], ['To', d.toHeader], ['Call-ID', this.callId], ['CSeq', `${cseqNo} ${method}`]],
      body: '',
    };
  }
}

