import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkScenario, exploreCommand } from '../../sim/batch/explore-command.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Explore checked against a planted failure: a test-only invariant that calls any unregistered
 * gap over 1 s a failure. Explore must catch it, shrink it to a small schedule, and write a
 * scenario that reproduces it when loaded and run as an ordinary file.
 */
describe('explore shrinking and replay', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-shrink-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a planted gap-limit failure is caught, shrunk to at most 2 faults, and the written YAML reproduces it', async () => {
    const out = path.join(tmp, 'planted');
    let text = '';
    const code = await exploreCommand(path.join(repoRoot, 'scenarios', '21-fallback-successive.yaml'), {
      runs: 60, faults: 3, seed: 5, inProcess: true, out, checks: { gapLimit: 1_000_000 },
    }, (s) => void (text += String(s)));
    expect(code).to.equal(1);
    const file = path.join(out, '21-fallback-successive-gap-limit.yaml');
    expect(text).to.contain(`FAIL gap-limit:`);
    expect(text).to.contain(file);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'explore.json'), 'utf8')) as { findings: { invariant: string; genes: unknown[]; firstRun: number }[] };
    const finding = summary.findings.find((f) => f.invariant === 'gap-limit')!;
    expect(finding.genes.length).to.be.within(1, 2);
    // Only the planted invariant fails: the model's own hold.
    expect(summary.findings.map((f) => f.invariant)).to.deep.equal(['gap-limit']);

    // The written file is an ordinary scenario: it loads, keeps the original's boots and calls,
    // and run with the planted check it fails the same way; without it, every invariant holds.
    const written = loadScenario(file);
    const kept = written.events.filter((e) => e.action.type === 'boot' || e.action.type === 'call').map((e) => [e.action.type, e.at] as const);
    expect(kept.slice(0, 2)).to.deep.equal([['boot', 0], ['call', 180_000_000]]);
    // …and explore's two probe calls, placed the healing bound after the original's 8 minutes.
    expect(kept).to.have.length(4);
    expect(kept[2]![1]).to.be.above(8 * 60_000_000);
    expect(kept[3]![1]).to.be.above(kept[2]![1]);
    // Shrunk to at most 2 fault events (here one fault: its start and its end).
    const faults = written.events.filter((e) => ['fail', 'recover', 'partition', 'heal', 'link', 'dns'].includes(e.action.type));
    expect(faults.length).to.be.within(1, 2);
    const planted = checkScenario(written, { gapLimit: 1_000_000 });
    expect(planted.failures.map((f) => f.invariant)).to.deep.equal(['gap-limit']);
    expect(checkScenario(written).failures).to.deep.equal([]);
    // And the CLI runs it, from anywhere (its config paths were rewritten for where it lies).
    const run = runCli(['run', file, '--quiet'], { cwd: os.tmpdir() });
    expect(run.code, run.stderr).to.be.oneOf([0, 1]);
    const check = runCli(['explore', file, '--check'], { cwd: os.tmpdir() });
    expect(check.code, check.stderr).to.equal(0);
    expect(check.stdout).to.contain('every invariant holds');
  });
});
