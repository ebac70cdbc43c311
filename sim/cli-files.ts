import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InputError } from './core/input-error.js';

/** Expands CLI paths: a directory stands for its *.yaml / *.yml files, sorted by name. */
export function expandScenarioPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new InputError(p, undefined, undefined, 'no such file or directory');
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const found = readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (found.length === 0) throw new InputError(p, undefined, undefined, 'the directory holds no .yaml scenario');
    files.push(...found.map((f) => join(p, f)));
  }
  return files;
}

/** "out/capture.pcap" + "02-primary-silent" → "out/capture-02-primary-silent.pcap" (several scenarios share one flag). */
export function perScenario(file: string, id: string, several: boolean): string {
  if (!several) return file;
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}-${id}${ext}`;
}
