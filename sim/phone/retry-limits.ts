import type { RetransmitLimit } from '../sip/transaction-user.js';
import type { ModelOptions } from './model-options.js';
import type { ServerSettings } from './phone-config.js';

/** Model option A1 (AMB-01 retryCounts): how "retry N times" reads, as a transaction's retransmission bound. */
export function retryLimit(n: number, mode: ModelOptions['retryCounts']): RetransmitLimit {
  switch (mode) {
    case 'retransmissions-then-wait':
      return { count: n, giveUp: 'next-interval' };
    case 'retransmissions-then-move':
      return { count: n, giveUp: 'at-once' };
    case 'sends-in-all':
      return { count: Math.max(0, n - 1), giveUp: 'next-interval' };
  }
}

/** Model option A2 (AMB-02 inviteFailover): what bounds an INVITE to an address that is not the last of the list. */
export function inviteLimit(server: ServerSettings, o: Pick<ModelOptions, 'inviteFailover' | 'retryCounts'>): RetransmitLimit | undefined {
  switch (o.inviteFailover) {
    case 'timer-b':
      return undefined;
    case 'retry-counts':
      return retryLimit(server.retryCounts, o.retryCounts);
    case 'invite-retry-counts':
      return retryLimit(server.inviteRetryCounts, o.retryCounts);
  }
}

/**
 * The bound of each entry of a call's list (R2 / B3): a bounded retry for every address but the
 * "last server", which gets the full RFC 3261 timeout (undefined). Which entries are "last" is
 * AMB-04 (model option lastServerScope): 'lastOfCombinedList' (★) — the very last entry only;
 * 'lastOfServer1Addresses' — also the last of server 1's addresses; 'perServerLast' — the last
 * address of each configured server (sip_server.Y), wherever it stands in the walk.
 */
export function callLimits(entries: readonly ServerSettings[], o: Pick<ModelOptions, 'inviteFailover' | 'retryCounts' | 'lastServerScope'>): (RetransmitLimit | undefined)[] {
  const limits = entries.map((s) => inviteLimit(s, o));
  const unbounded = new Set<number>([entries.length - 1]);
  if (o.lastServerScope === 'lastOfServer1Addresses') unbounded.add(entries.map((s) => s.index).lastIndexOf(1));
  if (o.lastServerScope === 'perServerLast') for (const s of new Set(entries)) unbounded.add(entries.lastIndexOf(s));
  for (const i of unbounded) if (i >= 0) limits[i] = undefined;
  return limits;
}
