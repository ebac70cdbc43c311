import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Shards of one sweep run on machines that check out different files (CI runners on different
 * commits, an edited .cfg) or run different sipsim versions describe different runs: `merge`
 * refuses them, naming the shard, rather than writing one sweep of neither. sweep.json records
 * the scenario's input digest (scenario text, the .cfg entries it read) and the version.
 */
describe('merge: shards must come from the same inputs and version', function () {
  this.timeout(120_000);
  let tmp = '';
  const dir = (name: string): string => path.join(tmp, name);
  // A private copy of 07 and its .cfg files, so the test can edit them.
  const scenario = (): string => path.join(dir('in'), '07-lossy-link.yaml');
  const cfg = (): string => path.join(dir('in'), 'phones', 'alice.cfg');
  const shard = (k: number, out: string) => runCli(['sweep', scenario(), '--seeds', '1..6', '--shard', `${k}/3`, '--jobs', '1', '--out', dir(out)]);
  const meta = (out: string) => JSON.parse(fs.readFileSync(path.join(dir(out), 'sweep.json'), 'utf8')) as { digest?: string; version?: string };

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-merge-inputs-'));
    fs.mkdirSync(path.join(dir('in'), 'phones'), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'scenarios', '07-lossy-link.yaml'), scenario());
    for (const f of ['common.cfg', 'alice.cfg']) fs.copyFileSync(path.join(repoRoot, 'scenarios', 'phones', f), path.join(dir('in'), 'phones', f));
    for (const k of [1, 2, 3]) expect(shard(k, `s${k}`).code).to.be.oneOf([0, 1]);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('sweep.json names the version and a digest that ignores where the files are, not what they say', () => {
    const m = meta('s1');
    expect(m.version).to.match(/^\d+\.\d+\.\d+/);
    expect(m.digest).to.match(/^[0-9a-f]{64}$/);
    // The bundled copy, elsewhere on disk, has the same digest; a changed .cfg value does not.
    expect(loadScenario(path.join(repoRoot, 'scenarios', '07-lossy-link.yaml')).digest).to.equal(m.digest);
    const original = fs.readFileSync(cfg(), 'utf8');
    try {
      fs.writeFileSync(cfg(), `${original}\n# a comment changes no run\n`);
      expect(loadScenario(scenario()).digest).to.equal(m.digest);
      fs.writeFileSync(cfg(), `${original}\nsip.timer_t1 = 1\n`);
      expect(loadScenario(scenario()).digest).to.not.equal(m.digest);
    } finally {
      fs.writeFileSync(cfg(), original);
    }
  });

  it('a shard run after a .cfg was edited is refused, and nothing is written', () => {
    const original = fs.readFileSync(cfg(), 'utf8');
    try {
      fs.writeFileSync(cfg(), `${original}\nsip.timer_t1 = 1\n`);
      expect(shard(2, 's2-edited').code).to.be.oneOf([0, 1]);
    } finally {
      fs.writeFileSync(cfg(), original);
    }
    const r = runCli(['merge', dir('s1'), dir('s2-edited'), dir('s3'), '--out', dir('m')]);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/s2-edited: sweep\.json: was run on a different scenario or \.cfg contents than .*s1 \(input digest [0-9a-f]{12} vs [0-9a-f]{12}\): rerun the shards from the same files\n$/);
    expect(fs.existsSync(dir('m'))).to.equal(false);
  });

  it('a shard written by another version is refused; the same shards merge', () => {
    fs.cpSync(dir('s3'), dir('s3-other'), { recursive: true });
    const m = meta('s3-other');
    fs.writeFileSync(path.join(dir('s3-other'), 'sweep.json'), JSON.stringify({ ...m, version: '0.0.1' }));
    const r = runCli(['merge', dir('s1'), dir('s2'), dir('s3-other'), '--out', dir('m')]);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/s3-other: sweep\.json: was written by sipsim 0\.0\.1, .*s1 by \d+\.\d+\.\d+: rerun the shards with one version\n$/);
    expect(fs.existsSync(dir('m'))).to.equal(false);
    const ok = runCli(['merge', dir('s1'), dir('s2'), dir('s3'), '--out', dir('m')]);
    expect(ok.code, ok.stderr).to.be.oneOf([0, 1]);
    expect(meta('m').digest).to.equal(meta('s1').digest);
  });
});
