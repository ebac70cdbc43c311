import { InputError } from '../core/input-error.js';
import { didYouMean } from '../core/suggest.js';
import { parseDuration } from '../core/time.js';
import type { LinkParams } from '../net/link-table.js';
import type { CfgEntry } from '../phone/cfg-file.js';
import { checkModelValue, MODEL_OPTION_SPECS, ModelOptions } from '../phone/model-options.js';
import { buildPhoneConfig, PhoneConfig } from '../phone/phone-config.js';
import { cfgRules, type CfgRules } from '../phone/options/dns.js';

const CFG_RULE_KEYS: Readonly<Record<string, true>> = Object.fromEntries(Object.keys(cfgRules()).map((k) => [k, true]));
import { checkValue, lookupKey } from '../phone/phone-keys.js';
import type { Scenario } from '../scenario/scenario.js';

/**
 * `--set key=value` (run) and `--set key=v1,v2` (sweep): one setting applied over a loaded
 * scenario, without touching its file. Three kinds of key:
 *  - a phone .cfg key (`sip.timer_t1`, `account.1.sip_server.1.retry_counts`): set on every
 *    phone, fleets included, after its files and `settings:` (the last source wins);
 *  - `model.<option>` (`model.inviteFailover`): as the scenario's `model:` would set it;
 *  - a scenario value: `network.default.delay`, `network.default.jitter` (durations, "80ms")
 *    and `network.default.loss` ("2%" or 0.02) — the default link every pair uses unless a
 *    `network.links` entry or a link event changes it.
 * Values cannot contain commas (the sweep's list separator); no .cfg key that sipsim models needs one.
 */
export type SettingKind = 'cfg' | 'model' | 'network';

export interface Setting {
  key: string;
  /** As the user wrote it: replay commands print it back. */
  value: string;
}

export const NETWORK_KEYS = ['network.default.delay', 'network.default.jitter', 'network.default.loss'] as const;

/** What a key is; throws an InputError naming `flag` for a key sipsim cannot set. */
export function settingKind(key: string, flag: string): SettingKind {
  if (key.startsWith('model.')) {
    const option = key.slice('model.'.length);
    if (!Object.hasOwn(MODEL_OPTION_SPECS, option)) {
      const names = Object.keys(MODEL_OPTION_SPECS);
      throw new InputError(flag, undefined, key, `unknown model option "${option}"${didYouMean(option, names)} (expected one of ${names.join(', ')})`);
    }
    return 'model';
  }
  if (key.startsWith('network.')) {
    if (!(NETWORK_KEYS as readonly string[]).includes(key)) {
      throw new InputError(flag, undefined, key, `unknown scenario value${didYouMean(key, NETWORK_KEYS)} (expected one of ${NETWORK_KEYS.join(', ')})`);
    }
    return 'network';
  }
  const found = lookupKey(key);
  if (found === undefined) {
    throw new InputError(flag, undefined, key, 'expected a phone .cfg key sipsim models (see `sipsim explain`), model.<option> or one of ' + NETWORK_KEYS.join(', '));
  }
  if ('badIndex' in found) throw new InputError(flag, undefined, key, found.badIndex);
  return 'cfg';
}

/** Checks one value of a key (of the kind settingKind found); throws an InputError naming `flag`. */
export function checkSetting(s: Setting, flag: string): void {
  const problem = settingProblem(s);
  if (problem !== undefined) throw new InputError(flag, undefined, s.key, problem);
}

function settingProblem(s: Setting): string | undefined {
  switch (settingKind(s.key, '--set')) {
    case 'model': {
      const checked = checkModelValue(MODEL_OPTION_SPECS[s.key.slice(6) as keyof ModelOptions], s.value);
      return 'expected' in checked ? `expected ${checked.expected}, found "${s.value}"` : undefined;
    }
    case 'network':
      return networkValue(s) === undefined
        ? s.key.endsWith('.loss') ? `expected a loss rate: "2%" or a fraction from 0 to 1, found "${s.value}"` : `expected a duration with a unit, e.g. "80ms", found "${s.value}"`
        : undefined;
    case 'cfg': {
      const found = lookupKey(s.key) as { def: Parameters<typeof checkValue>[0] };
      return s.value === '' ? 'expected a value (an empty value would mean the default: leave the key out instead)' : checkValue(found.def, s.value);
    }
  }
}

/** `network.default.loss=2%` → ['loss', 0.02]; undefined when the value does not parse. */
function networkValue(s: Setting): [keyof LinkParams, number] | undefined {
  const field = s.key.slice('network.default.'.length) as keyof LinkParams;
  if (field === 'loss') {
    const v = s.value.trim();
    const n = /^\d+(\.\d+)?%$/.test(v) ? Number(v.slice(0, -1)) / 100 : /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    return n >= 0 && n <= 1 ? [field, n] : undefined;
  }
  const us = parseDuration(s.value);
  return us === undefined || us < 0 ? undefined : [field, us];
}

/** `key=value` as typed after --set (run); throws an InputError naming the flag. */
export function parseSetting(text: string, flag: string): Setting {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError(flag, undefined, undefined, `expected key=value, e.g. sip.timer_t1=1, found "${text}"`);
  const s = { key: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim() };
  settingKind(s.key, flag);
  checkSetting(s, flag);
  return s;
}

/** The model options among the settings (`model.<option>=value`), as --model would give them. */
export function modelSettings(settings: readonly Setting[]): Partial<ModelOptions> {
  const model: Partial<ModelOptions> = {};
  for (const s of settings) {
    if (settingKind(s.key, '--set') !== 'model') continue;
    const option = s.key.slice(6) as keyof ModelOptions;
    Object.assign(model, { [option]: (checkModelValue(MODEL_OPTION_SPECS[option], s.value) as { value: string | number }).value });
  }
  return model;
}

/**
 * The scenario with the settings applied: a new Scenario object; the loaded one is not changed
 * (a worker derives every combination from one load). Phones sharing a config share the rebuilt
 * one too, so a fleet of shared configs costs one build.
 */
export function applySettings(scenario: Scenario, settings: readonly Setting[]): Scenario {
  if (settings.length === 0) return scenario;
  let model = scenario.model;
  let link = scenario.network.default;
  const cfg = new Map<string, CfgEntry>();
  for (const s of settings) {
    const kind = settingKind(s.key, '--set');
    if (kind === 'model') {
      const option = s.key.slice(6) as keyof ModelOptions;
      const checked = checkModelValue(MODEL_OPTION_SPECS[option], s.value) as { value: string | number };
      model = { ...model, [option]: checked.value };
    } else if (kind === 'network') {
      const [field, v] = networkValue(s)!;
      link = { ...link, [field]: v };
    } else {
      // Line 0: the value comes from the command line, not a file line (messages say "--set").
      cfg.set(s.key, { key: s.key, value: s.value, file: '--set', line: 0 });
    }
  }
  const rebuilt = new Map<PhoneConfig, PhoneConfig>();
  // A .cfg reading option (AMB-27/28) set here applies to the rebuild; `run` also gave it to the
  // load, where duplicates and legacy names are resolved (a sweep re-reads the resolved keys:
  // ranges, blanks and clamping follow the new option, duplicates and legacy names stay as read).
  const wanted = modelSettings(settings);
  const rulesOf = (c: PhoneConfig): CfgRules => cfgRules({ ...c.rules, ...wanted });
  const changesRules = (c: PhoneConfig): boolean => Object.entries(rulesOf(c)).some(([k, v]) => c.rules[k as keyof CfgRules] !== v);
  const configOf = (c: PhoneConfig): PhoneConfig => {
    let r = rebuilt.get(c);
    if (!r) {
      // `entries` holds every source's keys, later sources already winning: rebuilding from it
      // and the extra keys is the build the loader made, with the extra keys last.
      r = buildPhoneConfig([new Map(c.entries), cfg], rulesOf(c));
      rebuilt.set(c, r);
    }
    return r;
  };
  return {
    ...scenario,
    model,
    network: { ...scenario.network, default: link },
    phones: cfg.size === 0 && Object.keys(wanted).every((k) => !Object.hasOwn(CFG_RULE_KEYS, k)) ? scenario.phones
      : scenario.phones.map((p) => (cfg.size === 0 && !changesRules(p.config) ? p : { ...p, config: configOf(p.config) })),
  };
}

/** `--set a=1 --set b=x` as the replay command prints it (values never need quotes: no spaces or commas). */
export function formatSettings(settings: readonly Setting[]): string {
  return settings.map((s) => `--set ${shellWord(`${s.key}=${s.value}`)}`).join(' ');
}

/** A word the shell reads back unchanged. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=%+,@-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
