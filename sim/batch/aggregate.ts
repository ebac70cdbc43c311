import { nearestRank } from '../../reports/distribution.js';
import type { Column } from './columns.js';
import type { SweepCollector } from './collector.js';
import type { Axis, Combination, SeedRange, Shard } from './plan.js';
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
  /** The sipsim version that ran it; absent in sweep.json files written before it was recorded. */
  version?: string;
  /** The scenario's input digest (scenario text and .cfg entries: input-digest.ts); absent likewise. */
  digest?: string;
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
  return sortedStats(Float64Array.from(values).sort());
}

/** stats() of values already ascending. */
export function sortedStats(sorted: Float64Array): Stats | null {
  if (sorted.length === 0) return null;
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

/**
 * One aggregate per combination, in combination order, from what the collector folded:
 * `numeric` the numeric columns, `series[k][combo]` the ascending values of numeric column k.
 */
export function aggregate(c: SweepCollector, numeric: readonly Column[], series: readonly Float64Array[][]): ComboAggregate[] {
  return c.combos.map((combo) => {
    const own = c.combo(combo.index);
    return {
      index: combo.index,
      label: combo.label,
      settings: Object.fromEntries(combo.settings.map((s) => [s.key, s.value])),
      runs: own.runs,
      passed: own.runs - own.failed,
      failed: own.failed,
      passRate: own.runs === 0 ? 0 : Math.round(((own.runs - own.failed) / own.runs) * 10_000) / 10_000,
      failingSeeds: own.failingSeeds.slice(),
      timings: numeric.map((col, k) => ({ name: col.name, unit: col.unit as 's' | 'count', stats: sortedStats(series[k]![combo.index]!) })),
    };
  });
}

/** The command that replays one run: `sipsim run <file> --seed N --set k=v…`. */
export function replayCommand(meta: SweepMeta, combo: Combination, seed: number): string {
  const sets = formatSettings(combo.settings);
  return `sipsim run ${shellWord(meta.file)} --seed ${seed}${sets ? ` ${sets}` : ''}`;
}
