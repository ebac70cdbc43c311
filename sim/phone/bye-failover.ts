import type { Located } from '../dns/server-locator.js';
import type { RetransmitLimit } from '../sip/transaction-user.js';
import type { ModelOptions } from './model-options.js';
import type { ServerSettings } from './phone-config.js';
import { retryBound } from './retry-limits.js';

/** Where a BYE that failed goes next (AMB-38 inDialogFailover = failoverPer3263), and the bound of each address but the last. */
export interface ByeFailover {
  next: Located[];
  /** Undefined: the full Timer F (retryCounts = transactions or ignored: one BYE transaction per address). */
  limit: RetransmitLimit | undefined;
}

const same = (a: Located, b: Located): boolean => a.ip === b.ip && a.port === b.port && a.transport === b.transport;

/**
 * RFC 3263 §4.3: a request that failed (timeout, transport error, 503) is sent again, as a new
 * transaction, to the next address of the list its target was located to. For a BYE that list is
 * the dialog's configured server's addresses, in the order the call walked them; server 2 (another
 * configured server) does not hold the dialog and is not tried. Every address but the last is
 * bounded by that server's retry_counts (B3, read per AMB-01 retryCounts).
 */
export function byeFailover(
  entries: readonly { server: Located; settings: ServerSettings }[],
  first: Located,
  o: Pick<ModelOptions, 'retryCounts' | 'retryCountZero'>,
): ByeFailover {
  const settings = entries.find((e) => same(e.server, first))?.settings;
  const next = settings ? entries.filter((e) => e.settings === settings && !same(e.server, first)).map((e) => e.server) : [];
  return { next, limit: retryBound(settings?.retryCounts ?? 0, o).limit };
}
