import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SweepMeta } from '../../sim/batch/aggregate.js';
import { mergeCommand } from '../../sim/batch/merge-command.js';
import { ROWS_FILE, ROWS_PER_PART, SWEEP_FILES, SWEEP_META_FILE, sweepFiles } from '../../sim/batch/outputs.js';
import type { RunRow } from '../../sim/batch/row.js';

// A sweep's per-run files used to be built as one string each: past ~2 million rows that is
// beyond V8's string limit and the sweep died after running every seed. They are now written in
// parts, and a merge reads a shard's rows line by line; the bytes must not change.
const meta = (n: number): SweepMeta => ({ file: 'scenarios/x.yaml', id: 'x', name: 'x', seeds: { first: 1, last: n }, axes: [] });

function rows(n: number): RunRow[] {
  return Array.from({ length: n }, (_, i): RunRow => ({
    combo: 0, seed: i + 1, pass: i % 7 === 0 ? 0 : 1, fail: i % 7 === 0 ? 1 : 0, failed: i % 7 === 0 ? [12] : [],
    // Multi-byte text, so some character straddles the merge's 1 MB reads.
    ...(i % 7 === 0 ? { error: `délai dépassé — seed ${i + 1} «${'é'.repeat(i % 13)}»` } : {}),
    phones: [{ phone: 'alice', firstReg: 0.1 + i / 1e6, detect: i % 3 === 0 ? null : 32 + (i % 5), gapTotal: 0, gapLongest: 0, failback: null, calls: [{ call: 1, setup: 0.2 + (i % 11) / 10, outcome: 'answered', via: 'sip1' }] }],
    fleets: [],
  }));
}

const text = (data: string | Iterable<string>): string => (typeof data === 'string' ? data : [...data].join(''));

describe('sweep: per-run files in parts', function () {
  this.timeout(60_000);
  const n = 2 * ROWS_PER_PART + 123;
  const all = rows(n);
  const files = new Map(sweepFiles(meta(n), all).files);
  // runs.csv's parts are made as they are read: read once.
  const runsCsv = text(files.get('runs.csv')!);

  it('writes exactly the files SWEEP_FILES lists (what a sweep checks for a directory in the way before it runs)', () => {
    expect([...files.keys()]).to.deep.equal([...SWEEP_FILES]);
  });

  it('runs.jsonl and runs.csv come in parts that join to one line per run, in order, the CSV header once', () => {
    expect(files.get(ROWS_FILE)).to.be.an('array').with.length.above(1);
    const jsonl = text(files.get(ROWS_FILE)!).split('\n');
    expect(jsonl.pop()).to.equal('');
    expect(jsonl.map((l) => (JSON.parse(l) as RunRow).seed)).to.deep.equal(all.map((r) => r.seed));
    const csv = runsCsv.split('\n');
    expect(csv.pop()).to.equal('');
    expect(csv).to.have.length(n + 1);
    expect(csv.filter((l) => l.startsWith('combo,seed,'))).to.have.length(1);
    expect(csv[0]).to.match(/^combo,seed,pass,fail,failed_lines,error,alice\.first_reg,/);
    expect(csv.slice(1).map((l) => Number(l.split(',')[1]))).to.deep.equal(all.map((r) => r.seed));
    // The row that opens the second part is a row like the others (no header, no blank line before it).
    expect(csv[ROWS_PER_PART + 1]).to.match(new RegExp(`^0,${ROWS_PER_PART + 1},`));
  });

  it('a sweep of fewer rows than a part writes the same bytes as the first rows of a longer one', () => {
    const few = new Map(sweepFiles(meta(10), all.slice(0, 10)).files);
    const csv = runsCsv.split('\n').slice(0, 11).join('\n') + '\n';
    expect(text(few.get('runs.csv')!)).to.equal(csv);
  });

  it('merge reads a shard of several megabytes line by line and writes back the same rows', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-sweep-parts-'));
    try {
      const shard = path.join(tmp, 'shard');
      fs.mkdirSync(shard);
      const big = rows(12_000);
      for (const [name, data] of sweepFiles(meta(big.length), big).files) fs.writeFileSync(path.join(shard, name), text(data));
      expect(fs.statSync(path.join(shard, ROWS_FILE)).size).to.be.greaterThan(2 << 20);
      const out = path.join(tmp, 'merged');
      const said: string[] = [];
      const code = mergeCommand([shard], { out }, (s) => void said.push(String(s)));
      expect(code).to.equal(1); // every seventh run failed
      for (const name of [ROWS_FILE, 'runs.csv', 'aggregates.json', SWEEP_META_FILE]) {
        expect(fs.readFileSync(path.join(out, name), 'utf8'), name).to.equal(fs.readFileSync(path.join(shard, name), 'utf8'));
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
