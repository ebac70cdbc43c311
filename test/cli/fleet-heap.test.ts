import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { cliPath, repoRoot } from '../helpers/run-cli.js';

/**
 * bin/sipsim.cjs runs `run` again in a node with a bigger young generation when a scenario has
 * fleets (bin/fleet-heap.cjs). What the user sees must not change: same output, same exit code.
 */
const { FLEET_HEAP_FLAGS, wantsFleetHeap } = createRequire(import.meta.url)(path.join(repoRoot, 'bin', 'fleet-heap.cjs')) as {
  FLEET_HEAP_FLAGS: string[];
  wantsFleetHeap: (argv: string[], execArgv: string[], env: Record<string, string | undefined>) => boolean;
};
const bin = path.join(repoRoot, 'bin', 'sipsim.cjs');

describe('fleets: the young generation of the node that runs them', function () {
  this.timeout(60_000);
  let dir = '';
  let fleet = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fleet-heap-'));
    fleet = writeCompactFleetScenario(dir, 20);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('asks for it for `run` on a fleet scenario or a folder holding one, and only then', () => {
    const single = path.join(repoRoot, 'scenarios', '01-all-well.yaml');
    expect(wantsFleetHeap(['run', fleet, '--quiet'], [], {})).to.equal(true);
    expect(wantsFleetHeap(['run', dir], [], {})).to.equal(true);
    expect(wantsFleetHeap(['run', single, '--quiet'], [], {})).to.equal(false);
    expect(wantsFleetHeap(['run', '--seed', '3', path.join(dir, 'missing.yaml')], [], {})).to.equal(false);
    expect(wantsFleetHeap(['sweep', fleet], [], {})).to.equal(false);
    // Already chosen (by the user, or by the first node): no second restart.
    expect(wantsFleetHeap(['run', fleet], FLEET_HEAP_FLAGS, {})).to.equal(false);
    expect(wantsFleetHeap(['run', fleet], [], { NODE_OPTIONS: '--max-semi-space-size=8' })).to.equal(false);
    // The build's code-cache warm-up stays in a plainly started node.
    expect(wantsFleetHeap(['run', fleet], [], { SIPSIM_BUILD_CODE_CACHE: '/tmp/x' })).to.equal(false);
  });

  // Near the heap limit V8 shrinks the young generation to its minimum (1 MB by default): the
  // million then spent 85 % of its time in scavenges of 1 MB (6,734 s for the hour; 1,846 s with it).
  it('the flags fix the young generation at 64 MB from the start, so it cannot shrink below that', () => {
    const probe = "const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space'); process.stdout.write(String(s.space_size / 2 ** 20))";
    const plain = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    const fleet = spawnSync(process.execPath, [...FLEET_HEAP_FLAGS, '-e', probe], { encoding: 'utf8' });
    expect(Number(plain.stdout)).to.be.below(64);
    expect(Number(fleet.stdout)).to.be.at.least(64);
  });

  it('the installed command gives a fleet run the same output and exit code as the modules do, passing and failing', () => {
    const failing = writeCompactFleetScenario(path.join(dir, 'failing'), 20, {
      expect: ['  - { by: 10ms, registered: { phone: "office[20]", on: sip1 } }'], // a registration takes ~40 ms
    });
    for (const [file, code] of [[fleet, 0], [failing, 1]] as const) {
      const viaBin = spawnSync(process.execPath, [bin, 'run', file, '--quiet'], { encoding: 'utf8' });
      const viaModules = spawnSync(process.execPath, [cliPath, 'run', file, '--quiet'], { encoding: 'utf8' });
      expect(viaBin.status, viaBin.stderr).to.equal(code);
      expect(viaBin.stdout).to.equal(viaModules.stdout);
      expect(viaBin.stderr).to.equal(viaModules.stderr);
    }
  });
});
