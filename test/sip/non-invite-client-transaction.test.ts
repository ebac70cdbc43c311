import { expect } from 'chai';
import type { Micros } from '../../sim/core/clock.js';
import { sec } from '../../sim/core/time.js';
import { topBranch } from '../../sim/sip/message.js';
import type { SipTimerConfig } from '../../sim/sip/timers.js';
import type { RetransmitLimit } from '../../sim/sip/transaction-user.js';
import {
  FakePeer, Harness, RecordingTu, SRV_EP, at, checkStatePaths, every, recordsOf, sendInstants, sipTimeline, stateTimeline,
} from './harness.js';

/** RFC 3261 Figure 6: the non-INVITE client transaction's moves. */
const NICT_GRAPH: Record<string, string[]> = {
  init: ['trying'],
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
};

interface Run {
  h: Harness;
  tu: RecordingTu;
  branch: string;
}

function register(h: Harness, limit?: RetransmitLimit): Run {
  const tu = h.tu();
  const req = h.request('REGISTER', [['Expires', '3600']]);
  h.endpoint.sendRequest(req, SRV_EP, tu, limit);
  return { h, tu, branch: topBranch(req) };
}

function silentPeer(timers: Partial<SipTimerConfig> = {}, limit?: RetransmitLimit): Run {
  const h = new Harness({ timers });
  h.srv.mode = 'silent';
  const run = register(h, limit);
  h.clock.run();
  return run;
}

/**
 * A peer that answers the first REGISTER with each (delay, status) of `script`, and repeats
 * nothing for retransmissions (a peer whose responses are lost, or a slow registrar).
 */
function scriptedPeer(script: [Micros, number][], limit?: RetransmitLimit): Run & { peer: FakePeer } {
  const h = new Harness();
  const peer = h.fakePeer();
  let first = true;
  peer.onMessage = (msg) => {
    if (msg.type !== 'request' || msg.method !== 'REGISTER' || !first) return;
    first = false;
    for (const [delay, status] of script) peer.sendLater(delay, peer.response(msg, status));
  };
  const run = register(h, limit);
  h.clock.run();
  return { ...run, peer };
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  describe('trying → terminated: peer silent, Timer E then Timer F', () => {
    const table = [
      {
        name: 'T1=0.5 s, T2=4 s: intervals 0.5, 1, 2, then 4 s',
        timers: {},
        sends: [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
        timeout: 32,
      },
      {
        name: 'T1=0.5 s, T2=2 s: intervals 0.5, 1, then 2 s',
        timers: { t2: sec(2) },
        sends: [0, 0.5, 1.5, ...every(3.5, 31.5, 2)],
        timeout: 32,
      },
      {
        name: 'T1=1 s, T2=4 s: intervals 1, 2, then 4 s; F = 64 s',
        timers: { t1: sec(1) },
        sends: [0, 1, 3, ...every(7, 63, 4)],
        timeout: 64,
      },
    ];
    for (const row of table) {
      it(`${row.name}: REGISTER at ${row.sends.join(', ')} s, Timer F at ${row.timeout} s`, () => {
        const { h, tu } = silentPeer(row.timers);
        expect(sendInstants(h.trace, 'ua', 'REGISTER')).to.deep.equal(at(...row.sends));
        expect(tu.log).to.deep.equal([[sec(row.timeout), 'timeout F']]);
      });
    }

    it('traces each retransmission as Timer E, then the timeout and trying→terminated', () => {
      const { h } = silentPeer();
      const re = [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5].flatMap((s, i): [Micros, string][] => [
        [sec(s), `retransmit E#${i + 1}`],
        [sec(s), 'send REGISTER'],
      ]);
      expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'init→trying'],
        [0, 'send REGISTER'],
        ...re,
        [sec(32), 'timeout F'],
        [sec(32), 'trying→terminated'],
      ]);
    });
  });

  describe('trying → proceeding → terminated: a provisional but never a final', () => {
    it('retransmits every T2 once Proceeding, and Timer F still ends it at 64·T1', () => {
      // 100 Trying reaches ua at 0.04 s. Timer E, already set for 0.5 s, fires in Proceeding
      // and is reset to T2 (§17.1.2.2): 0.5, 4.5, 8.5 … 28.5; F at 32 s.
      const { h, tu } = scriptedPeer([[0, 100]]);
      expect(sendInstants(h.trace, 'ua', 'REGISTER')).to.deep.equal(at(0, ...every(0.5, 28.5, 4)));
      expect(tu.log).to.deep.equal([
        [sec(0.04), 'response 100'],
        [sec(32), 'timeout F'],
      ]);
      expect(stateTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'init→trying'],
        [sec(0.04), 'trying→proceeding'],
        [sec(32), 'proceeding→terminated'],
      ]);
    });

    it('a provisional after a few doublings switches to T2 from the next firing', () => {
      // 100 sent 1 s after the REGISTER arrived reaches ua at 1.04 s (Trying until then):
      // sends 0, 0.5 (doubling), 1.5 (E was set for 1.5 s), then every T2 — 5.5, 9.5 … —
      // where Trying would have gone on doubling (3.5, 7.5 …).
      const { h } = scriptedPeer([[sec(1), 100]]);
      expect(sendInstants(h.trace, 'ua', 'REGISTER')).to.deep.equal(at(0, 0.5, 1.5, ...every(5.5, 29.5, 4)));
    });
  });

  describe('trying → completed → terminated: final response', () => {
    for (const status of [200, 302, 404, 423, 503, 603]) {
      it(`${status}: Completed at once, no more retransmissions, Timer K = T4 (5 s) then Terminated`, () => {
        const { h, tu } = scriptedPeer([[0, status]]);
        expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
          [0, 'init→trying'],
          [0, 'send REGISTER'],
          [sec(0.04), 'trying→completed'],
          [sec(5.04), 'completed→terminated'],
        ]);
        expect(tu.log).to.deep.equal([[sec(0.04), `response ${status}`]]);
      });
    }

    it('absorbs a retransmitted final in Completed (the TU hears it once) and after K treats it as stray', () => {
      const { h, tu } = scriptedPeer([[0, 200], [sec(1), 200], [sec(10), 200]]);
      expect(tu.log).to.deep.equal([[sec(0.04), 'response 200']]);
      expect(h.core.strays.map((s) => [s.t, s.res.status])).to.deep.equal([[sec(10.04), 200]]);
    });

    it('100 then 200: trying → proceeding → completed, retransmissions stop at the final', () => {
      const { h, tu } = scriptedPeer([[0, 100], [sec(6), 200]]);
      // 0, 0.5 (E in Proceeding, reset to T2), 4.5; the 200 arrives at 6.04.
      expect(sendInstants(h.trace, 'ua', 'REGISTER')).to.deep.equal(at(0, 0.5, 4.5));
      expect(tu.log).to.deep.equal([
        [sec(0.04), 'response 100'],
        [sec(6.04), 'response 200'],
      ]);
      expect(stateTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'init→trying'],
        [sec(0.04), 'trying→proceeding'],
        [sec(6.04), 'proceeding→completed'],
        [sec(11.04), 'completed→terminated'],
      ]);
    });

    it('Timer K follows T4 (T4 = 2.5 s)', () => {
      const h = new Harness({ timers: { t4: sec(2.5) } });
      const peer = h.fakePeer();
      peer.onMessage = (msg) => {
        if (msg.type === 'request') peer.reply(msg, 200);
      };
      register(h);
      h.clock.run();
      expect(stateTimeline(h.trace, 'ua').at(-1)).to.deep.equal([sec(2.54), 'completed→terminated']);
    });
  });

  describe('trying → terminated: ICMP port unreachable', () => {
    it('reports a transport error one round trip after the send and never retransmits', () => {
      const h = new Harness();
      h.fakePeer();
      h.srv.mode = 'unreachable';
      const { tu } = register(h);
      h.clock.run();
      expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'init→trying'],
        [0, 'send REGISTER'],
        [sec(0.04), 'transport-error'],
        [sec(0.04), 'trying→terminated'],
      ]);
      expect(tu.log).to.deep.equal([[sec(0.04), 'transport-error ICMP port unreachable from srv']]);
    });

    it('ends every client transaction towards that peer, and only those', () => {
      const h = new Harness();
      h.fakePeer();
      h.srv.mode = 'unreachable';
      h.network.addHost('other', '10.0.0.2').mode = 'silent';
      const toSrv = h.tu();
      const toOther = h.tu();
      h.endpoint.sendRequest(h.request('OPTIONS'), SRV_EP, toSrv);
      h.endpoint.sendRequest(h.request('OPTIONS'), { ip: '10.0.0.2', port: 5060 }, toOther);
      h.clock.run();
      expect(toSrv.log).to.deep.equal([[sec(0.04), 'transport-error ICMP port unreachable from srv']]);
      expect(toOther.log).to.deep.equal([[sec(32), 'timeout F']]);
    });
  });

  describe('RetransmitLimit (reference A1)', () => {
    const table: { limit: RetransmitLimit; sends: number[]; giveUp: number }[] = [
      { limit: { count: 3, giveUp: 'next-interval' }, sends: [0, 0.5, 1.5, 3.5], giveUp: 7.5 },
      { limit: { count: 3, giveUp: 'at-once' }, sends: [0, 0.5, 1.5, 3.5], giveUp: 3.5 },
      { limit: { count: 5, giveUp: 'next-interval' }, sends: [0, 0.5, 1.5, 3.5, 7.5, 11.5], giveUp: 15.5 },
      { limit: { count: 0, giveUp: 'next-interval' }, sends: [0], giveUp: 0.5 },
    ];
    for (const row of table) {
      it(`{count: ${row.limit.count}, giveUp: '${row.limit.giveUp}'} to a silent peer: sends at ${row.sends.join(', ')} s, gives up at ${row.giveUp} s`, () => {
        const { h, tu } = silentPeer({}, row.limit);
        expect(sendInstants(h.trace, 'ua', 'REGISTER')).to.deep.equal(at(...row.sends));
        expect(tu.log).to.deep.equal([[sec(row.giveUp), 'timeout retry-counts']]);
      });
    }

    it('at-once counts retransmissions in Proceeding as next-interval does', () => {
      const next = scriptedPeer([[0, 100]], { count: 3, giveUp: 'next-interval' });
      expect(next.tu.log.at(-1)).to.deep.equal([sec(12.5), 'timeout retry-counts']);
      const once = scriptedPeer([[0, 100]], { count: 3, giveUp: 'at-once' });
      expect(sendInstants(once.h.trace, 'ua', 'REGISTER')).to.deep.equal(at(0, 0.5, 4.5, 8.5));
      expect(once.tu.log.at(-1)).to.deep.equal([sec(8.5), 'timeout retry-counts']);
    });
  });

  describe('sip.txn.state records', () => {
    const scenarios: Record<string, [() => Run, string[]]> = {
      'silent peer': [() => silentPeer(), ['init', 'trying', 'terminated']],
      '100 only': [() => scriptedPeer([[0, 100]]), ['init', 'trying', 'proceeding', 'terminated']],
      '100 then 200': [() => scriptedPeer([[0, 100], [sec(1), 200]]), ['init', 'trying', 'proceeding', 'completed', 'terminated']],
      '503 at once': [() => scriptedPeer([[0, 503]]), ['init', 'trying', 'completed', 'terminated']],
      'retry limit': [() => silentPeer({}, { count: 2, giveUp: 'next-interval' }), ['init', 'trying', 'terminated']],
    };
    for (const [name, [scenario, path]] of Object.entries(scenarios)) {
      it(`${name}: form a valid path from init to terminated, each with a reason`, () => {
        const { h, branch } = scenario();
        const paths = checkStatePaths(h.trace, 'ua', NICT_GRAPH);
        expect([...paths.entries()]).to.deep.equal([[branch, path]]);
        expect(recordsOf(h.trace, 'sip.txn.state').every((r) => r.method === 'REGISTER' && r.txn === 'nict')).to.equal(true);
        expect(h.clock.pending).to.equal(0);
      });
    }
  });
});
