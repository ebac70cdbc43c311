import type { Micros } from '../core/clock.js';
import { InputError } from '../core/input-error.js';
import type { TraceEvent } from '../core/trace.js';
import type { ModelOptions } from '../phone/model-options.js';
import { eventGuardMessage } from './event-guard.js';
import { checkExpectations, Verdict } from './expectations.js';
import type { Scenario } from './scenario.js';
import { defaultModel, HostInfo, World } from './world.js';

export interface RunOptions {
  seed?: number;
  model?: Partial<ModelOptions>;
}

/** A finished run: everything reports need, and nothing live. */
export interface RunResult {
  scenario: Scenario;
  seed: number;
  model: ModelOptions;
  hosts: HostInfo[];
  records: TraceEvent[];
  verdicts: Verdict[];
  end: Micros;
  eventsRun: number;
}

/** The first scripted fault: a host failing, a partition, a link change or a DNS change. */
function firstFault(scenario: Scenario): Micros | undefined {
  const faults = scenario.events.filter((e) => ['fail', 'partition', 'link', 'dns'].includes(e.action.type));
  let first: Micros | undefined;
  for (const e of faults) if (first === undefined || e.at < first) first = e.at;
  return first;
}

/** Builds the world, runs it to the scenario's duration under the event guard, checks expectations. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const seed = options.seed ?? scenario.seed;
  const model = defaultModel(scenario, options.model);
  const world = new World(scenario, seed, model);
  const status = world.clock.runUntil(scenario.duration);
  if (status === 'max-events') {
    const hosts = scenario.phones.length + scenario.servers.length + (scenario.dns?.servers.length ?? 0);
    const setInFile = scenario.maxEventsLine !== undefined;
    throw new InputError(
      scenario.file, scenario.maxEventsLine, setInFile ? 'maxEvents' : undefined,
      eventGuardMessage(world.clock.eventsRun, world.clock.now, scenario.duration, hosts, setInFile),
    );
  }
  const records = world.trace.records;
  return {
    scenario,
    seed,
    model,
    hosts: world.hosts,
    records,
    verdicts: checkExpectations(scenario.expectations, records, scenario.duration, firstFault(scenario)),
    end: scenario.duration,
    eventsRun: world.clock.eventsRun,
  };
}
