import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { ONE_SERVER_CFG } from '../helpers/one-server-cfg.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * RFC 6357 §3's congestion collapse, reproduced: 200 phones boot at once against a server that
 * serves 5 requests/s (40 s of work for their 200 REGISTERs, more than Timer F's 32 s). Behind
 * a long queue every request waits so long that its client retransmits (Timer E) and then gives
 * up (Timer F) before it is served; the retransmissions are load too, so the queue fills with
 * work nobody waits for any more, and the server, busy all the time, stops registering anyone.
 * A short queue that sheds (503 with Retry-After, or even a silent drop) keeps the wait under
 * Timer F: fewer of the arrivals are retransmissions and every phone ends up registered.
 *
 * The figures are the model's own (printed with DEBUG_COLLAPSE=1); the test asserts orderings.
 */

const PHONES = 200;
const DURATION_S = 300;
/** The first moment no REGISTER sent at boot can still be answered in time (Timer F = 32 s, plus the link). */
const AFTER_FIRST_TIMER_F = 40_000_000;


interface Figures {
  /** Requests that reached sip1 (each one server.load record). */
  arrivals: number;
  shed: number;
  /** Share of arrivals that were retransmissions (every Timer E retransmission arrives: no loss). */
  retransmitShare: number;
  /** The same share over the first 10 s and over the last 4 minutes. */
  retransmitShareEarly: number;
  retransmitShareLate: number;
  /** REGISTERs answered with 200 before their client's Timer F (goodput), overall and after the first Timer F. */
  goodput: number;
  goodputLate: number;
  /** 200 OKs sip1 sent after the first Timer F, useful or not (the server's work). */
  answersLate: number;
  phonesRegistered: number;
  timerF: number;
  maxQueue: number;
}

function figures(records: readonly TraceEvent[]): Figures {
  let arrivals = 0, shed = 0, retransmits = 0, goodput = 0, goodputLate = 0, answersLate = 0, timerF = 0, maxQueue = 0;
  const window = { early: [0, 0], late: [0, 0] }; // [arrivals, retransmissions]
  const inWindow = (t: number): 'early' | 'late' | undefined => (t < 10_000_000 ? 'early' : t >= 60_000_000 ? 'late' : undefined);
  const registered = new Set<string>();
  for (const r of records) {
    if (r.kind === 'server.load') {
      arrivals++;
      if (r.action === 'shed') shed++;
      maxQueue = Math.max(maxQueue, r.queue);
      const w = inWindow(r.t);
      if (w) window[w][0]!++;
    } else if (r.kind === 'sip.retransmit' && r.host !== 'sip1') {
      retransmits++;
      const w = inWindow(r.t + 20_000); // it arrives one link delay later
      if (w) window[w][1]!++;
    } else if (r.kind === 'phone.registration' && r.to === 'registered') {
      goodput++;
      if (r.t >= AFTER_FIRST_TIMER_F) goodputLate++;
      registered.add(r.phone);
    } else if (r.kind === 'net.send' && r.from === 'sip1' && r.label === '200 OK (REGISTER)' && r.t >= AFTER_FIRST_TIMER_F) {
      answersLate++;
    } else if (r.kind === 'sip.timeout' && r.timer === 'F') {
      timerF++;
    }
  }
  const share = ([a, re]: number[]): number => (a! > 0 ? re! / a! : 0);
  return {
    arrivals, shed, retransmitShare: retransmits / arrivals, retransmitShareEarly: share(window.early), retransmitShareLate: share(window.late),
    goodput, goodputLate, answersLate, phonesRegistered: registered.size, timerF, maxQueue,
  };
}

describe('congestion collapse behind a long queue (RFC 6357 §3)', function () {
  this.timeout(120_000);
  let tmp: string;
  const runs: Record<'long' | 'shed503' | 'drop' | 'shed503Honour', Figures> = {} as never;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-collapse-'));
    fs.copyFileSync(path.join(repoRoot, 'scenarios', 'phones', 'common.cfg'), path.join(tmp, 'common.cfg'));
    fs.writeFileSync(path.join(tmp, 'one.cfg'), ONE_SERVER_CFG);
    // shed503 reads a 10 s Retry-After as "at least 10 s" of the phones' jittered back-off (model
    // option retryAfter = tryLast); shed503Honour with the default honour, which retries after
    // exactly 10 s — see the last test.
    const variants = {
      long: ['{ rate: 5/s, queue: 2000 }', ''],
      shed503: ['{ rate: 5/s, queue: 20, overload: 503, retryAfter: 10s }', 'model: { retryAfter: tryLast }'],
      drop: ['{ rate: 5/s, queue: 20, overload: drop }', ''],
      shed503Honour: ['{ rate: 5/s, queue: 20, overload: 503, retryAfter: 10s }', ''],
    } as const;
    for (const [name, [capacity, model]] of Object.entries(variants) as [keyof typeof variants, readonly [string, string]][]) {
      const lines = [`name: storm ${name}`, `duration: ${DURATION_S}s`, ...(model ? [model] : []), 'phones:'];
      for (let i = 0; i < PHONES; i++) lines.push(`  p${i}: { address: 10.1.0.${1 + i}, config: [common.cfg, one.cfg] }`);
      lines.push('servers:', `  sip1: { address: 10.0.0.1, capacity: ${capacity} }`, 'events:');
      for (let i = 0; i < PHONES; i++) lines.push(`  - { at: 0s, boot: p${i} }`);
      const file = path.join(tmp, `${name}.yaml`);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      // RFC 6357's collapse is about clients that keep retrying: registrationRetryScope unbounded
      // (AMB-35's ★ retryCounts, the default, has each phone give up after retry_counts = 3 repeats).
      runs[name] = figures(runRecorded(loadScenario(file), { model: { registrationRetryScope: 'unbounded' } }).records);
    }
    if (process.env.DEBUG_COLLAPSE) console.log(runs);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the long queue never sheds, yet holds more than Timer F × rate: requests wait past their clients\' patience', () => {
    expect(runs.long.shed).to.equal(0);
    expect(runs.long.maxQueue).to.be.above(32 * 5);
    expect(runs.long.timerF).to.be.above(0);
  });

  it('behind the long queue the retransmission share of arrivals grows over time, and is higher than with shedding', () => {
    expect(runs.long.retransmitShareLate).to.be.above(runs.long.retransmitShareEarly);
    expect(runs.long.retransmitShare).to.be.above(runs.drop.retransmitShare);
    expect(runs.long.retransmitShare).to.be.above(runs.shed503.retransmitShare);
    // A 503 ends its transaction: its client stops retransmitting at once.
    expect(runs.shed503.retransmitShare).to.be.below(runs.drop.retransmitShare);
  });

  it('goodput collapses behind the long queue: the server keeps answering after the first Timer F, but nobody in time', () => {
    expect(runs.long.answersLate).to.be.above(0);
    expect(runs.long.goodputLate).to.equal(0);
    expect(runs.long.phonesRegistered).to.be.below(PHONES);
    for (const shedding of [runs.shed503, runs.drop]) {
      expect(shedding.goodputLate).to.be.above(0);
      expect(shedding.goodput).to.be.above(runs.long.goodput);
      expect(shedding.phonesRegistered).to.equal(PHONES);
    }
  });

  it('honouring a Retry-After shorter than the back-off (retryAfter = honour) drops the jitter: shed phones retry in lockstep waves, fewer register', () => {
    // Every shed phone retries exactly 10 s after its 503, so each wave meets the same full queue;
    // with the jittered RFC 5626 back-off (tryLast reads 10 s as a floor) the retries spread out.
    expect(runs.shed503Honour.shed).to.be.above(runs.shed503.shed);
    expect(runs.shed503Honour.phonesRegistered).to.be.below(runs.shed503.phonesRegistered);
    expect(runs.shed503Honour.phonesRegistered).to.be.below(PHONES);
  });
});
