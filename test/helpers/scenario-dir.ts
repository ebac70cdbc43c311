import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import type { TraceEvent } from '../../sim/core/trace.js';

/**
 * A temporary directory for the scenario files one describe block writes (made before its tests,
 * removed after), with `write(name, text)` → path and `run(file, model)` → the run's records.
 * Call inside `describe`.
 */
export function useScenarioDir(prefix: string): {
  write: (name: string, text: string) => string;
  run: (file: string, model?: Partial<ModelOptions>) => readonly TraceEvent[];
} {
  let tmp = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  return {
    write: (name, text) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, text);
      return file;
    },
    // The model options reach the load too: the .cfg reading ones (AMB-27/28) decide how files are read.
    run: (file, model = {}) => runRecorded(loadScenario(file, model), { model }).records,
  };
}
