import type { Clock, EventHandle, Micros } from '../core/clock.js';
import type { RtoEstimator, TcpOptions } from './tcp-rto.js';
import type { TcpConnParams, TlsPiece } from './tcp-types.js';

/** A segment we sent that still occupies sequence space until acknowledged. */
export interface Outstanding {
  /** Relative sequence number of its first octet (the SYN is 0). */
  rel: number;
  /** Sequence space: payload bytes, +1 for SYN or FIN. */
  len: number;
  flags: string;
  wire: Buffer;
  data: Buffer;
  label: string;
  binary: boolean;
  tls?: TlsPiece;
}

/** What the queue needs of its connection: the wire, and what to do when retries run out. */
export interface SendQueueOwner {
  /** Puts a segment on the wire, the first time or `again`. */
  put(o: Outstanding, again: boolean): void;
  /** The head segment (`flags`) was sent `limit` times more without an acknowledgement. */
  giveUp(flags: string, limit: number): void;
}

/**
 * The sending half of a TcpConnection (RFC 6298 §5): the sequence space in flight, one
 * retransmission timer, Karn's rule for RTT samples and, after a timeout, the next hole resent
 * at once on each partial ACK below the sequence number sent by then. The connection owns the
 * state machine; this owns what was sent and is not yet acknowledged.
 */
export class SendQueue {
  /** Relative: next new octet to send / oldest unacknowledged. */
  sndNxt = 0;
  private sndUna = 0;
  private readonly outstanding: Outstanding[] = [];
  /** Karn/RFC 6298: the one segment being timed, forgotten on any retransmission. */
  private timed: { end: number; sentAt: Micros } | undefined;
  /** After a timeout, sndNxt then: partial ACKs below it resend the next hole at once. */
  private recover: number | undefined;
  private retries = 0;
  /** A SYN or SYN-ACK was sent again: RFC 6298 §5.7's fallback applies once the connection is up. */
  synRetransmitted = false;
  private rtxTimer: EventHandle = 0;

  constructor(
    private readonly clock: Clock,
    private readonly rto: RtoEstimator,
    private readonly owner: SendQueueOwner,
    /** Scenario name of the host, owner of the timer events. */
    private readonly host: string,
    private readonly p: Pick<TcpConnParams, 'synRetries' | 'synLinearTimeouts'>,
    private readonly options: TcpOptions,
  ) {}

  /** Sends a new segment of `len` octets of sequence space; the first in flight arms the timer (§5.1). */
  queue(seg: Omit<Outstanding, 'rel'>): void {
    const o: Outstanding = { rel: this.sndNxt, ...seg };
    this.sndNxt += o.len;
    this.outstanding.push(o);
    if (!this.timed) this.timed = { end: this.sndNxt, sentAt: this.clock.now };
    this.owner.put(o, false);
    if (!this.clock.isPending(this.rtxTimer)) this.armRtx();
  }

  /** The peer asked again (a retransmitted SYN): resend the head now, and take no RTT sample from it (Karn). */
  resendHead(): void {
    this.timed = undefined;
    const head = this.outstanding[0];
    if (head) this.owner.put(head, true);
  }

  /** An ACK up to relative `a`. False when it acknowledges nothing new (old, duplicate, or never sent). */
  acknowledge(a: number): boolean {
    if (a <= this.sndUna || a > this.sndNxt) return false;
    if (this.timed && a >= this.timed.end) {
      this.rto.sample(this.clock.now - this.timed.sentAt);
      this.timed = undefined;
    }
    while (this.outstanding.length > 0 && this.outstanding[0]!.rel + this.outstanding[0]!.len <= a) this.outstanding.shift();
    this.sndUna = a;
    this.retries = 0;
    if (this.outstanding.length === 0) {
      this.clock.cancel(this.rtxTimer); // §5.2
      this.recover = undefined;
    } else {
      if (this.recover !== undefined && a < this.recover) this.owner.put(this.outstanding[0]!, true);
      else this.recover = undefined;
      this.armRtx(); // §5.3
    }
    return true;
  }

  /** The connection closed: nothing is in flight any more, the timer is off. */
  clear(): void {
    this.clock.cancel(this.rtxTimer);
    this.outstanding.length = 0;
  }

  private readonly onRtxTimer = (): void => {
    const head = this.outstanding[0];
    if (!head) return;
    const syn = head.flags === 'S' || head.flags === 'S.';
    const linear = this.p.synLinearTimeouts ?? this.options.synLinearTimeouts;
    const limit = head.flags === 'S' ? this.p.synRetries + linear : head.flags === 'S.' ? this.options.synAckRetries : this.options.dataRetries;
    if (this.retries >= limit) return this.owner.giveUp(head.flags, limit);
    this.retries++;
    this.timed = undefined; // Karn: no sample from a retransmitted segment
    this.recover = this.sndNxt;
    if (syn) this.synRetransmitted = true;
    this.owner.put(head, true); // §5.4
    // §5.5, except Linux's linear SYN timeouts: its tcp_retransmit_timer keeps the RTO while total_rto <= N.
    if (head.flags !== 'S' || this.retries > linear) this.rto.backOff();
    this.armRtx(); // §5.6
  };

  private armRtx(): void {
    this.clock.cancel(this.rtxTimer);
    this.rtxTimer = this.clock.schedule(this.rto.rto, this.onRtxTimer, undefined, this.host);
  }
}
