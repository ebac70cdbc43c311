import type { EventHandle } from '../core/clock.js';
import type { Endpoint } from '../core/trace.js';
import { Header, SipRequest, SipResponse, header, topBranch } from './message.js';
import { TransactionState as S } from './transaction-state.js';
import { type ClientTransaction, type ClientTransactionUser, type RetransmitLimit, type TransactionContext, transactionKey } from './transaction-user.js';

type IctState = S.Calling | S.Proceeding | S.Accepted | S.Completed | S.Terminated;

const ALLOWED: Record<IctState, IctState[]> = {
  [S.Calling]: [S.Proceeding, S.Accepted, S.Completed, S.Terminated],
  [S.Proceeding]: [S.Accepted, S.Completed, S.Terminated],
  [S.Accepted]: [S.Terminated],
  [S.Completed]: [S.Terminated],
  [S.Terminated]: [],
};

/**
 * INVITE client transaction, RFC 3261 §17.1.1 with RFC 6026's Accepted state.
 * Timer A retransmits on unreliable transports (T1, doubling without cap), Timer B (64·T1)
 * bounds Calling, Timer D absorbs final-response retransmissions, Timer M absorbs 2xx ones.
 */
export class InviteClientTransaction implements ClientTransaction {
  private state: IctState = S.Calling;
  private timerA: EventHandle = 0;
  private timerB: EventHandle = 0;
  private timerD: EventHandle = 0;
  private timerM: EventHandle = 0;
  private interval = 0;
  private retransmits = 0;
  /** ICMP errors counted as retries (icmpHandling = countAsOneRetry). */
  private softErrors = 0;
  private ack: SipRequest | undefined;
  readonly branch: string;
  /** The transport's key for this transaction (transactionKey), built once. */
  readonly key: string;

  constructor(
    private readonly ctx: TransactionContext,
    readonly request: SipRequest,
    readonly dst: Endpoint,
    private readonly tu: ClientTransactionUser,
    private readonly limit?: RetransmitLimit,
    /** Why this transaction was started, when the stack started it on its own (AMB-21 connectAttempts); added to its first trace reason. */
    private readonly note?: string,
  ) {
    this.branch = topBranch(request);
    this.key = transactionKey(this.branch, 'INVITE');
  }

  get retriesUsed(): number {
    return this.retransmits + this.softErrors;
  }

  get terminated(): boolean {
    return this.state === S.Terminated;
  }


  start(): void {
    this.trace('init', S.Calling, `INVITE sent${this.note !== undefined ? ` (${this.note})` : ''}`);
    this.ctx.send(this.request, this.dst);
    const { clock, timers } = this.ctx;
    if (timers.A > 0) {
      this.interval = timers.A;
      this.timerA = clock.schedule(this.interval, this.onTimerA, undefined, this.ctx.host);
    }
    const armB = (): void => {
      if (this.state === S.Calling) this.timerB = this.ctx.clock.schedule(this.ctx.timers.B, this.onTimerB, undefined, this.ctx.host);
    };
    if (!this.ctx.armAfterConnect?.(this.dst, armB)) armB();
    this.checkGiveUpAtOnce();
  }

  receiveResponse(res: SipResponse): void {
    const cls = Math.floor(res.status / 100);
    switch (this.state) {
      case S.Calling:
      case S.Proceeding:
        if (cls === 1) {
          if (this.state === S.Calling) this.transitionTo(S.Proceeding, `${res.status} ${res.reason} received`);
          this.tu.receiveResponse(res);
        } else if (cls === 2) {
          this.transitionTo(S.Accepted, `${res.status} ${res.reason} received`);
          this.tu.receiveResponse(res);
        } else {
          // §17.1.1.3: the transaction itself ACKs a non-2xx final response.
          this.ack = this.buildAck(res);
          this.ctx.send(this.ack, this.dst);
          this.transitionTo(S.Completed, `${res.status} ${res.reason} received`);
          this.tu.receiveResponse(res);
        }
        return;
      case S.Accepted:
        // RFC 6026: 2xx retransmissions go to the TU, which re-sends its ACK.
        if (cls === 2) this.tu.receiveResponse(res);
        return;
      case S.Completed:
        if (cls >= 3 && this.ack) this.ctx.send(this.ack, this.dst);
        return;
      case S.Terminated:
        return;
    }
  }

  /**
   * The TU sent a CANCEL: if no final response comes within 64·T1, the transaction is over
   * anyway (RFC 3261 §9.1), so a dead server cannot keep it in Proceeding forever.
   */
  cancelled(): void {
    if (this.state !== S.Proceeding) return;
    this.ctx.clock.cancel(this.timerB);
    this.timerB = this.ctx.clock.schedule(this.ctx.timers.B, this.onCancelExpired, undefined, this.ctx.host);
  }

  private readonly onCancelExpired = (): void => {
    if (this.state === S.Proceeding) this.transitionTo(S.Terminated, 'no final response 64·T1 after CANCEL (RFC 3261 §9.1)');
  };

  onTransportError(cause: string): void {
    if (this.state !== S.Calling && this.state !== S.Proceeding) return;
    this.ctx.trace.emit({ kind: 'sip.transport-error', host: this.ctx.host, branch: this.branch, method: 'INVITE', cause, peer: this.ctx.nameOf(this.dst) });
    this.transitionTo(S.Terminated, `transport error: ${cause}`);
    this.tu.onTransportError(cause);
  }
  /** icmpHandling = countAsOneRetry: the error uses up one retry; with no bound it changes nothing (B/F decide). */
  onSoftError(cause: string): void {
    if (this.state !== S.Calling) return;
    this.softErrors++;
    this.ctx.trace.emit({ kind: 'sip.transport-error', host: this.ctx.host, branch: this.branch, method: 'INVITE', cause: `${cause} (counted as one retry: icmpHandling = countAsOneRetry)`, peer: this.ctx.nameOf(this.dst) });
    this.checkGiveUpAtOnce();
  }


  private readonly onTimerA = (): void => {
    if (this.state !== S.Calling) return;
    if (this.limit && this.limit.giveUp === 'next-interval' && this.retransmits + this.softErrors >= this.limit.count) {
      return this.timeout('retry-counts');
    }
    this.retransmits++;
    if (this.ctx.trace.on['sip.retransmit']) this.ctx.trace.emit({ kind: 'sip.retransmit', host: this.ctx.host, branch: this.branch, method: 'INVITE', count: this.retransmits, timer: 'A' });
    this.ctx.send(this.request, this.dst);
    this.interval *= 2; // §17.1.1.2: Timer A doubles with no cap.
    this.timerA = this.ctx.clock.schedule(this.interval, this.onTimerA, undefined, this.ctx.host);
    this.checkGiveUpAtOnce();
  };

  private readonly onTimerB = (): void => {
    if (this.state === S.Calling) this.timeout('B');
  };

  private readonly onTimerD = (): void => this.transitionTo(S.Terminated, 'Timer D fired');
  private readonly onTimerM = (): void => this.transitionTo(S.Terminated, 'Timer M fired');

  /** 'at-once' limit: give up right after the last allowed send — as an event, so the TU never hears of it inside sendRequest. */
  private checkGiveUpAtOnce(): void {
    if (this.limit?.giveUp === 'at-once' && this.retransmits + this.softErrors >= this.limit.count) {
      this.ctx.clock.cancel(this.timerA);
      this.timerA = this.ctx.clock.schedule(0, this.onGiveUp, undefined, this.ctx.host);
    }
  }

  private readonly onGiveUp = (): void => {
    if (this.state === S.Calling) this.timeout('retry-counts');
  };

  private timeout(timer: 'B' | 'retry-counts'): void {
    this.ctx.trace.emit({ kind: 'sip.timeout', host: this.ctx.host, branch: this.branch, method: 'INVITE', timer, peer: this.ctx.nameOf(this.dst) });
    this.transitionTo(S.Terminated, timer === 'B' ? 'Timer B fired: no response' : `retry limit reached after ${this.retransmits} retransmissions${this.softErrors > 0 ? ` and ${this.softErrors} ICMP error${this.softErrors > 1 ? 's' : ''}` : ''}`);
    this.tu.onRequestTimeout(timer);
  }

  /** The one place state changes: validates the move, runs entry actions, traces it. */
  private transitionTo(next: IctState, reason: string): void {
    if (!ALLOWED[this.state].includes(next)) throw new Error(`Cannot move INVITE client transaction from ${this.state} to ${next}`);
    const { clock, timers, host } = this.ctx;
    const from = this.state;
    this.state = next;
    if (next !== S.Calling) {
      clock.cancel(this.timerA);
      clock.cancel(this.timerB);
    }
    if (next === S.Completed) this.timerD = clock.schedule(timers.D, this.onTimerD, undefined, host);
    if (next === S.Accepted) this.timerM = clock.schedule(timers.M, this.onTimerM, undefined, host);
    if (next === S.Terminated) {
      clock.cancel(this.timerD);
      clock.cancel(this.timerM);
      this.ctx.onTerminated('ict', this.key);
    }
    this.trace(from, next, reason);
  }

  private trace(from: string, to: string, reason: string): void {
    if (this.ctx.trace.on['sip.txn.state']) this.ctx.trace.emit({ kind: 'sip.txn.state', host: this.ctx.host, txn: 'ict', branch: this.branch, method: 'INVITE', from, to, reason });
  }

  /** §17.1.1.3: ACK for a non-2xx final — same branch and Request-URI, To from the response. */
  private buildAck(res: SipResponse): SipRequest {
    const pick = (name: string): Header => [name, header(this.request, name)!];
    const cseqNo = (header(this.request, 'CSeq') ?? '1').split(/\s+/)[0];
    return {
      type: 'request',
      method: 'ACK',
      uri: this.request.uri,
      headers: [pick('Via'), ['Max-Forwards', '70'], pick('From'), ['To', header(res, 'To')!], pick('Call-ID'), ['CSeq', `${cseqNo} ACK`]],
      body: '',
    };
  }
}
