import { basename } from 'node:path';
import { InputError } from '../core/input-error.js';
import { nearest } from '../core/suggest.js';
import type { Warning } from '../core/warning.js';
import type { CfgEntry } from './cfg-file.js';
import type { CfgRules } from './options/dns.js';
import { checkValue, KeyDef, lookupKey, PHONE_KEYS } from './phone-keys.js';

/**
 * How the phone reads its provisioning sources into one set of keys — the fact sheet's AMB-27
 * (`configParsing`) and AMB-28 (`retryCountsRange`) readings, chosen by model options
 * (options/dns.ts): duplicates in one file, legacy key names, keys in the "wrong" file, blank
 * values and `%NULL%`, out-of-range numbers. Every line is validated here (file:line:key errors);
 * what the reader changed is a warning, and a `note` on the entry that `explain` shows.
 */
export function resolveEntries(sources: readonly ReadonlyMap<string, CfgEntry>[], rules: CfgRules): { entries: Map<string, CfgEntry>; warnings: Warning[] } {
  const warnings: Warning[] = [];
  const warn = (e: CfgEntry, message: string): void => void warnings.push({ file: e.file, line: e.line, message });
  const merged = new Map<string, CfgEntry>();
  const legacy: CfgEntry[] = [];
  // Across sources the later one wins (common file, then <MAC>.cfg, then settings: — AMB-27 ★).
  for (const source of sources) {
    for (const last of source.values()) {
      const e = pickDuplicate(last, rules, warn);
      checkFile(e, rules, warn);
      const current = legacyTarget(e.key);
      if (current === undefined) {
        merged.set(e.key, e);
        continue;
      }
      if (rules.configLegacyKeys === 'reject') {
        throw new InputError(e.file, e.line, e.key, `legacy key (V70–V72 firmware): write ${current.keys.join(' and ')} instead (model option configLegacyKeys=reject)`);
      }
      for (const key of current.keys) legacy.push({ key, value: e.value, file: e.file, line: e.line, note: `legacy key ${e.key}` });
      warn(e, `${e.key}: legacy key (V70–V72 firmware), read as ${current.keys.join(' and ')}${current.why ? ` — ${current.why}` : ''} (model option configLegacyKeys=acceptWithWarning)`);
    }
  }
  // A current key set anywhere wins over its legacy form.
  for (const l of legacy) {
    const modern = merged.get(l.key);
    if (modern && !modern.note?.startsWith('legacy key')) {
      warn(l, `${l.note!.slice('legacy key '.length)}: ignored — ${l.key} is set at ${modern.file}:${modern.line}`);
      continue;
    }
    merged.set(l.key, l);
  }

  const entries = new Map<string, CfgEntry>();
  for (const e of merged.values()) {
    const found = lookupKey(e.key);
    if (!found) {
      const near = suggestKey(e.key);
      warn(e, `${e.key}: key not modelled by sipsim (ignored)${near ? ` — did you mean '${near}'?` : ''}`);
      entries.set(e.key, e);
      continue;
    }
    if ('badIndex' in found) throw new InputError(e.file, e.line, e.key, found.badIndex);
    const def = effectiveDef(found.def, rules);
    const read = readValue(e, def, rules, warn);
    entries.set(e.key, read);
    if (!def.modelled && read.value !== '' && read.value !== def.default) warn(e, `${e.key}: key validated but its behaviour is not simulated yet`);
  }
  return { entries, warnings };
}

/** configDuplicateKey: the line of one file that counts, with a warning naming the others. */
function pickDuplicate(e: CfgEntry, rules: CfgRules, warn: (e: CfgEntry, m: string) => void): CfgEntry {
  if (!e.earlier || e.earlier.length === 0) return e;
  const lines = [...e.earlier.map((d) => d.line), e.line];
  const winner = rules.configDuplicateKey === 'firstWins' ? e.earlier[0]! : e;
  const picked: CfgEntry = { key: e.key, value: winner.value, file: winner.file, line: winner.line };
  warn(picked, `${e.key}: set ${lines.length} times in this file (lines ${lines.join(', ')}); line ${winner.line} wins (model option configDuplicateKey=${rules.configDuplicateKey})`);
  return picked;
}

/** The vendor's file names: <MAC>.cfg (12 hex digits) and the common y0000000000xx.cfg. */
export function fileKind(file: string): 'MAC' | 'common' | undefined {
  const name = basename(file).toLowerCase();
  if (/^[0-9a-f]{12}\.cfg$/.test(name)) return 'MAC';
  if (/^y[0-9a-f]{12}\.cfg$/.test(name)) return 'common';
  return undefined;
}

/** Fact sheet §1.7: account.X.* keys belong in <MAC>.cfg; sip.*, static.*, dns_cache_* in the common file. */
export function homeFile(key: string): 'MAC' | 'common' {
  return key.startsWith('account.') ? 'MAC' : 'common';
}

/** configWrongFile: a key of the common file in a <MAC>.cfg, or the reverse (vendor-named files only). */
function checkFile(e: CfgEntry, rules: CfgRules, warn: (e: CfgEntry, m: string) => void): void {
  if (rules.configWrongFile === 'acceptAnywhere') return;
  const kind = fileKind(e.file);
  if (kind === undefined || (lookupKey(e.key) === undefined && legacyTarget(e.key) === undefined)) return;
  const home = homeFile(e.key);
  if (home === kind) return;
  const message = `a ${home === 'MAC' ? 'per-device key belongs in <MAC>.cfg' : 'common key belongs in the common file y0000000000xx.cfg'}, found in a ${kind === 'MAC' ? '<MAC>.cfg' : 'common file'} (model option configWrongFile=${rules.configWrongFile})`;
  if (rules.configWrongFile === 'reject') throw new InputError(e.file, e.line, e.key, message);
  warn(e, `${e.key}: ${message}; accepted`);
}

/** Fact sheet §1.9 and §2.6: V70–V72 key names and the current keys they stand for. */
function legacyTarget(key: string): { keys: string[]; why?: string } | undefined {
  const m = /^account\.(\d+)\.(sip_server_host|sip_server_port|outbound_host|outbound_port|transport|advanced\.timer_t[124])$/.exec(key);
  if (!m) return undefined;
  const x = m[1]!;
  switch (m[2]) {
    case 'sip_server_host': return { keys: [`account.${x}.sip_server.1.address`] };
    case 'sip_server_port': return { keys: [`account.${x}.sip_server.1.port`] };
    case 'outbound_host': return { keys: [`account.${x}.outbound_proxy.1.address`] };
    case 'outbound_port': return { keys: [`account.${x}.outbound_proxy.1.port`] };
    case 'transport': return { keys: [`account.${x}.sip_server.1.transport_type`, `account.${x}.sip_server.2.transport_type`], why: '3 (DNS-SRV then) reads as DNS-NAPTR, which falls back to SRV' };
    default: return { keys: [`sip.${m[2]!.slice('advanced.'.length)}`], why: 'per-account timers are phone-wide in the model' };
  }
}

/** AMB-28: retry_counts 0..20 (current guides) or 0..65535 (older T4X guide). */
function effectiveDef(def: KeyDef, rules: CfgRules): KeyDef {
  if (rules.retryCountsRange === '0..65535' && def.type === 'int' && /\.(sip_server|outbound_proxy)\.Y\.retry_counts$/.test(def.pattern)) return { ...def, max: 65535 };
  return def;
}

/** Blank, %NULL%, in range or not: the entry as the phone reads it. */
function readValue(e: CfgEntry, def: KeyDef, rules: CfgRules, warn: (e: CfgEntry, m: string) => void): CfgEntry {
  if (e.value === '%NULL%') {
    // Empties the key: a text key becomes blank; a number or a choice cannot be blank, so its default applies.
    return { ...e, value: '', note: '%NULL%' };
  }
  // A rebuild (--set) reads resolved entries again: a %NULL% already read stays so.
  if (e.value === '' && e.note === '%NULL%') return e;
  if (e.value === '') {
    if (rules.configBlankValue === 'setEmpty' && def.type !== 'text') {
      throw new InputError(e.file, e.line, e.key, `blank value: with model option configBlankValue=setEmpty it sets the key empty, and this key needs ${checkValue(def, '')!.replace(/^expected /, '').replace(/, found ""$/, '')} (write %NULL% or leave the line out for the default ${def.default})`);
    }
    return e;
  }
  const problem = checkValue(def, e.value);
  if (problem === undefined) return e;
  if (rules.configOutOfRange === 'clampWithWarning' && (def.type === 'int' || def.type === 'decimal') && /^-?\d+(\.\d+)?$/.test(e.value)) {
    const bound = Number(e.value) < def.min ? def.min : Number(e.value) > def.max ? def.max : undefined;
    if (bound !== undefined && (def.type === 'decimal' || Number.isInteger(Number(e.value)))) {
      warn(e, `${e.key}: ${e.value} is outside ${def.min}..${def.max}, clamped to ${bound} (model option configOutOfRange=clampWithWarning)`);
      return { ...e, value: String(bound), note: `clamped from ${e.value}` };
    }
  }
  throw new InputError(e.file, e.line, e.key, problem);
}

/**
 * The known key nearest to a misspelled one: every pattern with its X/Y/N filled from the
 * numbers the user wrote (account.1.sip_server.2.adress is compared with
 * account.1.sip_server.2.address), so the suggestion can be pasted back as it is.
 */
function suggestKey(key: string): string | undefined {
  const numbers = key.split('.').filter((p) => /^\d+$/.test(p));
  const candidates = PHONE_KEYS.map((d) => {
    let i = 0;
    return d.pattern.replace(/\b[XYN]\b/g, () => numbers[i++] ?? '1');
  });
  return nearest(key, candidates);
}
