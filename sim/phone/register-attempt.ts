import type { Located } from '../dns/server-locator.js';
import type { SipResponse } from '../sip/message.js';
import type { ClientTransactionUser } from '../sip/transaction-user.js';
import type { ServerList } from './server-directory.js';
import type { AddressBound } from './retry-limits.js';

/** What a REGISTER attempt reports to the agent that sent it (RegistrationAgent). */
export interface AttemptOwner {
  /** A final response to the REGISTER. */
  attemptAnswered(a: RegisterAttempt, res: SipResponse): void;
  /** Timer B/F or the retry bound ended the REGISTER unanswered. */
  attemptTimedOut(a: RegisterAttempt, timer: 'B' | 'F' | 'retry-counts'): void;
  /** The address failed (a transport error here; a 503 or a timeout through the others): the walk moves on. */
  attemptMoveOn(a: RegisterAttempt, reason: string): void;
}

/**
 * One REGISTER transaction of a walk down a server's address list: where it is in the walk and
 * what its outcome is reported to. One object per REGISTER, and it is the transaction's user
 * itself — a fleet sends millions of REGISTERs, and a closure per callback (six per REGISTER)
 * was the largest allocation of a registration.
 */
export class RegisterAttempt implements ClientTransactionUser {
  constructor(
    readonly owner: AttemptOwner,
    /** The addresses this walk goes down, in request order. */
    readonly list: ServerList,
    /** The index in `list.servers` of the address this REGISTER goes to. */
    readonly index: number,
    /** Every located address of the server (the failback preference is told the registered one's place). */
    readonly located: readonly Located[],
    /** The walk's run number: a reply to an older run is ignored. */
    readonly run: number,
    /** A register_on_enable REGISTER: its failure leaves the account as it was. */
    readonly side: boolean,
    readonly sideDone: ((ok: boolean) => void) | undefined,
    /** Which transaction to this address it is (AMB-01 retryCounts = transactions). */
    readonly sent: number,
    readonly server: Located,
    /** The retry bound of an address that is not the last (reference A1), undefined on the last. */
    readonly bound: AddressBound | undefined,
  ) {}

  get last(): boolean {
    return this.index === this.list.servers.length - 1;
  }

  receiveResponse(res: SipResponse): void {
    if (res.status >= 200) this.owner.attemptAnswered(this, res);
  }

  onRequestTimeout(timer: 'B' | 'F' | 'retry-counts'): void {
    this.owner.attemptTimedOut(this, timer);
  }

  onTransportError(cause: string): void {
    this.owner.attemptMoveOn(this, cause);
  }
}
