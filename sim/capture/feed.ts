import type { Endpoint } from '../core/trace.js';
import { decodeMessage } from '../dns/wire.js';
import { parse } from '../sip/message.js';
import { TcpStreams } from './tcp-stream.js';
import type { TimelineBuilder } from './timeline.js';

/** A packet to or from the phone, its ends named (scenario host names, or addresses). */
export interface NamedPacket {
  t: number;
  from: string;
  to: string;
  proto: 'udp' | 'tcp' | 'icmp';
  src: Endpoint;
  dst: Endpoint;
  payload: Uint8Array;
  tcp?: { syn: boolean; ack: boolean; rst: boolean; seq?: number };
  icmp?: { type: number; code: number };
}

const DNS_PORT = 53;

/**
 * Sorts packets into the builder's instants: DNS by port 53, SIP by parsing (the project's own
 * parser), TCP streams reassembled first. What is neither (RTP, TLS records, other traffic
 * of the phone) only widens the timeline's span.
 */
export class PhoneFeed {
  private readonly streams = new TcpStreams();

  constructor(private readonly builder: TimelineBuilder) {}

  packet(p: NamedPacket): void {
    const b = this.builder;
    b.seen(p.t);
    if (p.proto === 'icmp') {
      b.icmp(p.t, p.from, p.to, p.icmp?.type ?? 3, p.icmp?.code ?? 3);
      return;
    }
    const payload = Buffer.from(p.payload.buffer, p.payload.byteOffset, p.payload.byteLength);
    if (p.proto === 'udp') {
      if (p.src.port === DNS_PORT || p.dst.port === DNS_PORT) {
        const m = decodeMessage(payload);
        if (m) b.dns(p.t, p.from, p.to, m);
        return;
      }
      const msg = parse(payload.toString('utf8'));
      if (msg) b.sip(p.t, p.from, p.to, msg);
      return;
    }
    const flow = `${p.src.ip}:${p.src.port}>${p.dst.ip}:${p.dst.port}`;
    if (p.tcp) {
      b.tcp(p.t, p.from, p.to, p.tcp);
      if (p.tcp.syn && p.tcp.seq !== undefined) this.streams.syn(flow, p.tcp.seq);
    }
    if (p.src.port === DNS_PORT || p.dst.port === DNS_PORT) return; // DNS over TCP: not read
    // A message is stamped with the segment that completes it: when the receiver can act on it.
    for (const text of this.streams.push(flow, payload, p.tcp?.seq)) {
      const msg = parse(text);
      if (msg) b.sip(p.t, p.from, p.to, msg);
    }
  }
}
