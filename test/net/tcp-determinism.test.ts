import { expect } from 'chai';
import { RandomStreams } from '../../sim/core/random.js';
import { sec } from '../../sim/core/time.js';
import type { NetSend } from '../../sim/core/trace.js';
import { writePcap } from '../../reports/pcap.js';
import { SIP1, SIP1_TLS, TcpWorld } from './tcp-harness.js';

/** A busy lossy run: plain and TLS connections, requests and echoes, a crash, a partition. */
function busyRun(seed: number): TcpWorld {
  const w = new TcpWorld({ seed, link: { loss: 0.15, jitter: sec(0.03) } });
  w.listen(5060, { echo: true });
  w.listen(5061, { tls: true, echo: true });
  const plain = w.tcp.connect('alice', SIP1, {}, w.recorder('plain'));
  const tls = w.tcp.connect('alice', SIP1_TLS, { tls: true }, w.recorder('tls'));
  for (let i = 0; i < 10; i++) {
    w.at(0.5 + i * 0.2, () => plain.isOpen && plain.send(Buffer.from(`p${i}`), `p${i}`));
    w.at(0.5 + i * 0.2, () => tls.isOpen && tls.send(Buffer.from(`t${i}`), `t${i}`));
  }
  w.at(20, () => w.links.partition('alice', 'sip1'));
  w.at(25, () => w.links.heal('alice', 'sip1'));
  w.at(30, () => (w.sip1.mode = 'silent'));
  w.at(35, () => (w.sip1.mode = 'up'));
  w.at(40, () => plain.isOpen && plain.send(Buffer.from('after'), 'after'));
  w.run(200);
  return w;
}

describe('TCP determinism and shared link randomness', () => {
  it('same seed ⇒ identical trace and identical pcap bytes; another seed ⇒ a different trace', () => {
    const a = busyRun(7);
    const b = busyRun(7);
    const c = busyRun(8);
    expect(JSON.stringify(a.records)).to.equal(JSON.stringify(b.records));
    expect(writePcap(a.records).equals(writePcap(b.records))).to.equal(true);
    expect(JSON.stringify(a.records)).to.not.equal(JSON.stringify(c.records));
    expect(a.log).to.deep.equal(b.log);
    expect(a.records.filter((r) => r.kind === 'net.drop').length).to.be.greaterThan(0);
  });

  it("UDP and TCP on one link draw from one stream, 'link:<from>><to>', two draws (loss, jitter) per packet", () => {
    const loss = 0.5;
    const w = new TcpWorld({ seed: 11, link: { loss } });
    w.listen();
    w.sip1.bind(5070, { onDatagram: () => {}, onIcmpError: () => {} });
    for (let i = 0; i < 12; i++) {
      w.at(i, () => w.network.sendUdp(w.alice, 5070, { ip: SIP1.ip, port: 5070 }, Buffer.from(`u${i}`), `u${i}`));
      w.at(i + 0.5, () => w.tcp.connect('alice', SIP1));
    }
    w.run(20);
    const replay = new RandomStreams(11).stream('link:alice>sip1');
    const sends = w.records.filter((r): r is NetSend => r.kind === 'net.send' && r.from === 'alice');
    const predicted = sends.filter(() => {
      const lossDraw = replay();
      replay(); // jitter draw
      return lossDraw < loss;
    });
    const lost = new Set(w.records.filter((r) => r.kind === 'net.drop' && r.reason === 'loss' && r.from === 'alice').map((r) => (r as { id: number }).id));
    expect(predicted.map((r) => r.id)).to.deep.equal(sends.filter((r) => lost.has(r.id)).map((r) => r.id));
    expect(new Set(sends.map((r) => r.proto))).to.deep.equal(new Set(['udp', 'tcp']));
  });
});
