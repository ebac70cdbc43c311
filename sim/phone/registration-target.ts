import type { Micros } from '../core/clock.js';
import type { FailbackModelOptions } from './options/failback.js';
import type { ServerListModelOptions } from './options/server-list.js';
import type { FailureMemory } from './failure-memory.js';
import type { ServerSettings } from './phone-config.js';
import type { AddressBound } from './retry-limits.js';

/** What one registration agent (sim/phone/registration-agent.ts) registers, and the account-level settings it reads. */
export interface RegistrationTarget {
  phone: string;
  account: number;
  user: string;
  displayName: string;
  server: ServerSettings;
  /** Bound of an address that is not the last of the list (R2, model options retryCounts, retryCountZero). */
  bound: AddressBound;
  /** Model option A4: recently failed addresses go last. */
  memory: FailureMemory;
  /** B9: how repeats of an address are recognised and skipped; undefined when sip.skip_redundant_failover_addr = 0. */
  skipRedundant: ServerListModelOptions['skipRedundantAddr'] | undefined;
  /** Failback model options (AMB-09 …); the defaults when absent. */
  failbackOptions?: FailbackModelOptions;
  /** Calls in progress on the phone (incoming and outgoing), for failbackOnlyWhenIdle (AMB-10). */
  callsInProgress?: () => number;
  /** B21 account.X.outbound_proxy_fallback_interval (µs; 0: no probe, or no proxies). */
  proxyFallbackInterval: Micros;
  /** AMB-31 (c): a probe every interval (★) or one per move to proxy 2; periodic when absent. */
  proxyFallbackReturn?: ServerListModelOptions['proxyFallbackReturn'];
  /** AMB-31 (d) proxyPairRole = fallbackOnly: registered through proxy 2, REGISTERs but the probe go there first (no failback mode). */
  proxy2KeepsRequests?: boolean;
  /** AMB-23, for the trace: how a 503's Retry-After is read. */
  retryAfter: ServerListModelOptions['retryAfter'];
  /** AMB-13 successiveProbeTarget = primaryOnly: a retry (a successive-mode probe) goes to the first address only. */
  probePrimaryOnly?: boolean;
  /** AMB-24 regRetryRestart = lastTried: a retry after a failure starts at the address tried last. */
  restartAtLastTried?: boolean;
}
