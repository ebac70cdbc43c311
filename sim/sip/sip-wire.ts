import type { LazyPayload } from '../net/lazy-payload.js';
import { SipMessage, serialize } from './message.js';

/**
 * A SIP message on its way over UDP: its text is built only when read (by the pcap, JSONL or
 * ladder sinks, or an ICMP quote). A receiving SipEndpoint takes `message` instead of parsing
 * the text. That is exact because parse(serialize(m)) reads back m's start line, headers (plus
 * the Content-Length that serialize writes, which no receiver reads) and body, and because
 * messages are never changed once sent (a retransmission sends the same object again).
 */
export class SipWire implements LazyPayload {
  #bytes: Buffer | undefined;

  constructor(readonly message: SipMessage) {}

  get bytes(): Buffer {
    return (this.#bytes ??= Buffer.from(serialize(this.message), 'utf8'));
  }

  get decoded(): SipWire {
    return this;
  }
}
