import type { Clock, EventHandle, Micros } from '../core/clock.js';
import { formatDuration } from '../core/time.js';
import type { Endpoint } from '../core/trace.js';
import type { Host } from './host.js';
import { Reassembly, seqLength } from './tcp-reassembly.js';
import { RtoEstimator } from './tcp-rto.js';
import { type Outstanding, SendQueue } from './tcp-send-queue.js';
import type { OutSegment, TcpConnParams, TcpConnState, TcpErrorCause, TcpHandlers, TcpPacket, TcpWire, TlsPiece } from './tcp-types.js';
import { TlsRoundTrips, tlsAppData, tlsFlight, tlsHandshakeStep, tlsVersionName } from './tls-records.js';

export type { OutSegment, TcpConnParams, TcpConnState, TcpErrorCause, TcpHandlers, TcpPacket, TcpWire, TlsPiece } from './tcp-types.js';

const EMPTY = Buffer.alloc(0);

/** IPv4 total length 65535 − 20 (IP) − 20 (TCP): a message-level segment is never split. */
export const MAX_SEGMENT_PAYLOAD = 65_495;

/**
 * One end of a message-level TCP connection (RFC 793 states, RFC 6298 timer). Each `send` is
 * one segment; the receiver acknowledges every segment at once (no delayed ACK), holds
 * out-of-order segments until the gap fills, and hands each message to the application whole.
 * Sequence numbers are tracked relative to the ISNs (no wrap arithmetic needed: a run never
 * moves 4 GB through one connection) and written to the wire modulo 2^32.
 */
export class TcpConnection {
  readonly id: number;
  readonly role: 'client' | 'server';
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly peer: string;
  private _state: TcpConnState = 'closed';
  private handlers: TcpHandlers;
  private readonly hostRef: Host;
  private readonly clock: Clock;
  private readonly rto: RtoEstimator;

  private readonly iss: number;
  private irs = 0;
  /** What was sent and is not yet acknowledged, and the retransmission timer (tcp-send-queue.ts). */
  private readonly tx: SendQueue;
  /** The next octet expected and the out-of-order segments held (tcp-reassembly.ts). */
  private readonly rx = new Reassembly();
  /** rx.rcvNxt as carried by the last segment we sent: a pure ACK is due when they differ. */
  private ackSent = -1;
  private connectTimer: EventHandle = 0;
  private timeWaitTimer: EventHandle = 0;

  private tlsRt: TlsRoundTrips | undefined;
  private tlsRecords = 0;
  /** Client data sent before the connection is ready, flushed in order when it is. */
  private pending: { data: Buffer; label: string; binary: boolean }[] = [];
  /** The application knows this connection (always for a client; a server's once accepted). */
  private visible: boolean;
  private finished = false;

  constructor(
    private readonly net: TcpWire,
    private readonly p: TcpConnParams,
    handlers: TcpHandlers = {},
  ) {
    this.id = p.id;
    this.role = p.role;
    this.local = p.local;
    this.remote = p.remote;
    this.peer = p.peer;
    this.hostRef = p.host;
    this.iss = p.iss;
    this.tlsRt = p.tlsRt;
    this.handlers = handlers;
    this.clock = net.clock;
    this.rto = new RtoEstimator(p.initialRto !== undefined ? { ...net.options, initialRto: p.initialRto } : net.options);
    this.tx = new SendQueue(this.clock, this.rto, { put: (o, again) => this.put(o, again), giveUp: (flags, limit) => this.giveUp(flags, limit) }, p.host.name, p, net.options);
    this.visible = p.role === 'client';
  }

  get state(): TcpConnState {
    return this._state;
  }

  /** Established, or a client still connecting: `send` is accepted (queued until ready while connecting). */
  get isOpen(): boolean {
    return this._state === 'established' || (this.role === 'client' && (this._state === 'syn-sent' || this._state === 'tls-handshake'));
  }

  get host(): Host {
    return this.hostRef;
  }

  get tls(): boolean {
    return this.role === 'client' ? this.p.tlsRt !== undefined : this.p.listenerTls === true;
  }

  /** The RTO the retransmission timer would be armed with now, µs. */
  get currentRto(): Micros {
    return this.rto.rto;
  }

  setHandlers(handlers: TcpHandlers): void {
    this.handlers = handlers;
  }

  /**
   * Sends one message as one segment. While connecting (SYN or TLS handshake pending) the
   * message waits and goes out, in order, when the connection is ready; a failed connect
   * discards it (onError says so). Sending on a closing or closed connection is a bug in the
   * caller — it was told by onClosed/onError in the event that closed it.
   */
  send(data: Buffer, label: string, binary = false): void {
    if (data.length === 0) throw new Error(`Cannot send on TCP connection ${this.id}: the message is empty`);
    if (data.length > MAX_SEGMENT_PAYLOAD) throw new Error(`Cannot send on TCP connection ${this.id}: ${data.length} bytes exceed one segment (${MAX_SEGMENT_PAYLOAD})`);
    if (this._state === 'syn-sent' || (this._state === 'tls-handshake' && this.role === 'client')) {
      this.pending.push({ data, label, binary });
      return;
    }
    if (this._state !== 'established') {
      throw new Error(`Cannot send on TCP connection ${this.id} (${this.hostRef.name} → ${this.peer}): it is ${this._state}`);
    }
    this.sendApp(data, label, binary);
  }

  /**
   * Still connecting: drops the queued messages `unwanted` picks (the application gave up on
   * them, e.g. their SIP transaction timed out) while the connect itself goes on.
   */
  discardPending(unwanted: (data: Buffer) => boolean): void {
    this.pending = this.pending.filter((m) => !unwanted(m.data));
  }

  /**
   * Established: FIN, then onClosed when the peer's FIN arrives. Still connecting: abandon
   * (RST if TCP was up) and onClosed from a clock event. Otherwise a no-op.
   */
  close(): void {
    if (this._state === 'established') {
      this.setState('fin-wait', 'closed by the application');
      this.queue('F.', EMPTY, EMPTY, 'FIN', false, undefined, 1);
    } else if (this._state === 'syn-sent' || this._state === 'tls-handshake' || this._state === 'syn-received') {
      if (this._state !== 'syn-sent') this.transmit({ flags: 'R.', seq: this.wireSeq(this.tx.sndNxt), ack: this.wireAck(), wire: EMPTY, data: EMPTY, label: 'RST', binary: false });
      this.teardown('closed by the application before it connected');
      this.clock.schedule(0, this.onAbandoned, undefined, this.hostRef.name);
    }
  }

  // ---- driven by TcpNetwork ------------------------------------------------------------------

  /** Client: send the SYN. */
  startConnect(): void {
    const tls = this.tlsRt ? ` over ${tlsVersionName(this.tlsRt)}` : '';
    this.setState('syn-sent', `connect to ${this.remote.ip}:${this.remote.port}${tls}`);
    this.queue('S', EMPTY, EMPTY, 'SYN', false, undefined, 1);
    if (this.p.connectTimeout !== undefined) this.connectTimer = this.clock.schedule(this.p.connectTimeout, this.onConnectTimeout, undefined, this.hostRef.name);
  }

  /** Server: a SYN reached the listener; answer SYN-ACK. */
  acceptSyn(syn: TcpPacket): void {
    this.irs = syn.seq;
    this.rx.rcvNxt = 1;
    this.setState('syn-received', 'SYN received');
    this.queue('S.', EMPTY, EMPTY, 'SYN-ACK', false, undefined, 1);
  }

  receive(seg: TcpPacket): void {
    if (this._state === 'closed') return;
    if (seg.flags.includes('R')) return this.onRst(seg);
    if (seg.flags.includes('S')) return this.onSyn(seg);
    if (this._state === 'syn-sent') return; // only a SYN-ACK or RST means anything now
    if (seg.flags.includes('.')) this.onAck(this.relAck(seg.ack));
    if (seqLength(seg) > 0 && this.isReceiving()) this.onSegment(seg, (seg.seq - this.irs) >>> 0);
  }

  /**
   * A new connection wants this TIME-WAIT connection's 4-tuple (a SYN for it arrived, or the
   * application connects again from the same fixed port): end TIME-WAIT early, as RFC 1122
   * §4.2.2.13 and Linux tcp_tw_reuse allow. False when the connection is not in TIME-WAIT.
   */
  endTimeWait(reason: string): boolean {
    if (this._state !== 'time-wait') return false;
    this.teardown(reason);
    return true;
  }

  /** Our host crashed or closed its service ports: the state is gone. */
  lose(reason: string): void {
    if (this._state === 'closed') return;
    this.teardown(reason);
    this.finish((h) => h.onError?.('reset')); // nothing if the application was already told it closed
  }

  // ---- handshake -----------------------------------------------------------------------------

  private onSyn(seg: TcpPacket): void {
    if (this._state === 'syn-sent') {
      if (seg.flags !== 'S.' || this.relAck(seg.ack) !== 1) return;
      this.irs = seg.seq;
      this.rx.rcvNxt = 1;
      this.onAck(1);
      if (this.tx.synRetransmitted) this.rto.fallback();
      if (this.tlsRt) {
        this.setState('tls-handshake', `SYN-ACK received; ${tlsVersionName(this.tlsRt)} handshake`);
        this.sendAck();
        this.sendFlight(1);
      } else {
        this.setState('established', 'SYN-ACK received');
        this.sendAck();
        this.ready();
      }
    } else if (this._state === 'syn-received' && seg.flags === 'S') {
      // Our SYN-ACK was lost or is late: answer the retransmitted SYN again (Karn: no sample).
      this.tx.resendHead();
    } else {
      this.sendAck(); // a late duplicate SYN or SYN-ACK: re-acknowledge
    }
  }

  private serverEstablished(): void {
    if (this.tx.synRetransmitted) this.rto.fallback();
    if (this.p.listenerTls) {
      this.setState('tls-handshake', 'ACK received; waiting for the TLS ClientHello');
    } else {
      this.setState('established', 'ACK received');
      this.accept();
    }
  }

  private accept(): void {
    this.visible = true;
    this.p.onAccept?.(this);
  }

  private ready(): void {
    this.clock.cancel(this.connectTimer);
    const queued = this.pending;
    this.pending = [];
    for (const m of queued) this.sendApp(m.data, m.label, m.binary);
    this.handlers.onConnected?.();
  }

  // ---- TLS -----------------------------------------------------------------------------------

  private sendFlight(n: number): void {
    const rt = this.tlsRt!;
    const { wire, label } = tlsFlight(rt, n, (this.id * 16 + n) >>> 0);
    this.queue('P.', wire, EMPTY, label, true, { kind: 'flight', rt, flight: n });
  }

  private onFlight(piece: { rt: TlsRoundTrips; flight: number }): void {
    if (this.role === 'server' && piece.flight === 1) this.tlsRt = piece.rt;
    const step = tlsHandshakeStep(this.role, piece.rt, piece.flight);
    if (step.send !== undefined) this.sendFlight(step.send);
    if (!step.done) return;
    this.setState('established', `${tlsVersionName(piece.rt)} handshake done`);
    if (this.role === 'server') this.accept();
    else this.ready();
  }

  // ---- data ----------------------------------------------------------------------------------

  private sendApp(data: Buffer, label: string, binary: boolean): void {
    if (this.tlsRt) {
      const seed = (this.id * 0x10001 + ++this.tlsRecords * 0x9e37) >>> 0;
      this.queue('P.', tlsAppData(this.tlsRt, data, seed), data, `${label} [TLS]`, true, { kind: 'data' });
    } else {
      this.queue('P.', data, data, label, binary);
    }
  }

  /**
   * An in-order segment is taken with every held one it makes contiguous: the sequence space
   * is acknowledged first (as a kernel queues data before the application reads it, so an
   * answer sent from onData already acknowledges all of it), then the messages are delivered
   * in order, then one ACK goes out unless an answer already carried it.
   */
  private onSegment(seg: TcpPacket, rel: number): void {
    const ready = this.rx.take(seg, rel);
    // 'ahead': a duplicate ACK tells the sender where the gap is; 'old': we have it (our ACK was
    // lost or late) — acknowledge again, deliver nothing.
    if (typeof ready === 'string') return this.sendAck();
    for (const s of ready) {
      if (!this.isReceiving()) break;
      if (s.wire.length > 0) this.deliver(s);
      if (s.flags.includes('F') && this.isReceiving()) this.onFin();
    }
    if (this._state !== 'closed' && this.ackSent !== this.rx.rcvNxt) this.sendAck();
  }

  private deliver(seg: TcpPacket): void {
    if (this.tls !== (seg.tls !== undefined)) {
      // A TLS client on a plain port or the reverse: the server gives up on the garbage.
      const why = this.tls ? 'TLS expected, plain data received' : 'plain TCP expected, TLS received';
      this.transmit({ flags: 'R.', seq: this.wireSeq(this.tx.sndNxt), ack: this.wireAck(), wire: EMPTY, data: EMPTY, label: 'RST', binary: false });
      const visible = this.visible;
      this.teardown(`aborted: ${why}`);
      if (visible) this.finish((h) => h.onError?.('reset'));
      return;
    }
    if (seg.tls?.kind === 'flight') return this.onFlight(seg.tls);
    if (this.visible) this.handlers.onData?.(seg.data);
  }

  private onFin(): void {
    if (this._state === 'fin-wait') {
      this.setState('time-wait', 'FIN received');
      this.timeWaitTimer = this.clock.schedule(this.net.options.timeWait, this.onTimeWaitOver, undefined, this.hostRef.name);
      this.finish((h) => h.onClosed?.());
    } else {
      this.setState('last-ack', 'FIN received: the peer closed');
      this.queue('F.', EMPTY, EMPTY, 'FIN', false, undefined, 1);
      this.finish((h) => h.onClosed?.());
    }
  }

  // ---- acknowledgements (retransmission: tcp-send-queue.ts, RFC 6298 §5) ---------------------

  private onAck(a: number): void {
    if (!this.tx.acknowledge(a)) return; // old, duplicate, or not something we sent
    if (this._state === 'syn-received') this.serverEstablished();
    else if (this._state === 'last-ack' && a === this.tx.sndNxt) this.teardown('FIN acknowledged');
  }

  /**
   * ICMP destination unreachable for one of this connection's segments (its peer's host is
   * gone). Connecting, AMB-21 synIcmp 'immediate' (Linux tcp_v4_err): the connect fails at once;
   * 'softError' (RFC 1122 §4.2.3.9): noted, the SYNs go on, and the timeout that ends the
   * connect names it. On a connection that is up it is always a soft error.
   */
  icmpUnreachable(what: string): void {
    if (this._state === 'closed') return;
    if (this._state === 'syn-sent' && (this.p.synIcmp ?? 'immediate') === 'immediate') return this.fail('unreachable', `${what} during the connect`);
    this.softError = what;
  }

  /** The last ICMP soft error, for the reason of a later timeout. */
  private softError: string | undefined;
  private get lastSoftError(): string {
    return this.softError ? ` (last ICMP: ${this.softError})` : '';
  }

  private giveUp(flags: string, limit: number): void {
    if (flags === 'S') return this.fail('timeout', `connect timeout after ${limit} SYN retransmissions${this.lastSoftError}`);
    if (flags === 'S.') return this.teardown(`half-open connection dropped after ${limit} SYN-ACK retransmissions`);
    this.fail('timeout', `data timeout after ${limit} retransmissions${this.lastSoftError}`);
  }

  private onRst(seg: TcpPacket): void {
    if (this._state === 'syn-sent') {
      if (seg.flags.includes('.') && this.relAck(seg.ack) === 1) this.fail('refused', `RST received: ${seg.why ?? 'port closed'}`);
      return;
    }
    const reason = `reset by peer: ${seg.why ?? 'connection reset'}`;
    if (this._state === 'last-ack' || this._state === 'time-wait') return this.teardown(reason); // app already told
    this.fail('reset', reason);
  }

  private readonly onConnectTimeout = (): void => {
    if (this._state === 'syn-sent' || this._state === 'tls-handshake') {
      this.fail('timeout', `connect timeout after ${formatDuration(this.p.connectTimeout!)} (connectTimeout)${this.lastSoftError}`);
    }
  };

  private readonly onTimeWaitOver = (): void => {
    if (this._state === 'time-wait') this.teardown('TIME-WAIT over');
  };

  private readonly onAbandoned = (): void => {
    this.finish((h) => h.onClosed?.());
  };

  // ---- plumbing ------------------------------------------------------------------------------

  private queue(flags: string, wire: Buffer, data: Buffer, label: string, binary: boolean, tls?: TlsPiece, extra = 0): void {
    this.tx.queue({ len: wire.length + extra, flags, wire, data, label, binary, ...(tls ? { tls } : {}) });
  }

  private put(o: Outstanding, again: boolean): void {
    this.transmit({
      flags: o.flags,
      seq: this.wireSeq(o.rel),
      ack: o.flags === 'S' ? 0 : this.wireAck(),
      wire: o.wire,
      data: o.data,
      label: again ? `${o.label} [retransmission]` : o.label,
      binary: o.binary,
      ...(o.tls ? { tls: o.tls } : {}),
    });
  }

  private sendAck(): void {
    this.transmit({ flags: '.', seq: this.wireSeq(this.tx.sndNxt), ack: this.wireAck(), wire: EMPTY, data: EMPTY, label: 'ACK', binary: false });
  }

  private transmit(seg: OutSegment): void {
    if (seg.flags.includes('.')) this.ackSent = this.rx.rcvNxt;
    this.net.transmit(this, seg);
  }

  private fail(cause: TcpErrorCause, reason: string): void {
    this.teardown(reason);
    this.finish((h) => h.onError?.(cause));
  }

  private teardown(reason: string): void {
    this.tx.clear();
    this.clock.cancel(this.connectTimer);
    this.clock.cancel(this.timeWaitTimer);
    this.rx.clear();
    this.pending = [];
    this.setState('closed', reason);
    this.net.forget(this);
  }

  private finish(call: (h: TcpHandlers) => void): void {
    if (this.finished || !this.visible) return;
    this.finished = true;
    call(this.handlers);
  }

  private isReceiving(): boolean {
    return this._state !== 'closed' && this._state !== 'syn-sent';
  }

  private setState(to: TcpConnState, reason: string): void {
    const from = this._state;
    this._state = to;
    this.net.trace.emit({ kind: 'tcp.state', host: this.hostRef.name, peer: this.peer, conn: this.id, from, to, reason });
  }

  private wireSeq(rel: number): number {
    return (this.iss + rel) >>> 0;
  }

  private wireAck(): number {
    return (this.irs + this.rx.rcvNxt) >>> 0;
  }

  private relAck(ack: number): number {
    return (ack - this.iss) >>> 0;
  }
}
