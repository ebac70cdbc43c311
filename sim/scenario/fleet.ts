/**
 * Fleets: many phones declared once (`fleets: { office: { count, addresses, config, settings } }`).
 * Phone i of fleet `office` is named `office[i]` (1-based) and has the i-th consecutive IPv4
 * address from `addresses`. This file holds the pure pieces: names, address arithmetic, the
 * `{i}` setting templates and call rates; fleet-phones.ts builds the phones.
 */

/** Fleet metadata kept on the Scenario (reports aggregate by fleet, World boots fleets). */
export interface FleetSpec {
  name: string;
  count: number;
  /** office[1]'s address; office[i] has firstAddress + i - 1. */
  firstAddress: string;
  lastAddress: string;
  /** The line of the fleet's key under `fleets:`. */
  line: number;
  /** Index of office[1] in scenario.phones: the fleet's phones are office[1..count] from there on, in order. */
  offset: number;
}

/** The most phones one fleet may have: far above what a run can simulate, low enough to catch a typo. */
export const MAX_FLEET_COUNT = 2_000_000;

export function fleetPhoneName(fleet: string, index: number): string {
  return `${fleet}[${index}]`;
}

const MEMBER_RE = /^(.+)\[(\d+)\]$/;

/**
 * `office[17]` → { fleet: 'office', index: 17, canonical: true }; undefined when the name has no
 * `[N]` suffix. `office[017]` parses with canonical false: the phone is spelled office[17].
 */
export function parseMemberName(name: string): { fleet: string; index: number; canonical: boolean } | undefined {
  const m = MEMBER_RE.exec(name);
  if (!m) return undefined;
  const index = Number(m[2]);
  return { fleet: m[1]!, index, canonical: String(index) === m[2] };
}

/** The fleet a phone of the scenario belongs to, or undefined for a phone of `phones:`. */
export function fleetOf(scenario: { fleets: readonly FleetSpec[] }, phone: string): FleetSpec | undefined {
  const m = parseMemberName(phone);
  if (!m || !m.canonical) return undefined;
  const f = scenario.fleets.find((x) => x.name === m.fleet);
  return f && m.index >= 1 && m.index <= f.count ? f : undefined;
}

/** Dotted IPv4 → unsigned 32-bit integer (the caller has checked the text is IPv4). */
export function ipToInt(ip: string): number {
  const p = ip.split('.');
  return ((Number(p[0]) * 256 + Number(p[1])) * 256 + Number(p[2])) * 256 + Number(p[3]);
}

export function intToIp(n: number): string {
  return `${Math.floor(n / 16_777_216)}.${Math.floor(n / 65_536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export const MAX_IPV4 = 4_294_967_295;

/**
 * A setting value with `{i}` placeholders, split once into literal parts and index slots:
 * "2{i:05}" → parts ['2', ''], widths [5]. `{i}` has width 0 (no padding); `{i:0N}` pads with
 * zeros to N digits (a longer index is written in full, as printf does). Other braces are literal.
 */
export interface SettingTemplate {
  parts: string[];
  widths: number[];
}

const PLACEHOLDER_RE = /\{i(?::0([1-9]\d?))?\}/y;

/** Parses a template; a `{i` that does not start a valid placeholder is an error (returned as text). */
export function parseTemplate(value: string): SettingTemplate | { problem: string } {
  const parts: string[] = [];
  const widths: number[] = [];
  let literal = '';
  let pos = 0;
  while (pos < value.length) {
    const at = value.indexOf('{i', pos);
    if (at < 0) break;
    PLACEHOLDER_RE.lastIndex = at;
    const m = PLACEHOLDER_RE.exec(value);
    if (!m) {
      const end = value.indexOf('}', at);
      const found = end < 0 ? value.slice(at) : value.slice(at, end + 1);
      return { problem: `bad placeholder "${found}" in "${value}": expected {i} (the phone's index) or {i:0N} (zero-padded to N digits, e.g. {i:05})` };
    }
    literal += value.slice(pos, at);
    parts.push(literal);
    literal = '';
    widths.push(m[1] ? Number(m[1]) : 0);
    pos = at + m[0].length;
  }
  parts.push(literal + value.slice(pos));
  return { parts, widths };
}

export function isTemplated(t: SettingTemplate): boolean {
  return t.widths.length > 0;
}

export function fillTemplate(t: SettingTemplate, index: number): string {
  let s = t.parts[0]!;
  for (let k = 0; k < t.widths.length; k++) {
    const w = t.widths[k]!;
    s += (w > 0 ? String(index).padStart(w, '0') : String(index)) + t.parts[k + 1]!;
  }
  return s;
}

const RATE_UNITS: Record<string, number> = { s: 1, sec: 1, min: 60, m: 60, h: 3600 };

/** "2/s", "120/min", "0.5/s", "3600/h" → arrivals per second; undefined when not a positive rate. */
export function parseRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|sec|min|m|h)\s*$/.exec(text);
  if (!m) return undefined;
  const perSecond = Number(m[1]) / RATE_UNITS[m[2]!]!;
  return perSecond > 0 && Number.isFinite(perSecond) ? perSecond : undefined;
}
