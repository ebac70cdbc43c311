import { isIPv4 } from 'node:net';
import type { Micros } from '../core/clock.js';
import { InputError } from '../core/input-error.js';
import type { Warning } from '../core/warning.js';
import type { SipTimerConfig } from '../sip/timers.js';
import type { DnsRecord } from '../dns/records.js';
import type { CfgEntry } from './cfg-file.js';
import { staticDnsRecords } from './static-dns.js';
import { cfgRules, type CfgRules, type ResolverKeys } from './options/dns.js';
import { resolveEntries } from './cfg-rules.js';
import { KeyDef, lookupKey, MAX_ACCOUNTS, PHONE_KEYS } from './phone-keys.js';

export interface ServerSettings {
  /** 1 = working server, 2 = fallback server. */
  index: 1 | 2;
  /** IPv4 literal or a domain that DNS server location (RFC 3263) turns into a list. */
  address: string;
  /** 0 with a domain ⇒ SRV/NAPTR decide; non-zero with a domain ⇒ A only. */
  port: number;
  /** account.X.sip_server.Y.transport_type: 0 UDP, 1 TCP, 2 TLS, 3 DNS-NAPTR. */
  transport: 0 | 1 | 2 | 3;
  expires: number;
  retryCounts: number;
  inviteRetryCounts: number;
  /** R4: 0 newRequests, 1 DNSTTL, 2 registration, 3 duration. */
  failbackMode: 0 | 1 | 2 | 3;
  /** Mode 3: µs after failing over before the primary is tried again; 0 = only when the current server fails. */
  failbackTimeout: Micros;
  /** Also register with an address a request failed over to. */
  registerOnEnable: boolean;
  /** During failover, requests go only to the registered address (vendor: needs registerOnEnable and failback mode 1–3). */
  onlySignalWithRegistered: boolean;
  /** B11 failback_subscribe.enable: after a failover to another IP, re-subscribe there at once (mode 1–3 only). Absent = 0. */
  failbackSubscribe?: boolean;
  /**
   * account.X.naptr_build (B17): with transport DNS-NAPTR and no usable NAPTR answer, 0 queries
   * SRV for UDP only, 1 for TLS, TCP and UDP. Absent = 0.
   */
  naptrBuild?: 0 | 1;
}

/** An outbound proxy: requests for every server of the account go through it (RFC 3261 §8.1.2). */
export interface ProxySettings {
  index: 1 | 2;
  address: string;
  port: number;
}

export interface AccountSettings {
  index: number;
  userName: string;
  displayName: string;
  /** Configured servers in order (server 1 first); blank addresses are left out. */
  servers: ServerSettings[];
  /** Outbound proxies in order when account.X.outbound_proxy_enable = 1, else empty. */
  proxies: ProxySettings[];
  regFailRetryInterval: Micros;
  /**
   * B21 / AMB-31 (c) account.X.outbound_proxy_fallback_interval: while registered through proxy
   * 2, a REGISTER probes proxy 1 this often (µs); 0 = never.
   */
  proxyFallbackInterval: Micros;
  /** reg_failed_retry_min_time / max_time: RFC 5626 back-off base and cap, µs (used when both are set). */
  regBackoff: { base: Micros; max: Micros };
  /** R5/R6: 0 concurrent registration with both servers, 1 successive (fallback only when server 1 fails); µs between probes of server 1. */
  /** withRegFail: account.X.redundancy_with_reg_fail.enable (B15) — successive mode: an error answer to REGISTER also moves to server 2. */
  fallback: { type: 0 | 1; timeout: Micros; withRegFail: boolean };
  /** Subscriptions the account keeps with its working server (subscribe_mwi, shared_line, subscribe_register). */
  features: ('mwi' | 'shared-line' | 'reg')[];
  /** account.X.subscribe_expires_overlap: renew a subscription this many seconds before it expires; -1 = refreshFraction. */
  subscribeExpiresOverlap: number;
  /** account.X.dns_cache_type and account.X.static_cache_pri. */
  dnsCacheType: 0 | 1 | 2;
  staticCachePri: 0 | 1;
  /** Seconds before the granted expiry to renew; -1 = not set (model option refreshFraction decides). */
  registerExpiresOverlap: number;
  /** sip.skip_redundant_failover_addr (a common key, copied to every account): B9 duplicate skipping. */
  skipRedundantFailoverAddr: boolean;
}

export interface PhoneConfig {
  /** Enabled accounts, each simulated on its own. */
  accounts: AccountSettings[];
  timers: SipTimerConfig;
  /** sip.reg_surge_prevention: registration starts a random 0..N s after boot. */
  surgePrevention: Micros;
  /** static.network.dns.query_timeout / retry_times and sip.dns_transport_type (B20). */
  resolver: ResolverKeys;
  /** The static DNS cache (dns_cache_a/srv/naptr.N.*). */
  staticDns: DnsRecord[];
  warnings: Warning[];
  /** Every key that was set, validated, for `explain` (read-only: a fleet's phones share it, derive-config.ts). */
  entries: ReadonlyMap<string, CfgEntry>;
  /** The .cfg reading rules it was built with (AMB-27/28 model options): a rebuild (--set) keeps them. */
  rules: CfgRules;
}

/**
 * Builds the phone's effective settings from its provisioning sources (later sources win, e.g.
 * common file, then <MAC>.cfg, then scenario `settings:`), validating each recognised key
 * against the vendor's range and filling documented defaults. `rules`: how the files are read
 * (model options configDuplicateKey, configBlankValue, … — cfg-rules.ts), defaults ★.
 */
export function buildPhoneConfig(sources: readonly ReadonlyMap<string, CfgEntry>[], rules: CfgRules = cfgRules()): PhoneConfig {
  const { entries, warnings } = resolveEntries(sources, rules);
  const at = (e: CfgEntry | undefined, message: string): Warning => (e ? { file: e.file, line: e.line, message } : { file: '(defaults)', message });

  const get = (key: string): string => {
    const v = entries.get(key)?.value;
    return v === undefined || v === '' ? defaultOf(key) : v;
  };
  const accounts: AccountSettings[] = [];
  for (let x = 1; x <= MAX_ACCOUNTS; x++) {
    if (get(`account.${x}.enable`) !== '1') continue;
    const servers: ServerSettings[] = [];
    for (const y of [1, 2] as const) {
      const p = `account.${x}.sip_server.${y}`;
      const address = get(`${p}.address`);
      if (address === '') continue;
      checkHostAddress(entries.get(`${p}.address`)!);
      const transport = Number(get(`${p}.transport_type`)) as 0 | 1 | 2 | 3;
      const port = Number(get(`${p}.port`));
      // With outbound proxies, proxy Y's own failover keys win over server Y's unless -1 ("inherit").
      const proxied = get(`account.${x}.outbound_proxy_enable`) === '1';
      const own = (key: string): string => {
        const v = proxied ? get(`account.${x}.outbound_proxy.${y}.${key}`) : '-1';
        return v === '-1' ? get(`${p}.${key}`) : v;
      };
      servers.push({
        index: y,
        address,
        port,
        transport,
        expires: Number(get(`${p}.expires`)),
        retryCounts: Number(own('retry_counts')),
        inviteRetryCounts: Number(own('invite_retry_counts')),
        failbackMode: Number(own('failback_mode')) as 0 | 1 | 2 | 3,
        registerOnEnable: own('register_on_enable') === '1',
        onlySignalWithRegistered: own('only_signal_with_registered') === '1',
        failbackSubscribe: get(`${p}.failback_subscribe.enable`) === '1',
        naptrBuild: Number(get(`account.${x}.naptr_build`)) as 0 | 1,
        // The vendor (newer guides): 1..59 is treated as 60; 0 means never go back until the current
        // server fails. AMB-09 failbackTimeoutRange = asIs (older text): 1..59 taken as given.
        failbackTimeout: failbackSeconds(Number(get(`${p}.failback_timeout`)), rules.failbackTimeoutRange) * 1_000_000,
      });
    }
    if (servers.length === 0) warnings.push(at(entries.get(`account.${x}.enable`), `account ${x} is enabled but has no sip_server address: it will not register`));
    if (get(`account.${x}.outbound_proxy_enable`) === '1' && get(`account.${x}.outbound_proxy.1.address`) === '' && get(`account.${x}.outbound_proxy.2.address`) === '') {
      warnings.push(at(entries.get(`account.${x}.outbound_proxy_enable`), `account ${x} enables its outbound proxy but names none: requests go to the servers directly`));
    }
    accounts.push({
      index: x,
      userName: get(`account.${x}.user_name`) || `user${x}`,
      displayName: get(`account.${x}.display_name`),
      servers,
      proxies: get(`account.${x}.outbound_proxy_enable`) !== '1' ? [] : ([1, 2] as const).flatMap((y) => {
        const address = get(`account.${x}.outbound_proxy.${y}.address`);
        if (address === '') return [];
        checkHostAddress(entries.get(`account.${x}.outbound_proxy.${y}.address`)!);
        return [{ index: y, address, port: Number(get(`account.${x}.outbound_proxy.${y}.port`)) }];
      }),
      // The vendor allows 0 without saying what it means; an immediate retry would spin on a
      // cached failure, so 0 is read as 1 s (README, reference A7).
      regFailRetryInterval: Math.max(1, Number(get(`account.${x}.reg_fail_retry_interval`))) * 1_000_000,
      proxyFallbackInterval: Number(get(`account.${x}.outbound_proxy_fallback_interval`)) * 1_000_000,
      regBackoff: { base: Number(get(`account.${x}.reg_failed_retry_min_time`)) * 1_000_000, max: Number(get(`account.${x}.reg_failed_retry_max_time`)) * 1_000_000 },
      registerExpiresOverlap: Number(get(`account.${x}.register_expires_overlap`)),
      skipRedundantFailoverAddr: get('sip.skip_redundant_failover_addr') === '1',
      fallback: { type: Number(get(`account.${x}.fallback.redundancy_type`)) as 0 | 1, timeout: Number(get(`account.${x}.fallback.timeout`)) * 1_000_000, withRegFail: get(`account.${x}.redundancy_with_reg_fail.enable`) === '1' },
      features: [
        ...(get(`account.${x}.subscribe_mwi`) === '1' ? ['mwi' as const] : []),
        ...(get(`account.${x}.shared_line`) !== '0' ? ['shared-line' as const] : []),
        ...(get(`account.${x}.subscribe_register`) === '1' ? ['reg' as const] : []),
      ],
      subscribeExpiresOverlap: Number(get(`account.${x}.subscribe_expires_overlap`)),
      dnsCacheType: Number(get(`account.${x}.dns_cache_type`)) as 0 | 1 | 2,
      staticCachePri: Number(get(`account.${x}.static_cache_pri`)) as 0 | 1,
    });
  }
  const seconds = (key: string): Micros => Math.round(Number(get(key)) * 1_000_000);
  if (seconds('sip.timer_t1') > seconds('sip.timer_t2')) {
    warnings.push(at(entries.get('sip.timer_t1') ?? entries.get('sip.timer_t2'), 'sip.timer_t1 is larger than sip.timer_t2: non-INVITE retransmission intervals shrink to T2 after the first (RFC 3261 MIN(2·T1, T2))'));
  }
  return {
    accounts,
    timers: { t1: seconds('sip.timer_t1'), t2: seconds('sip.timer_t2'), t4: seconds('sip.timer_t4') },
    surgePrevention: seconds('sip.reg_surge_prevention'),
    resolver: {
      queryTimeout: Number(get('static.network.dns.query_timeout')),
      retryTimes: Number(get('static.network.dns.retry_times')),
      transport: Number(get('sip.dns_transport_type')) as 0 | 1,
    },
    staticDns: staticDnsRecords(entries),
    warnings,
    entries,
    rules,
  };
}

/** An address key must hold an IPv4 address or a domain name. */
function checkHostAddress(e: CfgEntry): void {
  if (!isIPv4(e.value) && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(e.value)) {
    throw new InputError(e.file, e.line, e.key, `expected an IPv4 address or a domain name, found "${e.value}"`);
  }
}

export function defaultOf(key: string): string {
  const found = lookupKey(key);
  return found && 'def' in found ? found.def.default : '';
}

export function keyDefinitions(): readonly KeyDef[] {
  return PHONE_KEYS;
}

/** account.X.sip_server.Y.failback_timeout in seconds as the phone uses it (AMB-09 range rule). */
function failbackSeconds(v: number, range: CfgRules['failbackTimeoutRange']): number {
  return v === 0 || range === 'asIs' ? v : Math.max(v, 60);
}
