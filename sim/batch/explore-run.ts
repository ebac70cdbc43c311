import { createHash } from 'node:crypto';
import type { Micros } from '../core/clock.js';
import { formatDuration } from '../core/time.js';
import type { TraceSink } from '../core/trace.js';
import { JsonlSink } from '../../reports/jsonl.js';
import type { PhoneTimeline } from '../../reports/phone-timeline.js';
import { runScenario } from '../scenario/run-scenario.js';
import type { Scenario } from '../scenario/scenario.js';
import { defaultModel } from '../scenario/world.js';
import { Bounds, explorationBounds } from './explore-bounds.js';
import { faultSurface, Gene, lastHeal, scheduled, Surface, withoutFaults } from './explore-faults.js';
import {
  DnsAnswered, Invariant, InvariantName, NoGhostDialog, OneOutcomePerCall, RegisteredAfterHeal, TimeForward, TransactionsEnd,
} from './explore-invariants.js';

/** What explore checks beyond the built-in invariants (tests use it to plant a failure). */
export interface ExploreChecks {
  /** Any unregistered gap longer than this (µs) fails the run (invariant gap-limit). */
  gapLimit?: Micros;
}

/** A scenario prepared for exploring: its fault-free skeleton, what can break, the bounds, the accounts that must re-register. */
export interface Explorable {
  skeleton: Scenario;
  surface: Surface;
  bounds: Bounds;
  required: string[];
  checks: ExploreChecks;
}

/** The figures the objectives maximise. */
export interface Figures {
  /** Worst stretch with no working server of any single phone's account, from its boot on (µs). */
  gap: Micros;
  /** Outgoing calls that failed (not busy) plus incoming calls that failed. */
  failed: number;
  /** Longest time from placing an outgoing call to its outcome (answered or not), µs. */
  setup: Micros;
}

export interface ExploreResult {
  index: number;
  genes: Gene[];
  /** When the run ended: the last fault's end plus the healing bound, at least the scenario's duration. */
  end: Micros;
  failures: { invariant: InvariantName; detail: string }[];
  /** The scenario's own expectations that failed under these faults (reported apart: they may legitimately fail). */
  expectations: string[];
  figures: Figures;
  /** sha256 of the run's JSONL, for sampled and failing runs (replayed and compared). */
  hash?: string;
}

/** The run's end for a schedule: every fault (and boot) followed by the healing bound. */
export function runEnd(x: Pick<Explorable, 'skeleton' | 'bounds'>, healedAt: Micros): Micros {
  const lastBoot = x.skeleton.events.reduce((m, e) => (e.action.type === 'boot' ? Math.max(m, e.at) : m), 0);
  return Math.max(x.skeleton.duration, Math.max(healedAt, lastBoot) + x.bounds.heal);
}

export function explorable(scenario: Scenario, checks: ExploreChecks = {}): Explorable {
  const skeleton = withoutFaults(scenario);
  const bounds = explorationBounds(scenario, defaultModel(scenario));
  const surface = faultSurface(skeleton);
  // Which accounts register at all without faults: only those must register again after them.
  const base = { skeleton, bounds, surface, required: [], checks };
  const healthy = new RegisteredAfterHeal([], 0);
  runScenario(sized(skeleton, runEnd(base, 0)), { sinks: [healthy], metrics: false });
  return { ...base, required: healthy.registered().sort() };
}

/** The scenario run for `duration`, its event guard scaled with it (the default guard is sized from the duration). */
export function sized(s: Scenario, duration: Micros): Scenario {
  const maxEvents = s.maxEventsLine !== undefined ? s.maxEvents : Math.ceil((s.maxEvents * duration) / Math.max(1, s.duration));
  return { ...s, duration, maxEvents };
}

/** The scenario a schedule makes, run to its end. */
export function scheduleScenario(x: Explorable, genes: readonly Gene[]): Scenario {
  const end = runEnd(x, lastHeal(x.surface, genes));
  return scheduled(sized(x.skeleton, end), x.surface, genes, end);
}

function invariants(x: Explorable, scenario: Scenario, healedAt: Micros): Invariant[] {
  const b = x.bounds;
  const list: Invariant[] = [
    new TransactionsEnd(b.transaction), new DnsAnswered(b.dns), new OneOutcomePerCall(b.call), new TimeForward(),
    new RegisteredAfterHeal(x.required, healedAt), new NoGhostDialog(new Set(scenario.servers.map((s) => s.name)), b.dialog),
  ];
  return list;
}

/** A sink hashing the run's JSONL as it is written: two runs with equal hashes wrote the same trace. */
function hashSink(): { sink: TraceSink & { end(): void }; digest: () => string } {
  const h = createHash('sha256');
  const jsonl = new JsonlSink((b) => void h.update(b));
  return { sink: jsonl, digest: () => (jsonl.end(), h.digest('hex')) };
}

/** The JSONL hash of one run of a scenario. */
export function traceHash(scenario: Scenario): string {
  const h = hashSink();
  runScenario(scenario, { sinks: [h.sink], metrics: false });
  return h.digest();
}

/**
 * One explored run: the schedule's scenario with every invariant attached; for a failing or
 * sampled run, the trace hashed and replayed (the same seed must write the same trace).
 */
export function exploreRun(x: Explorable, index: number, genes: Gene[], sample = false): ExploreResult {
  const healedAt = lastHeal(x.surface, genes);
  const scenario = scheduleScenario(x, genes);
  return judge(x, scenario, healedAt, index, genes, sample);
}

/** Runs a scenario (a schedule's, or a written file's own events) under the invariants. */
export function judge(x: Explorable, scenario: Scenario, healedAt: Micros, index: number, genes: Gene[], sample: boolean): ExploreResult {
  const checks = invariants(x, scenario, healedAt);
  const h = sample ? hashSink() : undefined;
  const run = runScenario(scenario, { sinks: [...checks, ...(h ? [h.sink] : [])], metrics: false });
  const failures = checks.flatMap((c) => c.finish(scenario.duration).map((detail) => ({ invariant: c.name, detail })));
  const calls = run.timelines.flatMap((t) => t.calls);
  const figures: Figures = {
    gap: worstGap(run.timelines, scenario),
    failed: calls.filter((c) => c.outcome === 'failed').length + run.timelines.flatMap((t) => t.incoming).filter((c) => c.outcome === 'failed').length,
    setup: Math.max(0, ...calls.map((c) => c.setup)),
  };
  // The planted check (tests): judged on the figure itself, so it fails exactly when the gap objective would report more.
  if (x.checks.gapLimit !== undefined && figures.gap > x.checks.gapLimit) {
    failures.push({ invariant: 'gap-limit', detail: `an account went ${formatDuration(figures.gap)} without a working server (limit ${formatDuration(x.checks.gapLimit)})` });
  }
  let hash = h?.digest();
  if (hash !== undefined || failures.length > 0) {
    const first = hash ?? traceHash(scenario);
    const again = traceHash(scenario);
    if (first !== again) failures.push({ invariant: 'replay-identical', detail: `the same seed wrote a different trace (sha256 ${first.slice(0, 12)}… then ${again.slice(0, 12)}…)` });
    hash = first;
  }
  return {
    index, genes, end: scenario.duration, failures,
    expectations: run.verdicts.filter((v) => !v.pass).map((v) => `line ${v.expectation.line}: ${v.expectation.text}`),
    figures, ...(hash !== undefined ? { hash } : {}),
  };
}

/**
 * The longest stretch any single phone's account had no working server: the gaps after its first
 * registration, and the wait from the phone's boot to that first registration (to the run's end
 * if it never registered) — an outage at boot is an unregistered phone too.
 */
function worstGap(timelines: readonly PhoneTimeline[], scenario: Scenario): Micros {
  const boots = new Map<string, Micros>();
  for (const e of scenario.events) if (e.action.type === 'boot' && !boots.has(e.action.host)) boots.set(e.action.host, e.at);
  let worst = 0;
  for (const t of timelines) {
    const boot = boots.get(t.phone);
    for (const a of t.accounts) {
      for (const g of a.gaps) worst = Math.max(worst, g.to - g.from);
      if (boot !== undefined) worst = Math.max(worst, (a.firstRegistered ?? scenario.duration) - boot);
    }
  }
  return worst;
}
