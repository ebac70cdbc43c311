import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BATCH_V8_FLAGS } from '../../sim/batch/pool.js';
import { runRow } from '../../sim/batch/row.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * The installed command's sweep workers load their bundle through bin/sipsim-worker.cjs with the
 * code cache the build made. V8 silently rejects a cache made under other flags, so a change to
 * the flags the pool sets would quietly cost every thread its cache: this test notices.
 */
const loader = path.join(repoRoot, 'bin', 'sipsim-worker.cjs');
const cache = path.join(repoRoot, 'dist', 'sipsim-worker.cjs.cache');

/** Loads the loader in a worker thread of a fresh node with the pool's flags; what it reports. */
const scenario = path.join(repoRoot, 'scenarios', '07-lossy-link.yaml');

function loadInWorker(): { rejected: boolean | undefined; rows: string } {
  const script = `
    require('node:v8').setFlagsFromString(${JSON.stringify(BATCH_V8_FLAGS)});
    const { Worker } = require('node:worker_threads');
    const w = new Worker(\`
      const h = require(${JSON.stringify(loader)});
      const rows = h({ file: ${JSON.stringify(scenario)}, combo: 0, settings: [], seeds: [1, 2, 3] });
      require('node:worker_threads').parentPort.postMessage({ rejected: h.codeCacheRejected, rows: JSON.stringify(rows) });
    \`, { eval: true });
    w.on('message', (m) => { console.log(JSON.stringify(m)); w.terminate(); });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout.trim()) as { rejected: boolean | undefined; rows: string };
}

describe('sweep workers: the bundle and its code cache', function () {
  this.timeout(60_000);

  it('the build made a cache that V8 accepts under the flags the pool sets; the loaded bundle gives the rows the modules give', () => {
    expect(fs.existsSync(cache), `${cache} (made by npm run build)`).to.equal(true);
    const got = loadInWorker();
    expect(got.rejected).to.equal(false);
    const s = loadScenario(scenario);
    const rows = [1, 2, 3].map((seed) => runRow(s, 0, seed));
    expect(got.rows).to.equal(JSON.stringify(rows));
  });
});
