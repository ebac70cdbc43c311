import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/run-cli.js';

/** Feature keys of the fact sheet §2.1/§2.8: validated, shown by `explain` with their origin and effect. */
describe('sipsim explain: feature keys of the fact sheet (failback & features area)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fkeys-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (lines: string[]): string => {
    const f = path.join(tmp, `f${fs.readdirSync(tmp).length}.cfg`);
    fs.writeFileSync(f, ['#!version:1.0.0.1', 'account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com', ...lines, ''].join('\n'));
    return f;
  };
  const rowOf = (out: string, key: string): string => out.split('\n').find((l) => l.trim().startsWith(`${key} `)) ?? '';
  const noEffect = [
    ['account.1.unregister_on_reboot', '1', 'no reboot'],
    ['account.1.blf.subscribe_period', '60', 'BLF'],
    ['account.1.line_seize.expires', '30', 'line seizing'],
    ['account.1.bla_number', '200', 'BLA'],
    ['account.1.bla_subscribe_period', '300', 'BLA'],
  ] as const;

  it('keys acting on nothing modelled: value and file:line shown, the reason beside them, and no "not simulated" warning', () => {
    const f = write(noEffect.map(([k, v]) => `${k} = ${v}`));
    const r = runCli(['explain', f]);
    expect(r.code).to.equal(0);
    noEffect.forEach(([key, value, why], i) => {
      const row = rowOf(r.stdout, key);
      expect(row, key).to.include(value).and.include(`${path.basename(f)}:${i + 4}`).and.include('affects nothing modelled').and.include(why);
    });
    expect(r.stdout).to.not.include('warning');
  });

  it('subscribe_register and subscribe_expires_overlap are simulated: no warning, and the summary names the reg subscription and its renewal', () => {
    const f = write(['account.1.subscribe_register = 1', 'account.1.subscribe_expires_overlap = 10']);
    const r = runCli(['explain', f]);
    expect(r.code).to.equal(0);
    for (const k of ['account.1.subscribe_register', 'account.1.subscribe_expires_overlap']) {
      expect(rowOf(r.stdout, k)).to.not.include('[not simulated yet]');
      expect(r.stdout).to.not.include(`${k}: key validated but its behaviour is not simulated yet`);
    }
    expect(r.stdout).to.include('Features kept with the working server: reg');
    expect(r.stdout).to.include('renewed 10 s before the granted lifetime ends (account.1.subscribe_expires_overlap)');
    const byDefault = runCli(['explain', write(['account.1.subscribe_register = 1'])]);
    expect(byDefault.stdout).to.include('at 90 % of it (account.1.subscribe_expires_overlap = -1; model option refreshFraction)');
  });

  it('failback_subscribe.enable (B11) is simulated: no warning, and the summary says in words what subscriptions do after a failover', () => {
    const words = (lines: string[]): string => {
      const r = runCli(['explain', write(['account.1.subscribe_mwi = 1', ...lines])]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.not.include('failback_subscribe.enable: key validated but its behaviour is not simulated yet');
      expect(rowOf(r.stdout, 'account.1.sip_server.1.failback_subscribe.enable')).to.not.include('[not simulated yet]');
      return r.stdout.split('\n').find((l) => l.includes('Subscriptions after a failover')) ?? '';
    };
    expect(words(['account.1.sip_server.1.failback_mode = 2', 'account.1.sip_server.1.failback_subscribe.enable = 1'])).to.include('re-subscribed there at once').and.include('failback_subscribe.enable = 1, failback mode 2');
    expect(words([])).to.include('stay on the old address and are refreshed there').and.include('featureResubscribeDefault=stayOnOldServerUntilRefresh');
    expect(words(['account.1.sip_server.1.failback_subscribe.enable = 1'])).to.include('has no effect in failback mode 0');
  });

  it('with a fallback server, the summary says what it gets (B16, model option fallbackFeatureSet)', () => {
    const r = runCli(['explain', write(['account.1.subscribe_mwi = 1', 'account.1.sip_server.2.address = 10.0.0.3'])]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include('server 2 (fallback) gets basic calls only: no SUBSCRIBE to it').and.include('fallbackFeatureSet=basicCallsOnly');
  });

  it('out-of-range values: file:line, key and range, exit 2', () => {
    for (const [line, range] of [['account.1.blf.subscribe_period = 10', '30 to 2147483647'], ['account.1.line_seize.expires = 70000', '0 to 65535'], ['account.1.unregister_on_reboot = 2', '0 (disabled), 1 (enabled)']]) {
      const r = runCli(['explain', write([line])]);
      expect(r.code, line).to.equal(2);
      expect(r.stderr).to.match(/\.cfg:4/).and.include(line.split(' ')[0]!).and.include(range);
      expect(r.stderr).to.not.include('    at ');
    }
  });
});
