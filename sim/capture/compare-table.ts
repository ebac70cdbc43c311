import { formatInstant } from '../core/time.js';
import { failing, type Alignment, type Row } from './align.js';

const ms = (us: number): string => `${us < 0 ? '-' : '+'}${(Math.abs(us) / 1000).toFixed(3)}ms`;
const when = (us: number | undefined): string => (us === undefined ? '—' : formatInstant(us));

/**
 * The side-by-side table as text: one row per instant in time order (times relative to the
 * anchor), then the summary. The delta is model − capture of the times from the anchor, or with
 * `--relative previous` of the intervals from the instant in the "since" column. Rows that fail
 * the verdict are marked with "!" at the start of the line so they stand out and can be grepped;
 * rows the phone's rules do not fix — what it receives, timed by the lab ("info"), and sends
 * whose instant the scenario scripts ("scenario") — are marked "~" when they are not a match:
 * shown, never failing.
 */
export function renderComparison(a: Alignment, title: string): string {
  const previous = a.relative === 'previous';
  const header = ['', 'instant', 'capture', 'model', 'delta', ...(previous ? ['since'] : []), 'kind', 'verdict'];
  const mark = (r: Row): string => (r.verdict === 'match' ? ' ' : r.determined ? '!' : '~');
  const since = (r: Row): string[] => (!previous ? [] : r.delta === undefined ? [''] : [r.reference ?? 'the anchor']);
  const cells = a.rows.map((r) => [mark(r), r.instant, when(r.capture), when(r.model), r.delta === undefined ? '' : ms(r.delta), ...since(r), r.kind, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i >= 2 && i <= 4 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  const measured = previous
    ? "delta: model − capture of the interval since the instant in 'since' (--relative previous)"
    : 'delta: model − capture';
  const out = [title, `times relative to: ${a.anchor} (0s on both sides); ${measured}; tolerance ${ms(a.tolerance).slice(1)}`, '', line(header), ...cells.map(line), ''];
  const s = a.summary;
  const differing = failing(a);
  const info = a.rows.filter((r) => !r.determined);
  const determined = a.rows.filter((r) => r.determined);
  out.push(`protocol-determined instants compared: ${s.compared}, matched within ${ms(a.tolerance).slice(1)}: ${s.matched}` +
    `, only in capture: ${count(determined, 'only in capture')}, only in model: ${count(determined, 'only in model')}`);
  const received = info.filter((r) => r.kind === 'info');
  const scripted = info.filter((r) => r.kind === 'scenario');
  out.push(`informational instants (received by the phone, timed by the lab; not in the verdict): ${received.length}, of which not a match: ${received.filter((r) => r.verdict !== 'match').length}`);
  if (scripted.length > 0) out.push(`scenario-scripted sends (a call placed, a scripted hang-up; not in the verdict): ${scripted.length}, of which not a match: ${scripted.filter((r) => r.verdict !== 'match').length}`);
  if (s.largestDelta) out.push(`largest delta: ${ms(s.largestDelta.delta)} at ${s.largestDelta.instant}`);
  if (a.outside.capture + a.outside.model > 0) {
    out.push(`not compared (outside the time the other side covers): ${a.outside.capture} capture instant(s), ${a.outside.model} model instant(s)`);
  }
  out.push(differing.length === 0 ? 'verdict: the model matches the capture' : `verdict: ${differing.length} instant(s) differ: ${differing.map((r) => r.instant).join('; ')}`);
  return `${out.join('\n')}\n`;
}

function count(rows: readonly Row[], v: Row['verdict']): number {
  return rows.filter((r) => r.verdict === v).length;
}

/** `--json`: the table with times in seconds (µs precision), as the JSONL trace writes them. */
export function comparisonJson(a: Alignment, capture: string, scenario: string, phone: string): string {
  const s = (us: number | undefined): number | null => (us === undefined ? null : us / 1e6);
  return `${JSON.stringify({
    capture, scenario, phone, anchor: a.anchor, relative: a.relative, tolerance: s(a.tolerance),
    rows: a.rows.map((r) => ({
      instant: r.instant, capture: s(r.capture), model: s(r.model), delta: r.delta === undefined ? null : s(r.delta),
      // With relative 'previous', the instant the delta's intervals count from (null: the anchor).
      ...(a.relative === 'previous' ? { reference: r.reference ?? null } : {}),
      verdict: r.verdict, kind: r.kind, determined: r.determined, detail: r.detail,
    })),
    summary: {
      compared: a.summary.compared, matched: a.summary.matched, informational: a.summary.informational,
      largestDelta: a.summary.largestDelta ? { instant: a.summary.largestDelta.instant, delta: s(a.summary.largestDelta.delta) } : null,
      outside: a.outside,
      pass: failing(a).length === 0,
    },
  }, null, 2)}\n`;
}
