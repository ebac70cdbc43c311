import { scaleLinear, type ScaleLinear } from 'd3-scale';
import type { Micros } from '../../sim/core/clock.js';
import { formatDuration } from '../../sim/core/time.js';
import type { ScenarioEvent } from '../../sim/scenario/scenario.js';
import { describeAction } from '../../sim/scenario/world.js';
import type { MetricsResult } from '../fleet-metrics.js';
import { downsample, MAX_POINTS } from './downsample.js';
import { escapeHtml as esc } from './escape.js';
import { GEOMETRY as G, px, timeScale } from './layout.js';

/**
 * The fleet charts of the HTML page: where thousands of phones would be thousands of lanes,
 * per-second aggregates from the fleet metrics (reports/fleet-metrics.ts), drawn as SVG lines
 * on the timeline's own time axis (same d3 scale, same left column), so a chart's instant sits
 * under the timeline's. The page's zoom carries over (fleet-script.ts). Scenario events other
 * than calls are marked on every chart.
 */

/** Past this many marked events a chart marks only the first ones (a note says so). */
export const MAX_EVENT_MARKS = 100;
const HEIGHT = 150;
const TOP = 10;
const BOTTOM = 124;

interface Line {
  name: string;
  cls: string;
  series: Int32Array;
  /** 'end': a value at the end of second k (registrations); 'mid': a count over [k, k+1) s (rates). */
  at: 'end' | 'mid';
}

/** The fleet section's HTML, or '' when the run has no fleets. */
export function renderFleetCharts(metrics: MetricsResult, events: readonly ScenarioEvent[], end: Micros): string {
  if (metrics.fleets.length === 0) return '';
  const x = timeScale(end);
  const marked = events.filter((e) => !['call', 'calls', 'incoming'].includes(e.action.type) && e.at <= end);
  const marks = marked.slice(0, MAX_EVENT_MARKS).map((e) => ({ t: e.at, text: `${formatDuration(e.at)}: ${describeAction(e.action)}` }));
  const servers = metrics.servers;
  const perServer = (pick: (s: MetricsResult['servers'][number]) => Int32Array): Line[] =>
    servers.map((s, i) => ({ name: s.name, cls: `s-${i % 6}`, series: pick(s), at: 'mid' }));
  const charts: string[] = [];
  for (const f of metrics.fleets) {
    const lines: Line[] = [...f.on.entries()].map(([name, series]) => ({ name, cls: `s-${servers.findIndex((s) => s.name === name) % 6}`, series, at: 'end' }));
    lines.push({ name: 'any', cls: 's-any', series: f.registered, at: 'end' });
    charts.push(chart(`registered-${f.name}`, `Fleet ${f.name} (${f.count} phones): phones registered per server, and on any (with a working server), at the end of each second`, lines, x, end, marks));
  }
  charts.push(chart('arrived', 'SIP requests arriving at each server per second (retransmissions included)', perServer((s) => s.arrived), x, end, marks));
  charts.push(chart('answered', 'Final responses each server sent per second', perServer((s) => s.answered), x, end, marks));
  charts.push(chart('shed', 'Requests each server shed per second (queue full: 503 or dropped)', perServer((s) => s.shed), x, end, marks));
  charts.push(chart('queue', 'Longest queue at each server per second (capacity-limited servers)', perServer((s) => s.queue), x, end, marks));
  const long = metrics.seconds > MAX_POINTS;
  const note = `Per-second fleet metrics (the same numbers as <code>--metrics</code>) on the timeline's time axis; dashed lines mark the scenario's events${marked.length > marks.length ? ` (the first ${marks.length} of ${marked.length})` : ''}.` +
    (long ? ` The run has ${metrics.seconds} seconds, so each line keeps, per bucket of ${Math.ceil(metrics.seconds / Math.floor(MAX_POINTS / 2))} s, the bucket's minimum and maximum at the seconds they occur (at most ${MAX_POINTS} points): dips and spikes stay visible, nothing is averaged away.` : '');
  return `<section id="fleet"><h2>Fleet charts</h2><p class="fc-note">${note}</p>\n${charts.join('\n')}\n</section>`;
}

function chart(id: string, title: string, lines: Line[], x: ScaleLinear<number, number>, end: Micros, marks: { t: Micros; text: string }[]): string {
  let max = 0;
  for (const l of lines) for (const v of l.series) if (v > max) max = v;
  // A little headroom, so a line at the maximum is not drawn on the plot's edge.
  const y = scaleLinear().domain([0, Math.max(1, max * 1.08)]).nice().range([BOTTOM, TOP]);
  const top = y.domain()[1]!;
  const endS = end / 1e6;
  const [X0, X1] = x.range() as [number, number];
  const out: string[] = [];
  const legend = lines.map((l) => `<span class="fc-key"><svg width="18" height="8"><line class="fc-line ${l.cls}" x1="0" y1="4" x2="18" y2="4"/></svg>${esc(l.name)}</span>`).join(' ');
  out.push(`<figure class="fc" id="fc-${esc(id)}"><figcaption>${esc(title)}${max === 0 ? ' — none in this run' : ''} ${legend}</figcaption>`);
  out.push(`<svg class="fc-svg" xmlns="http://www.w3.org/2000/svg" width="${G.width}" height="${HEIGHT}" viewBox="0 0 ${G.width} ${HEIGHT}" data-x0="${X0}" data-x1="${X1}" data-end="${end}" data-ymax="${top}" data-ybottom="${BOTTOM}" data-ytop="${TOP}">`);
  out.push(`<defs><clipPath id="fc-clip-${esc(id)}" clipPathUnits="userSpaceOnUse"><rect x="${X0}" y="0" width="${X1 - X0}" height="${HEIGHT}"/></clipPath></defs>`);
  out.push(`<rect class="fc-bg" x="${X0}" y="${TOP}" width="${X1 - X0}" height="${BOTTOM - TOP}"/>`);
  out.push(`<g class="fc-yaxis">${y.ticks(Math.min(4, top)).filter(Number.isInteger).map((v) => `<line class="fc-grid" x1="${X0}" x2="${X1}" y1="${px(y(v))}" y2="${px(y(v))}"/><text class="fc-yl" x="${X0 - 4}" y="${px(y(v) + 3)}">${v}</text>`).join('')}</g>`);
  out.push(`<g class="fc-xaxis">${xAxis(x)}</g>`);
  // Points are in seconds across and pixels down; the group's transform is the d3 time scale
  // (x(t) = x(0) + t·(x(1) − x(0))), so the page's zoom only swaps the transform, and every
  // point keeps its exact second however far one zooms in.
  out.push(`<g clip-path="url(#fc-clip-${esc(id)})"><g class="fc-plot" transform="${plotTransform(x)}">`);
  for (const m of marks) out.push(`<line class="fc-ev" x1="${m.t / 1e6}" x2="${m.t / 1e6}" y1="${TOP}" y2="${BOTTOM}" data-a="${m.t}"><title>${esc(m.text)}</title></line>`);
  for (const l of lines) {
    const pts = downsample(l.series);
    const xy = pts.map((p) => `${Math.min(p.k + (l.at === 'end' ? 1 : 0.5), endS)},${px(y(p.v))}`).join(' ');
    out.push(`<polyline class="fc-line ${l.cls}" data-series="${esc(l.name)}" data-at="${l.at}" data-points="${pts.length}" points="${xy}"><title>${esc(l.name)}</title></polyline>`);
  }
  out.push('</g></g></svg></figure>');
  return out.join('');
}

/** The time scale as an SVG transform of a group whose x are seconds. */
function plotTransform(x: ScaleLinear<number, number>): string {
  // The same formula as the page's script uses on zoom (fleet-script.ts), with the scale's range and domain.
  const [x0, x1] = x.range() as [number, number];
  const [a, b] = x.domain() as [number, number];
  const k = (x1 - x0) / (b - a);
  return `matrix(${k} 0 0 1 ${x0 - a * k} 0)`;
}

/** Time ticks under the plot: the timeline's rule (d3 ticks of the scale in seconds, human units). */
function xAxis(x: ScaleLinear<number, number>): string {
  return x.ticks(10).map((s) => {
    const at = px(x(s));
    return `<line class="fc-grid" x1="${at}" x2="${at}" y1="${TOP}" y2="${BOTTOM + 4}"/><text class="tl" x="${at}" y="${BOTTOM + 16}">${esc(formatDuration(Math.round(s * 1e6)))}</text>`;
  }).join('');
}

/** The style of the fleet charts (appended to the page's sheet only when there are fleets). */
export const FLEET_CSS = `
#fleet .fc{margin:10px 0;background:#fff;border:1px solid #ddd}#fleet figcaption{padding:4px 8px;font-size:12px}
.fc-svg{display:block;width:100%;height:auto;min-width:900px}.fc-note{color:#555}
.fc-bg{fill:#fcfcfc}.fc-grid{stroke:#eee}.fc-yl{font-size:10px;fill:#555;text-anchor:end}
.fc-line{fill:none;stroke-width:1.4;vector-effect:non-scaling-stroke}.fc-key{margin-left:10px;white-space:nowrap}.fc-key svg{vertical-align:middle;margin-right:3px}
.fc-ev{stroke:#b01c1c;stroke-dasharray:4 3;stroke-width:1;vector-effect:non-scaling-stroke}
.s-0{stroke:#1f5fbf}.s-1{stroke:#e6550d}.s-2{stroke:#31a354}.s-3{stroke:#756bb1}.s-4{stroke:#c49c00}.s-5{stroke:#17becf}.s-any{stroke:#222;stroke-dasharray:6 2}
`;
