/**
 * Load-scale benchmark: wall time to load a fleet scenario (test/helpers/fleet-scenario.ts) and
 * build its World, at 1,000, 10,000 and 100,000 phones (or the sizes given as arguments), both
 * spelled out under `phones:` and declared compactly under `fleets:` (with a {i} user name, and
 * with no {i}: one shared config). The simulation itself is not run. Linear loading shows as a
 * roughly constant time per phone.
 *
 * Prints `load-scale: <P> phones (<form>): load <ms> ms, world <ms> ms, <µs> µs/phone` per size and form.
 * Not part of npm test. Wall-clock time is fine here: this is test/, not sim/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { defaultModel, World } from '../../sim/scenario/world.js';
import { writeCompactFleetScenario, writeFleetScenario } from '../helpers/fleet-scenario.js';

const forms: Record<string, (dir: string, phones: number) => string> = {
  'phones:': (dir, phones) => writeFleetScenario(dir, phones).file,
  'fleets: {i}': (dir, phones) => writeCompactFleetScenario(dir, phones),
  'fleets: shared': (dir, phones) => writeCompactFleetScenario(dir, phones, { settings: {} }),
};
const args = process.argv.slice(2);
const only = args.filter((a) => !/^\d+$/.test(a));
const sizes = args.map(Number).filter((n) => n > 0);
for (const phones of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
  for (const [form, write] of Object.entries(forms)) {
    if (only.length > 0 && !only.some((o) => form.startsWith(o))) continue;
    const dir = mkdtempSync(join(tmpdir(), 'sipsim-load-scale-'));
    try {
      const file = write(dir, phones);
      const t0 = performance.now();
      const scenario = loadScenario(file);
      const t1 = performance.now();
      const world = new World(scenario, scenario.seed, defaultModel(scenario));
      const t2 = performance.now();
      if (world.hosts.length !== phones + 2) throw new Error(`expected ${phones + 2} hosts, found ${world.hosts.length}`);
      const perPhone = ((t2 - t0) * 1000) / phones;
      console.log(`load-scale: ${phones} phones (${form}): load ${(t1 - t0).toFixed(0)} ms, world ${(t2 - t1).toFixed(0)} ms, ${perPhone.toFixed(1)} µs/phone`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
