import type { Clock, Micros } from '../core/clock.js';
import type { Endpoint, Trace } from '../core/trace.js';
import type { Host } from './host.js';
import type { TcpConnection } from './tcp-connection.js';
import type { TcpOptions } from './tcp-rto.js';
import type { TlsRoundTrips } from './tls-records.js';

/**
 * Connection states. 'tls-handshake' = TCP is established but the TLS handshake is not done;
 * 'established' = ready for application data. There is no CLOSE-WAIT: the model's
 * applications close as soon as the peer does, so a received FIN goes straight to LAST-ACK.
 */
export type TcpConnState = 'closed' | 'syn-sent' | 'syn-received' | 'tls-handshake' | 'established' | 'fin-wait' | 'last-ack' | 'time-wait';
export type TcpErrorCause = 'refused' | 'timeout' | 'reset' | 'unreachable';

/**
 * Application callbacks. They run from clock events only (segment arrivals, timers), never
 * inside the call that caused them. A connection ends with exactly one of onError / onClosed
 * (a server connection only once it has been accepted).
 */
export interface TcpHandlers {
  onConnected?(): void;
  onData?(data: Buffer): void;
  onError?(cause: TcpErrorCause): void;
  onClosed?(): void;
}

/** What a TLS connection's segment carries, known to the model but not on the wire. */
export type TlsPiece = { kind: 'flight'; rt: TlsRoundTrips; flight: number } | { kind: 'data' };

/** One segment in flight: header fields as on the wire plus model-only annotations. */
export interface TcpPacket {
  id: number;
  /** The sender's connection number (0 for RSTs a host sends on no connection). */
  conn: number;
  from: Host;
  to: Host | undefined;
  toName: string;
  src: Endpoint;
  dst: Endpoint;
  flags: string;
  seq: number;
  ack: number;
  /** Bytes after the TCP header: TLS records on a TLS connection, else the application data. */
  wire: Buffer;
  /** What the receiving application gets (the plaintext). */
  data: Buffer;
  tls?: TlsPiece;
  /** RST only: why it was sent, for the receiver's trace reason. */
  why?: string;
}

/** A segment a connection asks its network to send. */
export interface OutSegment {
  flags: string;
  seq: number;
  ack: number;
  wire: Buffer;
  data: Buffer;
  label: string;
  /** Trace the payload as base64 (TLS records, binary data) rather than text. */
  binary: boolean;
  tls?: TlsPiece;
}

/** What a connection needs from its TcpNetwork. */
export interface TcpWire {
  readonly clock: Clock;
  readonly trace: Trace;
  readonly options: TcpOptions;
  transmit(conn: TcpConnection, seg: OutSegment): void;
  forget(conn: TcpConnection): void;
}

export interface TcpConnParams {
  id: number;
  role: 'client' | 'server';
  host: Host;
  local: Endpoint;
  remote: Endpoint;
  /** Scenario name of the peer host, or its address when no host has it. */
  peer: string;
  /** Initial send sequence number (wire value). */
  iss: number;
  synRetries: number;
  /** Client: the SYN linear timeouts (Linux ≥ 6.5); the network's when absent. */
  synLinearTimeouts?: number;
  /** Client: the RTO before any RTT sample (RFC 6298 §2.1: 1 s; RFC 1122-era kernels 3 s); the network's when absent. */
  initialRto?: Micros;
  /** Client: give up connecting (TCP + TLS) after this long, whatever synRetries says. */
  connectTimeout?: Micros;
  /** Client: TLS with this many handshake round trips. */
  tlsRt?: TlsRoundTrips;
  /** Client: an ICMP host unreachable while connecting (AMB-21): fail at once (default) or a soft error. */
  synIcmp?: 'immediate' | 'softError';
  /** Server: the listener speaks TLS. */
  listenerTls?: boolean;
  /** Server: the listener's accept callback. */
  onAccept?: (conn: TcpConnection) => void;
}
