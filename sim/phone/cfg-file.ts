import { InputError } from '../core/input-error.js';

export interface CfgEntry {
  key: string;
  value: string;
  file: string;
  line: number;
  /** Earlier lines of the same file that set this key, first first (model option configDuplicateKey picks). */
  earlier?: CfgEntry[];
  /** How the reader changed the line's value or name (legacy key, %NULL%, clamped…): explain shows it beside the origin. */
  note?: string;
}

export const CFG_HEADER = '#!version:1.0.0.1';

/**
 * Parses a Yealink-style provisioning file: the header line first, then `key = value` lines;
 * `#` starts a comment line. A key set again keeps its earlier lines in `earlier` (which one wins
 * is model option configDuplicateKey, applied by buildPhoneConfig). Values keep inner spaces.
 * Lines may end in LF, CRLF or a lone CR (files saved by old Mac editors still provision).
 */
export function parseCfg(text: string, file: string): Map<string, CfgEntry> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if ((lines[0] ?? '').trim() !== CFG_HEADER) {
    throw new InputError(file, 1, undefined, `expected the header line "${CFG_HEADER}" (the phone rejects files without it), found "${(lines[0] ?? '').trim()}"`);
  }
  const entries = new Map<string, CfgEntry>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (i === 0 || line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InputError(file, i + 1, undefined, `expected "key = value", found "${line}"`);
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_.]+$/.test(key)) throw new InputError(file, i + 1, key, 'expected a key made of letters, digits, "_" and "."');
    const entry: CfgEntry = { key, value: line.slice(eq + 1).trim(), file, line: i + 1 };
    const before = entries.get(key);
    if (before) entry.earlier = [...(before.earlier ?? []), { key, value: before.value, file, line: before.line }];
    entries.set(key, entry);
  });
  return entries;
}
