import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../sim/capture/container.js';
import { decodeFrame, Fragments } from '../../sim/capture/decode.js';
import { TcpStreams } from '../../sim/capture/tcp-stream.js';
import { InputError } from '../../sim/core/input-error.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark.js';

const FIX = join(repoRoot, 'test', 'fixtures', 'captures');
const FIXTURES = ['silent.pcap', 'icmp.pcapng', '503.pcap', 'tcp-rst.pcapng', 'silent-sll.pcap', 'silent-sll2.pcapng', 'silent-raw.pcap', 'sipp-silent.pcap', 'sipp-silent.pcapng', 'sipp-icmp.pcapng', 'sipp-503.pcap', 'baresip-tcp-rst.pcapng'];

describe('capture reader', () => {
  describe('containers and link types, cross-checked with tshark', () => {
    for (const f of FIXTURES) {
      it(`${f}: the same frames, timestamps and IPv4 ends as tshark`, function () {
        if (!tsharkAvailable()) this.skip();
        const frames = readCapture(readFileSync(join(FIX, f)), f);
        const rows = tsharkFields(join(FIX, f), ['frame.time_epoch', 'ip.src', 'ip.dst']);
        expect(frames.length).to.equal(rows.length);
        frames.forEach((fr, i) => {
          // tshark prints epoch seconds with 9 decimals; we keep µs.
          const [sec, frac] = rows[i]![0]!.split('.');
          expect(fr.t, `${f} frame ${i + 1}`).to.equal(Number(sec) * 1e6 + Math.floor(Number((frac ?? '').padEnd(9, '0')) / 1000));
          const p = decodeFrame(fr, f);
          expect(p, `${f} frame ${i + 1}`).to.not.equal(undefined);
          expect([p!.src.ip, p!.dst.ip]).to.deep.equal([rows[i]![1]!.split(',')[0], rows[i]![2]!.split(',')[0]]);
        });
      });
    }

    it('reads a big-endian classic pcap like its little-endian twin', () => {
      const le = readFileSync(join(FIX, 'silent.pcap'));
      const be = Buffer.from(le);
      const swap32 = (o: number): void => void be.writeUInt32BE(le.readUInt32LE(o), o);
      const swap16 = (o: number): void => void be.writeUInt16BE(le.readUInt16LE(o), o);
      swap32(0); swap16(4); swap16(6); swap32(8); swap32(12); swap32(16); swap32(20);
      for (let o = 24; o < le.length; o += 16 + le.readUInt32LE(o + 8)) [0, 4, 8, 12].forEach((k) => swap32(o + k));
      expect(readCapture(be, 'be.pcap')).to.deep.equal(readCapture(le, 'le.pcap'));
    });
  });

  it('puts a fragmented UDP datagram (a large SIP message) back together, fragments in any order', () => {
    const frames = readCapture(readFileSync(join(FIX, 'silent-raw.pcap')), 'raw');
    const register = frames.find((f) => decodeFrame(f, 'raw')?.payload.toString().startsWith('REGISTER'))!;
    const whole = decodeFrame(register, 'raw')!;
    const ipPacket = register.data;
    const ihl = (ipPacket[0]! & 0x0f) * 4;
    const data = ipPacket.subarray(ihl);
    // Fragments of 128 data bytes (a multiple of 8, RFC 791), the last one first.
    const parts: Buffer[] = [];
    for (let o = 0; o < data.length; o += 128) {
      const chunk = data.subarray(o, o + 128);
      const h = Buffer.from(ipPacket.subarray(0, ihl));
      h.writeUInt16BE(ihl + chunk.length, 2);
      h.writeUInt16BE((o + 128 < data.length ? 0x2000 : 0) | (o / 8), 6);
      parts.push(Buffer.concat([h, chunk]));
    }
    expect(parts.length).to.be.greaterThan(2);
    const fragments = new Fragments();
    const order = [parts.length - 1, ...parts.keys()].slice(0, parts.length);
    const out = order.map((i) => decodeFrame({ ...register, data: parts[i]! }, 'raw', fragments));
    expect(out.slice(0, -1).every((p) => p === undefined)).to.equal(true);
    expect(out[out.length - 1]).to.deep.equal(whole);
  });

  describe('TCP streams (Content-Length framing)', () => {
    const msg = (cseq: number, body = ''): string => `REGISTER sip:x SIP/2.0\r\nCSeq: ${cseq} REGISTER\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    it('cuts two messages sent in one segment, and joins one split over three', () => {
      const s = new TcpStreams();
      s.syn('a', 1000);
      expect(s.push('a', Buffer.from(msg(1) + msg(2, 'v=0\r\n')), 1001)).to.deep.equal([msg(1), msg(2, 'v=0\r\n')]);
      const three = Buffer.from(msg(3, 'hello'));
      let seq = 1001 + Buffer.byteLength(msg(1) + msg(2, 'v=0\r\n'));
      expect(s.push('a', three.subarray(0, 10), seq)).to.deep.equal([]);
      expect(s.push('a', three.subarray(10, three.length - 2), seq + 10)).to.deep.equal([]);
      seq += three.length - 2;
      expect(s.push('a', three.subarray(three.length - 2), seq)).to.deep.equal([msg(3, 'hello')]);
    });
    it('puts an early segment in order and drops a retransmitted one', () => {
      const s = new TcpStreams();
      s.syn('a', 0);
      const b = Buffer.from(msg(7));
      expect(s.push('a', b.subarray(20), 21)).to.deep.equal([]); // arrives first
      expect(s.push('a', b.subarray(0, 20), 1)).to.deep.equal([msg(7)]);
      expect(s.push('a', b.subarray(0, 20), 1)).to.deep.equal([]); // a retransmission: already had
    });
  });

  describe('unreadable input: exit 2 naming the file, never a stack trace', () => {
    let dir: string;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'sipsim-capture-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const twin = join(FIX, 'twin-silent.yaml');
    const cases: [string, () => Buffer, RegExp][] = [
      ['truncated.pcap', () => readFileSync(join(FIX, 'silent.pcap')).subarray(0, 700), /truncated packet \d+ at byte \d+/],
      ['truncated.pcapng', () => readFileSync(join(FIX, 'icmp.pcapng')).subarray(0, 1000), /truncated pcapng block at byte \d+/],
      ['header-only.pcap', () => readFileSync(join(FIX, 'silent.pcap')).subarray(0, 20), /truncated pcap file header/],
      ['notes.txt', () => Buffer.from('REGISTER sip:x SIP/2.0\r\n\r\nnot a capture at all\n'), /not a pcap or pcapng capture \(first bytes 52454749\)/],
      ['empty.pcap', () => Buffer.alloc(0), /empty or 0-byte file/],
      ['usb.pcap', () => { const b = Buffer.from(readFileSync(join(FIX, 'silent.pcap'))); b.writeUInt32LE(189, 20); return b; }, /link type 189 is not read \(known: 1 Ethernet, 101 raw IP, 113 Linux cooked \(SLL\), 228 raw IPv4, 276 Linux cooked v2 \(SLL2\)\)/],
    ];
    for (const [name, bytes, problem] of cases) {
      it(name, () => {
        const file = join(dir, name);
        writeFileSync(file, bytes());
        const r = runCli(['compare', file, twin, '--phone', 'ua']);
        expect(r.code).to.equal(2);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.include(`sipsim: ${file}: `);
        expect(r.stderr).to.match(problem);
        expect(r.stderr).not.to.match(/\n\s+at /);
      });
    }
    it('a missing file and a directory', () => {
      const missing = runCli(['compare', join(dir, 'nope.pcap'), twin, '--phone', 'ua']);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/nope\.pcap: cannot read the capture: ENOENT/);
      const d = runCli(['compare', dir, twin, '--phone', 'ua']);
      expect(d.code).to.equal(2);
      expect(d.stderr).to.match(/cannot read the capture: not a regular file/);
    });
    it('a bad --tolerance, --phone or --capture-point', () => {
      const cap = join(FIX, 'silent.pcap');
      expect(runCli(['compare', cap, twin, '--phone', 'ua', '--tolerance', 'soon']).stderr).to.match(/--tolerance: expected a duration like 5ms/);
      expect(runCli(['compare', cap, twin, '--phone', 'bob']).stderr).to.match(/--phone: no phone 'bob' in .* \(its phones: ua\)/);
      expect(runCli(['compare', cap, twin, '--phone', 'ua', '--capture-point', 'middle']).stderr).to.match(/--capture-point: expected phone or sender/);
    });
    it('readCapture throws an InputError (not a RangeError) for every cut of a capture', () => {
      const whole = readFileSync(join(FIX, 'tcp-rst.pcapng'));
      for (let cut = 0; cut < whole.length; cut += 37) {
        try {
          readCapture(whole.subarray(0, cut), 'cut.pcapng');
        } catch (e) {
          expect(e, `cut at ${cut}`).to.be.instanceOf(InputError);
        }
      }
    });
  });
});
