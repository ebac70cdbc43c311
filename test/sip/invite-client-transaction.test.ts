import { expect } from 'chai';
import type { Micros } from '../../sim/core/clock.js';
import { sec } from '../../sim/core/time.js';
import { SipResponse, cseq, header, topBranch } from '../../sim/sip/message.js';
import type { RetransmitLimit } from '../../sim/sip/transaction-user.js';
import {
  Harness, RecordingTu, SRV_EP, at, checkStatePaths, recordsOf, sendInstants, sendTimeline, sipTimeline, stateTimeline,
} from './harness.js';

/** RFC 3261 Figure 5 + RFC 6026 Figure 5: the INVITE client transaction's moves. */
const ICT_GRAPH: Record<string, string[]> = {
  init: ['calling'],
  calling: ['proceeding', 'accepted', 'completed', 'terminated'],
  proceeding: ['accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['terminated'],
};

interface Run {
  h: Harness;
  tu: RecordingTu;
  branch: string;
}

/** Sends one INVITE from ua to srv through the endpoint under test. */
function invite(h: Harness, limit?: RetransmitLimit): Run {
  const tu = h.tu();
  const req = h.request('INVITE');
  h.endpoint.sendRequest(req, SRV_EP, tu, limit);
  return { h, tu, branch: topBranch(req) };
}

function silentPeer(t1: number, limit?: RetransmitLimit): Run {
  const h = new Harness({ timers: { t1: sec(t1) } });
  h.srv.mode = 'silent';
  const run = invite(h, limit);
  h.clock.run();
  return run;
}

/** The peer answers the first INVITE with `status` at once, then once more `again` µs later. */
function finalFromPeer(status: number, again: Micros[] = []): Run {
  const h = new Harness();
  const peer = h.fakePeer();
  peer.onMessage = (msg) => {
    if (msg.type !== 'request' || msg.method !== 'INVITE') return;
    const res = peer.response(msg, status, status < 300 ? [['Contact', '<sip:2000@10.0.0.1:5060>']] : []);
    peer.send(res);
    for (const d of again) peer.sendLater(d, res);
  };
  const run = invite(h);
  h.clock.run();
  return run;
}

function provisionalThenFinal(provisionalAfter: Micros, finalAfter: Micros, finalStatus = 486): Run {
  const h = new Harness();
  const peer = h.fakePeer();
  let first = true;
  peer.onMessage = (msg) => {
    if (msg.type !== 'request' || msg.method !== 'INVITE' || !first) return;
    first = false;
    peer.sendLater(provisionalAfter, peer.response(msg, 180));
    peer.sendLater(finalAfter, peer.response(msg, finalStatus));
  };
  const run = invite(h);
  h.clock.run();
  return run;
}

function unreachablePeer(delay: Micros): Run {
  const h = new Harness({ delay });
  h.fakePeer(); // bound, but the host refuses its ports: every datagram gets ICMP port unreachable
  h.srv.mode = 'unreachable';
  const run = invite(h);
  h.clock.run();
  return run;
}

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  describe('calling → terminated: peer silent, Timer A then Timer B', () => {
    const table = [
      { t1: 0.5, sends: [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], timeout: 32 },
      { t1: 1, sends: [0, 1, 3, 7, 15, 31, 63], timeout: 64 },
    ];
    for (const row of table) {
      it(`T1=${row.t1} s: INVITE sent at ${row.sends.join(', ')} s, Timer B at ${row.timeout} s`, () => {
        const { h, tu } = silentPeer(row.t1);
        expect(sendInstants(h.trace, 'ua', 'INVITE')).to.deep.equal(at(...row.sends));
        expect(tu.log).to.deep.equal([[sec(row.timeout), 'timeout B']]);
      });
    }

    it('traces every retransmission, the timeout and the two state changes in order (T1=0.5 s)', () => {
      const { h } = silentPeer(0.5);
      const retransmissions = [0.5, 1.5, 3.5, 7.5, 15.5, 31.5].flatMap((s, i): [Micros, string][] => [
        [sec(s), `retransmit A#${i + 1}`],
        [sec(s), 'send INVITE'],
      ]);
      expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'init→calling'],
        [0, 'send INVITE'],
        ...retransmissions,
        [sec(32), 'timeout B'],
        [sec(32), 'calling→terminated'],
      ]);
    });
  });

  describe('calling → proceeding → completed: provisional, then a late final', () => {
    it('stops Timer A at the 1xx: no retransmission after it', () => {
      // The 180 leaves the peer 1 s after the first INVITE arrived: it reaches ua at 1.04 s,
      // after one retransmission (0.5 s) and before the next (1.5 s).
      const { h, tu } = provisionalThenFinal(sec(1), sec(10));
      expect(sendInstants(h.trace, 'ua', 'INVITE')).to.deep.equal(at(0, 0.5));
      expect(tu.log).to.deep.equal([
        [sec(1.04), 'response 180'],
        [sec(10.04), 'response 486'],
      ]);
    });

    it('does not fire Timer B in Proceeding: a final 40 s after the 180 still reaches the TU', () => {
      const { h, tu } = provisionalThenFinal(0, sec(40));
      expect(sendTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'INVITE'],
        [sec(40.04), 'ACK'],
      ]);
      expect(tu.log).to.deep.equal([
        [sec(0.04), 'response 180'],
        [sec(40.04), 'response 486'],
      ]);
      expect(recordsOf(h.trace, 'sip.timeout')).to.deep.equal([]);
      expect(stateTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'init→calling'],
        [sec(0.04), 'calling→proceeding'],
        [sec(40.04), 'proceeding→completed'],
        [sec(72.04), 'completed→terminated'],
      ]);
    });
  });

  describe('calling → completed → terminated: non-2xx final', () => {
    for (const status of [302, 404, 486, 500, 503, 603]) {
      it(`${status}: the transaction ACKs on the INVITE's branch, re-ACKs a retransmitted final, Timer D = 32 s`, () => {
        const { h, tu } = finalFromPeer(status, [sec(1)]);
        // Final at 0.04 s, its retransmission at 1.04 s: one ACK each; Timer D ends it at 32.04 s.
        expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
          [0, 'init→calling'],
          [0, 'send INVITE'],
          [sec(0.04), 'send ACK'],
          [sec(0.04), 'calling→completed'],
          [sec(1.04), 'send ACK'],
          [sec(32.04), 'completed→terminated'],
        ]);
        // The TU hears of the final once: the retransmission is absorbed (§17.1.1.2).
        expect(tu.log).to.deep.equal([[sec(0.04), `response ${status}`]]);
      });

      it(`${status}: the ACK is built as §17.1.1.3 says (same branch, URI, From, Call-ID, CSeq number; To of the response)`, () => {
        const h = new Harness();
        const peer = h.fakePeer();
        let sent: SipResponse | undefined;
        peer.onMessage = (msg) => {
          if (msg.type === 'request' && msg.method === 'INVITE') peer.send((sent = peer.response(msg, status)));
        };
        const { branch } = invite(h);
        h.clock.run();
        const [inv] = peer.requests('INVITE');
        const acks = peer.requests('ACK');
        expect(acks).to.have.length(1);
        const ack = acks[0]!;
        expect(topBranch(ack)).to.equal(branch);
        expect(ack.uri).to.equal(inv!.uri);
        expect(header(ack, 'From')).to.equal(header(inv!, 'From'));
        expect(header(ack, 'Call-ID')).to.equal(header(inv!, 'Call-ID'));
        expect(header(ack, 'To')).to.equal(header(sent!, 'To'));
        expect(header(ack, 'To')).to.contain(`;tag=${peer.toTag}`);
        expect(cseq(ack)).to.deep.equal({ seq: cseq(inv!).seq, method: 'ACK' });
      });
    }

    it('after Timer D a late final is no longer ACKed and goes to the core as a stray', () => {
      const { h, tu } = finalFromPeer(486, [sec(40)]);
      expect(sendInstants(h.trace, 'ua', 'ACK')).to.deep.equal(at(0.04));
      expect(tu.log).to.deep.equal([[sec(0.04), 'response 486']]);
      expect(h.core.strays.map((s) => [s.t, s.res.status])).to.deep.equal([[sec(40.04), 486]]);
    });
  });

  describe('calling → accepted → terminated: 2xx (RFC 6026)', () => {
    it('passes the 2xx and its retransmissions to the TU, sends no ACK itself, Timer M = 64·T1', () => {
      const { h, tu } = finalFromPeer(200, [sec(0.5), sec(1.5), sec(40)]);
      expect(tu.log).to.deep.equal([
        [sec(0.04), 'response 200'],
        [sec(0.54), 'response 200'],
        [sec(1.54), 'response 200'],
      ]);
      // The ACK of a 2xx is the TU's job (§13.2.2.4); the transaction only absorbs.
      expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
        [0, 'init→calling'],
        [0, 'send INVITE'],
        [sec(0.04), 'calling→accepted'],
        [sec(32.04), 'accepted→terminated'],
      ]);
      // A 2xx after Timer M matches no transaction.
      expect(h.core.strays.map((s) => [s.t, s.res.status])).to.deep.equal([[sec(40.04), 200]]);
    });
  });

  describe('calling → terminated: ICMP port unreachable', () => {
    for (const delayMs of [20, 100]) {
      it(`reports a transport error one round trip after the send (${2 * delayMs} ms) and never retransmits`, () => {
        const { h, tu } = unreachablePeer(sec(delayMs / 1000));
        const rtt = sec((2 * delayMs) / 1000);
        expect(tu.log).to.deep.equal([[rtt, 'transport-error ICMP port unreachable from srv']]);
        expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
          [0, 'init→calling'],
          [0, 'send INVITE'],
          [rtt, 'transport-error'],
          [rtt, 'calling→terminated'],
        ]);
      });
    }

    it('with a round trip longer than T1 the one retransmission already sent is the last', () => {
      // 300 ms each way: the retransmission at 0.5 s leaves before the ICMP of the first
      // send arrives at 0.6 s; the ICMP quoting the retransmission (1.1 s) finds nothing to end.
      const { h, tu } = unreachablePeer(sec(0.3));
      expect(sendInstants(h.trace, 'ua', 'INVITE')).to.deep.equal(at(0, 0.5));
      expect(tu.log).to.deep.equal([[sec(0.6), 'transport-error ICMP port unreachable from srv']]);
    });
  });

  describe('calling → terminated: RetransmitLimit (reference A1)', () => {
    const table: { limit: RetransmitLimit; sends: number[]; giveUp: number; timer: string }[] = [
      { limit: { count: 3, giveUp: 'next-interval' }, sends: [0, 0.5, 1.5, 3.5], giveUp: 7.5, timer: 'retry-counts' },
      { limit: { count: 3, giveUp: 'at-once' }, sends: [0, 0.5, 1.5, 3.5], giveUp: 3.5, timer: 'retry-counts' },
      { limit: { count: 0, giveUp: 'next-interval' }, sends: [0], giveUp: 0.5, timer: 'retry-counts' },
      { limit: { count: 0, giveUp: 'at-once' }, sends: [0], giveUp: 0, timer: 'retry-counts' },
      { limit: { count: 1, giveUp: 'next-interval' }, sends: [0, 0.5], giveUp: 1.5, timer: 'retry-counts' },
      // A limit beyond what fits in 64·T1: Timer B still bounds the transaction.
      { limit: { count: 6, giveUp: 'next-interval' }, sends: [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], giveUp: 32, timer: 'B' },
    ];
    for (const row of table) {
      it(`{count: ${row.limit.count}, giveUp: '${row.limit.giveUp}'}: sends at ${row.sends.join(', ')} s, gives up at ${row.giveUp} s (${row.timer})`, () => {
        const { h, tu } = silentPeer(0.5, row.limit);
        expect(sendInstants(h.trace, 'ua', 'INVITE')).to.deep.equal(at(...row.sends));
        expect(tu.log).to.deep.equal([[sec(row.giveUp), `timeout ${row.timer}`]]);
        expect(recordsOf(h.trace, 'sip.timeout').map((r) => [r.t, r.timer])).to.deep.equal([[sec(row.giveUp), row.timer]]);
        expect(stateTimeline(h.trace, 'ua')).to.deep.equal([
          [0, 'init→calling'],
          [sec(row.giveUp), 'calling→terminated'],
        ]);
      });
    }

    it('a limit does not cut a call short once a provisional has arrived', () => {
      const h = new Harness();
      const peer = h.fakePeer();
      peer.onMessage = (msg) => {
        if (msg.type === 'request' && msg.method === 'INVITE') {
          peer.reply(msg, 180);
          peer.sendLater(sec(20), peer.response(msg, 200));
        }
      };
      const { tu } = invite(h, { count: 0, giveUp: 'next-interval' });
      h.clock.run();
      expect(tu.log).to.deep.equal([
        [sec(0.04), 'response 180'],
        [sec(20.04), 'response 200'],
      ]);
    });
  });

  describe('sip.txn.state records', () => {
    const scenarios: Record<string, () => Run> = {
      'silent peer': () => silentPeer(0.5),
      'silent peer, T1=1 s': () => silentPeer(1),
      'retry limit next-interval': () => silentPeer(0.5, { count: 3, giveUp: 'next-interval' }),
      'retry limit at-once': () => silentPeer(0.5, { count: 3, giveUp: 'at-once' }),
      '180 then 486': () => provisionalThenFinal(0, sec(1)),
      '180 then 200': () => provisionalThenFinal(0, sec(1), 200),
      '404 at once': () => finalFromPeer(404),
      '200 at once': () => finalFromPeer(200, [sec(0.5)]),
      'ICMP unreachable': () => unreachablePeer(sec(0.02)),
    };
    const expectedPaths: Record<string, string[]> = {
      'silent peer': ['init', 'calling', 'terminated'],
      'silent peer, T1=1 s': ['init', 'calling', 'terminated'],
      'retry limit next-interval': ['init', 'calling', 'terminated'],
      'retry limit at-once': ['init', 'calling', 'terminated'],
      '180 then 486': ['init', 'calling', 'proceeding', 'completed', 'terminated'],
      '180 then 200': ['init', 'calling', 'proceeding', 'accepted', 'terminated'],
      '404 at once': ['init', 'calling', 'completed', 'terminated'],
      '200 at once': ['init', 'calling', 'accepted', 'terminated'],
      'ICMP unreachable': ['init', 'calling', 'terminated'],
    };
    for (const [name, scenario] of Object.entries(scenarios)) {
      it(`${name}: form a valid path from init to terminated, each with a reason`, () => {
        const { h, branch } = scenario();
        const paths = checkStatePaths(h.trace, 'ua', ICT_GRAPH);
        expect([...paths.keys()]).to.deep.equal([branch]);
        expect(paths.get(branch)).to.deep.equal(expectedPaths[name]);
        expect(h.clock.pending).to.equal(0);
      });
    }

    it('name the cause: the timer that fired, the response received, the transport error', () => {
      const reasons = (run: Run): string[] => recordsOf(run.h.trace, 'sip.txn.state').filter((r) => r.host === 'ua').map((r) => r.reason);
      expect(reasons(silentPeer(0.5)).at(-1)).to.match(/Timer B/);
      expect(reasons(finalFromPeer(404))[1]).to.match(/404/);
      expect(reasons(finalFromPeer(404)).at(-1)).to.match(/Timer D/);
      expect(reasons(finalFromPeer(200)).at(-1)).to.match(/Timer M/);
      expect(reasons(unreachablePeer(sec(0.02))).at(-1)).to.match(/ICMP port unreachable/);
      expect(reasons(silentPeer(0.5, { count: 3, giveUp: 'next-interval' })).at(-1)).to.match(/3 retransmissions/);
    });
  });
});
