/**
 * Model options of the server list area (fact sheet B1–B6, B9, B12–B15, B21–B24): how the
 * failover list is built and walked. Joined into ModelOptions in sim/phone/model-options.ts.
 * Mapping of every B-rule and AMB of this area to options and keys: docs/fact-sheet/server-list.md.
 */
import type { ModelOptionSpec } from '../model-options.js';

export interface ServerListModelOptions {
  /**
   * AMB-32 / B9 — with sip.skip_redundant_failover_addr = 1, which list entries count as the
   * same server and are skipped after the first. 'ip' (default, the sheet's ★ and the vendor
   * text "servers whose IP address differs"): an entry whose IP was already in the list, whatever
   * its port or transport — also server 2 equal to one of server 1's SRV targets. 'ip:port' and
   * 'ip:port:transport': narrower keys. With the key set to 0 no entry is skipped, except exact
   * ip:port:transport repeats inside one SRV walk (RFC 3263 location never yields those twice).
   */
  skipRedundantAddr: 'ip' | 'ip:port' | 'ip:port:transport';
  /**
   * AMB-23 — a 503 with Retry-After (vendor guides are silent). 'honour' (default, the sheet's ★,
   * RFC 3261 §21.5.4): new requests leave that address out until the Retry-After is over (a
   * request with no other address fails at once), and a failed registration is retried after the
   * Retry-After instead of reg_fail_retry_interval (or the back-off) — shorter or longer (AMB-24:
   * "a 503 Retry-After overrides the wait ★ yes"). 'honourForRegisterOnly': so for REGISTERs;
   * INVITEs disregard it. 'tryLast' (this model's reading before the option): the address is
   * tried last for the Retry-After, and the retry waits max(interval, Retry-After). 'ignore':
   * fail over once; the next request tries the address again, the retry waits the interval.
   */
  retryAfter: 'honour' | 'honourForRegisterOnly' | 'tryLast' | 'ignore';
  /**
   * AMB-24 — the wait after a failed registration. The guide: reg_fail_retry_interval applies
   * when reg_failed_retry_min_time and max_time are both 0, but their defaults are 0 and 60.
   * 'fixedInterval' (default, ★): a 0 in either reads as "back-off off" — wait the interval;
   * with both non-zero, RFC 5626's back-off (50–100 % of min(max, min·2ⁿ)). 'rfc5626MinMax': the
   * back-off always, from min/max as set — min 0 gives W = 0, floored at 1 s so a failure that
   * comes at once cannot spin (as reg_fail_retry_interval = 0 is read). 'rfc5626IntervalBase':
   * the back-off with base reg_fail_retry_interval and cap max(max_time, interval).
   */
  regRetryPolicy: 'fixedInterval' | 'rfc5626MinMax' | 'rfc5626IntervalBase';
  /**
   * AMB-25 — sip.reg_surge_prevention = N (web label "Registration Random"). 'uniform' (default,
   * ★): registration starts a uniform random 0..N s after boot, one draw for all the phone's
   * accounts (★). 'uniformPerAccount': one draw per account (account 1 keeps the phone's).
   * 'fixed': exactly N s.
   */
  bootDelay: 'uniform' | 'uniformPerAccount' | 'fixed';
}

export const SERVER_LIST_DEFAULTS: ServerListModelOptions = {
  skipRedundantAddr: 'ip',
  retryAfter: 'honour',
  regRetryPolicy: 'fixedInterval',
  bootDelay: 'uniform',
};

export const SERVER_LIST_SPECS: { [K in keyof ServerListModelOptions]: ModelOptionSpec } = {
  skipRedundantAddr: { kind: 'enum', values: ['ip', 'ip:port', 'ip:port:transport'] },
  retryAfter: { kind: 'enum', values: ['honour', 'honourForRegisterOnly', 'tryLast', 'ignore'] },
  regRetryPolicy: { kind: 'enum', values: ['fixedInterval', 'rfc5626MinMax', 'rfc5626IntervalBase'] },
  bootDelay: { kind: 'enum', values: ['uniform', 'uniformPerAccount', 'fixed'] },
};
