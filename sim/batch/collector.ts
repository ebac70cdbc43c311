import { NumberList } from '../../reports/distribution.js';
import { Column, FLEET_FIELDS, PHONE_FIELDS } from './columns.js';
import { Cell, CsvStore } from './csv-store.js';
import type { Combination } from './plan.js';
import { RunRow, rowFailed } from './row.js';
import { FAILING_SEEDS_KEPT } from './aggregate.js';

export { ROWS_PER_PART } from './csv-store.js';
const JSONL_PART_CHARS = 1 << 20;

/** What the collector keeps of one combination: counts, its first failing seeds, each timing's values. */
interface ComboState {
  runs: number;
  failed: number;
  failingSeeds: number[];
  /** Per phone (model order), per PHONE_FIELDS field. */
  phone: NumberList[][];
  /** Per phone, per call number - 1: the setup times. */
  setup: NumberList[][];
  /** Per fleet, per FLEET_FIELDS field. */
  fleet: NumberList[][];
}

/**
 * Folds a sweep's rows, in run order (combination, then seed), into what its files need, so that
 * no row is kept: runs.jsonl leaves in parts as rows come (`onJsonl`), each combination keeps
 * the values of each timing (aggregates, CDFs), and each row keeps only its runs.csv cells (in
 * typed columns: csv-store.ts). The CSV waits for the end because its columns do: every single
 * phone in scenario order, its call columns up to the highest call number any run reached (a
 * row's missing calls are empty cells).
 * Phone and fleet names come from the first row that has any (a run stopped by the event guard
 * has none), as they did when columns were derived from all rows at once.
 */
export class SweepCollector {
  private model: { phones: string[]; fleets: string[] } | undefined;
  private readonly state: ComboState[];
  private readonly csv = new CsvStore();
  private readonly settingsOf: Record<string, string>[];
  private jsonl = '';
  private readonly jsonlParts: string[] = [];
  private lastKey = -1;

  constructor(
    readonly combos: readonly Combination[],
    /** Where runs.jsonl's parts go as they fill; without it they are kept for takeJsonl(). */
    private readonly onJsonl?: (part: string) => void,
  ) {
    this.state = combos.map(() => ({ runs: 0, failed: 0, failingSeeds: [], phone: [], setup: [], fleet: [] }));
    this.settingsOf = combos.map((c) => Object.fromEntries(c.settings.map((s) => [s.key, s.value])));
  }

  get rows(): number {
    return this.csv.rows;
  }

  add(r: RunRow): void {
    // The files are in run order whatever order the runs finished in: a caller that breaks it is a bug.
    const key = r.combo * 2 ** 32 + r.seed;
    if (key <= this.lastKey) throw new Error(`sweep rows out of order: combination ${r.combo} seed ${r.seed}`);
    this.lastKey = key;
    const { combo, seed, ...rest } = r;
    // combo and seed first, then the combination's settings: a row reads on its own.
    this.jsonl += `${JSON.stringify({ combo, seed, settings: this.settingsOf[combo], ...rest })}\n`;
    if (this.jsonl.length >= JSONL_PART_CHARS) this.flushJsonl();
    if (!this.model && (r.phones.length > 0 || r.fleets.length > 0)) {
      this.model = { phones: r.phones.map((p) => p.phone), fleets: r.fleets.map((f) => f.fleet) };
    }
    const st = this.state[combo]!;
    st.runs++;
    if (rowFailed(r)) {
      st.failed++;
      if (st.failingSeeds.length < FAILING_SEEDS_KEPT) st.failingSeeds.push(seed);
    }
    const phones = this.model ? Math.min(this.model.phones.length, r.phones.length) : 0;
    for (let i = 0; i < phones; i++) {
      const p = r.phones[i]!;
      const lists = (st.phone[i] ??= PHONE_FIELDS.map(() => new NumberList()));
      PHONE_FIELDS.forEach(([, field], f) => {
        const v = p[field] as number | null;
        if (typeof v === 'number') lists[f]!.push(v);
      });
      const setups = (st.setup[i] ??= []);
      for (const c of p.calls) (setups[c.call - 1] ??= new NumberList()).push(c.setup);
    }
    const fleets = this.model ? this.model.fleets.length : 0;
    for (let i = 0; i < Math.min(fleets, r.fleets.length); i++) {
      const f = r.fleets[i]!;
      const lists = (st.fleet[i] ??= FLEET_FIELDS.map(() => new NumberList()));
      FLEET_FIELDS.forEach(([, field], k) => {
        const v = f[field] as number | null;
        if (typeof v === 'number') lists[k]!.push(v);
      });
    }
    this.csv.add(r, this.model?.phones.length ?? 0, fleets);
  }

  /** The columns after the fixed ones, in CSV order (the same as rowColumns once gave). */
  columns(): Column[] {
    const cols: Column[] = [];
    if (!this.model) return cols;
    this.model.phones.forEach((phone, i) => {
      for (const [suffix] of PHONE_FIELDS) cols.push({ name: `${phone}.${suffix}`, numeric: true, unit: 's' });
      for (let n = 1; n <= this.csv.calls(i); n++) {
        cols.push({ name: `${phone}.call${n}.setup`, numeric: true, unit: 's' });
        cols.push({ name: `${phone}.call${n}.outcome`, numeric: false, unit: 'text' });
        cols.push({ name: `${phone}.call${n}.via`, numeric: false, unit: 'text' });
      }
    });
    this.model.fleets.forEach((fleet) => {
      for (const [suffix, , unit] of FLEET_FIELDS) cols.push({ name: `${fleet}.${suffix}`, numeric: true, unit });
    });
    return cols;
  }

  /** Per numeric column (columns() order, numeric only): each combination's values, ascending. */
  series(): Float64Array[][] {
    if (!this.model) return [];
    const out: Float64Array[][] = [];
    const sorted = (l: NumberList | undefined): Float64Array => (l ? Float64Array.from(l.values()).sort() : new Float64Array(0));
    this.model.phones.forEach((_, i) => {
      PHONE_FIELDS.forEach((_f, f) => out.push(this.state.map((st) => sorted(st.phone[i]?.[f]))));
      for (let n = 1; n <= this.csv.calls(i); n++) out.push(this.state.map((st) => sorted(st.setup[i]?.[n - 1])));
    });
    this.model.fleets.forEach((_, i) => {
      FLEET_FIELDS.forEach((_f, k) => out.push(this.state.map((st) => sorted(st.fleet[i]?.[k]))));
    });
    return out;
  }

  combo(i: number): { runs: number; failed: number; failingSeeds: number[] } {
    return this.state[i]!;
  }

  /** runs.csv's rows after the header, ROWS_PER_PART at a time (csv-store.ts). */
  csvRows(): Generator<Cell[][]> {
    return this.csv.csvRows(this.combos);
  }

  /** runs.jsonl's parts not handed to onJsonl (all of them without it), the last one included. */
  takeJsonl(): string[] {
    this.flushJsonl();
    return this.jsonlParts.splice(0);
  }

  private flushJsonl(): void {
    if (this.jsonl === '') return;
    if (this.onJsonl) this.onJsonl(this.jsonl);
    else this.jsonlParts.push(this.jsonl);
    this.jsonl = '';
  }
}
