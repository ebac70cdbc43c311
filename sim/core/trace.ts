import { Subject } from 'rxjs/internal/Subject';
import type { Micros } from './clock.js';

/** Endpoint of a datagram: IPv4 address and port. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** What an ICMP error quotes of the datagram that caused it (RFC 792: IP header + 8 bytes). */
export interface IcmpQuote {
  type: number;
  code: number;
  /** The offending packet: UDP unless `tcpSeq` is set (then the quoted header is TCP's first 8 bytes: ports and sequence number). */
  original: { src: Endpoint; dst: Endpoint; length: number; tcpSeq?: number };
}

interface Base {
  /** Simulated time in µs. */
  t: Micros;
}

export type DropReason = 'loss' | 'partition' | 'silent' | 'sender-down' | 'host-unreachable';

/** A TCP segment's header fields, for captures and ladders (message-level TCP: one segment per message). */
export interface TcpSegment {
  /** Flags in tcpdump style: 'S', 'S.', '.', 'P.', 'R', 'R.', 'F.'. */
  flags: string;
  seq: number;
  ack: number;
}

export interface NetSend extends Base {
  kind: 'net.send';
  id: number;
  from: string;
  to: string;
  proto: 'udp' | 'icmp' | 'tcp';
  tcp?: TcpSegment;
  src: Endpoint;
  dst: Endpoint;
  /**
   * The payload bytes as sent (shared with the network, never copied): SIP text, DNS or TLS
   * binary; empty for ICMP and TCP control segments. Sinks that need text call payloadText().
   */
  bytes: Uint8Array;
  /** Binary payloads (DNS, TLS records) are shown as base64 in the JSONL. */
  encoding?: 'base64';
  icmp?: IcmpQuote;
  /** One-line description for ladders: "INVITE sip:2000@…" / "503 Service Unavailable" / "ICMP port unreachable". */
  label: string;
}
export interface NetDeliver extends Base {
  kind: 'net.deliver';
  id: number;
  from: string;
  to: string;
}
export interface NetDrop extends Base {
  kind: 'net.drop';
  id: number;
  from: string;
  to: string;
  reason: DropReason;
}

/** A TCP connection's state change (message-level model: see sim/net/tcp*.ts). */
export interface TcpState extends Base {
  kind: 'tcp.state';
  host: string;
  peer: string;
  /** Connection number, unique per run. */
  conn: number;
  from: string;
  to: string;
  reason: string;
}

export interface DnsQuery extends Base {
  kind: 'dns.query';
  host: string;
  /** DNS server name (scenario host name or address). */
  server: string;
  name: string;
  qtype: string;
  /** 1 for the first try of this question. */
  attempt: number;
}
export interface DnsAnswer extends Base {
  kind: 'dns.answer';
  host: string;
  server: string;
  name: string;
  qtype: string;
  rcode: string;
  /** Answer records in zone-file form. */
  records: string[];
}
export interface DnsTimeout extends Base {
  kind: 'dns.timeout';
  host: string;
  server: string;
  name: string;
  qtype: string;
  attempt: number;
}
/** An answer served without asking a server: TTL cache, negative cache or the static cache. */
export interface DnsCacheHit extends Base {
  kind: 'dns.cache';
  host: string;
  name: string;
  qtype: string;
  source: 'cache' | 'negative' | 'static';
  records: string[];
}
/** RFC 3263 server location finished: the ordered target list failover walks (or why none). */
export interface DnsResolved extends Base {
  kind: 'dns.resolved';
  host: string;
  /** What was located, e.g. "pbx.example.com" with its port/transport settings. */
  target: string;
  servers: { ip: string; port: number; transport: string; name: string }[];
  error?: string;
}

export type TransactionKind = 'ict' | 'nict' | 'ist' | 'nist';

export interface SipTxnState extends Base {
  kind: 'sip.txn.state';
  host: string;
  txn: TransactionKind;
  branch: string;
  method: string;
  from: string;
  to: string;
  reason: string;
}
export interface SipRetransmit extends Base {
  kind: 'sip.retransmit';
  host: string;
  branch: string;
  method: string;
  /** 1 for the first retransmission (0 when the sender does not count: G, 2xx). */
  count: number;
  /** 2xx: the UAS core retransmitting its 2xx until the ACK (RFC 3261 §13.3.1.4). */
  timer: 'A' | 'E' | 'G' | '2xx';
}
export interface SipTimeout extends Base {
  kind: 'sip.timeout';
  host: string;
  branch: string;
  method: string;
  timer: 'B' | 'F' | 'H' | 'retry-counts';
  /** The other end (scenario host name or address). */
  peer: string;
}
export interface SipTransportError extends Base {
  kind: 'sip.transport-error';
  host: string;
  branch: string;
  method: string;
  peer: string;
  cause: string;
}

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed';

export interface PhoneRegistration extends Base {
  kind: 'phone.registration';
  phone: string;
  account: number;
  /** Scenario name of the server host (or its address when unnamed). */
  server: string;
  from: RegistrationState;
  to: RegistrationState;
  reason: string;
}
/** A step inside a registration attempt that changes no state: trying the next address, a failback probe, register_on_enable. */
export interface PhoneRegisterAttempt extends Base {
  kind: 'phone.register-attempt';
  phone: string;
  account: number;
  /** The server the REGISTER goes to. */
  server: string;
  reason: string;
}
export interface PhoneWorkingServer extends Base {
  kind: 'phone.working-server';
  phone: string;
  account: number;
  server: string | null;
  reason: string;
}
export type CallState = 'trying' | 'proceeding' | 'answered' | 'failed' | 'busy' | 'ended';
export interface CallStateChange extends Base {
  kind: 'call.state';
  phone: string;
  call: number;
  from: CallState | 'idle';
  to: CallState;
  /** The server the current attempt goes to. */
  server: string | null;
  reason: string;
}
export interface CallOutcome extends Base {
  kind: 'call.outcome';
  phone: string;
  call: number;
  to: string;
  outcome: 'answered' | 'failed' | 'busy';
  via: string | null;
  tried: string[];
  /** Time from placing the call (DNS lookups included) to the final outcome, µs. */
  setup: Micros;
}
/** A step of a call's in-dialog request after the call ended: the BYE failing over (AMB-38 inDialogFailover). */
export interface CallBye extends Base {
  kind: 'call.bye';
  phone: string;
  call: number;
  /** The server the BYE goes to next, null when no address is left. */
  server: string | null;
  reason: string;
}
/** A call towards a phone, placed by a server (the platform) through the phone's registration there. */
export interface CallIncoming extends Base {
  kind: 'call.incoming';
  phone: string;
  /** The calling number. */
  caller: string;
  /** The server that placed the call. */
  via: string;
  outcome: 'answered' | 'failed' | 'busy';
  /** From the INVITE to the final outcome, µs (0 when no INVITE could be sent). */
  setup: Micros;
  reason: string;
}

/**
 * A feature subscription's step (R5, B11 / AMB-36): a SUBSCRIBE sent (initial or refresh), a
 * subscription kept where it is after the working server moved, or dropped. `server`: where the
 * SUBSCRIBE goes, or where the subscription lives.
 */
export interface PhoneSubscription extends Base {
  kind: 'phone.subscription';
  phone: string;
  account: number;
  feature: 'mwi' | 'shared-line' | 'reg';
  action: 'subscribe' | 'refresh' | 'keep' | 'drop';
  server: string;
  reason: string;
}

/** A feature only some servers offer (MWI, shared lines) becoming available or lost (R5). */
export interface PhoneFeature extends Base {
  kind: 'phone.feature';
  phone: string;
  account: number;
  feature: 'mwi' | 'shared-line' | 'reg';
  available: boolean;
  /** The server that grants it (or failed to), null when the phone has no working server. */
  server: string | null;
  reason: string;
}

export interface HostState extends Base {
  kind: 'host.state';
  host: string;
  mode: 'up' | 'silent' | 'unreachable' | 'host-unreachable' | '503' | 'slow';
  reason: string;
}
/**
 * A request reaching a server that has a `capacity` (and only such a server: others emit none).
 * `queued`: it waits its turn (`queue` = requests now waiting behind the one in service, 0 when
 * it went straight into service); `shed`: the queue was full (`queue` = its limit) and the
 * server applied its overload action. Retransmissions and ACKs count: they are load too.
 */
export interface ServerLoad extends Base {
  kind: 'server.load';
  /** The server. */
  host: string;
  /** The sender (scenario host name, or its address). */
  from: string;
  method: string;
  queue: number;
  action: 'queued' | 'shed';
  /** Only when shed: a 503 went back at once, or the request was dropped (always so for an ACK). */
  overload?: '503' | 'drop';
}
/** A capacity server crashed (silent) or lost its SIP process (unreachable) with requests in its queue: they are gone. */
export interface ServerQueueLost extends Base {
  kind: 'server.queue-lost';
  host: string;
  /** Requests lost: the one in service and those waiting. */
  lost: number;
  reason: string;
}
export interface ScenarioAction extends Base {
  kind: 'scenario.action';
  action: string;
  detail: string;
}

/** Every trace record: a discriminated union on `kind`, `t` in µs. Reports read only these. */
export type TraceEvent =
  | NetSend
  | NetDeliver
  | NetDrop
  | TcpState
  | DnsQuery
  | DnsAnswer
  | DnsTimeout
  | DnsCacheHit
  | DnsResolved
  | SipTxnState
  | SipRetransmit
  | SipTimeout
  | SipTransportError
  | PhoneRegistration
  | PhoneWorkingServer
  | PhoneRegisterAttempt
  | CallStateChange
  | CallOutcome
  | CallBye
  | CallIncoming
  | PhoneFeature
  | PhoneSubscription
  | HostState
  | ServerLoad
  | ServerQueueLost
  | ScenarioAction;

export type TraceKind = TraceEvent['kind'];

/** Distributes a record type over the union so `Omit` keeps each member's own fields. */
export type WithoutTime<E> = E extends TraceEvent ? Omit<E, 't'> : never;

/** A packet's payload as the JSONL shows it: SIP as text, binary protocols as base64; '' when none. */
export function payloadText(r: NetSend): string {
  if (r.bytes.length === 0) return '';
  const b = Buffer.isBuffer(r.bytes) ? r.bytes : Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  return b.toString(r.encoding === 'base64' ? 'base64' : 'utf8');
}

/** Every record kind, for routing (checked against the union below). */
export const TRACE_KINDS = [
  'net.send', 'net.deliver', 'net.drop', 'tcp.state', 'dns.query', 'dns.answer', 'dns.timeout', 'dns.cache', 'dns.resolved',
  'sip.txn.state', 'sip.retransmit', 'sip.timeout', 'sip.transport-error', 'phone.registration', 'phone.working-server',
  'phone.register-attempt', 'call.state', 'call.outcome', 'call.bye', 'call.incoming', 'phone.feature', 'phone.subscription', 'host.state', 'scenario.action',
  'server.load', 'server.queue-lost',
] as const satisfies readonly TraceKind[];
// Compile-time: a kind added to the union but not to the list is an error here.
type Unlisted = Exclude<TraceKind, (typeof TRACE_KINDS)[number]>;
const everyKindListed: Unlisted extends never ? true : Unlisted = true;
void everyKindListed;

/** Something that reads the trace as it happens: a writer (JSONL, pcap) or a reducer (summary, verdicts). */
export interface TraceSink {
  /** One record, in time order, exactly once. The record is shared: never change it. */
  write(r: TraceEvent): void;
  /** The kinds it reads; absent = every kind. Records no sink reads are not even built (see Trace.on). */
  readonly kinds?: readonly TraceKind[];
}

/**
 * The typed trace bus. Sinks attach before the run and get the kinds they read, in time order;
 * `events$` (an rxjs Subject) carries every record to live observers. Nothing is kept unless
 * asked: a run's memory grows with its hosts, not with its simulated time. Tests and tools that
 * want the whole list construct it with `{ keep: true }`.
 */
// Templates copied per trace: a sweep builds one trace per run, and building both tables from
// TRACE_KINDS each time (Object.fromEntries) was ~5 % of a sweep worker. No kind has a sink
// until one attaches; attach() gives the kind its own array then.
const NO_SINKS: readonly TraceSink[] = Object.freeze([]);
const NO_ROUTES = Object.fromEntries(TRACE_KINDS.map((k) => [k, NO_SINKS])) as Record<TraceKind, readonly TraceSink[]>;
const ALL_OFF = Object.fromEntries(TRACE_KINDS.map((k) => [k, false])) as Record<TraceKind, boolean>;

export class Trace {
  /** Made when someone asks for events$ (live observers are rare: tests, tools). */
  private subject: Subject<TraceEvent> | undefined;
  private readonly kept: TraceEvent[] | undefined;
  /** Per kind, the sinks that read it. */
  private readonly routes: Record<TraceKind, readonly TraceSink[]> = { ...NO_ROUTES };
  /**
   * Per kind: does anyone read it? Hot emitters test this before building a record, so a
   * `--quiet` fleet run does not allocate the transaction and DNS records nobody reads.
   */
  readonly on: Record<TraceKind, boolean> = { ...ALL_OFF };

  constructor(
    private readonly now: () => Micros,
    options: { keep?: boolean } = {},
  ) {
    this.kept = options.keep ? [] : undefined;
    if (this.kept) this.allOn();
  }

  /** Every record as an rxjs stream, for live observers; whoever takes it reads every kind. */
  get events$(): Subject<TraceEvent> {
    this.allOn();
    return (this.subject ??= new Subject<TraceEvent>());
  }

  /** Every record so far; only for a trace made with `{ keep: true }`. */
  get records(): TraceEvent[] {
    if (!this.kept) throw new Error('this trace keeps no records: construct it with { keep: true } or attach a sink');
    return this.kept;
  }

  /** Attaches a sink for the rest of the run. */
  attach(sink: TraceSink): void {
    for (const k of sink.kinds ?? TRACE_KINDS) {
      this.routes[k] = [...this.routes[k], sink];
      this.on[k] = true;
    }
  }

  private allOn(): void {
    for (const k of TRACE_KINDS) this.on[k] = true;
  }

  emit(e: WithoutTime<TraceEvent>): void {
    if (!this.on[e.kind]) return;
    // Emitters pass a fresh literal: stamping it in place saves a copy per record.
    const rec = e as TraceEvent;
    rec.t = this.now();
    this.kept?.push(rec);
    const sinks = this.routes[rec.kind];
    for (let i = 0; i < sinks.length; i++) sinks[i]!.write(rec);
    if (this.subject?.observed) this.subject.next(rec);
  }
}
