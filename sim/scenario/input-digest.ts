import { createHash } from 'node:crypto';
import { dirname, relative } from 'node:path';
import type { CfgEntry } from '../phone/cfg-file.js';

/**
 * What a scenario's runs are made from, as one SHA-256: the scenario file's text and, for each
 * .cfg file it read (in the order read), its name relative to the scenario's directory and its
 * entries. Two machines that check out the same files in different places get the same digest;
 * an edited scenario or .cfg (a key's value, a key added) gets another. `sipsim merge` uses it
 * to refuse shards of one sweep run on different inputs (e.g. CI runners on different commits).
 * A .cfg file's comments and layout are not in it: they do not change a run.
 */
export function inputDigest(file: string, text: string, cfgs: ReadonlyMap<string, ReadonlyMap<string, CfgEntry>>): string {
  const h = createHash('sha256');
  h.update(`scenario\0${text}\0`);
  const base = dirname(file);
  for (const [cfgFile, entries] of cfgs) {
    h.update(`cfg\0${relative(base, cfgFile)}\0`);
    for (const e of entries.values()) h.update(`${e.key}=${e.value}\n`);
  }
  return h.digest('hex');
}
