import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { InputError } from './core/input-error.js';
import { sharedTarget, targetKind } from './cli-outputs.js';

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

/**
 * Before anything runs, the run's outputs that would land in one file: two flags naming the same
 * file (`--json x --pcap x`), or two scenarios with the same file name in different directories
 * (a/x.yaml, b/x.yaml) whose per-scenario outputs (--out's files, or a flag's F-<id> names)
 * would overwrite each other. OutputSet refuses the same at open time; this says it before
 * minutes of running.
 */
export function checkOutputClashes(scenarios: readonly { file: string; id: string }[], flags: { json?: string; pcap?: string; html?: string; metrics?: string; junit?: string }, outDir: string | undefined): void {
  const several = scenarios.length > 1;
  const isFile = (f: string | undefined): f is string => f !== undefined && targetKind(f) === 'file';
  const perRun: [string, string | undefined][] = [['--json', flags.json], ['--pcap', flags.pcap], ['--html', flags.html], ['--metrics', flags.metrics]];
  if (several && (outDir !== undefined || perRun.some(([, f]) => isFile(f)))) {
    const seen = new Map<string, string>();
    for (const s of scenarios) {
      const other = seen.get(s.id);
      if (other !== undefined) {
        throw new InputError(s.file, undefined, undefined, `has the same file name as ${other} (${s.id}): their outputs would be written to the same files; rename one or run them separately`);
      }
      seen.set(s.id, s.file);
    }
  }
  // Two outputs on stdout would interleave (a capture's bytes inside the JSONL).
  const onStdout = ([...perRun, ['--junit', flags.junit]] as [string, string | undefined][]).filter(([, f]) => f !== undefined && targetKind(f) === 'stdout');
  if (onStdout.length > 1) {
    throw new InputError(onStdout[1]![1]!, undefined, onStdout[1]![0], `is stdout, where ${onStdout[0]![0]} writes already: one stream cannot hold both outputs, name a file for one`);
  }
  // --junit is one file for the whole run; the others get each scenario's id when there are several.
  const named = [...perRun, ...(several ? [] : [['--junit', flags.junit] as [string, string | undefined]])].filter((e): e is [string, string] => isFile(e[1]));
  const byPath = new Map<string, string>();
  for (const [flag, f] of named) {
    const owner = byPath.get(resolve(f));
    if (owner !== undefined) throw sharedTarget(f, flag, owner);
    byPath.set(resolve(f), flag);
  }
}
