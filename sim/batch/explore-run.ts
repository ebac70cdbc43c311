import { createHash } from 'node:crypto';
import type { Micros } from '../core/clock.js';
import { formatDuration } from '../core/time.js';
import type { TraceSink } from '../core/trace.js';
import { JsonlSink } from '../../reports/jsonl.js';
import type { PhoneTimeline } from '../../reports/phone-timeline.js';
import { runScenario } from '../scenario/run-scenario.js';
import type { Scenario, ScenarioEvent } from '../scenario/scenario.js';
import { defaultModel } from '../scenario/world.js';
import { Bounds, explorationBounds } from './explore-bounds.js';
import { faultSurface, Gene, lastHeal, scheduled, Surface, withoutFaults } from './explore-faults.js';
import {
  CallAfterHeal, DnsAnswered, Invariant, InvariantName, NoGhostDialog, OneOutcomePerCall, RegisteredAfterHeal, TimeForward, TransactionsEnd,
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
  /** "phone account N" keys registered at the end of the fault-free run. */
  required: string[];
  /** Phones whose calls placed after the healing bound are answered in the fault-free run. */
  answering: string[];
  checks: ExploreChecks;
  /** Every run's end. */
  end: Micros;
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

/** The instant of a scenario's last fault event (0 without any): where healing starts. */
export function faultsEnd(s: Scenario): Micros {
  const faults = new Set(['fail', 'recover', 'partition', 'heal', 'link', 'dns']);
  return s.events.reduce((m, e) => (faults.has(e.action.type) ? Math.max(m, e.at) : m), 0);
}

/** The last boot of the scenario (0 when every phone boots at once). */
function lastBoot(s: Scenario): Micros {
  return s.events.reduce((m, e) => (e.action.type === 'boot' ? Math.max(m, e.at) : m), 0);
}

/**
 * Explore mode: faults start and end inside the scenario's duration, so after
 * max(duration, last boot) + the healing bound every phone must be registered again; each
 * single phone then places a probe call, given `probeWindow` to be answered, and the run ends.
 * Every run is as long. The written scenario carries the probe calls and that duration.
 */
export function explorable(scenario: Scenario, checks: ExploreChecks = {}): Explorable {
  const bounds = explorationBounds(scenario, defaultModel(scenario));
  const skeleton0 = withoutFaults(scenario);
  const probeAt = Math.max(scenario.duration, lastBoot(scenario)) + bounds.heal;
  // Two probe calls, a window apart: the first may meet a TCP/TLS connection the server lost in
  // a crash (the reset fails that call: reference B2), the second must be answered.
  const end = probeAt + 2 * bounds.probeWindow;
  const to = skeleton0.events.find((e) => e.action.type === 'call')?.action;
  const number = to && to.type === 'call' ? to.to : '2000';
  const probes: ScenarioEvent[] = skeleton0.phones.filter((p) => p.fleet === undefined && p.config.accounts.length > 0)
    .flatMap((p) => [probeAt, probeAt + bounds.probeWindow].map((at): ScenarioEvent => ({ at, line: 0, action: { type: 'call', from: p.name, to: number, duration: 1_000_000 } })));
  const skeleton = sized({ ...skeleton0, events: [...skeleton0.events, ...probes] }, end);
  return prepare(skeleton, bounds, faultSurface(skeleton0, scenario.duration), checks, end, probeAt);
}

/**
 * Check mode (a file explore wrote, or any scenario): its own events are the schedule, it runs
 * for its own duration, and its calls placed the healing bound after its last fault are the probes.
 */
export function explorableAsWritten(scenario: Scenario, checks: ExploreChecks = {}): Explorable {
  const bounds = explorationBounds(scenario, defaultModel(scenario));
  const skeleton = withoutFaults(scenario);
  return prepare(skeleton, bounds, faultSurface(skeleton, scenario.duration), checks, scenario.duration, faultsEnd(scenario) + bounds.heal);
}

/** Which accounts register and which phones' probe calls are answered without faults: only those are required after them. */
function prepare(skeleton: Scenario, bounds: Bounds, surface: Surface, checks: ExploreChecks, end: Micros, probeFrom: Micros): Explorable {
  const healthy = new RegisteredAfterHeal([], 0, 0);
  const calls = new CallAfterHeal([], probeFrom);
  runScenario(skeleton, { sinks: [healthy, calls], metrics: false });
  return { skeleton, bounds, surface, checks, end, required: healthy.registered().sort(), answering: calls.answered() };
}

/** The scenario run for `duration`, its event guard scaled with it (the default guard is sized from the duration). */
export function sized(s: Scenario, duration: Micros): Scenario {
  const maxEvents = s.maxEventsLine !== undefined ? s.maxEvents : Math.ceil((s.maxEvents * duration) / Math.max(1, s.duration));
  return { ...s, duration, maxEvents };
}

/** The scenario a schedule makes: the skeleton (probe calls included) with the faults merged in. */
export function scheduleScenario(x: Explorable, genes: readonly Gene[]): Scenario {
  return scheduled(x.skeleton, x.surface, genes, x.end);
}

function invariants(x: Explorable, scenario: Scenario, healedAt: Micros): Invariant[] {
  const b = x.bounds;
  const list: Invariant[] = [
    new TransactionsEnd(b.transaction), new DnsAnswered(b.dns), new OneOutcomePerCall(b.call), new TimeForward(),
    new RegisteredAfterHeal(x.required, healedAt, b.heal), new CallAfterHeal(x.answering, healedAt + b.heal), new NoGhostDialog(new Set(scenario.servers.map((s) => s.name)), b.dialog),
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
