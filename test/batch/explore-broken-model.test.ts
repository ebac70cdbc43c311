import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkScenario, exploreCommand } from '../../sim/batch/explore-command.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { breakModelForTests } from '../../sim/testing/broken-model.js';
import { repoRoot } from '../helpers/run-cli.js';

const FAULTS = ['fail', 'recover', 'partition', 'heal', 'link', 'dns'];

/**
 * Issue 10's acceptance: a model with a real bug planted (sim/testing/broken-model.ts: a failed
 * registration never arms its retry timer) is caught by explore's own invariants, shrunk to at
 * most 2 fault events, and the written scenario reproduces it — while the sound model passes it.
 */
describe('explore against a deliberately broken model', function () {
  this.timeout(120_000);
  let tmp: string;
  let restore: (() => void) | undefined;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-broken-'));
  });
  afterEach(() => {
    restore?.();
    restore = undefined;
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('no registration retry: registered-after-heal fails, shrinks to ≤ 2 fault events, and the written YAML reproduces it', async () => {
    // jack: account 1 on sip1 only, account 2 on sip2 — one server's outage fails account 1's registration.
    const scenario = path.join(repoRoot, 'scenarios', '23-two-accounts.yaml');
    const out = path.join(tmp, 'broken');
    let text = '';
    restore = breakModelForTests('no-registration-retry');
    const code = await exploreCommand(scenario, { runs: 40, faults: 3, seed: 3, inProcess: true, out }, (s) => void (text += String(s)));
    expect(code, text).to.equal(1);
    expect(text).to.match(/FAIL registered-after-heal: \d+ runs?, first run \d+; shrunk to [12] faults? → /);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'explore.json'), 'utf8')) as { findings: { invariant: string; file: string; failures: string[] }[] };
    const finding = summary.findings.find((f) => f.invariant === 'registered-after-heal');
    expect(finding, text).to.not.equal(undefined);
    expect(finding!.file).to.equal('23-two-accounts-registered-after-heal.yaml'); // relative to the output directory
    expect(finding!.failures).to.have.length(1);
    expect(finding!.failures[0]).to.match(/^jack account 1 is not registered at \S+, \S+ after the last fault ended$/);
    // Only the planted bug shows: the rest of the model keeps its invariants.
    expect(summary.findings.map((f) => f.invariant)).to.deep.equal(['registered-after-heal']);
    const file = path.join(out, '23-two-accounts-registered-after-heal.yaml');
    expect(fs.existsSync(file)).to.equal(true);
    const written = loadScenario(file);
    const faults = written.events.filter((e) => FAULTS.includes(e.action.type));
    expect(faults.length).to.be.within(1, 2);
    // The minimal outage: sip1 down at boot, then back — account 1's first REGISTER fails and is never retried.
    expect(faults.map((e) => e.action.type)).to.deep.equal(['fail', 'recover']);
    expect(faults.map((e) => (e.action as { host?: string }).host)).to.deep.equal(['sip1', 'sip1']);

    // The written file, judged with the same broken model, fails the same invariant…
    const again = checkScenario(written);
    expect(again.failures.map((f) => f.invariant)).to.deep.equal(['registered-after-heal']);
    expect(again.failures[0]!.detail).to.match(/^jack account 1 is not registered/);
    restore();
    restore = undefined;
    // …and with the sound model every invariant holds on it.
    expect(checkScenario(written).failures).to.deep.equal([]);
  });

  it('the breakage stays in the test thread: explore refuses its worker pool while one is on', async () => {
    restore = breakModelForTests('no-registration-retry');
    const scenario = path.join(repoRoot, 'scenarios', '08-srv-failover.yaml');
    let err: unknown;
    await exploreCommand(scenario, { runs: 100, faults: 2, seed: 1, jobs: 2, out: path.join(tmp, 'pool') }, () => undefined).catch((e: unknown) => (err = e));
    expect(String(err)).to.contain('test-only breakage no-registration-retry');
  });
});
