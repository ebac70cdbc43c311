import type { Clock, Micros } from '../core/clock.js';
import type { RandomStreams } from '../core/random.js';
import type { DropReason, Endpoint, Trace } from '../core/trace.js';
import { type Host, type HostMode, isDown } from './host.js';
import { ICMP_HOST_UNREACHABLE, LOST, type Network } from './network.js';
import { OutSegment, TcpConnection, TcpHandlers, TcpPacket, TcpWire } from './tcp-connection.js';
import { DEFAULT_TCP_OPTIONS, TcpOptions } from './tcp-rto.js';
import type { TlsRoundTrips } from './tls-records.js';

export interface ListenOptions {
  /** The port speaks TLS (e.g. SIP on 5061): accepted connections run the server handshake. */
  tls?: boolean;
}

export interface ConnectOptions {
  /** Run a TLS handshake after TCP is up; onConnected waits for it. */
  tls?: boolean;
  /** TLS handshake round trips: 2 = TLS 1.2 (default), 1 = TLS 1.3. */
  handshakeRoundTrips?: TlsRoundTrips;
  /**
   * Application connect timeout (TCP + TLS), µs. Default: none — only `synRetries` bounds the
   * connect (127 s with 6). A SIP transaction usually ends it first by closing at Timer B/F.
   */
  connectTimeout?: Micros;
  /** Override the network's SYN retransmission count for this connection. */
  synRetries?: number;
  /** Override the network's SYN linear timeouts (Linux ≥ 6.5 tcp_syn_linear_timeouts) for this connection. */
  synLinearTimeouts?: number;
  /** Override the network's initial RTO (RFC 6298 §2.1) for this connection, µs. */
  initialRto?: Micros;
  /** Local port; default the host's next ephemeral port (49152 upwards, per host). */
  localPort?: number;
  /**
   * AMB-21 — an ICMP host unreachable for the SYN: 'immediate' (default; Linux tcp_v4_err) the
   * connect fails at once; 'softError' (RFC 1122 §4.2.3.9) it is noted and the SYNs go on.
   */
  synIcmp?: 'immediate' | 'softError';
}

interface Listener {
  onAccept: (conn: TcpConnection) => void;
  tls: boolean;
}

/** IANA dynamic range (RFC 6335): ephemeral ports count up from here, per host. */
export const EPHEMERAL_FIRST = 49152;
const EPHEMERAL_LAST = 65535;
const EMPTY = Buffer.alloc(0);

/**
 * Message-level TCP (and TLS) over a Network's hosts and links. It sits beside Network rather
 * than inside it: hosts come from `network.host()/hostByIp()`, delay/jitter/loss/partitions
 * from `network.links`, and loss draws from the same named stream as UDP (`link:<from>><to>`,
 * two draws per packet, loss then jitter) — so a link's loss decisions are one sequence,
 * whichever protocol the packets carry. TCP ports are their own namespace (listen/connect here,
 * UDP bind on Host).
 *
 * Host modes: 'silent' drops segments both ways; 'unreachable' answers SYNs (and segments of
 * connections it had) with RST; 'host-unreachable' drops them, and the last-hop router answers
 * each with ICMP host unreachable, which the sending connection hears
 * (TcpConnection.icmpUnreachable). A host leaving 'up' loses every connection it had (a crash
 * or a dead service): its peers learn it from the RST their next segment gets once it is back.
 */
export class TcpNetwork implements TcpWire {
  readonly options: TcpOptions;
  private readonly listeners = new Map<Host, Map<number, Listener>>();
  private readonly conns = new Map<Host, Map<string, TcpConnection>>();
  /** Connections a host lost (crash, service down): peers get "it restarted" with their RST. */
  private readonly lost = new Map<Host, Set<string>>();
  private readonly nextPort = new Map<Host, number>();
  private readonly watched = new WeakSet<Host>();
  private readonly nextPacketId: () => number;
  private nextConnId = 1;

  constructor(
    readonly network: Network,
    readonly clock: Clock,
    readonly trace: Trace,
    private readonly random: RandomStreams,
    options: Partial<TcpOptions> = {},
  ) {
    this.options = { ...DEFAULT_TCP_OPTIONS, ...options };
    this.nextPacketId = () => network.allocatePacketId();
    for (const h of network.hosts) this.watch(h);
  }

  listen(host: Host | string, port: number, onAccept: (conn: TcpConnection) => void, options: ListenOptions = {}): void {
    const h = this.resolve(host, 'listen');
    let ports = this.listeners.get(h);
    if (!ports) this.listeners.set(h, (ports = new Map()));
    if (ports.has(port)) throw new Error(`Cannot listen on ${h.name}:${port}/tcp: port in use`);
    ports.set(port, { onAccept, tls: options.tls ?? false });
  }

  unlisten(host: Host | string, port: number): void {
    this.listeners.get(this.resolve(host, 'unlisten'))?.delete(port);
  }

  /** Opens a connection: the SYN leaves now; handlers hear the outcome from later events. */
  connect(from: Host | string, dst: Endpoint, options: ConnectOptions = {}, handlers: TcpHandlers = {}): TcpConnection {
    const host = this.resolve(from, 'connect');
    const rt = options.tls ? options.handshakeRoundTrips ?? 2 : undefined;
    if (rt !== undefined && rt !== 1 && rt !== 2) throw new Error(`Cannot connect: handshakeRoundTrips must be 1 (TLS 1.3) or 2 (TLS 1.2), not ${rt}`);
    const peer = this.network.hostByIp(dst.ip);
    if (peer) this.watch(peer);
    const port = options.localPort ?? this.ephemeralPort(host, dst);
    const conn = new TcpConnection(
      this,
      {
        id: this.nextConnId++,
        role: 'client',
        host,
        local: { ip: host.ip, port },
        remote: { ip: dst.ip, port: dst.port },
        peer: peer?.name ?? dst.ip,
        iss: this.isn(host),
        synRetries: options.synRetries ?? this.options.synRetries,
        ...(options.synLinearTimeouts !== undefined ? { synLinearTimeouts: options.synLinearTimeouts } : {}),
        ...(options.initialRto !== undefined ? { initialRto: options.initialRto } : {}),
        ...(options.connectTimeout !== undefined ? { connectTimeout: options.connectTimeout } : {}),
        ...(rt !== undefined ? { tlsRt: rt } : {}),
        ...(options.synIcmp !== undefined ? { synIcmp: options.synIcmp } : {}),
      },
      handlers,
    );
    const k = connKey(port, dst);
    this.table(host).get(k)?.endTimeWait('TIME-WAIT ended: the 4-tuple is reused by a new connection');
    if (this.table(host).has(k)) throw new Error(`Cannot connect from ${host.name}:${port} to ${dst.ip}:${dst.port}: that connection exists`);
    this.table(host).set(k, conn);
    this.lost.get(host)?.delete(k);
    conn.startConnect();
    return conn;
  }

  /**
   * Declares that `host` crashed now (its TCP state is gone), for callers that model a crash
   * without changing the host's mode. Mode changes away from 'up' are noticed on their own.
   */
  markCrashed(host: Host | string): void {
    const h = this.resolve(host, 'mark crashed');
    this.clock.schedule(0, this.sweep, { host: h, reason: 'host crashed: connection state lost' }, h.name);
  }

  /** Live connections of a host (for tests and diagnostics), in creation order. */
  connections(host: Host | string): TcpConnection[] {
    return [...(this.conns.get(this.resolve(host, 'list connections'))?.values() ?? [])];
  }

  // ---- TcpWire -------------------------------------------------------------------------------

  transmit(conn: TcpConnection, s: OutSegment): void {
    const to = this.network.hostByIp(conn.remote.ip);
    this.send({ ...s, conn: conn.id, from: conn.host, to, toName: conn.peer, src: conn.local, dst: conn.remote });
  }

  forget(conn: TcpConnection): void {
    const table = this.conns.get(conn.host);
    const k = connKey(conn.local.port, conn.remote);
    if (table?.get(k) === conn) table.delete(k);
  }

  // ---- segments on the links (mirrors Network.transmit/arrive for UDP) ------------------------

  private send(s: Omit<TcpPacket, 'id'> & { label: string; binary: boolean }): void {
    const p: TcpPacket = {
      id: this.nextPacketId(), conn: s.conn, from: s.from, to: s.to, toName: s.toName, src: s.src, dst: s.dst,
      flags: s.flags, seq: s.seq, ack: s.ack, wire: s.wire, data: s.data,
      ...(s.tls ? { tls: s.tls } : {}), ...(s.why ? { why: s.why } : {}),
    };
    this.trace.emit({
      kind: 'net.send', id: p.id, from: p.from.name, to: p.toName, proto: 'tcp', tcp: { flags: p.flags, seq: p.seq, ack: p.ack },
      src: p.src, dst: p.dst, bytes: p.wire, ...(s.binary ? { encoding: 'base64' as const } : {}), label: s.label,
    });
    const to = p.to;
    if (!to) return this.drop(p, 'silent');
    if (isDown(p.from.mode)) return this.drop(p, 'sender-down');
    if (this.network.links.isPartitioned(p.from.name, to.name)) return this.drop(p, 'partition');
    // The UDP stream of this direction: same draws (loss, then jitter).
    const delay = this.network.packetDelay(p.from, to);
    if (delay === LOST) return this.drop(p, 'loss');
    this.clock.schedule(delay, this.arrive, p, to.name);
  }

  private readonly arrive = (p: TcpPacket): void => {
    const host = p.to!;
    if (host.mode === 'silent') return this.drop(p, 'silent');
    if (this.network.links.isPartitioned(p.from.name, host.name)) return this.drop(p, 'partition');
    if (host.mode === 'host-unreachable') return this.hostUnreachable(p);
    if (this.trace.on['net.deliver']) this.trace.emit({ kind: 'net.deliver', id: p.id, from: p.from.name, to: host.name });
    const k = connKey(p.dst.port, p.src);
    const portsClosed = host.mode === 'unreachable';
    let conn = this.conns.get(host)?.get(k);
    if (conn && p.flags === 'S' && conn.endTimeWait('TIME-WAIT ended: a new SYN for the same 4-tuple')) conn = undefined;
    if (conn && !portsClosed) return conn.receive(p);
    if (p.flags.includes('R')) return; // RFC 793: a RST is never answered
    const lostHere = this.lost.get(host);
    const wasLost = lostHere?.delete(k) ?? false;
    if (p.flags === 'S') {
      const listener = portsClosed ? undefined : this.listeners.get(host)?.get(p.dst.port);
      if (listener) return this.acceptSyn(host, listener, p);
      // RFC 793 p. 36 / reference: a closed port answers a SYN with RST at once.
      return this.reset(p, 'R.', 0, (p.seq + 1) >>> 0, 'port closed');
    }
    const why = portsClosed ? 'port closed' : wasLost ? 'it restarted' : 'no such connection';
    if (p.flags.includes('.')) return this.reset(p, 'R', p.ack, 0, why);
    this.reset(p, 'R.', 0, (p.seq + p.wire.length + (p.flags.includes('F') ? 1 : 0)) >>> 0, why);
  };

  private acceptSyn(host: Host, listener: Listener, syn: TcpPacket): void {
    const conn = new TcpConnection(this, {
      id: syn.conn,
      role: 'server',
      host,
      local: syn.dst,
      remote: syn.src,
      peer: syn.from.name,
      iss: this.isn(host),
      synRetries: this.options.synRetries,
      listenerTls: listener.tls,
      onAccept: listener.onAccept,
    });
    this.table(host).set(connKey(syn.dst.port, syn.src), conn);
    conn.acceptSyn(syn);
  }

  /** RFC 793 "Reset Generation": seq from the offending ACK, else seq 0 with an ACK of it. */
  private reset(p: TcpPacket, flags: 'R' | 'R.', seq: number, ack: number, why: string): void {
    this.send({
      conn: 0, from: p.to!, to: p.from, toName: p.from.name, src: p.dst, dst: p.src,
      flags, seq, ack, wire: EMPTY, data: EMPTY, why, label: 'RST', binary: false,
    });
  }

  /**
   * A segment for a host that is gone: the last-hop router answers with ICMP host unreachable
   * (RFC 792 type 3 code 1), quoting the segment's ports and sequence number. The model places no
   * router, so the ICMP carries the host's own address; it travels the link back like a packet.
   */
  private hostUnreachable(p: TcpPacket): void {
    this.drop(p, 'host-unreachable');
    const router = p.to!;
    const id = this.nextPacketId();
    const icmp = { ...ICMP_HOST_UNREACHABLE, original: { src: p.src, dst: p.dst, length: p.wire.length, tcpSeq: p.seq } };
    this.trace.emit({
      kind: 'net.send', id, from: router.name, to: p.from.name, proto: 'icmp', src: { ip: router.ip, port: 0 }, dst: { ip: p.from.ip, port: 0 }, bytes: EMPTY, icmp, label: 'ICMP host unreachable',
    });
    const lost = (reason: DropReason): void => this.trace.emit({ kind: 'net.drop', id, from: router.name, to: p.from.name, reason });
    if (this.network.links.isPartitioned(router.name, p.from.name)) return lost('partition');
    const delay = this.network.packetDelay(router, p.from);
    if (delay === LOST) return lost('loss');
    this.clock.schedule(delay, this.icmpArrive, { id, p }, p.from.name);
  }

  private readonly icmpArrive = ({ id, p }: { id: number; p: TcpPacket }): void => {
    const host = p.from;
    if (isDown(host.mode)) return this.trace.emit({ kind: 'net.drop', id, from: p.toName, to: host.name, reason: 'silent' });
    if (this.trace.on['net.deliver']) this.trace.emit({ kind: 'net.deliver', id, from: p.toName, to: host.name });
    this.conns.get(host)?.get(connKey(p.src.port, p.dst))?.icmpUnreachable(`ICMP host unreachable for ${p.toName}`);
  };

  private drop(p: TcpPacket, reason: DropReason): void {
    this.trace.emit({ kind: 'net.drop', id: p.id, from: p.from.name, to: p.toName, reason });
  }

  // ---- host state --------------------------------------------------------------------------

  private watch(host: Host): void {
    if (this.watched.has(host)) return;
    this.watched.add(host);
    host.onModeChange(this.onModeChange);
  }

  /** Runs inside whoever set the mode: only schedule (run-to-completion). */
  private readonly onModeChange = (host: Host, from: HostMode, to: HostMode): void => {
    // A host with no connections has nothing to lose: no event (phones start powered off, by the thousand).
    if (from !== 'up' || to === 'up' || !this.conns.get(host)?.size) return;
    const reason = isDown(to) ? 'host down: connection state lost' : 'service ports closed: connection state lost';
    this.clock.schedule(0, this.sweep, { host, reason }, host.name);
  };

  private readonly sweep = ({ host, reason }: { host: Host; reason: string }): void => {
    const table = this.conns.get(host);
    if (!table || table.size === 0) return;
    let lostHere = this.lost.get(host);
    if (!lostHere) this.lost.set(host, (lostHere = new Set()));
    for (const [k, conn] of [...table]) {
      lostHere.add(k);
      conn.lose(reason);
    }
  };

  // ---- helpers -------------------------------------------------------------------------------

  private table(host: Host): Map<string, TcpConnection> {
    let t = this.conns.get(host);
    if (!t) this.conns.set(host, (t = new Map()));
    return t;
  }

  private resolve(host: Host | string, what: string): Host {
    const h = typeof host === 'string' ? this.network.host(host) : host;
    if (!h) throw new Error(`Cannot ${what}: no host named ${String(host)}`);
    this.watch(h);
    return h;
  }

  private ephemeralPort(host: Host, dst: Endpoint): number {
    const table = this.table(host);
    for (let tries = 0; tries <= EPHEMERAL_LAST - EPHEMERAL_FIRST; tries++) {
      const port = this.nextPort.get(host) ?? EPHEMERAL_FIRST;
      this.nextPort.set(host, port >= EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1);
      if (!table.has(connKey(port, dst))) return port;
    }
    throw new Error(`Cannot connect from ${host.name} to ${dst.ip}:${dst.port}: no ephemeral port left`);
  }

  /** Deterministic ISN from the host's own stream `tcp:<host>:isn` (RFC 6528 wants it unpredictable; we want it replayable). */
  private isn(host: Host): number {
    return Math.floor(this.random.stream(`tcp:${host.name}:isn`)() * 2 ** 32) >>> 0;
  }
}

function connKey(localPort: number, remote: Endpoint): string {
  return `${localPort}>${remote.ip}:${remote.port}`;
}

