import type { Endpoint, NetSend } from '../core/trace.js';
import type { Datagram } from './host.js';

/**
 * A datagram's payload as its sender holds it: the decoded form (a SIP message) and the bytes,
 * built on first read. A fleet run with only metrics on never reads a SIP packet's bytes, so it
 * never builds its text, and the receiver takes the decoded form instead of parsing text the
 * sender built from that very form (serialize + parse were ~10 % of a 10⁴-phone run). The
 * decoded form must be what parsing the bytes would give, and nobody may mutate it.
 */
export interface LazyPayload {
  readonly bytes: Buffer;
  readonly decoded: unknown;
}

/** A net.send record of a lazy payload: its `bytes` are built when a sink reads them (pcap, JSONL, ladder). */
export class LazySendRecord implements Omit<NetSend, 't'> {
  readonly kind = 'net.send' as const;
  readonly proto = 'udp' as const;
  readonly #payload: LazyPayload;

  constructor(
    readonly id: number,
    readonly from: string,
    readonly to: string,
    readonly src: Endpoint,
    readonly dst: Endpoint,
    payload: LazyPayload,
    readonly label: string,
  ) {
    this.#payload = payload;
  }

  get bytes(): Buffer {
    return this.#payload.bytes;
  }
}

/** A delivered datagram of a lazy payload: the receiver reads `decoded`, or `payload` (built then) if it wants bytes. */
export class LazyDatagram implements Datagram {
  readonly #payload: LazyPayload;

  constructor(
    readonly id: number,
    readonly src: Endpoint,
    readonly dst: Endpoint,
    payload: LazyPayload,
  ) {
    this.#payload = payload;
  }

  get payload(): Buffer {
    return this.#payload.bytes;
  }

  get decoded(): unknown {
    return this.#payload.decoded;
  }
}

/**
 * Whether a sent packet carries no payload (a TCP control segment): read without building a
 * lazy payload's bytes — a lazy payload is a whole message (a SIP request or response), never
 * empty. Expectations on `sends` ask this of every matching packet.
 */
export function sentNothing(r: Pick<NetSend, 'bytes'>): boolean {
  return !(r instanceof LazySendRecord) && r.bytes.length === 0;
}

export function isLazy(p: Buffer | LazyPayload): p is LazyPayload {
  return !Buffer.isBuffer(p);
}
