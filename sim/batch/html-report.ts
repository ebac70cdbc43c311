import { scaleLinear } from 'd3-scale';
import { escapeHtml as esc } from '../../reports/html/escape.js';
import { ComboAggregate, replayCommand, SweepMeta } from './aggregate.js';
import type { Column } from './columns.js';
import type { Combination } from './plan.js';

/**
 * The sweep's page: one self-contained file (no script, no network), like the run report. Per
 * timing one SVG chart with the empirical CDF of each combination (the fraction of runs whose
 * value is ≤ x), axes from d3-scale computed here; then the aggregate table and the failing
 * seeds with their replay commands. Every text from the user (names, labels, keys) is escaped;
 * numbers are printed with fixed digits, so identical sweeps give identical bytes.
 */
const W = 640;
const H = 220;
const M = { left: 48, right: 16, top: 12, bottom: 36 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const colour = (i: number): string => COLOURS[i % COLOURS.length]!;
const num = (v: number): string => String(Math.round(v * 100) / 100);
const fmt = (v: number, unit: string): string => (unit === 'count' ? String(v) : v.toFixed(3));

/** `numeric` the numeric columns, `series[k][combo]` numeric column k's ascending values in each combination. */
export function renderSweepHtml(meta: SweepMeta, combos: readonly Combination[], numeric: readonly Column[], series: readonly Float64Array[][], aggs: readonly ComboAggregate[]): string {
  const charts = numeric.map((col, k) => chart(col, combos, series[k]!)).filter((c) => c !== '');
  const runs = aggs.reduce((n, a) => n + a.runs, 0);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sipsim sweep — ${esc(meta.name)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: .5em 0; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
td.l, th.l { text-align: left; } code { background: #f4f4f4; padding: 1px 4px; }
.legend span { display: inline-block; margin-right: 1.2em; } .legend i { display: inline-block; width: 14px; height: 4px; margin-right: 4px; vertical-align: middle; }
svg text { font: 11px system-ui, sans-serif; fill: #444; } .fail { color: #b00; }
</style>
</head>
<body>
<h1>Sweep of ${esc(meta.file)}: ${esc(meta.name)}</h1>
<p>Seeds ${meta.seeds.first}..${meta.seeds.last}, ${combos.length} combination${combos.length === 1 ? '' : 's'}, ${runs} runs. Times in seconds; each chart is the fraction of runs (y) whose value is at most x.</p>
<p class="legend">${combos.map((c) => `<span><i style="background:${colour(c.index)}"></i>${esc(c.label)}</span>`).join('')}</p>
${charts.join('\n')}
<h2>Aggregates</h2>
${table(aggs)}
<h2>Failures</h2>
${failures(meta, combos, aggs)}
</body>
</html>
`;
}

function chart(col: Column, combos: readonly Combination[], sorted: readonly Float64Array[]): string {
  const series = combos.map((c) => ({ combo: c, values: sorted[c.index]! }));
  const all = series.filter((s) => s.values.length > 0);
  if (all.length === 0) return '';
  let lo = Math.min(...all.map((s) => s.values[0]!));
  let hi = Math.max(...all.map((s) => s.values[s.values.length - 1]!));
  // One value in every run (a gap of 0 s): an axis from 0 that shows it, not a zero-width one.
  if (hi === lo) [lo, hi] = [Math.min(0, lo), Math.max(0, lo) + 1];
  const x = scaleLinear().domain([lo, hi]).nice().range([M.left, W - M.right]);
  const y = scaleLinear().domain([0, 1]).range([H - M.bottom, M.top]);
  const xTicks = x.ticks(8).map((t) => `<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}" stroke="#444"/><text x="${num(x(t))}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(x.tickFormat(8)(t))}</text>`);
  const yTicks = y.ticks(4).map((t) => `<line x1="${M.left}" x2="${W - M.right}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="#eee"/><text x="${M.left - 6}" y="${num(y(t) + 4)}" text-anchor="end">${esc(y.tickFormat(4)(t))}</text>`);
  const paths = all.map((s) => `<path d="${cdfPath(s.values, x, y)}" fill="none" stroke="${colour(s.combo.index)}" stroke-width="1.5"><title>${esc(s.combo.label)}: ${s.values.length} runs</title></path>`);
  return `<h2>${esc(col.name)}${col.unit === 's' ? ' (s)' : ''}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`CDF of ${col.name}`)}">
${yTicks.join('')}
<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#444"/>
${xTicks.join('')}
${paths.join('\n')}
</svg>`;
}

/** The empirical CDF as a step path: up at each distinct value by the share of runs that have it. */
function cdfPath(sorted: Float64Array, x: (v: number) => number, y: (v: number) => number): string {
  const n = sorted.length;
  let d = `M${num(x(sorted[0]!))},${num(y(0))}`;
  for (let i = 0; i < n; i++) {
    // Jump once per distinct value, to the share of runs at or below it.
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
    d += `V${num(y((i + 1) / n))}`;
    if (i + 1 < n) d += `H${num(x(sorted[i + 1]!))}`;
  }
  return d;
}

function table(aggs: readonly ComboAggregate[]): string {
  const head = '<tr><th class="l">combination</th><th>runs</th><th>pass rate</th><th class="l">timing</th><th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>mean</th></tr>';
  const lines = aggs.flatMap((a) => {
    const shown = a.timings.filter((t) => t.stats !== null);
    if (shown.length === 0) return [`<tr><td class="l">${esc(a.label)}</td><td>${a.runs}</td><td>${(a.passRate * 100).toFixed(1)} %</td><td class="l" colspan="7">no timings</td></tr>`];
    return shown.map((t, i) => {
      const s = t.stats!;
      const lead = i === 0 ? `<td class="l" rowspan="${shown.length}">${esc(a.label)}</td><td rowspan="${shown.length}">${a.runs}</td><td rowspan="${shown.length}">${(a.passRate * 100).toFixed(1)} %</td>` : '';
      return `<tr>${lead}<td class="l">${esc(t.name)}</td><td>${s.count}</td>${[s.p50, s.p90, s.p99, s.max, s.mean].map((v) => `<td>${fmt(v, t.unit)}</td>`).join('')}</tr>`;
    });
  });
  return `<table>${head}${lines.join('')}</table>`;
}

function failures(meta: SweepMeta, combos: readonly Combination[], aggs: readonly ComboAggregate[]): string {
  const failing = aggs.filter((a) => a.failed > 0);
  if (failing.length === 0) return '<p>Every expectation held in every run.</p>';
  return failing.map((a) => `<p class="fail">${esc(a.label)}: ${a.failed} of ${a.runs} runs failed; first seeds:</p><ul>${a.failingSeeds.map((seed) => `<li><code>${esc(replayCommand(meta, combos[a.index]!, seed))}</code></li>`).join('')}</ul>`).join('\n');
}
