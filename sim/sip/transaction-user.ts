import type { Clock } from '../core/clock.js';
import type { Endpoint, Trace, TransactionKind } from '../core/trace.js';
import type { SipMessage, SipRequest, SipResponse } from './message.js';
import type { TimerValues } from './timers.js';

/** Callbacks a client transaction makes to its user (names as in SIP.js). */
export interface ClientTransactionUser {
  /** Every response that passes the transaction (provisional, final, 2xx retransmissions). */
  receiveResponse(response: SipResponse): void;
  /** Timer B/F fired, or the phone's retry bound was reached, with no final response. */
  onRequestTimeout(timer: 'B' | 'F' | 'retry-counts'): void;
  /** ICMP error or connection failure: ends the transaction at once (RFC 3261 §8.1.3.1). */
  onTransportError(cause: string): void;
}

/**
 * What a UDP ICMP port-unreachable does to the client transactions towards that peer (fact sheet
 * AMB-22): 'failServerNow' — a fatal transport error, the transaction ends at once (RFC 3261
 * §8.1.3.1, §18.4); 'countAsOneRetry' — counted as one retry against the address's retry bound;
 * 'ignore' — nothing (Timer A/E, B/F and the retry bound decide, as if the server were silent).
 */
export type IcmpHandling = 'failServerNow' | 'countAsOneRetry' | 'ignore';

/** A user that ignores every outcome: for requests whose result changes nothing (BYE at hang-up). */
export const NO_OUTCOME: ClientTransactionUser = { receiveResponse() {}, onRequestTimeout() {}, onTransportError() {} };

/** Callbacks a server transaction makes to its user. */
export interface ServerTransactionUser {
  /** An INVITE transaction completed without the ACK arriving (Timer H). */
  onAckTimeout?(): void;
}

/**
 * How a client transaction may be cut short before Timer B/F on a server that is not the last
 * one in the failover list (reference A1): after `count` retransmissions, give up either when
 * the next retransmission would be due ('next-interval') or right after the last send ('at-once').
 */
export interface RetransmitLimit {
  count: number;
  giveUp: 'next-interval' | 'at-once';
}

/** What a transaction needs from its host: time, trace, a way to send, and its timer values. */
export interface TransactionContext {
  clock: Clock;
  trace: Trace;
  /** Host name, for trace attribution. */
  host: string;
  timers: TimerValues;
  send(msg: SipMessage, dst: Endpoint): void;
  /** Name of a remote endpoint for trace records (scenario host name or ip). */
  nameOf(dst: Endpoint): string;
  /** The transport forgets a terminated transaction; `key` is its `transactionKey`. */
  onTerminated(kind: TransactionKind, key: string): void;
  /**
   * AMB-21 (tcpConnectFailure other than sipTimer): the request to `dst` waits on a connection
   * still being set up, and the transaction's timeout (Timer B/F) starts once it is up — true when
   * `arm` will be called then (a failed connect ends the transaction with a transport error instead).
   */
  armAfterConnect?(dst: Endpoint, arm: () => void): boolean;
}

export interface ClientTransaction {
  readonly request: SipRequest;
  /** The transport's key for it (transactionKey of its branch and method). */
  readonly key: string;
  /** Sends the request and arms the timers. */
  start(): void;
  readonly dst: Endpoint;
  readonly terminated: boolean;
  receiveResponse(response: SipResponse): void;
  onTransportError(cause: string): void;
  /**
   * A transport error read as one failed try rather than the end of the transaction (model
   * option icmpHandling = countAsOneRetry): counted against the retry bound, which may then end it.
   */
  onSoftError(cause: string): void;
  /** Retries this transaction has used so far: its retransmissions and any ICMP errors counted as one (AMB-01 retryCountScope). */
  readonly retriesUsed: number;
}

/**
 * The transport's key for a transaction: its branch and method (RFC 3261 §17.1.3, §17.2.3 — a
 * CANCEL shares its INVITE's branch). Each transaction builds it once and keeps it, so the
 * transport files and forgets it under the same string: a string caches its hash, and a key
 * rebuilt at the end had to be flattened and hashed again (1.5 % of a fleet run's CPU).
 */
export function transactionKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}
