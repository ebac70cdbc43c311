import { expect } from 'chai';
import type { Micros } from '../../sim/core/clock.js';
import { sec } from '../../sim/core/time.js';
import { InviteServerTransaction } from '../../sim/sip/invite-server-transaction.js';
import { SipRequest, SipResponse, responseTo } from '../../sim/sip/message.js';
import type { ServerTransaction } from '../../sim/sip/sip-endpoint.js';
import type { SipTimerConfig } from '../../sim/sip/timers.js';
import { FakePeer, Harness, at, checkStatePaths, every, recordsOf, sendInstants, sipTimeline, stateTimeline } from './harness.js';

/** RFC 3261 Figure 7 + RFC 6026 Figure 7: the INVITE server transaction's moves. */
const IST_GRAPH: Record<string, string[]> = {
  init: ['proceeding'],
  proceeding: ['accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
};

/** RFC 3261 Figure 8: the non-INVITE server transaction's moves. */
const NIST_GRAPH: Record<string, string[]> = {
  init: ['trying'],
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
};

/** The request arrives at ua 20 ms after the peer sends it at 0: everything ua does is offset by this. */
const ARRIVAL = 0.02;

/** Instants (s) relative to the request's arrival at ua, as µs. */
function afterArrival(...seconds: number[]): Micros[] {
  return at(...seconds.map((s) => s + ARRIVAL));
}

interface World {
  h: Harness;
  peer: FakePeer;
  req: SipRequest;
  txn: () => ServerTransaction;
}

/**
 * The peer sends `method` to ua at t = 0; ua's core answers it with `status` at `answerAfter`
 * µs after its arrival (at once by default). `onPeer` scripts the peer's reactions.
 */
function world(
  method: string,
  status: number,
  opts: { timers?: Partial<SipTimerConfig>; answerAfter?: Micros; provisional?: number; onPeer?: (msg: SipRequest | SipResponse, w: World) => void } = {},
): World {
  const h = new Harness(opts.timers ? { timers: opts.timers } : {});
  const peer = h.fakePeer();
  const req = peer.request(method);
  let txn: ServerTransaction | undefined;
  const w: World = { h, peer, req, txn: () => txn! };
  h.core.onNewRequest = (r, t) => {
    if (!t) return;
    txn = t;
    if (opts.provisional) t.respond(responseTo(r, opts.provisional, [], 'ua-tag-1'));
    const answer = (): void => t.respond(responseTo(r, status, [], 'ua-tag-1'));
    if (opts.answerAfter) h.clock.schedule(opts.answerAfter, answer);
    else answer();
  };
  peer.onMessage = (msg) => opts.onPeer?.(msg, w);
  peer.send(req);
  return w;
}

describe('server transactions', () => {
  describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
    describe('proceeding → completed → terminated: non-2xx final, no ACK', () => {
      const table = [
        { name: 'T1=0.5 s, T2=4 s', timers: {}, resends: [0.5, 1.5, 3.5, ...every(7.5, 31.5, 4)], h: 32 },
        { name: 'T1=0.5 s, T2=2 s', timers: { t2: sec(2) }, resends: [0.5, 1.5, ...every(3.5, 31.5, 2)], h: 32 },
        { name: 'T1=1 s, T2=4 s', timers: { t1: sec(1) }, resends: [1, 3, ...every(7, 63, 4)], h: 64 },
      ];
      for (const row of table) {
        it(`${row.name}: Timer G re-sends the final at ${row.resends.slice(0, 5).join(', ')} … s, Timer H at ${row.h} s`, () => {
          const { h } = world('INVITE', 486, { timers: row.timers });
          h.clock.run();
          expect(sendInstants(h.trace, 'ua', 486)).to.deep.equal(afterArrival(0, ...row.resends));
          expect(h.core.ackTimeouts).to.deep.equal(afterArrival(row.h));
          expect(stateTimeline(h.trace, 'ua')).to.deep.equal([
            [sec(ARRIVAL), 'init→proceeding'],
            [sec(ARRIVAL), 'proceeding→completed'],
            [afterArrival(row.h)[0], 'completed→terminated'],
          ]);
          expect(recordsOf(h.trace, 'sip.timeout').map((r) => [r.t, r.timer])).to.deep.equal([[afterArrival(row.h)[0], 'H']]);
        });
      }

      for (const status of [302, 404, 486, 500, 503, 603]) {
        it(`${status}: the peer receives the same final each time`, () => {
          const { h, peer } = world('INVITE', status);
          h.clock.runUntil(sec(5));
          const got = peer.received.map((r) => r.msg as SipResponse);
          expect(got.map((r) => r.status)).to.deep.equal([status, status, status, status]);
          expect(new Set(got.map((r) => JSON.stringify(r))).size).to.equal(1);
        });
      }
    });

    describe('proceeding → completed → confirmed → terminated: the ACK arrives', () => {
      it('stops Timer G and H at the ACK, then absorbs ACKs for Timer I = T4', () => {
        // The peer ACKs when it hears the third 486 (1.54 s): the ACK reaches ua at 1.56 s.
        let heard = 0;
        const { h } = world('INVITE', 486, {
          onPeer: (msg, w) => {
            if (msg.type === 'response' && ++heard === 3) {
              w.peer.send(w.peer.ackFor(w.req, msg));
              w.peer.sendLater(sec(1), w.peer.ackFor(w.req, msg)); // a retransmitted ACK, absorbed
            }
          },
        });
        h.clock.run();
        // Retransmission records are left out here: their counts have a test of their own below.
        expect(sipTimeline(h.trace, 'ua').filter(([, what]) => !what.startsWith('retransmit'))).to.deep.equal([
          [sec(0.02), 'init→proceeding'],
          [sec(0.02), 'send 486 INVITE'],
          [sec(0.02), 'proceeding→completed'],
          [sec(0.52), 'send 486 INVITE'],
          [sec(1.52), 'send 486 INVITE'],
          [sec(1.56), 'completed→confirmed'],
          [sec(6.56), 'confirmed→terminated'],
        ]);
        expect(recordsOf(h.trace, 'sip.retransmit').map((r) => [r.t, r.timer])).to.deep.equal([
          [sec(0.52), 'G'],
          [sec(1.52), 'G'],
        ]);
        expect(h.core.ackTimeouts).to.deep.equal([]);
        expect(h.core.requests.map((r) => r.req.method)).to.deep.equal(['INVITE']); // ACKs never reach the core
      });

      it('Timer I follows T4 (T4 = 2.5 s)', () => {
        const { h } = world('INVITE', 404, {
          timers: { t4: sec(2.5) },
          onPeer: (msg, w) => {
            if (msg.type === 'response') w.peer.send(w.peer.ackFor(w.req, msg));
          },
        });
        h.clock.run();
        expect(stateTimeline(h.trace, 'ua').slice(-2)).to.deep.equal([
          [sec(0.06), 'completed→confirmed'],
          [sec(2.56), 'confirmed→terminated'],
        ]);
      });
    });

    describe('INVITE retransmissions', () => {
      it('in Proceeding get the last provisional again, in Completed the final, in Confirmed nothing', () => {
        let acked = false;
        const { h, peer, req } = world('INVITE', 486, {
          provisional: 180,
          answerAfter: sec(2),
          onPeer: (msg, w) => {
            if (msg.type === 'response' && msg.status === 486 && !acked) {
              // ACK only the first 486 (heard at 2.04 s), 2 s later: it reaches ua at 4.06 s.
              acked = true;
              w.h.clock.schedule(sec(2), () => w.peer.send(w.peer.ackFor(w.req, msg)));
            }
          },
        });
        // INVITE retransmissions reach ua at 1.02 s (Proceeding), 3.02 s (Completed), 6.02 s (Confirmed).
        for (const t of [1, 3, 6]) peer.sendLater(sec(t), req);
        h.clock.run();
        expect(sendInstants(h.trace, 'ua', 180)).to.deep.equal(at(0.02, 1.02));
        // 486 at 2.02, Timer G at 2.52 and 3.52, the retransmission's answer at 3.02; the ACK
        // at 4.06 cancels G (5.52) — and the retransmission at 6.02 gets nothing.
        expect(sendInstants(h.trace, 'ua', 486)).to.deep.equal(at(2.02, 2.52, 3.02, 3.52));
        expect(stateTimeline(h.trace, 'ua')).to.deep.equal([
          [sec(0.02), 'init→proceeding'],
          [sec(2.02), 'proceeding→completed'],
          [sec(4.06), 'completed→confirmed'],
          [sec(9.06), 'confirmed→terminated'],
        ]);
        expect(h.core.requests).to.have.length(1);
      });
    });

    describe('proceeding → accepted → terminated: 2xx (RFC 6026)', () => {
      it('leaves 2xx retransmission to the TU, absorbs INVITE retransmissions, Timer L = 64·T1', () => {
        const { h, peer, req, txn } = world('INVITE', 200);
        peer.sendLater(sec(1), req); // absorbed: no response, no new request for the core
        h.clock.schedule(sec(0.52), () => (txn() as InviteServerTransaction).respond(responseTo(req, 200, [], 'ua-tag-1')));
        h.clock.run();
        expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
          [sec(0.02), 'init→proceeding'],
          [sec(0.02), 'send 200 INVITE'],
          [sec(0.02), 'proceeding→accepted'],
          [sec(0.52), 'send 200 INVITE'], // the TU's own retransmission goes out
          [sec(32.02), 'accepted→terminated'],
        ]);
        expect(h.core.requests).to.have.length(1);
      });
    });

    it('numbers Timer G retransmissions 1, 2, 3 … in the trace', () => {
      const { h } = world('INVITE', 486);
      h.clock.runUntil(sec(8));
      expect(recordsOf(h.trace, 'sip.retransmit').map((r) => [r.t, r.timer, r.count])).to.deep.equal([
        [sec(0.52), 'G', 1],
        [sec(1.52), 'G', 2],
        [sec(3.52), 'G', 3],
        [sec(7.52), 'G', 4],
      ]);
    });

    it('state records form valid paths in every scenario above', () => {
      const runs: [World, string[]][] = [
        [world('INVITE', 486), ['init', 'proceeding', 'completed', 'terminated']],
        [world('INVITE', 404, { onPeer: (m, w) => m.type === 'response' && w.peer.send(w.peer.ackFor(w.req, m)) }), ['init', 'proceeding', 'completed', 'confirmed', 'terminated']],
        [world('INVITE', 200, { provisional: 180 }), ['init', 'proceeding', 'accepted', 'terminated']],
      ];
      for (const [w, path] of runs) {
        w.h.clock.run();
        expect([...checkStatePaths(w.h.trace, 'ua', IST_GRAPH).values()]).to.deep.equal([path]);
      }
    });
  });

  describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
    it('trying → completed → terminated: a retransmission in Completed gets the last response, Timer J = 64·T1', () => {
      const { h, peer, req } = world('OPTIONS', 200);
      for (const t of [0.5, 1.5, 3.5]) peer.sendLater(sec(t), req);
      h.clock.run();
      expect(sipTimeline(h.trace, 'ua')).to.deep.equal([
        [sec(0.02), 'init→trying'],
        [sec(0.02), 'send 200 OPTIONS'],
        [sec(0.02), 'trying→completed'],
        [sec(0.52), 'send 200 OPTIONS'],
        [sec(1.52), 'send 200 OPTIONS'],
        [sec(3.52), 'send 200 OPTIONS'],
        [sec(32.02), 'completed→terminated'],
      ]);
      expect(h.core.requests).to.have.length(1);
    });

    it('Timer J follows T1 (T1 = 1 s → 64 s)', () => {
      const { h } = world('REGISTER', 200, { timers: { t1: sec(1) } });
      h.clock.run();
      expect(stateTimeline(h.trace, 'ua').at(-1)).to.deep.equal([sec(64.02), 'completed→terminated']);
    });

    it('absorbs retransmissions in Trying (no response yet), repeats the provisional in Proceeding', () => {
      const a = world('REGISTER', 200, { answerAfter: sec(2) });
      a.peer.sendLater(sec(0.5), a.req);
      a.h.clock.run();
      expect(sendInstants(a.h.trace, 'ua', 200)).to.deep.equal(at(2.02));
      expect(a.h.core.requests).to.have.length(1);

      const b = world('REGISTER', 200, { provisional: 100, answerAfter: sec(2) });
      b.peer.sendLater(sec(0.5), b.req);
      b.h.clock.run();
      expect(sendInstants(b.h.trace, 'ua', 100)).to.deep.equal(at(0.02, 0.52));
      expect(stateTimeline(b.h.trace, 'ua')).to.deep.equal([
        [sec(0.02), 'init→trying'],
        [sec(0.02), 'trying→proceeding'],
        [sec(2.02), 'proceeding→completed'],
        [sec(34.02), 'completed→terminated'],
      ]);
    });

    it('ignores a second final from the TU once Completed', () => {
      const { h, req, txn } = world('OPTIONS', 200);
      h.clock.schedule(sec(1), () => txn().respond(responseTo(req, 500, [], 'ua-tag-1')));
      h.clock.run();
      expect(sendInstants(h.trace, 'ua', 500)).to.deep.equal([]);
      expect(sendInstants(h.trace, 'ua', 200)).to.deep.equal(at(0.02));
    });

    it('after Timer J a retransmitted request is new to the core', () => {
      const { h, peer, req } = world('OPTIONS', 200);
      peer.sendLater(sec(40), req);
      h.clock.run();
      expect(h.core.requests.map((r) => r.t)).to.deep.equal(at(0.02, 40.02));
    });

    it('state records form valid paths', () => {
      const runs: [World, string[]][] = [
        [world('OPTIONS', 200), ['init', 'trying', 'completed', 'terminated']],
        [world('REGISTER', 503, { provisional: 100, answerAfter: sec(1) }), ['init', 'trying', 'proceeding', 'completed', 'terminated']],
      ];
      for (const [w, path] of runs) {
        w.h.clock.run();
        expect([...checkStatePaths(w.h.trace, 'ua', NIST_GRAPH).values()]).to.deep.equal([path]);
      }
    });
  });
});
