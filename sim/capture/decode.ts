import type { Endpoint } from '../core/trace.js';
import { InputError } from '../core/input-error.js';
import type { Frame } from './container.js';

/** An IPv4 packet the timeline cares about: UDP or TCP with its payload, or an ICMP error. */
export interface WirePacket {
  t: number;
  proto: 'udp' | 'tcp' | 'icmp';
  src: Endpoint;
  dst: Endpoint;
  payload: Buffer;
  /** TCP only. */
  tcp?: { syn: boolean; ack: boolean; rst: boolean; fin: boolean; seq: number };
  /** ICMP only. */
  icmp?: { type: number; code: number };
}

const ETHERTYPE_IPV4 = 0x0800;
const VLAN_TAGS = new Set([0x8100, 0x88a8]);

/** Link types read (https://www.tcpdump.org/linktypes.html). */
export const LINK_TYPES: Record<number, string> = { 1: 'Ethernet', 101: 'raw IP', 113: 'Linux cooked (SLL)', 228: 'raw IPv4', 276: 'Linux cooked v2 (SLL2)' };

/** The IPv4 bytes of a frame, or undefined when it carries something else (ARP, IPv6…). */
function ipv4Of(f: Frame, file: string): Buffer | undefined {
  const d = f.data;
  switch (f.linkType) {
    case 1: {
      let o = 12;
      while (o + 2 <= d.length && VLAN_TAGS.has(d.readUInt16BE(o))) o += 4; // 802.1Q / QinQ tags
      return o + 2 <= d.length && d.readUInt16BE(o) === ETHERTYPE_IPV4 ? d.subarray(o + 2) : undefined;
    }
    case 113: // SLL: 16-byte header, protocol type in its last two bytes
      return d.length >= 16 && d.readUInt16BE(14) === ETHERTYPE_IPV4 ? d.subarray(16) : undefined;
    case 276: // SLL2: 20-byte header, protocol type first
      return d.length >= 20 && d.readUInt16BE(0) === ETHERTYPE_IPV4 ? d.subarray(20) : undefined;
    case 101: // raw IP: v4 or v6 by the version nibble
    case 228:
      return d.length > 0 && d[0]! >> 4 === 4 ? d : undefined;
    default: {
      const known = Object.entries(LINK_TYPES).map(([n, name]) => `${n} ${name}`).join(', ');
      throw new InputError(file, undefined, undefined, `link type ${f.linkType} is not read (known: ${known}); convert it, e.g. editcap -T ether`);
    }
  }
}

const ip = (b: Buffer, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/**
 * Decodes a frame down to UDP/TCP/ICMP. Frames cut short by the snap length and other
 * protocols are skipped (undefined): a capture is allowed to hold traffic the comparison does
 * not read. IPv4 fragments (a SIP INVITE with a large SDP over UDP) are put back together
 * first, which needs state across frames: pass the same Fragments to every call.
 */
export function decodeFrame(f: Frame, file: string, fragments: Fragments = new Fragments()): WirePacket | undefined {
  const raw = ipv4Of(f, file);
  if (!raw || raw.length < 20) return undefined;
  const p = fragments.add(raw);
  if (!p) return undefined;
  const ihl = (p[0]! & 0x0f) * 4;
  const total = Math.min(p.readUInt16BE(2), p.length);
  const protocol = p[9]!;
  const src = ip(p, 12);
  const dst = ip(p, 16);
  const l4 = p.subarray(ihl, total);
  if (protocol === 17 && l4.length >= 8) {
    const len = Math.min(l4.readUInt16BE(4), l4.length);
    return { t: f.t, proto: 'udp', src: { ip: src, port: l4.readUInt16BE(0) }, dst: { ip: dst, port: l4.readUInt16BE(2) }, payload: l4.subarray(8, len) };
  }
  if (protocol === 6 && l4.length >= 20) {
    const off = (l4[12]! >> 4) * 4;
    const flags = l4[13]!;
    return {
      t: f.t, proto: 'tcp',
      src: { ip: src, port: l4.readUInt16BE(0) }, dst: { ip: dst, port: l4.readUInt16BE(2) },
      payload: l4.subarray(Math.min(off, l4.length)),
      tcp: { fin: (flags & 1) !== 0, syn: (flags & 2) !== 0, rst: (flags & 4) !== 0, ack: (flags & 16) !== 0, seq: l4.readUInt32BE(4) },
    };
  }
  if (protocol === 1 && l4.length >= 8) {
    // Port numbers of an ICMP error come from the quoted datagram (RFC 792): who it answers.
    const quoted = l4.subarray(8);
    const qihl = quoted.length > 0 ? (quoted[0]! & 0x0f) * 4 : 0;
    const qPorts = quoted.length >= qihl + 4 ? { sport: quoted.readUInt16BE(qihl), dport: quoted.readUInt16BE(qihl + 2) } : { sport: 0, dport: 0 };
    return { t: f.t, proto: 'icmp', src: { ip: src, port: qPorts.dport }, dst: { ip: dst, port: qPorts.sport }, payload: Buffer.alloc(0), icmp: { type: l4[0]!, code: l4[1]! } };
  }
  return undefined;
}

/**
 * IPv4 reassembly (RFC 791 §3.2): fragments are keyed by source, destination, protocol and
 * identification; a datagram is whole when the last fragment (MF clear) has arrived and the
 * offsets leave no gap. Returns the packet itself when it is not a fragment.
 */
export class Fragments {
  private readonly pending = new Map<string, { parts: Map<number, Buffer>; header: Buffer; end?: number }>();

  add(p: Buffer): Buffer | undefined {
    const flags = p.readUInt16BE(6);
    const more = (flags & 0x2000) !== 0;
    const offset = (flags & 0x1fff) * 8;
    if (!more && offset === 0) return p;
    const ihl = (p[0]! & 0x0f) * 4;
    const key = `${ip(p, 12)}>${ip(p, 16)}/${p[9]}/${p.readUInt16BE(4)}`;
    let d = this.pending.get(key);
    if (!d) this.pending.set(key, (d = { parts: new Map(), header: Buffer.from(p.subarray(0, ihl)) }));
    const data = p.subarray(ihl, Math.min(p.readUInt16BE(2), p.length));
    d.parts.set(offset, data);
    if (offset === 0) d.header = Buffer.from(p.subarray(0, ihl));
    if (!more) d.end = offset + data.length;
    if (d.end === undefined) return undefined;
    let have = 0;
    for (const o of [...d.parts.keys()].sort((a, b) => a - b)) {
      if (o > have) return undefined; // a gap: wait for the missing fragment
      have = Math.max(have, o + d.parts.get(o)!.length);
    }
    if (have < d.end) return undefined;
    this.pending.delete(key);
    const body = Buffer.alloc(d.end);
    for (const [o, part] of d.parts) part.copy(body, o);
    const whole = Buffer.concat([d.header, body]);
    whole.writeUInt16BE(whole.length, 2);
    whole.writeUInt16BE(0, 6); // no longer a fragment
    return whole;
  }
}
