/**
 * The phone's stub resolver: one UDP socket per host, questions multiplexed by DNS id, retries
 * across the configured servers, a TTL cache, a negative cache and the static cache (R8).
 *
 * Callback API, no Promises: `done` always runs from a clock event, never inside `resolve`
 * (run-to-completion), so a caller's state is settled before the answer arrives.
 */
import type { Clock, EventHandle, Micros } from '../core/clock.js';
import { sec } from '../core/time.js';
import type { IcmpQuote, Trace } from '../core/trace.js';
import type { Datagram, Host, UdpSocket } from '../net/host.js';
import type { Network } from '../net/network.js';
import { CacheType, DnsCache, NegativeKind, StaticCache } from './dns-cache.js';
import { DNS_PORT, queryLabel } from './dns-server.js';
import { answersOfType, DnsRecord, formatRecord, normalizeName, ofType } from './records.js';
import { AccountView, type AccountResolver, type CacheView } from './account-resolver.js';
import { RESOLVER_DEFAULTS, type StubResolverOptions } from './stub-resolver-options.js';

export { RESOLVER_DEFAULTS, type StubResolverOptions } from './stub-resolver-options.js';

export type { AccountResolver, CacheView } from './account-resolver.js';
import { decodeShared, encodeQuery, messageId } from './wire.js';

export type ResolveQtype = 'A' | 'SRV' | 'NAPTR';
export type ResolveError = NegativeKind | 'timeout' | 'servfail';

export type ResolveResult =
  /**
   * `records`: those of the asked type (a CNAME chain shows in the trace only). `expiresAt`: µs,
   * when the data stops being valid. `ttlEnd`: when the records' TTL runs out, if later than
   * `expiresAt` (dns_cache_type 0 keeps nothing past the request, but the records still carry a
   * TTL — failback mode 1 reads it, AMB-07 dnsTtlSource).
   */
  | { ok: true; records: DnsRecord[]; additional: DnsRecord[]; source: 'network' | 'cache' | 'static'; expiresAt: Micros; ttlEnd?: Micros; liveError?: ResolveError }
  /** source 'static': no DNS server is configured and the static cache holds nothing (reported as nxdomain). */
  | { ok: false; error: ResolveError; source: 'network' | 'negative' | 'static' };

export type ResolveDone = (r: ResolveResult) => void;

/** What server location needs of a resolver. */
export interface LocatingResolver {
  readonly clock: Clock;
  readonly trace: Trace;
  readonly host: Host;
  resolve(name: string, qtype: ResolveQtype, done: ResolveDone): void;
  /**
   * AMB-20 dnsTimeoutScope = perName: the same question answered from what the phone holds (the
   * cache, a negative entry, the static entries) and never sent — unknown ⇒ 'timeout' at once.
   */
  resolveHeld?(name: string, qtype: ResolveQtype, done: ResolveDone): void;
}

interface Waiter {
  done: ResolveDone;
  view: CacheView;
}


interface Question {
  name: string;
  qtype: ResolveQtype;
  key: string;
  waiters: Waiter[];
  /** Transmissions so far; under 'rounds' try k goes to servers[k % n] in round ⌊k / n⌋. */
  tries: number;
  /** 'primaryThenSecondary': the server being tried (index) and its tries so far. */
  serverIndex: number;
  onServer: number;
  /** The DNS id of the try on the wire; 0 between tries (ids run 1..65535). */
  id: number;
  server: string;
  timer: EventHandle;
  sawServfail: boolean;
  /** Whose question: the timeout handler is shared by every resolver (no closure per phone). */
  resolver: StubResolver;
}

export class StubResolver implements UdpSocket {
  readonly cache: DnsCache;
  /** The cache keys of a lookup that names none (the phone's first account). */
  readonly view: CacheView;
  readonly statics: StaticCache;
  readonly port: number;
  private readonly opts: Required<Omit<StubResolverOptions, 'staticRecords' | 'staticTtlClock' | 'port' | 'negativeTtl' | 'cacheType' | 'staticPri'>>;
  private nextId = 0;
  /**
   * The questions in flight, oldest first: a phone has a handful at most (NAPTR, SRV, then an A
   * per target), so a scan is cheaper than the two Maps (by key, by DNS id) it replaces, which a
   * fleet made and dropped for every burst of questions (~150 B per event, 5,000 phones). The
   * shared empty list until the first question.
   */
  private questions: Question[] = NO_QUESTIONS;

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
      servers: [...options.servers], timeout, attempts, backoff: options.backoff ?? d.backoff, serverOrder: options.serverOrder ?? d.serverOrder, tryBudget: options.tryBudget ?? d.tryBudget,
      failureTtl: options.failureTtl ?? d.failureTtl, staticPriOne: options.staticPriOne ?? d.staticPriOne,
    };
    this.port = options.port ?? d.port;
    this.cache = new DnsCache(cacheType, options.negativeTtl ?? d.negativeTtl);
    this.view = { cacheType, staticPri: options.staticPri ?? d.staticPri };
    this.statics = new StaticCache(options.staticRecords ?? [], options.staticTtlClock);
    host.bind(this.port, this);
  }

  /**
   * This resolver as an account with its own dns_cache_type and static_cache_pri uses it: one
   * socket, one store of answers and one static cache for the phone, read and written by each
   * account's rules (a type-0 account neither reads nor fills the store).
   */
  forAccount(view: CacheView): AccountResolver {
    return new AccountView(this, view);
  }

  resolve(qname: string, qtype: ResolveQtype, done: ResolveDone, view: CacheView = this.view, held = false): void {
    const name = normalizeName(qname);
    const now = this.clock.now;
    const servers = this.opts.servers;
    // R8: static first when static_cache_pri = 1, and only static when no DNS server is configured.
    if (view.staticPri === 1 || servers.length === 0) {
      if (this.useStatic(name, qtype, done)) return;
      // No DNS server, or AMB-17 staticOnly with static_cache_pri 1: what the static entries do not hold does not exist.
      if (servers.length === 0 || this.opts.staticPriOne === 'staticOnly') return this.later(done, { ok: false, error: 'nxdomain', source: 'static' });
    }
    const hit = this.cache.get(name, qtype, now, view.cacheType);
    if (hit?.kind === 'positive') {
      if (this.trace.on['dns.cache']) this.trace.emit({ kind: 'dns.cache', host: this.host.name, name, qtype, source: 'cache', records: hit.records.map(formatRecord) });
      return this.later(done, { ok: true, records: hit.records, additional: view.cacheType === 2 ? hit.additional : [], source: 'cache', expiresAt: hit.expiresAt });
    }
    if (hit?.kind === 'negative') {
      this.trace.emit({ kind: 'dns.cache', host: this.host.name, name, qtype, source: 'negative', records: [] });
      if (view.staticPri === 0 && this.useStatic(name, qtype, done)) return;
      return this.later(done, { ok: false, error: hit.error, source: 'negative' });
    }
    if (held) {
      // Nothing held for it and it is not to be asked (LocatingResolver.resolveHeld): the static entries, or a timeout now.
      if (view.staticPri === 0 && this.useStatic(name, qtype, done)) return;
      return this.later(done, { ok: false, error: 'timeout', source: 'network' });
    }
    const key = `${name}|${qtype}`;
    const pending = this.questionByKey(key);
    // The same question already on the wire: wait for its answer rather than ask twice.
    if (pending) return void pending.waiters.push({ done, view });
    const q: Question = { name, qtype, key, waiters: [{ done, view }], tries: 0, serverIndex: 0, onServer: 0, id: 0, server: '', timer: 0, sawServfail: false, resolver: this };
    if (this.questions === NO_QUESTIONS) this.questions = [q];
    else this.questions.push(q);
    this.transmit(q);
  }

  onDatagram(d: Datagram): void {
    const msg = decodeShared(d.payload);
    if (!msg || !msg.response) return;
    const q = this.questionById(messageId(d.payload));
    // RFC 5452 §9.1: accept an answer only from the server asked, to the question asked.
    // Anything else — unknown id, or the id of a try that already timed out — is dropped.
    if (!q || d.src.ip !== q.server || d.src.port !== DNS_PORT) return;
    if (!msg.question || msg.question.name !== q.name || msg.question.type !== q.qtype) return;
    this.clock.cancel(q.timer);
    q.id = 0;
    if (this.trace.on['dns.answer']) this.trace.emit({
      kind: 'dns.answer', host: this.host.name, server: this.nameOf(q.server), name: q.name, qtype: q.qtype,
      rcode: msg.rcode, records: msg.answers.map(formatRecord),
    });
    const now = this.clock.now;
    if (msg.rcode === 'NOERROR' || msg.rcode === 'NXDOMAIN') {
      const records = answersOfType(msg.answers, q.qtype);
      if (msg.rcode === 'NOERROR' && records.length > 0) {
        const cachedUntil = this.cache.putAnswer(q.name, q.qtype, msg.answers, records, msg.additional, now, storeType(q));
        const fresh: ResolveResult = { ok: true, records, additional: msg.additional, source: 'network', expiresAt: cachedUntil };
        // dns_cache_type 0 (always query): the answer is good for this request only. Made only
        // when such an account is waiting (storeType is the highest type among the waiters).
        let once: ResolveResult | undefined;
        return this.finish(q, (v) => (v.cacheType === 0 ? (once ??= { ...fresh, expiresAt: now, ttlEnd: cachedUntil }) : fresh));
      }
      const error = msg.rcode === 'NXDOMAIN' ? 'nxdomain' : 'nodata';
      this.cache.putNegative(q.name, q.qtype, error, ofType(msg.authority, 'SOA')[0], now, storeType(q));
      const failed: ResolveResult = { ok: false, error, source: 'network' };
      return this.finish(q, () => failed);
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
    // A copy: next() may finish a question (out of the list) or ask a new one.
    for (const q of this.questions.slice()) {
      if (q.id === 0 || q.server !== dst.ip || dst.port !== DNS_PORT) continue;
      this.clock.cancel(q.timer);
      q.id = 0;
      this.next(q, true);
    }
  }

  resolveHeld(qname: string, qtype: ResolveQtype, done: ResolveDone, view: CacheView = this.view): void {
    this.resolve(qname, qtype, done, view, true);
  }

  private transmit(q: Question): void {
    const servers = this.opts.servers;
    // AMB-20 tryBudget = shared: the servers take the question's tries in turn, as in resolv.conf rounds.
    const rounds = this.opts.serverOrder === 'rounds' || this.opts.tryBudget === 'shared';
    const round = rounds ? Math.floor(q.tries / servers.length) : q.onServer++;
    q.server = servers[rounds ? q.tries % servers.length : q.serverIndex]!;
    q.tries++;
    q.id = this.allocateId();
    if (this.trace.on['dns.query']) this.trace.emit({ kind: 'dns.query', host: this.host.name, server: this.nameOf(q.server), name: q.name, qtype: q.qtype, attempt: q.tries });
    this.network.sendUdp(this.host, this.port, { ip: q.server, port: DNS_PORT }, encodeQuery(q.id, q.name, q.qtype), queryLabel(q.qtype, q.name), true);
    q.timer = this.clock.schedule(this.timeoutFor(round), questionTimedOut, q, this.host.name);
  }

  /** @internal Timer handler: no answer to this try. */
  onTimeout(q: Question): void {
    q.id = 0;
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
    if (this.opts.tryBudget === 'shared') {
      if (q.tries < attempts) return this.transmit(q);
    } else if (this.opts.serverOrder === 'rounds') {
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
    this.cache.putFailure(q.name, q.qtype, error, this.opts.failureTtl, this.clock.now, storeType(q));
    const failed: ResolveResult = { ok: false, error, source: 'network' };
    this.finish(q, () => failed);
  }

  private timeoutFor(round: number): Micros {
    const t = this.opts.timeout;
    if (this.opts.backoff === 'fixed' || round === 0) return t;
    return Math.max(sec(1), Math.floor((t * 2 ** round) / this.opts.servers.length));
  }

  /** Called from a clock event (answer, timeout, ICMP), so the waiters run asynchronously to `resolve`. */
  private finish(q: Question, resultFor: (view: CacheView) => ResolveResult): void {
    this.forget(q);
    let staticHit: ResolveResult | undefined | null = null;
    for (const { done, view } of q.waiters) {
      const result = resultFor(view);
      // R8, live first: when the query returns nothing, the static entries stand in while valid.
      if (!result.ok && view.staticPri === 0) {
        if (staticHit === null) staticHit = this.staticResult(q.name, q.qtype);
        if (staticHit) {
          // Said, so that a location can tell the DNS servers were silent (AMB-20 dnsTimeoutScope = perName).
          done(staticHit.ok ? { ...staticHit, liveError: result.error } : staticHit);
          continue;
        }
      }
      done(result);
    }
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
    return this.statics.size > 0 && this.view.staticPri === 0;
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
    while (this.questionById(this.nextId));
    return this.nextId;
  }

  private questionByKey(key: string): Question | undefined {
    for (const q of this.questions) if (q.key === key) return q;
    return undefined;
  }

  /** The question whose try on the wire has this id (0 matches none: it marks no try on the wire). */
  private questionById(id: number): Question | undefined {
    if (id === 0) return undefined;
    for (const q of this.questions) if (q.id === id) return q;
    return undefined;
  }

  private forget(q: Question): void {
    const list = this.questions;
    const i = list.indexOf(q);
    if (i < 0) return;
    // The last one out: back to the shared empty list, so an idle phone holds no array.
    if (list.length === 1) this.questions = NO_QUESTIONS;
    else list.splice(i, 1);
  }

  private nameOf(ip: string): string {
    return this.network.hostByIp(ip)?.name ?? ip;
  }
}

/** What the store keeps of an answer: the highest dns_cache_type among the accounts waiting for it. */
function storeType(q: Question): CacheType {
  let t: CacheType = 0;
  for (const w of q.waiters) if (w.view.cacheType > t) t = w.view.cacheType;
  return t;
}

function deliver(a: { done: ResolveDone; result: ResolveResult }): void {
  a.done(a.result);
}

/** The shared empty list of an idle resolver: replaced, never pushed to. */
const NO_QUESTIONS: Question[] = [];
Object.freeze(NO_QUESTIONS);

const questionTimedOut = (q: Question): void => q.resolver.onTimeout(q);
