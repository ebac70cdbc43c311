import type { Clock, Micros } from '../core/clock.js';
import type { Rng } from '../core/random.js';
import { Located, LocateOptions, LocateResult, locate } from '../dns/server-locator.js';
import type { AccountResolver } from '../dns/stub-resolver.js';
import type { ProxySettings, ServerSettings } from './phone-config.js';

function key(s: Located): string {
  return `${s.transport}:${s.ip}:${s.port}`;
}

/** One configured server (sip_server.Y) as the list of addresses failover walks, primary first. */
export interface ServerList {
  settings: ServerSettings;
  servers: Located[];
  /** Why the list is empty (DNS failure). */
  error?: string;
  /** Through outbound proxies: how many of `servers` (the first ones) are proxy 1's addresses. */
  firstProxyAddresses?: number;
}

interface Entry {
  list: ServerList;
  expiresAt: Micros;
  /** Per address of list.servers (same index): when its A record runs out (AMB-07). */
  addressExpiresAt: Micros[];
  /** Per address: that record's TTL as a duration (AMB-07 dnsTtlStart). */
  addressTtl: Micros[];
  waiters: ((l: ServerList) => void)[] | undefined;
}

/**
 * The account's view of its servers: each sip_server.Y located through RFC 3263 (R7) and kept
 * until the shortest TTL of the records used runs out, then located again on the next request
 * ("re-resolution follows TTL expiry"). IP literals never expire. Concurrent requests for the
 * same server share one location run.
 */
export class ServerDirectory {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly clock: Clock,
    /** The phone's resolver under this account's dns_cache_type and static_cache_pri. */
    private readonly resolver: AccountResolver,
    private readonly rng: Rng,
    /** Outbound proxies: when there are any, every server's requests go to their addresses. */
    private readonly proxies: readonly ProxySettings[] = [],
    /** Readings of the vendor's location text (model options AMB-33 …). */
    private readonly locateOptions: LocateOptions = {},
    /**
     * AMB-19 dnsCacheType0 = everyDialogOrRegistration with dns_cache_type 0: a request that
     * continues a registration (`continuing`) reuses the list located last, expired or not.
     */
    private readonly reuseForContinuing = false,
    /**
     * AMB-17 staticStepIn — where the static entries' addresses go in a live list:
     * 'afterAllLiveAddressesFailed' (★) after every live address; 'afterFirstFailure' right
     * after the first live address, before the other live ones.
     */
    private readonly staticStepIn: 'afterAllLiveAddressesFailed' | 'afterFirstFailure' = 'afterAllLiveAddressesFailed',
  ) {}

  /**
   * The current list for one configured server; `done` may run at once (fresh) or after DNS.
   * `continuing`: the request continues a registration (a renewal), it starts no dialog or registration.
   */
  list(settings: ServerSettings, done: (l: ServerList) => void, continuing = false): void {
    const e = this.entries.get(settings.index);
    if (e && e.waiters) return void e.waiters.push(done);
    if (e && this.clock.now < e.expiresAt) return done(e.list);
    if (e && continuing && this.reuseForContinuing && e.list.servers.length > 0) return done(e.list);
    const entry: Entry = { list: e?.list ?? { settings, servers: [] }, expiresAt: 0, addressExpiresAt: e?.addressExpiresAt ?? [], addressTtl: e?.addressTtl ?? [], waiters: [done] };
    this.entries.set(settings.index, entry);
    if (this.proxies.length > 0) return this.locateProxies(settings, entry);
    const target = { host: settings.address, port: settings.port, transport: settings.transport, naptrBuild: settings.naptrBuild ?? 0 };
    locate(this.resolver, target, this.rng, (live) => {
      const publish = (servers: Located[], addressExpiresAt: Micros[], addressTtl: Micros[]): void => {
        entry.list = { settings, servers, ...(servers.length === 0 && live.error ? { error: live.error } : {}) };
        entry.expiresAt = servers.length === 0 ? this.clock.now : live.expiresAt;
        entry.addressExpiresAt = addressExpiresAt;
        entry.addressTtl = addressTtl;
        const waiters = entry.waiters ?? [];
        entry.waiters = undefined;
        for (const w of waiters) w(entry.list);
      };
      // R8: when the servers DNS returned cannot be contacted, the static entries are used — so
      // their addresses follow the live ones in the list (live first, static_cache_pri = 0), or
      // (AMB-17 afterFirstFailure) step in as soon as the first live address failed.
      if (!this.resolver.hasStaticEntries || live.servers.length === 0) return publish(live.servers, live.addressExpiresAt, live.addressTtl);
      locate(this.resolver.staticOnly(), target, this.rng, (stat) => {
        const known = new Set(live.servers.map(key));
        const fresh = stat.servers.map((s, i) => [s, stat.addressExpiresAt[i]!, stat.addressTtl[i]!] as const).filter(([s]) => !known.has(key(s)));
        const extra = fresh.map(([s]) => ({ ...s, name: `${s.name} (static cache)` }));
        const at = this.staticStepIn === 'afterFirstFailure' ? 1 : live.servers.length;
        const splice = <T>(a: readonly T[], b: readonly T[]): T[] => [...a.slice(0, at), ...b, ...a.slice(at)];
        publish(splice(live.servers, extra), splice(live.addressExpiresAt, fresh.map(([, end]) => end)), splice(live.addressTtl, fresh.map(([, , ttl]) => ttl)));
        // No rotation state: the static pass must not turn multiAddressOrder 'rotate' a second time.
      }, { ...this.locateOptions, rotation: undefined });
    }, this.locateOptions);
  }

  /**
   * With outbound proxies the request path is proxy 1's addresses, then proxy 2's (in the
   * server's transport); the server itself stays in the Request-URI and To (RFC 3261 §8.1.2).
   */
  private locateProxies(settings: ServerSettings, entry: Entry): void {
    const found: LocateResult[] = [];
    const next = (i: number): void => {
      const p = this.proxies[i];
      if (!p) {
        const servers = found.flatMap((r) => r.servers);
        const error = servers.length === 0 ? found.map((r) => r.error).filter(Boolean).join('; ') || 'no proxy address' : undefined;
        const firstProxyAddresses = this.proxies[0]?.index === 1 ? (found[0]?.servers.length ?? 0) : 0;
        entry.list = { settings, servers, firstProxyAddresses, ...(error ? { error } : {}) };
        entry.expiresAt = servers.length === 0 ? this.clock.now : Math.min(...found.map((r) => r.expiresAt));
        entry.addressExpiresAt = found.flatMap((r) => r.addressExpiresAt);
        entry.addressTtl = found.flatMap((r) => r.addressTtl);
        const waiters = entry.waiters ?? [];
        entry.waiters = undefined;
        for (const w of waiters) w(entry.list);
        return;
      }
      locate(this.resolver, { host: p.address, port: p.port, transport: settings.transport, naptrBuild: settings.naptrBuild ?? 0 }, this.rng, (r) => {
        found.push(r);
        next(i + 1);
      }, this.locateOptions);
    };
    next(0);
  }

  /** When the list of a configured server must be located again (µs); 0 when it never was. */
  expiresAt(settings: ServerSettings): Micros {
    return this.entries.get(settings.index)?.expiresAt ?? 0;
  }

  /**
   * When the A record that gave address `a` of a configured server's current list runs out (µs),
   * for failback mode 1 under AMB-07 dnsTtlSource = aRecord; the list's own expiry when the
   * address is not in it (Infinity for an IP literal).
   */
  recordExpiresAt(settings: ServerSettings, a: Located): Micros {
    const e = this.entries.get(settings.index);
    if (!e) return 0;
    const i = e.list.servers.findIndex((s) => key(s) === key(a));
    return i < 0 ? e.expiresAt : (e.addressExpiresAt[i] ?? e.expiresAt);
  }

  /** The TTL (µs, a duration) of the record that gave address `a` of a configured server's list; Infinity when unknown or an IP literal. */
  recordTtl(settings: ServerSettings, a: Located): Micros {
    const e = this.entries.get(settings.index);
    const i = e ? e.list.servers.findIndex((s) => key(s) === key(a)) : -1;
    return i < 0 ? Infinity : (e!.addressTtl[i] ?? Infinity);
  }

  /**
   * When the DNS answer that gave address `a` runs out (µs), for the first located list holding
   * it; undefined when no list holds it or it never expires (an IP literal, AMB-06 dnsTtl).
   */
  addressExpiresAt(a: Located): Micros | undefined {
    for (const e of this.entries.values()) {
      if (Number.isFinite(e.expiresAt) && e.list.servers.some((s) => key(s) === key(a))) return e.expiresAt;
    }
    return undefined;
  }

  /** Every configured server's list, in order (server 1, then server 2). */
  lists(all: ServerSettings[], done: (lists: ServerList[]) => void): void {
    const out: ServerList[] = new Array(all.length);
    let left = all.length;
    if (left === 0) return done([]);
    all.forEach((s, i) =>
      this.list(s, (l) => {
        out[i] = l;
        if (--left === 0) done(out);
      }),
    );
  }
}
