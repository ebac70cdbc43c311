import type { Micros } from '../../sim/core/clock.js';
import { formatDuration, parseDuration } from '../../sim/core/time.js';
import type { Verdict } from '../../sim/scenario/expectations.js';
import { PAGE_CSS } from './css.js';
import { escapeHtml as esc, jsonForScript } from './escape.js';
import { GEOMETRY } from './layout.js';
import { FLEET_CSS } from './fleet-charts.js';
import { FLEET_SCRIPT } from './fleet-script.js';
import { PAGE_SCRIPT } from './script.js';
import type { PageMeta } from './timeline.js';

export interface PageParts {
  meta: PageMeta;
  svg: string;
  texts: string[];
  lanes: { name: string; role: string; h: number; wire: number }[];
  hidden: { phones: number; messages: number; shownPhones: number };
  /** The fleet charts' section (fleet-charts.ts), '' without fleets. */
  fleet: string;
  sections: string[];
}

/** The whole page: header, controls, timeline, detail pane, expectations, summary, data and script. */
export function renderPage(p: PageParts): string {
  const { meta } = p;
  const s = meta.scenario;
  const held = meta.verdicts.filter((v) => v.pass).length;
  const title = `${s.id}: ${s.name}`;
  const data = { end: meta.end, axis: GEOMETRY.axisHeight, gap: GEOMETRY.gap, lanes: p.lanes, texts: p.texts };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)} — sipsim</title>
<style>${PAGE_CSS}${p.fleet ? FLEET_CSS : ''}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
${s.description ? `<p class="desc">${esc(s.description)}</p>` : ''}
<p class="meta">${esc(s.file)} · seed ${meta.seed} · ${esc(formatDuration(meta.end))} simulated · ${meta.eventsRun} events · <span class="${held === meta.verdicts.length ? 'pass' : 'fail'}">expectations ${held}/${meta.verdicts.length} hold</span></p>
<details class="model"><summary>model options</summary><code>${esc(Object.entries(meta.model).map(([k, v]) => `${k}=${v}`).join(' '))}</code></details>
${hiddenNote(p.hidden, p.fleet !== '')}
</header>
<nav id="controls">
<button id="zin" type="button">zoom in</button> <button id="zout" type="button">zoom out</button> <button id="reset" type="button">reset</button>
<span id="window">0s – ${esc(formatDuration(meta.end))}</span>
<span class="hint">drag across the timeline to zoom to a window; click a message for its text</span>
<label><input type="checkbox" id="tcpctl" checked> TCP/TLS control segments</label>
<details id="filter"><summary>lanes</summary>${p.lanes.map((l, i) => `<label><input type="checkbox" class="lanebox" data-lane="${i}" checked> ${esc(l.name)}</label>`).join(' ')}</details>
</nav>
<main>
<div id="chart">${p.svg}</div>
<aside id="detail"><p class="none">Click a message arrow to see its full text here.</p></aside>
${legend()}
${p.fleet ? `${p.fleet}\n` : ''}<section id="expectations"><h2>Expectations</h2>${verdictTable(meta.verdicts, meta.end, s.file)}</section>
${p.sections.join('\n')}
<section id="summary"><h2>Summary</h2><pre>${esc(meta.summaryText)}</pre></section>
</main>
<script type="application/json" id="data">${jsonForScript(data)}</script>
<script>${PAGE_SCRIPT}</script>
${p.fleet ? `<script>${FLEET_SCRIPT}</script>\n` : ''}</body>
</html>
`;
}

function hiddenNote(h: PageParts['hidden'], charts: boolean): string {
  if (h.phones === 0) return '';
  return `<p class="note" id="hidden-note">${h.phones} phone${h.phones > 1 ? 's' : ''} hidden: this page shows every server and DNS lane and the first ${h.shownPhones} phone${h.shownPhones > 1 ? 's' : ''} (${h.messages} messages from or to hidden phones are not drawn). ` +
    (charts
      ? 'The fleet charts below show every phone in aggregate: registrations per server over time, request, response and shed rates and queue length per server.</p>'
      : 'Aggregate charts (phones registered per server over time, request and shed rates per server) are drawn for fleets, from their metrics: declare the phones as a <code>fleets:</code> entry.</p>');
}

function legend(): string {
  const line = (cls: string, text: string): string => `<span class="lg"><svg width="26" height="10"><g class="${cls}"><line class="vis" x1="1" y1="5" x2="22" y2="5"/></g></svg>${text}</span>`;
  const box = (cls: string, text: string): string => `<span class="lg"><svg width="14" height="10"><rect class="${cls}" width="14" height="10"/></svg>${text}</span>`;
  return `<p id="legend">${[
    line('msg k-request', 'SIP request'), line('msg k-response', 'SIP response'), line('msg k-request rtx', 'retransmission'), line('msg k-request lost', 'lost'),
    line('msg k-dns-query', 'DNS'), line('msg k-icmp', 'ICMP'), line('msg k-rst', 'TCP RST'), line('msg k-tcp-ctl', 'TCP/TLS control'),
    box('out-silent', 'silent'), box('out-unreachable', 'unreachable'), box('out-host-unreachable', 'host unreachable'), box('out-503', '503'), box('out-slow', 'slow'),
    box('net-loss', 'link loss'), box('net-partition', 'partition'),
    box('reg-registering', 'registering'), box('reg-registered', 'registered'), box('reg-failed', 'failed'),
    box('call-answered', 'call answered'), box('call-failed', 'call failed'), box('call-busy', 'busy'), box('feat-on', 'feature on'), box('feat-off', 'feature lost'),
  ].join(' ')}</p>`;
}

function verdictTable(verdicts: readonly Verdict[], end: Micros, file: string): string {
  if (verdicts.length === 0) return '<p>No expectations in this scenario.</p>';
  const rows = verdicts.map((v, i) => {
    const at = v.at ?? instantIn(v.seen);
    const w = windowOf(v, at, end);
    return `<tr class="${v.pass ? 'pass' : 'fail'}"><td class="res">${v.pass ? 'PASS' : 'FAIL'}</td><td><code>${esc(v.expectation.text)}</code><div class="line">${esc(file)}:${v.expectation.line}</div></td>` +
      `<td>${v.pass ? 'seen' : 'seen instead'}: ${esc(v.seen)}${v.warning ? `<div class="warn">warning: ${esc(v.warning)}</div>` : ''}</td>` +
      `<td><button type="button" class="goto" id="v${i}" data-w0="${w[0]}" data-w1="${w[1]}"${at !== undefined ? ` data-t="${at}"` : ''}>${at !== undefined ? esc(formatDuration(at)) : 'window'}</button></td></tr>`;
  });
  return `<table><thead><tr><th></th><th>expectation</th><th>what the run showed</th><th>instant</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The first "at <duration>" in a verdict's text: where a failing check saw its nearest event. */
export function instantIn(seen: string): Micros | undefined {
  const m = / at (\d[\dµa-z.]*)/.exec(seen);
  return m ? parseDuration(m[1]!) : undefined;
}

/** The window a verdict link zooms to: around its instant, else the expectation's own window. */
function windowOf(v: Verdict, at: Micros | undefined, end: Micros): [Micros, Micros] {
  const clamp = (a: number, b: number): [Micros, Micros] => [Math.max(0, Math.round(a)), Math.min(end, Math.round(b))];
  if (at !== undefined) {
    const half = Math.max(1_000_000, Math.min(end / 20, 30_000_000));
    return clamp(at - half, at + half);
  }
  const t = v.expectation.timing;
  switch (t.kind) {
    case 'at':
      return clamp(t.at - t.tolerance - 2_000_000, t.at + t.tolerance + 2_000_000);
    case 'by':
      return clamp(t.after, t.by);
    case 'during':
      return clamp(t.from, t.to);
    case 'never':
      return clamp(t.from, t.to ?? end);
    case 'run':
      return clamp(0, end);
  }
}
