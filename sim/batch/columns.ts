import type { FleetCells, PhoneCells } from './row.js';

/**
 * The flat columns of a sweep's rows (CSV, aggregates, plots), derived from the rows alone
 * (collector.ts) so a merge of shards finds exactly the columns the unsharded sweep found: every
 * single phone in scenario order (its fixed timings, then call1…callN up to the highest call
 * number any run reached), then every fleet's headline numbers.
 */
export interface Column {
  name: string;
  /** Numeric columns are timings or counts: aggregated and plotted. */
  numeric: boolean;
  /** Seconds for times; counts for fleets' answered/failed/busy/never_registered. */
  unit: 's' | 'count' | 'text';
}

export const PHONE_FIELDS: [string, keyof PhoneCells][] = [
  ['first_reg', 'firstReg'],
  ['detect', 'detect'],
  ['gap_total', 'gapTotal'],
  ['gap_longest', 'gapLongest'],
  ['failback', 'failback'],
];

export const FLEET_FIELDS: [string, keyof FleetCells, 's' | 'count'][] = [
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
