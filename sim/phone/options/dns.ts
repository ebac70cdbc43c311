/**
 * Model options of the DNS area (fact sheet B17–B20, AMB-15…20, 33, 34): where the vendor's
 * resolver text leaves a reading open. Joined into ModelOptions by model-options.ts.
 */
import type { ModelOptionSpec } from '../model-options.js';
import type { Micros } from '../../core/clock.js';
import type { LocateOptions } from '../../dns/server-locator.js';

export interface DnsModelOptions {
  /**
   * AMB-20 — how many queries a silent DNS server gets per name and server.
   * 'retriesPlusOne' (default, the sheet's ★): the first query and `retry_times` retries, each
   * waiting `query_timeout`, so 3 s × (2 + 1) = 9 s (queries at 0, 3, 6 s). 'retriesOnly':
   * `retry_times` queries in all (at least one), 3 s × 2 = 6 s.
   */
  dnsQueryTiming: 'retriesPlusOne' | 'retriesOnly';
  /**
   * AMB-18 — how long an NXDOMAIN/NODATA answer is remembered. 'soaMinimum' (default, ★):
   * min(SOA MINIMUM, SOA TTL) of the answer's authority SOA (RFC 2308 §5), not cached without
   * an SOA. 'fixed': negativeCacheFixedTtl seconds for every negative answer, SOA or not.
   */
  negativeCacheTtl: 'soaMinimum' | 'fixed';
  /** AMB-18 `fixed(seconds)`: the negative TTL when negativeCacheTtl is 'fixed'. Default 300. */
  negativeCacheFixedTtl: number;
  /**
   * AMB-18 — are SERVFAIL and unanswered questions (every try timed out) remembered?
   * 'upTo5min' (default, ★): for 300 s, RFC 2308 §7's upper bound — the next lookup of that
   * name and type fails at once (or goes to the static entries) without a query. 'no': never
   * cached, every lookup asks the servers again (the model before this option).
   */
  negativeCacheFailures: 'upTo5min' | 'no';
  /**
   * AMB-33 — a NAPTR record with an empty flag (non-terminal). 'requery' (default, ★, the newer
   * vendor text): NAPTR again on its replacement, whose records are then used (up to 5 such
   * steps; nothing usable there ⇒ the next record of the first answer). 'drop': the record is
   * ignored (the model before this option). The older text's "query NAPTR for sip:user@domain"
   * is not modelled.
   */
  naptrEmptyFlag: 'requery' | 'drop';
  /**
   * AMB-15 — order of SRV targets of equal priority. 'rfc2782Random' (default, ★): RFC 2782's
   * weighted random draw from the seeded stream phone:<name>:srv-weight. 'weightDescending': the
   * vendor's example — higher weight first, deterministically (equal weights keep zone order).
   * 'recordOrder': as the answer lists them.
   */
  srvEqualPrioritySelection: 'rfc2782Random' | 'weightDescending' | 'recordOrder';
  /**
   * AMB-16 — several A records for one name. 'asReturned' (default, ★): every address, in the
   * answer's order. 'rotate': every address, the list turned by one at each new lookup of that
   * name by this phone (client-side round robin). 'firstOnly': the first address only.
   */
  multiAddressOrder: 'asReturned' | 'rotate' | 'firstOnly';
  /**
   * AMB-34 — a domain with port 0 and transport 0/1/2. 'srv' (default, ★, RFC 3263 §4.2): SRV for
   * that transport, then A. 'aOnly': A only, on the transport's default port. Also the SRV order
   * under naptr_build = 1: 'tlsFirst' (default, ★, RFC 3263 preference: TLS, TCP, UDP) or
   * 'udpFirst' (the vendor's listing: UDP, TCP, TLS).
   */
  transportWithoutNaptr: 'srv' | 'aOnly';
  naptrBuildOrder: 'tlsFirst' | 'udpFirst';
}

export const DNS_DEFAULTS: DnsModelOptions = {
  dnsQueryTiming: 'retriesPlusOne',
  negativeCacheTtl: 'soaMinimum',
  negativeCacheFixedTtl: 300,
  negativeCacheFailures: 'upTo5min',
  naptrEmptyFlag: 'requery',
  srvEqualPrioritySelection: 'rfc2782Random',
  multiAddressOrder: 'asReturned',
  transportWithoutNaptr: 'srv',
  naptrBuildOrder: 'tlsFirst',
};

export const DNS_SPECS: { [K in keyof DnsModelOptions]: ModelOptionSpec } = {
  dnsQueryTiming: { kind: 'enum', values: ['retriesPlusOne', 'retriesOnly'] },
  negativeCacheTtl: { kind: 'enum', values: ['soaMinimum', 'fixed'] },
  negativeCacheFixedTtl: { kind: 'number', min: 0, max: 86400, integer: true },
  negativeCacheFailures: { kind: 'enum', values: ['upTo5min', 'no'] },
  naptrEmptyFlag: { kind: 'enum', values: ['requery', 'drop'] },
  srvEqualPrioritySelection: { kind: 'enum', values: ['rfc2782Random', 'weightDescending', 'recordOrder'] },
  multiAddressOrder: { kind: 'enum', values: ['asReturned', 'rotate', 'firstOnly'] },
  transportWithoutNaptr: { kind: 'enum', values: ['srv', 'aOnly'] },
  naptrBuildOrder: { kind: 'enum', values: ['tlsFirst', 'udpFirst'] },
};

/** The server-location readings (AMB-33 …) from the model options. */
export function locateOptions(o: Pick<DnsModelOptions, 'naptrEmptyFlag' | 'srvEqualPrioritySelection' | 'multiAddressOrder' | 'transportWithoutNaptr' | 'naptrBuildOrder'>): LocateOptions {
  return {
    naptrEmptyFlag: o.naptrEmptyFlag,
    srvEqualPriority: o.srvEqualPrioritySelection,
    multiAddressOrder: o.multiAddressOrder,
    transportWithoutNaptr: o.transportWithoutNaptr,
    naptrBuildOrder: o.naptrBuildOrder,
    rotation: new Map(),
  };
}

/** RFC 2308 §7: SERVFAIL and dead-server answers MUST NOT be cached for longer than five minutes. */
export const FAILURE_CACHE_SECONDS = 300;

/** The resolver's negative-cache settings from the AMB-18 options. */
export function negativeCaching(o: Pick<DnsModelOptions, 'negativeCacheTtl' | 'negativeCacheFixedTtl' | 'negativeCacheFailures'>): { negativeTtl: 'soaMinimum' | number; failureTtl: number } {
  return {
    negativeTtl: o.negativeCacheTtl === 'fixed' ? o.negativeCacheFixedTtl : 'soaMinimum',
    failureTtl: o.negativeCacheFailures === 'upTo5min' ? FAILURE_CACHE_SECONDS : 0,
  };
}

/** The phone's resolver keys (static.network.dns.*, sip.dns_transport_type). */
export interface ResolverKeys {
  /** static.network.dns.query_timeout, seconds (0..65535). */
  queryTimeout: number;
  /** static.network.dns.retry_times (0..65535). */
  retryTimes: number;
  /** sip.dns_transport_type: 0 UDP, 1 TCP (accepted; queries are always simulated over UDP). */
  transport: 0 | 1;
}

export const RESOLVER_KEY_DEFAULTS: ResolverKeys = { queryTimeout: 3, retryTimes: 2, transport: 0 };

/**
 * Wait per query and rounds over the DNS servers. The .cfg keys decide; the older model options
 * dnsTimeout / dnsAttempts (0 = not set) override them when a scenario sets them, so scenarios
 * written before the keys were modelled keep their timing. A query_timeout of 0 is read as 1 s:
 * the vendor does not say what 0 means, and no wait at all would spin.
 */
export function resolverTiming(keys: ResolverKeys, options: { dnsTimeout: number; dnsAttempts: number; dnsQueryTiming: DnsModelOptions['dnsQueryTiming'] }): { timeout: Micros; attempts: number } {
  const seconds = options.dnsTimeout > 0 ? options.dnsTimeout : Math.max(1, keys.queryTimeout);
  const fromKeys = options.dnsQueryTiming === 'retriesPlusOne' ? keys.retryTimes + 1 : Math.max(1, keys.retryTimes);
  const attempts = options.dnsAttempts > 0 ? options.dnsAttempts : fromKeys;
  return { timeout: Math.round(seconds * 1_000_000), attempts };
}
