import type { Endpoint, NetSend, TraceEvent, TraceKind, TraceSink } from '../sim/core/trace.js';
import { ByteWriter, CHUNK, memoryWriter } from './byte-sink.js';

/** 2026-01-01T00:00:00Z in µs: a fixed epoch so the same run always yields the same bytes. */
export const DEFAULT_PCAP_EPOCH_US = 1_767_225_600 * 1_000_000;

const LINKTYPE_RAW = 101; // packets start at the IPv4 header: no fake Ethernet MACs needed
const SNAPLEN = 65535;
const IP_HEADER = 20;
const UDP_HEADER = 8;
const TCP_HEADER = 20;
/** Receive window advertised in every TCP segment (no window scaling: a message-level model has no flow control). */
const TCP_WINDOW = 65535;

/**
 * A classic libpcap file (little-endian, v2.4, raw IPv4) streamed as the run goes: one packet
 * per `net.send` record, in trace order, stamped `epochUs + t`. No clock, no I/O of its own:
 * chunks go to the writer. UDP, ICMP and TCP (one segment per record, header fields from
 * `r.tcp`; TLS records travel as their bytes). Call end() after the run.
 */
export class PcapSink implements TraceSink {
  private chunks: Buffer[] = [fileHeader()];
  private size = 24;
  private readonly epochUs: number;
  readonly kinds: readonly TraceKind[] = ['net.send'];

  constructor(private readonly out: ByteWriter, options?: { epochUs?: number }) {
    this.epochUs = options?.epochUs ?? DEFAULT_PCAP_EPOCH_US;
  }

  write(r: TraceEvent): void {
    if (r.kind !== 'net.send') return;
    const packet = r.proto === 'icmp' ? icmpPacket(r) : r.proto === 'tcp' ? tcpPacket(r) : udpPacket(r);
    this.chunks.push(recordHeader(this.epochUs + r.t, packet.length), packet);
    this.size += 16 + packet.length;
    if (this.size >= CHUNK) this.flush();
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    this.out(Buffer.concat(this.chunks, this.size));
    this.chunks = [];
    this.size = 0;
  }
}

/** The whole capture of a list of records (tests, small traces). */
export function writePcap(records: readonly TraceEvent[], options?: { epochUs?: number }): Buffer {
  const m = memoryWriter();
  const sink = new PcapSink(m.write, options);
  for (const r of records) sink.write(r);
  sink.end();
  return m.bytes();
}

function fileHeader(): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0); // µs-resolution magic
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8); // thiszone: timestamps are UTC
  b.writeUInt32LE(0, 12); // sigfigs
  b.writeUInt32LE(SNAPLEN, 16);
  b.writeUInt32LE(LINKTYPE_RAW, 20);
  return b;
}

function recordHeader(us: number, length: number): Buffer {
  const b = Buffer.alloc(16);
  const sec = Math.floor(us / 1_000_000);
  b.writeUInt32LE(sec, 0);
  b.writeUInt32LE(us - sec * 1_000_000, 4);
  b.writeUInt32LE(Math.min(length, SNAPLEN), 8); // captured
  b.writeUInt32LE(length, 12); // on the wire
  return b;
}

function udpPacket(r: NetSend): Buffer {
  const payload = r.bytes;
  const udp = udpHeader(r.src, r.dst, UDP_HEADER + payload.length);
  const cs = checksum(Buffer.concat([pseudoHeader(r.src.ip, r.dst.ip, 17, udp.length + payload.length), udp, payload]));
  udp.writeUInt16BE(cs === 0 ? 0xffff : cs, 6); // RFC 768: a computed 0 is sent as all ones
  const ip = ipHeader(r.src.ip, r.dst.ip, 17, IP_HEADER + udp.length + payload.length, r.id);
  return Buffer.concat([ip, udp, payload]);
}

/** RFC 793 §3.1: 20-byte header (data offset 5, no options), flags from the tcpdump-style string. */
function tcpPacket(r: NetSend): Buffer {
  const payload = r.bytes;
  const seg = r.tcp ?? { flags: '.', seq: 0, ack: 0 };
  const tcp = Buffer.alloc(TCP_HEADER);
  tcp.writeUInt16BE(r.src.port, 0);
  tcp.writeUInt16BE(r.dst.port, 2);
  tcp.writeUInt32BE(seg.seq >>> 0, 4);
  tcp.writeUInt32BE(seg.ack >>> 0, 8);
  tcp.writeUInt8((TCP_HEADER / 4) << 4, 12);
  tcp.writeUInt8(tcpFlagBits(seg.flags), 13);
  tcp.writeUInt16BE(TCP_WINDOW, 14);
  const length = TCP_HEADER + payload.length;
  tcp.writeUInt16BE(checksum(Buffer.concat([pseudoHeader(r.src.ip, r.dst.ip, 6, length), tcp, payload])), 16);
  return Buffer.concat([ipHeader(r.src.ip, r.dst.ip, 6, IP_HEADER + length, r.id), tcp, payload]);
}

const TCP_FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, '.': 0x10, U: 0x20, E: 0x40, W: 0x80 };

/** 'S' → SYN, 'S.' → SYN+ACK, 'P.' → PSH+ACK, 'R' → RST, 'F.' → FIN+ACK ('.' is ACK, as in tcpdump). */
function tcpFlagBits(flags: string): number {
  let bits = 0;
  for (const c of flags) {
    const bit = TCP_FLAG_BITS[c];
    if (bit === undefined) throw new Error(`writePcap: unknown TCP flag '${c}' in '${flags}'`);
    bits |= bit;
  }
  return bits;
}

function icmpPacket(r: NetSend): Buffer {
  const q = r.icmp ?? { type: 3, code: 3, original: { src: r.dst, dst: r.src, length: 0 } };
  const o = q.original;
  // RFC 792: quote the offending datagram's IP header + its first 8 data bytes only (the UDP
  // header; of a TCP segment its ports and sequence number).
  const tcp = o.tcpSeq !== undefined;
  const quotedIp = ipHeader(o.src.ip, o.dst.ip, tcp ? 6 : 17, IP_HEADER + (tcp ? 20 : UDP_HEADER) + o.length, 0);
  const quoted8 = tcp ? tcpQuote(o.src, o.dst, o.tcpSeq!) : udpHeader(o.src, o.dst, UDP_HEADER + o.length); // UDP checksum 0 = "not computed"
  const icmp = Buffer.concat([Buffer.alloc(8), quotedIp, quoted8]); // type, code, checksum, 4 unused
  icmp.writeUInt8(q.type, 0);
  icmp.writeUInt8(q.code, 1);
  icmp.writeUInt16BE(checksum(icmp), 2);
  return Buffer.concat([ipHeader(r.src.ip, r.dst.ip, 1, IP_HEADER + icmp.length, r.id), icmp]);
}

/** The first 8 bytes of a TCP header: source port, destination port, sequence number. */
function tcpQuote(src: Endpoint, dst: Endpoint, seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(src.port, 0);
  b.writeUInt16BE(dst.port, 2);
  b.writeUInt32BE(seq >>> 0, 4);
  return b;
}

function udpHeader(src: Endpoint, dst: Endpoint, length: number): Buffer {
  const b = Buffer.alloc(UDP_HEADER);
  b.writeUInt16BE(src.port, 0);
  b.writeUInt16BE(dst.port, 2);
  b.writeUInt16BE(length, 4);
  return b;
}

function ipHeader(src: string, dst: string, protocol: number, totalLength: number, id: number): Buffer {
  const b = Buffer.alloc(IP_HEADER);
  b.writeUInt8(0x45, 0); // version 4, IHL 5 (no options)
  b.writeUInt16BE(totalLength, 2);
  b.writeUInt16BE(id & 0xffff, 4); // identification from the trace id: deterministic
  b.writeUInt16BE(0, 6); // DF unset, no fragments
  b.writeUInt8(64, 8); // TTL
  b.writeUInt8(protocol, 9);
  ipBytes(src).copy(b, 12);
  ipBytes(dst).copy(b, 16);
  b.writeUInt16BE(checksum(b), 10);
  return b;
}

function pseudoHeader(src: string, dst: string, protocol: number, length: number): Buffer {
  const b = Buffer.alloc(12);
  ipBytes(src).copy(b, 0);
  ipBytes(dst).copy(b, 4);
  b.writeUInt8(protocol, 9);
  b.writeUInt16BE(length, 10);
  return b;
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`writePcap: not an IPv4 address: ${ip}`);
  }
  return Buffer.from(parts);
}

/** RFC 1071 Internet checksum: ones' complement of the ones' complement sum of 16-bit words. */
function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1]! << 8; // odd length: pad with a zero byte
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
