import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Endpoint, NetSend, TraceEvent } from '../../sim/core/trace.js';
import { writePcap } from '../../reports/pcap.js';
import { tsharkAvailable, tsharkFields, tsharkMalformedCount } from '../helpers/tshark.js';
import { SIP1, SIP1_TLS, TcpWorld } from '../net/tcp-harness.js';

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
  return { kind: 'net.send', t, id, from: src.ip, to: dst.ip, proto: 'udp', src, dst, bytes: Buffer.from(payload), label };
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
    bytes: Buffer.alloc(0),
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

// ---- TCP (segments from the message-level TCP model, sim/net/tcp-*.ts) ---------------------

const TCP_CHECKS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];

const TCP_REGISTER = crlf([
  'REGISTER sip:10.0.0.1 SIP/2.0',
  'Via: SIP/2.0/TCP 10.0.0.10:49152;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'From: <sip:1000@10.0.0.1>;tag=1928301774',
  'To: <sip:1000@10.0.0.1>',
  'Call-ID: a84b4c76e66710@10.0.0.10',
  'CSeq: 1 REGISTER',
  'Contact: <sip:1000@10.0.0.10:49152;transport=tcp>',
  'Expires: 3600',
  'Content-Length: 0',
]);

const TCP_OK = crlf([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/TCP 10.0.0.10:49152;branch=z9hG4bK776asdhds;received=10.0.0.10',
  'From: <sip:1000@10.0.0.1>;tag=1928301774',
  'To: <sip:1000@10.0.0.1>;tag=37GkEhwl6',
  'Call-ID: a84b4c76e66710@10.0.0.10',
  'CSeq: 1 REGISTER',
  'Contact: <sip:1000@10.0.0.10:49152;transport=tcp>;expires=3600',
  'Content-Length: 0',
]);

function tcpSegment(flags: string, payload = ''): NetSend {
  return { kind: 'net.send', t: 0, id: 9, from: 'a', to: 'b', proto: 'tcp', src: PHONE, dst: PBX, tcp: { flags, seq: 0xfffffffe, ack: 7 }, bytes: Buffer.from(payload), label: flags };
}

/** sip1 answers every REGISTER with 200 OK (same CSeq) on the same connection. */
function registrar(w: TcpWorld, port = 5060, tls = false): void {
  const answer = (req: Buffer): Buffer => Buffer.from(TCP_OK.replace('CSeq: 1 ', /CSeq: \d+ /.exec(req.toString())![0]));
  w.tcp.listen('sip1', port, (conn) => conn.setHandlers({ onData: (req) => conn.send(answer(req), '200 OK') }), { tls });
}

describe('reports/pcap — TCP', () => {
  it('writes IPv4 protocol 6 and a 20-byte TCP header: ports, seq, ack, offset 5, flags, window 65535', () => {
    const pkt = writePcap([tcpSegment('P.', 'hi')]).subarray(24 + 16);
    expect(pkt.length).to.equal(20 + 20 + 2);
    expect(pkt[9]).to.equal(6);
    const tcp = pkt.subarray(20);
    expect([tcp.readUInt16BE(0), tcp.readUInt16BE(2), tcp.readUInt32BE(4), tcp.readUInt32BE(8), tcp[12], tcp[13], tcp.readUInt16BE(14)]).to.deep.equal([
      5060, 5060, 0xfffffffe, 7, 0x50, 0x18, 65535,
    ]);
    expect(tcp.subarray(20).toString()).to.equal('hi');
  });

  it('maps tcpdump-style flags to header bits and rejects unknown ones', () => {
    const bits = (flags: string): number => writePcap([tcpSegment(flags)])[24 + 16 + 20 + 13]!;
    expect(['S', 'S.', '.', 'P.', 'R', 'R.', 'F.'].map(bits)).to.deep.equal([0x02, 0x12, 0x10, 0x18, 0x04, 0x14, 0x11]);
    expect(() => writePcap([tcpSegment('X')])).to.throw("writePcap: unknown TCP flag 'X' in 'X'");
  });

  describe('decoded by tshark', function () {
    let dir: string;
    const write = (name: string, w: TcpWorld): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, writePcap(w.records));
      return f;
    };

    before(function () {
      if (!tsharkAvailable()) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-pcap-tcp-'));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it('shows the SYNs to a silent server at 0, 1, 3, 7 s, later ones as retransmissions', () => {
      const w = new TcpWorld();
      w.sip1.mode = 'silent';
      w.tcp.connect('alice', SIP1);
      w.run(10);
      const file = write('syn.pcap', w);
      const rows = tsharkFields(file, ['frame.time_relative', 'tcp.flags', 'tcp.dstport', 'tcp.analysis.retransmission'], 'tcp.flags.syn == 1');
      expect(rows).to.deep.equal([
        ['0.000000000', '0x0002', '5060', ''],
        ['1.000000000', '0x0002', '5060', '1'],
        ['3.000000000', '0x0002', '5060', '1'],
        ['7.000000000', '0x0002', '5060', '1'],
      ]);
      expect(tsharkMalformedCount(file, TCP_CHECKS)).to.equal(0);
    });

    it('decodes SIP over TCP on 5060, shows the handshake, RSTs and FIN, with no malformed packet and good checksums', () => {
      const w = new TcpWorld();
      registrar(w);
      const conn = w.tcp.connect('alice', SIP1);
      conn.send(Buffer.from(TCP_REGISTER), 'REGISTER sip:10.0.0.1');
      w.at(1, () => w.tcp.connect('alice', { ip: SIP1.ip, port: 5062 })); // closed port: RST+ACK
      w.at(2, () => (w.sip1.mode = 'silent'));
      w.at(3, () => (w.sip1.mode = 'up'));
      w.at(4, () => conn.send(Buffer.from(TCP_REGISTER), 'REGISTER sip:10.0.0.1')); // crashed peer: RST
      w.at(5, () => {
        const again = w.tcp.connect('alice', SIP1);
        w.at(6, () => again.close());
      });
      w.run(10);
      const file = write('sip-tcp.pcap', w);
      const rows = tsharkFields(file, ['frame.time_relative', 'ip.src', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'sip.Method', 'sip.Status-Code'], undefined, TCP_CHECKS);
      expect(rows).to.deep.equal([
        ['0.000000000', PHONE.ip, '49152', '5060', '0x0002', '0', '0', '', ''],
        ['0.020000000', PBX.ip, '5060', '49152', '0x0012', '0', '1', '', ''],
        ['0.040000000', PHONE.ip, '49152', '5060', '0x0010', '1', '1', '', ''],
        ['0.040000000', PHONE.ip, '49152', '5060', '0x0018', '1', '1', 'REGISTER', ''],
        ['0.060000000', PBX.ip, '5060', '49152', '0x0018', '1', '315', '', '200'],
        ['0.080000000', PHONE.ip, '49152', '5060', '0x0010', '315', '313', '', ''],
        ['1.000000000', PHONE.ip, '49153', '5062', '0x0002', '0', '0', '', ''],
        ['1.020000000', PBX.ip, '5062', '49153', '0x0014', '1', '1', '', ''], // closed port: RST+ACK
        ['4.000000000', PHONE.ip, '49152', '5060', '0x0018', '315', '313', 'REGISTER', ''],
        ['4.020000000', PBX.ip, '5060', '49152', '0x0004', '313', '0', '', ''], // crashed and restarted peer: RST, seq = the offending ACK
        ['5.000000000', PHONE.ip, '49154', '5060', '0x0002', '0', '0', '', ''],
        ['5.020000000', PBX.ip, '5060', '49154', '0x0012', '0', '1', '', ''],
        ['5.040000000', PHONE.ip, '49154', '5060', '0x0010', '1', '1', '', ''],
        ['6.000000000', PHONE.ip, '49154', '5060', '0x0011', '1', '1', '', ''],
        ['6.020000000', PBX.ip, '5060', '49154', '0x0011', '1', '2', '', ''],
        ['6.040000000', PHONE.ip, '49154', '5060', '0x0010', '2', '2', '', ''],
      ]);
      expect(tsharkMalformedCount(file, TCP_CHECKS)).to.equal(0);
      // -T fields prints the checksum status enum numerically: 1 = Good.
      const checks = tsharkFields(file, ['ip.checksum.status', 'tcp.checksum.status'], undefined, TCP_CHECKS);
      expect(checks.every(([ip, tcp]) => ip === '1' && tcp === '1')).to.equal(true);
    });

    it('reassembles in order after a loss: each SIP message decoded once, the resend flagged as a retransmission', () => {
      const w = new TcpWorld();
      registrar(w);
      const conn = w.tcp.connect('alice', SIP1);
      const cseq = (n: number): Buffer => Buffer.from(TCP_REGISTER.replace('CSeq: 1 REGISTER', `CSeq: ${n} REGISTER`));
      w.at(0.1, () => {
        w.links.update('alice', 'sip1', { loss: 1 });
        conn.send(cseq(2), 'REGISTER 2');
        w.links.update('alice', 'sip1', { loss: 0 });
      });
      w.at(0.11, () => conn.send(cseq(3), 'REGISTER 3'));
      w.run(5);
      const file = write('sip-tcp-loss.pcap', w);
      const rows = tsharkFields(file, ['frame.time_relative', 'tcp.analysis.retransmission', 'tcp.analysis.duplicate_ack', 'sip.CSeq.seq', 'sip.Status-Code'], 'tcp.len > 0 || tcp.analysis.duplicate_ack', TCP_CHECKS);
      // The capture holds every segment sent (as if taken at each sender), the lost one included:
      // tshark decodes it, then flags its resend as a retransmission and does not decode it again.
      expect(rows).to.deep.equal([
        ['0.100000000', '', '', '2', ''], // lost on the link
        ['0.110000000', '', '', '3', ''],
        ['0.130000000', '', '1,1', '', ''], // duplicate ACK (tshark lists the flag twice)
        ['1.100000000', '1', '', '', ''], // RTO 1 s: the retransmission
        ['1.120000000', '', '', '2', '200'],
        ['1.120000000', '', '', '3', '200'],
      ]);
      expect(tsharkMalformedCount(file, TCP_CHECKS)).to.equal(0);
    });

    it('TLS 1.2 and 1.3 handshakes decode as TLS (SIP inside stays opaque), with no malformed packet', () => {
      const w = new TcpWorld();
      registrar(w, 5061, true);
      const tls12 = w.tcp.connect('alice', SIP1_TLS, { tls: true });
      tls12.send(Buffer.from(TCP_REGISTER), 'REGISTER sip:10.0.0.1');
      w.at(1, () => w.tcp.connect('alice', SIP1_TLS, { tls: true, handshakeRoundTrips: 1 }).send(Buffer.from(TCP_REGISTER), 'REGISTER sip:10.0.0.1'));
      w.run(3);
      const file = write('sip-tls.pcap', w);
      const rows = tsharkFields(file, ['frame.time_relative', 'tcp.srcport', 'tls.record.content_type', 'tls.handshake.type', 'tls.handshake.extensions.supported_version'], 'tls', TCP_CHECKS);
      expect(rows).to.deep.equal([
        ['0.040000000', '49152', '22', '1', ''], // ClientHello
        ['0.060000000', '5061', '22', '2,11,14', ''], // ServerHello, Certificate, ServerHelloDone
        ['0.080000000', '49152', '22,20,22', '16', ''], // ClientKeyExchange, CCS, encrypted Finished
        ['0.100000000', '5061', '20,22', '', ''], // CCS, encrypted Finished
        ['0.120000000', '49152', '23', '', ''], // REGISTER
        ['0.140000000', '5061', '23', '', ''], // 200 OK
        ['1.040000000', '49153', '22', '1', '0x0304'], // TLS 1.3 ClientHello
        ['1.060000000', '5061', '22,20', '2', '0x0304'], // ServerHello (+ CCS, encrypted flight)
        ['1.080000000', '49153', '20', '', ''], // CCS, encrypted Finished
        ['1.080000000', '49153', '', '', ''], // REGISTER: an opaque TLS 1.3 record
        ['1.100000000', '5061', '', '', ''], // 200 OK
      ]);
      expect(tsharkFields(file, ['frame.number'], 'sip')).to.deep.equal([]);
      expect(tsharkMalformedCount(file, TCP_CHECKS)).to.equal(0);
    });
  });
});
