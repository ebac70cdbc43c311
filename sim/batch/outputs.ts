import { stringify } from 'csv-stringify/sync';
import { join } from 'node:path';
import { aggregate, ComboAggregate, replayCommand, SweepMeta } from './aggregate.js';
import { rowColumns } from './columns.js';
import { renderSweepHtml } from './html-report.js';
import { combinations, Combination } from './plan.js';
import type { RunRow } from './row.js';

/**
 * Everything a sweep writes, as bytes from (meta, rows) alone — which is what makes a merge of
 * shards write exactly what one sweep writes. Files in the output directory:
 *   sweep.json       what was swept (scenario, seeds, axes; the shard for one shard's output)
 *   runs.jsonl       one row per run, by combination then seed (row.ts)
 *   runs.csv         the same rows flattened (columns.ts)
 *   aggregates.csv   per combination × timing: runs, pass rate, n, p50, p90, p99, max, mean
 *   aggregates.json  per combination: pass rate, failing seeds with replay commands, timings
 *   report.html      CDF per timing and combination, the table, the failures
 */
export interface SweepFiles {
  /** File name in the output directory → contents (the per-run files in parts: see inParts). */
  files: [string, string | string[]][];
  /** The table and failure list printed on stdout. */
  text: string;
  aggregates: ComboAggregate[];
}

export const SWEEP_META_FILE = 'sweep.json';
export const ROWS_FILE = 'runs.jsonl';

export function sweepFiles(meta: SweepMeta, rows: readonly RunRow[]): SweepFiles {
  const combos = combinations(meta.axes);
  const columns = rowColumns(rows);
  const aggs = aggregate(combos, rows, columns);
  const settingsOf = (r: RunRow) => Object.fromEntries(combos[r.combo]!.settings.map((s) => [s.key, s.value]));
  // combo and seed first, then the combination's settings: a row reads on its own.
  const jsonl = inParts(rows, (batch) => batch.map((r) => {
    const { combo, seed, ...rest } = r;
    return `${JSON.stringify({ combo, seed, settings: settingsOf(r), ...rest })}\n`;
  }).join(''));
  const keys = meta.axes.map((a) => a.key);
  const csvRow = (r: RunRow) => [
    r.combo, r.seed, ...combos[r.combo]!.settings.map((s) => s.value), r.pass, r.fail, r.failed.join(' '), r.error ?? '', ...columns.map((c) => c.get(r)),
  ].map(cell);
  const header = ['combo', 'seed', ...keys, 'pass', 'fail', 'failed_lines', 'error', ...columns.map((c) => c.name)];
  // One stringify per part: each part ends with its record delimiter, so the parts concatenate to what one call writes.
  const runsCsv = inParts(rows, (batch, first) => stringify(first ? [header, ...batch.map(csvRow)] : batch.map(csvRow)));
  const aggRows = aggs.flatMap((a) => a.timings.map((t) => [
    a.index, ...combos[a.index]!.settings.map((s) => s.value), a.runs, a.passed, a.passRate, t.name, t.stats?.count ?? 0,
    ...(t.stats ? [t.stats.p50, t.stats.p90, t.stats.p99, t.stats.max, t.stats.mean] : ['', '', '', '', '']),
  ]));
  const aggCsv = stringify([['combo', ...keys, 'runs', 'passed', 'pass_rate', 'timing', 'count', 'p50', 'p90', 'p99', 'max', 'mean'], ...aggRows.map((row) => row.map(cell))]);
  const aggJson = {
    scenario: { file: meta.file, id: meta.id, name: meta.name },
    seeds: meta.seeds,
    axes: meta.axes,
    combinations: aggs.map((a) => ({ ...a, replay: a.failingSeeds.map((seed) => replayCommand(meta, combos[a.index]!, seed)) })),
  };
  const files: [string, string | string[]][] = [
    [SWEEP_META_FILE, `${JSON.stringify(meta, null, 2)}\n`],
    [ROWS_FILE, jsonl],
    ['runs.csv', runsCsv],
    ['aggregates.csv', aggCsv],
    ['aggregates.json', `${JSON.stringify(aggJson, null, 2)}\n`],
    ['report.html', renderSweepHtml(meta, combos, rows, columns, aggs)],
  ];
  return { files, text: renderTable(meta, combos, aggs), aggregates: aggs };
}

/** Rows per part of runs.jsonl / runs.csv: ~1 MB of text. */
export const ROWS_PER_PART = 4096;

/**
 * A per-run file as parts of ROWS_PER_PART rows, written one after another. As one string the
 * rows of a large sweep pass V8's string limit (~5.4 × 10⁸ characters, about two million rows
 * of runs.jsonl) and the sweep died with "Invalid string length" after running every seed.
 */
function inParts(rows: readonly RunRow[], text: (batch: readonly RunRow[], first: boolean) => string): string[] {
  if (rows.length === 0) return [text([], true)];
  const parts: string[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_PART) parts.push(text(rows.slice(i, i + ROWS_PER_PART), i === 0));
  return parts;
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
