import type { CfgEntry } from './phone/cfg-file.js';
import { formatWarning } from './core/warning.js';
import { explainInWords } from './explain-words.js';
import { buildPhoneConfig } from './phone/phone-config.js';
import { KeyDef, lookupKey, PHONE_KEYS } from './phone/phone-keys.js';
import { cfgRules, type CfgRules } from './phone/options/dns.js';

/**
 * `sipsim explain`: the effective settings per enabled account and the phone-wide ones, with
 * documented defaults filled in and marked, each with what it means — so a QA engineer can
 * check a provisioning file before simulating it. Validation errors surface as InputErrors.
 */
export function explainConfig(sources: Map<string, CfgEntry>[], rules: CfgRules = cfgRules()): string {
  const config = buildPhoneConfig(sources, rules);
  const entries = config.entries;
  const out: (string | string[])[] = ['Effective settings ("default" marks values the file does not set).', ''];
  const row = (key: string, def: KeyDef): string[] => {
    const e = entries.get(key);
    const set = e !== undefined && e.value !== '';
    const value = set ? e.value : def.default;
    const shown = def.type === 'enum' ? `${value} (${def.values[value] ?? '?'})` : value === '' ? '(blank)' : value;
    // Where the value comes from, and what the reader did to the line (legacy name, %NULL%, clamped, blank).
    const origin = set ? `${e.file}:${e.line}${e.note ? ` (${e.note})` : ''}` : e ? `${e.file}:${e.line} (${e.note ?? 'blank'} ⇒ default)` : 'default';
    const note = def.noEffect ? ` [accepted; affects nothing modelled: ${def.noEffect}]` : def.modelled ? '' : ' [not simulated yet]';
    return [key, shown, origin, `${def.meaning}${note}`];
  };
  out.push('Phone-wide');
  for (const def of PHONE_KEYS.filter((d) => d.pattern.startsWith('sip.') || d.pattern.startsWith('static.network.'))) out.push(row(def.pattern, def));
  for (const account of config.accounts) {
    out.push('', `Account ${account.index} (user ${account.userName}) — in words`);
    for (const line of explainInWords(config, account)) out.push(`  • ${line}`);
    out.push('', `Account ${account.index} settings`);
    for (const def of PHONE_KEYS.filter((d) => d.pattern.startsWith('account.X.') && !d.pattern.includes('.Y.'))) {
      out.push(row(def.pattern.replace('X', String(account.index)), def));
    }
    for (const y of [1, 2]) {
      out.push(`  server ${y} (${y === 1 ? 'working server' : 'fallback server'})`);
      for (const def of PHONE_KEYS.filter((d) => d.pattern.includes('.Y.'))) {
        out.push(row(def.pattern.replace('X', String(account.index)).replace('Y', String(y)), def));
      }
    }
  }
  if (config.accounts.length === 0) out.push('', 'No account is enabled (account.X.enable = 1): the phone will not register.');
  const statics = [...entries.keys()].filter((k) => k.startsWith('dns_cache_')).sort();
  if (statics.length) {
    out.push('', 'Static DNS cache entries');
    for (const k of statics) {
      const found = lookupKey(k);
      out.push(found && 'def' in found ? row(k, found.def) : [k, entries.get(k)!.value, `${entries.get(k)!.file}:${entries.get(k)!.line}`, '']);
    }
  }
  for (const w of config.warnings) out.push('', `warning: ${formatWarning(w)}`);
  return alignColumns(out).join('\n') + '\n';
}

/** Pads table rows (arrays) to common column widths; plain strings pass through. */
function alignColumns(lines: (string | string[])[]): string[] {
  const widths: number[] = [];
  for (const l of lines) if (Array.isArray(l)) l.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return lines.map((l) => (Array.isArray(l) ? `  ${l.map((c, i) => (i < l.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ')}` : l));
}
