import { NumberList } from '../../reports/distribution.js';
import { FLEET_FIELDS, PHONE_FIELDS } from './columns.js';
import type { Combination } from './plan.js';
import type { RunRow } from './row.js';

/** One cell of runs.csv before the library quotes it: '' for "did not happen". */
export type Cell = string | number;

/** Rows per part of runs.jsonl / runs.csv: ~1 MB of text. */
export const ROWS_PER_PART = 4096;

interface CallColumns {
  setup: NumberList;
  outcome: NumberList;
  via: NumberList;
}

/**
 * runs.csv's cells of every run, kept until the end of the sweep (its call columns are only
 * known then) as typed columns — a number per cell, texts as indexes into one table — about
 * 70 bytes a run of one phone and one call, where a row object was ~1 KB: ten million runs fit
 * in the default heap. NaN is an empty cell. Columns that appear late (call 3 first reached by
 * run 5,000) start with empty cells for the runs before.
 */
export class CsvStore {
  private n = 0;
  private readonly combo = new NumberList();
  private readonly seed = new NumberList();
  private readonly pass = new NumberList();
  private readonly fail = new NumberList();
  private readonly failedLines = new NumberList();
  private readonly error = new NumberList();
  /** Per run, how many phones it has: 0 for a run the event guard stopped. */
  private readonly phoneCount = new NumberList();
  private readonly phones: { fields: NumberList[]; calls: CallColumns[] }[] = [];
  private readonly fleets: NumberList[][] = [];
  private readonly texts: string[] = [''];
  private readonly textIndex = new Map<string, number>([['', 0]]);

  get rows(): number {
    return this.n;
  }

  /** One run's cells; `phones`/`fleets`: how many the sweep's columns have (the model row's). */
  add(r: RunRow, phones: number, fleets: number): void {
    this.combo.push(r.combo);
    this.seed.push(r.seed);
    this.pass.push(r.pass);
    this.fail.push(r.fail);
    this.failedLines.push(this.text(r.failed.join(' ')));
    this.error.push(this.text(r.error ?? ''));
    const own = Math.min(phones, r.phones.length);
    this.phoneCount.push(own);
    while (this.phones.length < phones) this.phones.push({ fields: PHONE_FIELDS.map(() => this.column()), calls: [] });
    while (this.fleets.length < fleets) this.fleets.push(FLEET_FIELDS.map(() => this.column()));
    for (let i = 0; i < phones; i++) {
      const col = this.phones[i]!;
      const p = i < own ? r.phones[i]! : undefined;
      PHONE_FIELDS.forEach(([, field], f) => col.fields[f]!.push(num(p?.[field] as number | null | undefined)));
      if (p) for (const c of p.calls) while (col.calls.length < c.call) col.calls.push({ setup: this.column(), outcome: this.column(), via: this.column() });
      col.calls.forEach((cc, k) => {
        const c = p?.calls.find((x) => x.call === k + 1);
        cc.setup.push(num(c?.setup));
        cc.outcome.push(c ? this.text(c.outcome) : NaN);
        cc.via.push(c?.via != null ? this.text(c.via) : NaN);
      });
    }
    for (let i = 0; i < fleets; i++) {
      const f = r.fleets[i];
      FLEET_FIELDS.forEach(([, field], k) => this.fleets[i]![k]!.push(num(f?.[field] as number | null | undefined)));
    }
    this.n++;
  }

  /** The highest call number any run of phone i reached: its call columns. */
  calls(i: number): number {
    return this.phones[i]?.calls.length ?? 0;
  }

  /** The rows after the header, ROWS_PER_PART at a time, each combination's values after the seed. */
  *csvRows(combos: readonly Combination[]): Generator<Cell[][]> {
    const value = (l: NumberList, row: number): Cell => {
      const v = l.get(row);
      return Number.isNaN(v) ? '' : v;
    };
    const text = (l: NumberList, row: number): string => {
      const v = l.get(row);
      return Number.isNaN(v) ? '' : this.texts[v]!;
    };
    for (let start = 0; start < this.n; start += ROWS_PER_PART) {
      const batch: Cell[][] = [];
      for (let row = start; row < Math.min(this.n, start + ROWS_PER_PART); row++) {
        const combo = this.combo.get(row);
        const out: Cell[] = [combo, this.seed.get(row), ...combos[combo]!.settings.map((s) => s.value)];
        out.push(this.pass.get(row), this.fail.get(row), text(this.failedLines, row), text(this.error, row));
        for (const p of this.phones) {
          for (const f of p.fields) out.push(value(f, row));
          for (const c of p.calls) out.push(value(c.setup, row), text(c.outcome, row), text(c.via, row));
        }
        for (const f of this.fleets) for (const l of f) out.push(value(l, row));
        batch.push(out);
      }
      yield batch;
    }
  }

  /** A column that starts with an empty cell for each run so far. */
  private column(): NumberList {
    const l = new NumberList();
    for (let i = 0; i < this.n; i++) l.push(NaN);
    return l;
  }

  private text(s: string): number {
    let i = this.textIndex.get(s);
    if (i === undefined) {
      i = this.texts.length;
      this.texts.push(s);
      this.textIndex.set(s, i);
    }
    return i;
  }
}

const num = (v: number | null | undefined): number => (typeof v === 'number' ? v : NaN);
