import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../sim/core/input-error.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runScenario } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The default event guard grows with the scenario (hosts × simulated time), so a long normal run
 * never meets it, and when a run does meet it the message says how many events in how much
 * simulated time and how to raise the limit — it does not guess "an event storm".
 */
describe('event guard: the default maxEvents is sized from hosts × duration', () => {
  const scenario = (duration: string): string => {
    const dir = tempDir('sipsim-guard-');
    const file = path.join(dir, 'guard.yaml');
    fs.writeFileSync(file, `name: guard\nduration: ${duration}\nphones:\n  alice:\n    address: 10.0.0.10\n    config: [${path.join(repoRoot, 'scenarios/phones/common.cfg')}, ${path.join(repoRoot, 'scenarios/phones/alice.cfg')}]\nservers:\n  sip1: { address: 10.0.0.1 }\n  sip2: { address: 10.0.0.2 }\nevents:\n  - { at: 0s, boot: alice }\n`);
    return file;
  };

  it('6 h with 3 hosts: 100 events per host per simulated second, 6,480,000', () => {
    expect(loadScenario(scenario('6h')).maxEvents).to.equal(3 * 6 * 3600 * 100);
  });

  it('1 minute with 3 hosts: the floor, 1,000,000', () => {
    expect(loadScenario(scenario('1m')).maxEvents).to.equal(1_000_000);
  });

  it('a run that reaches the default limit: the message names the file (no line: the limit is not in it), the events, the simulated time and maxEvents', () => {
    const s = loadScenario(scenario('1m'));
    let err: unknown;
    try {
      runScenario({ ...s, maxEvents: 6 });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(InputError);
    const message = (err as InputError).message;
    expect(message).to.match(/^\S+guard\.yaml: the run stopped after 6 events in \S+ of simulated time \(of 1m\), [\d,]+ events per host per simulated second: the default limit for 3 hosts over 1m \(100 events per host per simulated second, at least 1,000,000\); if this load is intended, set maxEvents: in the scenario to a larger number$/);
    expect(message).not.to.contain('storm');
  });
});
