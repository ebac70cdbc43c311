import type { Micros } from '../core/clock.js';
import { formatDuration } from '../core/time.js';
import { payloadText, TraceEvent, TraceKind, TraceSink } from '../core/trace.js';
import type { Bounds } from './explore-bounds.js';

/**
 * The properties every explored run must keep, whatever its faults: each a trace sink folding
 * the records it needs into a little state, judged at the end of the run. Each failure is one
 * line saying what stayed open or went wrong, and when.
 */
export interface Invariant extends TraceSink {
  readonly name: InvariantName;
  /** The failures, judged at the run's end instant. */
  finish(end: Micros): string[];
}

export type InvariantName =
  | 'transactions-end' | 'dns-answered' | 'one-outcome-per-call' | 'time-forward' | 'registered-after-heal' | 'call-after-heal' | 'no-ghost-dialog'
  | 'replay-identical' | 'gap-limit';

const at = (t: Micros): string => formatDuration(t);

/** Every SIP transaction (client and server) and every TCP connection set-up or close ends within its bound. */
export class TransactionsEnd implements Invariant {
  readonly name = 'transactions-end';
  readonly kinds: readonly TraceKind[] = ['sip.txn.state', 'tcp.state'];
  private readonly open = new Map<string, Micros>();
  private readonly tcp = new Map<string, { t: Micros; state: string }>();

  constructor(private readonly bound: Micros) {}

  write(r: TraceEvent): void {
    if (r.kind === 'sip.txn.state') {
      const key = `${r.host} ${r.txn} ${r.method} ${r.branch}`;
      if (r.from === 'init') this.open.set(key, r.t);
      if (r.to === 'terminated') this.open.delete(key);
    } else if (r.kind === 'tcp.state') {
      const key = `${r.host}→${r.peer} #${r.conn}`;
      // Settled states: a connection may stay established, or closed, for ever.
      if (r.to === 'established' || r.to === 'closed') this.tcp.delete(key);
      else this.tcp.set(key, { t: r.t, state: r.to });
    }
  }

  finish(end: Micros): string[] {
    const out: string[] = [];
    for (const [key, t] of this.open) if (end - t > this.bound) out.push(`SIP transaction ${key} opened at ${at(t)} never terminated`);
    for (const [key, c] of this.tcp) if (end - c.t > this.bound) out.push(`TCP connection ${key} stuck in ${c.state} since ${at(c.t)}`);
    return out;
  }
}

/**
 * Every DNS query gets an answer or a timeout — or an ICMP port unreachable from the server
 * asked, which ends every question waiting on that server at once (the resolver moves on, as
 * glibc does on ECONNREFUSED; the trace shows it as the ICMP packet only).
 */
export class DnsAnswered implements Invariant {
  readonly name = 'dns-answered';
  readonly kinds: readonly TraceKind[] = ['dns.query', 'dns.answer', 'dns.timeout', 'net.send'];
  private readonly pending = new Map<string, Micros[]>();

  constructor(private readonly bound: Micros) {}

  write(r: TraceEvent): void {
    if (r.kind === 'net.send') {
      if (r.proto !== 'icmp' || r.icmp?.original.dst.port !== 53) return;
      const prefix = `${r.to} asks ${r.from} `;
      for (const [key, q] of this.pending) if (key.startsWith(prefix)) q.length = 0;
      return;
    }
    if (r.kind !== 'dns.query' && r.kind !== 'dns.answer' && r.kind !== 'dns.timeout') return;
    const key = `${r.host} asks ${r.server} ${r.name} ${r.qtype}`;
    const q = this.pending.get(key) ?? [];
    if (r.kind === 'dns.query') {
      q.push(r.t);
      this.pending.set(key, q);
    } else q.shift(); // a late answer after its timeout finds nothing to close: fine
  }

  finish(end: Micros): string[] {
    const out: string[] = [];
    for (const [key, q] of this.pending) for (const t of q) if (end - t > this.bound) out.push(`DNS query ${key} at ${at(t)}: no answer, no timeout`);
    return out;
  }
}

/** Every placed call has exactly one outcome (and no outcome belongs to a call never placed). */
export class OneOutcomePerCall implements Invariant {
  readonly name = 'one-outcome-per-call';
  readonly kinds: readonly TraceKind[] = ['call.state', 'call.outcome'];
  private readonly placed = new Map<string, { t: Micros; outcomes: number }>();
  private readonly wrong: string[] = [];

  constructor(private readonly bound: Micros) {}

  write(r: TraceEvent): void {
    if (r.kind === 'call.state' && r.from === 'idle') this.placed.set(`${r.phone} call ${r.call}`, { t: r.t, outcomes: 0 });
    if (r.kind !== 'call.outcome') return;
    const key = `${r.phone} call ${r.call}`;
    const c = this.placed.get(key);
    if (!c) return void this.wrong.push(`${key}: outcome ${r.outcome} at ${at(r.t)} for a call never placed`);
    if (++c.outcomes === 2) this.wrong.push(`${key}: a second outcome (${r.outcome}) at ${at(r.t)}`);
  }

  finish(end: Micros): string[] {
    const out = [...this.wrong];
    for (const [key, c] of this.placed) if (c.outcomes === 0 && end - c.t > this.bound) out.push(`${key} placed at ${at(c.t)} has no outcome`);
    return out;
  }
}

/** Records come in time order. */
export class TimeForward implements Invariant {
  readonly name = 'time-forward';
  private last = 0;
  private first: string | undefined;

  write(r: TraceEvent): void {
    if (r.t < this.last && this.first === undefined) this.first = `${r.kind} at ${r.t} µs after a record at ${this.last} µs`;
    this.last = Math.max(this.last, r.t);
  }

  finish(): string[] {
    return this.first === undefined ? [] : [`time ran backwards: ${this.first}`];
  }
}

/**
 * Long enough after the last fault healed, every account that registers in the fault-free run
 * is registered again (on any server). `required` is "phone account" keys.
 */
export class RegisteredAfterHeal implements Invariant {
  readonly name = 'registered-after-heal';
  readonly kinds: readonly TraceKind[] = ['phone.registration'];
  private readonly state = new Map<string, Map<string, string>>();

  constructor(private readonly required: readonly string[], private readonly healedAt: Micros, private readonly bound: Micros) {}

  write(r: TraceEvent): void {
    if (r.kind !== 'phone.registration') return;
    const key = `${r.phone} account ${r.account}`;
    let servers = this.state.get(key);
    if (!servers) this.state.set(key, (servers = new Map()));
    servers.set(r.server, r.to);
  }

  /** Accounts registered on some server now. */
  registered(): string[] {
    return [...this.state].filter(([, s]) => [...s.values()].includes('registered')).map(([k]) => k);
  }

  finish(end: Micros): string[] {
    if (end - this.healedAt < this.bound) return []; // not healed long enough to judge (a file checked as written)
    const now = new Set(this.registered());
    return this.required.filter((k) => !now.has(k)).map((k) => `${k} is not registered at ${at(end)}, ${at(end - this.healedAt)} after the last fault ended`);
  }
}

/**
 * After healing, a call succeeds: of the calls placed `from` on (the healing bound after the
 * last fault: explore's probe calls), the last of each phone whose last such call is answered
 * without faults is answered. Only the last: the first request over a TCP/TLS connection the
 * server lost in a crash meets a reset, and the model fails that call (reference B2).
 */
export class CallAfterHeal implements Invariant {
  readonly name = 'call-after-heal';
  readonly kinds: readonly TraceKind[] = ['call.state', 'call.outcome'];
  /** Per phone, its last call placed from `from` on. */
  private readonly last = new Map<string, { call: number; t: Micros; outcome?: string }>();

  constructor(private readonly phones: readonly string[], private readonly from: Micros) {}

  write(r: TraceEvent): void {
    if (r.kind === 'call.state' && r.from === 'idle' && r.t >= this.from) this.last.set(r.phone, { call: r.call, t: r.t });
    if (r.kind === 'call.outcome') {
      const c = this.last.get(r.phone);
      if (c && c.call === r.call && c.outcome === undefined) c.outcome = r.outcome;
    }
  }

  /** Phones whose last call placed from `from` on was answered. */
  answered(): string[] {
    return [...this.last].filter(([, c]) => c.outcome === 'answered').map(([p]) => p).sort();
  }

  finish(): string[] {
    const out: string[] = [];
    for (const [phone, c] of this.last) {
      if (this.phones.includes(phone) && c.outcome !== 'answered') out.push(`${phone} call ${c.call} placed at ${at(c.t)}, after healing: ${c.outcome ?? 'no outcome'}, not answered`);
    }
    for (const p of this.phones) if (!this.last.has(p)) out.push(`${p} placed no call after healing`);
    return out;
  }
}

/**
 * No server keeps a dialog the phone does not know: every 2xx to an INVITE a server sends is
 * ACKed by the phone, or the server gave the dialog up (its BYE) or closed it (answered a BYE).
 * Read from the wire (server 2xx, phone ACK, BYE and its answer) by Call-ID, so the model needs
 * no record of its own; TLS payloads are not readable and are left out.
 */
export class NoGhostDialog implements Invariant {
  readonly name = 'no-ghost-dialog';
  readonly kinds: readonly TraceKind[] = ['net.send'];
  private readonly open = new Map<string, { t: Micros; known: boolean }>();

  constructor(private readonly servers: ReadonlySet<string>, private readonly grace: Micros) {}

  write(r: TraceEvent): void {
    if (r.kind !== 'net.send' || r.bytes.length === 0) return;
    const fromServer = this.servers.has(r.from);
    const label = r.label;
    const invite2xx = fromServer && /^2\d\d .*\(INVITE\)$/.test(label);
    const ack = !fromServer && this.servers.has(r.to) && label === 'ACK';
    const bye = (fromServer && label === 'BYE') || (fromServer && / \(BYE\)$/.test(label));
    if (!invite2xx && !ack && !bye) return;
    const callId = /^(?:Call-ID|i):\s*(\S+)/im.exec(payloadText(r))?.[1];
    if (callId === undefined) return;
    const key = `${fromServer ? r.from : r.to} ${callId}`;
    if (invite2xx) {
      if (!this.open.has(key)) this.open.set(key, { t: r.t, known: false });
    } else if (ack) {
      const d = this.open.get(key);
      if (d) d.known = true;
    } else this.open.delete(key);
  }

  finish(end: Micros): string[] {
    const out: string[] = [];
    for (const [key, d] of this.open) {
      if (!d.known && end - d.t > this.grace) out.push(`server ${key.split(' ')[0]} keeps the dialog of Call-ID ${key.split(' ')[1]} (answered at ${at(d.t)}) that the phone never acknowledged`);
    }
    return out;
  }
}
