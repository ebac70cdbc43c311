import type { Endpoint, IcmpQuote } from '../core/trace.js';

/**
 * up: normal. silent: drops everything and answers nothing (powered off behind a router, or a
 * firewall DROP). unreachable: host up but its service ports closed — UDP to a closed port gets
 * ICMP port-unreachable back. host-unreachable: down as with silent, but the last-hop router
 * answers every packet for it (UDP and TCP) with ICMP host unreachable (type 3 code 1).
 */
export type HostMode = 'up' | 'silent' | 'unreachable' | 'host-unreachable';

/** Whether a host in this mode sends and receives nothing (powered off, or gone from its network). */
export function isDown(mode: HostMode): boolean {
  return mode === 'silent' || mode === 'host-unreachable';
}

export interface Datagram {
  readonly id: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly payload: Buffer;
  /** What the sender says the payload decodes to (a SIP message), so the receiver need not parse it; see LazyPayload. */
  readonly decoded?: unknown;
}

export interface UdpSocket {
  onDatagram(d: Datagram): void;
  /** An ICMP error quoting a datagram this socket sent. */
  onIcmpError(q: IcmpQuote): void;
}

/**
 * An endpoint that knows its host, so that a send to it (a server answering a phone, DNS
 * answering a resolver) needs no look-up of the address among every host: in a 100,000-phone
 * fleet that Map look-up was two thirds of a send, its cost being cache misses. The host is a
 * private field: it is not in the JSONL (JSON.stringify), not in deep equality, and not copied by
 * a spread, so `{ ...e, ip: other }` can never carry a host that is not its address's.
 */
export class HostEndpoint implements Endpoint {
  readonly #host: Host | undefined;

  constructor(
    host: Host | undefined,
    readonly ip: string,
    readonly port: number,
  ) {
    this.#host = host;
  }

  /** The host of an endpoint a Host handed out (or a copy made with the host); undefined for any other. */
  static hostOf(e: Endpoint): Host | undefined {
    return #host in e ? (e as HostEndpoint).#host : undefined;
  }
}

export type HostModeListener = (host: Host, from: HostMode, to: HostMode) => void;

export class Host {
  private _mode: HostMode = 'up';
  private readonly sockets = new Map<number, UdpSocket>();
  private readonly modeListeners: HostModeListener[] = [];
  // The last two (ip, port) endpoints handed out: a phone sends from 5060 and its resolver's port,
  // so a packet's src/dst need no fresh object (records share them; nobody changes an Endpoint).
  private end1: Endpoint | undefined;
  private end2: Endpoint | undefined;

  constructor(
    readonly name: string,
    readonly ip: string,
  ) {}

  get mode(): HostMode {
    return this._mode;
  }

  /** Changing the mode tells listeners (TCP drops a crashed host's connections); they must only schedule. */
  set mode(next: HostMode) {
    const prev = this._mode;
    this._mode = next;
    if (prev !== next) for (const f of this.modeListeners) f(this, prev, next);
  }

  onModeChange(listener: HostModeListener): void {
    if (!this.modeListeners.includes(listener)) this.modeListeners.push(listener);
  }

  bind(port: number, socket: UdpSocket): void {
    if (this.sockets.has(port)) throw new Error(`Cannot bind ${this.name}:${port}: port in use`);
    this.sockets.set(port, socket);
  }

  /** The socket that would receive on `port`; none when the port is closed or the host unreachable. */
  listener(port: number): UdpSocket | undefined {
    return this.mode === 'unreachable' ? undefined : this.sockets.get(port);
  }

  /** This host's endpoint on `port`, shared: callers must not change it. */
  endpoint(port: number): Endpoint {
    const e1 = this.end1;
    if (e1 !== undefined && e1.port === port) return e1;
    const e2 = this.end2;
    if (e2 !== undefined && e2.port === port) return e2;
    const e = new HostEndpoint(this, this.ip, port);
    this.end2 = e1;
    this.end1 = e;
    return e;
  }

  /** Where ICMP errors for datagrams sent from `port` go (a closed service still gets its errors). */
  socket(port: number): UdpSocket | undefined {
    return this.sockets.get(port);
  }
}
