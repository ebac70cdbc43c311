// @ts-ignore TS7016
import { expect } from 'chai';
import { Clock } from '../../sim/core/clock.js';
import { RandomStreams } from '../../sim/core/random.js';
import { Trace } from '../../sim/core/trace.js';
import { LinkTable } from '../../sim/net/link-table.js';
import { LOST, Network } from '../../sim/net/network.js';

/** What every packet saw before ideal links skipped their draws: two draws (loss, jitter) from link:<from>><to>. */
function reference(seed: number, name: string, links: { loss: number; jitter: number; delay: number }[]): number[] {
  const rng = new RandomStreams(seed).stream(name);
  return links.map((l) => {
    const loss = rng();
    const jitter = rng();
    return loss < l.loss ? LOST : l.delay + Math.round(jitter * l.jitter);
  });
}

describe('link draws (ideal links draw lazily)', () => {
  it('a link that turns lossy after ideal packets draws exactly as if it had drawn for every packet', () => {
    const clock = new Clock();
    const links = new LinkTable({ delay: 10_000, jitter: 0, loss: 0 });
    const net = new Network(clock, new Trace(() => clock.now), new RandomStreams(7), links);
    const a = net.addHost('a', '10.0.0.1');
    const b = net.addHost('b', '10.0.0.2');
    const plan: { loss: number; jitter: number; delay: number }[] = [];
    const seen: number[] = [];
    for (let i = 0; i < 60; i++) {
      // 20 ideal packets, 20 lossy with jitter, 10 ideal again, 10 lossy again.
      const lossy = (i >= 20 && i < 40) || i >= 50;
      const params = lossy ? { delay: 10_000, jitter: 5_000, loss: 0.3 } : { delay: 10_000, jitter: 0, loss: 0 };
      links.update('a', 'b', params);
      plan.push(params);
      seen.push(net.packetDelay(a, b));
    }
    expect(seen).to.deep.equal(reference(7, 'link:a>b', plan));
    expect(seen.filter((d) => d === LOST).length).to.be.greaterThan(0);
    expect(new Set(seen.slice(20, 40)).size).to.be.greaterThan(3); // jitter really drawn
  });

  it('each direction keeps its own stream', () => {
    const clock = new Clock();
    const links = new LinkTable({ delay: 1_000, jitter: 1_000, loss: 0 });
    const net = new Network(clock, new Trace(() => clock.now), new RandomStreams(3), links);
    const a = net.addHost('a', '10.0.0.1');
    const b = net.addHost('b', '10.0.0.2');
    const ab = [net.packetDelay(a, b), net.packetDelay(a, b)];
    const ba = [net.packetDelay(b, a)];
    const p = { delay: 1_000, jitter: 1_000, loss: 0 };
    expect(ab).to.deep.equal(reference(3, 'link:a>b', [p, p]));
    expect(ba).to.deep.equal(reference(3, 'link:b>a', [p]));
  });

  it('a frozen table (no link events in the run) gives the same delays and refuses changes', () => {
    const clock = new Clock();
    const links = new LinkTable({ delay: 2_000, jitter: 0, loss: 0 });
    links.update('a', 'c', { loss: 0.5, jitter: 1_000 });
    links.freeze();
    const net = new Network(clock, new Trace(() => clock.now), new RandomStreams(5), links);
    const a = net.addHost('a', '10.0.0.1');
    const b = net.addHost('b', '10.0.0.2');
    const c = net.addHost('c', '10.0.0.3');
    expect([net.packetDelay(a, b), net.packetDelay(a, b)]).to.deep.equal([2_000, 2_000]);
    const lossy = { delay: 2_000, jitter: 1_000, loss: 0.5 };
    const seen = Array.from({ length: 20 }, () => net.packetDelay(a, c));
    expect(seen).to.deep.equal(reference(5, 'link:a>c', Array(20).fill(lossy)));
    expect(() => links.update('a', 'b', { loss: 0.1 })).to.throw(/frozen/);
  });
});
