import type { EventFn, EventHandle } from '../core/clock.js';
import type { Endpoint } from '../core/trace.js';
import { SipRequest, SipResponse, topBranch } from './message.js';
import { TransactionState as S } from './transaction-state.js';
import { type TransactionContext, transactionKey } from './transaction-user.js';

type NistState = S.Trying | S.Proceeding | S.Completed | S.Terminated;

const ALLOWED: Record<NistState, NistState[]> = {
  [S.Trying]: [S.Proceeding, S.Completed, S.Terminated],
  [S.Proceeding]: [S.Completed, S.Terminated],
  [S.Completed]: [S.Terminated],
  [S.Terminated]: [],
};

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2: answers request retransmissions with the
 * last response; Timer J (64·T1 unreliable, 0 reliable) keeps it in Completed to absorb them.
 */
export class NonInviteServerTransaction {
  private state: NistState = S.Trying;
  private lastResponse: SipResponse | undefined;
  private timerJ: EventHandle = 0;
  readonly branch: string;
  /** The transport's key for this transaction (transactionKey), built once. */
  readonly key: string;
  readonly method: string;

  /**
   * The request is read here and not kept: a Completed transaction lives Timer J (32 s over
   * UDP) and needs only its last response. Holding the request too kept each REGISTER's headers
   * alive that long, long enough in a fleet to outlive two scavenges and be copied to old space.
   */
  constructor(
    private readonly ctx: TransactionContext,
    request: SipRequest,
    readonly replyTo: Endpoint,
  ) {
    this.branch = topBranch(request);
    this.method = request.method;
    this.key = transactionKey(this.branch, this.method);
    this.trace('init', S.Trying, `${this.method} received`);
  }

  get terminated(): boolean {
    return this.state === S.Terminated;
  }

  respond(res: SipResponse): void {
    if (this.state === S.Completed || this.state === S.Terminated) return;
    this.lastResponse = res;
    this.ctx.send(res, this.replyTo);
    if (res.status >= 200) this.transitionTo(S.Completed, `${res.status} ${res.reason} sent`);
    else if (this.state === S.Trying) this.transitionTo(S.Proceeding, `${res.status} ${res.reason} sent`);
  }

  /** A retransmission of the request: Trying absorbs it, later states repeat the last response. */
  receiveRequest(_req: SipRequest): void {
    if ((this.state === S.Proceeding || this.state === S.Completed) && this.lastResponse) {
      this.ctx.send(this.lastResponse, this.replyTo);
    }
  }

  /** One handler for every transaction's Timer J (the transaction is its argument): no closure per transaction. */
  private static readonly timerJFired: EventFn<NonInviteServerTransaction> = (t) => t.transitionTo(S.Terminated, 'Timer J fired');

  private transitionTo(next: NistState, reason: string): void {
    if (!ALLOWED[this.state].includes(next)) throw new Error(`Cannot move ${this.method} server transaction from ${this.state} to ${next}`);
    const from = this.state;
    this.state = next;
    if (next === S.Completed) this.timerJ = this.ctx.clock.schedule(this.ctx.timers.J, NonInviteServerTransaction.timerJFired, this, this.ctx.host);
    if (next === S.Terminated) {
      this.ctx.clock.cancel(this.timerJ);
      this.ctx.onTerminated('nist', this.key);
    }
    this.trace(from, next, reason);
  }

  private trace(from: string, to: string, reason: string): void {
    if (this.ctx.trace.on['sip.txn.state']) this.ctx.trace.emit({ kind: 'sip.txn.state', host: this.ctx.host, txn: 'nist', branch: this.branch, method: this.method, from, to, reason });
  }
}
