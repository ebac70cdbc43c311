import fc from 'fast-check';
import type { Micros } from '../core/clock.js';
import type { DnsRecord } from '../dns/records.js';
import { normalizeName } from '../dns/records.js';
import type { LinkParams } from '../net/link-table.js';
import type { Scenario, ScenarioAction, ScenarioEvent } from '../scenario/scenario.js';

/**
 * What explore may break in a scenario, and a fault schedule's genes. A gene is a flat record of
 * small integers (which target, when, how long, which variant, one extra figure) so fast-check
 * shrinks it without context — towards the first target, instant 0, the shortest length, the
 * first mode — and the events are derived from it by a pure function (faultEvents).
 */
export type FaultTarget =
  | { type: 'fail'; host: string; sip: boolean }
  | { type: 'partition'; between: [string, string] }
  | { type: 'link'; between: [string, string]; base: LinkParams }
  | { type: 'dns-remove'; server: string; address: string };

export interface Gene {
  /** Index into the surface's targets. */
  target: number;
  /** Start, ms from the run's start. */
  at: number;
  /** Length, whole seconds (≥ 1). */
  length: number;
  /** Which mode (fail), which change (link); unused otherwise. */
  variant: number;
  /** Seconds: a 503's Retry-After (0: none) or a slow server's delay (0: 5 s, the default). */
  extra: number;
}

export interface Surface {
  targets: FaultTarget[];
  /** Faults start and end inside [0, window): the scenario's own duration. */
  window: Micros;
  maxLength: number;
}

const FAIL_MODES = ['silent', 'unreachable', '503', 'slow'] as const;
/** Link changes a fault makes, each restored to the pair's own parameters when it ends. */
const LINK_CHANGES: Partial<LinkParams>[] = [{ loss: 0.2 }, { loss: 0.6 }, { delay: 1_000_000 }, { delay: 3_000_000 }];
/** Longest fault, s: long enough to outlast every SIP timer (64·T1 = 32 s) and a DNS TTL or two. */
export const MAX_FAULT_SECONDS = 180;
/** Longest slow-server delay and Retry-After explore draws, s (the healing bound adds them). */
export const MAX_EXTRA_SECONDS = 60;

/** The scenario's fault-free skeleton: hosts, boots and calls kept, every scripted fault dropped. */
export function withoutFaults(scenario: Scenario): Scenario {
  const faults = new Set(['fail', 'recover', 'partition', 'heal', 'link', 'dns']);
  return { ...scenario, events: scenario.events.filter((e) => !faults.has(e.action.type)) };
}

/** Every target explore can break in this scenario (servers, DNS servers, phone–server paths, DNS records). */
export function faultSurface(scenario: Scenario, window: Micros = scenario.duration): Surface {
  const targets: FaultTarget[] = [];
  const dnsHosts = scenario.dns?.servers.map((d) => d.name) ?? [];
  for (const s of scenario.servers) targets.push({ type: 'fail', host: s.name, sip: true });
  for (const d of dnsHosts) targets.push({ type: 'fail', host: d, sip: false });
  // Paths: every single phone (and every fleet, as a whole) to every server and DNS server.
  const ends = [...scenario.phones.filter((p) => p.fleet === undefined).map((p) => p.name), ...scenario.fleets.map((f) => f.name)];
  for (const p of ends) {
    for (const h of [...scenario.servers.map((s) => s.name), ...dnsHosts]) {
      targets.push({ type: 'partition', between: [p, h] });
      targets.push({ type: 'link', between: [p, h], base: linkBase(scenario, p, h) });
    }
  }
  // DNS record changes: a server's A records (and the SRV records naming them) removed, then restored.
  for (const s of scenario.servers) {
    if (scenario.dns?.records.some((r) => r.type === 'A' && r.address === s.address)) targets.push({ type: 'dns-remove', server: s.name, address: s.address });
  }
  return { targets, window, maxLength: Math.max(1, Math.min(MAX_FAULT_SECONDS, Math.floor(window / 2e6))) };
}

/** A pair's link parameters as the scenario sets them (default, then its `network.links` changes). */
function linkBase(scenario: Scenario, a: string, b: string): LinkParams {
  let p = { ...scenario.network.default };
  for (const l of scenario.network.links) {
    const [x, y] = l.between;
    if ((x === a && y === b) || (x === b && y === a)) p = { ...p, ...l.change };
  }
  return p;
}

/** A schedule of 1..K faults over the surface, as fast-check draws and shrinks it. */
export function scheduleArbitrary(surface: Surface, maxFaults: number): fc.Arbitrary<Gene[]> {
  const gene = fc.record({
    target: fc.integer({ min: 0, max: surface.targets.length - 1 }),
    at: fc.integer({ min: 0, max: Math.max(0, Math.floor(surface.window / 1000) - 1000) }),
    length: fc.integer({ min: 1, max: surface.maxLength }),
    variant: fc.integer({ min: 0, max: 3 }),
    extra: fc.integer({ min: 0, max: MAX_EXTRA_SECONDS }),
  });
  return fc.array(gene, { minLength: 1, maxLength: maxFaults });
}

/** Where a gene's fault starts and ends, µs, inside the window. */
export function faultSpan(surface: Surface, g: Gene): { from: Micros; to: Micros } {
  const from = Math.min(g.at * 1000, Math.max(0, surface.window - 1_000_000));
  return { from, to: Math.min(surface.window, from + g.length * 1_000_000) };
}

/** The instant the last fault of a schedule ends (0 for none). */
export function lastHeal(surface: Surface, genes: readonly Gene[]): Micros {
  return genes.reduce((m, g) => Math.max(m, faultSpan(surface, g).to), 0);
}

/**
 * A schedule's scenario events, in time order (a fault's start before its end; ties keep gene
 * order). DNS removals that overlap are folded: at each of their boundaries the zone becomes the
 * original records minus those of every removal then active.
 */
export function faultEvents(scenario: Scenario, surface: Surface, genes: readonly Gene[]): ScenarioEvent[] {
  const out: ScenarioEvent[] = [];
  const removals: { from: Micros; to: Micros; address: string }[] = [];
  const add = (at: Micros, action: ScenarioAction): void => void out.push({ at, line: 0, action });
  for (const g of genes) {
    const t = surface.targets[g.target % surface.targets.length]!;
    const { from, to } = faultSpan(surface, g);
    switch (t.type) {
      case 'fail': {
        const mode = t.sip ? FAIL_MODES[g.variant % 4]! : FAIL_MODES[g.variant % 2]!;
        const extra = mode === '503' && g.extra > 0 ? { retryAfter: g.extra * 1_000_000 } : mode === 'slow' ? { delay: (g.extra || 5) * 1_000_000 } : {};
        add(from, { type: 'fail', host: t.host, mode, ...extra });
        add(to, { type: 'recover', host: t.host });
        break;
      }
      case 'partition':
        add(from, { type: 'partition', between: t.between });
        add(to, { type: 'heal', between: t.between });
        break;
      case 'link':
        add(from, { type: 'link', between: t.between, change: LINK_CHANGES[g.variant % LINK_CHANGES.length]! });
        add(to, { type: 'link', between: t.between, change: { ...t.base } });
        break;
      case 'dns-remove':
        removals.push({ from, to, address: t.address });
        break;
    }
  }
  const original = scenario.dns?.records ?? [];
  const instants = [...new Set(removals.flatMap((r) => [r.from, r.to]))].sort((a, b) => a - b);
  for (const at of instants) {
    const gone = removals.filter((r) => r.from <= at && at < r.to).map((r) => r.address);
    add(at, { type: 'dns', records: withoutAddresses(original, gone) });
  }
  // Stable: equal instants keep the order they were added in.
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map((x) => x.e);
}

/** The zone without the A records of `addresses` and the SRV records pointing at their names. */
function withoutAddresses(records: readonly DnsRecord[], addresses: readonly string[]): DnsRecord[] {
  if (addresses.length === 0) return [...records];
  const names = new Set(records.filter((r) => r.type === 'A' && addresses.includes(r.address)).map((r) => normalizeName(r.name)));
  return records.filter((r) => !(r.type === 'A' && addresses.includes(r.address)) && !(r.type === 'SRV' && names.has(normalizeName(r.target))));
}

/** The scenario a schedule makes: the skeleton's events with the faults merged in time order, run for `duration`. */
export function scheduled(skeleton: Scenario, surface: Surface, genes: readonly Gene[], duration: Micros): Scenario {
  const faults = faultEvents(skeleton, surface, genes);
  const events = [...skeleton.events.map((e, i) => ({ e, i, k: 1 })), ...faults.map((e, i) => ({ e, i, k: 0 }))]
    // Faults before the scenario's own events at the same instant, as a scenario author writes `fail` before `boot`.
    .sort((a, b) => a.e.at - b.e.at || a.k - b.k || a.i - b.i)
    .map((x) => x.e);
  return { ...skeleton, events, duration };
}
