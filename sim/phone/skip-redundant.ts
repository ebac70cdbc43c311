import type { Located } from '../dns/server-locator.js';
import type { ServerListModelOptions } from './options/server-list.js';

/** What makes two list entries "the same server" under model option skipRedundantAddr (AMB-32). */
export function redundancyKey(s: Located, by: ServerListModelOptions['skipRedundantAddr']): string {
  if (by === 'ip') return s.ip;
  if (by === 'ip:port') return `${s.ip}:${s.port}`;
  return `${s.ip}:${s.port}:${s.transport}`;
}

/**
 * B9 — sip.skip_redundant_failover_addr = 1: a failover does not go to an entry equal (by `by`)
 * to one already in the list; the first keeps its place. Returns the kept entries and, for the
 * trace, each skipped one with the earlier entry it repeats.
 */
export function skipRedundant<T>(
  entries: readonly T[],
  server: (e: T) => Located,
  by: ServerListModelOptions['skipRedundantAddr'],
): { kept: T[]; skipped: { entry: T; sameAs: T }[] } {
  const first = new Map<string, T>();
  const kept: T[] = [];
  const skipped: { entry: T; sameAs: T }[] = [];
  for (const e of entries) {
    const k = redundancyKey(server(e), by);
    const earlier = first.get(k);
    if (earlier !== undefined) skipped.push({ entry: e, sameAs: earlier });
    else {
      first.set(k, e);
      kept.push(e);
    }
  }
  return { kept, skipped };
}

/** One entry in a trace reason: its name and full address ("sip1.example.com 10.0.0.1:5060:udp"). */
export function describeEntry(s: Located): string {
  const address = redundancyKey(s, 'ip:port:transport');
  return s.name === s.ip ? address : `${s.name} ${address}`;
}

/** The trace reason for one skipped entry. */
export function skippedReason(entry: Located, sameAs: Located, by: ServerListModelOptions['skipRedundantAddr']): string {
  return `skipped ${describeEntry(entry)}: same ${by} as ${describeEntry(sameAs)} (sip.skip_redundant_failover_addr = 1)`;
}
