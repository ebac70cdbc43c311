/**
 * A two-host world for SIP tests: 'ua' (10.0.0.10) runs the SipEndpoint under test with a
 * recording SipCore; 'srv' (10.0.0.1) runs either a real SipServer or a scriptable fake peer
 * (a raw UDP socket on port 5060) that lets a test decide which responses go out and when.
 * Helpers turn the trace into (t, label) tuples for whole-slice timeline assertions.
 */
import { Clock, Micros } from '../../sim/core/clock.js';
import { RandomStreams } from '../../sim/core/random.js';
import { sec } from '../../sim/core/time.js';
import { Endpoint, IcmpQuote, NetSend, payloadText, SipTxnState, Trace, TraceEvent } from '../../sim/core/trace.js';
import type { Datagram, Host, UdpSocket } from '../../sim/net/host.js';
import { LinkTable } from '../../sim/net/link-table.js';
import { Network } from '../../sim/net/network.js';
import { DEFAULT_SERVER_PROFILE, ServerProfile } from '../../sim/server/server-behaviour.js';
import { SipServer } from '../../sim/server/sip-server.js';
import { Header, SipMessage, SipRequest, SipResponse, cseq, label, parse, responseTo, serialize } from '../../sim/sip/message.js';
import { ServerTransaction, SIP_PORT, SipCore, SipEndpoint } from '../../sim/sip/sip-endpoint.js';
import type { SipTimerConfig } from '../../sim/sip/timers.js';
import type { ClientTransactionUser } from '../../sim/sip/transaction-user.js';

export const UA_IP = '10.0.0.10';
export const SRV_IP = '10.0.0.1';
export const UA_EP: Endpoint = { ip: UA_IP, port: SIP_PORT };
export const SRV_EP: Endpoint = { ip: SRV_IP, port: SIP_PORT };

/** RFC 3261 defaults: T1 = 500 ms, T2 = 4 s, T4 = 5 s. */
export const RFC_TIMERS: SipTimerConfig = { t1: sec(0.5), t2: sec(4), t4: sec(5) };

/** Seconds → µs for every argument: `at(0, 0.5, 1.5)` = [0, 500000, 1500000]. */
export function at(...seconds: number[]): Micros[] {
  return seconds.map(sec);
}

/** A list of arithmetic instants in seconds, inclusive: `every(3.5, 31.5, 4)`. */
export function every(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to + 1e-9; s += step) out.push(Math.round(s * 1e6) / 1e6);
  return out;
}

/** What the SipCore of the endpoint under test saw. */
export class RecordingCore implements SipCore {
  readonly requests: { t: Micros; req: SipRequest; source: Endpoint; txn: ServerTransaction | undefined }[] = [];
  readonly strays: { t: Micros; res: SipResponse }[] = [];
  readonly ackTimeouts: Micros[] = [];
  /** Called for every new request, e.g. to answer it through `txn.respond`. */
  onNewRequest: (req: SipRequest, txn: ServerTransaction | undefined) => void = () => {};
  readonly serverTransactionUser = { onAckTimeout: (): void => void this.ackTimeouts.push(this.clock.now) };

  constructor(private readonly clock: Clock) {}

  onRequest(req: SipRequest, source: Endpoint, txn: ServerTransaction | undefined): void {
    this.requests.push({ t: this.clock.now, req, source, txn });
    this.onNewRequest(req, txn);
  }

  onStrayResponse(res: SipResponse): void {
    this.strays.push({ t: this.clock.now, res });
  }
}

/** A client transaction user that logs (t, what) for each callback. */
export class RecordingTu implements ClientTransactionUser {
  readonly log: [Micros, string][] = [];
  readonly responses: SipResponse[] = [];
  /** Extra reaction to every response (e.g. send the ACK of a 2xx). */
  onResponse: (res: SipResponse) => void = () => {};

  constructor(private readonly clock: Clock) {}

  receiveResponse(res: SipResponse): void {
    this.log.push([this.clock.now, `response ${res.status}`]);
    this.responses.push(res);
    this.onResponse(res);
  }

  onRequestTimeout(timer: 'B' | 'F' | 'retry-counts'): void {
    this.log.push([this.clock.now, `timeout ${timer}`]);
  }

  onTransportError(cause: string): void {
    this.log.push([this.clock.now, `transport-error ${cause}`]);
  }
}

/** A raw UDP socket on srv:5060 that records what arrives and sends whatever a test scripts. */
export class FakePeer implements UdpSocket {
  readonly received: { t: Micros; msg: SipMessage; src: Endpoint }[] = [];
  readonly icmp: IcmpQuote[] = [];
  /** Called for every SIP message that arrives. */
  onMessage: (msg: SipMessage, src: Endpoint) => void = () => {};
  readonly toTag = 'peer-tag-1';
  private branches = 0;

  constructor(private readonly h: Harness) {
    h.srv.bind(SIP_PORT, this);
  }

  onDatagram(d: Datagram): void {
    const msg = parse(d.payload.toString('utf8'));
    if (!msg) throw new Error(`fake peer got a datagram that does not parse: ${JSON.stringify(d.payload)}`);
    this.received.push({ t: this.h.clock.now, msg, src: d.src });
    this.onMessage(msg, d.src);
  }

  onIcmpError(q: IcmpQuote): void {
    this.icmp.push(q);
  }

  /** Requests received of one method. */
  requests(method: string): SipRequest[] {
    return this.received.map((r) => r.msg).filter((m): m is SipRequest => m.type === 'request' && m.method === method);
  }

  send(msg: SipMessage, dst: Endpoint = UA_EP): void {
    this.h.network.sendUdp(this.h.srv, SIP_PORT, dst, Buffer.from(serialize(msg), 'utf8'), label(msg));
  }

  /** Sends `msg` after `delay` µs (through the clock, like every model event). */
  sendLater(delay: Micros, msg: SipMessage, dst: Endpoint = UA_EP): void {
    this.h.clock.schedule(delay, () => this.send(msg, dst), undefined, 'srv');
  }

  response(req: SipRequest, status: number, extra: Header[] = []): SipResponse {
    return responseTo(req, status, extra, status === 100 ? undefined : this.toTag);
  }

  reply(req: SipRequest, status: number, extra: Header[] = []): void {
    this.send(this.response(req, status, extra));
  }

  /** A request as a remote UAC (this peer) would send it to the endpoint under test. */
  request(method: string, opts: { branch?: string; cseq?: number; callId?: string } = {}): SipRequest {
    const branch = opts.branch ?? `z9hG4bK-peer-${++this.branches}`;
    return {
      type: 'request',
      method,
      uri: `sip:1000@${UA_IP}`,
      headers: [
        ['Via', `SIP/2.0/UDP ${SRV_IP}:5060;branch=${branch}`],
        ['Max-Forwards', '70'],
        ['From', `<sip:2000@${SRV_IP}>;tag=peer-from-1`],
        ['To', `<sip:1000@${UA_IP}>`],
        ['Call-ID', opts.callId ?? `call-peer-1@${SRV_IP}`],
        ['CSeq', `${opts.cseq ?? 1} ${method}`],
      ],
      body: '',
    };
  }

  /** The ACK a UAC sends for a non-2xx final: same branch as the INVITE, To of the response (§17.1.1.3). */
  ackFor(invite: SipRequest, res: SipResponse): SipRequest {
    const headers: Header[] = invite.headers.map(([n, v]): Header => {
      const l = n.toLowerCase();
      if (l === 'to') return [n, res.headers.find(([rn]) => rn.toLowerCase() === 'to')![1]];
      if (l === 'cseq') return [n, `${cseq(invite).seq} ACK`];
      return [n, v];
    });
    return { type: 'request', method: 'ACK', uri: invite.uri, headers, body: '' };
  }
}

export interface HarnessOptions {
  timers?: Partial<SipTimerConfig>;
  /** One-way link delay, µs (default 20 ms, no jitter, no loss). */
  delay?: Micros;
}

/** Clock, trace, two hosts and the SipEndpoint under test on 'ua'. */
export class Harness {
  readonly clock = new Clock({ maxEvents: 1_000_000 });
  readonly trace = new Trace(() => this.clock.now, { keep: true });
  readonly random = new RandomStreams(1);
  readonly links: LinkTable;
  readonly network: Network;
  readonly ua: Host;
  readonly srv: Host;
  readonly core: RecordingCore;
  readonly endpoint: SipEndpoint;
  readonly timers: SipTimerConfig;
  private cseqNo = 0;
  private readonly callId: string;

  constructor(opts: HarnessOptions = {}) {
    this.links = new LinkTable({ delay: opts.delay ?? sec(0.02), jitter: 0, loss: 0 });
    this.network = new Network(this.clock, this.trace, this.random, this.links);
    this.ua = this.network.addHost('ua', UA_IP);
    this.srv = this.network.addHost('srv', SRV_IP);
    this.timers = { ...RFC_TIMERS, ...opts.timers };
    this.core = new RecordingCore(this.clock);
    this.endpoint = new SipEndpoint(this.clock, this.trace, this.network, this.ua, this.timers, this.core);
    this.callId = this.endpoint.ids.callId();
  }

  fakePeer(): FakePeer {
    return new FakePeer(this);
  }

  realServer(profile: ServerProfile = DEFAULT_SERVER_PROFILE): SipServer {
    return new SipServer(this.clock, this.trace, this.network, this.srv, profile);
  }

  tu(): RecordingTu {
    return new RecordingTu(this.clock);
  }

  /** A request from the UA towards srv, with a fresh branch and the next CSeq number. */
  request(method: string, extra: Header[] = []): SipRequest {
    const ids = this.endpoint.ids;
    return {
      type: 'request',
      method,
      uri: method === 'REGISTER' ? `sip:${SRV_IP}` : `sip:2000@${SRV_IP}`,
      headers: [
        ['Via', `SIP/2.0/UDP ${UA_IP}:5060;branch=${ids.branch()}`],
        ['Max-Forwards', '70'],
        ['From', `<sip:1000@${SRV_IP}>;tag=ua-from-1`],
        ['To', method === 'REGISTER' ? `<sip:1000@${SRV_IP}>` : `<sip:2000@${SRV_IP}>`],
        ['Call-ID', this.callId],
        ['CSeq', `${++this.cseqNo} ${method}`],
        ['Contact', `<sip:1000@${UA_IP}:5060>`],
        ...extra,
      ],
      body: '',
    };
  }

  /** The ACK for a 2xx: a new transaction, so a new branch (RFC 3261 §13.2.2.4). */
  ackFor2xx(invite: SipRequest, res: SipResponse): SipRequest {
    const ids = this.endpoint.ids;
    const headers: Header[] = invite.headers
      .filter(([n]) => n.toLowerCase() !== 'contact')
      .map(([n, v]): Header => {
        const l = n.toLowerCase();
        if (l === 'via') return [n, `SIP/2.0/UDP ${UA_IP}:5060;branch=${ids.branch()}`];
        if (l === 'to') return [n, res.headers.find(([rn]) => rn.toLowerCase() === 'to')![1]];
        if (l === 'cseq') return [n, `${cseq(invite).seq} ACK`];
        return [n, v];
      });
    return { type: 'request', method: 'ACK', uri: invite.uri, headers, body: '' };
  }
}

// ---- trace readers ----

export interface SentMessage {
  t: Micros;
  from: string;
  msg: SipMessage;
}

/** Every UDP datagram sent, parsed. */
export function sentMessages(trace: Trace): SentMessage[] {
  return trace.records
    .filter((r): r is NetSend => r.kind === 'net.send' && r.proto === 'udp')
    .map((r) => ({ t: r.t, from: r.from, msg: parse(payloadText(r))! }));
}

/** What identifies a message in a timeline: "INVITE" or "486 INVITE". */
export function describeMessage(msg: SipMessage): string {
  return msg.type === 'request' ? msg.method : `${msg.status} ${cseq(msg).method}`;
}

/**
 * Send instants (µs) of the messages `from` a host that match `what`: a method name ("INVITE",
 * "ACK") for requests, or a status (number) for responses; optionally of one CSeq method.
 */
export function sendInstants(trace: Trace, from: string, what: string | number, cseqMethod?: string): Micros[] {
  return sentMessages(trace)
    .filter((s) => s.from === from)
    .filter((s) => (typeof what === 'string' ? s.msg.type === 'request' && s.msg.method === what : s.msg.type === 'response' && s.msg.status === what))
    .filter((s) => cseqMethod === undefined || cseq(s.msg).method === cseqMethod)
    .map((s) => s.t);
}

/** (t, label) tuples of every message a host sent: label as in describeMessage(). */
export function sendTimeline(trace: Trace, from: string): [Micros, string][] {
  return sentMessages(trace)
    .filter((s) => s.from === from)
    .map((s): [Micros, string] => [s.t, describeMessage(s.msg)]);
}

/** State changes of one host's transactions: (t, "from→to") tuples, optionally of one branch. */
export function stateTimeline(trace: Trace, host: string, branch?: string): [Micros, string][] {
  return txnStates(trace, host, branch).map((r): [Micros, string] => [r.t, `${r.from}→${r.to}`]);
}

export function txnStates(trace: Trace, host: string, branch?: string): SipTxnState[] {
  return trace.records.filter(
    (r): r is SipTxnState => r.kind === 'sip.txn.state' && r.host === host && (branch === undefined || r.branch === branch),
  );
}

/** Records of one kind, typed. */
export function recordsOf<K extends TraceEvent['kind']>(trace: Trace, kind: K): Extract<TraceEvent, { kind: K }>[] {
  return trace.records.filter((r): r is Extract<TraceEvent, { kind: K }> => r.kind === kind);
}


/**
 * One host's SIP-layer timeline as (t, label) tuples: messages it sent ("send INVITE",
 * "send 486 INVITE"), retransmission records ("retransmit A#1"), timeouts ("timeout B"),
 * transport errors and transaction state changes ("calling→proceeding").
 */
export function sipTimeline(trace: Trace, host: string): [Micros, string][] {
  const out: [Micros, string][] = [];
  for (const r of trace.records) {
    switch (r.kind) {
      case 'net.send':
        if (r.from === host && r.proto === 'udp') out.push([r.t, `send ${describeMessage(parse(payloadText(r))!)}`]);
        break;
      case 'sip.retransmit':
        if (r.host === host) out.push([r.t, `retransmit ${r.timer}#${r.count}`]);
        break;
      case 'sip.timeout':
        if (r.host === host) out.push([r.t, `timeout ${r.timer}`]);
        break;
      case 'sip.transport-error':
        if (r.host === host) out.push([r.t, `transport-error`]);
        break;
      case 'sip.txn.state':
        if (r.host === host) out.push([r.t, `${r.from}→${r.to}`]);
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Checks that the sip.txn.state records of every transaction on `host` form a path of the
 * given graph from 'init' to 'terminated', each with a reason, at non-decreasing times.
 * Returns the state sequence per branch for further assertions.
 */
export function checkStatePaths(trace: Trace, host: string, graph: Record<string, string[]>): Map<string, string[]> {
  const byBranch = new Map<string, SipTxnState[]>();
  for (const r of txnStates(trace, host)) byBranch.set(r.branch, [...(byBranch.get(r.branch) ?? []), r]);
  const paths = new Map<string, string[]>();
  for (const [branch, recs] of byBranch) {
    let prev = 'init';
    let prevT = -1;
    for (const r of recs) {
      if (r.from !== prev) throw new Error(`${branch}: record ${r.from}→${r.to} does not start where the last one ended (${prev})`);
      if (!(graph[prev] ?? []).includes(r.to)) throw new Error(`${branch}: ${prev}→${r.to} is not a transition of the RFC state machine`);
      if (typeof r.reason !== 'string' || r.reason.trim() === '') throw new Error(`${branch}: ${r.from}→${r.to} has no reason`);
      if (r.t < prevT) throw new Error(`${branch}: ${r.from}→${r.to} goes back in time`);
      prev = r.to;
      prevT = r.t;
    }
    if (prev !== 'terminated') throw new Error(`${branch}: ends in ${prev}, not terminated`);
    paths.set(branch, ['init', ...recs.map((r) => r.to)]);
  }
  return paths;
}
