import { dirname, resolve } from 'node:path';
import { InputError } from '../core/input-error.js';
import { readBoundedText } from '../core/read-input.js';
import { CfgEntry, parseCfg } from '../phone/cfg-file.js';
import { formatPath, YamlLocator, YamlPath } from './yaml-locator.js';

/**
 * A phone's (or a fleet's) provisioning sources as the scenario names them: its .cfg files in
 * order, each as its absolute name and parsed entries (each file read once per load: `cache`).
 * `owner` is the YAML path of the phone or fleet (['phones', 'alice'], ['fleets', 'office']).
 */
export function readConfigs(
  config: string | string[] | undefined, owner: YamlPath, file: string, at: YamlLocator, cache: Map<string, Map<string, CfgEntry>>,
): { file: string; entries: Map<string, CfgEntry> }[] {
  const list = config === undefined ? [] : Array.isArray(config) ? config : [config];
  return list.map((rel, i) => {
    const cfgFile = resolve(dirname(file), rel);
    const cached = cache.get(cfgFile);
    if (cached) return { file: cfgFile, entries: cached };
    const path: YamlPath = Array.isArray(config) ? [...owner, 'config', i] : [...owner, 'config'];
    const read = readBoundedText(cfgFile);
    if ('problem' in read) throw new InputError(file, at.line(path), formatPath(path), `${rel}: ${read.problem}`);
    const entries = parseCfg(read.text, relativeName(cfgFile));
    cache.set(cfgFile, entries);
    return { file: cfgFile, entries };
  });
}

/** `settings:` as provisioning entries, each on its YAML line. */
export function settingsEntries(settings: Record<string, string | number> | undefined, owner: YamlPath, file: string, at: YamlLocator): Map<string, CfgEntry> {
  const m = new Map<string, CfgEntry>();
  for (const [key, value] of Object.entries(settings ?? {})) {
    m.set(key, { key, value: String(value), file, line: at.line([...owner, 'settings'], key) });
  }
  return m;
}

/** Paths in messages stay as short as the user typed them: relative to the working directory. */
function relativeName(abs: string): string {
  const cwd = process.cwd();
  return abs.startsWith(cwd + '/') ? abs.slice(cwd.length + 1) : abs;
}
