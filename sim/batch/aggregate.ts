import { nearestRank } from '../../reports/distribution.js';
import { Column, rowColumns } from './columns.js';
import type { Axis, Combination, SeedRange, Shard } from './plan.js';
import { RunRow, rowFailed } from './row.js';
import { formatSettings, shellWord } from './settings.js';

/**
 * What identifies a sweep: the scenario file as the user named it, the seeds and the --set axes
 * (and, for one shard's output, which shard). Everything a merge needs to check its inputs
 * belong together and to write what the unsharded sweep writes. No clock time, no --jobs: the
 * outputs must not depend on them.
 */
export interface SweepMeta {
  file: string;
  id: string;
  name: string;
  seeds: SeedRange;
  axes: Axis[];
  shard?: Shard;
}

export interface Stats {
  /** Runs in which the timing happened. */
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface ComboAggregate {
  index: number;
  label: string;
  settings: Record<string, string>;
  runs: number;
  passed: number;
  failed: number;
  /** Passed / runs, rounded to 4 decimals. */
  passRate: number;
  /** The first failing seeds (at most FAILING_SEEDS_KEPT), ascending. */
  failingSeeds: number[];
  timings: { name: string; unit: 's' | 'count'; stats: Stats | null }[];
}

export const PERCENT_MARKS = [50, 90, 99] as const;
export const FAILING_SEEDS_KEPT = 10;

/** Nearest-rank order statistics (reports/distribution.ts's rule) and the mean to µs; null when empty. */
export function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1]!,
    // Rounded to the µs the timings carry: the sum's last bits are no information.
    mean: Math.round((sum / sorted.length) * 1e6) / 1e6,
  };
}

/** Rows sorted by combination then seed → one aggregate per combination, in combination order. */
export function aggregate(combos: readonly Combination[], rows: readonly RunRow[], columns: Column[] = rowColumns(rows)): ComboAggregate[] {
  const numeric = columns.filter((c) => c.numeric);
  const byCombo = new Map<number, RunRow[]>();
  for (const r of rows) {
    if (!byCombo.has(r.combo)) byCombo.set(r.combo, []);
    byCombo.get(r.combo)!.push(r);
  }
  return combos.map((c) => {
    const own = byCombo.get(c.index) ?? [];
    const failing = own.filter(rowFailed);
    return {
      index: c.index,
      label: c.label,
      settings: Object.fromEntries(c.settings.map((s) => [s.key, s.value])),
      runs: own.length,
      passed: own.length - failing.length,
      failed: failing.length,
      passRate: own.length === 0 ? 0 : Math.round(((own.length - failing.length) / own.length) * 10_000) / 10_000,
      failingSeeds: failing.slice(0, FAILING_SEEDS_KEPT).map((r) => r.seed),
      timings: numeric.map((col) => {
        const values: number[] = [];
        for (const r of own) {
          const v = col.get(r);
          if (typeof v === 'number') values.push(v);
        }
        return { name: col.name, unit: col.unit as 's' | 'count', stats: stats(values) };
      }),
    };
  });
}

/** The command that replays one run: `sipsim run <file> --seed N --set k=v…`. */
export function replayCommand(meta: SweepMeta, combo: Combination, seed: number): string {
  const sets = formatSettings(combo.settings);
  return `sipsim run ${shellWord(meta.file)} --seed ${seed}${sets ? ` ${sets}` : ''}`;
}
