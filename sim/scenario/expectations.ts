import type { Micros } from '../core/clock.js';
import type { TraceEvent } from '../core/trace.js';
import { formatDuration } from '../core/time.js';
import type { Expectation, Matcher } from './scenario.js';

export interface Verdict {
  expectation: Expectation;
  pass: boolean;
  /** What the trace showed: the matching instant, or what was seen instead. */
  seen: string;
  /** A pass that may be an accident: held only by an event before the scenario's first fault. */
  warning?: string;
  /** The instant of the matching event, when one made the expectation hold (reports link to it). */
  at?: Micros;
}

/**
 * Checks every expectation against the finished trace. Pure: reads records only. `firstFault`
 * is the instant of the scenario's first fault event (fail, partition, link change, DNS change),
 * if any: an `at`/`by` that holds only through an event before it is flagged, since a check
 * meant for a failover or failback then passes on the boot-time event.
 */
export function checkExpectations(expectations: readonly Expectation[], records: readonly TraceEvent[], end: Micros, firstFault?: Micros): Verdict[] {
  return expectations.map((e) => withFaultWarning(checkOne(e, records, end), firstFault));
}

function withFaultWarning(checked: Verdict & { matchedAt?: Micros }, firstFault: Micros | undefined): Verdict {
  const { matchedAt, ...rest } = checked;
  const v: Verdict = matchedAt === undefined ? rest : { ...rest, at: matchedAt };
  const t = v.expectation.timing;
  if (!v.pass || firstFault === undefined || matchedAt === undefined || matchedAt >= firstFault) return v;
  // An `at` aimed before the fault, or a `by` deadline before it, is about the pre-fault state on purpose.
  if ((t.kind === 'at' && t.at < firstFault) || (t.kind === 'by' && (t.by < firstFault || t.after > 0))) return v;
  const hint = t.kind === 'by' ? ' — did you mean `after:`?' : '';
  return { ...v, warning: `satisfied at ${fmt(matchedAt)}, before the first fault at ${fmt(firstFault)}${hint}` };
}

function checkOne(e: Expectation, records: readonly TraceEvent[], end: Micros): Verdict & { matchedAt?: Micros } {
  const t = e.timing;
  if (t.kind === 'during') return checkDuring(e, records, t.from, t.to);
  const hits = records.filter((r) => matches(e.matcher, r)).map((r) => r.t);
  const what = describeMatcher(e.matcher);
  switch (t.kind) {
    case 'at': {
      const inside = hits.find((h) => Math.abs(h - t.at) <= t.tolerance);
      if (inside !== undefined) return { expectation: e, pass: true, seen: `${what} at ${fmt(inside)}`, matchedAt: inside };
      if (hits.length === 0) return { expectation: e, pass: false, seen: `no ${what} in the whole run` };
      const nearest = hits.reduce((a, b) => (Math.abs(b - t.at) < Math.abs(a - t.at) ? b : a));
      return { expectation: e, pass: false, seen: `nearest ${what} at ${fmt(nearest)}, ${formatDuration(Math.abs(nearest - t.at))} ${nearest < t.at ? 'early' : 'late'}` };
    }
    case 'by': {
      const first = hits.find((h) => h >= t.after);
      if (first !== undefined && first <= t.by) return { expectation: e, pass: true, seen: `${what} at ${fmt(first)}`, matchedAt: first };
      const before = t.after > 0 ? hits.filter((h) => h < t.after).pop() : undefined;
      const earlier = before !== undefined ? ` (the last before ${fmt(t.after)} at ${fmt(before)})` : '';
      if (first === undefined) return { expectation: e, pass: false, seen: `no ${what} ${t.after > 0 ? `at or after ${fmt(t.after)}` : 'in the whole run'}${earlier}` };
      return { expectation: e, pass: false, seen: `first ${what}${t.after > 0 ? ` after ${fmt(t.after)}` : ''} only at ${fmt(first)}${earlier}` };
    }
    case 'never': {
      const to = t.to ?? end;
      const bad = hits.find((h) => h >= t.from && h <= to);
      return bad === undefined
        ? { expectation: e, pass: true, seen: `no ${what} in ${fmt(t.from)}–${fmt(to)}` }
        : { expectation: e, pass: false, seen: `${what} at ${fmt(bad)}` };
    }
  }
}

/** A registration (or feature state) holding over [from, to]: true once everything at `from` happened, and never leaving before `to`. */
function checkDuring(e: Expectation, records: readonly TraceEvent[], from: Micros, to: Micros): Verdict {
  const m = e.matcher;
  if (m.kind === 'feature') return checkFeatureDuring(e, m, records, from, to);
  if (m.kind !== 'registered') return { expectation: e, pass: false, seen: 'during applies to registered and feature only' };
  const atFrom = stateAt(records, m.phone, m.on, from, m.account);
  if (atFrom.state !== 'registered') {
    const since = atFrom.since !== undefined ? ` (since ${fmt(atFrom.since)}: ${atFrom.reason})` : '';
    return { expectation: e, pass: false, seen: `${m.phone} ${atFrom.state} on ${m.on} at ${fmt(from)}${since}` };
  }
  const left = records.find(
    (r) => r.kind === 'phone.registration' && r.phone === m.phone && r.server === m.on && (m.account === undefined || r.account === m.account) && r.t > from && r.t <= to && r.to !== 'registered',
  );
  if (left && left.kind === 'phone.registration') {
    return { expectation: e, pass: false, seen: `${m.phone} ${left.to} on ${m.on} at ${fmt(left.t)} (${left.reason})` };
  }
  return { expectation: e, pass: true, seen: `${m.phone} registered on ${m.on} throughout (since ${fmt(atFrom.since!)})` };
}

function checkFeatureDuring(e: Expectation, m: Extract<Matcher, { kind: 'feature' }>, records: readonly TraceEvent[], from: Micros, to: Micros): Verdict {
  let state = false;
  let since: Micros = 0;
  for (const r of records) {
    if (r.kind !== 'phone.feature' || r.phone !== m.phone || r.feature !== m.name) continue;
    if (r.t <= from) {
      state = r.available;
      since = r.t;
    } else if (r.t <= to && r.available !== m.available) {
      return { expectation: e, pass: false, seen: `${m.name} ${r.available ? 'available' : 'lost'} at ${fmt(r.t)} (${r.reason})` };
    }
  }
  if (state !== m.available) return { expectation: e, pass: false, seen: `${m.name} ${state ? 'available' : 'not available'} at ${fmt(from)}` };
  return { expectation: e, pass: true, seen: `${m.name} ${m.available ? 'available' : 'not available'} throughout (since ${fmt(since)})` };
}

function stateAt(records: readonly TraceEvent[], phone: string, server: string, t: Micros, account?: number): { state: string; since?: Micros; reason?: string } {
  let out: { state: string; since?: Micros; reason?: string } = { state: 'unregistered' };
  for (const r of records) {
    if (r.t > t) break;
    if (r.kind === 'phone.registration' && r.phone === phone && r.server === server && (account === undefined || r.account === account)) out = { state: r.to, since: r.t, reason: r.reason };
  }
  return out;
}

export function matches(m: Matcher, r: TraceEvent): boolean {
  switch (m.kind) {
    case 'sends': {
      if (r.kind !== 'net.send' || r.from !== m.from || r.to !== m.to) return false;
      if (m.method === undefined && m.status === undefined) return true;
      // SIP messages (UDP or TCP, in TLS too) carry their label: "INVITE", "503 Service Unavailable (INVITE)";
      // TCP control segments and other protocols' packets have no SIP payload or port.
      const sipPorts = [r.src.port, r.dst.port].some((p) => p === 5060 || p === 5061);
      if (r.proto === 'icmp' || r.payload === '' || !sipPorts) return false;
      const first = r.label.split(' ')[0]!;
      if (m.status !== undefined) return first === String(m.status);
      return first === m.method;
    }
    case 'call':
      return (
        r.kind === 'call.outcome' && r.phone === m.from &&
        (m.to === undefined || r.to === m.to) && (m.outcome === undefined || r.outcome === m.outcome) && (m.via === undefined || r.via === m.via)
      );
    case 'registered':
      return r.kind === 'phone.registration' && r.phone === m.phone && r.server === m.on && r.to === 'registered' && (m.account === undefined || r.account === m.account);
    case 'feature':
      return r.kind === 'phone.feature' && r.phone === m.phone && r.feature === m.name && r.available === m.available;
    case 'incoming':
      return r.kind === 'call.incoming' && r.phone === m.phone && (m.outcome === undefined || r.outcome === m.outcome) && (m.via === undefined || r.via === m.via);
  }
}

export function describeMatcher(m: Matcher): string {
  switch (m.kind) {
    case 'sends':
      return `${m.method ?? (m.status !== undefined ? String(m.status) : 'SIP message')} ${m.from}→${m.to}`;
    case 'call':
      return `call from ${m.from}${m.to ? ` to ${m.to}` : ''}${m.outcome ? ` ${m.outcome}` : ''}${m.via ? ` via ${m.via}` : ''}`;
    case 'registered':
      return `${m.phone} registered on ${m.on}`;
    case 'feature':
      return `${m.phone} ${m.name} ${m.available ? 'available' : 'lost'}`;
    case 'incoming':
      return `incoming call to ${m.phone}${m.outcome ? ` ${m.outcome}` : ''}${m.via ? ` via ${m.via}` : ''}`;
  }
}

function fmt(t: Micros): string {
  return formatDuration(t);
}
