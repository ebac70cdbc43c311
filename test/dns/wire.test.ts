import { expect } from 'chai';
import dnsPacket from 'dns-packet';
import { ms } from '../../sim/core/time.js';
import type { NetSend } from '../../sim/core/trace.js';
import type { Datagram } from '../../sim/net/host.js';
import { DNS_PORT } from '../../sim/dns/dns-server.js';
import { encodeQuery } from '../../sim/dns/wire.js';
import { DNS_IP, DnsWorld, PHONE_IP } from './harness.js';

/** Sends a raw query from a bare socket on the phone and returns what came back. */
function ask(w: DnsWorld, id: number, name: string, type: string): (Datagram & { t: number })[] {
  const got: (Datagram & { t: number })[] = [];
  w.phone.bind(40000, { onDatagram: (d) => void got.push({ ...d, t: w.clock.now }), onIcmpError: () => {} });
  w.network.sendUdp(w.phone, 40000, { ip: DNS_IP, port: DNS_PORT }, encodeQuery(id, name, type), `DNS query ${type} ${name}`, true);
  w.clock.run();
  return got;
}

describe('DNS wire format (decoded with dns-packet)', () => {
  it('an SRV answer: id echoed, QR+AA, NOERROR, answers and additional A records', () => {
    const w = new DnsWorld();
    const got = ask(w, 4242, '_sip._udp.pbx.example.com', 'SRV');
    expect(got.map((d) => [d.t, d.src])).to.deep.equal([[ms(40), { ip: DNS_IP, port: 53 }]]);
    const p = dnsPacket.decode(got[0]!.payload) as ReturnType<typeof dnsPacket.decode> & { rcode: string };
    expect([p.id, p.flag_qr, p.flag_aa, p.flag_rd, p.rcode]).to.deep.equal([4242, true, true, true, 'NOERROR']);
    expect(p.questions).to.deep.equal([{ name: '_sip._udp.pbx.example.com', type: 'SRV', class: 'IN' }]);
    expect(p.answers!.map((a) => [a.name, a.type, 'ttl' in a ? a.ttl : undefined, a.type === 'SRV' ? a.data : undefined])).to.deep.equal([
      ['_sip._udp.pbx.example.com', 'SRV', 300, { priority: 10, weight: 50, port: 5060, target: 'sip1.pbx.example.com' }],
      ['_sip._udp.pbx.example.com', 'SRV', 300, { priority: 20, weight: 50, port: 5060, target: 'sip2.pbx.example.com' }],
    ]);
    expect(p.additionals!.map((a) => [a.name, a.type, a.type === 'A' ? a.data : undefined])).to.deep.equal([
      ['sip1.pbx.example.com', 'A', '10.0.0.1'],
      ['sip2.pbx.example.com', 'A', '10.0.0.2'],
    ]);
  });

  it('NXDOMAIN carries the SOA in the authority section', () => {
    const w = new DnsWorld();
    const p = dnsPacket.decode(ask(w, 7, 'nope.pbx.example.com', 'A')[0]!.payload) as ReturnType<typeof dnsPacket.decode> & { rcode: string };
    expect([p.id, p.rcode, p.answers!.length]).to.deep.equal([7, 'NXDOMAIN', 0]);
    expect(p.authorities!.map((a) => (a.type === 'SOA' ? [a.name, a.ttl, a.data.minimum] : a.type))).to.deep.equal([['example.com', 3600, 30]]);
  });

  it('NAPTR rdata survives the wire', () => {
    const w = new DnsWorld();
    const p = dnsPacket.decode(ask(w, 9, 'pbx.example.com', 'NAPTR')[0]!.payload);
    expect(p.answers!.map((a) => (a.type === 'NAPTR' ? a.data : a.type))).to.deep.equal([
      { order: 10, preference: 50, flags: 's', services: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.pbx.example.com' },
      { order: 20, preference: 50, flags: 's', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.pbx.example.com' },
    ]);
  });

  it('the resolver’s query and the server’s answer appear in the trace as base64 DNS with ladder labels', () => {
    const w = new DnsWorld();
    w.resolveAt(0, 'sip1.pbx.example.com', 'A');
    w.clock.run();
    const sends = w.trace.records.filter((e): e is NetSend => e.kind === 'net.send');
    expect(sends.map((s) => [s.t, s.from, s.to, s.src, s.dst, s.label, s.encoding])).to.deep.equal([
      [0, 'phone', 'dns', { ip: PHONE_IP, port: 53053 }, { ip: DNS_IP, port: 53 }, 'DNS query A sip1.pbx.example.com', 'base64'],
      [ms(20), 'dns', 'phone', { ip: DNS_IP, port: 53 }, { ip: PHONE_IP, port: 53053 }, 'DNS answer A sip1.pbx.example.com (1)', 'base64'],
    ]);
    const q = dnsPacket.decode(Buffer.from(sends[0]!.bytes));
    expect([q.type, q.id, q.flag_rd, q.questions]).to.deep.equal(['query', 1, true, [{ name: 'sip1.pbx.example.com', type: 'A', class: 'IN' }]]);
    const a = dnsPacket.decode(Buffer.from(sends[1]!.bytes));
    expect([a.type, a.id, a.answers!.map((r) => (r.type === 'A' ? r.data : r.type))]).to.deep.equal(['response', 1, ['10.0.0.1']]);
  });

  it('the server ignores responses and garbage sent to it', () => {
    const w = new DnsWorld();
    w.phone.bind(40001, { onDatagram: () => expect.fail('no answer expected'), onIcmpError: () => {} });
    const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'x.example.com' }] });
    w.network.sendUdp(w.phone, 40001, { ip: DNS_IP, port: 53 }, response, 'stray response', true);
    w.network.sendUdp(w.phone, 40001, { ip: DNS_IP, port: 53 }, Buffer.from([1, 2, 3]), 'garbage', true);
    w.clock.run();
    expect(w.server.answered).to.equal(0);
  });
});
