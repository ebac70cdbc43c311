import { formatDuration } from '../sim/core/time.js';
import type { Distribution } from './distribution.js';
import { AfterEvent, MetricsResult, seriesPeak, seriesTotal, SHARE_MARKS } from './fleet-metrics.js';

/**
 * The summary's fleet and server lines: aggregates, never phone by phone. Per fleet: phones
 * registered at the end, when the share got back to 50/95/99/100 % after each event, the gap
 * and call-setup distributions; per server: arrivals, answers, shed requests, queue and bindings.
 */
export function renderFleetSummary(m: MetricsResult): string[] {
  const out: string[] = [];
  for (const f of m.fleets) {
    const last = m.seconds - 1;
    const on = [...f.on].map(([s, a]) => `${s} ${a[last]}`).join(', ');
    out.push(`  fleet ${f.name}: ${f.count} phones`);
    out.push(`    registered at end: ${f.registered[last]} (${on})${f.neverRegistered ? `; never registered: ${f.neverRegistered}` : ''}`);
    for (const a of f.afterEvents.filter(interesting)) out.push(`    after ${a.event} at ${formatDuration(a.t)}: ${shareLine(a)}`);
    out.push(`    unregistered gaps: ${dist(f.gap) ?? 'none'}`);
    const placed = f.calls.answered + f.calls.failed + f.calls.busy;
    out.push(`    calls: ${placed === 0 ? 'none' : `${placed} placed: ${f.calls.answered} answered, ${f.calls.failed} failed, ${f.calls.busy} busy; setup ${dist(f.setup)}`}`);
  }
  if (m.fleets.length === 0) return out;
  for (const s of m.servers) {
    const arrived = seriesTotal(s.arrived);
    const peak = seriesPeak(s.arrived);
    const q = seriesPeak(s.queue);
    const shed = seriesTotal(s.shed);
    out.push(
      `  server ${s.name}: ${arrived} requests arrived (peak ${peak.value}/s at ${formatDuration(peak.at * 1_000_000)}), ${seriesTotal(s.answered)} final responses` +
        `${shed ? `, ${shed} shed` : ''}${q.value ? `, peak queue ${q.value} at ${formatDuration(q.at * 1_000_000)}` : ''}, ${s.bindings[m.seconds - 1]} bindings at end`,
    );
  }
  return out;
}

/** A target worth a line: the share moved after the event (a dip, or a climb that took time); not a server nobody ever used. */
function interesting(a: AfterEvent): boolean {
  const steady = SHARE_MARKS.every((mark) => a.reached[mark] === 0);
  const unused = SHARE_MARKS.every((mark) => a.reached[mark] === null) && a.minShare === 0;
  return !steady && !(unused && a.target !== 'any');
}

function shareLine(a: AfterEvent): string {
  const marks = SHARE_MARKS.map((mark) => `${mark}% ${a.reached[mark] === null ? 'never' : `+${formatDuration(a.reached[mark]!)}`}`).join(', ');
  return `${a.target === 'any' ? 'registered anywhere' : `on ${a.target}`} ${marks} (lowest ${Math.round(a.minShare * 1000) / 10}%)`;
}

export function dist(d: Distribution | null): string | null {
  if (!d) return null;
  const f = (v: number): string => formatDuration(Math.round(v));
  return `${d.count}, p50 ${f(d.p50)}, p95 ${f(d.p95)}, p99 ${f(d.p99)}, max ${f(d.max)}`;
}
