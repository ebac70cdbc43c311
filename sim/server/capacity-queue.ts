import type { Clock, EventHandle, Micros } from '../core/clock.js';
import type { Trace } from '../core/trace.js';
import type { SipRequest } from '../sip/message.js';
import type { RequestAdmission, SipTarget } from '../sip/sip-endpoint.js';

/**
 * A server's processing capacity (shared/DESIGN.md "Fleets, capacity and load"; RFC 6357 §3).
 * The rate is kept as `count` requests per `period` µs (800/s = 800 per 10⁶ µs, 0.5/s = 5 per
 * 10⁷ µs) so that every service instant is an exact integer: no float time drifting over a
 * busy hour.
 */
export interface ServerCapacity {
  count: number;
  period: Micros;
  /** Requests that may wait behind the one in service; absent = no limit (nothing is ever shed). */
  queue?: number;
  /** What happens to a request arriving at a full queue: a 503 at once, or nothing at all. */
  overload: '503' | 'drop';
  /** Retry-After sent with the overload 503 (whole seconds on the wire). */
  retryAfter?: Micros;
}

/** What the queue does with the requests it lets through, or turns away with a 503. */
export interface CapacityUser {
  /** A request whose service time has passed: it now reaches the transaction layer. */
  serve(req: SipRequest, source: SipTarget): void;
  /** Answers a shed request with 503 (+ Retry-After), statelessly: this model charges nothing for it. */
  reject(req: SipRequest, source: SipTarget, retryAfter: Micros | undefined): void;
  /** The sender's host name (its address when no host has it), for the trace. */
  nameOf(source: SipTarget): string;
}

/**
 * A FIFO single server with deterministic service time period/count (M/D/1/K when arrivals are
 * random). Every request that reaches the SIP port joins it — retransmissions too, since they
 * cost a real server the same parsing and matching, and ACKs, which are requests (RFC 3261
 * §17.1.1.3). Memory and time are O(1) per request: a ring buffer that doubles when full, and
 * one pending clock event (the head's service completion), never one per waiting request.
 */
export class CapacityQueue implements RequestAdmission {
  private reqs: (SipRequest | undefined)[] = new Array(16);
  private srcs: (SipTarget | undefined)[] = new Array(16);
  private head = 0;
  /** Requests in the system: the one in service (at `head`) plus those waiting. */
  private size = 0;
  /** Start of the current run of back-to-back services, and how many finished since (kept < count). */
  private busyStart: Micros = 0;
  private served = 0;
  private completion: EventHandle = 0;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly host: string,
    private readonly capacity: ServerCapacity,
    private readonly user: CapacityUser,
  ) {}

  /** Requests waiting behind the one in service. */
  get waiting(): number {
    return Math.max(0, this.size - 1);
  }

  arrive(req: SipRequest, source: SipTarget): void {
    const c = this.capacity;
    if (this.size > 0 && c.queue !== undefined && this.size - 1 >= c.queue) {
      // Nothing answers an ACK (RFC 3261 §17.1.1.3): shed, it is always dropped.
      const overload = req.method === 'ACK' ? 'drop' : c.overload;
      this.trace.emit({ kind: 'server.load', host: this.host, from: this.user.nameOf(source), method: req.method, queue: this.size - 1, action: 'shed', overload });
      if (overload === '503') this.user.reject(req, source, c.retryAfter);
      return;
    }
    this.push(req, source);
    if (this.size === 1) {
      // An idle server starts serving at once: a new busy period begins now.
      this.busyStart = this.clock.now;
      this.served = 0;
      this.scheduleCompletion();
    }
    this.trace.emit({ kind: 'server.load', host: this.host, from: this.user.nameOf(source), method: req.method, queue: this.size - 1, action: 'queued' });
  }

  /**
   * A crash (or the SIP process going away) loses every request in the system. Traced only when
   * something was lost, with the count, so that a server without load leaves no record.
   */
  clear(reason: string): void {
    if (this.size === 0) return;
    const lost = this.size;
    this.clock.cancel(this.completion);
    this.completion = 0;
    this.reqs = new Array(16);
    this.srcs = new Array(16);
    this.head = 0;
    this.size = 0;
    this.trace.emit({ kind: 'server.queue-lost', host: this.host, lost, reason });
  }

  private readonly complete = (): void => {
    const mask = this.reqs.length - 1;
    const req = this.reqs[this.head]!;
    const src = this.srcs[this.head]!;
    this.reqs[this.head] = undefined;
    this.srcs[this.head] = undefined;
    this.head = (this.head + 1) & mask;
    this.size--;
    this.completion = 0;
    // count services take exactly one period: rebase so k·period stays small and exact.
    if (++this.served === this.capacity.count) {
      this.busyStart += this.capacity.period;
      this.served = 0;
    }
    if (this.size > 0) this.scheduleCompletion();
    this.user.serve(req, src);
  };

  /** The head's service ends at busyStart + ⌈(served + 1)·period / count⌉, in integer arithmetic. */
  private scheduleCompletion(): void {
    const { count, period } = this.capacity;
    const kp = (this.served + 1) * period;
    const rest = kp % count;
    const offset = (kp - rest) / count + (rest > 0 ? 1 : 0);
    this.completion = this.clock.at(this.busyStart + offset, this.complete, undefined, this.host);
  }

  private push(req: SipRequest, source: SipTarget): void {
    if (this.size === this.reqs.length) this.grow();
    const i = (this.head + this.size) & (this.reqs.length - 1);
    this.reqs[i] = req;
    this.srcs[i] = source;
    this.size++;
  }

  /** Doubles the ring (a power of two, so wrapping is a mask), unrolling it from `head`. */
  private grow(): void {
    const n = this.reqs.length;
    const reqs: (SipRequest | undefined)[] = new Array(n * 2);
    const srcs: (SipTarget | undefined)[] = new Array(n * 2);
    for (let k = 0; k < n; k++) {
      reqs[k] = this.reqs[(this.head + k) & (n - 1)];
      srcs[k] = this.srcs[(this.head + k) & (n - 1)];
    }
    this.reqs = reqs;
    this.srcs = srcs;
    this.head = 0;
  }
}
