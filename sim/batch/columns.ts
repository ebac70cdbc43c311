import type { FleetCells, PhoneCells, RunRow } from './row.js';

/**
 * The flat columns of a sweep's rows (CSV, aggregates, plots), derived from the rows alone so a
 * merge of shards finds exactly the columns the unsharded sweep found: every single phone in
 * scenario order (its fixed timings, then call1…callN up to the highest call number any run
 * reached), then every fleet's headline numbers.
 */
export interface Column {
  name: string;
  /** Numeric columns are timings or counts: aggregated and plotted. */
  numeric: boolean;
  /** Seconds for times; counts for fleets' answered/failed/busy/never_registered. */
  unit: 's' | 'count' | 'text';
  get(row: RunRow): number | string | null;
}

const PHONE_FIELDS: [string, keyof PhoneCells][] = [
  ['first_reg', 'firstReg'],
  ['detect', 'detect'],
  ['gap_total', 'gapTotal'],
  ['gap_longest', 'gapLongest'],
  ['failback', 'failback'],
];

const FLEET_FIELDS: [string, keyof FleetCells, 's' | 'count'][] = [
  ['never_registered', 'neverRegistered', 'count'],
  ['gap_p50', 'gapP50', 's'],
  ['gap_p95', 'gapP95', 's'],
  ['gap_max', 'gapMax', 's'],
  ['setup_p50', 'setupP50', 's'],
  ['setup_p95', 'setupP95', 's'],
  ['setup_max', 'setupMax', 's'],
  ['answered', 'answered', 'count'],
  ['failed', 'failed', 'count'],
  ['busy', 'busy', 'count'],
];

export function rowColumns(rows: readonly RunRow[]): Column[] {
  // A row of a run stopped by the event guard has no phones: take the names from any other.
  const model = rows.find((r) => r.phones.length > 0 || r.fleets.length > 0);
  if (!model) return [];
  const cols: Column[] = [];
  model.phones.forEach((p, i) => {
    const cell = (r: RunRow): PhoneCells | undefined => r.phones[i];
    for (const [suffix, field] of PHONE_FIELDS) {
      cols.push({ name: `${p.phone}.${suffix}`, numeric: true, unit: 's', get: (r) => (cell(r)?.[field] as number | null | undefined) ?? null });
    }
    let maxCall = 0;
    for (const r of rows) for (const c of r.phones[i]?.calls ?? []) maxCall = Math.max(maxCall, c.call);
    for (let n = 1; n <= maxCall; n++) {
      const call = (r: RunRow) => cell(r)?.calls.find((c) => c.call === n);
      cols.push({ name: `${p.phone}.call${n}.setup`, numeric: true, unit: 's', get: (r) => call(r)?.setup ?? null });
      cols.push({ name: `${p.phone}.call${n}.outcome`, numeric: false, unit: 'text', get: (r) => call(r)?.outcome ?? null });
      cols.push({ name: `${p.phone}.call${n}.via`, numeric: false, unit: 'text', get: (r) => call(r)?.via ?? null });
    }
  });
  model.fleets.forEach((f, i) => {
    for (const [suffix, field, unit] of FLEET_FIELDS) {
      cols.push({ name: `${f.fleet}.${suffix}`, numeric: true, unit, get: (r) => (r.fleets[i]?.[field] as number | null | undefined) ?? null });
    }
  });
  return cols;
}
