import { noEntries, withEntry, withoutEntry } from '../core/sparse-map.js';
import type { Clock } from '../core/clock.js';
import type { Endpoint, IcmpQuote, Trace, TransactionKind } from '../core/trace.js';
import { type Datagram, type Host, HostEndpoint, type UdpSocket } from '../net/host.js';
import type { Network } from '../net/network.js';
import type { TcpConnection } from '../net/tcp-connection.js';
import type { TcpErrorCause, TcpHandlers } from '../net/tcp-types.js';
import type { ConnectOptions, TcpNetwork } from '../net/tcp-network.js';
import { TcpPool } from '../net/tcp-pool.js';
import { Identifiers } from './identifiers.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { SipMessage, SipRequest, SipResponse, cseq, header, label, parse, serialize, topBranch } from './message.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { SipTimerConfig, TimerValues, timerValues } from './timers.js';
import { SipWire } from './sip-wire.js';
import { abandonUnconnected, reconnecting } from './tcp-request-users.js';
import { RetryLedger } from './retry-ledger.js';
import { type ClientTransaction, type ClientTransactionUser, type IcmpHandling, type RetransmitLimit, type ServerTransactionUser, type TransactionContext, transactionKey } from './transaction-user.js';

export const SIP_PORT = 5060;
/** RFC 3261 §26.2: SIP over TLS listens on 5061. */
export const SIPS_PORT = 5061;

export type { SipTransport } from '../dns/server-locator.js';
import type { SipTransport } from '../dns/server-locator.js';

/**
 * Where a message goes: an address, its transport (UDP when absent) and, for a response to a
 * request that came over a connection, that connection (RFC 3261 §18.2.2: same connection).
 */
export interface SipTarget extends Endpoint {
  transport?: SipTransport;
  conn?: TcpConnection;
}

/** Where a UDP request came from, and so where its responses go: it keeps the sender's host (HostEndpoint). */
class UdpSource extends HostEndpoint implements SipTarget {
  readonly transport = 'udp' as const;
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/** The UA or server logic above the transaction layer. */
export interface SipCore {
  /**
   * A new request. `txn` is its server transaction, or undefined for an ACK to a 2xx, which
   * RFC 3261 §17.2.1 gives to the TU rather than to a transaction.
   */
  onRequest(req: SipRequest, source: Endpoint, txn: ServerTransaction | undefined): void;
  /** A response no client transaction matches (e.g. a 2xx retransmitted after Timer M). */
  onStrayResponse?(res: SipResponse, source: Endpoint): void;
  /** Hook for server transactions' Timer H. */
  serverTransactionUser?: ServerTransactionUser;
}

/**
 * Sits between the wire and the transaction layer for every request (ACKs and retransmissions
 * included): a server with a capacity queues them and hands each back to `dispatchRequest`
 * when its turn comes (sim/server/capacity-queue.ts). Without one, requests go straight through.
 */
export interface RequestAdmission {
  arrive(req: SipRequest, source: SipTarget): void;
}

/**
 * A host's SIP stack over UDP port 5060: matches incoming messages to transactions by branch
 * and method (RFC 3261 §17.1.3, §17.2.3), creates server transactions for new requests, and
 * turns ICMP errors into transport errors for the client transactions talking to that peer.
 */
export class SipEndpoint implements UdpSocket {
  readonly ids: Identifiers;
  private clients = noEntries<string, ClientTransaction>();
  private servers = noEntries<string, ServerTransaction>();
  /** Transaction contexts: UDP timers, and reliable-transport timers (no retransmissions, D = K = 0). */
  private readonly ctx: TransactionContext;
  private readonly reliableCtx: TransactionContext;
  private readonly pool: TcpPool | undefined;
  // The TCP/TLS bookkeeping below is made on first use: a UDP phone never needs it, and in a
  // fleet three empty collections per phone were ~0.6 KB of its ~9.3 KB.
  private tcpConnections: WeakMap<ClientTransaction, TcpConnection> | undefined;
  private tcpArmOnConnect: Map<TcpConnection, (() => void)[]> | undefined;
  private tcpEverConnected: WeakSet<TcpConnection> | undefined;
  /** The connection each client transaction over TCP/TLS went on. */
  private get connections(): WeakMap<ClientTransaction, TcpConnection> {
    return (this.tcpConnections ??= new WeakMap());
  }
  /** AMB-21: transaction timers waiting for their connection to come up (tcpConnect.timersAfterConnect). */
  private get armOnConnect(): Map<TcpConnection, (() => void)[]> {
    return (this.tcpArmOnConnect ??= new Map());
  }
  /** Connections that were up at some point: a failure of one of the others is a failed connect (AMB-21 connectAttempts). */
  private get everConnected(): WeakSet<TcpConnection> {
    return (this.tcpEverConnected ??= new WeakSet());
  }
  private admission: RequestAdmission | undefined;
  /** AMB-01 retryCountScope = perServer: retries shared across the requests to one server (absent: per request). */
  private retryLedger: RetryLedger | undefined;
  /**
   * Per Call-ID, who hears a response no transaction matches (an outgoing call hearing a 2xx
   * that comes after its INVITE transaction ended: RFC 3261 §13.2.2.4 asks the UAC core to ACK
   * it, and to BYE a dialog it does not want). Calls without an entry go to the core.
   */
  private strayByCallId = noEntries<string, (res: SipResponse, source: SipTarget) => void>();

  constructor(
    clock: Clock,
    trace: Trace,
    private readonly network: Network,
    readonly host: Host,
    timers: SipTimerConfig,
    private readonly core: SipCore,
    /** TCP/TLS, when the world has it; without it only UDP is spoken. */
    tcp?: TcpNetwork,
    /** TLS handshake round trips for connections this host opens: 2 = TLS 1.2, 1 = TLS 1.3. */
    private readonly tlsRoundTrips: 1 | 2 = 2,
    /** A connect still pending when its transaction times out: closed ('abandon') or left to go on ('keep'). */
    private readonly connectOnTimeout: 'abandon' | 'keep' = 'abandon',
    /** What an ICMP port-unreachable does to the transactions towards that peer (AMB-22). */
    private readonly icmpHandling: IcmpHandling = 'failServerNow',
    /**
     * How this host connects (AMB-21 tcpConnectFailure): options for every connection it opens
     * (SYN schedule, connect timeout), and whether a transaction's Timer B/F waits for its
     * connection to come up. Default: the network's schedule, timers from the request's send.
     */
    private readonly tcpConnect: { options: ConnectOptions; timersAfterConnect: boolean; reconnects?: boolean } = { options: {}, timersAfterConnect: false },
  ) {
    this.ids = new Identifiers(host.name, host.ip);
    host.bind(SIP_PORT, this);
    this.ctx = new EndpointContext(this, clock, trace, host.name, timerValues(timers, false));
    this.reliableCtx = new EndpointContext(this, clock, trace, host.name, timerValues(timers, true), tcpConnect.timersAfterConnect);
    if (tcp) {
      const pool = new TcpPool(tcp, (conn) => this.connectionHandlers(conn), tcpConnect.options);
      this.pool = pool;
      const accept = (conn: TcpConnection): void => {
        conn.setHandlers(this.connectionHandlers(conn));
        pool.adopt(conn);
      };
      tcp.listen(host, SIP_PORT, accept);
      tcp.listen(host, SIPS_PORT, accept, { tls: true });
    }
  }

  get contact(): Endpoint {
    return { ip: this.host.ip, port: SIP_PORT };
  }

  /** A top Via with a fresh branch (RFC 3261 §8.1.1.7) for a request sent over `transport`. */
  via(transport: SipTransport = 'udp'): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.host.ip}:${listenPort(transport)};branch=${this.ids.branch()};rport`;
  }

  /** Contact URI of a user at this host, with the transport parameter when not UDP (RFC 3261 §19.1.1). */
  contactFor(user: string, transport: SipTransport = 'udp'): string {
    return `<sip:${user}@${this.host.ip}:${listenPort(transport)}${transport === 'udp' ? '' : `;transport=${transport}`}>`;
  }

  /** Starts a client transaction for `req` towards `dst` (over `dst.transport`, UDP by default). */
  /** AMB-01 retryCountScope = perServer: from now on, one retry count per server, shared by its requests (sim/sip/retry-ledger.ts). */
  shareRetryCounts(): void {
    this.retryLedger ??= new RetryLedger();
  }

  sendRequest(req: SipRequest, dst: SipTarget, tu: ClientTransactionUser, limit?: RetransmitLimit, note?: string): ClientTransaction {
    const reliable = dst.transport === 'tcp' || dst.transport === 'tls';
    const ctx = reliable ? this.reliableCtx : this.ctx;
    // RFC 3261 §17.1: no retransmissions over a reliable transport, so no retransmission bound either.
    let bound = reliable ? undefined : limit;
    // AMB-21 connectAttempts: on TCP/TLS the bound counts new connection attempts instead.
    const reconnects = reliable && this.tcpConnect.reconnects === true ? limit?.count ?? 0 : 0;
    const inner = reconnects > 0 ? reconnecting(req, tu, reconnects, () => this.connections.get(txn), this.everConnected, () => this.ids.branch(), (again, limit, note) => this.sendRequest(again, dst, tu, limit, note)) : tu;
    let user = reliable ? abandonUnconnected(inner, req, () => this.connections.get(txn), this.connectOnTimeout) : tu;
    const ledger = reliable ? undefined : this.retryLedger;
    if (ledger) {
      const shared = ledger.limitFor(dst, bound);
      if (shared !== bound && bound && shared) note = `${note !== undefined ? `${note}; ` : ''}retry_counts shared with earlier unanswered requests to this server: ${shared.count} of ${bound.count} left (retryCountScope = perServer)`;
      bound = shared;
      user = ledger.watch(dst, user, () => txn);
    }
    const txn: ClientTransaction =
      req.method === 'INVITE'
        ? new InviteClientTransaction(ctx, req, dst, user, bound, note)
        : new NonInviteClientTransaction(ctx, req, dst, user, bound, note);
    this.clients = withEntry(this.clients, txn.key, txn);
    txn.start();
    // Remember the connection the request went on: its failure is this transaction's transport error.
    const conn = reliable ? this.pool?.peek(this.host, { ip: dst.ip, port: dst.port }, dst.transport === 'tls') : undefined;
    if (conn) this.connections.set(txn, conn);
    return txn;
  }

  /** Sends outside any transaction (ACK for a 2xx, TU retransmissions of a 2xx); transactions send through here too. */
  sendStateless(msg: SipMessage, dst: SipTarget): void {
    if (dst.transport !== 'tcp' && dst.transport !== 'tls') {
      this.network.sendUdp(this.host, SIP_PORT, dst, new SipWire(msg), label(msg));
      return;
    }
    const bytes = Buffer.from(serialize(msg), 'utf8');
    if (!this.pool) throw new Error(`Cannot send ${label(msg)} over ${dst.transport} from ${this.host.name}: no TCP in this world`);
    // A response goes back on the request's connection; if that closed, it is lost (the client's timers cope).
    const conn = dst.conn ?? this.pool.getConnection(this.host, { ip: dst.ip, port: dst.port }, dst.transport === 'tls' ? { tls: true, handshakeRoundTrips: this.tlsRoundTrips } : {});
    if (conn.isOpen) conn.send(bytes, label(msg));
  }

  /** Responses of this Call-ID that no transaction takes (a 2xx retransmitted after its INVITE transaction ended) go to `handler`. */
  onStrayResponses(callId: string, handler: (res: SipResponse, source: SipTarget) => void): void {
    this.strayByCallId = withEntry(this.strayByCallId, callId, handler);
  }

  forgetStrayResponses(callId: string): void {
    this.strayByCallId = withoutEntry(this.strayByCallId, callId);
  }

  /** Routes every arriving request through `gate` from now on (see RequestAdmission). */
  setAdmission(gate: RequestAdmission): void {
    this.admission = gate;
  }

  /** The server transaction for (branch, method), if it is still there: a CANCEL finds its INVITE this way (RFC 3261 §9.2). */
  serverTransaction(branch: string, method: string): ServerTransaction | undefined {
    return this.servers.get(transactionKey(branch, method));
  }

  nameOf(dst: Endpoint): string {
    return this.network.hostAt(dst)?.name ?? dst.ip;
  }

  onDatagram(d: Datagram): void {
    // A datagram from another SipEndpoint carries its message: no need to parse the text built from it.
    const msg = d.decoded instanceof SipWire ? d.decoded.message : parse(d.payload.toString('utf8'));
    if (msg) this.receiveMessage(msg, new UdpSource(HostEndpoint.hostOf(d.src), d.src.ip, d.src.port));
  }

  /**
   * AMB-21: the request to `dst` waits on a connection still being set up — `arm` (its
   * transaction's Timer B/F) runs when the connection is up. False when there is nothing to wait for.
   */
  armAfterConnect(dst: SipTarget, arm: () => void): boolean {
    if (dst.transport !== 'tcp' && dst.transport !== 'tls') return false;
    const conn = dst.conn ?? this.pool?.peek(this.host, { ip: dst.ip, port: dst.port }, dst.transport === 'tls');
    if (!conn || !conn.isOpen || conn.state === 'established') return false;
    const waiting = this.armOnConnect.get(conn);
    if (waiting) waiting.push(arm);
    else this.armOnConnect.set(conn, [arm]);
    return true;
  }

  /** Message-level TCP: each segment carries one whole SIP message. */
  private connectionHandlers(conn: TcpConnection): TcpHandlers {
    const source: SipTarget = { ip: conn.remote.ip, port: conn.remote.port, transport: conn.tls ? 'tls' : 'tcp', conn };
    return {
      onConnected: () => {
        this.everConnected.add(conn);
        const waiting = this.armOnConnect.get(conn);
        this.armOnConnect.delete(conn);
        waiting?.forEach((arm) => arm());
      },
      onData: (data) => this.receive(data, source),
      onError: (cause) => {
        this.armOnConnect.delete(conn);
        this.onConnectionError(conn, cause);
      },
      // Closed under a request still waiting (the peer closed, or a timed-out request abandoned it): that request's transport failed.
      onClosed: () => {
        this.armOnConnect.delete(conn);
        this.onConnectionError(conn, 'closed');
      },
    };
  }

  /** A failed connection is a transport error for every client transaction that was using it (RFC 3261 §18.4). */
  private onConnectionError(conn: TcpConnection, cause: TcpErrorCause | 'closed'): void {
    const peer = this.nameOf(conn.remote);
    const words = { refused: `TCP connection refused by ${peer}`, unreachable: `TCP connect to ${peer} failed: ICMP host unreachable`, reset: `TCP connection reset by ${peer}`, timeout: `TCP connection to ${peer} timed out`, closed: `TCP connection to ${peer} closed` }[cause];
    for (const txn of [...this.clients.values()]) if (this.connections.get(txn) === conn) txn.onTransportError(words);
  }

  private receive(bytes: Buffer, source: SipTarget): void {
    const msg = parse(bytes.toString('utf8'));
    if (msg) this.receiveMessage(msg, source); // not SIP: a real stack drops it silently
  }

  private receiveMessage(msg: SipMessage, source: SipTarget): void {
    const branch = topBranch(msg);
    if (msg.type === 'response') {
      const txn = this.clients.get(transactionKey(branch, cseq(msg).method));
      if (txn) txn.receiveResponse(msg);
      else {
        const own = this.strayByCallId.size > 0 ? this.strayByCallId.get(header(msg, 'Call-ID') ?? '') : undefined;
        if (own) own(msg, source);
        else this.core.onStrayResponse?.(msg, source);
      }
      return;
    }
    if (this.admission) return this.admission.arrive(msg, source);
    this.dispatchRequest(msg, source);
  }

  /**
   * A request's turn at the transaction layer: a retransmission goes to its server transaction
   * (RFC 3261 §17.2.3), an ACK to a 2xx to the core, anything else starts a server transaction.
   */
  dispatchRequest(msg: SipRequest, source: SipTarget): void {
    const branch = topBranch(msg);
    const method = msg.method === 'ACK' ? 'INVITE' : msg.method;
    const existing = this.servers.get(transactionKey(branch, method));
    if (existing) return existing.receiveRequest(msg);
    if (msg.method === 'ACK') return this.core.onRequest(msg, source, undefined);
    const ctx = source.transport === 'udp' ? this.ctx : this.reliableCtx;
    const txn =
      msg.method === 'INVITE'
        ? new InviteServerTransaction(ctx, msg, source, this.core.serverTransactionUser)
        : new NonInviteServerTransaction(ctx, msg, source);
    this.servers = withEntry(this.servers, txn.key, txn);
    this.core.onRequest(msg, source, txn);
  }

  /**
   * ICMP only quotes IP + UDP headers, so every client transaction towards that peer hears of it:
   * as a fatal transport error, as one retry, or not at all (icmpHandling; the net layer traces the ICMP itself).
   */
  onIcmpError(q: IcmpQuote): void {
    if (this.icmpHandling === 'ignore') return;
    const dst = q.original.dst;
    const cause = `ICMP ${q.code === 1 ? 'host' : 'port'} unreachable ${q.code === 1 ? 'for' : 'from'} ${this.nameOf(dst)}`;
    for (const txn of [...this.clients.values()]) {
      const t = txn.dst as SipTarget;
      if (t.ip !== dst.ip || t.port !== dst.port || (t.transport ?? 'udp') !== 'udp') continue;
      if (this.icmpHandling === 'countAsOneRetry') txn.onSoftError(cause);
      else txn.onTransportError(cause);
    }
  }

  /** @internal The transport forgets a terminated transaction (EndpointContext.onTerminated). */
  forget(kind: TransactionKind, key: string): void {
    if (kind === 'ict' || kind === 'nict') this.clients = withoutEntry(this.clients, key);
    else this.servers = withoutEntry(this.servers, key);
  }
}

/** Where this stack listens: 5060 for UDP and TCP, 5061 for TLS (RFC 3261 §26.2). */
export function listenPort(transport: SipTransport): number {
  return transport === 'tls' ? SIPS_PORT : SIP_PORT;
}

/**
 * What the endpoint's transactions see of it (one per timer set: unreliable, reliable). A class
 * rather than a literal of three arrow functions: its methods live on the prototype, so a
 * fleet's endpoints hold no closures for it.
 */
class EndpointContext implements TransactionContext {
  constructor(
    private readonly endpoint: SipEndpoint,
    readonly clock: Clock,
    readonly trace: Trace,
    readonly host: string,
    readonly timers: TimerValues,
    /** AMB-21: Timer B/F of a request waiting on a connection starts once it is up. */
    private readonly timersAfterConnect = false,
  ) {}

  armAfterConnect(dst: Endpoint, arm: () => void): boolean {
    return this.timersAfterConnect && this.endpoint.armAfterConnect(dst as SipTarget, arm);
  }

  send(msg: SipMessage, dst: Endpoint): void {
    this.endpoint.sendStateless(msg, dst);
  }

  nameOf(dst: Endpoint): string {
    return this.endpoint.nameOf(dst);
  }

  onTerminated(kind: TransactionKind, key: string): void {
    this.endpoint.forget(kind, key);
  }
}
