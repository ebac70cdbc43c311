import type { Micros } from '../core/clock.js';
import type { TraceEvent } from '../core/trace.js';
import { formatDuration } from '../core/time.js';
import { type MetricsResult, seriesPeak, seriesTotal } from '../../reports/fleet-metrics.js';
import { parseMemberName } from './fleet.js';
import type { Matcher } from './scenario.js';

type FleetShare = Extract<Matcher, { kind: 'fleet-registered' }>;
type Metric = Extract<Matcher, { kind: 'metric' }>;

/**
 * A fleet's share registered on a server (or on any), followed record by record. `write`
 * returns true when this record takes the share up to the threshold (a "hit" for at/by/never).
 */
export class FleetShareTracker {
  /** The fleet's phones registered on the server (any account), or with some working server for `any`. */
  private n = 0;
  private readonly need: number;
  /** Per phone, a bit per account: registered on the server, or with a working server for `any`. */
  private readonly working = new Map<string, number>();

  constructor(private readonly m: FleetShare, private readonly count: number) {
    this.need = Math.ceil(m.share * count - 1e-9);
  }

  get reached(): boolean {
    return this.n >= this.need;
  }

  get level(): number {
    return this.count === 0 ? 1 : this.n / this.count;
  }

  write(r: TraceEvent): boolean {
    const before = this.n;
    if (this.m.on === 'any') {
      if (r.kind !== 'phone.working-server' || parseMemberName(r.phone)?.fleet !== this.m.fleet) return false;
      const was = this.working.get(r.phone) ?? 0;
      const bit = 1 << ((r.account - 1) & 31);
      const now = r.server !== null ? was | bit : was & ~bit;
      this.working.set(r.phone, now);
      if (was === 0 && now !== 0) this.n++;
      else if (was !== 0 && now === 0) this.n--;
    } else {
      // Per account, the record's server gains or loses the registration (`from` is the account's state, not the server's).
      if (r.kind !== 'phone.registration' || r.server !== this.m.on || parseMemberName(r.phone)?.fleet !== this.m.fleet) return false;
      const was = this.working.get(r.phone) ?? 0;
      const bit = 1 << ((r.account - 1) & 31);
      const now = r.to === 'registered' ? was | bit : was & ~bit;
      this.working.set(r.phone, now);
      if (was === 0 && now !== 0) this.n++;
      else if (was !== 0 && now === 0) this.n--;
    }
    return before < this.need && this.n >= this.need;
  }
}

export function describeShare(m: FleetShare): string {
  return `${percent(m.share)} of ${m.fleet} registered ${m.on === 'any' ? 'on some server' : `on ${m.on}`}`;
}

export function percent(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

/** A metric bound judged on the finished run's metrics: pass, and what was measured. */
export function judgeMetric(m: Metric, metrics: MetricsResult | undefined): { pass: boolean; seen: string } {
  if (!metrics) return { pass: false, seen: 'no metrics were collected for this run' };
  const bound = [m.min !== undefined ? `min ${show(m, m.min)}` : '', m.max !== undefined ? `max ${show(m, m.max)}` : ''].filter(Boolean).join(', ');
  const judge = (what: string, value: number | null, empty: string): { pass: boolean; seen: string } => {
    if (value === null) return { pass: false, seen: `${what}: ${empty} (bound ${bound})` };
    const pass = (m.min === undefined || value >= m.min) && (m.max === undefined || value <= m.max);
    return { pass, seen: `${what} ${show(m, value)} (bound ${bound})` };
  };
  if (m.fleet !== undefined) {
    const f = metrics.fleets.find((x) => x.name === m.fleet);
    if (!f) return { pass: false, seen: `no metrics for fleet ${m.fleet}` };
    if (m.measure === 'failed') return judge(`${m.fleet} failed calls`, f.calls.failed, '');
    const d = m.measure === 'gap' ? f.gap : f.setup;
    const stat = m.stat ?? 'max';
    // No gap at all is a gap of zero; no call at all leaves nothing to bound.
    if (!d && m.measure === 'gap') return judge(`${m.fleet} gap ${stat}`, 0, '');
    return judge(`${m.fleet} ${m.measure} ${stat}${d ? ` over ${d.count}` : ''}`, d ? d[stat] : null, 'no call was placed');
  }
  const s = metrics.servers.find((x) => x.name === m.server);
  if (!s) return { pass: false, seen: `no metrics for server ${m.server}` };
  if (m.measure === 'shed') return judge(`${m.server} shed`, seriesTotal(s.shed), '');
  if (m.measure === 'queue') return judge(`${m.server} peak queue`, seriesPeak(s.queue).value, '');
  const p = seriesPeak(s.arrived);
  return judge(`${m.server} peak arrivals per second (in the second from ${formatDuration(p.at * 1_000_000)})`, p.value, '');
}

export function describeMetric(m: Metric): string {
  const who = m.fleet ?? m.server!;
  const bound = [m.min !== undefined ? `≥ ${show(m, m.min)}` : '', m.max !== undefined ? `≤ ${show(m, m.max)}` : ''].filter(Boolean).join(' and ');
  return `${who} ${m.measure}${m.stat ? ` ${m.stat}` : ''} ${bound}`;
}

function show(m: Metric, v: number): string {
  return m.measure === 'gap' || m.measure === 'setup' ? formatDuration(Math.round(v) as Micros) : String(v);
}
