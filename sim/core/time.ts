import type { Micros } from './clock.js';

export const US_PER_MS = 1000;
export const US_PER_S = 1_000_000;

export const ms = (n: number): Micros => Math.round(n * US_PER_MS);
export const sec = (n: number): Micros => Math.round(n * US_PER_S);

const UNIT_US: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/;

/**
 * Parses a human duration ("500ms", "32s", "1m30s", "2h", "1.5s", "365d") into integer µs.
 * Returns undefined when the text is not a duration; the caller words the error.
 */
export function parseDuration(text: string): Micros | undefined {
  let rest = text.trim();
  if (rest === '' || rest === '0') return rest === '0' ? 0 : undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_RE.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_US[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  const us = Math.round(total);
  return Number.isSafeInteger(us) ? us : undefined;
}

/** Seconds with microsecond precision, fixed 6 decimals: "31.500000". */
export function formatSeconds(t: Micros): string {
  const sign = t < 0 ? '-' : '';
  const a = Math.abs(t);
  return `${sign}${Math.floor(a / US_PER_S)}.${String(a % US_PER_S).padStart(6, '0')}`;
}

/** Compact human form for reports: "1m30.5s", "500ms", "0s". */
export function formatDuration(t: Micros): string {
  if (t === 0) return '0s';
  const sign = t < 0 ? '-' : '';
  const abs = Math.abs(t);
  if (abs < US_PER_S) return `${sign}${trim(abs / US_PER_MS)}ms`;
  // Round to whole ms before splitting, so 59.9999995 s prints as 1m, not 60s.
  let a = Math.round(abs / US_PER_MS) * US_PER_MS;
  const h = Math.floor(a / 3_600_000_000);
  a -= h * 3_600_000_000;
  const m = Math.floor(a / 60_000_000);
  a -= m * 60_000_000;
  const s = a / US_PER_S;
  return `${sign}${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${trim(s)}s` : ''}`;
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/**
 * An instant for report columns: formatDuration's units with every microsecond kept, so rows
 * can be told apart and their decimal points line up when right-aligned: "0.010000s",
 * "1m2.345678s", "12h0m17.842000s". Minutes stay when hours are shown ("1h0m5s", not "1h5s",
 * which reads like 1h05m); seconds are never padded, as in formatDuration.
 */
export function formatInstant(t: Micros): string {
  const sign = t < 0 ? '-' : '';
  let a = Math.abs(t);
  const h = Math.floor(a / 3_600_000_000);
  a -= h * 3_600_000_000;
  const m = Math.floor(a / 60_000_000);
  a -= m * 60_000_000;
  return `${sign}${h ? `${h}h${m}m` : m ? `${m}m` : ''}${formatSeconds(a)}s`;
}
