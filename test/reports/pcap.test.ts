import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Endpoint, NetSend, TraceEvent } from '../../sim/core/trace.js';
import { writePcap } from '../../reports/pcap.js';
import { tsharkAvailable, tsharkFields, tsharkMalformedCount } from '../helpers/tshark.js';

const PHONE: Endpoint = { ip: '10.0.0.10', port: 5060 };
const PBX: Endpoint = { ip: '10.0.0.1', port: 5060 };
const DEAD: Endpoint = { ip: '10.0.0.2', port: 5060 };

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n\r\n';

const REGISTER = crlf([
  'REGISTER sip:10.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'From: <sip:1000@10.0.0.1>;tag=1928301774',
  'To: <sip:1000@10.0.0.1>',
  'Call-ID: a84b4c76e66710@10.0.0.10',
  'CSeq: 1 REGISTER',
  'Contact: <sip:1000@10.0.0.10:5060>',
  'Expires: 3600',
  'Content-Length: 0',
]);

const OK = crlf([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK776asdhds;received=10.0.0.10',
  'From: <sip:1000@10.0.0.1>;tag=1928301774',
  'To: <sip:1000@10.0.0.1>;tag=37GkEhwl6',
  'Call-ID: a84b4c76e66710@10.0.0.10',
  'CSeq: 1 REGISTER',
  'Contact: <sip:1000@10.0.0.10:5060>;expires=3600',
  'Content-Length: 0',
]);

const INVITE = crlf([
  'INVITE sip:2000@10.0.0.2 SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKnashds8',
  'Max-Forwards: 70',
  'From: <sip:1000@10.0.0.1>;tag=9fxced76sl',
  'To: <sip:2000@10.0.0.2>',
  'Call-ID: 3848276298220188511@10.0.0.10',
  'CSeq: 1 INVITE',
  'Contact: <sip:1000@10.0.0.10:5060>',
  'Content-Length: 0',
]);

function send(id: number, t: number, src: Endpoint, dst: Endpoint, payload: string, label: string): NetSend {
  return { kind: 'net.send', t, id, from: src.ip, to: dst.ip, proto: 'udp', src, dst, payload, label };
}

const records: TraceEvent[] = [
  send(1, 0, PHONE, PBX, REGISTER, 'REGISTER sip:10.0.0.1'),
  { kind: 'net.deliver', t: 1000, id: 1, from: PHONE.ip, to: PBX.ip }, // ignored by the writer
  send(2, 500_000, PHONE, PBX, REGISTER, 'REGISTER sip:10.0.0.1'),
  send(3, 502_000, PBX, PHONE, OK, '200 OK'),
  send(4, 1_250_000, PHONE, DEAD, INVITE, 'INVITE sip:2000@10.0.0.2'),
  {
    kind: 'net.send',
    t: 1_251_000,
    id: 5,
    from: DEAD.ip,
    to: PHONE.ip,
    proto: 'icmp',
    src: { ip: DEAD.ip, port: 0 },
    dst: { ip: PHONE.ip, port: 0 },
    payload: '',
    icmp: { type: 3, code: 3, original: { src: PHONE, dst: DEAD, length: Buffer.byteLength(INVITE) } },
    label: 'ICMP port unreachable',
  },
];

describe('reports/pcap', () => {
  let dir: string;
  let file: string;
  let pcap: Buffer;

  before(() => {
    pcap = writePcap(records);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-pcap-'));
    file = path.join(dir, 'trace.pcap');
    fs.writeFileSync(file, pcap);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a little-endian libpcap v2.4 header with LINKTYPE_RAW', () => {
    expect(pcap.readUInt32LE(0)).to.equal(0xa1b2c3d4);
    expect(pcap.readUInt16LE(4)).to.equal(2);
    expect(pcap.readUInt16LE(6)).to.equal(4);
    expect(pcap.readInt32LE(8)).to.equal(0);
    expect(pcap.readUInt32LE(12)).to.equal(0);
    expect(pcap.readUInt32LE(16)).to.equal(65535);
    expect(pcap.readUInt32LE(20)).to.equal(101);
  });

  it('stamps the first packet at the fixed default epoch and honours epochUs', () => {
    expect(pcap.readUInt32LE(24)).to.equal(1_767_225_600);
    expect(pcap.readUInt32LE(28)).to.equal(0);
    const shifted = writePcap(records, { epochUs: 1_000_000_123_456 });
    expect(shifted.readUInt32LE(24)).to.equal(1_000_000);
    expect(shifted.readUInt32LE(28)).to.equal(123_456);
  });

  it('is deterministic and emits only net.send records', () => {
    expect(writePcap(records).equals(pcap)).to.equal(true);
    expect(writePcap([]).length).to.equal(24);
  });

  describe('decoded by tshark', function () {
    before(function () {
      if (!tsharkAvailable()) {
        console.log('    tshark not found: skipping pcap dissection tests (install it with `apt-get install tshark`)');
        this.skip();
      }
    });

    it('has one frame per net.send, at t relative to the first', () => {
      const rows = tsharkFields(file, ['frame.number', 'frame.time_relative', 'frame.time_epoch']);
      expect(rows.map((r) => Number(r[1]))).to.deep.equal([0, 0.5, 0.502, 1.25, 1.251]);
      expect(Number(rows[0]![2])).to.equal(1_767_225_600);
    });

    it('decodes the SIP requests and the response', () => {
      const rows = tsharkFields(file, ['frame.number', 'sip.Method', 'sip.Status-Code', 'sip.CSeq.method'], 'sip');
      expect(rows).to.deep.equal([
        ['1', 'REGISTER', '', 'REGISTER'],
        ['2', 'REGISTER', '', 'REGISTER'],
        ['3', '', '200', 'REGISTER'],
        ['4', 'INVITE', '', 'INVITE'],
      ]);
    });

    it('decodes the ICMP port unreachable and its quoted UDP header', () => {
      const rows = tsharkFields(file, ['frame.number', 'icmp.type', 'icmp.code', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport'], 'icmp');
      expect(rows).to.deep.equal([['5', '3', '3', '10.0.0.2,10.0.0.10', '10.0.0.10,10.0.0.2', '5060', '5060']]);
    });

    it('has no malformed packets or error-level expert items', () => {
      expect(tsharkMalformedCount(file, ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'])).to.equal(0);
    });

    it('has valid IP, UDP and ICMP checksums', () => {
      const check = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
      // -T fields prints the checksum status enum numerically: 0 Bad, 1 Good, 2 Unverified, 3 Not present.
      const rows = tsharkFields(file, ['frame.number', 'ip.checksum.status', 'udp.checksum.status', 'icmp.checksum.status'], undefined, check);
      expect(rows.map((r) => r.slice(1))).to.deep.equal([
        ['1', '1', ''],
        ['1', '1', ''],
        ['1', '1', ''],
        ['1', '1', ''],
        // Outer and quoted IP headers both Good; the quoted UDP checksum is 0: Not present.
        ['1,1', '3', '1'],
      ]);
    });
  });
});
