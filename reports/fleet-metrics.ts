import type { Micros } from '../sim/core/clock.js';
import type { TraceEvent, TraceKind, TraceSink } from '../sim/core/trace.js';
import type { HostInfo } from '../sim/scenario/world.js';
import { Distribution, distribution, NumberList } from './distribution.js';

/** The shares after each event whose instants the metrics report. */
export const SHARE_MARKS = [50, 95, 99, 100] as const;

export interface ServerSeries {
  name: string;
  /** Per second [k, k+1): SIP requests delivered to the server (retransmissions included). */
  arrived: Int32Array;
  /** Per second: final responses (2xx–6xx) the server sent. */
  answered: Int32Array;
  /** Per second: requests a capacity-limited server shed (503 or dropped). */
  shed: Int32Array;
  /**
   * Per second: the longest queue an arriving request found (capacity-limited servers; 0 in a
   * second nobody arrived: the trace marks arrivals, not services, so a level between arrivals is
   * not known — carrying the last one forward would show a crashed server's queue all outage long).
   */
  queue: Int32Array;
  /** At the end of each second: phones holding a registration on the server (phone-side view). */
  bindings: Int32Array;
}

/** After one scenario event: when the fleet's share registered (anywhere or on one server) reached each mark. */
export interface AfterEvent {
  t: Micros;
  event: string;
  /** 'any' (some working server) or a server name. */
  target: string;
  /** Lowest share seen from the event until the end of the run (0..1). */
  minShare: number;
  /** Per mark: µs from the event until the share, once below the mark, got back to it (0: never below); null if it never did. */
  reached: Record<(typeof SHARE_MARKS)[number], Micros | null>;
}

export interface FleetMetrics {
  name: string;
  count: number;
  /** At the end of each second: phones with a working server. */
  registered: Int32Array;
  /** At the end of each second, per server: registrations the fleet holds there. */
  on: Map<string, Int32Array>;
  afterEvents: AfterEvent[];
  /** Unregistered gaps after a first registration (open gaps run to the end), µs. */
  gap: Distribution | null;
  /** Phones that never registered. */
  neverRegistered: number;
  /** Outgoing calls' setup times, µs. */
  setup: Distribution | null;
  calls: { answered: number; failed: number; busy: number };
}

export interface MetricsResult {
  /** Rows: one per second of simulated time, row k covering [k s, k+1 s). */
  seconds: number;
  servers: ServerSeries[];
  fleets: FleetMetrics[];
}

interface FleetState {
  name: string;
  count: number;
  /** Per phone (index 1..count): a bit per account with a working server. */
  working: Uint32Array;
  everRegistered: Uint8Array;
  /** Per phone: start of the open gap, NaN when none. */
  gapFrom: Float64Array;
  up: number;
  /** Per server, per phone: a bit per account registered there (the record's server, as the summary reads it). */
  regOn: Map<string, Uint32Array>;
  onNow: Map<string, number>;
  registered: Int32Array;
  on: Map<string, Int32Array>;
  gaps: NumberList;
  setups: NumberList;
  calls: { answered: number; failed: number; busy: number };
  trackers: Tracker[];
}

interface Tracker extends AfterEvent {
  pending: number;
  /** Per mark: the share has been below it since the event. */
  below: Uint8Array;
}

// A request's label is its method, alone or followed by its URI; a response's starts with its
// status. TLS handshake records ("TLS ClientHello") are not requests, and a segment TCP sends
// again ("… [retransmission]") reaches the SIP layer once, so neither counts.
const REQUEST_LABEL = /^(?!TLS )[A-Z]+(?: (?!.*\[retransmission\]$)|$)/;
const FINAL_LABEL = /^[2-6]\d\d(?: (?!.*\[retransmission\]$)|$)/;

/**
 * Fleet and server metrics folded from the trace stream: per-second counters and levels, the
 * instants each fleet gets back after each event, and the gap and call-setup distributions.
 * State is per host (a few bytes per phone) plus one row per simulated second, never per record.
 */
export class FleetMetricsReducer implements TraceSink {
  private readonly seconds: number;
  private readonly servers = new Map<string, ServerSeries & { bindingsNow: number }>();
  private readonly fleets = new Map<string, FleetState>();
  /** Phone name → its fleet and index; resolved once per phone. */
  private readonly member = new Map<string, { fleet: FleetState; i: number } | null>();
  /** Requests in flight towards a server, by packet id: counted as arrivals when delivered. */
  private readonly inflight = new Map<number, ServerSeries>();
  /** Single (non-fleet) phones' registrations per server: `server\0phone` → account bits. */
  private readonly singleBits = new Map<string, number>();
  private sampled = 0;
  readonly kinds: readonly TraceKind[] = ['net.send', 'net.deliver', 'net.drop', 'phone.registration', 'phone.working-server', 'call.outcome', 'scenario.action', 'server.load'];

  constructor(hosts: readonly HostInfo[], fleets: readonly { name: string; count: number }[], end: Micros) {
    this.seconds = Math.max(1, Math.ceil(end / 1_000_000));
    const n = this.seconds;
    for (const h of hosts) {
      if (h.role !== 'server') continue;
      this.servers.set(h.name, { name: h.name, arrived: new Int32Array(n), answered: new Int32Array(n), shed: new Int32Array(n), queue: new Int32Array(n), bindings: new Int32Array(n), bindingsNow: 0 });
    }
    for (const f of fleets) {
      const on = new Map<string, Int32Array>();
      for (const s of this.servers.keys()) on.set(s, new Int32Array(n));
      this.fleets.set(f.name, {
        name: f.name, count: f.count, working: new Uint32Array(f.count + 1), everRegistered: new Uint8Array(f.count + 1),
        gapFrom: new Float64Array(f.count + 1).fill(NaN), up: 0,
        regOn: new Map([...this.servers.keys()].map((s) => [s, new Uint32Array(f.count + 1)])), onNow: new Map([...this.servers.keys()].map((s) => [s, 0])),
        registered: new Int32Array(n), on, gaps: new NumberList(), setups: new NumberList(), calls: { answered: 0, failed: 0, busy: 0 }, trackers: [],
      });
    }
  }

  write(r: TraceEvent): void {
    this.now = r.t;
    const sec = Math.min(Math.floor(r.t / 1_000_000), this.seconds - 1);
    if (sec > this.sampled) this.sampleUpTo(sec);
    switch (r.kind) {
      case 'net.send': {
        // Only TCP sends can be empty (control segments); a UDP record's bytes are not read: built lazily, they would cost the text of every packet.
        if (r.proto === 'icmp' || (r.proto === 'tcp' && r.bytes.length === 0)) return;
        // SIP labels start with the method ("REGISTER", "INVITE sip:…") or the status ("200 OK (REGISTER)").
        const to = this.servers.get(r.to);
        if (to && REQUEST_LABEL.test(r.label)) this.inflight.set(r.id, to);
        const from = this.servers.get(r.from);
        if (from && FINAL_LABEL.test(r.label)) from.answered[sec]!++;
        return;
      }
      case 'net.deliver': {
        const s = this.inflight.get(r.id);
        if (s) {
          s.arrived[sec]!++;
          this.inflight.delete(r.id);
        }
        return;
      }
      case 'net.drop':
        this.inflight.delete(r.id);
        return;
      case 'phone.registration':
        return this.registration(r.phone, r.account, r.server, r.to === 'registered');
      case 'phone.working-server':
        return this.working(r.phone, r.account, r.server !== null, r.t);
      case 'call.outcome': {
        const m = this.memberOf(r.phone);
        if (!m) return;
        m.fleet.setups.push(r.setup);
        m.fleet.calls[r.outcome]++;
        return;
      }
      case 'scenario.action':
        if (r.action !== 'call' && r.action !== 'calls' && r.action !== 'incoming') this.openTrackers(r.t, r.detail);
        return;
      default:
        return this.other(r, sec);
    }
  }

  /** Record kinds of optional models (server capacity): read by shape, so the reducer works without them. */
  private other(r: TraceEvent, sec: number): void {
    const load = r as unknown as { kind: string; host?: string; queue?: number; action?: string };
    if (load.kind !== 'server.load' || load.host === undefined) return;
    const s = this.servers.get(load.host);
    if (!s) return;
    if (load.action === 'shed') s.shed[sec]!++;
    if (typeof load.queue === 'number' && load.queue > s.queue[sec]!) s.queue[sec] = load.queue;
  }

  /**
   * A record's server gains or loses the (phone, account) registration: the state machine is
   * per account, so `from` is the account's previous state, not the server's (a move from sip1
   * to sip2 reads "sip1: registered → unregistered", "sip2: registered → registered").
   */
  private registration(phone: string, account: number, server: string, registered: boolean): void {
    const s = this.servers.get(server);
    if (!s) return;
    const bit = 1 << ((account - 1) & 31);
    const m = this.memberOf(phone);
    if (!m) {
      const key = `${server}\u0000${phone}`;
      const was = this.singleBits.get(key) ?? 0;
      const now = registered ? was | bit : was & ~bit;
      this.singleBits.set(key, now);
      if (was === 0 && now !== 0) s.bindingsNow++;
      else if (was !== 0 && now === 0) s.bindingsNow--;
      return;
    }
    const bits = m.fleet.regOn.get(server)!;
    const was = bits[m.i]!;
    const now = registered ? was | bit : was & ~bit;
    bits[m.i] = now;
    const delta = was === 0 && now !== 0 ? 1 : was !== 0 && now === 0 ? -1 : 0;
    if (delta === 0) return;
    s.bindingsNow += delta;
    m.fleet.onNow.set(server, m.fleet.onNow.get(server)! + delta);
    this.checkTrackers(m.fleet, server);
  }

  private working(phone: string, account: number, has: boolean, t: Micros): void {
    const m = this.memberOf(phone);
    if (!m) return;
    const f = m.fleet;
    // A bit per account with a working server: the phone is up while any account is.
    const before = f.working[m.i]!;
    const bit = 1 << ((account - 1) & 31);
    const after = has ? before | bit : before & ~bit;
    f.working[m.i] = after;
    if (before === 0 && after !== 0) {
      f.up++;
      if (!Number.isNaN(f.gapFrom[m.i]!)) f.gaps.push(t - f.gapFrom[m.i]!);
      f.gapFrom[m.i] = NaN;
      f.everRegistered[m.i] = 1;
      this.checkTrackers(f, 'any');
    } else if (before !== 0 && after === 0) {
      f.up--;
      f.gapFrom[m.i] = t;
      this.checkTrackers(f, 'any');
    }
  }

  private memberOf(phone: string): { fleet: FleetState; i: number } | null {
    let m = this.member.get(phone);
    if (m !== undefined) return m;
    m = null;
    const open = phone.lastIndexOf('[');
    if (open > 0 && phone.endsWith(']')) {
      const fleet = this.fleets.get(phone.slice(0, open));
      const i = Number(phone.slice(open + 1, -1));
      if (fleet && Number.isInteger(i) && i >= 1 && i <= fleet.count) m = { fleet, i };
    }
    this.member.set(phone, m);
    return m;
  }

  private openTrackers(t: Micros, event: string): void {
    for (const f of this.fleets.values()) {
      for (const target of ['any', ...this.servers.keys()]) {
        const tr: Tracker = { t, event, target, minShare: 1, reached: { 50: null, 95: null, 99: null, 100: null }, pending: SHARE_MARKS.length, below: new Uint8Array(SHARE_MARKS.length) };
        f.trackers.push(tr);
        this.advance(f, tr, t);
      }
    }
  }

  private now = 0;

  private checkTrackers(f: FleetState, target: string): void {
    for (const tr of f.trackers) if (tr.target === target) this.advance(f, tr, this.now);
  }

  /**
   * A mark is reached when the share, having been below it at or after the event, gets back to
   * it: "99 % back on sip1 after the recovery", "100 % on sip2 after the failure". A share that
   * never fell below a mark reached it at once (0).
   */
  private advance(f: FleetState, tr: Tracker, t: Micros): void {
    const n = tr.target === 'any' ? f.up : f.onNow.get(tr.target)!;
    const share = f.count === 0 ? 1 : n / f.count;
    if (share < tr.minShare) tr.minShare = share;
    if (tr.pending === 0) return;
    for (let j = 0; j < SHARE_MARKS.length; j++) {
      const mark = SHARE_MARKS[j]!;
      if (tr.reached[mark] !== null) continue;
      if (n < Math.ceil((mark / 100) * f.count)) tr.below[j] = 1;
      else if (tr.below[j]) {
        tr.reached[mark] = t - tr.t;
        tr.pending--;
      }
    }
  }

  /** Levels at the end of each second before `sec` (records of second `sec` are still to come). */
  private sampleUpTo(sec: number): void {
    for (let k = this.sampled; k < sec; k++) this.sample(k);
    this.sampled = sec;
  }

  private sample(k: number): void {
    for (const s of this.servers.values()) s.bindings[k] = s.bindingsNow;
    for (const f of this.fleets.values()) {
      f.registered[k] = f.up;
      for (const [server, arr] of f.on) arr[k] = f.onNow.get(server)!;
    }
  }

  /** The metrics at the end of the run (open gaps run to `end`). */
  result(end: Micros): MetricsResult {
    this.sampleUpTo(this.seconds);
    const fleets: FleetMetrics[] = [];
    for (const f of this.fleets.values()) {
      const gaps = new NumberList();
      for (const g of f.gaps.values()) gaps.push(g);
      let never = 0;
      for (let i = 1; i <= f.count; i++) {
        if (!f.everRegistered[i]) never++;
        else if (!Number.isNaN(f.gapFrom[i]!)) gaps.push(end - f.gapFrom[i]!);
      }
      fleets.push({
        name: f.name, count: f.count, registered: f.registered, on: f.on,
        // A mark the share never fell below was there all along: reached at once.
        afterEvents: f.trackers.map(({ pending: _p, below, ...a }) => ({
          ...a, reached: Object.fromEntries(SHARE_MARKS.map((mark, j) => [mark, a.reached[mark] ?? (below[j] ? null : 0)])) as AfterEvent['reached'],
        })),
        gap: distribution(gaps.values()), neverRegistered: never, setup: distribution(f.setups.values()), calls: { ...f.calls },
      });
    }
    return { seconds: this.seconds, servers: [...this.servers.values()].map(({ bindingsNow: _b, ...s }) => s), fleets };
  }
}

/** The sum of a per-second counter series: the run's total. */
export function seriesTotal(a: Int32Array): number {
  let n = 0;
  for (const v of a) n += v;
  return n;
}

/** The highest value of a per-second series and the first second it was reached (0, 0 when all zero). */
export function seriesPeak(a: Int32Array): { value: number; at: number } {
  let value = 0;
  let at = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k]! > value) {
      value = a[k]!;
      at = k;
    }
  }
  return { value, at };
}
