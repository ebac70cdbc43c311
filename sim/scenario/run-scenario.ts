import type { Micros } from '../core/clock.js';
import { InputError } from '../core/input-error.js';
import type { TraceEvent, TraceSink } from '../core/trace.js';
import type { ModelOptions } from '../phone/model-options.js';
import { FleetMetricsReducer, MetricsResult } from '../../reports/fleet-metrics.js';
import { PhoneTimeline, PhoneTimelineReducer } from '../../reports/phone-timeline.js';
import { eventGuardMessage } from './event-guard.js';
import { ExpectationChecker, Verdict } from './expectations.js';
import type { Scenario } from './scenario.js';
import { defaultModel, HostInfo, World } from './world.js';

export interface RunOptions {
  seed?: number;
  model?: Partial<ModelOptions>;
  /**
   * Sinks that read the trace as the run goes (JSONL and pcap writers, the ladder, the HTML
   * timeline), after the run's own reducers. Nothing else keeps the records.
   */
  sinks?: readonly TraceSink[];
  /**
   * Fold the fleet and server metrics (per second, distributions). Default: when the scenario
   * has fleets or metric expectations; `--metrics` asks for them too.
   */
  metrics?: boolean;
  /** Called with the built world before it runs: for tools (benchmarks) that sample the engine; reports use sinks. */
  onWorld?: (world: World) => void;
}

/** A finished run: what reports need, folded from the trace as it went; nothing live, no record list. */
export interface RunResult {
  scenario: Scenario;
  seed: number;
  model: ModelOptions;
  hosts: HostInfo[];
  verdicts: Verdict[];
  /** The single phones' histories (fleet phones are reported as aggregates). */
  timelines: PhoneTimeline[];
  /** Fleet and server metrics, when collected (see RunOptions.metrics). */
  metrics?: MetricsResult;
  end: Micros;
  eventsRun: number;
}

/** The first scripted fault: a host failing, a partition, a link change or a DNS change. */
export function firstFault(scenario: Scenario): Micros | undefined {
  let first: Micros | undefined;
  for (const e of scenario.events) {
    if (!['fail', 'partition', 'link', 'dns'].includes(e.action.type)) continue;
    if (first === undefined || e.at < first) first = e.at;
  }
  return first;
}

/** Where a long run is, between slices (runScenarioAsync's onProgress). */
export interface RunProgress {
  /** Simulated time reached, µs, and the run's end. */
  now: Micros;
  duration: Micros;
  events: number;
}

export interface AsyncRunOptions extends RunOptions {
  /** Called between slices of a run long enough to have them (none for a run shorter than one slice). */
  onProgress?: (p: RunProgress) => void;
  /** Events per slice; default SLICE_EVENTS. */
  sliceEvents?: number;
}

/**
 * Events per slice of runScenarioAsync: a fraction of a second of a fleet's run (~1 s with the
 * JSONL trace on at 30,000 phones), so progress moves and Ctrl-C is heard soon; a bundled
 * single-phone scenario runs fewer, so it never pauses.
 */
export const SLICE_EVENTS = 50_000;

/**
 * Builds the world, subscribes the run's reducers (expectation verdicts, phone timelines) and
 * the caller's sinks to its trace, runs it to the scenario's duration under the event guard.
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const run = prepareRun(scenario, options);
  return run.finish(run.world.clock.runUntil(scenario.duration) === 'max-events' ? 'max-events' : 'until');
}

/**
 * runScenario in slices of events, letting the event loop in between them (a signal handler, a
 * progress bar): the same events in the same order, so the same result and the same trace.
 */
export async function runScenarioAsync(scenario: Scenario, options: AsyncRunOptions = {}): Promise<RunResult> {
  const run = prepareRun(scenario, options);
  const clock = run.world.clock;
  const slice = options.sliceEvents ?? SLICE_EVENTS;
  for (;;) {
    const status = clock.runSlice(scenario.duration, slice);
    if (status !== 'paused') return run.finish(status);
    options.onProgress?.({ now: clock.now, duration: scenario.duration, events: clock.eventsRun });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A built world with its reducers attached, and how to turn the run's end into its result. */
function prepareRun(scenario: Scenario, options: RunOptions): { world: World; finish: (status: 'until' | 'max-events') => RunResult } {
  const seed = options.seed ?? scenario.seed;
  const model = defaultModel(scenario, options.model);
  const world = new World(scenario, seed, model);
  const checker = new ExpectationChecker(scenario.expectations, scenario.duration, firstFault(scenario), scenario.fleets);
  const single: string[] = [];
  for (const p of scenario.phones) if (p.fleet === undefined) single.push(p.name);
  const phones = new PhoneTimelineReducer(single);
  const wantMetrics = options.metrics ?? (scenario.fleets.length > 0 || scenario.expectations.some((e) => e.matcher.kind === 'metric'));
  const metrics = wantMetrics ? new FleetMetricsReducer(world.hosts, scenario.fleets, scenario.duration) : undefined;
  for (const sink of [checker, phones, ...(metrics ? [metrics] : []), ...(options.sinks ?? [])]) world.trace.attach(sink);
  options.onWorld?.(world);
  const finish = (status: 'until' | 'max-events'): RunResult => {
    if (status === 'max-events') {
      const hosts = scenario.phones.length + scenario.servers.length + (scenario.dns?.servers.length ?? 0);
      const setInFile = scenario.maxEventsLine !== undefined;
      throw new InputError(
        scenario.file, scenario.maxEventsLine, setInFile ? 'maxEvents' : undefined,
        eventGuardMessage(world.clock.eventsRun, world.clock.now, scenario.duration, hosts, setInFile),
      );
    }
    const folded = metrics?.result(scenario.duration);
    return {
      scenario,
      seed,
      model,
      hosts: world.hosts,
      verdicts: checker.verdicts(folded),
      timelines: phones.timelines(scenario.duration),
      ...(folded ? { metrics: folded } : {}),
      end: scenario.duration,
      eventsRun: world.clock.eventsRun,
    };
  };
  return { world, finish };
}

/** A run that also keeps every record, for tests and small tools (memory grows with simulated time). */
export function runRecorded(scenario: Scenario, options: RunOptions = {}): RunResult & { records: TraceEvent[] } {
  const records: TraceEvent[] = [];
  const keep: TraceSink = { write: (r) => void records.push(r) };
  const run = runScenario(scenario, { ...options, sinks: [keep, ...(options.sinks ?? [])] });
  return { ...run, records };
}
