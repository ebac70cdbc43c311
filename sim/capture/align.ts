import type { Instant, Timeline } from './timeline.js';

export type Verdict = 'match' | 'differs' | 'only in capture' | 'only in model';

/**
 * What a delta is measured against. 'anchor' (the default): each instant's time from the anchor,
 * model − capture. 'previous': each instant's interval from the phone's previous send in the
 * same exchange (a retransmission from the send before it, a response from the send it
 * answers), or, for an exchange's first instant, from the phone's previous send of any kind,
 * model interval − capture interval; the first send of all is measured from the anchor. It fits
 * stacks whose timers are re-armed from the instant the previous one actually fired (SIPp):
 * their lateness adds up from the anchor, not from send to send.
 */
export type Relative = 'anchor' | 'previous';
export const RELATIVE_MODES: readonly Relative[] = ['anchor', 'previous'];

/**
 * Who fixes an instant. 'protocol': the phone's rules (what it sends: requests,
 * retransmissions, SYNs, DNS queries) — these decide the verdict. 'info': what it receives
 * (responses, ICMP, SYN-ACK/RST, DNS answers), timed by the lab's servers and network.
 * 'scenario': a send whose instant the scenario scripts (the first send of a call it places, the
 * BYE at the end of its scripted duration), which the lab's tester chose, not the phone.
 * Only 'protocol' rows decide the verdict; the others are shown.
 */
export type RowKind = 'protocol' | 'info' | 'scenario';

/** One row of the side-by-side table; times in µs relative to each side's anchor. */
export interface Row {
  instant: string;
  capture?: number;
  model?: number;
  /** model − capture, µs (both present only): of the times from the anchor, or of the intervals from `reference`. */
  delta?: number;
  /** With --relative previous: the instant the delta's intervals count from; absent: the anchor. */
  reference?: string;
  verdict: Verdict;
  detail: string;
  kind: RowKind;
  /** kind === 'protocol': the row decides the verdict. */
  determined: boolean;
}

export interface AlignOptions {
  tolerance: number;
  /** The instant both sides count from (default: the phone's first SIP request or TCP SYN). */
  anchor?: string;
  relative?: Relative;
}

export interface Alignment {
  anchor: string;
  relative: Relative;
  tolerance: number;
  rows: Row[];
  /** Instants one side has past the end (or before the start) of what the other covers: not compared. */
  outside: { capture: number; model: number };
  summary: { compared: number; matched: number; informational: number; largestDelta?: { instant: string; delta: number } };
}

/**
 * Aligns two timelines by instant name (the n-th send of a transaction kind towards a peer on one
 * side beside the n-th on the other), times relative to each side's anchor: the named instant,
 * or else the phone's first SIP request or TCP SYN. An instant is compared only inside the time
 * both sides cover (the capture's packets, the model's run): a model run longer than the lab
 * capture is not "only in model" for what the capture never recorded.
 */
export function align(capture: Timeline, model: Timeline, modelEnd: number, opts: AlignOptions): Alignment | { error: string } {
  const { tolerance, anchor: anchorName } = opts;
  const relative = opts.relative ?? 'anchor';
  const ca = anchorOf(capture.instants, anchorName);
  const ma = anchorOf(model.instants, anchorName);
  if (!ca) return { error: anchorName ? `the capture has no instant '${anchorName}'${hint(capture.instants)}` : "the capture has no SIP request or TCP SYN from the phone to anchor on (is --address the phone's address?)" };
  if (!ma) return { error: anchorName ? `the model run has no instant '${anchorName}'${hint(model.instants)}` : 'the model run has no SIP request or TCP SYN from the phone to anchor on' };
  // What each side covers, relative to its anchor.
  const captureSpan = { first: capture.span!.first - ca.t, last: capture.span!.last - ca.t };
  const modelSpan = { first: -ma.t, last: modelEnd - ma.t };
  const inside = (t: number, s: { first: number; last: number }): boolean => t >= s.first - tolerance && t <= s.last + tolerance;
  const byName = new Map<string, { c?: Instant; m?: Instant }>();
  for (const i of capture.instants) byName.set(i.name, { c: i });
  for (const i of model.instants) {
    const e = byName.get(i.name);
    if (e) e.m = i;
    else byName.set(i.name, { m: i });
  }
  // A pair is always compared; an instant without its pair only when it falls inside the time
  // the other side covers (else the other side simply did not record that far).
  const outside = { capture: 0, model: 0 };
  for (const [name, { c, m }] of byName) {
    if (c && !m && !inside(c.t - ca.t, modelSpan)) {
      outside.capture += 1;
      byName.delete(name);
    } else if (m && !c && !inside(m.t - ma.t, captureSpan)) {
      outside.model += 1;
      byName.delete(name);
    }
  }
  const rows: (Row & { series?: string })[] = [];
  for (const [name, { c, m }] of byName) {
    const kind: RowKind = !isPhoneSend(name) ? 'info' : m?.scripted !== undefined ? 'scenario' : 'protocol';
    const detail = c && m && c.detail !== m.detail ? `capture ${c.detail || '—'}; model ${m.detail || '—'}` : (c ?? m)!.detail;
    const why = kind === 'scenario' ? `${detail ? `${detail}; ` : ''}${m!.scripted!}` : detail;
    const series = (c ?? m)!.series;
    rows.push({
      instant: name, ...(c ? { capture: c.t - ca.t } : {}), ...(m ? { model: m.t - ma.t } : {}),
      verdict: !c ? 'only in model' : !m ? 'only in capture' : 'match', detail: why, kind, determined: kind === 'protocol',
      ...(series !== undefined ? { series } : {}),
    });
  }
  // Table order: by the capture's time (the lab's own order), a row only in the model at its
  // model time; ties by the model's time, then by name, so the table reads down in time.
  const first = (r: Row): number => r.capture ?? r.model!;
  const second = (r: Row): number => r.model ?? r.capture!;
  rows.sort((a, b) => first(a) - first(b) || second(a) - second(b) || (a.instant < b.instant ? -1 : a.instant > b.instant ? 1 : 0));
  measure(rows, relative, tolerance);
  let matched = 0;
  let compared = 0;
  let largest: { instant: string; delta: number } | undefined;
  for (const r of rows) {
    if (!r.determined || r.delta === undefined) continue;
    compared += 1;
    if (r.verdict === 'match') matched += 1;
    if (!largest || Math.abs(r.delta) > Math.abs(largest.delta)) largest = { instant: r.instant, delta: r.delta };
  }
  const out: Row[] = rows.map(({ series: _series, ...r }) => r);
  return {
    anchor: ca.name === ma.name ? ca.name : `${ca.name} (model: ${ma.name})`, relative, tolerance, rows: out, outside,
    summary: { compared, matched, informational: out.filter((r) => !r.determined).length, ...(largest ? { largestDelta: largest } : {}) },
  };
}

/**
 * Sets each paired row's delta and verdict, rows in the capture's order. With 'previous', the
 * reference of a row is the latest paired phone send before it in the capture of the same
 * series, else the latest paired phone send of any series, else the anchor: so a SIPp whose
 * every wait starts late by the lateness of the one before is held to each wait, and a wrong
 * timer still shows at the send it moves (its interval is off by the error).
 */
function measure(rows: (Row & { series?: string })[], relative: Relative, tolerance: number): void {
  const lastBySeries = new Map<string, Row>();
  let last: Row | undefined;
  for (const r of rows) {
    if (r.capture === undefined || r.model === undefined) continue;
    const ref = relative === 'previous' ? ((r.series !== undefined ? lastBySeries.get(r.series) : undefined) ?? last) : undefined;
    r.delta = ref ? r.model - ref.model! - (r.capture - ref.capture!) : r.model - r.capture;
    if (ref) r.reference = ref.instant;
    r.verdict = Math.abs(r.delta) <= tolerance ? 'match' : 'differs';
    if (isPhoneSend(r.instant)) {
      last = r;
      if (r.series !== undefined) lastBySeries.set(r.series, r);
    }
  }
}

function anchorOf(instants: readonly Instant[], name?: string): Instant | undefined {
  return name === undefined ? instants.find((i) => i.phoneStarts) : instants.find((i) => i.name === name);
}

function hint(instants: readonly Instant[]): string {
  if (instants.length === 0) return ' (it has no instants at all)';
  return `; its first instants: ${instants.slice(0, 4).map((i) => `'${i.name}'`).join(', ')}`;
}

/** Instant names say the direction: "→ peer" is the phone sending (timeline.ts names them). */
function isPhoneSend(name: string): boolean {
  return name.includes(' → ');
}

/** The rows that fail the verdict: protocol-determined and not a match. */
export function failing(a: Alignment): Row[] {
  return a.rows.filter((r) => r.determined && r.verdict !== 'match');
}

/** Every protocol-determined row matched: the exit-0 condition. */
export function allMatch(a: Alignment): boolean {
  return failing(a).length === 0;
}
