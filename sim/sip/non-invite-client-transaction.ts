import type { EventFn, EventHandle } from '../core/clock.js';
import type { Endpoint } from '../core/trace.js';
import { SipRequest, SipResponse, topBranch } from './message.js';
import { TransactionState as S } from './transaction-state.js';
import { type ClientTransaction, type ClientTransactionUser, NO_OUTCOME, type RetransmitLimit, type TransactionContext, transactionKey } from './transaction-user.js';

type NictState = S.Trying | S.Proceeding | S.Completed | S.Terminated;

const ALLOWED: Record<NictState, NictState[]> = {
  [S.Trying]: [S.Proceeding, S.Completed, S.Terminated],
  [S.Proceeding]: [S.Completed, S.Terminated],
  [S.Completed]: [S.Terminated],
  [S.Terminated]: [],
};

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2. Timer E retransmits on unreliable
 * transports (T1 doubling up to T2; T2 once a provisional arrived), Timer F (64·T1) bounds the
 * transaction, Timer K absorbs response retransmissions.
 */
export class NonInviteClientTransaction implements ClientTransaction {
  private state: NictState = S.Trying;
  private timerE: EventHandle = 0;
  private timerF: EventHandle = 0;
  private timerK: EventHandle = 0;
  private interval = 0;
  private retransmits = 0;
  /** ICMP errors counted as retries (icmpHandling = countAsOneRetry). */
  private softErrors = 0;
  readonly branch: string;
  /** The transport's key for this transaction (transactionKey), built once. */
  readonly key: string;
  readonly method: string;

  constructor(
    private readonly ctx: TransactionContext,
    readonly request: SipRequest,
    readonly dst: Endpoint,
    /** Let go once it has the final response (NO_OUTCOME after): Completed only absorbs retransmissions for Timer K, and the TU's state need not live that long. */
    private tu: ClientTransactionUser,
    private readonly limit?: RetransmitLimit,
    /** Why this transaction was started, when the stack started it on its own (AMB-21 connectAttempts); added to its first trace reason. */
    private readonly note?: string,
  ) {
    this.branch = topBranch(request);
    this.method = request.method;
    this.key = transactionKey(this.branch, this.method);
  }

  get retriesUsed(): number {
    return this.retransmits + this.softErrors;
  }

  get terminated(): boolean {
    return this.state === S.Terminated;
  }

  start(): void {
    this.trace('init', S.Trying, `${this.method} sent${this.note !== undefined ? ` (${this.note})` : ''}`);
    this.ctx.send(this.request, this.dst);
    const { clock, timers, host } = this.ctx;
    if (timers.E > 0) {
      this.interval = timers.E;
      this.timerE = clock.schedule(this.interval, NonInviteClientTransaction.timerEFired, this, host);
    }
    const armF = (): void => {
      if (this.state === S.Trying || this.state === S.Proceeding) this.timerF = this.ctx.clock.schedule(this.ctx.timers.F, NonInviteClientTransaction.timerFFired, this, this.ctx.host);
    };
    if (!this.ctx.armAfterConnect?.(this.dst, armF)) armF();
    this.checkGiveUpAtOnce();
  }

  receiveResponse(res: SipResponse): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return; // Completed absorbs retransmissions.
    if (res.status < 200) {
      if (this.state === S.Trying) this.transitionTo(S.Proceeding, `${res.status} ${res.reason} received`);
      return this.tu.receiveResponse(res);
    }
    this.transitionTo(S.Completed, `${res.status} ${res.reason} received`);
    const tu = this.tu;
    this.tu = NO_OUTCOME;
    tu.receiveResponse(res);
  }

  onTransportError(cause: string): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    this.ctx.trace.emit({ kind: 'sip.transport-error', host: this.ctx.host, branch: this.branch, method: this.method, cause, peer: this.ctx.nameOf(this.dst) });
    this.transitionTo(S.Terminated, `transport error: ${cause}`);
    this.tu.onTransportError(cause);
  }
  /** icmpHandling = countAsOneRetry: the error uses up one retry; with no bound it changes nothing (B/F decide). */
  onSoftError(cause: string): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    this.softErrors++;
    this.ctx.trace.emit({ kind: 'sip.transport-error', host: this.ctx.host, branch: this.branch, method: this.method, cause: `${cause} (counted as one retry: icmpHandling = countAsOneRetry)`, peer: this.ctx.nameOf(this.dst) });
    this.checkGiveUpAtOnce();
  }


  // Timer handlers shared by every transaction (the transaction is the event's argument): no closures per transaction.
  private static readonly timerEFired: EventFn<NonInviteClientTransaction> = (t) => t.onTimerE();
  private static readonly timerFFired: EventFn<NonInviteClientTransaction> = (t) => t.onTimerF();
  private static readonly timerKFired: EventFn<NonInviteClientTransaction> = (t) => t.transitionTo(S.Terminated, 'Timer K fired');
  private static readonly giveUpDue: EventFn<NonInviteClientTransaction> = (t) => t.onGiveUp();

  private onTimerE(): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    if (this.limit && this.limit.giveUp === 'next-interval' && this.retransmits + this.softErrors >= this.limit.count) {
      return this.timeout('retry-counts');
    }
    this.retransmits++;
    if (this.ctx.trace.on['sip.retransmit']) this.ctx.trace.emit({ kind: 'sip.retransmit', host: this.ctx.host, branch: this.branch, method: this.method, count: this.retransmits, timer: 'E' });
    this.ctx.send(this.request, this.dst);
    // §17.1.2.2: double up to T2 while Trying; T2 once Proceeding.
    this.interval = this.state === S.Proceeding ? this.ctx.timers.t2 : Math.min(2 * this.interval, this.ctx.timers.t2);
    this.timerE = this.ctx.clock.schedule(this.interval, NonInviteClientTransaction.timerEFired, this, this.ctx.host);
    this.checkGiveUpAtOnce();
  }

  private onTimerF(): void {
    if (this.state === S.Trying || this.state === S.Proceeding) this.timeout('F');
  }

  /** 'at-once' limit: give up right after the last allowed send — as an event, so the TU never hears of it inside sendRequest. */
  private checkGiveUpAtOnce(): void {
    if (this.limit?.giveUp === 'at-once' && this.retransmits + this.softErrors >= this.limit.count) {
      this.ctx.clock.cancel(this.timerE);
      this.timerE = this.ctx.clock.schedule(0, NonInviteClientTransaction.giveUpDue, this, this.ctx.host);
    }
  }

  private onGiveUp(): void {
    if (this.state === S.Trying || this.state === S.Proceeding) this.timeout('retry-counts');
  }

  private timeout(timer: 'F' | 'retry-counts'): void {
    this.ctx.trace.emit({ kind: 'sip.timeout', host: this.ctx.host, branch: this.branch, method: this.method, timer, peer: this.ctx.nameOf(this.dst) });
    this.transitionTo(S.Terminated, timer === 'F' ? 'Timer F fired: no final response' : `retry limit reached after ${this.retransmits} retransmissions${this.softErrors > 0 ? ` and ${this.softErrors} ICMP error${this.softErrors > 1 ? 's' : ''}` : ''}`);
    this.tu.onRequestTimeout(timer);
  }

  private transitionTo(next: NictState, reason: string): void {
    if (!ALLOWED[this.state].includes(next)) throw new Error(`Cannot move ${this.method} client transaction from ${this.state} to ${next}`);
    const { clock, timers, host } = this.ctx;
    const from = this.state;
    this.state = next;
    if (next === S.Completed || next === S.Terminated) {
      clock.cancel(this.timerE);
      clock.cancel(this.timerF);
    }
    if (next === S.Completed) this.timerK = clock.schedule(timers.K, NonInviteClientTransaction.timerKFired, this, host);
    if (next === S.Terminated) {
      clock.cancel(this.timerK);
      this.ctx.onTerminated('nict', this.key);
    }
    this.trace(from, next, reason);
  }

  private trace(from: string, to: string, reason: string): void {
    if (this.ctx.trace.on['sip.txn.state']) this.ctx.trace.emit({ kind: 'sip.txn.state', host: this.ctx.host, txn: 'nict', branch: this.branch, method: this.method, from, to, reason });
  }
}
