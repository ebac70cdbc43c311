import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * A failback check must not pass on the boot-time registration: `by … after:` counts only
 * events in [after, by], and an `at`/`by` that holds only through an event before the first
 * fault is flagged in the summary.
 */
describe('expectations: by … after, and passes that happened before the first fault', function () {
  this.timeout(30_000);
  const PHONES = path.join(repoRoot, 'scenarios', 'phones');
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-after-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function scenario(name: string, recover: boolean, check: string): string {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, [
      `name: failback check ${name}`, 'duration: 8m',
      `phones: { ivy: { address: 10.0.0.18, config: [${PHONES}/common.cfg, ${PHONES}/ivy-fallback.cfg], settings: { account.1.fallback.redundancy_type: 0 } } }`,
      'servers: { sip1: { address: 10.0.0.1 }, backup: { address: 10.0.0.3 } }',
      'network: { default: { delay: 10ms } }',
      'events:',
      '  - { at: 0s, boot: ivy }',
      '  - { at: 1m, fail: sip1, mode: silent }',
      ...(recover ? ['  - { at: 5m, recover: sip1 }'] : []),
      'expect:',
      `  - ${check}`,
    ].join('\n'));
    return file;
  }

  it('with after: passes when failback happens, naming the failback instant', () => {
    const r = runCli(['run', scenario('back', true, '{ by: 5m2s, after: 5m, registered: { phone: ivy, on: sip1 } }'), '--quiet']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('seen: ivy registered on sip1 at 5m1.54s');
    expect(r.stdout).to.not.contain('warning: satisfied');
  });

  it('with after: fails when failback never happens, and says the last match came before the window', () => {
    const r = runCli(['run', scenario('never-back', false, '{ by: 5m2s, after: 5m, registered: { phone: ivy, on: sip1 } }'), '--quiet']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/FAIL .*after: 5m/);
    expect(r.stdout).to.contain('seen instead: no ivy registered on sip1 at or after 5m (the last before 5m at 20ms)');
  });

  it('without after: the same check passes on the boot registration — with a warning naming both instants', () => {
    const r = runCli(['run', scenario('accident', false, '{ by: 5m2s, registered: { phone: ivy, on: sip1 } }'), '--quiet']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('warning: satisfied at 20ms, before the first fault at 1m — did you mean `after:`?');
  });

  it('a check aimed before the first fault is not flagged', () => {
    const r = runCli(['run', scenario('boot', false, '{ by: 1s, registered: { phone: ivy, on: sip1 } }'), '--quiet']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.not.contain('warning: satisfied');
  });

  it('after later than by is an input error at its line', () => {
    const r = runCli(['validate', scenario('bad', true, '{ by: 5m, after: 6m, registered: { phone: ivy, on: sip1 } }')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/bad\.yaml:11: expect\[0\]\.after: expected an instant at or before `by`/);
  });
});
