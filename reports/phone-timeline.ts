import type { Micros } from '../sim/core/clock.js';
import type { CallIncoming, CallOutcome, TraceEvent } from '../sim/core/trace.js';

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

/** Derives each phone's registration, working-server and call history from the trace. */
export function phoneTimelines(records: readonly TraceEvent[], phones: string[], end: Micros): PhoneTimeline[] {
  return phones.map((phone) => {
    const registered = new Map<string, Interval[]>();
    const open = new Map<string, Micros>();
    const working = new Map<number, AccountTimeline['working']>();
    const calls: CallOutcome[] = [];
    const features: PhoneTimeline['features'] = [];
    const incoming: CallIncoming[] = [];
    for (const r of records) {
      if (r.kind === 'call.incoming' && r.phone === phone) incoming.push(r);
      if (r.kind === 'phone.feature' && r.phone === phone) features.push({ t: r.t, feature: r.feature, available: r.available, server: r.server });
      if (r.kind === 'phone.registration' && r.phone === phone) {
        if (!registered.has(r.server)) registered.set(r.server, []);
        if (r.to === 'registered' && !open.has(r.server)) open.set(r.server, r.t);
        if (r.to !== 'registered' && open.has(r.server)) {
          registered.get(r.server)!.push({ from: open.get(r.server)!, to: r.t });
          open.delete(r.server);
        }
      } else if (r.kind === 'phone.working-server' && r.phone === phone) {
        if (!working.has(r.account)) working.set(r.account, []);
        working.get(r.account)!.push({ t: r.t, server: r.server, reason: r.reason });
      } else if (r.kind === 'call.outcome' && r.phone === phone) {
        calls.push(r);
      }
    }
    for (const [server, from] of open) registered.get(server)!.push({ from, to: end });
    const accounts = [...working].sort(([a], [b]) => a - b).map(([account, w]) => accountTimeline(account, w, end));
    return { phone, registered, accounts, calls, incoming, features };
  });
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
