import { loadScenario } from '../scenario/load-scenario.js';
import { activeBreakages } from '../testing/broken-model.js';
import type { Gene } from './explore-faults.js';
import { Explorable, explorable, ExploreChecks, ExploreResult, exploreRun } from './explore-run.js';

/**
 * A batch of explored runs for a worker thread (the sweep's worker file dispatches here when a
 * task says `explore`): the scenario is loaded and prepared once per thread, then only runs.
 */
export interface ExploreTask {
  kind: 'explore';
  file: string;
  checks: ExploreChecks;
  runs: { index: number; genes: Gene[]; sample: boolean }[];
}

const prepared = new Map<string, Explorable>();

export function runExploreTask(task: ExploreTask): ExploreResult[] {
  const key = `${task.file}\0${JSON.stringify(task.checks)}\0${activeBreakages().join(',')}`;
  let x = prepared.get(key);
  if (!x) prepared.set(key, (x = explorable(loadScenario(task.file), task.checks)));
  const ready = x;
  return task.runs.map((r) => exploreRun(ready, r.index, r.genes, r.sample));
}
