import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { defaultModel, World } from '../../sim/scenario/world.js';
import { fleetAddress, writeCompactFleetScenario, writeFleetScenario } from '../helpers/fleet-scenario.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * A fleet is ordinary input: loading 20,000 phones (with a boot and an expectation each) took
 * over a minute while loading was quadratic, and finishes in seconds now. Errors keep naming
 * the exact line, however far down the file it is.
 */
describe('loading a fleet scenario', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fleet-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const dir = (name: string): string => path.join(tmp, name);

  for (const phones of [2_000, 20_000]) {
    it(`loads ${phones} phones sharing one .cfg and builds their World`, () => {
      const { file } = writeFleetScenario(dir(`fleet-${phones}`), phones);
      const scenario = loadScenario(file);
      expect(scenario.phones).to.have.length(phones);
      expect(scenario.events).to.have.length(phones);
      expect(scenario.expectations).to.have.length(phones);
      const last = scenario.phones[phones - 1]!;
      expect(last).to.include({ name: `p${phones - 1}`, address: fleetAddress(phones - 1) });
      expect(last.config.accounts[0]!.servers.map((s) => s.address)).to.deep.equal(['10.0.0.1', '10.0.0.2']);
      // The last expectation still names its own line: 4 header lines, the phones, 3 of servers, `events:`, the events, `expect:`.
      expect(scenario.expectations[phones - 1]!.line).to.equal(4 + phones + 3 + 1 + phones + 1 + phones);
      const world = new World(scenario, scenario.seed, defaultModel(scenario));
      expect(world.hosts).to.have.length(phones + 2);
      expect(world.hosts.slice(-3).map((h) => h.name)).to.deep.equal([`p${phones - 1}`, 'sip1', 'sip2']);
    });
  }

  it('reports a phone key repeated at the end of 20,000 phones on its own line (exit 2)', () => {
    const { file, duplicateLine } = writeFleetScenario(dir('dup'), 20_000, { duplicateAtEnd: true });
    const r = runCli(['run', file, '--quiet'], { timeoutMs: 60_000 });
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.equal(`sipsim: ${file}:${duplicateLine}: malformed YAML: Map keys must be unique`);
  });

  it('reports a .cfg file that 2,000 phones share and cannot be read on the first phone that names it', () => {
    const { file } = writeFleetScenario(dir('missing'), 2_000);
    fs.rmSync(path.join(dir('missing'), 'phones', 'fleet.cfg'));
    const r = runCli(['run', file, '--quiet'], { timeoutMs: 60_000 });
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.equal(`sipsim: ${file}:5: phones.p0.config[1]: phones/fleet.cfg: cannot read the file (ENOENT)`);
  });

  it('reports a bad value in a .cfg file that 2,000 phones share at its line in that file', () => {
    const { file } = writeFleetScenario(dir('bad-value'), 2_000);
    const cfg = path.join(dir('bad-value'), 'phones', 'fleet.cfg');
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('sip_server.1.port = 5060', 'sip_server.1.port = 99999'));
    const r = runCli(['run', file, '--quiet'], { timeoutMs: 60_000 });
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.match(new RegExp(`^sipsim: ${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8: account\\.1\\.sip_server\\.1\\.port: `));
  });

  it('loads a compact fleet of 100,000 phones with a {i} user name and builds its World', () => {
    const scenario = loadScenario(writeCompactFleetScenario(dir('compact-100k'), 100_000));
    expect(scenario.phones).to.have.length(100_000);
    expect(scenario.fleets[0]).to.include({ name: 'office', count: 100_000, firstAddress: '10.1.0.1', lastAddress: '10.2.134.160' });
    expect(scenario.phones[99_999]).to.include({ name: 'office[100000]', address: '10.2.134.160', fleet: 'office' });
    expect(scenario.phones[99_999]!.config.accounts[0]!.userName).to.equal('2100000');
    // One boot event for all of them; the default event guard counts every phone.
    expect(scenario.events).to.have.length(1);
    expect(scenario.maxEvents).to.equal(100_002 * 300 * 100);
    const world = new World(scenario, scenario.seed, defaultModel(scenario));
    expect(world.hosts).to.have.length(100_002);
    expect(world.fleets.get('office')).to.have.length(100_000);
    expect(world.phones.get('office[100000]')!.config.accounts[0]!.userName).to.equal('2100000');
  });

  it('builds the World of 150,000 phones (the ladder columns used to overflow the stack)', () => {
    const { file } = writeFleetScenario(dir('one'), 1);
    const one = loadScenario(file);
    const spec = one.phones[0]!;
    const phones = Array.from({ length: 150_000 }, (_, i) => ({ ...spec, name: `p${i}`, address: fleetAddress(i) }));
    const scenario = { ...one, phones, events: [], expectations: [] };
    const world = new World(scenario, 1, defaultModel(scenario));
    expect(world.hosts).to.have.length(150_002);
    expect(world.hosts[149_999]).to.deep.equal({ name: 'p149999', ip: fleetAddress(149_999), role: 'phone' });
    expect(world.hosts.slice(-2).map((h) => h.role)).to.deep.equal(['server', 'server']);
  });
});
