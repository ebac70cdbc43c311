import { expect } from 'chai';
import fc from 'fast-check';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { HostInfo } from '../../sim/scenario/world.js';
import { distribution } from '../../reports/distribution.js';
import { FleetMetricsReducer, MetricsResult } from '../../reports/fleet-metrics.js';
import { renderMetricsCsv, renderMetricsJson } from '../../reports/metrics-output.js';

/**
 * The fleet metrics reducer on small hand-written record sequences: what each per-second
 * column counts, how registrations moving between servers count, when a share "is back" after
 * an event, and the gap distribution. No simulation runs here: the records are the input.
 */

const S = 1_000_000;
const HOSTS: HostInfo[] = [
  { name: 'sip1', ip: '10.0.0.1', role: 'server' },
  { name: 'sip2', ip: '10.0.0.2', role: 'server' },
  { name: 'dns', ip: '10.0.0.53', role: 'dns' },
];

let packet = 0;
const bytes = new TextEncoder().encode('x');

/** A SIP request from a phone to a server, sent at t and delivered 10 ms later. */
function request(t: number, from: string, to: string, method = 'REGISTER'): TraceEvent[] {
  const id = ++packet;
  const ep = { ip: '0.0.0.0', port: 5060 };
  return [
    { t, kind: 'net.send', id, from, to, proto: 'udp', src: ep, dst: ep, bytes, label: `${method} sip:pbx.example.com` },
    { t: t + 10_000, kind: 'net.deliver', id, from, to },
  ];
}
function response(t: number, from: string, to: string, status: string): TraceEvent {
  const ep = { ip: '0.0.0.0', port: 5060 };
  return { t, kind: 'net.send', id: ++packet, from, to, proto: 'udp', src: ep, dst: ep, bytes, label: `${status} (REGISTER)` };
}
function load(t: number, host: string, queue: number, action: 'queued' | 'shed' = 'queued'): TraceEvent {
  return { t, kind: 'server.load', host, from: 'office[1]', method: 'REGISTER', queue, action, ...(action === 'shed' ? { overload: '503' as const } : {}) };
}
function reg(t: number, phone: string, server: string, from: 'unregistered' | 'registered', to: 'unregistered' | 'registered'): TraceEvent {
  return { t, kind: 'phone.registration', phone, account: 1, server, from, to, reason: 'test' } as TraceEvent;
}
function working(t: number, phone: string, server: string | null): TraceEvent {
  return { t, kind: 'phone.working-server', phone, account: 1, server, reason: 'test' };
}
function action(t: number, name: string, detail: string): TraceEvent {
  return { t, kind: 'scenario.action', action: name, detail };
}

function fold(records: TraceEvent[], endS: number, count = 4): MetricsResult {
  const m = new FleetMetricsReducer(HOSTS, [{ name: 'office', count }], endS * S);
  for (const r of [...records].sort((a, b) => a.t - b.t)) m.write(r);
  return m.result(endS * S);
}
const server = (m: MetricsResult, name: string) => m.servers.find((s) => s.name === name)!;
const office = (m: MetricsResult) => m.fleets.find((f) => f.name === 'office')!;
const after = (m: MetricsResult, event: string, target: string) => office(m).afterEvents.find((a) => a.event === event && a.target === target)!;

describe('fleet metrics reducer (reports/fleet-metrics.ts)', () => {
  it('has one row per started second and only servers as server series', () => {
    const m = fold([], 2.5);
    expect(m.seconds).to.equal(3);
    expect(m.servers.map((s) => s.name)).to.deep.equal(['sip1', 'sip2']);
    expect([...office(m).on.keys()]).to.deep.equal(['sip1', 'sip2']);
  });

  it('counts an arrival in the second [k, k+1) it is delivered in, and a final response in the second it is sent', () => {
    const m = fold([
      ...request(0, 'office[1]', 'sip1'), // delivered at 0.01 s: second 0
      ...request(0.995 * S, 'office[2]', 'sip1'), // sent in second 0, delivered at 1.005 s: second 1
      ...request(1.5 * S, 'office[3]', 'sip1', 'ACK'),
      ...request(2 * S - 10_000, 'office[4]', 'sip1'), // delivered exactly at 2 s: second 2
      response(0.02 * S, 'sip1', 'office[1]', '100 Trying'), // provisional: not an answer
      response(0.03 * S, 'sip1', 'office[1]', '200 OK'),
      response(1.99 * S, 'sip1', 'office[2]', '503 Service Unavailable'),
      response(2 * S, 'sip1', 'office[4]', '200 OK'),
      // A request towards sip1 lost on the way never arrives.
      { t: 2.1 * S, kind: 'net.send', id: 900, from: 'office[1]', to: 'sip1', proto: 'udp', src: { ip: '0.0.0.0', port: 5060 }, dst: { ip: '0.0.0.0', port: 5060 }, bytes, label: 'REGISTER sip:x' },
      { t: 2.1 * S, kind: 'net.drop', id: 900, from: 'office[1]', to: 'sip1', reason: 'silent' },
    ], 3);
    expect([...server(m, 'sip1').arrived]).to.deep.equal([1, 2, 1]);
    expect([...server(m, 'sip1').answered]).to.deep.equal([1, 1, 1]);
    expect([...server(m, 'sip2').arrived]).to.deep.equal([0, 0, 0]);
  });

  it('counts shed requests per second and keeps the longest queue an arrival found in each second', () => {
    const m = fold([load(0.1 * S, 'sip1', 0), load(0.2 * S, 'sip1', 7), load(0.3 * S, 'sip1', 3), load(1.1 * S, 'sip1', 9, 'shed'), load(1.2 * S, 'sip1', 9, 'shed'), load(3.5 * S, 'sip1', 2)], 4);
    expect([...server(m, 'sip1').shed]).to.deep.equal([0, 2, 0, 0]);
    // Second 2 had no arrival: the reducer does not invent the level the queue drained to.
    expect([...server(m, 'sip1').queue]).to.deep.equal([7, 9, 0, 2]);
  });

  it('reads levels (registered, on <server>, bindings) at the end of each second', () => {
    const m = fold([
      reg(0.5 * S, 'office[1]', 'sip1', 'unregistered', 'registered'),
      working(0.5 * S, 'office[1]', 'sip1'),
      reg(1.2 * S, 'office[2]', 'sip1', 'unregistered', 'registered'),
      working(1.2 * S, 'office[2]', 'sip1'),
      // Registered and gone within second 2: the level at its end does not show it.
      reg(2.1 * S, 'office[3]', 'sip1', 'unregistered', 'registered'),
      working(2.1 * S, 'office[3]', 'sip1'),
      reg(2.9 * S, 'office[3]', 'sip1', 'registered', 'unregistered'),
      working(2.9 * S, 'office[3]', null),
      // A single (non-fleet) phone is a binding on the server but not part of any fleet.
      reg(3 * S, 'alice', 'sip1', 'unregistered', 'registered'),
    ], 4);
    expect([...office(m).registered]).to.deep.equal([1, 2, 2, 2]);
    expect([...office(m).on.get('sip1')!]).to.deep.equal([1, 2, 2, 2]);
    expect([...server(m, 'sip1').bindings]).to.deep.equal([1, 2, 2, 3]);
  });

  it('moves a binding from sip1 to sip2 when the account moves (the states are the account\'s, not the server\'s)', () => {
    const m = fold([
      reg(0.1 * S, 'office[1]', 'sip1', 'unregistered', 'registered'),
      working(0.1 * S, 'office[1]', 'sip1'),
      // The move as the phone traces it: "sip1: registered → unregistered", "sip2: registered → registered".
      reg(1.5 * S, 'office[1]', 'sip1', 'registered', 'unregistered'),
      reg(1.5 * S, 'office[1]', 'sip2', 'registered', 'registered'),
      working(1.5 * S, 'office[1]', 'sip2'),
    ], 3);
    expect([...server(m, 'sip1').bindings]).to.deep.equal([1, 0, 0]);
    expect([...server(m, 'sip2').bindings]).to.deep.equal([0, 1, 1]);
    expect([...office(m).on.get('sip2')!]).to.deep.equal([0, 1, 1]);
    // Working server all along: no gap, the phone stays registered.
    expect([...office(m).registered]).to.deep.equal([1, 1, 1]);
    expect(office(m).gap).to.equal(null);
  });

  it('after an event: a mark is reached when the share, once below it, is back; never below → 0; never back → null', () => {
    const records: TraceEvent[] = [action(0, 'boot', 'boot office')];
    for (let i = 1; i <= 4; i++) records.push(reg(i * S, `office[${i}]`, 'sip1', 'unregistered', 'registered'), working(i * S, `office[${i}]`, 'sip1'));
    records.push(action(10 * S, 'fail', 'fail sip1 (silent)'));
    // Phone 1 loses its registration at 12 s; 3 of 4 stay up (75 %); it is back at 20 s.
    records.push(reg(12 * S, 'office[1]', 'sip1', 'registered', 'unregistered'), working(12 * S, 'office[1]', null));
    records.push(reg(20 * S, 'office[1]', 'sip2', 'unregistered', 'registered'), working(20 * S, 'office[1]', 'sip2'));
    const m = fold(records, 30);
    // Boot: from 0 % the share passes 50 % with the 2nd phone (2 s), 95, 99 and 100 % with the 4th.
    expect(after(m, 'boot office', 'any').reached).to.deep.equal({ 50: 2 * S, 95: 4 * S, 99: 4 * S, 100: 4 * S });
    // After the fault the share never fell below 50 % (reached at once, 0); 95/99/100 % were back at 20 s.
    const any = after(m, 'fail sip1 (silent)', 'any');
    expect(any.reached).to.deep.equal({ 50: 0, 95: 10 * S, 99: 10 * S, 100: 10 * S });
    expect(any.minShare).to.equal(0.75);
    // On sip1 the share fell to 75 % and never came back: null above it.
    expect(after(m, 'fail sip1 (silent)', 'sip1').reached).to.deep.equal({ 50: 0, 95: null, 99: null, 100: null });
    // On sip2 the share was 0 at the event (below every mark) and rose to 25 %: nothing reached.
    const sip2 = after(m, 'fail sip1 (silent)', 'sip2');
    expect(sip2.reached).to.deep.equal({ 50: null, 95: null, 99: null, 100: null });
    expect(sip2.minShare).to.equal(0);
  });

  it('opens no share trackers for call events, and one per target for the others', () => {
    const m = fold([action(1 * S, 'calls', 'calls office'), action(2 * S, 'call', 'call office[1]'), action(3 * S, 'recover', 'recover sip1')], 5);
    expect(office(m).afterEvents.map((a) => `${a.event}/${a.target}`)).to.deep.equal(['recover sip1/any', 'recover sip1/sip1', 'recover sip1/sip2']);
  });

  it('collects unregistered gaps after a first registration, an open gap running to the end of the run', () => {
    const m = fold([
      // Phone 1: a 5 s gap (10 s → 15 s) and an open one from 25 s to the end (40 s): 15 s.
      working(1 * S, 'office[1]', 'sip1'), working(10 * S, 'office[1]', null), working(15 * S, 'office[1]', 'sip2'), working(25 * S, 'office[1]', null),
      // Phone 2: registered throughout. Phone 3: never registered (not a gap). Phone 4: a 2 s gap.
      working(1 * S, 'office[2]', 'sip1'),
      working(2 * S, 'office[4]', 'sip1'), working(30 * S, 'office[4]', null), working(32 * S, 'office[4]', 'sip1'),
    ], 40);
    const gap = office(m).gap!;
    expect(gap.count).to.equal(3);
    expect([gap.p50, gap.max]).to.deep.equal([5 * S, 15 * S]);
    expect(gap.mean).to.be.closeTo((2 + 5 + 15) * S / 3, 1);
    expect(office(m).neverRegistered).to.equal(1);
  });

  it('writes the CSV with a header row and one row per second: servers\' five columns, then each fleet\'s', () => {
    const m = fold([load(0.1 * S, 'sip2', 4, 'shed'), reg(1.5 * S, 'office[1]', 'sip2', 'unregistered', 'registered'), working(1.5 * S, 'office[1]', 'sip2')], 2);
    const rows = renderMetricsCsv(m).trimEnd().split('\n').map((l) => l.split(','));
    expect(rows[0]).to.deep.equal([
      't',
      'sip1.arrived', 'sip1.answered', 'sip1.shed', 'sip1.queue', 'sip1.bindings',
      'sip2.arrived', 'sip2.answered', 'sip2.shed', 'sip2.queue', 'sip2.bindings',
      'office.registered', 'office.on.sip1', 'office.on.sip2',
    ]);
    expect(rows.slice(1)).to.deep.equal([
      ['0', '0', '0', '0', '0', '0', '0', '0', '1', '4', '0', '0', '0', '0'],
      ['1', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1', '1', '0', '1'],
    ]);
  });

  it('writes the JSON with the same series, the share instants and the distributions in seconds', () => {
    const m = fold([action(0, 'boot', 'boot office'), working(1 * S, 'office[1]', 'sip1'), working(3 * S, 'office[1]', null), working(4.5 * S, 'office[1]', 'sip1'), load(2 * S, 'sip1', 3, 'shed')], 5, 1);
    const j = JSON.parse(renderMetricsJson(m)) as {
      seconds: number;
      servers: { name: string; shed: number[]; queue: number[] }[];
      fleets: { name: string; registered: number[]; gap: { count: number; p50: number; max: number }; afterEvents: { event: string; target: string; reached: Record<string, number | null> }[] }[];
    };
    expect(j.seconds).to.equal(5);
    expect(j.servers.find((s) => s.name === 'sip1')!.shed).to.deep.equal([0, 0, 1, 0, 0]);
    expect(j.servers.find((s) => s.name === 'sip1')!.queue).to.deep.equal([0, 0, 3, 0, 0]);
    expect(j.fleets[0]!.registered).to.deep.equal([0, 1, 1, 0, 1]);
    expect(j.fleets[0]!.gap).to.deep.include({ count: 1, p50: 1.5, max: 1.5 });
    expect(j.fleets[0]!.afterEvents.find((a) => a.target === 'any')!.reached).to.deep.equal({ 50: 1, 95: 1, 99: 1, 100: 1 });
  });
});

describe('nearest-rank distribution (reports/distribution.ts)', () => {
  it('picks the smallest value with at least p % of the sample at or below it', () => {
    const d = distribution(Array.from({ length: 100 }, (_, i) => 100 - i))!; // 1..100, unsorted
    expect(d).to.deep.equal({ count: 100, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
    expect(distribution([7])).to.deep.equal({ count: 1, p50: 7, p95: 7, p99: 7, max: 7, mean: 7 });
    // Two values: the 50th percentile is the lower one (rank ⌈0.5·2⌉ = 1), p95 the upper.
    expect(distribution([30, 10])).to.deep.include({ p50: 10, p95: 30, p99: 30, max: 30 });
    expect(distribution([])).to.equal(null);
  });

  it('property: p50 ≤ p95 ≤ p99 ≤ max, each a member of the sample, mean within [min, max]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000_000 }), { minLength: 1, maxLength: 300 }), (xs) => {
        const d = distribution(xs)!;
        expect(d.count).to.equal(xs.length);
        expect(d.p50).to.be.at.most(d.p95);
        expect(d.p95).to.be.at.most(d.p99);
        expect(d.p99).to.be.at.most(d.max);
        for (const v of [d.p50, d.p95, d.p99, d.max]) expect(xs).to.include(v);
        expect(d.max).to.equal(Math.max(...xs));
        expect(d.mean).to.be.within(Math.min(...xs) - 1e-6, d.max + 1e-6);
        // Nearest rank: at least p % of the sample is at or below the p-th percentile, and fewer below it.
        for (const [p, v] of [[50, d.p50], [95, d.p95], [99, d.p99]] as const) {
          expect(xs.filter((x) => x <= v).length).to.be.at.least(Math.ceil((p / 100) * xs.length));
          expect(xs.filter((x) => x < v).length).to.be.below(Math.ceil((p / 100) * xs.length));
        }
      }),
      { numRuns: 300, seed: 27 },
    );
  });
});
