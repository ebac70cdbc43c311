import { readFileSync } from 'node:fs';

/**
 * sipsim's version from its package.json: `--version`, and the sweep.json of every sweep (so
 * `sipsim merge` can refuse shards written by different versions, whose runs may differ).
 * dist/sim/core/package-version.js is three levels below package.json, dist/sim/cli.js two
 * (an older layout), and the one-file bundles dist/sipsim*.cjs one.
 */
export function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'sipsim') return pkg.version;
    } catch {
      // not there: try the next level
    }
  }
  return 'unknown';
}
