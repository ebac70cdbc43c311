// @ts-ignore TS7016
import { expect } from 'chai';
import { Clock } from '../../sim/core/clock.js';
import { RandomStreams } from '../../sim/core/random.js';
import { Trace } from '../../sim/core/trace.js';
import type { Endpoint } from '../../sim/core/trace.js';
import { type Datagram, type Host, HostEndpoint } from '../../sim/net/host.js';
import { LinkTable } from '../../sim/net/link-table.js';
import { Network } from '../../sim/net/network.js';
import { renderJsonl } from '../../reports/jsonl.js';

/** A Map that counts look-ups: the network's address table, watched. */
class CountingMap<K, V> extends Map<K, V> {
  gets = 0;
  override get(k: K): V | undefined {
    this.gets++;
    return super.get(k);
  }
}

function world() {
  const clock = new Clock();
  const trace = new Trace(() => clock.now, { keep: true });
  const records = trace.records;
  const net = new Network(clock, trace, new RandomStreams(1), new LinkTable({ delay: 10_000, jitter: 0, loss: 0 }));
  const byIp = new CountingMap<string, Host>();
  (net as unknown as { byIp: Map<string, Host> }).byIp = byIp;
  return { clock, net, byIp, records };
}

// A server answers a request by sending to the request's source endpoint; in a 100,000-phone
// fleet finding the phone's host by address was two thirds of that send (cache misses in a
// 100,000-entry Map). The source endpoint knows its host, so the answer needs no look-up.
describe('endpoints that know their host', () => {
  it('an answer sent to the datagram source reaches the sender without an address look-up', () => {
    const { clock, net, byIp, records } = world();
    const phone = net.addHost('phone', '10.0.1.7');
    const server = net.addHost('server', '10.0.0.1');
    const heard: Datagram[] = [];
    server.bind(5060, { onDatagram: (d) => net.sendUdp(server, 5060, d.src, Buffer.from('answer'), 'answer'), onIcmpError: () => {} });
    phone.bind(5060, { onDatagram: (d) => heard.push(d), onIcmpError: () => {} });
    net.sendUdp(phone, 5060, { ip: '10.0.0.1', port: 5060 }, Buffer.from('ask'), 'ask');
    expect(byIp.gets).to.equal(1); // the phone's send: a plain address
    clock.run();
    expect(byIp.gets).to.equal(1); // the answer: none
    expect(heard.map((d) => d.payload.toString())).to.deep.equal(['answer']);
    expect(heard[0]!.src).to.deep.equal({ ip: '10.0.0.1', port: 5060 });
    expect(records.filter((r) => r.kind === 'net.deliver').map((r) => (r as { to: string }).to)).to.deep.equal(['server', 'phone']);
  });

  it('a plain endpoint, or a copy of a host endpoint, is still found by its address', () => {
    const { clock, net, byIp } = world();
    const a = net.addHost('a', '10.0.0.1');
    const b = net.addHost('b', '10.0.0.2');
    const seen: string[] = [];
    b.bind(53, { onDatagram: (d) => seen.push(d.payload.toString()), onIcmpError: () => {} });
    const own = b.endpoint(53);
    // A spread copies the address, never the host: `{ ...e, ip }` cannot point at the wrong host.
    const copy: Endpoint = { ...own };
    expect(HostEndpoint.hostOf(own)).to.equal(b);
    expect(HostEndpoint.hostOf(copy)).to.equal(undefined);
    expect(HostEndpoint.hostOf({ ...own, ip: '10.0.0.1' })).to.equal(undefined);
    net.sendUdp(a, 1000, copy, Buffer.from('one'), 'one');
    net.sendUdp(a, 1000, own, Buffer.from('two'), 'two');
    clock.run();
    expect(seen).to.deep.equal(['one', 'two']);
    expect(byIp.gets).to.equal(1);
    expect(net.hostAt(copy)).to.equal(b);
    expect(net.hostAt({ ip: '192.0.2.9', port: 1 })).to.equal(undefined);
  });

  it('the host is not part of the endpoint anywhere it is written: JSONL, JSON, deep equality', () => {
    const { clock, net, records } = world();
    const a = net.addHost('a', '10.0.0.1');
    net.addHost('b', '10.0.0.2');
    const e = a.endpoint(5060);
    expect(JSON.stringify(e)).to.equal('{"ip":"10.0.0.1","port":5060}');
    expect(Object.keys(e)).to.deep.equal(['ip', 'port']);
    expect(e).to.deep.equal({ ip: '10.0.0.1', port: 5060 });
    net.sendUdp(a, 5060, { ip: '10.0.0.2', port: 9 }, Buffer.from('x'), 'x');
    clock.run();
    const line = renderJsonl(records).split('\n')[0]!;
    expect(line).to.contain('"src":{"ip":"10.0.0.1","port":5060},"dst":{"ip":"10.0.0.2","port":9}');
  });
});
