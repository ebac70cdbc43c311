import type { Clock } from '../core/clock.js';
import type { Endpoint, IcmpQuote, Trace, TransactionKind } from '../core/trace.js';
import type { Datagram, Host, UdpSocket } from '../net/host.js';
import type { Network } from '../net/network.js';
import { Identifiers } from './identifiers.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { SipMessage, SipRequest, SipResponse, cseq, label, parse, serialize, topBranch } from './message.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { SipTimerConfig, timerValues } from './timers.js';
import type { ClientTransaction, ClientTransactionUser, RetransmitLimit, ServerTransactionUser, TransactionContext } from './transaction-user.js';

export const SIP_PORT = 5060;

export type SipTransport = 'udp' | 'tcp' | 'tls';

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
 * A host's SIP stack over UDP port 5060: matches incoming messages to transactions by branch
 * and method (RFC 3261 §17.1.3, §17.2.3), creates server transactions for new requests, and
 * turns ICMP errors into transport errors for the client transactions talking to that peer.
 */
export class SipEndpoint implements UdpSocket {
  readonly ids: Identifiers;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly ctx: TransactionContext;

  constructor(
    private readonly clock: Clock,
    trace: Trace,
    private readonly network: Network,
    readonly host: Host,
    timers: SipTimerConfig,
    private readonly core: SipCore,
  ) {
    this.ids = new Identifiers(host.name, host.ip);
    host.bind(SIP_PORT, this);
    this.ctx = {
      clock,
      trace,
      host: host.name,
      timers: timerValues(timers, false),
      send: (msg, dst) => this.sendStateless(msg, dst),
      nameOf: (dst) => this.nameOf(dst),
      onTerminated: (kind, branch, method) => this.forget(kind, branch, method),
    };
  }

  get contact(): Endpoint {
    return { ip: this.host.ip, port: SIP_PORT };
  }

  /** A top Via with a fresh branch (RFC 3261 §8.1.1.7) for a request sent over `transport`. */
  via(transport: SipTransport = 'udp'): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.host.ip}:${SIP_PORT};branch=${this.ids.branch()};rport`;
  }

  /** Contact URI of a user at this host, with the transport parameter when not UDP (RFC 3261 §19.1.1). */
  contactFor(user: string, transport: SipTransport = 'udp'): string {
    return `<sip:${user}@${this.host.ip}:${SIP_PORT}${transport === 'udp' ? '' : `;transport=${transport}`}>`;
  }

  /** Starts a client transaction for `req` towards `dst`. */
  sendRequest(req: SipRequest, dst: Endpoint, tu: ClientTransactionUser, limit?: RetransmitLimit): ClientTransaction {
    const txn =
      req.method === 'INVITE'
        ? new InviteClientTransaction(this.ctx, req, dst, tu, limit)
        : new NonInviteClientTransaction(this.ctx, req, dst, tu, limit);
    this.clients.set(key(topBranch(req), req.method), txn);
    txn.start();
    return txn;
  }

  /** Sends outside any transaction (ACK for a 2xx, TU retransmissions of a 2xx). */
  sendStateless(msg: SipMessage, dst: Endpoint): void {
    this.network.sendUdp(this.host, SIP_PORT, dst, Buffer.from(serialize(msg), 'utf8'), label(msg));
  }

  nameOf(dst: Endpoint): string {
    return this.network.hostByIp(dst.ip)?.name ?? dst.ip;
  }

  onDatagram(d: Datagram): void {
    const msg = parse(d.payload.toString('utf8'));
    if (!msg) return; // not SIP: a real stack drops it silently
    const branch = topBranch(msg);
    if (msg.type === 'response') {
      const txn = this.clients.get(key(branch, cseq(msg).method));
      if (txn) txn.receiveResponse(msg);
      else this.core.onStrayResponse?.(msg, d.src);
      return;
    }
    const method = msg.method === 'ACK' ? 'INVITE' : msg.method;
    const existing = this.servers.get(key(branch, method));
    if (existing) return existing.receiveRequest(msg);
    if (msg.method === 'ACK') return this.core.onRequest(msg, d.src, undefined);
    const txn =
      msg.method === 'INVITE'
        ? new InviteServerTransaction(this.ctx, msg, d.src, this.core.serverTransactionUser)
        : new NonInviteServerTransaction(this.ctx, msg, d.src);
    this.servers.set(key(branch, msg.method), txn);
    this.core.onRequest(msg, d.src, txn);
  }

  /** ICMP only quotes IP + UDP headers, so every client transaction towards that peer hears of it. */
  onIcmpError(q: IcmpQuote): void {
    const dst = q.original.dst;
    const cause = `ICMP port unreachable from ${this.nameOf(dst)}`;
    for (const txn of [...this.clients.values()]) {
      if (txn.dst.ip === dst.ip && txn.dst.port === dst.port) txn.onTransportError(cause);
    }
  }

  private forget(kind: TransactionKind, branch: string, method: string): void {
    (kind === 'ict' || kind === 'nict' ? this.clients : this.servers).delete(key(branch, method));
  }
}

function key(branch: string, method: string): string {
  return `${branch}|${method}`;
}
