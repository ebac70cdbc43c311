import type { RetransmitLimit } from '../sip/transaction-user.js';
import type { ModelOptions } from './model-options.js';
import type { ServerSettings } from './phone-config.js';

/**
 * How long one address of a walk (a call's list, a REGISTER's list) is tried before the walk
 * moves to the next (R2 / B3). A 503 or a transport error moves on at once whatever the bound.
 */
export interface AddressBound {
  /** The retransmission bound of each transaction to the address; undefined = the full Timer B/F (64·T1). */
  limit: RetransmitLimit | undefined;
  /**
   * AMB-01 retryCounts = transactions: how many whole transactions go to the address, each ended
   * by a timeout (Timer B/F), before the walk moves on; 1 under every other reading.
   */
  transactions: number;
}

/** The last server's bound (R2): one transaction, the full RFC 3261 timeout. */
export const FULL_TIMEOUT: AddressBound = { limit: undefined, transactions: 1 };

type RetryReading = Pick<ModelOptions, 'retryCounts' | 'retryCountZero'>;

/**
 * Model option A1 (AMB-01 retryCounts): how "retry N times" reads, as the bound of an address.
 * N = 0 is read by retryCountZero (AMB-01's sub-option) under every reading but 'ignored':
 * 'failAtFirstT1' (★) — the address has failed when the first retransmission would be due (T1);
 * 'noWait' — right after the first send; 'fullTimeout' — the full Timer B/F.
 */
export function retryBound(n: number, o: RetryReading): AddressBound {
  if (o.retryCounts === 'ignored') return FULL_TIMEOUT;
  if (n === 0) {
    switch (o.retryCountZero) {
      case 'failAtFirstT1':
        return { limit: { count: 0, giveUp: 'next-interval' }, transactions: 1 };
      case 'noWait':
        return { limit: { count: 0, giveUp: 'at-once' }, transactions: 1 };
      case 'fullTimeout':
        return FULL_TIMEOUT;
    }
  }
  switch (o.retryCounts) {
    case 'retransmissions-then-wait':
      return { limit: { count: n, giveUp: 'next-interval' }, transactions: 1 };
    case 'retransmissions-then-move':
      return { limit: { count: n, giveUp: 'at-once' }, transactions: 1 };
    case 'sends-in-all':
      return { limit: { count: n - 1, giveUp: 'next-interval' }, transactions: 1 };
    case 'transactions':
      return { limit: undefined, transactions: n };
  }
}

/** Model option A2 (AMB-02 inviteFailover): what bounds an INVITE to an address that is not the last of the list. */
export function inviteBound(server: ServerSettings, o: Pick<ModelOptions, 'inviteFailover'> & RetryReading): AddressBound {
  switch (o.inviteFailover) {
    case 'timer-b':
      return FULL_TIMEOUT;
    case 'retry-counts':
      return retryBound(server.retryCounts, o);
    case 'invite-retry-counts':
      return retryBound(server.inviteRetryCounts, o);
    case 'min-timer-b-counts':
      // Timer B bounds each transaction anyway: min(Timer B, counts) is the count bound within one transaction.
      return { limit: retryBound(server.inviteRetryCounts, o).limit, transactions: 1 };
  }
}

/**
 * The bound of each entry of a call's list (R2 / B3): a bounded retry for every address but the
 * "last server", which gets the full RFC 3261 timeout. Which entries are "last" is
 * AMB-04 (model option lastServerScope): 'lastOfCombinedList' (★) — the very last entry only;
 * 'lastOfServer1Addresses' — also the last of server 1's addresses; 'perServerLast' — the last
 * address of each configured server (sip_server.Y), wherever it stands in the walk.
 */
export function callBounds(entries: readonly ServerSettings[], o: Pick<ModelOptions, 'inviteFailover' | 'lastServerScope'> & RetryReading): AddressBound[] {
  const bounds = entries.map((s) => inviteBound(s, o));
  const unbounded = new Set<number>([entries.length - 1]);
  if (o.lastServerScope === 'lastOfServer1Addresses') unbounded.add(entries.map((s) => s.index).lastIndexOf(1));
  if (o.lastServerScope === 'perServerLast') for (const s of new Set(entries)) unbounded.add(entries.lastIndexOf(s));
  for (const i of unbounded) if (i >= 0) bounds[i] = FULL_TIMEOUT;
  return bounds;
}
