import { expect } from 'chai';
import { align, allMatch, failing, type Alignment } from '../../sim/capture/align.js';
import type { Instant, Timeline } from '../../sim/capture/timeline.js';

const MS = 1000;
const send = (n: number, t: number, txn = 'REGISTER → sip1 #1'): Instant => ({ name: `${txn} send ${n}`, t, phoneStarts: n === 1, detail: '', series: txn });
const timeline = (instants: Instant[]): Timeline => ({ instants, span: { first: instants[0]!.t, last: instants[instants.length - 1]!.t } });

/** The model's sends at 0, 0.5, 1.5, 3.5 s (T1 = 0.5 s doubling), then sip2 at 7.5 s. */
const model = timeline([send(1, 0), send(2, 500 * MS), send(3, 1500 * MS), send(4, 3500 * MS), send(1, 7500 * MS, 'REGISTER → sip2 #1')]);
/** A stack that re-arms each wait from its late fire: 4 ms late per wait, so 4, 8, 12, 16 ms from the anchor. */
const drifting = timeline([send(1, 100 * MS), send(2, 604 * MS), send(3, 1608 * MS), send(4, 3612 * MS), send(1, 7616 * MS, 'REGISTER → sip2 #1')]);

function aligned(capture: Timeline, relative: 'anchor' | 'previous'): Alignment {
  const a = align(capture, model, 20_000 * MS, { tolerance: 5 * MS, relative });
  if ('error' in a) throw new Error(a.error);
  return a;
}
const deltas = (a: Alignment): Record<string, number | undefined> => Object.fromEntries(a.rows.map((r) => [r.instant, r.delta]));

describe('align: --relative', () => {
  it('anchor (the default): a cumulative 4 ms-per-wait drift is −4, −8, −12, −16 ms from the anchor and fails from the second wait on', () => {
    const a = aligned(drifting, 'anchor');
    expect(a.relative).to.equal('anchor');
    expect(deltas(a)).to.deep.equal({
      'REGISTER → sip1 #1 send 1': 0, 'REGISTER → sip1 #1 send 2': -4 * MS, 'REGISTER → sip1 #1 send 3': -8 * MS,
      'REGISTER → sip1 #1 send 4': -12 * MS, 'REGISTER → sip2 #1 send 1': -16 * MS,
    });
    expect(failing(a).map((r) => r.instant)).to.deep.equal(['REGISTER → sip1 #1 send 3', 'REGISTER → sip1 #1 send 4', 'REGISTER → sip2 #1 send 1']);
    expect(a.rows.every((r) => r.reference === undefined)).to.equal(true);
  });

  it('previous: the same drift is −4 ms at each interval and matches; the absolute times are unchanged', () => {
    const a = aligned(drifting, 'previous');
    expect(a.relative).to.equal('previous');
    expect(deltas(a)).to.deep.equal({
      'REGISTER → sip1 #1 send 1': 0, 'REGISTER → sip1 #1 send 2': -4 * MS, 'REGISTER → sip1 #1 send 3': -4 * MS,
      'REGISTER → sip1 #1 send 4': -4 * MS, 'REGISTER → sip2 #1 send 1': -4 * MS,
    });
    expect(allMatch(a)).to.equal(true);
    expect(a.rows.map((r) => [r.capture, r.model])).to.deep.equal([[0, 0], [504 * MS, 500 * MS], [1508 * MS, 1500 * MS], [3512 * MS, 3500 * MS], [7516 * MS, 7500 * MS]]);
    expect(a.rows.map((r) => r.reference ?? 'anchor')).to.deep.equal(['anchor', 'REGISTER → sip1 #1 send 1', 'REGISTER → sip1 #1 send 2', 'REGISTER → sip1 #1 send 3', 'REGISTER → sip1 #1 send 4']);
    expect(a.summary).to.deep.include({ compared: 5, matched: 5, largestDelta: { instant: 'REGISTER → sip1 #1 send 2', delta: -4 * MS } });
  });

  it('previous: one wrong wait fails only the send it moves, not every send after it', () => {
    // Send 3 comes 300 ms late (a wrong timer), the waits after it are right again.
    const wrong = timeline([send(1, 0), send(2, 500 * MS), send(3, 1800 * MS), send(4, 3800 * MS), send(1, 7800 * MS, 'REGISTER → sip2 #1')]);
    expect(failing(aligned(wrong, 'previous')).map((r) => r.instant)).to.deep.equal(['REGISTER → sip1 #1 send 3']);
    expect(failing(aligned(wrong, 'anchor')).map((r) => r.instant)).to.deep.equal(['REGISTER → sip1 #1 send 3', 'REGISTER → sip1 #1 send 4', 'REGISTER → sip2 #1 send 1']);
  });

  it("previous: retransmissions interleaved with another exchange count from their own transaction's previous send", () => {
    const m = timeline([send(1, 0), send(1, 200 * MS, 'INVITE → sip1 #1'), send(2, 500 * MS)]);
    const c = timeline([send(1, 0), send(1, 230 * MS, 'INVITE → sip1 #1'), send(2, 502 * MS)]);
    const a = align(c, m, 10_000 * MS, { tolerance: 5 * MS, relative: 'previous' });
    if ('error' in a) throw new Error(a.error);
    const r = a.rows.find((x) => x.instant === 'REGISTER → sip1 #1 send 2')!;
    expect([r.reference, r.delta]).to.deep.equal(['REGISTER → sip1 #1 send 1', -2 * MS]);
    // The INVITE is a new exchange: from the phone's previous send, 30 ms off.
    expect(a.rows.find((x) => x.instant === 'INVITE → sip1 #1 send 1')!.delta).to.equal(-30 * MS);
  });
});
