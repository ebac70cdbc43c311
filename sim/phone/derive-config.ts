import type { CfgEntry } from './cfg-file.js';
import { AccountSettings, buildPhoneConfig, PhoneConfig } from './phone-config.js';
import { lookupKey } from './phone-keys.js';
import { cfgRules, type CfgRules } from './options/dns.js';

/**
 * Per-phone configs of a fleet without rebuilding the shared one per phone. A fleet's phones
 * share their .cfg files and differ only in the keys their `settings:` template with `{i}`
 * (typically the account's user name). `buildPhoneConfig` validates and derives everything
 * from all entries (tens of µs a phone: seconds for 100,000); when every templated key only
 * feeds an account's text fields, a phone's config is the shared one with those fields
 * patched — a few small objects, the big structures (entries, server lists, static DNS,
 * warnings) shared. Any other templated key (a port, a server address…) falls back to a full
 * build per phone: correct, only slower.
 */

/** account.X.<suffix> keys a per-phone value may patch, and what each changes in the account. */
const PATCHES: Record<string, ((a: AccountSettings, v: string) => AccountSettings) | null> = {
  user_name: (a, v) => ({ ...a, userName: v || `user${a.index}` }),
  display_name: (a, v) => ({ ...a, displayName: v }),
  // Validated text the model does not read beyond `entries` (for explain and warnings).
  auth_name: null,
  password: null,
  label: null,
};

const ACCOUNT_KEY_RE = /^account\.(\d+)\.([a-z_]+)$/;

export interface ConfigTemplate {
  /** The config every phone shares, built from the files and the settings without {i}. */
  readonly base: PhoneConfig;
  /** The templated keys, in settings order, with the YAML line each is set on. */
  readonly keys: readonly { key: string; file: string; line: number }[];
  /** Whether per-phone values patch `base` (true) or rebuild from `sources` (false). */
  readonly patchable: boolean;
  readonly sources: readonly Map<string, CfgEntry>[];
  /** How the files are read (AMB-27/28 model options). */
  readonly rules: CfgRules;
  /** key → its position in `keys`. */
  readonly index: ReadonlyMap<string, number>;
}

/**
 * `sources`: the parsed files then the untemplated settings (later wins); `templated`: the keys
 * whose values vary per phone. The base is built once (validating every fixed key).
 */
export function configTemplate(sources: Map<string, CfgEntry>[], templated: { key: string; file: string; line: number }[], rules: CfgRules = cfgRules()): ConfigTemplate {
  const base = buildPhoneConfig(sources, rules);
  const patchable = templated.every(({ key }) => {
    const m = ACCOUNT_KEY_RE.exec(key);
    // The key must be a known one with a valid account number (else the full build reports it).
    const found = lookupKey(key);
    return m !== null && found !== undefined && 'def' in found && Object.hasOwn(PATCHES, m[2]!);
  });
  return { base, keys: templated, patchable, sources, rules, index: new Map(templated.map((k, i) => [k.key, i])) };
}

/** Phone config with `values[k]` for the template's k-th key. */
export function derivePhoneConfig(t: ConfigTemplate, values: string[]): PhoneConfig {
  if (t.keys.length === 0) return t.base;
  if (!t.patchable) {
    const own = new Map<string, CfgEntry>();
    t.keys.forEach((k, i) => own.set(k.key, { key: k.key, value: values[i]!, file: k.file, line: k.line }));
    return buildPhoneConfig([...t.sources, own], t.rules);
  }
  let accounts = t.base.accounts;
  t.keys.forEach(({ key }, i) => {
    const m = ACCOUNT_KEY_RE.exec(key)!;
    const patch = PATCHES[m[2]!];
    const x = Number(m[1]);
    const at = accounts.findIndex((a) => a.index === x);
    // A disabled account is not simulated: its keys only show in `entries`.
    if (!patch || at < 0) return;
    if (accounts === t.base.accounts) accounts = accounts.slice();
    accounts[at] = patch(accounts[at]!, values[i]!);
  });
  return { ...t.base, accounts, entries: new OverlayEntries(t.base.entries, t, values) };
}

/**
 * The shared entries with a phone's templated values on top, without copying the map: a
 * 100,000-phone fleet keeps one map, and each phone its few values.
 */
class OverlayEntries implements ReadonlyMap<string, CfgEntry> {
  constructor(
    private readonly base: ReadonlyMap<string, CfgEntry>,
    private readonly t: ConfigTemplate,
    private readonly own: string[],
  ) {}

  get(key: string): CfgEntry | undefined {
    const i = this.t.index.get(key);
    if (i === undefined) return this.base.get(key);
    const k = this.t.keys[i]!;
    return { key, value: this.own[i]!, file: k.file, line: k.line };
  }

  has(key: string): boolean {
    return this.t.index.has(key) || this.base.has(key);
  }

  get size(): number {
    let added = 0;
    for (const k of this.t.keys) if (!this.base.has(k.key)) added++;
    return this.base.size + added;
  }

  *entries(): MapIterator<[string, CfgEntry]> {
    for (const key of this.base.keys()) yield [key, this.get(key)!];
    for (const k of this.t.keys) if (!this.base.has(k.key)) yield [k.key, this.get(k.key)!];
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<CfgEntry> {
    for (const [, e] of this.entries()) yield e;
  }

  [Symbol.iterator](): MapIterator<[string, CfgEntry]> {
    return this.entries();
  }

  forEach(fn: (value: CfgEntry, key: string, map: ReadonlyMap<string, CfgEntry>) => void): void {
    for (const [k, e] of this.entries()) fn(e, k, this);
  }
}
