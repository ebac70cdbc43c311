import type { Endpoint, IcmpQuote } from '../core/trace.js';

/**
 * up: normal. silent: drops everything and answers nothing (powered off behind a router, or a
 * firewall DROP). unreachable: host up but its service ports closed — UDP to a closed port gets
 * ICMP port-unreachable back.
 */
export type HostMode = 'up' | 'silent' | 'unreachable';

export interface Datagram {
  id: number;
  src: Endpoint;
  dst: Endpoint;
  payload: Buffer;
}

export interface UdpSocket {
  onDatagram(d: Datagram): void;
  /** An ICMP error quoting a datagram this socket sent. */
  onIcmpError(q: IcmpQuote): void;
}

export class Host {
  mode: HostMode = 'up';
  private readonly sockets = new Map<number, UdpSocket>();

  constructor(
    readonly name: string,
    readonly ip: string,
  ) {}

  bind(port: number, socket: UdpSocket): void {
    if (this.sockets.has(port)) throw new Error(`Cannot bind ${this.name}:${port}: port in use`);
    this.sockets.set(port, socket);
  }

  /** The socket that would receive on `port`; none when the port is closed or the host unreachable. */
  listener(port: number): UdpSocket | undefined {
    return this.mode === 'unreachable' ? undefined : this.sockets.get(port);
  }

  /** Where ICMP errors for datagrams sent from `port` go (a closed service still gets its errors). */
  socket(port: number): UdpSocket | undefined {
    return this.sockets.get(port);
  }
}
