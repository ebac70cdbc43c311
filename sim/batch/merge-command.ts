import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoReason } from '../cli-outputs.js';
import { InputError } from '../core/input-error.js';
import type { SweepMeta } from './aggregate.js';
import { LineReader } from './line-reader.js';
import { ROWS_FILE, SWEEP_META_FILE } from './outputs.js';
import { combinations } from './plan.js';
import { compareRows, RunRow } from './row.js';
import { finish, openSweepOutput, Writer } from './sweep-command.js';

/**
 * `sipsim merge <shard outputs>…`: each argument a shard's output directory (or its sweep.json
 * or runs.jsonl). The shards must be of one sweep (same scenario file, seeds and --set axes)
 * and together be shards 1..N of N, each once; their rows are put back in run order and
 * written by the same code as an unsharded sweep — so the files are the same bytes.
 */
export function mergeCommand(paths: string[], flags: { out?: string }, say: Writer): number {
  if (paths.length === 0) throw new InputError('merge', undefined, undefined, 'expected the output directories of the shards');
  const inputs = paths.map(readShard);
  const first = inputs[0]!;
  const sameSweep = (m: SweepMeta) => JSON.stringify({ ...m, shard: undefined, version: undefined, digest: undefined });
  for (const s of inputs.slice(1)) {
    if (sameSweep(s.meta) !== sameSweep(first.meta)) {
      throw new InputError(s.dir, undefined, SWEEP_META_FILE, `is not a shard of the same sweep as ${first.dir} (scenario file, seeds and --set values must be the same)`);
    }
    // Same command, different inputs: e.g. CI runners on different commits. Their runs differ,
    // so one merged sweep of them would describe neither.
    if (s.meta.digest !== first.meta.digest) {
      throw new InputError(s.dir, undefined, SWEEP_META_FILE, `was run on a different scenario or .cfg contents than ${first.dir} (input digest ${short(s.meta.digest)} vs ${short(first.meta.digest)}): rerun the shards from the same files`);
    }
    if (s.meta.version !== first.meta.version) {
      throw new InputError(s.dir, undefined, SWEEP_META_FILE, `was written by sipsim ${s.meta.version ?? 'an earlier version that recorded none'}, ${first.dir} by ${first.meta.version ?? 'an earlier version that recorded none'}: rerun the shards with one version`);
    }
  }
  const n = first.meta.shard?.n ?? 1;
  const seen = new Map<number, string>();
  for (const s of inputs) {
    const shard = s.meta.shard ?? { k: 1, n: 1 };
    if (shard.n !== n) throw new InputError(s.dir, undefined, SWEEP_META_FILE, `is shard ${shard.k}/${shard.n}, but ${first.dir} is one of ${n} shards`);
    if (seen.has(shard.k)) throw new InputError(s.dir, undefined, SWEEP_META_FILE, `shard ${shard.k}/${n} is given twice (also ${seen.get(shard.k)})`);
    seen.set(shard.k, s.dir);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new InputError('merge', undefined, undefined, `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${n}`).join(', ')} missing: a merge needs every shard`);

  const { seeds } = first.meta;
  const expected = combinations(first.meta.axes).length * (seeds.last - seeds.first + 1);
  const meta: SweepMeta = { ...first.meta };
  delete meta.shard;
  const outDir = flags.out ?? join('out', `${meta.id}-sweep`);
  // The shards' rows are each in run order: merged a row at a time, as a sweep folds them (no row kept).
  const out = openSweepOutput(combinations(meta.axes), outDir, say);
  const { collector } = out;
  try {
    const heads = inputs.map((s) => s.rows.next());
    let prev: RunRow | undefined;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) if (heads[i] && (best < 0 || compareRows(heads[i]!, heads[best]!) < 0)) best = i;
      if (best < 0) break;
      const r = heads[best]!;
      heads[best] = inputs[best]!.rows.next();
      if (prev && compareRows(prev, r) === 0) throw new InputError('merge', undefined, undefined, `the run of combination ${r.combo}, seed ${r.seed} is in two shards`);
      collector.add(r);
      prev = r;
    }
    if (collector.rows !== expected) throw new InputError('merge', undefined, undefined, `the shards hold ${collector.rows} runs, the sweep has ${expected}: a shard's ${ROWS_FILE} is incomplete`);
    return finish(meta, out, outDir, say);
  } catch (e) {
    out.outputs.abort();
    throw e;
  } finally {
    for (const s of inputs) s.rows.close();
  }
}

/** A shard's rows in file order, checked one at a time: each a sweep row, each after the one before. */
class ShardRows {
  /** Opened at the first row: the shards' sweep.json files are all checked before any rows file is. */
  private lines: LineReader | undefined;
  private last: RunRow | undefined;

  constructor(readonly file: string) {}

  next(): RunRow | undefined {
    const lines = (this.lines ??= new LineReader(this.file));
    for (let line = lines.next(); line !== undefined; line = lines.next()) {
      if (line === '') continue;
      const n = lines.line;
      const r = parseJson(line, this.file, n) as RunRow & { settings?: unknown };
      if (typeof r?.combo !== 'number' || typeof r.seed !== 'number' || !Array.isArray(r.phones)) throw new InputError(this.file, n, undefined, 'expected a sweep row (combo, seed, phones…)');
      if (this.last && compareRows(this.last, r) >= 0) throw new InputError(this.file, n, undefined, `expected the rows in run order (combination, then seed): combination ${r.combo} seed ${r.seed} comes after combination ${this.last.combo} seed ${this.last.seed}`);
      // The settings are written from the combination (outputs.ts); the row itself holds the rest.
      delete r.settings;
      return (this.last = r as RunRow);
    }
    return undefined;
  }

  close(): void {
    this.lines?.close();
  }
}

function readShard(path: string): { dir: string; meta: SweepMeta; rows: ShardRows } {
  let dir = path;
  try {
    if (!statSync(path).isDirectory()) dir = dirname(path);
  } catch (e) {
    throw new InputError(path, undefined, undefined, `cannot read the shard output: ${errnoReason(e)}`);
  }
  if (dir !== path && ![SWEEP_META_FILE, ROWS_FILE].includes(basename(path))) {
    throw new InputError(path, undefined, undefined, `expected a shard's output directory, or its ${SWEEP_META_FILE} or ${ROWS_FILE}`);
  }
  const metaFile = join(dir, SWEEP_META_FILE);
  const meta = parseJson(read(metaFile), metaFile, 1) as SweepMeta;
  if (typeof meta?.file !== 'string' || typeof meta.seeds?.first !== 'number' || !Array.isArray(meta.axes)) {
    throw new InputError(metaFile, undefined, undefined, 'expected the sweep.json a sweep writes (file, seeds, axes)');
  }
  const rows = new ShardRows(join(dir, ROWS_FILE));
  return { dir, meta, rows };
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, undefined, undefined, `cannot read the shard output: ${errnoReason(e)}`);
  }
}

function parseJson(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(file, line, undefined, `not valid JSON: ${(e as Error).message}`);
  }
}

/** A digest as a message shows it: its first 12 hex digits, or 'none' (a sweep.json from before digests). */
function short(d: string | undefined): string {
  return d === undefined ? 'none' : d.slice(0, 12);
}
