import type { Micros } from '../sim/core/clock.js';
import type { CallIncoming, CallOutcome, TraceEvent, TraceKind, TraceSink } from '../sim/core/trace.js';

export interface Interval {
  from: Micros;
  to: Micros;
}

export interface AccountTimeline {
  account: number;
  working: { t: Micros; server: string | null; reason: string }[];
  gaps: Interval[];
  firstRegistered: Micros | null;
}

export interface PhoneTimeline {
  phone: string;
  /** Per server: the intervals the phone held a registration there. */
  registered: Map<string, Interval[]>;
  /** Per account: working server changes (null = none), gaps with no working server after the first registration. */
  accounts: AccountTimeline[];
  calls: CallOutcome[];
  incoming: CallIncoming[];
  /** Feature availability changes in order. */
  features: { t: Micros; feature: string; available: boolean; server: string | null }[];
}

/** One phone's history as it folds: intervals so far, the open ones by server. */
interface Fold {
  registered: Map<string, Interval[]>;
  open: Map<string, Micros>;
  working: Map<number, AccountTimeline['working']>;
  calls: CallOutcome[];
  incoming: CallIncoming[];
  features: PhoneTimeline['features'];
}

/**
 * Each named phone's registration, working-server and call history, folded from the trace
 * stream. Only the phones it is given are kept: the summary names single phones; fleets are
 * reported as aggregates (reports/fleet-metrics.ts).
 */
export class PhoneTimelineReducer implements TraceSink {
  private readonly folds = new Map<string, Fold>();
  readonly kinds: readonly TraceKind[];

  constructor(private readonly phones: readonly string[]) {
    this.kinds = phones.length === 0 ? [] : ['call.incoming', 'phone.feature', 'phone.registration', 'phone.working-server', 'call.outcome'];
    for (const p of phones) this.folds.set(p, { registered: new Map(), open: new Map(), working: new Map(), calls: [], incoming: [], features: [] });
  }

  write(r: TraceEvent): void {
    if (!('phone' in r)) return;
    const f = this.folds.get(r.phone);
    if (!f) return;
    switch (r.kind) {
      case 'call.incoming':
        f.incoming.push(r);
        return;
      case 'phone.feature':
        f.features.push({ t: r.t, feature: r.feature, available: r.available, server: r.server });
        return;
      case 'phone.registration':
        if (!f.registered.has(r.server)) f.registered.set(r.server, []);
        if (r.to === 'registered' && !f.open.has(r.server)) f.open.set(r.server, r.t);
        if (r.to !== 'registered' && f.open.has(r.server)) {
          f.registered.get(r.server)!.push({ from: f.open.get(r.server)!, to: r.t });
          f.open.delete(r.server);
        }
        return;
      case 'phone.working-server':
        if (!f.working.has(r.account)) f.working.set(r.account, []);
        f.working.get(r.account)!.push({ t: r.t, server: r.server, reason: r.reason });
        return;
      case 'call.outcome':
        f.calls.push(r);
        return;
    }
  }

  /** The timelines at the end of the run (open intervals close at `end`). */
  timelines(end: Micros): PhoneTimeline[] {
    return this.phones.map((phone) => {
      const f = this.folds.get(phone)!;
      const registered = new Map([...f.registered].map(([server, iv]) => [server, [...iv]]));
      for (const [server, from] of f.open) registered.get(server)!.push({ from, to: end });
      const accounts = [...f.working].sort(([a], [b]) => a - b).map(([account, w]) => accountTimeline(account, w, end));
      return { phone, registered, accounts, calls: f.calls, incoming: f.incoming, features: f.features };
    });
  }
}

/** Derives each phone's history from a finished list of records (tests, small traces). */
export function phoneTimelines(records: readonly TraceEvent[], phones: string[], end: Micros): PhoneTimeline[] {
  const reducer = new PhoneTimelineReducer(phones);
  for (const r of records) reducer.write(r);
  return reducer.timelines(end);
}

function accountTimeline(account: number, working: AccountTimeline['working'], end: Micros): AccountTimeline {
  const firstRegistered = working.find((w) => w.server !== null)?.t ?? null;
  const gaps: Interval[] = [];
  let gapStart: Micros | null = null;
  for (const w of working) {
    if (w.server === null && gapStart === null) gapStart = w.t;
    if (w.server !== null && gapStart !== null) {
      gaps.push({ from: gapStart, to: w.t });
      gapStart = null;
    }
  }
  if (gapStart !== null) gaps.push({ from: gapStart, to: end });
  return { account, working, gaps, firstRegistered };
}
