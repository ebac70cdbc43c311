import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/run-cli.js';

/** AMB-27/28 reading options reach the .cfg reader from the scenario's model:, --model and --set model.X. */
describe('sipsim: .cfg reading options (AMB-27/28) from model:, --model and --set', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-cfgrules-'));
    // The address line is given twice: the first names sip1, the last an address nobody has.
    fs.writeFileSync(path.join(tmp, 'alice.cfg'), ['#!version:1.0.0.1', 'account.1.enable = 1', 'account.1.user_name = 1001',
      'account.1.sip_server.1.address = 10.0.0.1', 'account.1.sip_server.1.address = 10.0.0.99', ''].join('\n'));
    fs.writeFileSync(path.join(tmp, 'legacy.cfg'), ['#!version:1.0.0.1', 'account.1.enable = 1', 'account.1.sip_server_host = 10.0.0.1', 'account.1.sip_server.1.retry_counts = 50', ''].join('\n'));
    const scenario = (model: string, cfg: string): string => [
      'name: duplicate address line', 'duration: 30s', model,
      'phones:', `  alice: { address: 10.0.0.10, config: ${cfg} }`, 'servers:', '  sip1: { address: 10.0.0.1 }',
      'events:', '  - { at: 0s, boot: alice }', 'expect:', '  - { by: 5s, registered: { phone: alice, on: sip1 } }', ''].join('\n');
    fs.writeFileSync(path.join(tmp, 'dup.yaml'), scenario('', 'alice.cfg'));
    fs.writeFileSync(path.join(tmp, 'dup-first.yaml'), scenario('model: { configDuplicateKey: firstWins }', 'alice.cfg'));
    fs.writeFileSync(path.join(tmp, 'legacy.yaml'), scenario('', 'legacy.cfg'));
    fs.writeFileSync(path.join(tmp, 'legacy-reject.yaml'), scenario('model: { configLegacyKeys: reject }', 'legacy.cfg'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const f = (name: string): string => path.join(tmp, name);

  it('configDuplicateKey: lastWins (★) registers at 10.0.0.99 (expectation fails, exit 1); firstWins from model:, --model or --set registers on sip1', () => {
    expect(runCli(['run', f('dup.yaml'), '--quiet']).code).to.equal(1);
    expect(runCli(['run', f('dup-first.yaml'), '--quiet']).code).to.equal(0);
    expect(runCli(['run', f('dup.yaml'), '--quiet', '--model', 'configDuplicateKey=firstWins']).code).to.equal(0);
    expect(runCli(['run', f('dup.yaml'), '--quiet', '--set', 'model.configDuplicateKey=firstWins']).code).to.equal(0);
    const v = runCli(['validate', f('dup.yaml')]);
    expect(v.stderr).to.include('alice.cfg:5: account.1.sip_server.1.address: set 2 times in this file (lines 4, 5); line 5 wins (model option configDuplicateKey=lastWins)');
  });

  it('configOutOfRange / retryCountsRange / configLegacyKeys through validate --model and the scenario model: block', () => {
    const strict = runCli(['validate', f('legacy.yaml')]);
    expect(strict.code).to.equal(2);
    expect(strict.stderr).to.include('legacy.cfg:4: account.1.sip_server.1.retry_counts: expected an integer from 0 to 20, found "50"');
    const wide = runCli(['validate', f('legacy.yaml'), '--model', 'retryCountsRange=0..65535']);
    expect(wide.code).to.equal(0);
    expect(wide.stderr).to.include('legacy.cfg:3: account.1.sip_server_host: legacy key (V70–V72 firmware), read as account.1.sip_server.1.address');
    const clamp = runCli(['validate', f('legacy.cfg'), '--model', 'configOutOfRange=clampWithWarning']);
    expect(clamp.code).to.equal(0);
    expect(clamp.stderr).to.include('legacy.cfg:4: account.1.sip_server.1.retry_counts: 50 is outside 0..20, clamped to 20');
    const reject = runCli(['validate', f('legacy-reject.yaml'), '--model', 'retryCountsRange=0..65535']);
    expect(reject.code).to.equal(2);
    expect(reject.stderr.trim()).to.match(/legacy\.cfg:3: account\.1\.sip_server_host: legacy key \(V70–V72 firmware\): write account\.1\.sip_server\.1\.address instead \(model option configLegacyKeys=reject\)$/);
    expect(reject.stderr).to.not.include('    at ');
  });

  it('explain --model: the reading shows in the origin column (legacy key, clamped)', () => {
    const r = runCli(['explain', f('legacy.cfg'), '--model', 'configOutOfRange=clampWithWarning']);
    expect(r.code).to.equal(0);
    const row = (key: string): string => r.stdout.split('\n').find((l) => l.trim().startsWith(`${key} `)) ?? '';
    expect(row('account.1.sip_server.1.address')).to.include('10.0.0.1').and.include('legacy.cfg:3 (legacy key account.1.sip_server_host)');
    expect(row('account.1.sip_server.1.retry_counts')).to.match(/ 20 .*legacy\.cfg:4 \(clamped from 50\)/);
    expect(runCli(['explain', f('legacy.cfg'), '--model', 'configLegacyKeys=reject']).code).to.equal(2);
    expect(runCli(['explain', f('legacy.cfg'), '--model', 'configLegacyKeys=sometimes']).stderr).to.include('expected one of acceptWithWarning, reject');
  });
});
