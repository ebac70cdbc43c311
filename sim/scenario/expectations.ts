import type { Micros } from '../core/clock.js';
import type { PhoneFeature, PhoneRegistration, TraceEvent, TraceKind, TraceSink } from '../core/trace.js';
import { formatDuration } from '../core/time.js';
import type { MetricsResult } from '../../reports/fleet-metrics.js';
import { describeMetric, describeShare, FleetShareTracker, judgeMetric, percent } from './fleet-expectations.js';
import type { Expectation, Matcher, Timing } from './scenario.js';
import { sentNothing } from '../net/lazy-payload.js';

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
 * Expectation verdicts as a reducer over the trace stream: each expectation folds the records
 * it matches into a few numbers (first hit, nearest hit, state at an instant), so checking costs
 * no memory per record. `firstFault` is the instant of the scenario's first fault event (fail,
 * partition, link change, DNS change), if any: an `at`/`by` that holds only through an event
 * before it is flagged, since a check meant for a failover or failback then passes on the
 * boot-time event.
 */
export class ExpectationChecker implements TraceSink {
  private readonly folds: Fold[];
  /** The kinds its matchers read: only those are routed here (and built at all, when nothing else reads them). */
  readonly kinds: readonly TraceKind[];

  constructor(
    expectations: readonly Expectation[],
    private readonly end: Micros,
    private readonly firstFault?: Micros,
    /** Fleet sizes, for share expectations. */
    fleets: readonly { name: string; count: number }[] = [],
  ) {
    const sizes = new Map(fleets.map((f) => [f.name, f.count]));
    this.folds = expectations.map((e) => foldFor(e, end, sizes));
    this.kinds = [...new Set(expectations.flatMap((e) => kindsOf(e.matcher)))];
  }

  write(r: TraceEvent): void {
    for (const f of this.folds) f.write(r);
  }

  /** The verdicts at the end of the run; metric bounds are judged on `metrics`. */
  verdicts(metrics?: MetricsResult): Verdict[] {
    return this.folds.map((f) => withFaultWarning(f.verdict(metrics), this.firstFault));
  }
}

function kindsOf(m: Matcher): TraceKind[] {
  switch (m.kind) {
    case 'sends':
      return ['net.send'];
    case 'call':
      return ['call.outcome'];
    case 'registered':
      return ['phone.registration'];
    case 'feature':
      return ['phone.feature'];
    case 'incoming':
      return ['call.incoming'];
    case 'fleet-registered':
      return [m.on === 'any' ? 'phone.working-server' : 'phone.registration'];
    case 'metric':
      return [];
  }
}

/** Checks every expectation against a finished list of records (tests, small traces). */
export function checkExpectations(expectations: readonly Expectation[], records: readonly TraceEvent[], end: Micros, firstFault?: Micros): Verdict[] {
  const c = new ExpectationChecker(expectations, end, firstFault);
  for (const r of records) c.write(r);
  return c.verdicts();
}

type Checked = Verdict & { matchedAt?: Micros };

/** One expectation's running state. */
interface Fold {
  write(r: TraceEvent): void;
  verdict(metrics?: MetricsResult): Checked;
}

/** A record "hits" an at/by/never expectation: a stateless match, or a fleet's share reaching its threshold. */
type Hit = (r: TraceEvent) => boolean;

function hitFor(m: Matcher, sizes: ReadonlyMap<string, number>): Hit {
  if (m.kind !== 'fleet-registered') return (r) => matches(m, r);
  const tracker = new FleetShareTracker(m, sizes.get(m.fleet) ?? 0);
  return (r) => tracker.write(r);
}

function withFaultWarning(checked: Checked, firstFault: Micros | undefined): Verdict {
  const { matchedAt, ...rest } = checked;
  const v: Verdict = matchedAt === undefined ? rest : { ...rest, at: matchedAt };
  const t = v.expectation.timing;
  if (!v.pass || firstFault === undefined || matchedAt === undefined || matchedAt >= firstFault) return v;
  // An `at` aimed before the fault, or a `by` deadline before it, is about the pre-fault state on purpose.
  if ((t.kind === 'at' && t.at < firstFault) || (t.kind === 'by' && (t.by < firstFault || t.after > 0))) return v;
  const hint = t.kind === 'by' ? ' — did you mean `after:`?' : '';
  return { ...v, warning: `satisfied at ${fmt(matchedAt)}, before the first fault at ${fmt(firstFault)}${hint}` };
}

function foldFor(e: Expectation, end: Micros, sizes: ReadonlyMap<string, number>): Fold {
  const t = e.timing;
  switch (t.kind) {
    case 'run': {
      const m = e.matcher;
      return { write: () => undefined, verdict: (metrics) => (m.kind === 'metric' ? { expectation: e, ...judgeMetric(m, metrics) } : { expectation: e, pass: false, seen: 'only metric: bounds apply to the whole run' }) };
    }
    case 'during':
      if (e.matcher.kind === 'feature') return featureDuring(e, e.matcher, t.from, t.to);
      if (e.matcher.kind === 'registered') return registeredDuring(e, e.matcher, t.from, t.to);
      if (e.matcher.kind === 'fleet-registered') return shareDuring(e, new FleetShareTracker(e.matcher, sizes.get(e.matcher.fleet) ?? 0), t.from, t.to);
      return { write: () => undefined, verdict: () => ({ expectation: e, pass: false, seen: 'during applies to registered and feature only' }) };
    case 'at':
      return atFold(e, t, hitFor(e.matcher, sizes));
    case 'by':
      return byFold(e, t, hitFor(e.matcher, sizes));
    case 'never':
      return neverFold(e, t, end, hitFor(e.matcher, sizes));
  }
}

/** A fleet's share held over [from, to]: reached once everything at `from` happened, never below after. */
function shareDuring(e: Expectation, tracker: FleetShareTracker, from: Micros, to: Micros): Fold {
  const what = describeMatcher(e.matcher);
  let atFrom: boolean | undefined;
  let dipped: { t: Micros; level: number } | undefined;
  let lowest = Infinity;
  return {
    write(r) {
      if (atFrom === undefined && r.t > from) {
        atFrom = tracker.reached;
        lowest = tracker.level;
      }
      tracker.write(r);
      if (atFrom === undefined || r.t > to) return;
      lowest = Math.min(lowest, tracker.level);
      if (dipped === undefined && !tracker.reached) dipped = { t: r.t, level: tracker.level };
    },
    verdict() {
      const start = atFrom ?? tracker.reached;
      if (!start) return { expectation: e, pass: false, seen: `not ${what} at ${fmt(from)} (${percent(atFrom === undefined ? tracker.level : lowest)})` };
      if (dipped) return { expectation: e, pass: false, seen: `share fell to ${percent(dipped.level)} at ${fmt(dipped.t)}` };
      const low = Number.isFinite(lowest) ? lowest : tracker.level;
      return { expectation: e, pass: true, seen: `${what} throughout ${fmt(from)}–${fmt(to)} (lowest ${percent(low)})` };
    },
  };
}

function atFold(e: Expectation, t: Extract<Timing, { kind: 'at' }>, hit: Hit): Fold {
  const what = describeMatcher(e.matcher);
  let inside: Micros | undefined;
  let nearest: Micros | undefined;
  return {
    write(r) {
      if (!hit(r) || inside !== undefined) return;
      if (Math.abs(r.t - t.at) <= t.tolerance) inside = r.t;
      else if (nearest === undefined || Math.abs(r.t - t.at) < Math.abs(nearest - t.at)) nearest = r.t;
    },
    verdict() {
      if (inside !== undefined) return { expectation: e, pass: true, seen: `${what} at ${fmt(inside)}`, matchedAt: inside };
      if (nearest === undefined) return { expectation: e, pass: false, seen: `no ${what} in the whole run` };
      return { expectation: e, pass: false, seen: `nearest ${what} at ${fmt(nearest)}, ${formatDuration(Math.abs(nearest - t.at))} ${nearest < t.at ? 'early' : 'late'}` };
    },
  };
}

function byFold(e: Expectation, t: Extract<Timing, { kind: 'by' }>, hit: Hit): Fold {
  const what = describeMatcher(e.matcher);
  let first: Micros | undefined;
  let before: Micros | undefined;
  return {
    write(r) {
      if (!hit(r) || first !== undefined) return;
      if (r.t >= t.after) first = r.t;
      else before = r.t;
    },
    verdict() {
      if (first !== undefined && first <= t.by) return { expectation: e, pass: true, seen: `${what} at ${fmt(first)}`, matchedAt: first };
      const earlier = t.after > 0 && before !== undefined ? ` (the last before ${fmt(t.after)} at ${fmt(before)})` : '';
      if (first === undefined) return { expectation: e, pass: false, seen: `no ${what} ${t.after > 0 ? `at or after ${fmt(t.after)}` : 'in the whole run'}${earlier}` };
      return { expectation: e, pass: false, seen: `first ${what}${t.after > 0 ? ` after ${fmt(t.after)}` : ''} only at ${fmt(first)}${earlier}` };
    },
  };
}

function neverFold(e: Expectation, t: Extract<Timing, { kind: 'never' }>, end: Micros, hit: Hit): Fold {
  const what = describeMatcher(e.matcher);
  const to = t.to ?? end;
  let bad: Micros | undefined;
  return {
    write(r) {
      if (hit(r) && bad === undefined && r.t >= t.from && r.t <= to) bad = r.t;
    },
    verdict: () =>
      bad === undefined ? { expectation: e, pass: true, seen: `no ${what} in ${fmt(t.from)}–${fmt(to)}` } : { expectation: e, pass: false, seen: `${what} at ${fmt(bad)}` },
  };
}

/** A registration holding over [from, to]: registered once everything at `from` happened, and never leaving before `to`. */
function registeredDuring(e: Expectation, m: Extract<Matcher, { kind: 'registered' }>, from: Micros, to: Micros): Fold {
  let atFrom: { state: string; since?: Micros; reason?: string } = { state: 'unregistered' };
  let left: PhoneRegistration | undefined;
  return {
    write(r) {
      if (r.kind !== 'phone.registration' || r.phone !== m.phone || r.server !== m.on || (m.account !== undefined && r.account !== m.account)) return;
      if (r.t <= from) atFrom = { state: r.to, since: r.t, reason: r.reason };
      else if (left === undefined && r.t <= to && r.to !== 'registered') left = r;
    },
    verdict() {
      if (atFrom.state !== 'registered') {
        const since = atFrom.since !== undefined ? ` (since ${fmt(atFrom.since)}: ${atFrom.reason})` : '';
        return { expectation: e, pass: false, seen: `${m.phone} ${atFrom.state} on ${m.on} at ${fmt(from)}${since}` };
      }
      if (left) return { expectation: e, pass: false, seen: `${m.phone} ${left.to} on ${m.on} at ${fmt(left.t)} (${left.reason})` };
      return { expectation: e, pass: true, seen: `${m.phone} registered on ${m.on} throughout (since ${fmt(atFrom.since!)})` };
    },
  };
}

function featureDuring(e: Expectation, m: Extract<Matcher, { kind: 'feature' }>, from: Micros, to: Micros): Fold {
  let state = false;
  let since: Micros = 0;
  let broke: PhoneFeature | undefined;
  return {
    write(r) {
      if (broke || r.kind !== 'phone.feature' || r.phone !== m.phone || r.feature !== m.name) return;
      if (r.t <= from) {
        state = r.available;
        since = r.t;
      } else if (r.t <= to && r.available !== m.available) {
        broke = r;
      }
    },
    verdict() {
      if (broke) return { expectation: e, pass: false, seen: `${m.name} ${broke.available ? 'available' : 'lost'} at ${fmt(broke.t)} (${broke.reason})` };
      if (state !== m.available) return { expectation: e, pass: false, seen: `${m.name} ${state ? 'available' : 'not available'} at ${fmt(from)}` };
      return { expectation: e, pass: true, seen: `${m.name} ${m.available ? 'available' : 'not available'} throughout (since ${fmt(since)})` };
    },
  };
}

export function matches(m: Matcher, r: TraceEvent): boolean {
  switch (m.kind) {
    case 'sends': {
      if (r.kind !== 'net.send' || r.from !== m.from || r.to !== m.to) return false;
      if (m.method === undefined && m.status === undefined) return true;
      // SIP messages (UDP or TCP, in TLS too) carry their label: "INVITE", "503 Service Unavailable (INVITE)";
      // TCP control segments and other protocols' packets have no SIP payload or port.
      const sipPorts = [r.src.port, r.dst.port].some((p) => p === 5060 || p === 5061);
      if (r.proto === 'icmp' || !sipPorts || sentNothing(r)) return false;
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
    case 'fleet-registered':
    case 'metric':
      // Not a property of one record: followed by FleetShareTracker, judged by judgeMetric.
      return false;
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
    case 'fleet-registered':
      return describeShare(m);
    case 'metric':
      return describeMetric(m);
  }
}

function fmt(t: Micros): string {
  return formatDuration(t);
}
