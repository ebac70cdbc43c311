import type { Instant, Timeline } from './timeline.js';

export type Verdict = 'match' | 'differs' | 'only in capture' | 'only in model';

/** One row of the side-by-side table; times in µs relative to each side's anchor. */
export interface Row {
  instant: string;
  capture?: number;
  model?: number;
  /** model − capture, µs (both present only). */
  delta?: number;
  verdict: Verdict;
  detail: string;
  /**
   * Whether the phone's rules fix this instant: what the phone sends (requests, retransmissions,
   * SYNs, DNS queries). What it receives (responses, ICMP, SYN-ACK/RST, DNS answers) is timed by
   * the lab's servers and network, not by the model under test: shown, never failing the verdict.
   */
  determined: boolean;
}

export interface Alignment {
  anchor: string;
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
export function align(capture: Timeline, model: Timeline, modelEnd: number, tolerance: number, anchorName?: string): Alignment | { error: string } {
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
  const rows: Row[] = [];
  let matched = 0;
  let compared = 0;
  let largest: { instant: string; delta: number } | undefined;
  for (const [name, { c, m }] of byName) {
    const determined = isPhoneSend(name);
    const capture = c ? c.t - ca.t : undefined;
    const modelT = m ? m.t - ma.t : undefined;
    const detail = c && m && c.detail !== m.detail ? `capture ${c.detail || '—'}; model ${m.detail || '—'}` : (c ?? m)!.detail;
    if (capture === undefined) rows.push({ instant: name, model: modelT!, verdict: 'only in model', detail, determined });
    else if (modelT === undefined) rows.push({ instant: name, capture, verdict: 'only in capture', detail, determined });
    else {
      const delta = modelT - capture;
      const ok = Math.abs(delta) <= tolerance;
      if (determined) {
        compared += 1;
        if (ok) matched += 1;
      }
      if (determined && (!largest || Math.abs(delta) > Math.abs(largest.delta))) largest = { instant: name, delta };
      rows.push({ instant: name, capture, model: modelT, delta, verdict: ok ? 'match' : 'differs', detail, determined });
    }
  }
  // Table order: by the capture's time (the lab's own order), a row only in the model at its
  // model time; ties by the model's time, then by name, so the table reads down in time.
  const first = (r: Row): number => r.capture ?? r.model!;
  const second = (r: Row): number => r.model ?? r.capture!;
  rows.sort((a, b) => first(a) - first(b) || second(a) - second(b) || (a.instant < b.instant ? -1 : a.instant > b.instant ? 1 : 0));
  return { anchor: ca.name === ma.name ? ca.name : `${ca.name} (model: ${ma.name})`, tolerance, rows, outside, summary: { compared, matched, informational: rows.filter((r) => !r.determined).length, ...(largest ? { largestDelta: largest } : {}) } };
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
