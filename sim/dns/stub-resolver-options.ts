/** The stub resolver's options and their defaults (glibc resolv.conf and the AMB-17/18/20 model options). */
import type { Micros } from '../core/clock.js';
import { sec } from '../core/time.js';
import type { CacheType, StaticTtlClock } from './dns-cache.js';
import type { DnsRecord } from './records.js';

export interface StubResolverOptions {
  /** DNS server addresses, primary first (resolv.conf `nameserver` lines). Empty ⇒ static cache only. */
  servers: string[];
  /** Wait per try, µs. Default 5 s: glibc resolv.conf `options timeout:5` (RES_TIMEOUT). */
  timeout?: Micros;
  /** Rounds over the server list. Default 2: glibc `options attempts:2` (RES_DFLRETRY). */
  attempts?: number;
  /**
   * 'fixed' (default): every try waits `timeout`. 'glibc': res_send's back-off — round r > 0
   * waits (timeout << r) / number of servers, at least 1 s.
   */
  backoff?: 'fixed' | 'glibc';
  /**
   * AMB-20 — how the tries of one question spread over the DNS servers. 'rounds' (default,
   * resolv.conf): each round tries every server in turn, `attempts` rounds. 'primaryThenSecondary'
   * (the fact sheet's ★): every try of the primary first, then every try of the secondary; a
   * SERVFAIL or an ICMP error moves to the next server at once (the last one keeps its tries).
   */
  serverOrder?: 'rounds' | 'primaryThenSecondary';
  /**
   * AMB-20 — "per DNS server (primary then secondary) ★ or shared": 'perServer' (default) gives
   * every server `attempts` tries (as serverOrder spreads them); 'shared' gives one question
   * `attempts` tries in all, the servers taking them in turn (primary, secondary, primary…), so
   * two silent servers cost what one does. A SERVFAIL or ICMP error uses up its try.
   */
  tryBudget?: 'perServer' | 'shared';
  /** account.X.dns_cache_type, default 1. */
  cacheType?: CacheType;
  /** Static entries (dns_cache_a/srv/naptr.N.*). */
  staticRecords?: DnsRecord[];
  /** When their TTLs start (AMB-17); default 'atFirstUse'. */
  staticTtlClock?: StaticTtlClock;
  /** account.X.static_cache_pri: 0 live DNS first (default), 1 static entries first. */
  staticPri?: 0 | 1;
  /**
   * AMB-17 — what static_cache_pri = 1 means: 'staticFirstThenLive' (default, ★) the static
   * entries first, live DNS for what they do not hold (or once they ran out); 'staticOnly' the
   * static entries alone — a name or type they do not hold fails (nxdomain) without a query.
   */
  staticPriOne?: 'staticFirstThenLive' | 'staticOnly';
  /** AMB-18: negative TTL of NXDOMAIN/NODATA — 'soaMinimum' (default, RFC 2308 §5) or fixed seconds. */
  negativeTtl?: 'soaMinimum' | number;
  /** AMB-18: seconds a SERVFAIL or an unanswered question is remembered (RFC 2308 §7: at most 300); 0 (default) = not cached. */
  failureTtl?: number;
  /** Local UDP port. */
  port?: number;
}

export const RESOLVER_DEFAULTS = { timeout: sec(5), attempts: 2, backoff: 'fixed', serverOrder: 'rounds', tryBudget: 'perServer', cacheType: 1, staticPri: 0, staticPriOne: 'staticFirstThenLive', negativeTtl: 'soaMinimum', failureTtl: 0, port: 53053 } as const;
