import { InputError } from '../core/input-error.js';

/** One captured frame: its timestamp in µs since the epoch, the link type it starts with, its bytes. */
export interface Frame {
  t: number;
  linkType: number;
  data: Buffer;
}

/**
 * Reads a whole capture file: classic libpcap (either byte order, µs or ns timestamps) or
 * pcapng (any number of sections and interfaces, if_tsresol honoured). Hand-written because no
 * npm package fits: `pcap-parser` (0.2.x) reads only classic pcap, through an async stream API
 * (sim/ keeps no Promises), and the pcapng readers on npm are unmaintained; both formats are a
 * few dozen lines (https://www.tcpdump.org/manpages/pcap-savefile.5.html, RFC draft
 * draft-ietf-opsawg-pcapng). A malformed file is the user's input: InputError, exit 2.
 */
export function readCapture(bytes: Buffer, file: string): Frame[] {
  if (bytes.length < 4) throw bad(file, `empty or ${bytes.length}-byte file: not a pcap or pcapng capture`);
  const magic = bytes.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) return readPcapng(bytes, file);
  if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) return readPcap(bytes, file);
  throw bad(file, `not a pcap or pcapng capture (first bytes ${bytes.subarray(0, 4).toString('hex')})`);
}

function bad(file: string, problem: string): InputError {
  return new InputError(file, undefined, undefined, problem);
}

function readPcap(b: Buffer, file: string): Frame[] {
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (b.length < 24) throw bad(file, `truncated pcap file header (${b.length} of 24 bytes)`);
  // The link type is the low 16 bits; the upper bits may carry the FCS length (pcap-savefile(5)).
  const linkType = u32(20) & 0xffff;
  const frames: Frame[] = [];
  let o = 24;
  while (o < b.length) {
    if (o + 16 > b.length) throw bad(file, `truncated pcap record header at byte ${o} (packet ${frames.length + 1})`);
    const sec = u32(o);
    const frac = u32(o + 4);
    const caplen = u32(o + 8);
    if (o + 16 + caplen > b.length) throw bad(file, `truncated packet ${frames.length + 1} at byte ${o}: ${caplen} bytes announced, ${b.length - o - 16} left`);
    frames.push({ t: sec * 1_000_000 + (nanos ? Math.floor(frac / 1000) : frac), linkType, data: b.subarray(o + 16, o + 16 + caplen) });
    o += 16 + caplen;
  }
  return frames;
}

interface Interface {
  linkType: number;
  /** Timestamp units per second (if_tsresol; default 10^6). */
  unitsPerSecond: number;
}

function readPcapng(b: Buffer, file: string): Frame[] {
  const frames: Frame[] = [];
  let interfaces: Interface[] = [];
  let le = true;
  let o = 0;
  while (o < b.length) {
    if (o + 12 > b.length) throw bad(file, `truncated pcapng block header at byte ${o}`);
    const type = b.readUInt32LE(o);
    if (type === 0x0a0d0d0a) {
      // Section header: its byte-order magic says how to read this section's blocks.
      const bom = b.readUInt32LE(o + 8);
      if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) throw bad(file, `pcapng section at byte ${o} has a bad byte-order magic`);
      le = bom === 0x1a2b3c4d;
      interfaces = [];
    }
    const u32 = (x: number): number => (le ? b.readUInt32LE(x) : b.readUInt32BE(x));
    const blockType = u32(o);
    const len = u32(o + 4);
    if (len < 12 || len % 4 !== 0) throw bad(file, `pcapng block at byte ${o} has an impossible length ${len}`);
    if (o + len > b.length) throw bad(file, `truncated pcapng block at byte ${o}: ${len} bytes announced, ${b.length - o} left`);
    const body = b.subarray(o + 8, o + len - 4);
    if (blockType === 1) interfaces.push(interfaceBlock(body, le));
    else if (blockType === 6 || blockType === 2) {
      // Enhanced packet block (6), or the obsolete packet block (2) that has a 16-bit interface id.
      const id = blockType === 6 ? u32(o + 8) : (le ? b.readUInt16LE(o + 8) : b.readUInt16BE(o + 8));
      const iface = interfaces[id];
      if (!iface) throw bad(file, `pcapng packet at byte ${o} names interface ${id}, which no interface block describes`);
      const high = u32(o + 12);
      const low = u32(o + 16);
      const caplen = u32(o + 20);
      if (28 + caplen > len) throw bad(file, `pcapng packet at byte ${o} announces ${caplen} bytes in a ${len}-byte block`);
      frames.push({ t: toMicros(high, low, iface.unitsPerSecond), linkType: iface.linkType, data: b.subarray(o + 28, o + 28 + caplen) });
    }
    // Simple packet blocks (3) carry no timestamp: useless for timing, skipped like name/stats blocks.
    o += len;
  }
  return frames;
}

function interfaceBlock(body: Buffer, le: boolean): Interface {
  const linkType = le ? body.readUInt16LE(0) : body.readUInt16BE(0);
  let unitsPerSecond = 1_000_000;
  let o = 8;
  while (o + 4 <= body.length) {
    const code = le ? body.readUInt16LE(o) : body.readUInt16BE(o);
    const len = le ? body.readUInt16LE(o + 2) : body.readUInt16BE(o + 2);
    if (code === 0) break;
    if (code === 9 && len >= 1) {
      const r = body[o + 4]!;
      unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r; // if_tsresol: high bit set = power of two
    }
    o += 4 + Math.ceil(len / 4) * 4;
  }
  return { linkType, unitsPerSecond };
}

/** A 64-bit timestamp in the interface's units, as µs; BigInt so ns stamps keep every digit. */
function toMicros(high: number, low: number, unitsPerSecond: number): number {
  const units = (BigInt(high) << 32n) | BigInt(low);
  if (unitsPerSecond === 1_000_000) return Number(units);
  return Number((units * 1_000_000n) / BigInt(unitsPerSecond));
}
