import { loadScenario } from '../scenario/load-scenario.js';
import type { Scenario } from '../scenario/scenario.js';
import { runRow, RunRow } from './row.js';
import { applySettings, Setting } from './settings.js';
import { ExploreTask, runExploreTask } from './explore-worker.js';
import type { ExploreResult } from './explore-run.js';

/**
 * The sweep's worker-thread entry (piscina loads this file: pool.ts says where it is found).
 * A task is a batch of seeds of one combination; the worker loads the scenario file once and
 * derives each combination once (settings.ts), then only runs seeds — a run costs no parsing.
 * The main thread has loaded and checked the same file and settings, so errors here are bugs.
 */
export interface SweepTask {
  file: string;
  combo: number;
  settings: Setting[];
  seeds: number[];
}

const loaded = new Map<string, Scenario>();
const derived = new Map<string, Scenario>();

export function scenarioFor(file: string, combo: number, settings: Setting[]): Scenario {
  const key = `${file}\0${combo}`;
  let s = derived.get(key);
  if (!s) {
    let base = loaded.get(file);
    if (!base) loaded.set(file, (base = loadScenario(file)));
    s = applySettings(base, settings);
    derived.set(key, s);
  }
  return s;
}

/** One entry for both batch commands: an explore task says so, anything else is a sweep batch. */
export function runTask(task: SweepTask): RunRow[];
export function runTask(task: ExploreTask): ExploreResult[];
export function runTask(task: SweepTask | ExploreTask): RunRow[] | ExploreResult[] {
  if ('kind' in task && task.kind === 'explore') return runExploreTask(task);
  return runSweepTask(task as SweepTask);
}

function runSweepTask(task: SweepTask): RunRow[] {
  const scenario = scenarioFor(task.file, task.combo, task.settings);
  return task.seeds.map((seed) => runRow(scenario, task.combo, seed));
}

export default runTask;
