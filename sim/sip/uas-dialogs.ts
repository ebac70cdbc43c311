import { noEntries, withEntry, withoutEntry } from '../core/sparse-map.js';
import type { Clock, EventHandle } from '../core/clock.js';
import type { Trace } from '../core/trace.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import { SipRequest, SipResponse, header, responseTo, topBranch } from './message.js';
import { listenPort, SipEndpoint, SipTarget } from './sip-endpoint.js';
import { NO_OUTCOME } from './transaction-user.js';
import type { SipTimerConfig } from './timers.js';

interface Answered {
  /** The remote target: the INVITE's Contact (where an in-dialog request of ours goes). */
  remote: string;
  response: SipResponse;
  replyTo: SipTarget;
  retransmit: EventHandle;
  interval: number;
  sentAt: number;
  /** Whose call it is: the timer handlers are shared by every UasDialogs (no closures per phone). */
  owner: UasDialogs;
}

/**
 * The answering side of calls (a UAS core), shared by servers and phones: sends the final answer
 * of an INVITE, retransmits a 2xx over UDP — T1 doubling up to T2 until the ACK or 64·T1
 * (RFC 3261 §13.3.1.4) — and answers BYE for the calls it holds.
 */
export class UasDialogs {
  private calls = noEntries<string, Answered>();

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    private readonly timers: SipTimerConfig,
    private readonly tag: string,
  ) {}

  /** Answered calls still held (their BYE not yet come). */
  get open(): number {
    return this.calls.size;
  }

  /** Sends the final answer; a 2xx opens a dialog that BYE closes. */
  answer(req: SipRequest, txn: InviteServerTransaction, status: number): void {
    if (txn.terminated) return;
    const transport = (txn.replyTo as SipTarget).transport ?? 'udp';
    const contact = `<sip:${this.sip.host.ip}:${listenPort(transport)}${transport === 'udp' ? '' : `;transport=${transport}`}>`;
    const res = responseTo(req, status, status < 300 ? [['Contact', contact]] : [], this.tag);
    txn.respond(res);
    if (status >= 300) return;
    const call: Answered = { remote: /<([^>]+)>/.exec(header(req, 'Contact') ?? '')?.[1] ?? req.uri, response: res, replyTo: txn.replyTo, retransmit: 0, interval: this.timers.t1, sentAt: this.clock.now, owner: this };
    this.calls = withEntry(this.calls, header(req, 'Call-ID') ?? '', call);
    // Over TCP/TLS the transport recovers losses; only UDP needs the 2xx retransmitted.
    if (transport === 'udp') call.retransmit = this.clock.schedule(call.interval, retransmit2xx, call, this.sip.host.name);
    // Nothing to retransmit over TCP/TLS, but the 64·T1 wait for the ACK holds all the same: a 2xx
    // lost with its connection (the server crashed as it answered) must not leave the call open for ever.
    else call.retransmit = this.clock.schedule(64 * this.timers.t1, noAck, call, this.sip.host.name);
  }

  /** The ACK of a 2xx (it comes outside the INVITE transaction): stop retransmitting. */
  ack(req: SipRequest): void {
    const call = this.calls.get(header(req, 'Call-ID') ?? '');
    if (call) this.clock.cancel(call.retransmit);
  }

  /** 200 for a BYE of a call we hold, 481 otherwise (RFC 3261 §15.1.2). */
  bye(req: SipRequest): SipResponse {
    const id = header(req, 'Call-ID') ?? '';
    const call = this.calls.get(id);
    if (call) this.clock.cancel(call.retransmit);
    const held = this.calls.has(id);
    this.calls = withoutEntry(this.calls, id);
    return responseTo(req, held ? 200 : 481, [], this.tag);
  }

  /**
   * No ACK came in 64·T1: §13.3.1.4 — "the dialog is confirmed, but the session SHOULD be
   * terminated ... with a BYE". Without it the UAS would keep a call the caller never knew it
   * had (its 2xx lost in a partition, the caller long gone): the BYE goes out and the call is dropped.
   */
  private giveUp(call: Answered): void {
    const id = header(call.response, 'Call-ID') ?? '';
    this.calls = withoutEntry(this.calls, id);
    const res = call.response;
    const bye: SipRequest = {
      type: 'request',
      method: 'BYE',
      uri: call.remote,
      headers: [
        ['Via', this.sip.via(call.replyTo.transport)],
        ['Max-Forwards', '70'],
        ['From', header(res, 'To') ?? ''],
        ['To', header(res, 'From') ?? ''],
        ['Call-ID', id],
        ['CSeq', '1 BYE'],
      ],
      body: '',
    };
    // To the remote target (the INVITE's Contact): over TCP/TLS the request's source port is the
    // caller's ephemeral one, and its connection may be gone (that is how the ACK got lost).
    const m = /^sips?:(?:[^@]+@)?([\d.]+)(?::(\d+))?/i.exec(call.remote);
    const transport = call.replyTo.transport ?? 'udp';
    const to = m ? { ip: m[1]!, port: Number(m[2] ?? listenPort(transport)), transport } : { ip: call.replyTo.ip, port: call.replyTo.port, transport };
    this.sip.sendRequest(bye, to, NO_OUTCOME);
  }

  /** @internal Timer handler (noAck). */
  giveUpOn(call: Answered): void {
    this.giveUp(call);
  }

  /** @internal Timer handler (retransmit2xx). */
  retransmit2xx(call: Answered): void {
    if (this.clock.now - call.sentAt >= 64 * this.timers.t1) return this.giveUp(call);
    this.trace.emit({ kind: 'sip.retransmit', host: this.sip.host.name, branch: topBranch(call.response), method: 'INVITE', count: 0, timer: '2xx' });
    this.sip.sendStateless(call.response, call.replyTo);
    call.interval = Math.min(2 * call.interval, this.timers.t2);
    call.retransmit = this.clock.schedule(call.interval, retransmit2xx, call, this.sip.host.name);
  }
}

const noAck = (call: Answered): void => call.owner.giveUpOn(call);
const retransmit2xx = (call: Answered): void => call.owner.retransmit2xx(call);
