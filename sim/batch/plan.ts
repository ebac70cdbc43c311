import { InputError } from '../core/input-error.js';
import { checkSetting, Setting, settingKind } from './settings.js';

/**
 * What a sweep runs: the cartesian product of the --set axes (first axis slowest), each
 * combination over every seed. Run number i (0-based) is combination ⌊i / seeds⌋ with the
 * (i mod seeds)-th seed; a shard K/N runs the i with i mod N = K − 1 — interleaved, so every
 * shard gets a share of every combination and of slow seeds alike, and the union of the shards
 * is exactly the unsharded list.
 */
export interface SeedRange {
  first: number;
  last: number;
}

export interface Axis {
  key: string;
  values: string[];
}

export interface Combination {
  index: number;
  settings: Setting[];
  /** "sip.timer_t1=0.5 model.inviteFailover=timer-b", or "(as written)" without --set. */
  label: string;
}

export interface Shard {
  k: number;
  n: number;
}

/** The most runs one sweep may hold: past it the row files alone would not fit in memory. */
export const MAX_RUNS = 10_000_000;

/** `1..1000` (inclusive) or one seed `7`. */
export function parseSeeds(text: string): SeedRange {
  const m = /^\s*(-?\d+)\s*(?:\.\.\s*(-?\d+)\s*)?$/.exec(text);
  const first = m ? Number(m[1]) : NaN;
  const last = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || !Number.isSafeInteger(first) || !Number.isSafeInteger(last)) {
    throw new InputError('--seeds', undefined, undefined, `expected a range of integer seeds FIRST..LAST, e.g. 1..1000, found "${text}"`);
  }
  if (last < first) throw new InputError('--seeds', undefined, undefined, `the range ${first}..${last} is empty: the last seed must not be below the first`);
  if (last - first + 1 > MAX_RUNS) throw new InputError('--seeds', undefined, undefined, `${last - first + 1} seeds are more than a sweep holds (${MAX_RUNS}): split the range`);
  return { first, last };
}

/** `--set key=v1,v2` → an axis; every value checked now, before anything runs. */
export function parseAxis(text: string, previous: Axis[]): Axis[] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError('--set', undefined, undefined, `expected key=value[,value…], e.g. sip.timer_t1=0.5,1, found "${text}"`);
  const key = text.slice(0, eq).trim();
  settingKind(key, '--set');
  if (previous.some((a) => a.key === key)) throw new InputError('--set', undefined, key, 'set twice: give every value in one --set, separated by commas');
  const values = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new InputError('--set', undefined, key, `expected values separated by commas, e.g. ${key}=a,b, found "${text.slice(eq + 1)}"`);
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new InputError('--set', undefined, key, `the value "${value}" is listed twice`);
    seen.add(value);
    checkSetting({ key, value }, '--set');
  }
  return [...previous, { key, values }];
}

/** `2/3`: shard 2 of 3. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(k >= 1) || k > n || !Number.isSafeInteger(n)) {
    throw new InputError('--shard', undefined, undefined, `expected K/N with 1 ≤ K ≤ N, e.g. 1/4, found "${text}"`);
  }
  return { k, n };
}

export function combinations(axes: readonly Axis[]): Combination[] {
  let combos: Setting[][] = [[]];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((value) => [...c, { key: axis.key, value }]));
  return combos.map((settings, index) => ({ index, settings, label: comboLabel(settings) }));
}

export function comboLabel(settings: readonly Setting[]): string {
  return settings.length === 0 ? '(as written)' : settings.map((s) => `${s.key}=${s.value}`).join(' ');
}

/** The runs of one shard, in run order: per combination, its seeds in the slice. */
export function shardRuns(comboCount: number, seeds: SeedRange, shard: Shard): { combo: number; seeds: number[] }[] {
  const perCombo = seeds.last - seeds.first + 1;
  const out: { combo: number; seeds: number[] }[] = [];
  for (let c = 0; c < comboCount; c++) {
    const list: number[] = [];
    // First run number of this combination that falls in the shard.
    const base = c * perCombo;
    let j = (((shard.k - 1 - base) % shard.n) + shard.n) % shard.n;
    for (; j < perCombo; j += shard.n) list.push(seeds.first + j);
    if (list.length > 0) out.push({ combo: c, seeds: list });
  }
  return out;
}

/** Splits each combination's seeds into tasks of at most `size` runs, in run order. */
export function tasks(runs: { combo: number; seeds: number[] }[], size: number): { combo: number; seeds: number[] }[] {
  const out: { combo: number; seeds: number[] }[] = [];
  for (const r of runs) for (let i = 0; i < r.seeds.length; i += size) out.push({ combo: r.combo, seeds: r.seeds.slice(i, i + size) });
  return out;
}
