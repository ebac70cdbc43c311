import { expect } from 'chai';
import * as path from 'node:path';
import { sweepFiles } from '../../sim/batch/outputs.js';
import { runPool } from '../../sim/batch/pool.js';
import type { PhoneCells, RunRow } from '../../sim/batch/row.js';
import type { SweepTask } from '../../sim/batch/worker.js';
import { repoRoot } from '../helpers/run-cli.js';

// A sweep no longer keeps its rows: it folds each into typed CSV columns and per-combination
// values as it arrives. The columns of runs.csv still depend on every row (call columns up to
// the highest call any run reached), so rows that arrive before a column exists must get
// empty cells in it, exactly as when the columns were derived from all rows at the end.
const phone = (name: string, calls: PhoneCells['calls'], detect: number | null = null): PhoneCells => ({ phone: name, firstReg: 0.5, detect, gapTotal: 0, gapLongest: 0, failback: null, calls });
const row = (seed: number, phones: PhoneCells[], extra: Partial<RunRow> = {}): RunRow => ({ combo: 0, seed, pass: 1, fail: 0, failed: [], phones, fleets: [], ...extra });
const meta = (n: number) => ({ file: 's.yaml', id: 's', name: 's', seeds: { first: 1, last: n }, axes: [] });
const text = (d: string | Iterable<string>): string => (typeof d === 'string' ? d : [...d].join(''));

describe('sweep: rows folded as they come', function () {
  this.timeout(60_000);

  it('a run stopped by the guard first, a call column that appears late, two phones: empty cells where a run has nothing', () => {
    const rows = [
      row(1, [], { pass: 0, fail: 2, failed: [7, 9], error: 'event guard: more than 1000000 events, "stopped"' }),
      row(2, [phone('alice', []), phone('bob', [{ call: 1, setup: 1.25, outcome: 'answered', via: 'sip1' }])]),
      row(3, [phone('alice', [{ call: 2, setup: 3.5, outcome: 'failed', via: null }]), phone('bob', [])], { pass: 0, fail: 1, failed: [9] }),
    ];
    const files = new Map(sweepFiles(meta(3), rows).files);
    expect(text(files.get('runs.csv')!).split('\n')).to.deep.equal([
      'combo,seed,pass,fail,failed_lines,error,alice.first_reg,alice.detect,alice.gap_total,alice.gap_longest,alice.failback,alice.call1.setup,alice.call1.outcome,alice.call1.via,alice.call2.setup,alice.call2.outcome,alice.call2.via,bob.first_reg,bob.detect,bob.gap_total,bob.gap_longest,bob.failback,bob.call1.setup,bob.call1.outcome,bob.call1.via',
      '0,1,0,2,7 9,"event guard: more than 1000000 events, ""stopped""",,,,,,,,,,,,,,,,,,,',
      '0,2,1,0,,,0.5,,0,0,,,,,,,,0.5,,0,0,,1.25,answered,sip1',
      '0,3,0,1,9,,0.5,,0,0,,,,,3.5,failed,,0.5,,0,0,,,,',
      '',
    ]);
    const agg = JSON.parse(text(files.get('aggregates.json')!)) as { combinations: { runs: number; failed: number; failingSeeds: number[]; timings: { name: string; stats: { count: number; max: number } | null }[] }[] };
    const c = agg.combinations[0]!;
    expect([c.runs, c.failed, c.failingSeeds]).to.deep.equal([3, 2, [1, 3]]);
    const timing = (name: string) => c.timings.find((t) => t.name === name)!.stats;
    expect(timing('alice.call2.setup')).to.include({ count: 1, max: 3.5 });
    expect(timing('bob.call1.setup')).to.include({ count: 1, max: 1.25 });
    expect(timing('alice.first_reg')).to.include({ count: 2 });
    expect(timing('alice.call1.setup')).to.equal(null);
  });

  it('rows must come in run order: the files are in run order whatever order the runs finished in', () => {
    expect(() => sweepFiles(meta(2), [row(2, []), row(1, [])])).to.throw(/out of order/);
  });

  it('the pool hands results back close to task order, so a sweep holds only a few batches at a time', async () => {
    const file = path.join(repoRoot, 'scenarios', '07-lossy-link.yaml');
    const tasks: SweepTask[] = Array.from({ length: 60 }, (_, t) => ({ file, combo: 0, settings: [], seeds: [2 * t + 1, 2 * t + 2] }));
    const order: number[] = [];
    let held = 0;
    let maxHeld = 0;
    let next = 0;
    const waiting = new Set<number>();
    const kept = await runPool(tasks, 2, (rows, i) => {
      expect(rows.map((r) => r.seed)).to.deep.equal(tasks[i]!.seeds);
      order.push(i);
      waiting.add(i);
      held++;
      maxHeld = Math.max(maxHeld, held);
      while (waiting.delete(next)) {
        next++;
        held--;
      }
    }, false);
    expect(kept).to.deep.equal([]);
    expect([...order].sort((a, b) => a - b)).to.deep.equal(tasks.map((_, i) => i));
    // A task starts only within the window (four per thread) of the first unfinished one, so
    // however slow a thread is, no more results than that wait on an earlier one.
    expect(maxHeld).to.be.at.most(8);
  });
});
