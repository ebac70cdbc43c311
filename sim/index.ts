/**
 * The package's library entry (`import { loadScenario, runScenario } from 'sipsim'`): load a
 * scenario file with file:line validation, run it, and read its verdicts and trace. The command
 * line (bin/sipsim) is the usual way in; this is for tools that embed the simulator.
 */
export { loadScenario } from './scenario/load-scenario.js';
export type { Scenario } from './scenario/scenario.js';
export { runRecorded, runScenario } from './scenario/run-scenario.js';
export type { TraceEvent, TraceSink } from './core/trace.js';
export { payloadText } from './core/trace.js';
export type { RunOptions, RunResult } from './scenario/run-scenario.js';
export { InputError } from './core/input-error.js';
export { parseCfg } from './phone/cfg-file.js';
export { buildPhoneConfig } from './phone/phone-config.js';
export type { PhoneConfig } from './phone/phone-config.js';
export { explainConfig } from './explain.js';
export { MODEL_OPTION_SPECS } from './phone/model-options.js';
export type { ModelOptions } from './phone/model-options.js';
