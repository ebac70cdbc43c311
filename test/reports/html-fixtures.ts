import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { HtmlTimeline } from '../../reports/html/timeline.js';
import { renderSummary } from '../../reports/summary.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded, type RunResult } from '../../sim/scenario/run-scenario.js';
import { scenarioHosts } from '../../sim/scenario/world.js';

/** A run with its records kept, for counting what the page must draw. */
export type RecordedRun = RunResult & { records: TraceEvent[] };
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/** Runs a scenario file and renders its page the way the CLI does: every record through write(), then render(). */
export function renderRun(file: string, maxHosts?: number): { run: RecordedRun; html: string } {
  const scenario = loadScenario(file);
  const page = new HtmlTimeline({ hosts: scenarioHosts(scenario), ...(maxHosts !== undefined ? { maxHosts } : {}) });
  // As the CLI does: the page is a sink on the trace stream, rendered once after the run.
  const run = runRecorded(scenario, { sinks: [page] });
  return { run, html: page.render({ ...run, summaryText: renderSummary(run) }) };
}

export const bundled = (id: string): string => join(repoRoot, 'scenarios', `${id}.yaml`);

export interface Expected {
  lanes: number;
  arrows: number;
  lost: number;
  retransmissions: number;
  bands: Record<'outage' | 'link' | 'registration' | 'working' | 'call' | 'feature', number>;
}

/**
 * What the page must draw, counted straight from the trace and the scenario (not through the
 * report's own code): one arrow per net.send between shown hosts, one band per state a record
 * enters (leaving a state for 'up', 'unregistered' or no working server draws nothing).
 */
export function expectedFromTrace(run: RecordedRun, shown: ReadonlySet<string> = new Set(run.hosts.map((h) => h.name))): Expected {
  const rs: TraceEvent[] = run.records;
  const sends = rs.filter((r) => r.kind === 'net.send' && shown.has(r.from) && shown.has(r.to));
  const ids = new Set(sends.map((r) => (r as { id: number }).id));
  const s = run.scenario;
  const lossy = s.network.links.filter((l) => (l.change.loss ?? 0) > 0).length +
    s.events.filter((e) => (e.action.type === 'link' && (e.action.change.loss ?? 0) > 0) || e.action.type === 'partition').filter((e) => e.at <= run.end).length;
  const linkActions = s.network.links.some((l) => l.change.loss !== undefined) || s.events.some((e) => ['link', 'partition', 'heal'].includes(e.action.type) && e.at <= run.end);
  const calls = new Set<string>();
  for (const r of rs) if (r.kind === 'call.state' && shown.has(r.phone)) calls.add(`${r.phone}:${r.call}`);
  const count = (f: (r: TraceEvent) => boolean): number => rs.filter(f).length;
  return {
    lanes: shown.size + (linkActions && lossy > 0 ? 1 : 0),
    arrows: sends.length,
    lost: count((r) => r.kind === 'net.drop' && ids.has(r.id)),
    retransmissions: count((r) => r.kind === 'sip.retransmit' && shown.has(r.host)) + sends.filter((r) => r.kind === 'net.send' && r.label.includes('[retransmission]')).length,
    bands: {
      outage: count((r) => r.kind === 'host.state' && r.mode !== 'up' && shown.has(r.host)),
      link: lossy,
      registration: count((r) => r.kind === 'phone.registration' && r.to !== 'unregistered' && shown.has(r.phone)),
      working: count((r) => r.kind === 'phone.working-server' && r.server !== null && shown.has(r.phone)),
      call: calls.size + count((r) => r.kind === 'call.incoming' && shown.has(r.phone)),
      feature: count((r) => r.kind === 'phone.feature' && shown.has(r.phone)),
    },
  };
}

export const EVIL = '<script>alert(1)</script>';

/**
 * A copy of scenario 01 whose scenario name, description, phone display name, user part and
 * called number are script tags (the user part and number end up inside SIP payloads).
 */
export function writeEvilScenario(dir: string): string {
  mkdirSync(join(dir, 'phones'), { recursive: true });
  copyFileSync(join(repoRoot, 'scenarios', 'phones', 'common.cfg'), join(dir, 'phones', 'common.cfg'));
  const cfg = readFileSync(join(repoRoot, 'scenarios', 'phones', 'alice.cfg'), 'utf8')
    .replace('account.1.user_name = 1001', `account.1.user_name = ${EVIL}`)
    .replace('account.1.display_name = Alice', `account.1.display_name = </script><script>alert(2)</script>`);
  writeFileSync(join(dir, 'phones', 'alice.cfg'), cfg);
  const yaml = readFileSync(bundled('01-all-well'), 'utf8')
    .replace(/^name: .*$/m, `name: "${EVIL}"`)
    .replace(/^description: >\n(?: {2}.*\n)+/m, 'description: "<img src=x onerror=alert(4)> & </script>"\n')
    .replace('to: "2000"', 'to: "<script>alert(3)</script>"')
    .replace('{ by: 1m2s, call: { from: alice, outcome: answered, via: sip1 } }', '{ by: 1m2s, call: { from: alice, to: "<script>alert(3)</script>", outcome: answered, via: sip1 } }');
  const file = join(dir, 'evil.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Counts of what the page drew, read from its markup. */
export function countInMarkup(page: string): Expected {
  const html = timelineSvg(page);
  const n = (re: RegExp): number => (html.match(re) ?? []).length;
  return {
    lanes: n(/<g class="lane /g),
    arrows: n(/<g class="msg /g),
    lost: n(/<g class="msg [^"]*\blost\b/g),
    retransmissions: n(/<g class="msg [^"]*\brtx\b/g),
    bands: {
      outage: n(/data-band="outage"/g),
      link: n(/data-band="link"/g),
      registration: n(/data-band="registration"/g),
      working: n(/data-band="working"/g),
      call: n(/data-band="call"/g),
      feature: n(/data-band="feature"/g),
    },
  };
}

/** The timeline's <svg> element alone (the legend below it draws sample arrows and bands too). */
export function timelineSvg(page: string): string {
  const start = page.indexOf('<svg id="tl"');
  return page.slice(start, page.indexOf('</svg>', start) + 6);
}

/**
 * A fleet of `count` phones (compact `fleets:` form) with sip1 failing silent at 1m and back
 * at 3m; registrations expire after 60 s, so the fleet moves off sip1 and back within the run.
 */
export function writeFailingFleet(dir: string, count = 60, duration = '6m'): string {
  return writeCompactFleetScenario(dir, count, {
    duration,
    settings: { 'account.1.user_name': '2{i:05}', 'account.1.sip_server.1.expires': '60', 'account.1.sip_server.2.expires': '60' },
    events: ['{ at: 1m, fail: sip1, mode: silent }', '{ at: 3m, recover: sip1 }'],
    expect: [`  - { by: 20s, registered: { phone: "office[${count}]", on: sip1 } }`],
  });
}

/** A fleet chart's lines as the page draws them: series name, declared point count, and (second, value) per point. */
export interface ChartLine {
  series: string;
  declared: number;
  points: { s: number; v: number }[];
}

/** Reads a chart's polylines back: x is in seconds, y is turned back into a value with the chart's own y range. */
export function chartLines(html: string, id: string): ChartLine[] {
  const start = html.indexOf(`<figure class="fc" id="fc-${id}">`);
  if (start < 0) return [];
  const fig = html.slice(start, html.indexOf('</figure>', start));
  const num = (name: string): number => Number(new RegExp(`${name}="([^"]+)"`).exec(fig)![1]);
  const [ymax, bottom, top] = [num('data-ymax'), num('data-ybottom'), num('data-ytop')];
  return [...fig.matchAll(/<polyline class="fc-line [^"]*" data-series="([^"]*)" data-at="[^"]*" data-points="(\d+)" points="([^"]*)"/g)].map((m) => ({
    series: m[1]!,
    declared: Number(m[2]),
    points: m[3]!.split(' ').map((p) => {
      const [s, y] = p.split(',').map(Number) as [number, number];
      return { s, v: ((bottom - y) / (bottom - top)) * ymax };
    }),
  }));
}
