import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { fleetOf } from '../../sim/scenario/fleet.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { defaultModel, World } from '../../sim/scenario/world.js';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';

/**
 * `fleets:` declares many phones at once: office[1] … office[N] on consecutive addresses,
 * sharing their .cfg files, with per-phone settings from {i}. Each phone is an ordinary phone
 * of the model: events, links and expectations name it like any other.
 */
describe('fleets: many phones declared once', function () {
  this.timeout(60_000);
  let tmp: string;
  let n = 0;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fleets-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const fresh = (): string => path.join(tmp, `s${n++}`);

  it('names the phones office[1..N], on consecutive addresses carrying into the next octet', () => {
    const s = loadScenario(writeCompactFleetScenario(fresh(), 600, { addresses: '10.1.0.250' }));
    expect(s.phones).to.have.length(600);
    expect(s.phones.slice(0, 8).map((p) => `${p.name} ${p.address}`)).to.deep.equal([
      'office[1] 10.1.0.250', 'office[2] 10.1.0.251', 'office[3] 10.1.0.252', 'office[4] 10.1.0.253',
      'office[5] 10.1.0.254', 'office[6] 10.1.0.255', 'office[7] 10.1.1.0', 'office[8] 10.1.1.1',
    ]);
    expect(s.phones[599]).to.include({ name: 'office[600]', address: '10.1.3.81', fleet: 'office' });
    expect(s.fleets).to.deep.equal([{ name: 'office', count: 600, firstAddress: '10.1.0.250', lastAddress: '10.1.3.81', line: 5, offset: 0 }]);
    expect(fleetOf(s, 'office[600]')?.name).to.equal('office');
    expect(fleetOf(s, 'office[601]')).to.equal(undefined);
    expect(fleetOf(s, 'sip1')).to.equal(undefined);
  });

  it('carries across a /16 boundary (10.1.255.255 → 10.2.0.0)', () => {
    const s = loadScenario(writeCompactFleetScenario(fresh(), 3, { addresses: '10.1.255.254' }));
    expect(s.phones.map((p) => p.address)).to.deep.equal(['10.1.255.254', '10.1.255.255', '10.2.0.0']);
  });

  it('fills {i} and {i:05} per phone, and leaves the shared keys to the .cfg files', () => {
    const s = loadScenario(writeCompactFleetScenario(fresh(), 1200, {
      settings: { 'account.1.user_name': '2{i:05}', 'account.1.display_name': 'Desk {i}', 'sip.timer_t1': '1' },
    }));
    const [p1, p17, last] = [s.phones[0]!, s.phones[16]!, s.phones[1199]!];
    expect(p1.config.accounts[0]).to.include({ userName: '200001', displayName: 'Desk 1' });
    expect(p17.config.accounts[0]).to.include({ userName: '200017', displayName: 'Desk 17' });
    expect(last.config.accounts[0]).to.include({ userName: '201200', displayName: 'Desk 1200' });
    // The rest comes from the files, shared: the servers list is one array for every phone.
    expect(p17.config.accounts[0]!.servers.map((x) => x.address)).to.deep.equal(['10.0.0.1', '10.0.0.2']);
    expect(p17.config.accounts[0]!.servers).to.equal(p1.config.accounts[0]!.servers);
    expect(p17.config.timers.t1).to.equal(1_000_000);
    // explain and warnings read entries: each phone's own value, on the settings line.
    expect(p17.config.entries.get('account.1.user_name')).to.deep.include({ value: '200017', line: 10 });
    expect(p17.config.entries.get('account.1.sip_server.1.address')?.value).to.equal('10.0.0.1');
    expect([...p17.config.entries.keys()]).to.include.members(['account.1.user_name', 'account.1.display_name', 'sip.timer_t1']);
  });

  it('a templated key the fast path does not patch (a port) is still applied per phone', () => {
    const s = loadScenario(writeCompactFleetScenario(fresh(), 30, { settings: { 'account.1.sip_server.2.port': '50{i:02}' } }));
    expect(s.phones.map((p) => p.config.accounts[0]!.servers[1]!.port).slice(0, 3)).to.deep.equal([5001, 5002, 5003]);
    expect(s.phones[29]!.config.accounts[0]!.servers[1]!.port).to.equal(5030);
  });

  it('shares one config object between the phones when no setting has {i}', () => {
    const s = loadScenario(writeCompactFleetScenario(fresh(), 50, { settings: { 'account.1.user_name': '1001' } }));
    expect(new Set(s.phones.map((p) => p.config)).size).to.equal(1);
    expect(s.phones[49]!.config.accounts[0]!.userName).to.equal('1001');
  });

  it('boots the whole fleet with one scenario.action record; each phone registers after its own surge wait', () => {
    const file = writeCompactFleetScenario(fresh(), 200, { settings: { 'account.1.user_name': '2{i:05}', 'sip.reg_surge_prevention': '20' } });
    const r = runRecorded(loadScenario(file));
    const actions = r.records.filter((e) => e.kind === 'scenario.action');
    expect(actions.map((a) => a.kind === 'scenario.action' && a.detail)).to.deep.equal(['boot office']);
    const firstRegister = new Map<string, number>();
    for (const e of r.records) if (e.kind === 'net.send' && e.label.startsWith('REGISTER') && !firstRegister.has(e.from)) firstRegister.set(e.from, e.t);
    expect(firstRegister.size).to.equal(200);
    const times = [...firstRegister.values()];
    expect(Math.max(...times)).to.be.at.most(20_000_000);
    // Spread over the window, not all at once.
    expect(new Set(times.map((t) => Math.floor(t / 1_000_000))).size).to.be.greaterThan(15);
    expect(r.verdicts.every((v) => v.pass)).to.equal(true);
  });

  it('accepts office[17] in events, links and expectations, and office in partition/heal', () => {
    const file = writeCompactFleetScenario(fresh(), 40, {
      events: [
        '{ at: 1m, call: { from: "office[17]", to: "2000", duration: 5s } }',
        '{ at: 2m, partition: [office, sip1] }',
        '{ at: 2m30s, heal: [office, sip1] }',
        '{ at: 3m, fail: "office[3]", mode: silent }',
      ],
      expect: [
        '  - { by: 1m2s, call: { from: "office[17]", outcome: answered, via: sip1 } }',
        '  - { at: 1m, tolerance: 1ms, sends: { from: "office[17]", to: sip1, method: INVITE } }',
        '  - { during: [1m, 2m], registered: { phone: "office[40]", on: sip1 } }',
      ],
    });
    const s = loadScenario(file);
    expect(s.events.map((e) => e.action.type)).to.deep.equal(['boot', 'call', 'partition', 'heal', 'fail']);
    const r = runRecorded(s);
    expect(r.verdicts.map((v) => v.pass)).to.deep.equal([true, true, true]);
    // The partition cut every phone from sip1: any packet between them in [2m, 2m30s) is dropped.
    const cut = r.records.filter((e) => e.kind === 'net.drop' && e.reason === 'partition');
    const between = r.records.filter((e) => (e.kind === 'net.deliver') && e.t >= 120_000_000 && e.t < 150_000_000 && [e.from, e.to].includes('sip1') && /^office\[/.test(e.from + e.to));
    expect(between).to.deep.equal([]);
    expect(cut.every((e) => e.kind === 'net.drop' && e.t >= 120_000_000 && e.t < 150_000_000)).to.equal(true);
  });

  it('warns once for a whole fleet, naming it, not once per phone', () => {
    const dir = fresh();
    const file = writeCompactFleetScenario(dir, 300, { settings: { 'account.1.user_name': '2{i:05}', 'account.1.sip_server.2.address': '10.0.0.9', 'account.1.foo': '1' } });
    const warnings = loadScenario(file).warnings.map((w) => `${w.line}: ${w.message}`);
    expect(warnings).to.deep.equal([
      "12: account.1.foo: key not modelled by sipsim (ignored) (phones all 300 of fleet office)",
      '11: account.1.sip_server.2.address: 10.0.0.9 is the address of no host in the scenario (sip1 10.0.0.1, sip2 10.0.0.2, office 10.1.0.1–10.1.1.44): requests to it go unanswered (all 300 phones of fleet office)',
    ]);
  });

  it('links: { between: [office, sip2] } sets the link of every phone of the fleet', () => {
    const dir = fresh();
    const file = writeCompactFleetScenario(dir, 10, {});
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('events:', 'network:\n  links:\n    - { between: [office, sip2], delay: 150ms }\nevents:'));
    const s = loadScenario(file);
    const w = new World(s, 1, defaultModel(s));
    expect(w.network.links.get('office[10]', 'sip2').delay).to.equal(150_000);
    expect(w.network.links.get('office[1]', 'sip1').delay).to.equal(20_000);
  });
});

describe('fleets: calls: Poisson arrivals', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-calls-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const callsRun = (dir: string, event: string, duration = '20m', seed?: number): TraceEvent[] => {
    const file = writeCompactFleetScenario(path.join(tmp, dir), 100, { duration, events: [event] });
    const s = loadScenario(file);
    return runRecorded(s, seed !== undefined ? { seed } : {}).records;
  };
  const placed = (records: TraceEvent[]) => records.filter((e) => e.kind === 'call.state' && e.from === 'idle');

  it('places calls at the mean rate (within 4 standard deviations) from phones of the fleet, only in [at, at + for)', () => {
    const records = callsRun('rate', '{ at: 1m, calls: { from: office, rate: 120/min, for: 15m, to: "2000", duration: 10s } }');
    const calls = placed(records);
    // 2/s over 900 s: mean 1800, standard deviation √1800 ≈ 42.
    expect(calls.length).to.be.within(1800 - 170, 1800 + 170);
    expect(calls.every((e) => e.t >= 60_000_000 && e.t < 960_000_000)).to.equal(true);
    const phones = new Set(calls.map((e) => e.kind === 'call.state' && e.phone));
    expect([...phones].every((p) => /^office\[([1-9]\d?|100)\]$/.test(String(p)))).to.equal(true);
    expect(phones.size).to.be.greaterThan(90); // 1800 picks out of 100 phones leave none out, all but surely
    expect(records.filter((e) => e.kind === 'scenario.action').map((e) => e.kind === 'scenario.action' && e.detail))
      .to.deep.equal(['boot office', 'calls office → 2000: 2/s for 15m (Poisson arrivals), 10s each']);
    // Each arrival is named in its call's first state change; gaps are exponential: about as many short as the mean says.
    expect(calls.map((e) => e.kind === 'call.state' && e.reason.match(/arrival (\d+)/)?.[1]).slice(0, 3)).to.deep.equal(['1', '2', '3']);
    const gaps = calls.slice(1).map((e, i) => e.t - calls[i]!.t);
    const short = gaps.filter((g) => g < 500_000).length / gaps.length; // P(gap < mean) = 1 − 1/e ≈ 0.632
    expect(short).to.be.within(0.58, 0.68);
  });

  it('is deterministic for a seed and changes with it', () => {
    const event = '{ at: 10s, calls: { from: office, rate: 1/s, for: 1m, to: "2000", duration: 5s } }';
    const key = (r: TraceEvent[]) => placed(r).map((e) => `${e.t} ${e.kind === 'call.state' && e.phone}`).join('\n');
    const a = key(callsRun('d1', event, '3m', 5));
    expect(a).to.equal(key(callsRun('d2', event, '3m', 5)));
    expect(a).to.not.equal(key(callsRun('d3', event, '3m', 6)));
  });

  it('places a call on a phone already in one, and says so in the reason', () => {
    // 1 phone, long calls: every arrival after the first finds the phone busy.
    const file = writeCompactFleetScenario(path.join(tmp, 'busy'), 1, { duration: '3m', events: ['{ at: 10s, calls: { from: office, rate: 1/s, for: 10s, to: "2000", duration: 1m } }'] });
    const calls = placed(runRecorded(loadScenario(file)).records);
    expect(calls.length).to.be.greaterThan(2);
    expect(calls[0]!.kind === 'call.state' && calls[0]!.reason).to.equal('call placed (calls office: arrival 1)');
    expect(calls[2]!.kind === 'call.state' && calls[2]!.reason).to.equal('call placed (calls office: arrival 3; 2 other calls in progress)');
  });
});
