import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../sim/core/input-error.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { checkHeapFits, LIVE_BYTES_PER_PHONE } from '../../sim/scenario/heap-check.js';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { runCli } from '../helpers/run-cli.js';

describe('a fleet too large for the heap is refused before the run', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-heap-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('names the fleet count line and the flag that raises the limit; a fleet that fits passes', () => {
    const file = writeCompactFleetScenario(path.join(tmp, 'a'), 2_000);
    const s = loadScenario(file);
    checkHeapFits(s, 2_000 * LIVE_BYTES_PER_PHONE); // exactly fits
    let err: unknown;
    try {
      checkHeapFits(s, 2_000 * LIVE_BYTES_PER_PHONE - 1);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(InputError);
    const e = err as InputError;
    expect(e.file).to.equal(file);
    expect(e.key).to.equal('fleets.office.count');
    expect(e.line).to.equal(s.fleets[0]!.line);
    expect(e.message).to.match(/2,000 phones need about 0\.0 GB of heap/);
    expect(e.message).to.include('NODE_OPTIONS=--max-old-space-size=');
  });

  it('the CLI exits 2 with one line and writes nothing when node was started with a small heap', () => {
    const file = writeCompactFleetScenario(path.join(tmp, 'b'), 20_000);
    const out = path.join(tmp, 'b', 'trace.jsonl');
    // 20,000 phones × 10 KB = 200 MB > a 64 MB old space.
    const r = runCli(['run', file, '--quiet', '--json', out], { env: { NODE_OPTIONS: '--max-old-space-size=64' } });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/office\.yaml:\d+: fleets\.office\.count: 20,000 phones need about 0\.2 GB of heap/);
    expect(r.stderr).to.not.include('    at ');
    expect(fs.existsSync(out)).to.equal(false);
  });
});
