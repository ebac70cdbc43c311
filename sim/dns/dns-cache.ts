/**
 * The stub resolver's memory: a TTL cache of answers, a negative cache (RFC 2308), and the
 * phone's static entries (dns_cache_a/srv/naptr.N.*). Pure data keyed by (name, type); the
 * resolver decides when each is consulted (redundancy reference R8).
 */
import { noEntries, withEntry } from '../core/sparse-map.js';
import type { Micros } from '../core/clock.js';
import { US_PER_S } from '../core/time.js';
import type { DnsRecord, SoaRecord } from './records.js';

/** account.X.dns_cache_type: 0 always query, 1 cache answers, 2 cache answers and additional records. */
export type CacheType = 0 | 1 | 2;
export type NegativeKind = 'nxdomain' | 'nodata';
/** What a negative cache entry remembers: a negative answer, or a failure (RFC 2308 §7). */
export type FailureKind = NegativeKind | 'timeout' | 'servfail';

export interface PositiveEntry {
  kind: 'positive';
  records: DnsRecord[];
  additional: DnsRecord[];
  expiresAt: Micros;
  /** Learnt from an additional section (dns_cache_type 2): an account with type 1 does not use it. */
  fromAdditional?: true;
}
export interface NegativeEntry {
  kind: 'negative';
  error: FailureKind;
  expiresAt: Micros;
}
export type CacheEntry = PositiveEntry | NegativeEntry;

interface Slot {
  type: string;
  entry: CacheEntry;
  next: Slot | undefined;
}

const ttlUs = (ttlSeconds: number): Micros => ttlSeconds * US_PER_S;

export class DnsCache {
  /**
   * Per name, its entries of each type as a short chain (one or two: SRV and A names differ).
   * No "name|type" string is built and hashed per lookup (a fleet looks up thousands of times a
   * second), and a phone holds one Map, not one per type.
   */
  private readonly byName = new Map<string, Slot>();

  constructor(
    readonly cacheType: CacheType,
    /** AMB-18: 'soaMinimum' (RFC 2308 §5) or a fixed negative TTL in seconds for every NXDOMAIN/NODATA. */
    private readonly negativeTtl: 'soaMinimum' | number = 'soaMinimum',
  ) {}

  /**
   * The live entry for (name, type); expired entries are dropped on the way. `cacheType`: the
   * asking account's dns_cache_type — 0 uses no entry, 1 none learnt from an additional section.
   */
  get(name: string, type: string, now: Micros, cacheType: CacheType = this.cacheType): CacheEntry | undefined {
    if (cacheType === 0) return undefined;
    let prev: Slot | undefined;
    for (let s = this.byName.get(name); s !== undefined; prev = s, s = s.next) {
      if (s.type !== type) continue;
      if (now < s.entry.expiresAt) return s.entry.kind === 'positive' && s.entry.fromAdditional && cacheType !== 2 ? undefined : s.entry;
      // Expired: unlink it.
      if (prev) prev.next = s.next;
      else if (s.next) this.byName.set(name, s.next);
      else this.byName.delete(name);
      return undefined;
    }
    return undefined;
  }

  private set(name: string, type: string, entry: CacheEntry): void {
    const head = this.byName.get(name);
    for (let s = head; s !== undefined; s = s.next) {
      if (s.type === type) {
        s.entry = entry;
        return;
      }
    }
    this.byName.set(name, { type, entry, next: head });
  }

  /**
   * Caches an answer for the RRset's lifetime: the smallest TTL of the records used, CNAMEs of
   * the chain included (RFC 2181 §5.2, §10.1). TTL 0 means "use for this transaction only"
   * (RFC 1035 §3.2.1), so nothing is stored. `cacheType`: the highest dns_cache_type among the
   * accounts waiting for the answer.
   */
  putAnswer(name: string, type: string, chain: DnsRecord[], records: DnsRecord[], additional: DnsRecord[], now: Micros, cacheType: CacheType = this.cacheType): Micros {
    const expiresAt = now + ttlUs(minTtl(chain));
    if (cacheType === 0 || expiresAt <= now) return expiresAt;
    const extra = cacheType === 2 ? additional : [];
    this.set(name, type, { kind: 'positive', records, additional: extra, expiresAt });
    if (cacheType === 2) this.putAdditional(additional, now);
    return expiresAt;
  }

  /**
   * RFC 2308 §5: a negative answer lives for min(SOA TTL, SOA minimum). Without an SOA in the
   * authority section it SHOULD NOT be cached, and is not. With a fixed TTL (AMB-18 `fixed`)
   * every negative answer lives that long, SOA or not.
   */
  putNegative(name: string, type: string, error: NegativeKind, soa: SoaRecord | undefined, now: Micros, cacheType: CacheType = this.cacheType): void {
    if (cacheType === 0) return;
    const ttl = this.negativeTtl === 'soaMinimum' ? (soa ? Math.min(soa.ttl, soa.minimum) : 0) : this.negativeTtl;
    if (ttl <= 0) return;
    this.set(name, type, { kind: 'negative', error, expiresAt: now + ttlUs(ttl) });
  }

  /**
   * RFC 2308 §7: a SERVFAIL, or a server that did not answer at all, MAY be cached, for at most
   * five minutes (AMB-18). `seconds` 0 = not cached.
   */
  putFailure(name: string, type: string, error: 'timeout' | 'servfail', seconds: number, now: Micros, cacheType: CacheType = this.cacheType): void {
    if (cacheType === 0 || seconds <= 0) return;
    this.set(name, type, { kind: 'negative', error, expiresAt: now + ttlUs(seconds) });
  }

  /**
   * Additional-section records become their own entries (dns_cache_type 2), so the A lookups
   * that follow an SRV answer are served locally. RFC 2181 §5.4.1 ranks additional data below
   * answer data: it never replaces a live entry.
   */
  private putAdditional(additional: DnsRecord[], now: Micros): void {
    const groups = new Map<string, { name: string; type: string; records: DnsRecord[] }>();
    for (const r of additional) {
      const k = `${r.name}|${r.type}`;
      const g = groups.get(k);
      if (g) g.records.push(r);
      else groups.set(k, { name: r.name, type: r.type, records: [r] });
    }
    for (const { name, type, records } of groups.values()) {
      if (this.get(name, type, now, 2)) continue;
      const expiresAt = now + ttlUs(minTtl(records));
      if (expiresAt > now) this.set(name, type, { kind: 'positive', records, additional: [], expiresAt, fromAdditional: true });
    }
  }
}

/**
 * The phone's static DNS cache. Vendor rule (R8): an entry's TTL counts from boot — here the
 * resolver's creation — and once it has run out the entry is no longer used.
 */
/**
 * When a static entry's TTL starts to count (fact sheet AMB-17, model option staticCacheTtlClock):
 * 'atFirstUse' (the sheet's proposed default) the first time a lookup uses the entry; 'atBoot'
 * when the phone boots; 'perLookup' afresh at every lookup (the entries never expire).
 */
export type StaticTtlClock = 'atFirstUse' | 'atBoot' | 'perLookup';

/**
 * The static entries (dns_cache_a/srv/naptr.N.*). With the default, a phone that boots hours
 * into a run with DNS down still finds its TTL-120 entries valid; counting from t = 0 of the
 * run, as the model once did, made such a phone never register.
 */
export class StaticCache {
  private firstUse = noEntries<DnsRecord, Micros>();
  private bootAt: Micros = 0;

  constructor(
    private readonly records: readonly DnsRecord[],
    private readonly ttlClock: StaticTtlClock = 'atFirstUse',
  ) {}

  /** The phone booted: the start of every TTL under 'atBoot'. */
  boot(now: Micros): void {
    this.bootAt = now;
  }

  get size(): number {
    return this.records.length;
  }

  lookup(name: string, type: string, now: Micros): { records: DnsRecord[]; expiresAt: Micros } | undefined {
    const live: DnsRecord[] = [];
    let expiresAt = Infinity;
    for (const r of this.records) {
      if (r.name !== name || r.type !== type) continue;
      let start = this.ttlClock === 'atBoot' ? this.bootAt : this.ttlClock === 'perLookup' ? now : this.firstUse.get(r);
      if (start === undefined) {
        start = now;
        this.firstUse = withEntry(this.firstUse, r, now);
      }
      const end = start + ttlUs(r.ttl);
      if (now >= end) continue;
      live.push(r);
      expiresAt = Math.min(expiresAt, end);
    }
    return live.length === 0 ? undefined : { records: live, expiresAt };
  }
}

export function minTtl(records: readonly DnsRecord[]): number {
  let m = Infinity;
  for (const r of records) m = Math.min(m, r.ttl);
  return m === Infinity ? 0 : m;
}
