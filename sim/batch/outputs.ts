import { toCsv } from '../../reports/csv.js';
import { join } from 'node:path';
import { aggregate, ComboAggregate, replayCommand, SweepMeta } from './aggregate.js';
import { SweepCollector } from './collector.js';
import { renderSweepHtml } from './html-report.js';
import { combinations, Combination } from './plan.js';
import type { RunRow } from './row.js';

export { ROWS_PER_PART } from './collector.js';

/**
 * Everything a sweep writes, as bytes from (meta, rows) alone — which is what makes a merge of
 * shards write exactly what one sweep writes. Files in the output directory:
 *   sweep.json       what was swept (scenario, its input digest, the sipsim version, seeds, axes; the shard for one shard's output)
 *   runs.jsonl       one row per run, by combination then seed (row.ts)
 *   runs.csv         the same rows flattened (columns.ts)
 *   aggregates.csv   per combination × timing: runs, pass rate, n, p50, p90, p99, max, mean
 *   aggregates.json  per combination: pass rate, failing seeds with replay commands, timings
 *   report.html      CDF per timing and combination, the table, the failures
 */
export interface SweepFiles {
  /** File name in the output directory → contents (the per-run files in parts, runs.csv's made as it is read: iterate once). */
  files: [string, string | Iterable<string>][];
  /** The table and failure list printed on stdout. */
  text: string;
  aggregates: ComboAggregate[];
}

export const SWEEP_META_FILE = 'sweep.json';
export const ROWS_FILE = 'runs.jsonl';
/** Every file a sweep writes, in the order sweepFiles lists them (checked before a sweep runs). */
export const SWEEP_FILES = [SWEEP_META_FILE, ROWS_FILE, 'runs.csv', 'aggregates.csv', 'aggregates.json', 'report.html'] as const;

/** Folds rows already in run order (a merge's, a test's) into a collector. */
export function collect(meta: SweepMeta, rows: readonly RunRow[]): SweepCollector {
  const c = new SweepCollector(combinations(meta.axes));
  for (const r of rows) c.add(r);
  return c;
}

/**
 * The files, from the collector: runs.jsonl is what it has not yet handed on (all of it when it
 * was made without a writer), the per-run CSV in parts of ROWS_PER_PART rows. One string per
 * file would pass V8's string limit (~5.4 × 10⁸ characters, about two million rows of runs.jsonl).
 */
export function sweepFiles(meta: SweepMeta, source: SweepCollector | readonly RunRow[]): SweepFiles {
  const c = source instanceof SweepCollector ? source : collect(meta, source);
  const combos = c.combos;
  const columns = c.columns();
  const numeric = columns.filter((col) => col.numeric);
  const series = c.series();
  const aggs = aggregate(c, numeric, series);
  const keys = meta.axes.map((a) => a.key);
  const header = ['combo', 'seed', ...keys, 'pass', 'fail', 'failed_lines', 'error', ...columns.map((col) => col.name)];
  // One stringify per part, made as the file is written (all of them at once would be ~55 bytes
  // a run more): each part ends with its record delimiter, so they concatenate to what one call writes.
  function* runsCsv(): Generator<string> {
    let first = true;
    for (const batch of c.csvRows()) {
      yield toCsv(first ? [header, ...batch] : batch);
      first = false;
    }
    if (first) yield toCsv([header]);
  }
  const aggRows = aggs.flatMap((a) => a.timings.map((t) => [
    a.index, ...combos[a.index]!.settings.map((s) => s.value), a.runs, a.passed, a.passRate, t.name, t.stats?.count ?? 0,
    ...(t.stats ? [t.stats.p50, t.stats.p90, t.stats.p99, t.stats.max, t.stats.mean] : ['', '', '', '', '']),
  ]));
  const aggCsv = toCsv([['combo', ...keys, 'runs', 'passed', 'pass_rate', 'timing', 'count', 'p50', 'p90', 'p99', 'max', 'mean'], ...aggRows.map((row) => row.map(cell))]);
  const aggJson = {
    scenario: { file: meta.file, id: meta.id, name: meta.name },
    seeds: meta.seeds,
    axes: meta.axes,
    combinations: aggs.map((a) => ({ ...a, replay: a.failingSeeds.map((seed) => replayCommand(meta, combos[a.index]!, seed)) })),
  };
  const files: [(typeof SWEEP_FILES)[number], string | Iterable<string>][] = [
    [SWEEP_META_FILE, `${JSON.stringify(meta, null, 2)}\n`],
    [ROWS_FILE, c.takeJsonl()],
    ['runs.csv', runsCsv()],
    ['aggregates.csv', aggCsv],
    ['aggregates.json', `${JSON.stringify(aggJson, null, 2)}\n`],
    ['report.html', renderSweepHtml(meta, combos, numeric, series, aggs)],
  ];
  return { files, text: renderTable(meta, combos, aggs), aggregates: aggs };
}

function cell(v: unknown): string | number {
  return v === null || v === undefined ? '' : (v as string | number);
}

/** The per-combination distributions, then each failing combination's first seeds with their replay commands. */
export function renderTable(meta: SweepMeta, combos: readonly Combination[], aggs: readonly ComboAggregate[]): string {
  const out: string[] = [];
  const runs = aggs.reduce((n, a) => n + a.runs, 0);
  out.push(`sweep ${meta.file}: seeds ${meta.seeds.first}..${meta.seeds.last}, ${combos.length} combination${combos.length === 1 ? '' : 's'}, ${runs} runs`);
  for (const a of aggs) {
    out.push('', `${a.label}: ${a.runs} runs, ${a.passed} passed (${(a.passRate * 100).toFixed(1)} %)`);
    const shown = a.timings.filter((t) => t.stats !== null);
    if (shown.length === 0) continue;
    const width = Math.max(6, ...shown.map((t) => t.name.length));
    const head = ['n', 'p50', 'p90', 'p99', 'max', 'mean'];
    out.push(`  ${'timing'.padEnd(width)} ${head.map((h, i) => h.padStart(i === 0 ? 6 : 10)).join('')}`);
    for (const t of shown) {
      const s = t.stats!;
      const f = (v: number) => (t.unit === 'count' ? String(v) : v.toFixed(3)).padStart(10);
      out.push(`  ${t.name.padEnd(width)} ${String(s.count).padStart(6)}${[s.p50, s.p90, s.p99, s.max, s.mean].map(f).join('')}`);
    }
  }
  const failing = aggs.filter((a) => a.failed > 0);
  if (failing.length > 0) {
    out.push('', 'FAILED: expectations failed in some runs; replay one with:');
    for (const a of failing) {
      out.push(`  ${a.label}: ${a.failed} of ${a.runs} runs failed; first seeds ${a.failingSeeds.slice(0, 5).join(', ')}`);
      for (const seed of a.failingSeeds.slice(0, 5)) out.push(`    ${replayCommand(meta, combos[a.index]!, seed)}`);
    }
  } else {
    out.push('', `every expectation held in all ${runs} runs`);
  }
  return `${out.join('\n')}\n`;
}

export function outPath(dir: string, name: string): string {
  return join(dir, name);
}
