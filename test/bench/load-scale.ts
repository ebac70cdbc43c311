/**
 * Load-scale benchmark: wall time to load a fleet scenario (test/helpers/fleet-scenario.ts) and
 * build its World, at 1,000, 10,000 and 100,000 phones (or the sizes given as arguments). The
 * simulation itself is not run. Linear loading shows as a roughly constant time per phone.
 *
 * Prints `load-scale: <P> phones: load <ms> ms, world <ms> ms, <µs> µs/phone` per size.
 * Not part of npm test. Wall-clock time is fine here: this is test/, not sim/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { defaultModel, World } from '../../sim/scenario/world.js';
import { writeFleetScenario } from '../helpers/fleet-scenario.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const phones of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'sipsim-load-scale-'));
  try {
    const { file } = writeFleetScenario(dir, phones);
    const t0 = performance.now();
    const scenario = loadScenario(file);
    const t1 = performance.now();
    const world = new World(scenario, scenario.seed, defaultModel(scenario));
    const t2 = performance.now();
    if (world.hosts.length !== phones + 2) throw new Error(`expected ${phones + 2} hosts, found ${world.hosts.length}`);
    const perPhone = ((t2 - t0) * 1000) / phones;
    console.log(`load-scale: ${phones} phones: load ${(t1 - t0).toFixed(0)} ms, world ${(t2 - t1).toFixed(0)} ms, ${perPhone.toFixed(1)} µs/phone`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
