import type { Trace } from '../core/trace.js';
import type { Located } from '../dns/server-locator.js';
import type { SipRequest } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
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

/**
 * AMB-38 failoverPer3263: sends the BYE to `list[i]` (built by `bye` for that address); on a
 * timeout, transport error or 503 the same BYE (same CSeq, new branch: a new transaction, RFC 3263
 * §4.3) goes to the next address. Each step is a call.bye record; every address but the last is
 * bounded by `limit`.
 */
export function sendByeWalk(
  ctx: { sip: SipEndpoint; trace: Trace; phone: string; call: number },
  list: readonly Located[],
  limit: RetransmitLimit | undefined,
  bye: (to: Located) => SipRequest,
  i = 0,
): void {
  const server = list[i]!;
  const name = ctx.sip.nameOf(server);
  const failed = (why: string): void => {
    const next = list[i + 1];
    ctx.trace.emit({
      kind: 'call.bye', phone: ctx.phone, call: ctx.call, server: next ? ctx.sip.nameOf(next) : null,
      reason: next ? `BYE to ${name}: ${why}; sent again to the next address (inDialogFailover = failoverPer3263)` : `BYE to ${name}: ${why}; no address left, the dialog ends locally`,
    });
    if (next) sendByeWalk(ctx, list, limit, bye, i + 1);
  };
  ctx.sip.sendRequest(bye(server), server, {
    receiveResponse: (res) => (res.status === 503 ? failed(`${res.status} ${res.reason}`) : undefined),
    onRequestTimeout: (timer) => failed(timer === 'retry-counts' ? 'retry counts exhausted' : `Timer ${timer} fired: no response`),
    onTransportError: (cause) => failed(cause),
  }, i < list.length - 1 ? limit : undefined);
}
