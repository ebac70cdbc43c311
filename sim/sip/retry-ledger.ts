import type { SipResponse } from './message.js';
import type { ClientTransaction, ClientTransactionUser, RetransmitLimit } from './transaction-user.js';

/** An address as the ledger keys it: the transport matters (5060/udp and 5060/tcp are different sockets). */
interface LedgerAddress {
  ip: string;
  port: number;
  transport?: string;
}

/**
 * The fact sheet's AMB-01 sub-question, model option retryCountScope: does `retry_counts` restart
 * with every request, or is it one count shared by every request to the same server?
 *
 * 'perRequest' (the default; the model before the option, and RFC 3261's reading, where every
 * transaction has its own timers) needs no ledger. 'perServer' is this ledger: the retries a
 * server has cost without answering — retransmissions, and ICMP errors counted as retries — add
 * up across requests, and a new bounded request to it gets only what is left of its bound. Any
 * response from the server (a 503 too: it is alive) clears its account.
 *
 * Kept per SIP endpoint (one per phone), keyed by ip:port/transport; only addresses that failed
 * to answer are held, and an answer removes them, so it grows with the servers, not with time.
 */
export class RetryLedger {
  private readonly unanswered = new Map<string, number>();

  /** The bound a new transaction to `dst` gets: `limit` less the retries the address has already cost. */
  limitFor(dst: LedgerAddress, limit: RetransmitLimit | undefined): RetransmitLimit | undefined {
    if (!limit) return undefined;
    const used = this.unanswered.get(keyOf(dst)) ?? 0;
    return used === 0 ? limit : { count: Math.max(0, limit.count - used), giveUp: limit.giveUp };
  }

  /** How many retries `dst` has cost since it last answered (for trace reasons and tests). */
  usedBy(dst: LedgerAddress): number {
    return this.unanswered.get(keyOf(dst)) ?? 0;
  }

  /**
   * Wraps a transaction's user so that the ledger sees its outcome: a response clears the
   * address; a timeout or transport error adds the retries the transaction used.
   */
  watch(dst: LedgerAddress, tu: ClientTransactionUser, txn: () => ClientTransaction | undefined): ClientTransactionUser {
    const key = keyOf(dst);
    const charge = (): void => {
      const used = txn()?.retriesUsed ?? 0;
      if (used > 0) this.unanswered.set(key, (this.unanswered.get(key) ?? 0) + used);
    };
    return {
      receiveResponse: (response: SipResponse) => {
        this.unanswered.delete(key);
        tu.receiveResponse(response);
      },
      onRequestTimeout: (timer) => {
        charge();
        tu.onRequestTimeout(timer);
      },
      onTransportError: (cause) => {
        charge();
        tu.onTransportError(cause);
      },
    };
  }
}

function keyOf(dst: LedgerAddress): string {
  return `${dst.ip}:${dst.port}/${dst.transport ?? 'udp'}`;
}
