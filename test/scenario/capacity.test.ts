import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { payloadText, type TraceEvent } from '../../sim/core/trace.js';
import type { Scenario } from '../../sim/scenario/scenario.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { renderLadder } from '../../reports/ladder.js';
import { ONE_SERVER_CFG } from '../helpers/one-server-cfg.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * servers.X.capacity end to end: phones registering with a server that serves requests at a
 * rate behind a bounded queue. Every phone has sip1 only (no fallback), RFC 3261 timers
 * (T1 = 500 ms, Timer F = 32 s) and 20 ms links, so the instants below are arithmetic.
 */


type Load = Extract<TraceEvent, { kind: 'server.load' }>;
const loads = (records: readonly TraceEvent[]): Load[] => records.filter((r): r is Load => r.kind === 'server.load');
/** (seconds, from, label) of every packet between phones and sip1. */
const packets = (records: readonly TraceEvent[], filter: (from: string, to: string) => boolean): [number, string, string][] =>
  records.flatMap((r) => (r.kind === 'net.send' && filter(r.from, r.to) ? [[r.t / 1e6, r.from, r.label] as [number, string, string]] : []));

describe('server capacity (servers.X.capacity)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-capacity-'));
    fs.copyFileSync(path.join(repoRoot, 'scenarios', 'phones', 'common.cfg'), path.join(tmp, 'common.cfg'));
    fs.writeFileSync(path.join(tmp, 'one.cfg'), ONE_SERVER_CFG);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** `phones` phones p0… booting at 0 s, registering with sip1 (capacity `capacity`), plus `events` lines. */
  function scenario(name: string, phones: number, capacity: string, duration = '1m', events: string[] = []): string {
    const lines = [`name: ${name}`, `duration: ${duration}`, 'phones:'];
    for (let i = 0; i < phones; i++) lines.push(`  p${i}: { address: 10.1.${Math.floor(i / 250)}.${1 + (i % 250)}, config: [common.cfg, one.cfg] }`);
    lines.push('servers:', `  sip1: { address: 10.0.0.1, capacity: ${capacity} }`, 'events:');
    for (let i = 0; i < phones; i++) lines.push(`  - { at: 0s, boot: p${i} }`);
    lines.push(...events.map((e) => `  - ${e}`));
    const file = path.join(tmp, `${name}.yaml`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }
  const run = (file: string): readonly TraceEvent[] => runRecorded(loadScenario(file)).records;

  it('serves the phones\' REGISTERs FIFO, 1/rate apart from their arrival: 4/s, three arrive at 20 ms', () => {
    const records = run(scenario('fifo', 3, '{ rate: 4/s }'));
    // Arrivals at 0.02 s; answers at 0.02 + k/4 s, in boot order.
    expect(packets(records, (f) => f === 'sip1').slice(0, 3)).to.deep.equal([
      [0.27, 'sip1', '200 OK (REGISTER)'], [0.52, 'sip1', '200 OK (REGISTER)'], [0.77, 'sip1', '200 OK (REGISTER)'],
    ]);
    expect(records.filter((r) => r.kind === 'net.send' && r.to === 'p0' && r.from === 'sip1').map((r) => r.t / 1e6)[0]).to.equal(0.27);
    expect(records.filter((r) => r.kind === 'net.send' && r.to === 'p2' && r.from === 'sip1').map((r) => r.t / 1e6)[0]).to.equal(0.77);
    expect(loads(records).slice(0, 3).map((l) => [l.t / 1e6, l.from, l.method, l.queue, l.action])).to.deep.equal([
      [0.02, 'p0', 'REGISTER', 0, 'queued'], [0.02, 'p1', 'REGISTER', 1, 'queued'], [0.02, 'p2', 'REGISTER', 2, 'queued'],
    ]);
    // p1's and p2's REGISTERs waited past T1: their retransmissions at 0.5 s (arriving 0.52 s, as p1's
    // service ends) are load too, and queue behind p2's original, now in service.
    expect(loads(records).slice(3, 5).map((l) => [l.t / 1e6, l.from, l.queue])).to.deep.equal([[0.52, 'p1', 1], [0.52, 'p2', 2]]);
    // p1 heard its 200 at 0.54 s and stops; the retransmissions are still served, each answered again from the
    // completed server transaction: 1.02 s (p1's), 1.27 s (p2's).
    expect(packets(records, (f) => f === 'sip1').slice(3, 5)).to.deep.equal([[1.02, 'sip1', '200 OK (REGISTER)'], [1.27, 'sip1', '200 OK (REGISTER)']]);
  });

  it('accepts 48000/min as 800/s: the same service instants', () => {
    const perMinute = run(scenario('per-min', 20, '{ rate: 48000/min }'));
    const perSecond = run(scenario('per-sec', 20, '{ rate: 800/s }'));
    const answers = (rs: readonly TraceEvent[]) => packets(rs, (f) => f === 'sip1').map(([t]) => t);
    expect(answers(perMinute)).to.deep.equal(answers(perSecond));
    expect(answers(perSecond).slice(0, 3)).to.deep.equal([0.02125, 0.0225, 0.02375]);
  });

  it('past `queue` waiting, sheds with a 503 at once carrying Retry-After; the phone waits at least that long', () => {
    const records = run(scenario('shed-503', 3, '{ rate: 2/s, queue: 1, overload: 503, retryAfter: 40s }'));
    const shed = loads(records).filter((l) => l.action === 'shed');
    expect(shed[0]).to.include({ t: 20_000, from: 'p2', method: 'REGISTER', queue: 1, action: 'shed', overload: '503' });
    const reply = records.find((r): r is Extract<TraceEvent, { kind: 'net.send' }> => r.kind === 'net.send' && r.from === 'sip1' && r.to === 'p2')!;
    expect([reply.t, reply.label]).to.deep.equal([20_000, '503 Service Unavailable (REGISTER)']);
    expect(payloadText(reply)).to.match(/\r\nRetry-After: 40\r\n/);
    const failed = records.find((r) => r.kind === 'phone.registration' && r.phone === 'p2' && r.to === 'failed');
    expect(failed).to.include({ t: 40_000, reason: '503 Service Unavailable from sip1, Retry-After 40s' });
    // The phone's own back-off (10–20 s after one failure) is shorter: Retry-After decides.
    const next = packets(records, (f, t) => f === 'p2' && t === 'sip1').map(([t]) => t);
    expect(next.slice(0, 2)).to.deep.equal([0, 40.04]);
    expect(ladderOf(loadScenario(path.join(tmp, 'shed-503.yaml')))).to.contain('sip1: REGISTER shed, queue full (1 waiting): 503 at once');
  });

  it('overload drop sheds silently: the phone hears nothing, retransmits at T1 (Timer E), and that retransmission is new load', () => {
    const records = run(scenario('shed-drop', 2, '{ rate: 4/s, queue: 0, overload: drop }'));
    expect(loads(records).map((l) => [l.t / 1e6, l.from, l.action, l.overload ?? ''])).to.deep.equal([
      [0.02, 'p0', 'queued', ''], [0.02, 'p1', 'shed', 'drop'], [0.52, 'p1', 'queued', ''],
    ]);
    expect(packets(records, (f, t) => f === 'sip1' && t === 'p1')).to.deep.equal([[0.77, 'sip1', '200 OK (REGISTER)']]);
    const retransmit = records.find((r) => r.kind === 'sip.retransmit' && r.host === 'p1');
    expect(retransmit).to.include({ t: 500_000, timer: 'E', count: 1 });
    expect(records.find((r) => r.kind === 'phone.registration' && r.phone === 'p1' && r.to === 'registered')).to.include({ t: 790_000 });
  });

  it('INVITEs and ACKs are load too: a shed INVITE gets 503 and its call fails; the ACK for it, shed, is dropped', () => {
    const calls = ['{ at: 10s, call: { from: p0, to: "2000" } }', '{ at: 10s, call: { from: p1, to: "2000" } }', '{ at: 10s, call: { from: p2, to: "2000" } }'];
    const file = scenario('invite', 3, '{ rate: 4/s, queue: 1 }', '1m', calls);
    // Stagger the boots so that the three registrations do not meet in the queue.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('{ at: 0s, boot: p1 }', '{ at: 2s, boot: p1 }').replace('{ at: 0s, boot: p2 }', '{ at: 4s, boot: p2 }'));
    const records = run(file);
    const around = loads(records).filter((l) => l.t >= 10_000_000 && l.t < 10_100_000).map((l) => [l.t / 1e6, l.from, l.method, l.queue, l.action, l.overload ?? '']);
    expect(around).to.deep.equal([
      [10.02, 'p0', 'INVITE', 0, 'queued', ''],
      [10.02, 'p1', 'INVITE', 1, 'queued', ''],
      [10.02, 'p2', 'INVITE', 1, 'shed', '503'],
      [10.06, 'p2', 'ACK', 1, 'shed', 'drop'],
    ]);
    const outcome = (phone: string) => records.find((r) => r.kind === 'call.outcome' && r.phone === phone);
    expect(outcome('p2')).to.include({ outcome: 'failed', t: 10_040_000 });
    expect(outcome('p0')).to.include({ outcome: 'answered' });
    expect(outcome('p1')).to.include({ outcome: 'answered' });
    // p0's ACK for its 200 waits its turn like any request.
    expect(loads(records).some((l) => l.from === 'p0' && l.method === 'ACK' && l.action === 'queued')).to.equal(true);
  });

  it('a crash loses the queue: after fail (silent) and recover nothing queued before is answered', () => {
    const file = scenario('crash', 6, '{ rate: 1/s }', '1m', ['{ at: 2500ms, fail: sip1, mode: silent }', '{ at: 3s, recover: sip1 }']);
    const records = run(file);
    const lost = records.filter((r) => r.kind === 'server.queue-lost');
    // By 2.5 s: 6 REGISTERs and 11 Timer E retransmissions arrived (p0 sent 1, p1 2, p2–p5 2 each), p0's
    // and p1's served (1.02 s, 2.02 s); p2's in service and 14 waiting are lost.
    expect(lost).to.deep.equal([{ kind: 'server.queue-lost', host: 'sip1', lost: 15, reason: 'host silent: queued requests lost', t: 2_500_000 }]);
    const answers = packets(records, (f) => f === 'sip1').map(([t, , label]) => [t, label]);
    expect(answers.slice(0, 2)).to.deep.equal([[1.02, '200 OK (REGISTER)'], [2.02, '200 OK (REGISTER)']]);
    // The first answer after the crash is to a request that arrived after the recovery (3.52 s: Timer E's 3.5 s retransmissions), one second later.
    const after = answers.slice(2);
    expect(after[0]).to.deep.equal([4.52, '200 OK (REGISTER)']);
    const firstQueued = loads(records).find((l) => l.t > 2_500_000)!;
    expect(firstQueued).to.include({ t: 3_520_000, queue: 0, action: 'queued' });
    expect(ladderOf(loadScenario(file))).to.contain('sip1: 15 queued requests lost (host silent: queued requests lost)');
  });

  it('a server without capacity emits no server.load records (existing outputs stay the same)', () => {
    const file = path.join(repoRoot, 'scenarios', '01-all-well.yaml');
    const records = runRecorded(loadScenario(file)).records;
    expect(records.some((r) => r.kind === 'server.load' || r.kind === 'server.queue-lost')).to.equal(false);
  });
});

/** The ladder of a run, every host shown. */
function ladderOf(s: Scenario): string {
  const run = runRecorded(s);
  return renderLadder(run.hosts, run.records);
}
