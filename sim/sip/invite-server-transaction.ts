import type { EventHandle } from '../core/clock.js';
import type { Endpoint } from '../core/trace.js';
import { SipRequest, SipResponse, topBranch } from './message.js';
import { TransactionState as S } from './transaction-state.js';
import { type ServerTransactionUser, type TransactionContext, transactionKey } from './transaction-user.js';

type IstState = S.Proceeding | S.Accepted | S.Completed | S.Confirmed | S.Terminated;

const ALLOWED: Record<IstState, IstState[]> = {
  [S.Proceeding]: [S.Accepted, S.Completed, S.Terminated],
  [S.Accepted]: [S.Terminated],
  [S.Completed]: [S.Confirmed, S.Terminated],
  [S.Confirmed]: [S.Terminated],
  [S.Terminated]: [],
};

/**
 * INVITE server transaction, RFC 3261 §17.2.1 with RFC 6026's Accepted state. Timer G
 * retransmits a non-2xx final (T1 doubling up to T2, unreliable only) until the ACK; Timer H
 * (64·T1) gives up waiting for it; Timer I absorbs ACK retransmissions; Timer L absorbs INVITE
 * retransmissions after a 2xx (whose own retransmission is the TU's job, §13.3.1.4).
 */
export class InviteServerTransaction {
  private state: IstState = S.Proceeding;
  private lastResponse: SipResponse | undefined;
  private timerG: EventHandle = 0;
  private timerH: EventHandle = 0;
  private timerI: EventHandle = 0;
  private timerL: EventHandle = 0;
  private interval = 0;
  private retransmits = 0;
  readonly branch: string;
  /** The transport's key for this transaction (transactionKey), built once. */
  readonly key: string;

  constructor(
    private readonly ctx: TransactionContext,
    readonly request: SipRequest,
    readonly replyTo: Endpoint,
    private readonly tu: ServerTransactionUser = {},
  ) {
    this.branch = topBranch(request);
    this.key = transactionKey(this.branch, 'INVITE');
    this.trace('init', S.Proceeding, 'INVITE received');
  }

  get terminated(): boolean {
    return this.state === S.Terminated;
  }

  respond(res: SipResponse): void {
    const cls = Math.floor(res.status / 100);
    if (this.state === S.Accepted && cls === 2) return this.ctx.send(res, this.replyTo); // TU's 2xx retransmission
    if (this.state !== S.Proceeding) return;
    this.lastResponse = res;
    this.ctx.send(res, this.replyTo);
    if (cls === 2) this.transitionTo(S.Accepted, `${res.status} ${res.reason} sent`);
    else if (cls >= 3) this.transitionTo(S.Completed, `${res.status} ${res.reason} sent`);
  }

  /** A request matching this transaction: an INVITE retransmission or the ACK of a non-2xx. */
  receiveRequest(req: SipRequest): void {
    if (req.method === 'ACK') {
      if (this.state === S.Completed) this.transitionTo(S.Confirmed, 'ACK received');
      return;
    }
    // §17.2.1: a retransmitted INVITE gets the most recent provisional or final response again.
    if ((this.state === S.Proceeding || this.state === S.Completed) && this.lastResponse) {
      this.ctx.send(this.lastResponse, this.replyTo);
    }
  }

  private readonly onTimerG = (): void => {
    if (this.state !== S.Completed) return;
    if (this.ctx.trace.on['sip.retransmit']) this.ctx.trace.emit({ kind: 'sip.retransmit', host: this.ctx.host, branch: this.branch, method: 'INVITE', count: ++this.retransmits, timer: 'G' });
    this.ctx.send(this.lastResponse!, this.replyTo);
    this.interval = Math.min(2 * this.interval, this.ctx.timers.t2);
    this.timerG = this.ctx.clock.schedule(this.interval, this.onTimerG, undefined, this.ctx.host);
  };

  private readonly onTimerH = (): void => {
    if (this.state !== S.Completed) return;
    this.ctx.trace.emit({ kind: 'sip.timeout', host: this.ctx.host, branch: this.branch, method: 'INVITE', timer: 'H', peer: this.ctx.nameOf(this.replyTo) });
    this.transitionTo(S.Terminated, 'Timer H fired: no ACK');
    this.tu.onAckTimeout?.();
  };

  private readonly onTimerI = (): void => this.transitionTo(S.Terminated, 'Timer I fired');
  private readonly onTimerL = (): void => this.transitionTo(S.Terminated, 'Timer L fired');

  private transitionTo(next: IstState, reason: string): void {
    if (!ALLOWED[this.state].includes(next)) throw new Error(`Cannot move INVITE server transaction from ${this.state} to ${next}`);
    const { clock, timers, host } = this.ctx;
    const from = this.state;
    this.state = next;
    if (next === S.Completed) {
      if (timers.G > 0) {
        this.interval = timers.G;
        this.timerG = clock.schedule(this.interval, this.onTimerG, undefined, host);
      }
      this.timerH = clock.schedule(timers.H, this.onTimerH, undefined, host);
    }
    if (next === S.Confirmed) {
      clock.cancel(this.timerG);
      clock.cancel(this.timerH);
      this.timerI = clock.schedule(timers.I, this.onTimerI, undefined, host);
    }
    if (next === S.Accepted) this.timerL = clock.schedule(timers.L, this.onTimerL, undefined, host);
    if (next === S.Terminated) {
      for (const h of [this.timerG, this.timerH, this.timerI, this.timerL]) clock.cancel(h);
      this.ctx.onTerminated('ist', this.key);
    }
    this.trace(from, next, reason);
  }

  private trace(from: string, to: string, reason: string): void {
    if (this.ctx.trace.on['sip.txn.state']) this.ctx.trace.emit({ kind: 'sip.txn.state', host: this.ctx.host, txn: 'ist', branch: this.branch, method: 'INVITE', from, to, reason });
  }
}
