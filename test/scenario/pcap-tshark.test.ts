import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tsharkAvailable, tsharkFields, tsharkMalformedCount } from '../helpers/tshark.js';
import { bundledScenarioIds, heavyScenarioIds, runCli } from '../helpers/run-cli.js';

/**
 * The `--pcap` capture is what a voice engineer opens in Wireshark: it must decode cleanly and
 * its timestamps must show the protocol instants the scenarios promise. Everything here is read
 * back through tshark itself, not through our own writer.
 */

const CHECKSUMS = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

interface Packet {
  /** µs since the first packet. */
  t: number;
  src: string;
  dst: string;
  method: string;
  status: string;
  icmpType: string;
  icmpCode: string;
}

/** "60.040000000" → 60040000 µs, exactly (no floating point). */
function micros(relative: string): number {
  const [s, frac = ''] = relative.split('.');
  return Number(s) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6));
}

const sec = (us: number): number => us / 1_000_000;

function packets(pcap: string): Packet[] {
  const rows = tsharkFields(pcap, ['frame.time_relative', 'ip.src', 'ip.dst', 'sip.Method', 'sip.Status-Code', 'icmp.type', 'icmp.code']);
  // An ICMP error quotes the offending IP header: tshark lists the outer address first.
  const first = (v: string | undefined): string => (v ?? '').split(',')[0]!;
  return rows.map((r) => ({
    t: micros(r[0]!),
    src: first(r[1]),
    dst: first(r[2]),
    method: r[3] ?? '',
    status: r[4] ?? '',
    icmpType: first(r[5]),
    icmpCode: first(r[6]),
  }));
}

/** Instants (s since the first packet) of the requests `method` from src to dst. */
function requestTimes(ps: Packet[], method: string, src: string, dst: string): number[] {
  return ps.filter((p) => p.method === method && p.src === src && p.dst === dst && p.icmpType === '').map((p) => sec(p.t));
}

describe('pcap of every bundled scenario, read back with tshark', function () {
  this.timeout(60_000);
  // Heavy fleet scenarios (27: 20,000 phones) would write a capture of hundreds of MB for tshark to read: left out.
  const heavy = new Set(heavyScenarioIds());
  const ids = bundledScenarioIds().filter((id) => !heavy.has(id));
  let tmp: string;
  const pcapOf = (id: string): string => path.join(tmp, `capture-${id}.pcap`);
  const jsonOf = (id: string): string => path.join(tmp, `trace-${id}.jsonl`);

  before(function () {
    if (!tsharkAvailable()) {
      console.log('    tshark not found: install with apt-get install tshark');
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-pcap-'));
    // One run of every scenario (but the heavy ones): several scenarios name their files capture-<id>.pcap.
    const r = runCli(['run', ...ids.map((id) => `scenarios/${id}.yaml`), '--quiet', '--pcap', path.join(tmp, 'capture.pcap'), '--json', path.join(tmp, 'trace.jsonl')]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const id of ids) {
    it(`${id}: no malformed packet, bad checksum or error; every packet is SIP (UDP/TCP 5060), DNS (UDP 53) or ICMP`, () => {
      const pcap = pcapOf(id);
      expect(fs.existsSync(pcap), `${pcap} written`).to.equal(true);
      expect(tsharkMalformedCount(pcap, CHECKSUMS)).to.equal(0);
      const rows = tsharkFields(pcap, ['frame.number', 'frame.protocols', 'udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport']);
      expect(rows.length).to.be.greaterThan(0);
      for (const [frame, protocols = '', usrc = '', udst = '', tsrc = '', tdst = ''] of rows) {
        if (protocols.includes(':icmp')) continue;
        if (protocols.includes(':tcp')) {
          expect([tsrc, tdst], `frame ${frame} ports`).to.satisfy((p: string[]) => p.includes('5060') || p.includes('5061'));
          continue;
        }
        if (protocols.endsWith(':udp:dns')) {
          expect([usrc, udst], `frame ${frame} ports`).to.include('53');
          continue;
        }
        expect(protocols, `frame ${frame}`).to.match(/:udp:sip$/);
        expect([usrc, udst], `frame ${frame} ports`).to.include('5060');
      }
      // Every UDP datagram on port 5060 decodes as SIP (counted independently through display filters).
      const udp5060 = tsharkFields(pcap, ['frame.number'], 'udp.port == 5060 && !icmp').length;
      const sip = tsharkFields(pcap, ['frame.number'], 'sip && udp && !icmp').length;
      expect(sip).to.equal(udp5060);
      // One frame per packet sent in the trace.
      const sends = fs.readFileSync(jsonOf(id), 'utf8').split('\n').filter((l) => l.includes('"kind":"net.send"')).length;
      expect(rows.length, 'frames = net.send records').to.equal(sends);
    });
  }

  it('05-both-servers-silent: REGISTER retransmissions double from T1 and cap at T2; the INVITE to the last server gets the full Timer B', () => {
    const ps = packets(pcapOf('05-both-servers-silent'));
    expect(ps[0]!.t).to.equal(0);
    const registers = requestTimes(ps, 'REGISTER', '10.0.0.10', '10.0.0.1');
    expect(registers.filter((t) => t < 60)).to.deep.equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]);
    // Timer F fails it at 32 s; the next attempt is reg_fail_retry_interval (30 s) later.
    expect(registers.find((t) => t > 31.5)).to.equal(62);
    // The call at 2m: sip1 bounded by Timer B (64·T1 = 32 s), then sip2, the last server.
    expect(requestTimes(ps, 'INVITE', '10.0.0.10', '10.0.0.1')).to.deep.equal([120, 120.5, 121.5, 123.5, 127.5, 135.5, 151.5]);
    expect(requestTimes(ps, 'INVITE', '10.0.0.10', '10.0.0.2')).to.deep.equal([152, 152.5, 153.5, 155.5, 159.5, 167.5, 183.5]);
    // Both servers are silent: nothing ever comes back.
    expect(ps.filter((p) => p.src !== '10.0.0.10')).to.deep.equal([]);
  });

  it('06-last-server-silent-t1-1s: with T1 = 1 s the INVITE instants double up to Timer B', () => {
    const ps = packets(pcapOf('06-last-server-silent-t1-1s'));
    expect(requestTimes(ps, 'INVITE', '10.0.0.11', '10.0.0.1')).to.deep.equal([60, 61, 63, 67, 75, 91, 123]);
  });

  it('03-server1-unreachable: one INVITE to sip1, ICMP port unreachable back, the INVITE to sip2 leaves when the ICMP arrives', () => {
    const ps = packets(pcapOf('03-server1-unreachable'));
    const toSip1 = requestTimes(ps, 'INVITE', '10.0.0.10', '10.0.0.1');
    expect(toSip1).to.deep.equal([60]);
    const icmp = ps.filter((p) => p.icmpType !== '');
    expect(icmp).to.have.length(1);
    expect(icmp[0]).to.include({ src: '10.0.0.1', dst: '10.0.0.10', icmpType: '3', icmpCode: '3' });
    // The capture is stamped at send time: the ICMP leaves sip1 when the INVITE reaches it (+20 ms).
    expect(sec(icmp[0]!.t)).to.equal(60.02);
    const toSip2 = requestTimes(ps, 'INVITE', '10.0.0.10', '10.0.0.2');
    expect(toSip2[0], 'first INVITE to sip2 = ICMP send + 20 ms link delay').to.equal(sec(icmp[0]!.t + 20_000));
    expect(toSip2[0]).to.equal(60.04);
  });

  it('04-server1-503: one INVITE to sip1, its 503 at 60.02 s, the INVITE to sip2 at 60.04 s', () => {
    const ps = packets(pcapOf('04-server1-503'));
    expect(requestTimes(ps, 'INVITE', '10.0.0.10', '10.0.0.1')).to.deep.equal([60]);
    const s503 = ps.filter((p) => p.status === '503');
    expect(s503.map((p) => [p.src, p.dst, sec(p.t)])).to.deep.equal([['10.0.0.1', '10.0.0.10', 60.02]]);
    expect(requestTimes(ps, 'INVITE', '10.0.0.10', '10.0.0.2')[0]).to.equal(60.04);
    // The 503 is acknowledged (RFC 3261 §17.1.1.3) at the instant it arrives.
    expect(requestTimes(ps, 'ACK', '10.0.0.10', '10.0.0.1')).to.deep.equal([60.04]);
  });

  // Issue 3 acceptance, read from the capture by tshark itself.
  const tcpRows = (id: string, filter: string): number[] => tsharkFields(pcapOf(id), ['frame.time_relative'], filter).map((r) => sec(micros(r[0]!)));

  it('13-tcp-primary-silent: SYNs to the silent primary at 1, 2, 4, 8, 16 s back-off (0.06, 1.06, 3.06 … and 60, 61, 63 … s)', () => {
    const syns = tcpRows('13-tcp-primary-silent', 'ip.dst == 10.0.0.1 && tcp.flags.syn == 1 && tcp.flags.ack == 0');
    expect(syns).to.deep.equal([0.06, 1.06, 3.06, 7.06, 15.06, 31.06, 60, 61, 63, 67, 75, 91]);
  });

  it('12-tcp-primary-refused: the RST comes back one round trip after the SYN and the INVITE to sip2 leaves when it arrives', () => {
    const rsts = tcpRows('12-tcp-primary-refused', 'ip.src == 10.0.0.1 && tcp.flags.reset == 1');
    expect(rsts).to.deep.equal([0.07, 30.01]);
    const ps = packets(pcapOf('12-tcp-primary-refused'));
    expect(requestTimes(ps, 'INVITE', '10.0.0.15', '10.0.0.2')).to.deep.equal([30.02]);
    expect(requestTimes(ps, 'INVITE', '10.0.0.15', '10.0.0.1')).to.deep.equal([]);
  });

  it('10-dns-ttl-requery: DNS is asked at boot, the cache serves the call at 45 s, and the question goes out again after the 60 s TTL (2m)', () => {
    const queries = tsharkFields(pcapOf('10-dns-ttl-requery'), ['frame.time_relative', 'dns.qry.name', 'dns.qry.type'], 'dns.flags.response == 0');
    expect(queries.map((r) => [sec(micros(r[0]!)), r[1], r[2]])).to.deep.equal([
      [0, '_sip._udp.pbx.example.com', '33'],
      [0.02, 'sip1.pbx.example.com', '1'],
      [120, '_sip._udp.pbx.example.com', '33'],
      [120.02, 'sip3.pbx.example.com', '1'],
    ]);
  });

  it('14-tcp-server-crash: the restarted sip1 answers the INVITE on the old connection with RST; the INVITE to sip2 follows on a new connection', () => {
    expect(tcpRows('14-tcp-server-crash', 'ip.src == 10.0.0.1 && tcp.flags.reset == 1')).to.deep.equal([120.01]);
    expect(tcpRows('14-tcp-server-crash', 'ip.dst == 10.0.0.2 && tcp.flags.syn == 1 && tcp.flags.ack == 0')).to.deep.equal([120.02]);
    const ps = packets(pcapOf('14-tcp-server-crash'));
    expect(requestTimes(ps, 'INVITE', '10.0.0.15', '10.0.0.1')).to.deep.equal([120]);
    expect(requestTimes(ps, 'INVITE', '10.0.0.15', '10.0.0.2')).to.deep.equal([120.04]);
  });

  it("24-seed-outgoing-call: the vendor's steps in the capture — INVITEs to sip1 at T1 doubling, sip2's 503, then the fallback answers", () => {
    const ps = packets(pcapOf('24-seed-outgoing-call'));
    expect(requestTimes(ps, 'INVITE', '10.0.0.12', '10.0.0.1')).to.deep.equal([120, 120.5, 121.5, 123.5, 127.5, 135.5, 151.5]);
    expect(requestTimes(ps, 'INVITE', '10.0.0.12', '10.0.0.2')).to.deep.equal([152]);
    expect(ps.filter((p) => p.src === '10.0.0.2' && p.status === '503' && p.t > 100e6).map((p) => sec(p.t))).to.deep.equal([152.01]);
    expect(requestTimes(ps, 'INVITE', '10.0.0.12', '10.0.0.3')).to.deep.equal([152.02]);
    expect(ps.filter((p) => p.src === '10.0.0.3' && p.status === '200' && p.t > 150e6 && p.t < 160e6).map((p) => sec(p.t))).to.deep.equal([153.03]);
  });
});
