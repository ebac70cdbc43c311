import { expect } from 'chai';
import { sec } from '../../sim/core/time.js';
import { TimerValues, timerValues } from '../../sim/sip/timers.js';

/**
 * RFC 3261 §17 Table 4 (+ RFC 6026 L/M) as shared/reference/redundancy.md states it, in µs.
 * A/E/G are initial intervals; 0 means "no retransmission" on a reliable transport.
 */
describe('timerValues (RFC 3261 Table 4)', () => {
  const cases: { name: string; t1: number; t2: number; t4: number; reliable: boolean; expected: TimerValues }[] = [
    {
      name: 'T1=0.5 s, T2=4 s, T4=5 s over UDP',
      t1: 0.5, t2: 4, t4: 5, reliable: false,
      expected: {
        A: sec(0.5), B: sec(32), D: sec(32), E: sec(0.5), F: sec(32), G: sec(0.5), H: sec(32),
        I: sec(5), J: sec(32), K: sec(5), L: sec(32), M: sec(32), t2: sec(4),
      },
    },
    {
      name: 'T1=0.5 s, T2=4 s, T4=5 s over a reliable transport',
      t1: 0.5, t2: 4, t4: 5, reliable: true,
      // No retransmissions, nothing to absorb; B/F/H still bound the transaction (§17.1.1.2).
      expected: { A: 0, B: sec(32), D: 0, E: 0, F: sec(32), G: 0, H: sec(32), I: 0, J: 0, K: 0, L: sec(32), M: sec(32), t2: sec(4) },
    },
    {
      name: 'T1=1 s, T2=4 s, T4=5 s over UDP',
      t1: 1, t2: 4, t4: 5, reliable: false,
      // D must cover the whole time the server may retransmit its final (Timer H = 64·T1),
      // so it grows past the 32 s floor with T1.
      expected: {
        A: sec(1), B: sec(64), D: sec(64), E: sec(1), F: sec(64), G: sec(1), H: sec(64),
        I: sec(5), J: sec(64), K: sec(5), L: sec(64), M: sec(64), t2: sec(4),
      },
    },
    {
      name: 'T1=1 s, T2=4 s, T4=5 s over a reliable transport',
      t1: 1, t2: 4, t4: 5, reliable: true,
      expected: { A: 0, B: sec(64), D: 0, E: 0, F: sec(64), G: 0, H: sec(64), I: 0, J: 0, K: 0, L: sec(64), M: sec(64), t2: sec(4) },
    },
    {
      name: 'vendor extremes T1=0.5 s, T2=40 s, T4=60 s over UDP (K and I follow T4, D keeps its 32 s floor)',
      t1: 0.5, t2: 40, t4: 60, reliable: false,
      expected: {
        A: sec(0.5), B: sec(32), D: sec(32), E: sec(0.5), F: sec(32), G: sec(0.5), H: sec(32),
        I: sec(60), J: sec(32), K: sec(60), L: sec(32), M: sec(32), t2: sec(40),
      },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      expect(timerValues({ t1: sec(c.t1), t2: sec(c.t2), t4: sec(c.t4) }, c.reliable)).to.deep.equal(c.expected);
    });
  }

  it('keeps Timer D at 32 s or more on UDP for every T1 the vendor allows (0.5..10 s)', () => {
    for (const t1 of [0.5, 0.6, 1, 2, 5, 10]) {
      const v = timerValues({ t1: sec(t1), t2: sec(4), t4: sec(5) }, false);
      expect(v.D, `T1=${t1}`).to.be.at.least(sec(32));
      expect(v.D, `T1=${t1}: D covers Timer H`).to.be.at.least(v.H);
      expect(v.B, `T1=${t1}`).to.equal(64 * sec(t1));
    }
  });
});
