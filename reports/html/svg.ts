import type { ScaleLinear } from 'd3-scale';
import type { Micros } from '../../sim/core/clock.js';
import { formatDuration } from '../../sim/core/time.js';
import { escapeHtml as esc } from './escape.js';
import { GEOMETRY as G, type LaneLayout, px, totalHeight } from './layout.js';
import { type Arrow, type Band, type Marker, NETWORK_LANE } from './model.js';

/** Arrow labels are drawn only when at most this many arrows are in the window (the script re-decides on zoom). */
export const LABEL_LIMIT = 70;
/** How far towards its destination a lost packet's line goes before its cross. */
export const LOST_FRACTION = 0.8;

const DROP_WORDS: Record<string, string> = { loss: 'lost on the link', partition: 'partitioned', silent: 'destination silent', 'sender-down': 'sender is down', 'host-unreachable': 'host unreachable (ICMP back)' };

export interface SvgInput {
  lanes: LaneLayout[];
  arrows: Arrow[];
  bands: Band[];
  markers: Marker[];
  /** Index of each arrow's detail text in the page's text table. */
  textIndex: number[];
  x: ScaleLinear<number, number>;
  end: Micros;
}

/**
 * The timeline as one SVG: axis, lanes with their bands and markers, message arrows. Every
 * time-placed element carries its instants (data-a, data-b in µs) so the page's script can
 * re-place it on zoom; x positions here come from the d3 scale over the whole run.
 */
export function renderSvg(p: SvgInput): string {
  const height = totalHeight(p.lanes);
  const X = (t: Micros): string => px(p.x(t / 1e6));
  const laneOf = new Map(p.lanes.map((l) => [l.name, l]));
  const out: string[] = [];
  out.push(`<svg id="tl" xmlns="http://www.w3.org/2000/svg" class="${p.arrows.length <= LABEL_LIMIT ? 'labels' : ''}" width="${G.width}" height="${height}" viewBox="0 0 ${G.width} ${height}" data-x0="${G.labelWidth}" data-x1="${G.width - G.right}" data-end="${p.end}" data-lost="${LOST_FRACTION}" data-label-limit="${LABEL_LIMIT}">`);
  out.push(defs(height));
  out.push(`<g id="axis">${axis(p.x, height)}</g>`);
  out.push('<g id="lanes">');
  for (const l of p.lanes) out.push(lane(l, p.bands.filter((b) => b.lane === l.name), p.markers.filter((m) => m.lane === l.name), X));
  out.push('</g>');
  out.push('<g id="msgs" clip-path="url(#clip)">');
  p.arrows.forEach((a, i) => {
    const f = laneOf.get(a.from)!;
    const g = laneOf.get(a.to)!;
    out.push(arrow(a, f, g, p.textIndex[i]!, X));
  });
  out.push('</g>');
  out.push(`<line id="cursor" x1="${X(0)}" x2="${X(0)}" y1="${G.axisHeight}" y2="${height}" data-a="0" style="display:none"/>`);
  out.push(`<rect id="sel" x="0" y="${G.axisHeight}" width="0" height="${height - G.axisHeight}" style="display:none"/>`);
  out.push('</svg>');
  return out.join('\n');
}

function defs(height: number): string {
  const head = (id: string): string => `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>`;
  return `<defs>${['h-request', 'h-response', 'h-dns-query', 'h-dns-answer', 'h-icmp', 'h-rst', 'h-tcp-ctl'].map(head).join('')}` +
    '<marker id="cross" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="10" markerHeight="10" orient="0"><path d="M1,1L9,9M9,1L1,9"/></marker>' +
    `<clipPath id="clip" clipPathUnits="userSpaceOnUse"><rect x="${G.labelWidth}" y="-100000" width="${G.width - G.right - G.labelWidth}" height="${height + 200000}"/></clipPath></defs>`;
}

/** Ticks from d3's ticks() on the scale in seconds, labelled in the summary's human units. */
export function axis(x: ScaleLinear<number, number>, height: number): string {
  return x.ticks(10).map((s) => {
    const at = px(x(s));
    return `<line class="tick" x1="${at}" x2="${at}" y1="${G.axisHeight - 6}" y2="${height}"/><text class="tl" x="${at}" y="${G.axisHeight - 10}">${esc(formatDuration(Math.round(s * 1e6)))}</text>`;
  }).join('');
}

function lane(l: LaneLayout, bands: Band[], markers: Marker[], X: (t: Micros) => string): string {
  const out: string[] = [];
  const name = l.name === NETWORK_LANE ? 'network links' : l.name;
  out.push(`<g class="lane r-${l.role}" data-lane="${l.index}" data-host="${esc(name)}" data-h="${l.height}" transform="translate(0,${l.y})">`);
  out.push(`<rect class="lane-bg" x="0" y="0" width="${G.width}" height="${l.height}"/>`);
  const nameY = l.role === 'network' ? 11 : l.wireY - 2;
  out.push(`<text class="ln" x="6" y="${nameY}">${esc(name)}</text>`);
  if (l.ip) out.push(`<text class="ip" x="6" y="${nameY + 11}">${esc(l.ip)} · ${l.role}</text>`);
  for (const r of l.rows) out.push(`<text class="rl" x="${G.labelWidth - 6}" y="${r.y + 11}">${esc(r.ref.label)}</text>`);
  if (l.role !== 'network') out.push(`<line class="wire" x1="${G.labelWidth}" x2="${G.width - G.right}" y1="${l.wireY}" y2="${l.wireY}"/>`);
  out.push('<g clip-path="url(#clip)">');
  for (const b of bands) {
    const row = b.row ? l.rows.find((r) => r.ref === b.row) : undefined;
    const y = row ? row.y + 1 : 0;
    const h = row ? G.row - 2 : l.height;
    const x0 = Number(X(b.t0));
    const w = Math.max(Number(X(b.t1!)) - x0, 1);
    out.push(`<rect class="band ${b.cls}" data-band="${b.group}" data-a="${b.t0}" data-b="${b.t1}" x="${px(x0)}" y="${y}" width="${px(w)}" height="${h}"><title>${esc(b.title)}</title></rect>`);
    if (b.row) out.push(`<text class="bl" data-a="${b.t0}" data-b="${b.t1}" x="${px(x0 + 2)}" y="${y + 10}"${w < b.label.length * 5.6 + 4 ? ' style="display:none"' : ''}>${esc(b.label)}</text>`);
  }
  for (const m of markers) out.push(`<circle class="mk ${m.cls}" data-a="${m.t}" cx="${X(m.t)}" cy="${l.wireY}" r="3.5"><title>${esc(m.title)}</title></circle>`);
  out.push('</g></g>');
  return out.join('');
}

function arrow(a: Arrow, f: LaneLayout, g: LaneLayout, text: number, X: (t: Micros) => string): string {
  const y1 = f.y + f.wireY;
  const yTo = g.y + g.wireY;
  const y2 = a.drop ? y1 + (yTo - y1) * LOST_FRACTION : yTo;
  const cls = ['msg', `k-${a.kind}`, a.retransmit ? 'rtx' : '', a.drop ? 'lost' : ''].filter(Boolean).join(' ');
  const when = `${formatDuration(a.t0)} → ${a.drop ? `dropped at ${formatDuration(a.t1!)}` : formatDuration(a.t1!)}`;
  const title = `${a.label} · ${a.from} → ${a.to} · ${when}${a.retransmit ? ` · ${a.retransmit}` : ''}${a.drop ? ` · LOST: ${DROP_WORDS[a.drop] ?? a.drop}` : ''}`;
  const coords = `x1="${X(a.t0)}" y1="${px(y1)}" x2="${X(a.t1!)}" y2="${px(y2)}"`;
  const label = `${a.retransmit ? '↻ ' : ''}${a.label}`;
  const ly = px(y1 + (yTo > y1 ? 11 : -4));
  return `<g class="${cls}" data-id="${a.id}" data-m="${text}" data-a="${a.t0}" data-b="${a.t1}" data-f="${f.index}" data-g="${g.index}"><title>${esc(title)}</title>` +
    `<line class="hit" ${coords}/><line class="vis" ${coords}/><text class="ml" x="${px(Number(X(a.t0)) + 3)}" y="${ly}">${esc(label)}</text></g>`;
}
