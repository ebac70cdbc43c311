import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * The package as npm ships it: what `npm pack` puts in the tarball, and that the installed
 * command (bin/sipsim.cjs: the bundle through its code cache) behaves exactly as the modules do.
 */
describe('package', function () {
  this.timeout(120_000);

  interface PackFile {
    path: string;
  }
  let files: string[] = [];
  before(function () {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' });
    files = (JSON.parse(out) as { files: PackFile[] }[])[0]!.files.map((f) => f.path);
  });

  it('ships the command, its bundle and code cache, the sweep worker\'s loader, bundle and cache, declarations, the bundled scenarios, the schema and a LICENSE', function () {
    for (const f of ['bin/sipsim.cjs', 'dist/sipsim.cjs', 'dist/sipsim.cjs.cache', 'bin/sipsim-worker.cjs', 'dist/sipsim-worker.cjs', 'dist/sipsim-worker.cjs.cache', 'dist/sim/index.js', 'dist/sim/index.d.ts', 'LICENSE', 'schema/scenario.schema.json', 'scenarios/24-seed-outgoing-call.yaml', 'scenarios/phones/common.cfg']) {
      expect(files, f).to.include(f);
    }
    expect(files.filter((f) => f.startsWith('dist/test/')), 'tests stay out of the package').to.deep.equal([]);
  });

  it('ships source maps only with their sources inside', function () {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).to.be.greaterThan(10);
    for (const m of maps) {
      const map = JSON.parse(readFileSync(path.join(repoRoot, m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, m).to.equal(map.sources.length);
      expect(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), m).to.equal(true);
    }
  });

  it('the installed command prints byte for byte what the modules print, and its version', function () {
    const args = ['run', 'scenarios/04-server1-503.yaml', 'scenarios/22-incoming-calls.yaml'];
    const bin = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'sipsim.cjs'), ...args], { cwd: repoRoot, encoding: 'utf8' });
    const mods = runCli(args);
    expect(bin.status).to.equal(0);
    expect(bin.stdout).to.equal(mods.stdout);
    const version = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'sipsim.cjs'), '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).to.equal((JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('the installed command keeps exit 2 and one line for bad input', function () {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'sipsim.cjs'), 'run', 'no-such.yaml'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/^sipsim: no-such\.yaml: /);
    expect(r.stderr).to.not.match(/\n\s+at /);
  });
});
