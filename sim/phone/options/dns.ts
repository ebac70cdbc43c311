/**
 * Model options of the DNS area (fact sheet B17–B20, AMB-15…20, 33, 34) and of the .cfg reader (AMB-27, 28): where the vendor's
 * resolver text leaves a reading open. Joined into ModelOptions by model-options.ts.
 */
import type { ModelOptionSpec } from '../model-options.js';
import type { Micros } from '../../core/clock.js';
import type { LocateOptions } from '../../dns/server-locator.js';
import type { FailbackModelOptions } from './failback.js';

export interface DnsModelOptions {
  /**
   * AMB-20 — how many queries a silent DNS server gets per name and server.
   * 'retriesPlusOne' (default, the sheet's ★): the first query and `retry_times` retries, each
   * waiting `query_timeout`, so 3 s × (2 + 1) = 9 s (queries at 0, 3, 6 s). 'retriesOnly':
   * `retry_times` queries in all (at least one), 3 s × 2 = 6 s.
   */
  dnsQueryTiming: 'retriesPlusOne' | 'retriesOnly';
  /**
   * AMB-20 — a phone with two DNS servers (scenario dns.server and dns.secondary), the primary
   * silent. 'primaryThenSecondary' (default, ★): the primary gets every try (0, 3, 6 s), then
   * the secondary (9, 12, 15 s); a SERVFAIL or ICMP error from the primary moves to the secondary
   * at once. 'rounds' (resolv.conf, the model before): primary and secondary in turn, each round
   * (primary 0, 6, 12 s; secondary 3, 9, 15 s).
   */
  dnsServerOrder: 'primaryThenSecondary' | 'rounds';
  /**
   * AMB-20 — "per DNS server (primary then secondary) ★ or shared". 'perServer' (default, ★):
   * each DNS server gets retry_times + 1 tries (in dnsServerOrder). 'shared': one budget of
   * retry_times + 1 tries per question over all servers, taken in turn (primary 0 s, secondary
   * 3 s, primary 6 s; given up at 9 s where perServer gives up at 18 s).
   */
  dnsTryBudget: 'perServer' | 'shared';
  /**
   * AMB-20 — "per query type (NAPTR, SRV, A each pay it ★) or once per name". 'perQueryType'
   * (default, ★): a silent DNS server costs its wait for every question (SRV, then the A
   * fallback: 9 s + 9 s). 'perName': once per configured server name — after one question of a
   * location timed out, the others are answered from the cache / static entries or fail at once.
   */
  dnsTimeoutScope: 'perQueryType' | 'perName';
  /**
   * AMB-17 — static_cache_pri = 1: 'staticFirstThenLive' (default, ★) the static entries first,
   * live DNS for what they do not hold; 'staticOnly' the static entries alone, never live DNS.
   */
  staticCachePriOne: 'staticFirstThenLive' | 'staticOnly';
  /**
   * AMB-17 — "static entries also step in when the live answer's server is unreachable":
   * 'afterAllLiveAddressesFailed' (default, ★) their addresses follow every live address;
   * 'afterFirstFailure' they follow the first live address, ahead of the other live ones.
   */
  staticStepIn: 'afterAllLiveAddressesFailed' | 'afterFirstFailure';
  /**
   * AMB-19 — what account.X.dns_cache_type = 0 ("real-time query every time, no cache") queries
   * for. 'everyTransaction' (default, ★): every request that needs the server list — first
   * REGISTER, renewal, retry, failback probe, INVITE — locates afresh; retransmissions and
   * failover inside one request use the list in hand. 'everyDialogOrRegistration': only requests
   * that start a dialog (INVITE) or a registration (first REGISTER, retry, failback probe)
   * locate; a renewal, a B21 proxy probe and a register_on_enable REGISTER reuse the list
   * located last (located again only when it is empty).
   */
  dnsCacheType0: 'everyTransaction' | 'everyDialogOrRegistration';
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
   * ignored (the model before this option). 'userDomain' (the older text's "query NAPTR for
   * sip:user@domain"): NAPTR again for the domain of the account's address of record — the
   * configured server's domain (the AOR is user@server) — using that answer's terminal rules.
   */
  naptrEmptyFlag: 'requery' | 'drop' | 'userDomain';
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
  /**
   * AMB-27 `configParsing` — how the phone reads its .cfg files (sim/phone/cfg-rules.ts).
   * configDuplicateKey: a key set twice in one file. 'lastWins' (default, ★): the later line;
   * 'firstWins': the first. Either way a warning names both lines. (Across files the later file
   * wins, always: the <MAC>.cfg is downloaded after the common file, AMB-27 "MAC wins ★".)
   */
  configDuplicateKey: 'lastWins' | 'firstWins';
  /**
   * AMB-27 — a blank value `k =`. 'keepDefault' (default, ★): the key takes its documented
   * default, whatever an earlier file set. 'setEmpty': the key is set empty, as `%NULL%` does —
   * a text key becomes blank; a key that needs a number or a choice cannot be empty, so the
   * line is refused (file:line:key, exit 2). `%NULL%` always empties: text keys become blank,
   * number/choice keys take their default (templates write `linekey.N.line = %NULL%` to clear).
   */
  configBlankValue: 'keepDefault' | 'setEmpty';
  /**
   * AMB-27 — a key in the "wrong" file: a common-file key (`sip.*`, `static.*`, `dns_cache_*`)
   * in a `<MAC>.cfg`, or an `account.X.*` key in a common `y0000000000xx.cfg`. A file's kind is
   * known only from the vendor's names (12 hex digits `.cfg`; `y` + 12 hex digits `.cfg`);
   * other names (alice.cfg, common.cfg) are never checked. 'acceptAnywhere' (default, ★: older
   * guides put the timers in the MAC file); 'warn'; 'reject' (exit 2 with file:line:key).
   */
  configWrongFile: 'acceptAnywhere' | 'warn' | 'reject';
  /**
   * AMB-27 — legacy (V70–V72) keys: account.X.sip_server_host / sip_server_port,
   * outbound_host / outbound_port, account.X.transport, account.X.advanced.timer_t1/_t2/_t4.
   * 'acceptWithWarning' (default, ★): read as the current key (warning names it; a current key
   * set too wins); 'reject': exit 2 naming the current key.
   */
  configLegacyKeys: 'acceptWithWarning' | 'reject';
  /**
   * AMB-27 — a number outside its key's range. 'reject' (default, ★): exit 2 with
   * file:line:key and the range. 'clampWithWarning': the nearest bound, with a warning. Values
   * that are no number, or no listed choice, are refused either way. failback_timeout 1..59 ⇒ 60
   * is the vendor's own rule and applies under both (unless failbackTimeoutRange = asIs).
   */
  configOutOfRange: 'reject' | 'clampWithWarning';
  /**
   * AMB-28 — range of account.X.sip_server.Y.retry_counts (and outbound_proxy.Y.retry_counts,
   * which inherits it). '0..20' (default, ★, current guides) | '0..65535' (older T4X guide).
   */
  retryCountsRange: '0..20' | '0..65535';
  /**
   * AMB-09 — account.X.sip_server.Y.failback_timeout 1..59. 'sixtyMinimum' (default, ★, newer
   * guides): treated as 60 s. 'asIs' (older text): used as given. 0 (never) either way.
   */
  failbackTimeoutRange: 'sixtyMinimum' | 'asIs';
}

/** The AMB-27/28 options: what the .cfg reader (buildPhoneConfig) needs of the model options. */
export type CfgRules = Pick<DnsModelOptions, 'configDuplicateKey' | 'configBlankValue' | 'configWrongFile' | 'configLegacyKeys' | 'configOutOfRange' | 'retryCountsRange' | 'failbackTimeoutRange'>;

export const DNS_DEFAULTS: DnsModelOptions = {
  dnsQueryTiming: 'retriesPlusOne',
  dnsServerOrder: 'primaryThenSecondary',
  dnsTryBudget: 'perServer',
  dnsTimeoutScope: 'perQueryType',
  staticCachePriOne: 'staticFirstThenLive',
  staticStepIn: 'afterAllLiveAddressesFailed',
  dnsCacheType0: 'everyTransaction',
  negativeCacheTtl: 'soaMinimum',
  negativeCacheFixedTtl: 300,
  negativeCacheFailures: 'upTo5min',
  naptrEmptyFlag: 'requery',
  srvEqualPrioritySelection: 'rfc2782Random',
  multiAddressOrder: 'asReturned',
  transportWithoutNaptr: 'srv',
  naptrBuildOrder: 'tlsFirst',
  configDuplicateKey: 'lastWins',
  configBlankValue: 'keepDefault',
  configWrongFile: 'acceptAnywhere',
  configLegacyKeys: 'acceptWithWarning',
  configOutOfRange: 'reject',
  retryCountsRange: '0..20',
  failbackTimeoutRange: 'sixtyMinimum',
};

/** The .cfg reading rules from (partial) model options, defaults filled in. */
export function cfgRules(o: Partial<DnsModelOptions> = {}): CfgRules {
  const pick = <K extends keyof CfgRules>(k: K): CfgRules[K] => (o[k] ?? DNS_DEFAULTS[k]) as CfgRules[K];
  return {
    configDuplicateKey: pick('configDuplicateKey'),
    configBlankValue: pick('configBlankValue'),
    configWrongFile: pick('configWrongFile'),
    configLegacyKeys: pick('configLegacyKeys'),
    configOutOfRange: pick('configOutOfRange'),
    retryCountsRange: pick('retryCountsRange'),
    failbackTimeoutRange: pick('failbackTimeoutRange'),
  };
}

export const DNS_SPECS: { [K in keyof DnsModelOptions]: ModelOptionSpec } = {
  dnsQueryTiming: { kind: 'enum', values: ['retriesPlusOne', 'retriesOnly'] },
  dnsServerOrder: { kind: 'enum', values: ['primaryThenSecondary', 'rounds'] },
  dnsTryBudget: { kind: 'enum', values: ['perServer', 'shared'] },
  dnsTimeoutScope: { kind: 'enum', values: ['perQueryType', 'perName'] },
  staticCachePriOne: { kind: 'enum', values: ['staticFirstThenLive', 'staticOnly'] },
  staticStepIn: { kind: 'enum', values: ['afterAllLiveAddressesFailed', 'afterFirstFailure'] },
  dnsCacheType0: { kind: 'enum', values: ['everyTransaction', 'everyDialogOrRegistration'] },
  negativeCacheTtl: { kind: 'enum', values: ['soaMinimum', 'fixed'] },
  negativeCacheFixedTtl: { kind: 'number', min: 0, max: 86400, integer: true },
  negativeCacheFailures: { kind: 'enum', values: ['upTo5min', 'no'] },
  naptrEmptyFlag: { kind: 'enum', values: ['requery', 'drop', 'userDomain'] },
  srvEqualPrioritySelection: { kind: 'enum', values: ['rfc2782Random', 'weightDescending', 'recordOrder'] },
  multiAddressOrder: { kind: 'enum', values: ['asReturned', 'rotate', 'firstOnly'] },
  transportWithoutNaptr: { kind: 'enum', values: ['srv', 'aOnly'] },
  naptrBuildOrder: { kind: 'enum', values: ['tlsFirst', 'udpFirst'] },
  configDuplicateKey: { kind: 'enum', values: ['lastWins', 'firstWins'] },
  configBlankValue: { kind: 'enum', values: ['keepDefault', 'setEmpty'] },
  configWrongFile: { kind: 'enum', values: ['acceptAnywhere', 'warn', 'reject'] },
  configLegacyKeys: { kind: 'enum', values: ['acceptWithWarning', 'reject'] },
  configOutOfRange: { kind: 'enum', values: ['reject', 'clampWithWarning'] },
  retryCountsRange: { kind: 'enum', values: ['0..20', '0..65535'] },
  failbackTimeoutRange: { kind: 'enum', values: ['sixtyMinimum', 'asIs'] },
};

/** The server-location readings (AMB-33 …) from the model options. */
export function locateOptions(o: Pick<DnsModelOptions, 'naptrEmptyFlag' | 'srvEqualPrioritySelection' | 'multiAddressOrder' | 'transportWithoutNaptr' | 'naptrBuildOrder'> & Partial<Pick<FailbackModelOptions, 'dnsTtlSource'>> & Partial<Pick<DnsModelOptions, 'dnsTimeoutScope'>>): LocateOptions {
  return {
    ...(o.dnsTimeoutScope === 'perName' ? { timeoutScope: 'perName' as const } : {}),
    ...(o.dnsTtlSource === 'srvRecord' ? { addressTtl: 'srv' as const } : {}),
    naptrEmptyFlag: o.naptrEmptyFlag,
    srvEqualPriority: o.srvEqualPrioritySelection,
    multiAddressOrder: o.multiAddressOrder,
    transportWithoutNaptr: o.transportWithoutNaptr,
    naptrBuildOrder: o.naptrBuildOrder,
    // Only 'rotate' keeps state: a Map per account costs a fleet ~0.3 KB per phone.
    ...(o.multiAddressOrder === 'rotate' ? { rotation: new Map<string, number>() } : {}),
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
 * Wait per query, tries per DNS server and their order (AMB-20 dnsServerOrder). The .cfg keys decide; the older model options
 * dnsTimeout / dnsAttempts (0 = not set) override them when a scenario sets them, so scenarios
 * written before the keys were modelled keep their timing. A query_timeout of 0 is read as 1 s:
 * the vendor does not say what 0 means, and no wait at all would spin.
 */
export function resolverTiming(
  keys: ResolverKeys,
  options: { dnsTimeout: number; dnsAttempts: number; dnsQueryTiming: DnsModelOptions['dnsQueryTiming']; dnsServerOrder: DnsModelOptions['dnsServerOrder']; dnsTryBudget?: DnsModelOptions['dnsTryBudget'] },
): { timeout: Micros; attempts: number; serverOrder: DnsModelOptions['dnsServerOrder']; tryBudget: DnsModelOptions['dnsTryBudget'] } {
  const seconds = options.dnsTimeout > 0 ? options.dnsTimeout : Math.max(1, keys.queryTimeout);
  const fromKeys = options.dnsQueryTiming === 'retriesPlusOne' ? keys.retryTimes + 1 : Math.max(1, keys.retryTimes);
  const attempts = options.dnsAttempts > 0 ? options.dnsAttempts : fromKeys;
  return { timeout: Math.round(seconds * 1_000_000), attempts, serverOrder: options.dnsServerOrder, tryBudget: options.dnsTryBudget ?? 'perServer' };
}
