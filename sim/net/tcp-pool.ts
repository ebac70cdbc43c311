import { noEntries, withEntry } from '../core/sparse-map.js';
import type { Endpoint } from '../core/trace.js';
import type { Host } from './host.js';
import type { TcpConnection, TcpHandlers } from './tcp-connection.js';
import type { ConnectOptions, TcpNetwork } from './tcp-network.js';

/**
 * Connection reuse (RFC 3261 §18.1.1, RFC 5923): one open connection per (local host,
 * destination, TLS or not). Later requests get the connection that is already established —
 * or still connecting, in which case their data waits in it and goes out when it is ready.
 *
 * One pool belongs to one transport layer: every connection it makes gets its handlers from
 * `handlersFor`, so whoever reuses a connection shares that one set of callbacks (a SIP
 * transport dispatches on message content, not on who opened the connection).
 */
export class TcpPool {
  private byDestination = noEntries<string, TcpConnection>();

  constructor(
    private readonly tcp: TcpNetwork,
    private readonly handlersFor: (conn: TcpConnection) => TcpHandlers,
    private readonly defaults: ConnectOptions = {},
  ) {}

  /**
   * The open connection from `from` to `dst`, made now (with the pool's defaults and
   * `overrides`) if there is none or the last one closed or failed.
   */
  getConnection(from: Host | string, dst: Endpoint, overrides: ConnectOptions = {}): TcpConnection {
    const options = { ...this.defaults, ...overrides };
    const fromName = typeof from === 'string' ? from : from.name;
    const k = poolKey(fromName, dst, options.tls === true);
    const existing = this.byDestination.get(k);
    if (existing?.isOpen) return existing;
    const conn = this.tcp.connect(from, dst, options);
    conn.setHandlers(this.handlersFor(conn));
    this.byDestination = withEntry(this.byDestination, k, conn);
    return conn;
  }

  /** The connection held for `dst`, if any, without making one. */
  peek(from: Host | string, dst: Endpoint, tls: boolean): TcpConnection | undefined {
    return this.byDestination.get(poolKey(typeof from === 'string' ? from : from.name, dst, tls));
  }

  /**
   * Registers a connection a listener accepted, so requests towards that peer's address and
   * port reuse it (a server sending a request back over the phone's registration connection).
   * An open connection already known for that destination is kept.
   */
  adopt(conn: TcpConnection): void {
    const k = poolKey(conn.host.name, conn.remote, conn.tls);
    if (this.byDestination.get(k)?.isOpen) return;
    this.byDestination = withEntry(this.byDestination, k, conn);
  }

  /** Open connections held (closed ones are dropped lazily, when next asked for). */
  get size(): number {
    let n = 0;
    for (const c of this.byDestination.values()) if (c.isOpen) n++;
    return n;
  }
}

function poolKey(from: string, dst: Endpoint, tls: boolean): string {
  return `${from}>${dst.ip}:${dst.port}${tls ? '/tls' : ''}`;
}
