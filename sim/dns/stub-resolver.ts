/**
 * The phone's stub resolver: one UDP socket per host, questions multiplexed by DNS id, retries
 * across the configured servers, a TTL cache, a negative cache and the static cache (R8).
 *
 * Callback API, no Promises: `done` always runs from a clock event, never inside `resolve`
 * (run-to-completion), so a caller's state is settled before the answer arrives.
 */
import { noEntries, withEntry, withoutEntry } from '../core/sparse-map.js';
import type { Clock, EventHandle, Micros } from '../core/clock.js';
import { sec } from '../core/time.js';
import type { IcmpQuote, Trace } from '../core/trace.js';
import type { Datagram, Host, UdpSocket } from '../net/host.js';
import type { Network } from '../net/network.js';
import { CacheType, DnsCache, NegativeKind, StaticCache, StaticTtlClock } from './dns-cache.js';
import { DNS_PORT, queryLabel } from './dns-server.js';
import { DnsRecord, formatRecord, normalizeName, ofType } from './records.js';
import { decodeMessage, encodeQuery } from './wire.js';

export type ResolveQtype = 'A' | 'SRV' | 'NAPTR';
export type ResolveError = NegativeKind | 'timeout' | 'servfail';

export type ResolveResult =
  /**
   * `records`: those of the asked type (a CNAME chain shows in the trace only). `expiresAt`: µs,
   * when the data stops being valid. `ttlEnd`: when the records' TTL runs out, if later than
   * `expiresAt` (dns_cache_type 0 keeps nothing past the request, but the records still carry a
   * TTL — failback mode 1 reads it, AMB-07 dnsTtlSource).
   */
  | { ok: true; records: DnsRecord[]; additional: DnsRecord[]; source: 'network' | 'cache' | 'static'; expiresAt: Micros; ttlEnd?: Micros }
  /** source 'static': no DNS server is configured and the static cache holds nothing (reported as nxdomain). */
  | { ok: false; error: ResolveError; source: 'network' | 'negative' | 'static' };

export type ResolveDone = (r: ResolveResult) => void;

/** What server location needs of a resolver. */
export interface LocatingResolver {
  readonly clock: Clock;
  readonly trace: Trace;
  readonly host: Host;
  resolve(name: string, qtype: ResolveQtype, done: ResolveDone): void;
}

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
  /** account.X.dns_cache_type, default 1. */
  cacheType?: CacheType;
  /** Static entries (dns_cache_a/srv/naptr.N.*). */
  staticRecords?: DnsRecord[];
  /** When their TTLs start (AMB-17); default 'atFirstUse'. */
  staticTtlClock?: StaticTtlClock;
  /** account.X.static_cache_pri: 0 live DNS first (default), 1 static entries first. */
  staticPri?: 0 | 1;
  /** AMB-18: negative TTL of NXDOMAIN/NODATA — 'soaMinimum' (default, RFC 2308 §5) or fixed seconds. */
  negativeTtl?: 'soaMinimum' | number;
  /** AMB-18: seconds a SERVFAIL or an unanswered question is remembered (RFC 2308 §7: at most 300); 0 (default) = not cached. */
  failureTtl?: number;
  /** Local UDP port. */
  port?: number;
}

export const RESOLVER_DEFAULTS = { timeout: sec(5), attempts: 2, backoff: 'fixed', serverOrder: 'rounds', cacheType: 1, staticPri: 0, negativeTtl: 'soaMinimum', failureTtl: 0, port: 53053 } as const;

interface Question {
  name: string;
  qtype: ResolveQtype;
  key: string;
  waiters: ResolveDone[];
  /** Transmissions so far; under 'rounds' try k goes to servers[k % n] in round ⌊k / n⌋. */
  tries: number;
  /** 'primaryThenSecondary': the server being tried (index) and its tries so far. */
  serverIndex: number;
  onServer: number;
  id: number;
  server: string;
  timer: EventHandle;
  sawServfail: boolean;
  /** Whose question: the timeout handler is shared by every resolver (no closure per phone). */
  resolver: StubResolver;
}

export class StubResolver implements UdpSocket {
  readonly cache: DnsCache;
  readonly statics: StaticCache;
  readonly port: number;
  private readonly opts: Required<Omit<StubResolverOptions, 'staticRecords' | 'staticTtlClock' | 'port' | 'negativeTtl'>>;
  private nextId = 0;
  private byId = noEntries<number, Question>();
  private inflight = noEntries<string, Question>();

  constructor(
    readonly clock: Clock,
    readonly trace: Trace,
    private readonly network: Network,
    readonly host: Host,
    options: StubResolverOptions,
  ) {
    // Field by field rather than { ...RESOLVER_DEFAULTS, ...options }: callers build options of
    // several shapes, and that spread was a third of a sweep's per-run World construction.
    const d = RESOLVER_DEFAULTS;
    const timeout = options.timeout ?? d.timeout;
    const attempts = options.attempts ?? d.attempts;
    if (!Number.isSafeInteger(timeout) || timeout <= 0) throw new Error(`Cannot create resolver on ${host.name}: timeout ${timeout} µs is not a positive integer`);
    if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`Cannot create resolver on ${host.name}: attempts ${attempts} is below 1`);
    const cacheType = options.cacheType ?? d.cacheType;
    this.opts = {
      servers: [...options.servers], timeout, attempts, backoff: options.backoff ?? d.backoff, serverOrder: options.serverOrder ?? d.serverOrder, cacheType,
      staticPri: options.staticPri ?? d.staticPri, failureTtl: options.failureTtl ?? d.failureTtl,
    };
    this.port = options.port ?? d.port;
    this.cache = new DnsCache(cacheType, options.negativeTtl ?? d.negativeTtl);
    this.statics = new StaticCache(options.staticRecords ?? [], options.staticTtlClock);
    host.bind(this.port, this);
  }

  resolve(qname: string, qtype: ResolveQtype, done: ResolveDone): void {
    const name = normalizeName(qname);
    const now = this.clock.now;
    const servers = this.opts.servers;
    // R8: static first when static_cache_pri = 1, and only static when no DNS server is configured.
    if (this.opts.staticPri === 1 || servers.length === 0) {
      if (this.useStatic(name, qtype, done)) return;
      if (servers.length === 0) return this.later(done, { ok: false, error: 'nxdomain', source: 'static' });
    }
    const hit = this.cache.get(name, qtype, now);
    if (hit?.kind === 'positive') {
      if (this.trace.on['dns.cache']) this.trace.emit({ kind: 'dns.cache', host: this.host.name, name, qtype, source: 'cache', records: hit.records.map(formatRecord) });
      return this.later(done, { ok: true, records: hit.records, additional: hit.additional, source: 'cache', expiresAt: hit.expiresAt });
    }
    if (hit?.kind === 'negative') {
      this.trace.emit({ kind: 'dns.cache', host: this.host.name, name, qtype, source: 'negative', records: [] });
      if (this.opts.staticPri === 0 && this.useStatic(name, qtype, done)) return;
      return this.later(done, { ok: false, error: hit.error, source: 'negative' });
    }
    const key = `${name}|${qtype}`;
    const pending = this.inflight.get(key);
    // The same question already on the wire: wait for its answer rather than ask twice.
    if (pending) return void pending.waiters.push(done);
    const q: Question = { name, qtype, key, waiters: [done], tries: 0, serverIndex: 0, onServer: 0, id: 0, server: '', timer: 0, sawServfail: false, resolver: this };
    this.inflight = withEntry(this.inflight, key, q);
    this.transmit(q);
  }

  onDatagram(d: Datagram): void {
    const msg = decodeMessage(d.payload);
    if (!msg || !msg.response) return;
    const q = this.byId.get(msg.id);
    // RFC 5452 §9.1: accept an answer only from the server asked, to the question asked.
    // Anything else — unknown id, or the id of a try that already timed out — is dropped.
    if (!q || d.src.ip !== q.server || d.src.port !== DNS_PORT) return;
    if (!msg.question || msg.question.name !== q.name || msg.question.type !== q.qtype) return;
    this.clock.cancel(q.timer);
    this.byId = withoutEntry(this.byId, q.id);
    if (this.trace.on['dns.answer']) this.trace.emit({
      kind: 'dns.answer', host: this.host.name, server: this.nameOf(q.server), name: q.name, qtype: q.qtype,
      rcode: msg.rcode, records: msg.answers.map(formatRecord),
    });
    const now = this.clock.now;
    if (msg.rcode === 'NOERROR' || msg.rcode === 'NXDOMAIN') {
      const records = answersOfType(msg.answers, q.qtype);
      if (msg.rcode === 'NOERROR' && records.length > 0) {
        const cachedUntil = this.cache.putAnswer(q.name, q.qtype, msg.answers, records, msg.additional, now);
        // dns_cache_type 0 (always query): the answer is good for this request only.
        if (this.opts.cacheType === 0) return this.finish(q, { ok: true, records, additional: msg.additional, source: 'network', expiresAt: now, ttlEnd: cachedUntil });
        return this.finish(q, { ok: true, records, additional: msg.additional, source: 'network', expiresAt: cachedUntil });
      }
      const error = msg.rcode === 'NXDOMAIN' ? 'nxdomain' : 'nodata';
      this.cache.putNegative(q.name, q.qtype, error, ofType(msg.authority, 'SOA')[0], now);
      return this.finish(q, { ok: false, error, source: 'network' });
    }
    // SERVFAIL, REFUSED, NOTIMP…: this server cannot help; glibc's res_send moves to the next one.
    q.sawServfail = true;
    this.next(q, true);
  }

  /**
   * ICMP quotes only the UDP header (RFC 792), not the DNS id: every question waiting on that
   * server counts it as failed at once and moves on, like glibc on ECONNREFUSED.
   */
  onIcmpError(icmp: IcmpQuote): void {
    const dst = icmp.original.dst;
    for (const q of [...this.byId.values()]) {
      if (q.server !== dst.ip || dst.port !== DNS_PORT) continue;
      this.clock.cancel(q.timer);
      this.byId = withoutEntry(this.byId, q.id);
      this.next(q, true);
    }
  }

  private transmit(q: Question): void {
    const servers = this.opts.servers;
    const rounds = this.opts.serverOrder === 'rounds';
    const round = rounds ? Math.floor(q.tries / servers.length) : q.onServer++;
    q.server = servers[rounds ? q.tries % servers.length : q.serverIndex]!;
    q.tries++;
    q.id = this.allocateId();
    this.byId = withEntry(this.byId, q.id, q);
    if (this.trace.on['dns.query']) this.trace.emit({ kind: 'dns.query', host: this.host.name, server: this.nameOf(q.server), name: q.name, qtype: q.qtype, attempt: q.tries });
    this.network.sendUdp(this.host, this.port, { ip: q.server, port: DNS_PORT }, encodeQuery(q.id, q.name, q.qtype), queryLabel(q.qtype, q.name), true);
    q.timer = this.clock.schedule(this.timeoutFor(round), questionTimedOut, q, this.host.name);
  }

  /** @internal Timer handler: no answer to this try. */
  onTimeout(q: Question): void {
    this.byId = withoutEntry(this.byId, q.id);
    this.trace.emit({ kind: 'dns.timeout', host: this.host.name, server: this.nameOf(q.server), name: q.name, qtype: q.qtype, attempt: q.tries });
    this.next(q);
  }

  /**
   * The next try, or the end. 'rounds' (resolv.conf): each round tries every server in turn,
   * `attempts` rounds in all. 'primaryThenSecondary' (AMB-20 ★): `attempts` tries of each server
   * in order; `serverFailed` (SERVFAIL, ICMP) moves to the next server at once when there is one.
   */
  private next(q: Question, serverFailed = false): void {
    const { attempts, servers } = this.opts;
    if (this.opts.serverOrder === 'rounds') {
      if (q.tries < attempts * servers.length) return this.transmit(q);
    } else {
      const more = q.serverIndex + 1 < servers.length;
      if (q.onServer < attempts && !(serverFailed && more)) return this.transmit(q);
      if (more) {
        q.serverIndex++;
        q.onServer = 0;
        return this.transmit(q);
      }
    }
    const error = q.sawServfail ? 'servfail' : 'timeout';
    // AMB-18: remembered for failureTtl seconds, so the next lookup fails (or falls to the static entries) at once.
    this.cache.putFailure(q.name, q.qtype, error, this.opts.failureTtl, this.clock.now);
    this.finish(q, { ok: false, error, source: 'network' });
  }

  private timeoutFor(round: number): Micros {
    const t = this.opts.timeout;
    if (this.opts.backoff === 'fixed' || round === 0) return t;
    return Math.max(sec(1), Math.floor((t * 2 ** round) / this.opts.servers.length));
  }

  /** Called from a clock event (answer, timeout, ICMP), so the waiters run asynchronously to `resolve`. */
  private finish(q: Question, result: ResolveResult): void {
    this.inflight = withoutEntry(this.inflight, q.key);
    // R8, live first: when the query returns nothing, the static entries stand in while valid.
    const staticHit = !result.ok && this.opts.staticPri === 0 ? this.staticResult(q.name, q.qtype) : undefined;
    for (const done of q.waiters) done(staticHit ?? result);
  }

  /**
   * A resolver that answers from the static entries only, silently (no DNS traffic, no trace):
   * for R8's "when the returned server cannot be contacted, the static entries are used".
   */
  staticOnly(): LocatingResolver {
    return {
      clock: this.clock,
      trace: this.trace,
      host: this.host,
      resolve: (qname, qtype, done) => {
        const s = this.statics.lookup(normalizeName(qname), qtype, this.clock.now);
        this.later(done, s ? { ok: true, records: s.records, additional: [], source: 'static', expiresAt: s.expiresAt } : { ok: false, error: 'nxdomain', source: 'static' });
      },
    };
  }

  get hasStaticEntries(): boolean {
    return this.statics.size > 0 && this.opts.staticPri === 0;
  }

  private useStatic(name: string, qtype: ResolveQtype, done: ResolveDone): boolean {
    const r = this.staticResult(name, qtype);
    if (r) this.later(done, r);
    return r !== undefined;
  }

  private staticResult(name: string, qtype: ResolveQtype): ResolveResult | undefined {
    const s = this.statics.lookup(name, qtype, this.clock.now);
    if (!s) return undefined;
    if (this.trace.on['dns.cache']) this.trace.emit({ kind: 'dns.cache', host: this.host.name, name, qtype, source: 'static', records: s.records.map(formatRecord) });
    return { ok: true, records: s.records, additional: [], source: 'static', expiresAt: s.expiresAt };
  }

  private later(done: ResolveDone, result: ResolveResult): void {
    this.clock.schedule(0, deliver, { done, result }, this.host.name);
  }

  /** Deterministic ids from a counter, skipping ids still in use (real resolvers randomise them, RFC 5452 §9.2). */
  private allocateId(): number {
    do this.nextId = (this.nextId % 0xffff) + 1;
    while (this.byId.has(this.nextId));
    return this.nextId;
  }

  private nameOf(ip: string): string {
    return this.network.hostByIp(ip)?.name ?? ip;
  }
}

function deliver(a: { done: ResolveDone; result: ResolveResult }): void {
  a.done(a.result);
}

const questionTimedOut = (q: Question): void => q.resolver.onTimeout(q);

/**
 * The answers of one type, one array per decoded answer section and type: decoded messages are
 * shared by every resolver that got the same answer (wire.ts), so a fleet's caches share these
 * arrays too instead of holding a filtered copy each. Nobody changes cached records.
 */
const byType = new WeakMap<readonly DnsRecord[], Map<string, DnsRecord[]>>();

function answersOfType(answers: DnsRecord[], qtype: string): DnsRecord[] {
  let types = byType.get(answers);
  if (!types) byType.set(answers, (types = new Map()));
  let list = types.get(qtype);
  if (!list) types.set(qtype, (list = answers.filter((r) => r.type === qtype)));
  return list;
}
