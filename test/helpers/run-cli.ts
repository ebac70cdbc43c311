import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The repository root. This file compiles to dist/test/helpers/run-cli.js, so the root is three
 * levels up from its directory (dist/test/helpers → dist/test → dist → root).
 */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The compiled CLI entry point. */
export const cliPath: string = path.join(repoRoot, 'dist', 'sim', 'cli.js');

export interface CliResult {
  /** Exit code (null only if the process was killed by a signal or the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this many ms (default 30 s): a hanging CLI fails one test, not the suite. */
  timeoutMs?: number;
}

/** Runs `node dist/sim/cli.js ...args` as a child process and collects its exit code and output. */
export function runCli(args: string[], opts: RunCliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 30_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Ids (file names without .yaml) of the bundled scenarios in scenarios/, sorted by name. */
export function bundledScenarioIds(): string[] {
  return readdirSync(path.join(repoRoot, 'scenarios'))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => f.replace(/\.ya?ml$/, ''));
}

/** Phones in fleets above which a bundled scenario counts as heavy (see heavyScenarioIds). */
export const HEAVY_FLEET_PHONES = 1_000;

/**
 * Bundled scenarios with fleets of more than HEAVY_FLEET_PHONES phones in all (27-registration-storm:
 * 20,000). Their JSONL and pcap run to hundreds of MB and each run takes tens of seconds, so the
 * suites that run every scenario several times, or keep its trace, leave them out; each such
 * scenario has its own test (test/scenario/registration-storm.test.ts) with one determinism check.
 */
export function heavyScenarioIds(): string[] {
  return bundledScenarioIds().filter((id) => {
    const doc = parse(readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')) as { fleets?: Record<string, { count?: number }> };
    const phones = Object.values(doc.fleets ?? {}).reduce((n, f) => n + (f.count ?? 0), 0);
    return phones > HEAVY_FLEET_PHONES;
  });
}

/** The last non-empty line of a text. */
export function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}
