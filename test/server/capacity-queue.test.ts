import { expect } from 'chai';
import { Clock, Micros } from '../../sim/core/clock.js';
import { Trace, TraceEvent } from '../../sim/core/trace.js';
import type { SipRequest } from '../../sim/sip/message.js';
import type { SipTarget } from '../../sim/sip/sip-endpoint.js';
import { CapacityQueue, ServerCapacity } from '../../sim/server/capacity-queue.js';

/**
 * The queue alone, on a bare clock: which requests it serves, in what order, at which instants,
 * which it sheds, and what it costs (one pending clock event however long it grows).
 */

const request = (method: string, n: number): SipRequest => ({ type: 'request', method, uri: `sip:${n}@pbx`, headers: [], body: '' });
const SOURCE: SipTarget = { ip: '10.0.0.10', port: 5060 };

function setup(capacity: Partial<ServerCapacity> & Pick<ServerCapacity, 'count' | 'period'>) {
  const clock = new Clock();
  const trace = new Trace(() => clock.now, { keep: true });
  const served: [Micros, string][] = [];
  const rejected: [Micros, string, Micros | undefined][] = [];
  const queue = new CapacityQueue(clock, trace, 'sip1', { overload: '503', ...capacity }, {
    serve: (req) => served.push([clock.now, req.uri]),
    reject: (req, _src, retryAfter) => rejected.push([clock.now, req.uri, retryAfter]),
    nameOf: (src) => src.ip,
  });
  /** Requests arriving at instant t, each named by its number. */
  const arrive = (t: Micros, method: string, ...ns: number[]): void => {
    clock.at(t, () => ns.forEach((n) => queue.arrive(request(method, n), SOURCE)));
  };
  const loads = (): Omit<Extract<TraceEvent, { kind: 'server.load' }>, 'kind' | 'host' | 'from'>[] =>
    trace.records.flatMap((r) => (r.kind === 'server.load' ? [{ t: r.t, method: r.method, queue: r.queue, action: r.action, ...(r.overload ? { overload: r.overload } : {}) }] : []));
  return { clock, trace, queue, served, rejected, arrive, loads };
}

describe('CapacityQueue', () => {
  it('serves FIFO, each request 1/rate after the previous one ends: 4/s, three at 0, one at 2 s', () => {
    const q = setup({ count: 4, period: 1_000_000 });
    q.arrive(0, 'REGISTER', 1, 2, 3);
    q.arrive(100_000, 'REGISTER', 4); // 1 is still in service: waits behind 2 and 3
    q.arrive(2_000_000, 'OPTIONS', 5); // the server is idle again: served 250 ms after its arrival
    q.clock.run();
    expect(q.served).to.deep.equal([
      [250_000, 'sip:1@pbx'], [500_000, 'sip:2@pbx'], [750_000, 'sip:3@pbx'], [1_000_000, 'sip:4@pbx'], [2_250_000, 'sip:5@pbx'],
    ]);
    expect(q.loads()).to.deep.equal([
      { t: 0, method: 'REGISTER', queue: 0, action: 'queued' },
      { t: 0, method: 'REGISTER', queue: 1, action: 'queued' },
      { t: 0, method: 'REGISTER', queue: 2, action: 'queued' },
      { t: 100_000, method: 'REGISTER', queue: 3, action: 'queued' },
      { t: 2_000_000, method: 'OPTIONS', queue: 0, action: 'queued' },
    ]);
  });

  it('keeps exact integer instants when 1/rate is not a whole number of µs: 3/s serves at ⌈k·10⁶/3⌉', () => {
    const q = setup({ count: 3, period: 1_000_000 });
    q.arrive(0, 'REGISTER', 1, 2, 3, 4, 5, 6, 7);
    q.clock.run();
    expect(q.served.map(([t]) => t)).to.deep.equal([333_334, 666_667, 1_000_000, 1_333_334, 1_666_667, 2_000_000, 2_333_334]);
  });

  it('sheds past `queue` waiting with a 503 carrying retryAfter, and serves the rest', () => {
    const q = setup({ count: 1, period: 1_000_000, queue: 2, retryAfter: 20_000_000 });
    q.arrive(0, 'REGISTER', 1, 2, 3, 4, 5);
    q.clock.run();
    expect(q.served).to.deep.equal([[1_000_000, 'sip:1@pbx'], [2_000_000, 'sip:2@pbx'], [3_000_000, 'sip:3@pbx']]);
    expect(q.rejected).to.deep.equal([[0, 'sip:4@pbx', 20_000_000], [0, 'sip:5@pbx', 20_000_000]]);
    expect(q.loads().slice(3)).to.deep.equal([
      { t: 0, method: 'REGISTER', queue: 2, action: 'shed', overload: '503' },
      { t: 0, method: 'REGISTER', queue: 2, action: 'shed', overload: '503' },
    ]);
  });

  it('queue 0: only an idle server takes a request; drop sheds silently; an ACK is never answered, even with overload 503', () => {
    const drop = setup({ count: 1, period: 1_000_000, queue: 0, overload: 'drop' });
    drop.arrive(0, 'REGISTER', 1, 2);
    drop.clock.run();
    expect(drop.served).to.deep.equal([[1_000_000, 'sip:1@pbx']]);
    expect(drop.rejected).to.deep.equal([]);
    expect(drop.loads()[1]).to.deep.equal({ t: 0, method: 'REGISTER', queue: 0, action: 'shed', overload: 'drop' });

    const ack = setup({ count: 1, period: 1_000_000, queue: 0 });
    ack.arrive(0, 'INVITE', 1);
    ack.arrive(0, 'ACK', 2);
    ack.clock.run();
    expect(ack.rejected).to.deep.equal([]);
    expect(ack.loads()[1]).to.deep.equal({ t: 0, method: 'ACK', queue: 0, action: 'shed', overload: 'drop' });
  });

  it('a crash empties it: nothing queued before is served, the loss is traced once with its count', () => {
    const q = setup({ count: 1, period: 1_000_000 });
    q.arrive(0, 'REGISTER', 1, 2, 3);
    q.clock.at(1_500_000, () => q.queue.clear('host silent: queued requests lost'));
    q.clock.at(1_600_000, () => q.queue.clear('nothing left: no record'));
    q.arrive(5_000_000, 'REGISTER', 4);
    q.clock.run();
    expect(q.served).to.deep.equal([[1_000_000, 'sip:1@pbx'], [6_000_000, 'sip:4@pbx']]);
    const lost = q.trace.records.filter((r) => r.kind === 'server.queue-lost');
    expect(lost).to.deep.equal([{ kind: 'server.queue-lost', host: 'sip1', lost: 2, reason: 'host silent: queued requests lost', t: 1_500_000 }]);
  });

  it('100,000 requests at once: one pending clock event throughout, served in order, 1/rate apart, linear time', () => {
    const q = setup({ count: 800, period: 1_000_000 });
    const n = 100_000;
    const started = process.hrtime.bigint();
    q.clock.at(0, () => {
      for (let i = 0; i < n; i++) q.queue.arrive(request('REGISTER', i), SOURCE);
    });
    q.clock.step();
    expect(q.clock.pending).to.equal(1);
    expect(q.queue.waiting).to.equal(n - 1);
    let inOrder = true;
    let maxPending = 0;
    let count = 0;
    while (q.clock.step()) {
      maxPending = Math.max(maxPending, q.clock.pending);
      if (q.served[count]![1] !== `sip:${count}@pbx`) inOrder = false;
      count++;
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(count).to.equal(n);
    expect(inOrder).to.equal(true);
    expect(maxPending).to.equal(1);
    // 800/s: request k (from 1) ends at k × 1.25 ms; the last at 125 s.
    expect(q.served[n - 1]![0]).to.equal(125_000_000);
    expect(q.served[799]![0]).to.equal(1_000_000);
    // ~0.6 s here, trace records included: a generous bound that still catches a queue whose operations grow with its length.
    expect(ms).to.be.below(5000);
  });
});
