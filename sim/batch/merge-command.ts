import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { basename, dirname, join } from 'node:path';
import { errnoReason } from '../cli-outputs.js';
import { InputError } from '../core/input-error.js';
import type { SweepMeta } from './aggregate.js';
import { ROWS_FILE, SWEEP_META_FILE } from './outputs.js';
import { combinations } from './plan.js';
import { compareRows, RunRow } from './row.js';
import { finish, Writer } from './sweep-command.js';

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
  const sameSweep = (m: SweepMeta) => JSON.stringify({ ...m, shard: undefined });
  for (const s of inputs.slice(1)) {
    if (sameSweep(s.meta) !== sameSweep(first.meta)) {
      throw new InputError(s.dir, undefined, SWEEP_META_FILE, `is not a shard of the same sweep as ${first.dir} (scenario file, seeds and --set values must be the same)`);
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

  const rows = inputs.flatMap((s) => s.rows).sort(compareRows);
  const { seeds } = first.meta;
  const expected = combinations(first.meta.axes).length * (seeds.last - seeds.first + 1);
  for (let i = 1; i < rows.length; i++) {
    if (compareRows(rows[i - 1]!, rows[i]!) === 0) throw new InputError('merge', undefined, undefined, `the run of combination ${rows[i]!.combo}, seed ${rows[i]!.seed} is in two shards`);
  }
  if (rows.length !== expected) throw new InputError('merge', undefined, undefined, `the shards hold ${rows.length} runs, the sweep has ${expected}: a shard's ${ROWS_FILE} is incomplete`);
  const meta: SweepMeta = { ...first.meta };
  delete meta.shard;
  return finish(meta, rows, flags.out ?? join('out', `${meta.id}-sweep`), say);
}

function readShard(path: string): { dir: string; meta: SweepMeta; rows: RunRow[] } {
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
  const rowsFile = join(dir, ROWS_FILE);
  const rows: RunRow[] = [];
  // Line by line, not as one string: a shard of two million runs is past V8's string limit.
  forEachLine(rowsFile, (line, n) => {
    if (line === '') return;
    const r = parseJson(line, rowsFile, n) as RunRow & { settings?: unknown };
    if (typeof r?.combo !== 'number' || typeof r.seed !== 'number' || !Array.isArray(r.phones)) throw new InputError(rowsFile, n, undefined, 'expected a sweep row (combo, seed, phones…)');
    // The settings are written from the combination (outputs.ts); the row itself holds the rest.
    delete r.settings;
    rows.push(r as RunRow);
  });
  return { dir, meta, rows };
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, undefined, undefined, `cannot read the shard output: ${errnoReason(e)}`);
  }
}

/** Each line of a UTF-8 file (1-based numbers), read 1 MB at a time; a character split across two reads is decoded whole. */
function forEachLine(file: string, each: (line: string, n: number) => void): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new InputError(file, undefined, undefined, `cannot read the shard output: ${errnoReason(e)}`);
  }
  try {
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(1 << 20);
    let rest = '';
    let n = 0;
    for (;;) {
      let got: number;
      try {
        got = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new InputError(file, undefined, undefined, `cannot read the shard output: ${errnoReason(e)}`);
      }
      const text = rest + (got === 0 ? decoder.end() : decoder.write(buf.subarray(0, got)));
      const lines = text.split('\n');
      rest = got === 0 ? '' : lines.pop()!;
      for (const line of lines) each(line, ++n);
      if (got === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

function parseJson(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(file, line, undefined, `not valid JSON: ${(e as Error).message}`);
  }
}
