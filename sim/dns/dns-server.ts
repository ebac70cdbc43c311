/**
 * A simulated authoritative DNS server on a network host, UDP port 53 (RFC 1035 §4.2.1).
 * It is a host like any other, so a scenario can silence it, close its port (ICMP back to the
 * resolver), lose its packets or partition it. It answers the moment a query arrives: the link
 * already models the network delay, and a real server's processing time is noise beside it.
 */
import type { IcmpQuote } from '../core/trace.js';
import type { Datagram, Host, UdpSocket } from '../net/host.js';
import type { Network } from '../net/network.js';
import { decodeShared, encodeResponse, messageId } from './wire.js';
import type { Zone, ZoneAnswer } from './zone.js';

export const DNS_PORT = 53;

export class DnsServer implements UdpSocket {
  /** Queries answered, for tests and summaries. */
  answered = 0;

  /** Encoded answers (id 0) of the current zone by question: a fleet asks the same few questions. */
  private answers = new Map<string, { wire: Buffer; label: string }>();
  private _zone: Zone;

  constructor(
    private readonly network: Network,
    readonly host: Host,
    zone: Zone,
    readonly port = DNS_PORT,
  ) {
    this._zone = zone;
    host.bind(port, this);
  }

  get zone(): Zone {
    return this._zone;
  }

  /** Replaceable: a scenario may change the records mid-run (the memo of answers goes with the old zone). */
  set zone(z: Zone) {
    this._zone = z;
    this.answers = new Map();
  }

  onDatagram(d: Datagram): void {
    const query = decodeShared(d.payload);
    // Responses and garbage sent to a server are dropped silently, as BIND does with junk.
    // A query without a question cannot be answered usefully either (RFC 1035 §4.1.2).
    if (!query || query.response || !query.question) return;
    const { name, type } = query.question;
    const key = `${query.rd ? 1 : 0} ${type} ${name}`;
    let memo = this.answers.get(key);
    if (!memo) {
      const answer = this._zone.answer(name, type);
      memo = { wire: encodeResponse({ ...query, id: 0 }, answer), label: answerLabel(type, name, answer) };
      if (this.answers.size < 4096) this.answers.set(key, memo);
    }
    this.answered++;
    const wire = Buffer.allocUnsafe(memo.wire.length);
    memo.wire.copy(wire);
    wire.writeUInt16BE(messageId(d.payload), 0);
    this.network.sendUdp(this.host, this.port, d.src, wire, memo.label, true);
  }

  /** The server sends only responses; an ICMP error for one (the client went away) needs no action. */
  onIcmpError(_q: IcmpQuote): void {}
}

/** Ladder label: `DNS answer SRV _sip._udp.pbx.example.com (2)`, or the rcode when negative. */
export function answerLabel(type: string, name: string, a: ZoneAnswer): string {
  const what = a.rcode !== 'NOERROR' ? a.rcode : a.answers.length > 0 ? String(a.answers.length) : 'NODATA';
  return `DNS answer ${type} ${name} (${what})`;
}

export function queryLabel(type: string, name: string): string {
  return `DNS query ${type} ${name}`;
}
