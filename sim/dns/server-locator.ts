/**
 * RFC 3263 client server location as the phone does it (redundancy reference R7): from
 * account.X.sip_server.Y.{address, port, transport_type} to the ordered list of addresses that
 * failover walks, primary first. A chain of resolver callbacks, no Promises; `done` is always
 * called from a clock event.
 */
import type { Micros } from '../core/clock.js';
import type { Rng } from '../core/random.js';
import { NaptrRecord, normalizeName, ofType } from './records.js';
import { orderSrvBy, type SrvEqualPriority } from './srv-order.js';
import type { LocatingResolver, ResolveQtype, ResolveResult } from './stub-resolver.js';

export { orderSrv } from './srv-order.js';

export type SipTransport = 'udp' | 'tcp' | 'tls';

export interface Located {
  ip: string;
  port: number;
  transport: SipTransport;
  /** The host name the address came from (SRV target, A owner), or the literal itself. */
  name: string;
}

/** transport: account.X.sip_server.Y.transport_type — 0 UDP, 1 TCP, 2 TLS, 3 DNS-NAPTR. */
export interface LocateTarget {
  host: string;
  port: number;
  transport: 0 | 1 | 2 | 3;
  /** account.X.naptr_build (B17): no usable NAPTR ⇒ SRV for UDP only (0, default) or TLS, TCP, UDP (1). */
  naptrBuild?: 0 | 1;
}

export interface LocateResult {
  servers: Located[];
  /** Why the list is empty. */
  error?: string;
  /** µs: when the first record used runs out (min TTL); Infinity for an IP literal (no DNS). */
  expiresAt: Micros;
  /**
   * Per entry of `servers` (same index): when the A record that gave that address runs out (µs),
   * or its SRV record under LocateOptions.addressTtl = 'srv'; Infinity for an IP literal.
   * Failback mode 1 under AMB-07 dnsTtlSource = aRecord / srvRecord reads it.
   */
  addressExpiresAt: Micros[];
  /** Per address (same index): the TTL of that record as a duration (µs; Infinity for an IP literal), for AMB-07 dnsTtlStart. */
  addressTtl: Micros[];
}

/** Readings of the vendor's location text (fact sheet AMB-33, model options in sim/phone/options/dns.ts). */
export interface LocateOptions {
  /**
   * AMB-33 — a NAPTR record with an empty flag (non-terminal, RFC 3403 §4.1): 'requery'
   * (default, ★) asks NAPTR again on its replacement and uses what that gives; 'drop' ignores it;
   * 'userDomain' (older text: "query sip:user@domain") asks NAPTR for the domain of the account's
   * address of record — the configured server's domain, as the phone's AOR is user@server —
   * and uses that answer's terminal rules (its empty-flag rules are not followed again).
   */
  naptrEmptyFlag?: 'requery' | 'drop' | 'userDomain';
  /** AMB-15 — equal-priority SRV targets: 'rfc2782Random' (default) | 'weightDescending' | 'recordOrder'. */
  srvEqualPriority?: SrvEqualPriority;
  /** AMB-16 — several A records: 'asReturned' (default) | 'rotate' (turned by one per lookup of the name) | 'firstOnly'. */
  multiAddressOrder?: 'asReturned' | 'rotate' | 'firstOnly';
  /** AMB-34 — domain, port 0, transport 0/1/2: 'srv' (default, RFC 3263 §4.2) | 'aOnly'. */
  transportWithoutNaptr?: 'srv' | 'aOnly';
  /** AMB-34 — naptr_build = 1 SRV order: 'tlsFirst' (default: TLS, TCP, UDP) | 'udpFirst' (UDP, TCP, TLS). */
  naptrBuildOrder?: 'tlsFirst' | 'udpFirst';
  /**
   * AMB-07 — what addressExpiresAt holds per address: 'a' (default) the end of the A record that
   * gave it; 'srv' the end of the SRV record that named its target (the A record's when no SRV was used).
   */
  addressTtl?: 'a' | 'srv';
  /**
   * AMB-20 — "per query type (NAPTR, SRV, A each pay it ★) or once per name": 'perQueryType'
   * (default) asks every question of the location however the earlier ones went; 'perName' pays
   * the silent-server wait once per configured server name: after one question of this location
   * timed out at every DNS server, the later ones are answered from what the phone holds (cache,
   * static entries) or fail at once, unasked.
   */
  timeoutScope?: 'perQueryType' | 'perName';
  /** 'rotate' state: lookups so far per name (kept by the caller, one map per account). */
  rotation?: Map<string, number>;
}

/** Non-terminal NAPTR rules followed in a row before giving up: a guard against loops (a → b → a). */
const MAX_NAPTR_DEPTH = 5;

const TRANSPORTS: SipTransport[] = ['udp', 'tcp', 'tls'];
/** RFC 3263 §4.1 / RFC 3261 §19.1.2: SRV owner prefix per transport; SIPS over TLS is _sips._tcp. */
const SRV_PREFIX: Record<SipTransport, string> = { udp: '_sip._udp', tcp: '_sip._tcp', tls: '_sips._tcp' };
/** RFC 3263 §4.1 service fields (RFC 3263 §4.1, RFC 3261 §19.1.2). */
const NAPTR_SERVICES: Record<string, SipTransport> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp', 'SIPS+D2T': 'tls' };
/** RFC 3261 §19.1.2: 5060 for sip over UDP/TCP, 5061 for TLS. */
const defaultPort = (t: SipTransport): number => (t === 'tls' ? 5061 : 5060);

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function locate(resolver: LocatingResolver, target: LocateTarget, rng: Rng, done: (r: LocateResult) => void, options: LocateOptions = {}): void {
  new Location(resolver, target, rng, done, options).start();
}

/** One location run: accumulates the earliest expiry and the last failure for the final message. */
class Location {
  private expiresAt = Infinity;
  /** Each address found: when its A record runs out. */
  private readonly aEnds = new Map<Located, Micros>();
  /** Each address found: the TTL (µs) of the record whose expiry is in aEnds. */
  private readonly aTtls = new Map<Located, Micros>();
  private lastFailure = '';
  /** AMB-20 perName: the question that timed out at every DNS server, once one has. */
  private silent: string | undefined;
  private readonly name: string;

  constructor(
    private readonly resolver: LocatingResolver,
    private readonly target: LocateTarget,
    private readonly rng: Rng,
    private readonly done: (r: LocateResult) => void,
    private readonly options: LocateOptions,
  ) {
    this.name = normalizeName(target.host);
  }

  start(): void {
    const { host, port, transport } = this.target;
    // DNS-NAPTR with a literal or an explicit port has nothing to look up: plain UDP (RFC 3263 §4.1).
    const configured: SipTransport = transport === 3 ? 'udp' : TRANSPORTS[transport]!;
    if (isIPv4(host)) {
      // RFC 3263 §4.2: a numeric address is used as is, port defaulting per transport.
      const server = { ip: host, port: port || defaultPort(configured), transport: configured, name: host };
      this.resolver.clock.schedule(0, () => this.finish([server]), undefined, this.resolver.host.name);
    } else if (port !== 0) {
      // RFC 3263 §4.2: an explicit port means no SRV lookup, only A.
      this.addresses(this.name, port, configured, (list) => this.finish(list));
    } else if (transport === 3) {
      this.naptr(this.name, 0, () => this.withoutNaptr(), () => this.finish([]));
    } else if (this.options.transportWithoutNaptr === 'aOnly') {
      // AMB-34 alternative: no SRV for a configured transport, A only on its default port.
      this.addresses(this.name, defaultPort(configured), configured, (list) => this.finish(list));
    } else {
      this.srv(`${SRV_PREFIX[configured]}.${this.name}`, configured, (list) => this.afterSrv(list, configured));
    }
  }

  /** RFC 3263 §4.2: no SRV records at all ⇒ A on the domain with the transport's default port. */
  private afterSrv(list: Located[] | undefined, transport: SipTransport): void {
    if (list === undefined) this.addresses(this.name, defaultPort(transport), transport, (l) => this.finish(l));
    else this.finish(list);
  }

  /**
   * RFC 3263 §4.1: the supported NAPTR records (SIP+D2U/D2T, SIPS+D2T; flags "s", "a", and ""
   * under AMB-33 `requery`), lowest order then lowest preference, each tried until one yields
   * addresses. No usable NAPTR for the domain ⇒ naptr_build (B17) decides: 0 SRV for _sip._udp
   * only (the vendor's default); 1 SRV for _sips._tcp, _sip._tcp, _sip._udp in that order
   * (AMB-34 ★, RFC 3263 §4.1 preference), the addresses of every one that answers appended in
   * that order so failover can walk them all. No SRV at all ⇒ A with UDP on 5060.
   *
   * NAPTR on `owner`: `none` when it gives no usable record, `exhausted` when every usable one
   * was tried without an address. A re-queried replacement (AMB-33) continues with the parent
   * list's next rule in both cases.
   */
  private naptr(owner: string, depth: number, none: () => void, exhausted: () => void): void {
    this.lookup(owner, 'NAPTR', (r) => {
      const requery = (this.options.naptrEmptyFlag ?? 'requery') !== 'drop' && depth < MAX_NAPTR_DEPTH;
      // SIP+D2S (SCTP) and unknown services are skipped: the phone has no SCTP (B17).
      const usable = r.ok
        ? ofType(r.records, 'NAPTR')
            .filter((n) => (serviceTransport(n) !== undefined && (n.flags === 's' || n.flags === 'a')) || (requery && n.flags === '' && n.replacement !== '' && (n.services === '' || serviceTransport(n) !== undefined)))
            .sort((a, b) => a.order - b.order || a.preference - b.preference)
        : [];
      if (usable.length > 0) this.tryNaptr(usable, 0, depth, exhausted);
      else none();
    });
  }

  /** No usable NAPTR for the domain: naptr_build decides which SRV queries follow (B17). */
  private withoutNaptr(): void {
    if (this.target.naptrBuild !== 1) return this.srv(`${SRV_PREFIX.udp}.${this.name}`, 'udp', (list) => this.afterSrv(list, 'udp'));
    this.srvEach(this.options.naptrBuildOrder === 'udpFirst' ? ['udp', 'tcp', 'tls'] : ['tls', 'tcp', 'udp'], 0, undefined);
  }

  /** naptr_build = 1: SRV for each transport in turn; `acc` stays undefined while none had records. */
  private srvEach(order: SipTransport[], i: number, acc: Located[] | undefined): void {
    if (i >= order.length) return this.afterSrv(acc, 'udp');
    const t = order[i]!;
    this.srv(`${SRV_PREFIX[t]}.${this.name}`, t, (list) => this.srvEach(order, i + 1, list === undefined ? acc : [...(acc ?? []), ...list]));
  }

  private tryNaptr(list: NaptrRecord[], i: number, depth: number, exhausted: () => void): void {
    if (i >= list.length) return exhausted();
    const n = list[i]!;
    const onward = (): void => this.tryNaptr(list, i + 1, depth, exhausted);
    // AMB-33 ★: a non-terminal rule (empty flag) — its replacement is the next NAPTR owner
    // (RFC 3403 §4.1); when that gives nothing usable, the next rule of this list is tried.
    // AMB-33 userDomain: the AOR's domain instead of the replacement, its answer's empty-flag rules not followed.
    if (n.flags === '' && this.options.naptrEmptyFlag === 'userDomain') return this.naptr(this.name, MAX_NAPTR_DEPTH, onward, onward);
    if (n.flags === '') return this.naptr(n.replacement, depth + 1, onward, onward);
    const transport = serviceTransport(n)!;
    const next = (servers: Located[] | undefined): void => {
      if (servers && servers.length > 0) this.finish(servers);
      else onward();
    };
    // RFC 3403 §4.1 terminal flags: "s" ⇒ SRV lookup on the replacement, "a" ⇒ A lookup.
    if (n.flags === 's') this.srv(n.replacement, transport, next);
    else this.addresses(n.replacement, defaultPort(transport), transport, next);
  }

  /**
   * SRV on `owner`, then A for each target in RFC 2782 order; every address of every target is
   * appended. `undefined` when there is no SRV record (the caller falls back); a target without
   * an address is skipped (its failed lookup is in the trace).
   */
  private srv(owner: string, transport: SipTransport, cb: (list: Located[] | undefined) => void): void {
    this.lookup(owner, 'SRV', (r) => {
      if (!r.ok) return cb(undefined);
      const srvEnd = this.options.addressTtl === 'srv' ? (r.ttlEnd ?? r.expiresAt) : undefined;
      const srvTtl = minTtl(ofType(r.records, 'SRV'));
      // RFC 2782: a lone target "." says the service is decidedly not available here.
      const ordered = orderSrvBy(ofType(r.records, 'SRV'), this.rng, this.options.srvEqualPriority ?? 'rfc2782Random').filter((s) => s.target !== '');
      if (ordered.length === 0) this.lastFailure = `SRV ${owner}: service not available (target ".")`;
      const acc: Located[] = [];
      const walk = (i: number): void => {
        if (i >= ordered.length) return cb(acc);
        const s = ordered[i]!;
        this.addresses(s.target, s.port, transport, (list) => {
          // The same address and port twice adds nothing to failover: keep its first place.
          for (const l of list) {
            if (acc.some((a) => a.ip === l.ip && a.port === l.port && a.transport === l.transport)) continue;
            acc.push(l);
            if (srvEnd !== undefined) {
              this.aEnds.set(l, srvEnd);
              this.aTtls.set(l, srvTtl);
            }
          }
          walk(i + 1);
        });
      };
      walk(0);
    });
  }

  private addresses(host: string, port: number, transport: SipTransport, cb: (list: Located[]) => void): void {
    this.lookup(host, 'A', (r) => {
      if (!r.ok) return cb([]);
      const end = r.ttlEnd ?? r.expiresAt;
      const list = this.arrange(host, ofType(r.records, 'A')).map((a): Located => ({ ip: a.address, port, transport, name: host }));
      const ttl = minTtl(ofType(r.records, 'A'));
      for (const l of list) {
        this.aEnds.set(l, end);
        this.aTtls.set(l, ttl);
      }
      cb(list);
    });
  }

  /** AMB-16: which of a name's A records, in which order. */
  private arrange<T>(host: string, list: T[]): T[] {
    const mode = this.options.multiAddressOrder ?? 'asReturned';
    if (mode === 'firstOnly') return list.slice(0, 1);
    if (mode === 'asReturned' || list.length < 2 || !this.options.rotation) return list;
    const seen = this.options.rotation.get(host) ?? 0;
    this.options.rotation.set(host, seen + 1);
    const k = seen % list.length;
    return [...list.slice(k), ...list.slice(0, k)];
  }

  private lookup(name: string, qtype: ResolveQtype, cb: (r: ResolveResult) => void): void {
    const res = this.resolver;
    const unasked = this.silent !== undefined && res.resolveHeld !== undefined;
    const after = (r: ResolveResult): void => {
      if (r.ok) this.expiresAt = Math.min(this.expiresAt, r.expiresAt);
      else if (unasked) this.lastFailure = `${qtype} ${name}: not asked, the DNS servers did not answer ${this.silent} (dnsTimeoutScope = perName)`;
      else this.lastFailure = `${qtype} ${name}: ${r.error}`;
      // A static entry standing in for a timed-out question (liveError) is a silent server too.
      const timedOut = r.ok ? r.liveError === 'timeout' : r.error === 'timeout' && r.source === 'network';
      if (timedOut && !unasked && this.options.timeoutScope === 'perName') this.silent ??= `${qtype} ${name}`;
      cb(r);
    };
    if (unasked) res.resolveHeld!(name, qtype, after);
    else res.resolve(name, qtype, after);
  }

  private finish(servers: Located[]): void {
    const error = servers.length === 0 ? `no server address for ${this.target.host}${this.lastFailure ? ` (${this.lastFailure})` : ''}` : undefined;
    const { port, transport } = this.target;
    const res = this.resolver;
    if (res.trace.on['dns.resolved']) res.trace.emit({
      kind: 'dns.resolved', host: res.host.name, target: `${this.target.host} port ${port} ${['UDP', 'TCP', 'TLS', 'DNS-NAPTR'][transport]}`,
      servers: servers.map((s) => ({ ...s })), ...(error ? { error } : {}),
    });
    // A failed location holds nothing worth keeping (the resolver's negative cache remembers the
    // failures themselves): expire now, so the next request locates again.
    const expiresAt = servers.length === 0 ? res.clock.now : this.expiresAt;
    this.done({ servers, ...(error ? { error } : {}), expiresAt, addressExpiresAt: servers.map((s) => this.aEnds.get(s) ?? Infinity), addressTtl: servers.map((s) => this.aTtls.get(s) ?? Infinity) });
  }
}

function serviceTransport(n: NaptrRecord): SipTransport | undefined {
  // RFC 3403 §4.1: the services field compares case-insensitively.
  return NAPTR_SERVICES[n.services.toUpperCase()];
}

/** The smallest TTL of `records` in µs (one record set: a name's A or SRV records). */
function minTtl(records: readonly { ttl: number }[]): Micros {
  return records.length === 0 ? Infinity : Math.min(...records.map((r) => r.ttl)) * 1_000_000;
}
