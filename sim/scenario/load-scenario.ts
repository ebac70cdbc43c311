import { basename, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../core/input-error.js';
import { didYouMean, oneOf } from '../core/suggest.js';
import type { Warning } from '../core/warning.js';
import { readInputFile } from '../core/read-input.js';
import { parseZoneLine } from '../dns/zone-file.js';
import { formatDuration } from '../core/time.js';
import type { CfgEntry } from '../phone/cfg-file.js';
import { buildPhoneConfig, PhoneConfig } from '../phone/phone-config.js';
import { DEFAULT_SERVER_PROFILE } from '../server/server-behaviour.js';
import type { ModelOptions } from '../phone/model-options.js';
import { cfgRules } from '../phone/options/dns.js';
import { serverCapacity } from './capacity-spec.js';
import { buildAction, buildExpectation, buildMetricExpectation, checkPair } from './scenario-items.js';
import { readConfigs, settingsEntries } from './config-sources.js';
import { buildFleets } from './fleet-phones.js';
import { inputDigest } from './input-digest.js';
import { phoneConfigWarnings, scenarioWarnings } from './scenario-warnings.js';
import type { Expectation, PhoneSpec, Scenario, ScenarioEvent, ServerSpec } from './scenario.js';
import {
  EVENT_ACTIONS, EventAction, MATCHER_KINDS, MatcherKind, TIMING_KINDS, TimingKind, eventSchemas, expectationSchema, metricExpectationSchema, scenarioSchema,
} from './schema.js';
import { defaultMaxEvents } from './event-guard.js';
import { firstDuplicateKey } from './yaml-duplicate-keys.js';
import { checkYamlStructure } from './yaml-guards.js';
import { formatPath, YamlLocator, YamlPath } from './yaml-locator.js';

const DEFAULT_LINK = { delay: 20_000, jitter: 0, loss: 0 };

/**
 * Reads, validates and resolves a scenario file. Throws InputError (file:line: key: expected…).
 * `model`: model options from the command line (--model), over the scenario's `model:` — the
 * .cfg reading options among them (AMB-27/28, cfgRules) decide how the phones' files are read.
 */
export function loadScenario(file: string, model: Partial<ModelOptions> = {}): Scenario {
  const text = readInputFile(file);
  const lines = new LineCounter();
  // The package's duplicate-key check is quadratic in the size of a map (yaml-duplicate-keys.ts).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const duplicate = firstDuplicateKey(doc);
  if (doc.errors.length > 0 || duplicate !== undefined) {
    // The first problem in the file, as the package would list them with its own check on.
    const e = doc.errors[0];
    const [pos, message] = e && (duplicate === undefined || e.pos[0] <= duplicate) ? [e.pos[0], e.message] : [duplicate!, 'Map keys must be unique'];
    // An unclosed bracket is reported at the end of the input: name the last line that has text.
    const lastLine = text.trimEnd().split(/\r?\n/).length;
    const line = Math.min(lines.linePos(pos).line, lastLine);
    throw new InputError(file, line, undefined, `malformed YAML: ${message.split('\n')[0]}${fleetNameHint(text, line)}`);
  }
  const at = new YamlLocator(doc, lines);
  checkYamlStructure(doc, lines, file);
  // The guards bounded what aliases expand to; the package's own counter would also refuse an
  // anchor merely reused more than 100 times, so it is off.
  const raw = doc.toJS({ maxAliasCount: -1 }) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(file, 1, undefined, 'expected a scenario: a map with name, duration, phones, servers, events, expect');
  }
  const top = check(scenarioSchema, raw, [], file, at);
  if (top.phones === undefined && top.fleets === undefined) {
    throw new InputError(file, 1, 'phones', 'missing: expected a map of phone name → { address, config } (or fleets: of many phones)');
  }
  const phoneNames = Object.keys(top.phones ?? {});
  const serverNames = Object.keys(top.servers ?? {});
  const hosts = new Set<string>();
  const addresses = new Map<string, string>();
  for (const [kind, names, specs] of [['phones', phoneNames, top.phones ?? {}], ['servers', serverNames, top.servers ?? {}]] as const) {
    for (const name of names) {
      if (hosts.has(name)) throw new InputError(file, at.line([kind, name]), `${kind}.${name}`, `the name "${name}" is already used by a phone or server`);
      // Names are looked up in maps, but a built-in property name (constructor, toString…) is one
      // plain-object lookup away from a wrong host: refuse it rather than risk it.
      if (name in Object.prototype) throw new InputError(file, at.line([kind, name]), `${kind}.${name}`, `"${name}" cannot name a host: it is a built-in JavaScript property name; choose another name`);
      hosts.add(name);
      const address = (specs as Record<string, { address: string }>)[name]!.address;
      const other = addresses.get(address);
      if (other) throw new InputError(file, at.line([kind, name, 'address']), `${kind}.${name}.address`, `${address} is already the address of ${other}`);
      addresses.set(address, name);
    }
  }
  const dnsServers: { name: string; address: string }[] = [];
  if (top.dns) {
    for (const [key, name] of [['server', 'dns'], ['secondary', 'dns2']] as const) {
      const address = top.dns[key];
      if (address === undefined) continue;
      if (hosts.has(name)) throw new InputError(file, at.line(['dns', key]), `dns.${key}`, `the DNS server is named "${name}" in events and links, and a phone or server already has that name`);
      if (addresses.has(address)) throw new InputError(file, at.line(['dns', key]), `dns.${key}`, `${address} is already the address of ${addresses.get(address)}`);
      hosts.add(name);
      addresses.set(address, name);
      dnsServers.push({ name, address });
    }
  }
  const parsedCfgs = new Map<string, Map<string, CfgEntry>>();
  const rules = cfgRules({ ...(top.model as Partial<ModelOptions> | undefined), ...model });
  // Fleet phones come after the phones of `phones:` (scenario.ts); their names and addresses are
  // checked as ranges, not entered one by one into `hosts` and `addresses`.
  const fleetPhones: PhoneSpec[] = [];
  const fleets = buildFleets(top.fleets ?? {}, fleetPhones, { file, at, hosts, addresses, cfgCache: parsedCfgs, rules });
  const fleetsByName = new Map(fleets.map((f) => [f.name, f]));
  const names = { phones: new Set(phoneNames), servers: new Set(serverNames), hosts, fleets: fleetsByName, file, at };
  const dnsRecords = (top.dns?.records ?? []).map((line, i) => parseZoneLine(line, { file, line: at.line(['dns', 'records', i]), key: `dns.records[${i}]` }));

  // A fleet shares its .cfg files: each file is read and parsed once, and phones with the same
  // file list and no settings: of their own share one built config (nothing changes a
  // PhoneConfig once built: phones and reports only read it).
  const builtConfigs = new Map<string, PhoneConfig>();
  const phones: PhoneSpec[] = phoneNames.map((name) => {
    const spec = top.phones![name]!;
    const sources = readConfigs(spec.config, ['phones', name], file, at, parsedCfgs);
    const shareable = Object.keys(spec.settings ?? {}).length === 0;
    const key = sources.map((s) => s.file).join('\0');
    let config = shareable ? builtConfigs.get(key) : undefined;
    if (!config) {
      config = buildPhoneConfig([...sources.map((s) => s.entries), settingsEntries(spec.settings, ['phones', name], file, at)], rules);
      if (shareable) builtConfigs.set(key, config);
    }
    return { name, address: spec.address, config };
  });
  // Loops, not push(...list): 100,000 fleet phones would overflow the argument stack.
  for (const p of fleetPhones) phones.push(p);
  const servers: ServerSpec[] = serverNames.map((name) => {
    const s = top.servers![name]!;
    // The 180 cannot follow the answer: the INVITE transaction takes no provisional after a final response.
    const ringTime = s.ringTime ?? DEFAULT_SERVER_PROFILE.ringTime;
    if (s.ringDelay !== undefined && s.ringDelay > ringTime) {
      throw new InputError(file, at.line(['servers', name], 'ringDelay'), `servers.${name}.ringDelay`, `at most ringTime (${formatDuration(ringTime)}), found ${formatDuration(s.ringDelay)}`);
    }
    return {
      name, address: s.address,
      ...(s.ringTime !== undefined ? { ringTime: s.ringTime } : {}),
      ...(s.ringDelay !== undefined ? { ringDelay: s.ringDelay } : {}),
      ...(s.answer !== undefined ? { answer: s.answer } : {}),
      ...(s.maxExpires !== undefined ? { maxExpires: s.maxExpires } : {}),
      ...(s.features !== undefined ? { features: s.features.filter((f): f is 'mwi' | 'shared-line' | 'reg' => f !== 'calls') } : {}),
      ...(s.capacity !== undefined ? { capacity: serverCapacity(s.capacity, name, file, at) } : {}),
    };
  });

  const links = (top.network?.links ?? []).map((l, i) => {
    checkPair(l.between, ['network', 'links', i, 'between'], names);
    return { between: l.between, change: definedOnly({ delay: l.delay, jitter: l.jitter, loss: l.loss }) };
  });

  // Each calls: event draws from its own streams, named by its source and its rank among that
  // source's calls: events, so adding events elsewhere changes none of its draws.
  const callsPerSource = new Map<string, number>();
  const events: ScenarioEvent[] = (top.events ?? []).map((item, i) => {
    const path: YamlPath = ['events', i];
    const action = pickOne(item, EVENT_ACTIONS, path, file, at, 'an event with one action');
    const parsed = check(eventSchemas[action] as z.ZodType, item, path, file, at) as { at: number };
    if (parsed.at > top.duration) {
      throw new InputError(file, at.line(path, 'at'), `${formatPath(path)}.at`, `${formatDuration(parsed.at)} is after the end of the scenario (duration ${formatDuration(top.duration)})`);
    }
    const built = action === 'dns'
      ? { type: 'dns' as const, records: (parsed as unknown as { dns: { records: string[] } }).dns.records.map((l, j) => parseZoneLine(l, { file, line: at.line([...path, 'dns', 'records', j]), key: `${formatPath(path)}.dns.records[${j}]` })) }
      : buildAction(action, parsed, path, names);
    if (built.type === 'calls') {
      const rank = callsPerSource.get(built.from) ?? 0;
      callsPerSource.set(built.from, rank + 1);
      built.stream = `calls:${built.from}:${rank}`;
    }
    if (built.type === 'dns' && dnsServers.length === 0) {
      throw new InputError(file, at.line(path), formatPath(path), 'a dns event needs a dns: section with a server');
    }
    return { at: parsed.at, line: at.line(path), action: built };
  });

  // Split once: each expectation quotes its own source line.
  const sourceLines = top.expect && top.expect.length > 0 ? text.split(/\r?\n/) : [];
  const expectationSchemas = new Map<string, ReturnType<typeof expectationSchema>>();
  const expectations: Expectation[] = (top.expect ?? []).map((item, i) => {
    const path: YamlPath = ['expect', i];
    // A metric bound has no timing: it is judged on the whole run.
    if (typeof item === 'object' && item !== null && !Array.isArray(item) && Object.hasOwn(item, 'metric')) {
      return buildMetricExpectation(check(metricExpectationSchema, item, path, file, at), path, names, sourceLines[at.line(path) - 1] ?? '');
    }
    const timing = pickOne(item, TIMING_KINDS, path, file, at, 'an expectation with one timing');
    const matcher = pickOne(item, MATCHER_KINDS, path, file, at, 'an expectation with one matcher');
    const kind = `${timing} ${matcher}`;
    // One schema per kind of expectation: zod compiles each schema on its first use.
    let schema = expectationSchemas.get(kind);
    if (!schema) expectationSchemas.set(kind, (schema = expectationSchema(timing as TimingKind, matcher as MatcherKind)));
    const parsed = check(schema, item, path, file, at);
    return buildExpectation(timing as TimingKind, matcher as MatcherKind, parsed, path, names, sourceLines[at.line(path) - 1] ?? '');
  });

  const warnings: Warning[] = [
    ...phoneConfigWarnings(phones, fleets),
    ...scenarioWarnings({
      file, phones, fleets, addresses, hasDns: dnsServers.length > 0, events, expectations: expectations.length, expectLine: at.line(['expect']),
      zone: [...dnsRecords, ...events.flatMap((e) => (e.action.type === 'dns' ? e.action.records : []))],
    }),
  ];

  return {
    file,
    id: basename(file, extname(file)),
    name: top.name,
    ...(top.description !== undefined ? { description: top.description } : {}),
    seed: top.seed ?? 1,
    duration: top.duration,
    maxEvents: top.maxEvents ?? defaultMaxEvents(hosts.size + fleetPhones.length, top.duration),
    ...(top.maxEvents !== undefined ? { maxEventsLine: at.line([], 'maxEvents') } : {}),
    model: (top.model ?? {}) as Partial<ModelOptions>,
    phones,
    fleets,
    servers,
    ...(top.dns ? { dns: { servers: dnsServers, records: dnsRecords } } : {}),
    network: { default: { ...DEFAULT_LINK, ...definedOnly(top.network?.default ?? {}) }, links },
    events,
    expectations,
    warnings,
    digest: inputDigest(file, text, parsedCfgs),
    inputs: [resolve(file), ...parsedCfgs.keys()],
  };
}

/**
 * Inside { … } or [ … ] YAML reads `[` as the start of a list, so a fleet phone's name written
 * bare there (`{ phone: office[17] }`) is a syntax error: say that quotes fix it.
 */
function fleetNameHint(text: string, line: number): string {
  const source = text.split(/\r?\n/)[line - 1] ?? '';
  const bare = /[{,]\s*[A-Za-z_]+\s*:\s*([^\s"'{}[\],]+\[\d+\])/.exec(source) ?? /[[,]\s*([^\s"'{}[\],]+\[\d+\])/.exec(source);
  return bare ? ` — inside { } or [ ], a fleet phone's name needs quotes: "${bare[1]}"` : '';
}

function check<S extends z.ZodType>(schema: S, value: unknown, path: YamlPath, file: string, at: YamlLocator): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // A misspelled key also leaves the right key missing; zod reports the missing one first, but the
  // typo is what the user has to fix.
  const issue = r.error.issues.find((i) => i.code === 'unrecognized_keys') ?? r.error.issues[0]!;
  const full = [...path, ...(issue.path as (string | number)[])];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeys(schema, issue.path as YamlPath);
    return fail(file, at.line(full, key), formatPath([...full, key]), `unknown key '${key}'${didYouMean(key, known)} (expected one of ${known.join(', ')})`);
  }
  const found = valueAt(value, issue.path as YamlPath);
  const missing = found === undefined;
  const message = issue.code === 'invalid_value' && !missing
    ? oneOf(issue.values.map(String), found)
    : issue.message.replace(/^Invalid input: /, '');
  return fail(file, at.line(full), formatPath(full), missing ? `missing: ${message}` : message);
}

function fail(file: string, line: number, key: string, problem: string): never {
  throw new InputError(file, line, key, problem);
}

function knownKeys(schema: z.ZodType, path: YamlPath): string[] {
  let s: unknown = schema;
  for (const step of path) {
    const def = (s as { def?: { shape?: Record<string, unknown>; element?: unknown; valueType?: unknown; innerType?: unknown } }).def;
    s = typeof step === 'number' ? def?.element : def?.shape?.[step] ?? def?.valueType;
    while ((s as { def?: { innerType?: unknown } })?.def?.innerType) s = (s as { def: { innerType: unknown } }).def.innerType;
  }
  return Object.keys((s as { def?: { shape?: Record<string, unknown> } })?.def?.shape ?? {});
}

function valueAt(value: unknown, path: YamlPath): unknown {
  let v = value;
  for (const step of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[step] : undefined;
  return v;
}

function pickOne<K extends string>(item: unknown, keys: readonly K[], path: YamlPath, file: string, at: YamlLocator, what: string): K {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return fail(file, at.line(path), formatPath(path), `expected ${what} (${keys.join(', ')})`);
  }
  const present = keys.filter((k) => Object.hasOwn(item, k));
  if (present.length === 1) return present[0]!;
  // A misspelled action (`bot: alice`): offer the nearest of the keys it could have been.
  const hint = present.length === 0 ? Object.keys(item).map((k) => didYouMean(k, keys).replace(/^ — /, ` — '${k}': `)).find((h) => h !== '') ?? '' : '';
  const problem = present.length === 0 ? `expected ${what}: one of ${keys.join(', ')}${hint}` : `expected only one of ${present.join(', ')} in ${what}`;
  return fail(file, at.line(path), formatPath(path), problem);
}

function definedOnly<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

export type { EventAction };
