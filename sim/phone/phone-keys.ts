/**
 * The provisioning keys the phone model knows, with the vendor's ranges and defaults
 * (shared/reference/redundancy.md). `modelled: false` keys are validated but their behaviour is
 * not simulated yet; the loader warns when a file sets one.
 * X = account 1..16, Y = server 1..2, N = static DNS cache entry 1..12.
 */
export type KeyType =
  | { type: 'int'; min: number; max: number }
  | { type: 'decimal'; min: number; max: number }
  | { type: 'enum'; values: Record<string, string> }
  | { type: 'text' };

export type KeyDef = KeyType & {
  pattern: string;
  default: string;
  modelled: boolean;
  meaning: string;
  /**
   * Accepted, but acts on nothing the model covers: why. Such a key is no "not simulated yet"
   * gap (no warning); `explain` shows the reason beside it.
   */
  noEffect?: string;
};

const bool = { type: 'enum', values: { 0: 'disabled', 1: 'enabled' } } as const;

export const PHONE_KEYS: KeyDef[] = [
  { pattern: 'account.X.enable', ...bool, default: '0', modelled: true, meaning: 'account in use' },
  { pattern: 'account.X.user_name', type: 'text', default: '', modelled: true, meaning: 'user part of the address-of-record' },
  { pattern: 'account.X.auth_name', type: 'text', default: '', modelled: true, meaning: 'authentication name' },
  { pattern: 'account.X.password', type: 'text', default: '', modelled: true, meaning: 'authentication password' },
  { pattern: 'account.X.label', type: 'text', default: '', modelled: true, meaning: 'label on the phone screen' },
  { pattern: 'account.X.display_name', type: 'text', default: '', modelled: true, meaning: 'display name in From' },
  { pattern: 'account.X.sip_server.Y.address', type: 'text', default: '', modelled: true, meaning: 'server Y: an IP address, or a domain resolved by RFC 3263 into the failover list' },
  { pattern: 'account.X.sip_server.Y.port', type: 'int', min: 0, max: 65535, default: '5060', modelled: true, meaning: 'server Y port' },
  { pattern: 'account.X.sip_server.Y.transport_type', type: 'enum', values: { 0: 'UDP', 1: 'TCP', 2: 'TLS', 3: 'DNS-NAPTR' }, default: '0', modelled: true, meaning: 'transport to server Y' },
  { pattern: 'account.X.sip_server.Y.expires', type: 'int', min: 30, max: 2147483647, default: '3600', modelled: true, meaning: 'registration lifetime asked for, seconds' },
  { pattern: 'account.X.sip_server.Y.retry_counts', type: 'int', min: 0, max: 20, default: '3', modelled: true, meaning: 'retries to server Y before moving to the next server (INVITEs: model option inviteFailover=retry-counts)' },
  { pattern: 'account.X.sip_server.Y.failback_mode', type: 'enum', values: { 0: 'newRequests', 1: 'DNSTTL', 2: 'registration', 3: 'duration' }, default: '0', modelled: true, meaning: 'when the phone returns to the primary after a failover' },
  { pattern: 'account.X.sip_server.Y.failback_timeout', type: 'int', min: 0, max: 65535, default: '3600', modelled: true, meaning: 'failback mode 3: seconds before the primary is tried again (1..59 act as 60; 0 never)' },
  { pattern: 'account.X.sip_server.Y.register_on_enable', ...bool, default: '0', modelled: true, meaning: 'also register with the secondary when failing over to it' },
  { pattern: 'account.X.sip_server.Y.only_signal_with_registered', ...bool, default: '0', modelled: true, meaning: 'during failover send requests only to the registered server (needs register_on_enable = 1 and failback mode 1–3)' },
  { pattern: 'account.X.sip_server.Y.invite_retry_counts', type: 'int', min: 1, max: 10, default: '3', modelled: true, meaning: 'INVITE retries before moving to the next server (model option inviteFailover)' },
  { pattern: 'account.X.subscribe_mwi', ...bool, default: '0', modelled: true, meaning: 'subscribe for message waiting (MWI) with the working server' },
  { pattern: 'account.X.shared_line', type: 'enum', values: { 0: 'disabled', 1: 'shared call appearance', 2: 'bridged line appearance' }, default: '0', modelled: true, meaning: 'shared line: subscribe for line state with the working server' },
  // Feature keys of the fact sheet §2.1/§2.8 (failback & features area).
  { pattern: 'account.X.sip_server.Y.failback_subscribe.enable', ...bool, default: '0', modelled: true, meaning: 'after the registration fails over to an address with a different IP: 1 re-subscribes there at once (failback mode 1–3 only), 0 follows model option featureResubscribeDefault (fact sheet B11, AMB-36)' },
  { pattern: 'account.X.unregister_on_reboot', ...bool, default: '0', modelled: true, meaning: 'send an un-REGISTER before re-registering after a reboot', noEffect: 'the model boots each phone once; there is no reboot' },
  { pattern: 'account.X.subscribe_register', ...bool, default: '0', modelled: true, meaning: 'subscribe to the reg event package (RFC 3680) with the working server (moved after a failover as MWI is: B11)' },
  { pattern: 'account.X.subscribe_expires_overlap', type: 'int', min: -1, max: 2147483647, default: '-1', modelled: true, meaning: 'seconds before a subscription (MWI, shared line, reg event) expires at which it is renewed (-1, or not shorter than the lifetime: model option refreshFraction)' },
  { pattern: 'account.X.blf.subscribe_period', type: 'int', min: 30, max: 2147483647, default: '1800', modelled: true, meaning: 'BLF subscription period, seconds', noEffect: 'BLF (busy lamp field) is not modelled' },
  { pattern: 'account.X.line_seize.expires', type: 'int', min: 0, max: 65535, default: '15', modelled: true, meaning: 'shared call appearance line-seize subscription lifetime, seconds', noEffect: 'line seizing (SCA) is not modelled; shared_line subscribes only for line state' },
  { pattern: 'account.X.bla_number', type: 'text', default: '', modelled: true, meaning: 'BLA number (dialog event subscription)', noEffect: 'BLA dialog subscriptions are not modelled; the vendor gives no values' },
  { pattern: 'account.X.bla_subscribe_period', type: 'text', default: '', modelled: true, meaning: 'BLA subscription period', noEffect: 'BLA dialog subscriptions are not modelled; the vendor gives no values' },
  { pattern: 'account.X.outbound_proxy_enable', ...bool, default: '0', modelled: true, meaning: 'send every request through the outbound proxies (outbound_proxy.1, then .2)' },
  { pattern: 'account.X.outbound_proxy.Y.address', type: 'text', default: '', modelled: true, meaning: 'outbound proxy Y: an IP address or a domain (located like a server)' },
  { pattern: 'account.X.outbound_proxy.Y.port', type: 'int', min: 0, max: 65535, default: '5060', modelled: true, meaning: 'outbound proxy Y port (0: SRV decides)' },
  { pattern: 'account.X.outbound_proxy.Y.retry_counts', type: 'int', min: -1, max: 20, default: '-1', modelled: true, meaning: 'retries to proxy Y before the next one (-1: sip_server.Y.retry_counts)' },
  { pattern: 'account.X.outbound_proxy.Y.invite_retry_counts', type: 'enum', values: { '-1': 'inherit', ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i + 1), String(i + 1)])) }, default: '-1', modelled: true, meaning: 'INVITE retries to proxy Y (-1: sip_server.Y.invite_retry_counts)' },
  { pattern: 'account.X.outbound_proxy.Y.failback_mode', type: 'enum', values: { '-1': 'inherit', 0: 'newRequests', 1: 'DNSTTL', 2: 'registration', 3: 'duration' }, default: '-1', modelled: true, meaning: 'failback among the proxies (-1: sip_server.Y.failback_mode)' },
  { pattern: 'account.X.outbound_proxy.Y.register_on_enable', type: 'enum', values: { '-1': 'inherit', 0: 'disabled', 1: 'enabled' }, default: '-1', modelled: true, meaning: 'register through a proxy a request failed over to (-1: sip_server.Y.register_on_enable)' },
  { pattern: 'account.X.outbound_proxy_fallback_interval', type: 'int', min: 0, max: 65535, default: '3600', modelled: true, meaning: 'registered through proxy 2: seconds between REGISTER probes toward proxy 1 (0: none)' },
  { pattern: 'account.X.outbound_proxy.Y.only_signal_with_registered', type: 'enum', values: { '-1': 'inherit', 0: 'disabled', 1: 'enabled' }, default: '-1', modelled: true, meaning: 'during failover only the proxy registered through (-1: sip_server.Y.only_signal_with_registered)' },
  { pattern: 'account.X.fallback.redundancy_type', type: 'enum', values: { 0: 'concurrent', 1: 'successive' }, default: '0', modelled: true, meaning: 'fallback registration method' },
  { pattern: 'account.X.fallback.timeout', type: 'int', min: 10, max: 2147483647, default: '120', modelled: true, meaning: 'successive mode: seconds between REGISTER probes of the working server' },
  { pattern: 'account.X.redundancy_with_reg_fail.enable', ...bool, default: '0', modelled: true, meaning: 'successive mode: 1 — a registration answered with an error also moves to server 2; 0 — only an unresponsive server 1 does' },
  { pattern: 'account.X.reg_fail_retry_interval', type: 'int', min: 0, max: 1800, default: '30', modelled: true, meaning: 'seconds before re-registering after a failed registration' },
  { pattern: 'account.X.register_expires_overlap', type: 'int', min: -1, max: 2147483647, default: '-1', modelled: true, meaning: 'seconds before the granted expiry at which the registration is renewed (-1: model option refreshFraction)' },
  { pattern: 'sip.reg_surge_prevention', type: 'int', min: 0, max: 60, default: '0', modelled: true, meaning: 'boot: random wait of 0..N seconds before registering (surge prevention)' },
  { pattern: 'account.X.reg_failed_retry_min_time', type: 'int', min: 0, max: 2147483647, default: '0', modelled: true, meaning: 'RFC 5626 back-off base time, seconds' },
  { pattern: 'account.X.reg_failed_retry_max_time', type: 'int', min: 0, max: 2147483647, default: '60', modelled: true, meaning: 'RFC 5626 back-off maximum time, seconds' },
  { pattern: 'sip.skip_redundant_failover_addr', ...bool, default: '1', modelled: true, meaning: 'failover skips list entries that repeat a server already in the list (same IP: model option skipRedundantAddr)' },
  { pattern: 'account.X.naptr_build', type: 'enum', values: { 0: 'SRV for UDP only', 1: 'SRV for TLS, TCP and UDP' }, default: '0', modelled: true, meaning: 'transport DNS-NAPTR with no usable NAPTR answer: which SRV queries follow (1: TLS, TCP, UDP in that order, addresses of all three in the list)' },
  { pattern: 'account.X.dns_cache_type', type: 'enum', values: { 0: 'always query', 1: 'cache', 2: 'cache incl. additional records' }, default: '1', modelled: true, meaning: 'DNS caching' },
  { pattern: 'account.X.static_cache_pri', type: 'enum', values: { 0: 'live DNS first', 1: 'static cache first' }, default: '0', modelled: true, meaning: 'live DNS vs static cache preference' },
  { pattern: 'static.network.dns.query_timeout', type: 'int', min: 0, max: 65535, default: '3', modelled: true, meaning: 'seconds the resolver waits for a DNS answer before it retries (0 read as 1 s; model options dnsTimeout overrides, dnsQueryTiming)' },
  { pattern: 'static.network.dns.retry_times', type: 'int', min: 0, max: 65535, default: '2', modelled: true, meaning: 'DNS retries when the server does not answer (model option dnsQueryTiming: retries + 1 queries in all by default)' },
  { pattern: 'sip.dns_transport_type', type: 'enum', values: { 0: 'UDP', 1: 'TCP' }, default: '0', modelled: true, meaning: 'transport of DNS queries — accepted, affects nothing: queries are simulated over UDP either way (same timing; no TCP connect, no truncation)' },
  { pattern: 'sip.timer_t1', type: 'decimal', min: 0.5, max: 10, default: '0.5', modelled: true, meaning: 'RFC 3261 T1, seconds' },
  { pattern: 'sip.timer_t2', type: 'decimal', min: 2, max: 40, default: '4', modelled: true, meaning: 'RFC 3261 T2, seconds' },
  { pattern: 'sip.timer_t4', type: 'decimal', min: 2.5, max: 60, default: '5', modelled: true, meaning: 'RFC 3261 T4, seconds' },
  { pattern: 'dns_cache_a.N.name', type: 'text', default: '', modelled: true, meaning: 'static A entry name' },
  { pattern: 'dns_cache_a.N.ip', type: 'text', default: '', modelled: true, meaning: 'static A entry address' },
  { pattern: 'dns_cache_a.N.ttl', type: 'int', min: 0, max: 2147483647, default: '3600', modelled: true, meaning: 'static A entry TTL' },
  ...['name', 'target'].map((f): KeyDef => ({ pattern: `dns_cache_srv.N.${f}`, type: 'text', default: '', modelled: true, meaning: `static SRV entry ${f}` })),
  ...['port', 'priority', 'weight'].map((f): KeyDef => ({ pattern: `dns_cache_srv.N.${f}`, type: 'int', min: 0, max: 65535, default: '0', modelled: true, meaning: `static SRV entry ${f}` })),
  { pattern: 'dns_cache_srv.N.ttl', type: 'int', min: 0, max: 2147483647, default: '3600', modelled: true, meaning: 'static SRV entry TTL' },
  ...['name', 'service', 'replace'].map((f): KeyDef => ({ pattern: `dns_cache_naptr.N.${f}`, type: 'text', default: '', modelled: true, meaning: `static NAPTR entry ${f}` })),
  ...['order', 'preference'].map((f): KeyDef => ({ pattern: `dns_cache_naptr.N.${f}`, type: 'int', min: 0, max: 65535, default: '0', modelled: true, meaning: `static NAPTR entry ${f}` })),
  { pattern: 'dns_cache_naptr.N.ttl', type: 'int', min: 0, max: 2147483647, default: '3600', modelled: true, meaning: 'static NAPTR entry TTL' },
];

export const MAX_ACCOUNTS = 16;
const MAX_DNS_ENTRIES = 12;

const compiled = PHONE_KEYS.map((def) => ({
  def,
  re: new RegExp(
    `^${def.pattern.replace(/\./g, '\\.').replace('X', '(?<X>\\d+)').replace('Y', '(?<Y>\\d+)').replace('N', '(?<N>\\d+)')}$`,
  ),
}));

/** The definition governing `key`, or a reason the indices are out of range, or undefined if unknown. */
export function lookupKey(key: string): { def: KeyDef } | { badIndex: string } | undefined {
  for (const { def, re } of compiled) {
    const m = re.exec(key);
    if (!m) continue;
    const { X, Y, N } = m.groups ?? {};
    if (X !== undefined && !(Number(X) >= 1 && Number(X) <= MAX_ACCOUNTS)) return { badIndex: `account number ${X} is outside 1..${MAX_ACCOUNTS}` };
    if (Y !== undefined && !(Number(Y) >= 1 && Number(Y) <= 2)) return { badIndex: `server number ${Y} is outside 1..2` };
    if (N !== undefined && !(Number(N) >= 1 && Number(N) <= MAX_DNS_ENTRIES)) return { badIndex: `entry number ${N} is outside 1..${MAX_DNS_ENTRIES}` };
    return { def };
  }
  return undefined;
}

/** Checks one value against its definition; returns what was expected when it does not fit. */
export function checkValue(def: KeyType, value: string): string | undefined {
  switch (def.type) {
    case 'int':
      if (!/^-?\d+$/.test(value) || Number(value) < def.min || Number(value) > def.max) return `expected an integer from ${def.min} to ${def.max}, found "${value}"`;
      return undefined;
    case 'decimal':
      if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < def.min || Number(value) > def.max) return `expected a number from ${def.min} to ${def.max}, found "${value}"`;
      return undefined;
    case 'enum':
      // Own keys only: `in` would also accept toString, constructor… from the prototype.
      if (!Object.hasOwn(def.values, value)) return `expected one of ${Object.entries(def.values).map(([k, v]) => `${k} (${v})`).join(', ')}, found "${value}"`;
      return undefined;
    case 'text':
      return undefined;
  }
}
