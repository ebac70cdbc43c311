import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../sim/core/input-error.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';

/** Every mistake in a fleet names file:line: key and what was expected, as the rest of the format does. */
describe('fleets: input errors', function () {
  this.timeout(30_000);
  let tmp: string;
  let n = 0;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fleet-errors-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** The compact office fleet of 20 phones with `edit` applied to its text; the load's error message. */
  const errorOf = (edit: (yaml: string) => string, count = 20): { file: string; message: string } => {
    const file = writeCompactFleetScenario(path.join(tmp, `e${n++}`), count);
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
    try {
      loadScenario(file);
    } catch (e) {
      if (e instanceof InputError) return { file, message: e.message };
      throw e;
    }
    throw new Error('expected an InputError');
  };
  const withEvent = (event: string) => (y: string): string => y.replace('  - { at: 0s, boot: office }', `  - { at: 0s, boot: office }\n  - ${event}`);

  it('count: a positive integer, at most 2,000,000', () => {
    for (const bad of ['0', '-3', '2.5', '"many"']) {
      const { file, message } = errorOf((y) => y.replace('count: 20', `count: ${bad}`));
      expect(message).to.equal(`${file}:6: fleets.office.count: expected the number of phones, a positive integer`);
    }
    const { file, message } = errorOf((y) => y.replace('count: 20', 'count: 2000001'));
    expect(message).to.equal(`${file}:6: fleets.office.count: at most 2,000,000 phones in one fleet (split a bigger one into several fleets)`);
  });

  it('addresses: IPv4, and not past 255.255.255.255', () => {
    let r = errorOf((y) => y.replace('addresses: 10.1.0.1', 'addresses: 10.1.0'));
    expect(r.message).to.equal(`${r.file}:7: fleets.office.addresses: expected an IPv4 address, e.g. "10.0.0.1"`);
    r = errorOf((y) => y.replace('addresses: 10.1.0.1', 'addresses: 255.255.255.250'));
    expect(r.message).to.equal(`${r.file}:7: fleets.office.addresses: 20 consecutive addresses from 255.255.255.250 run past 255.255.255.255 (the last would be address number 14 beyond it): start lower or use fewer phones`);
  });

  it('addresses overlapping a server, a phone or another fleet', () => {
    let r = errorOf((y) => y.replace('addresses: 10.1.0.1', 'addresses: 10.0.0.0'));
    expect(r.message).to.equal(`${r.file}:7: fleets.office.addresses: the fleet's addresses 10.0.0.0–10.0.0.19 include 10.0.0.1, the address of sip1`);
    r = errorOf((y) => y.replace('servers:', 'phones:\n  alice: { address: 10.1.0.20 }\nservers:'));
    expect(r.message).to.equal(`${r.file}:7: fleets.office.addresses: the fleet's addresses 10.1.0.1–10.1.0.20 include 10.1.0.20, the address of alice`);
    r = errorOf((y) => y.replace('servers:', '  lab: { count: 5, addresses: 10.1.0.18 }\nservers:'));
    expect(r.message).to.equal(`${r.file}:11: fleets.lab.addresses: the fleet's addresses 10.1.0.18–10.1.0.22 overlap fleet office's 10.1.0.1–10.1.0.20`);
  });

  it('a fleet name colliding with a phone or server', () => {
    let r = errorOf((y) => y.replace('  office:', '  sip1:').replace(/boot: office/, 'boot: sip1'));
    expect(r.message).to.equal(`${r.file}:5: fleets.sip1: the name "sip1" is already used by a phone or server (a fleet's name prefixes its phones' names: sip1[1], sip1[2]…)`);
    r = errorOf((y) => y.replace('servers:', 'phones:\n  office[3]: { address: 10.9.0.1 }\nservers:'));
    expect(r.message).to.equal(`${r.file}:5: fleets.office: the phone "office[3]" has a name of this fleet's form office[N]: rename one of them`);
  });

  it('bad {i…} placeholders, at the settings line', () => {
    for (const bad of ['2{i:5}', '2{j}{i:x}', '2{i', '{i:00}']) {
      const { file, message } = errorOf((y) => y.replace('"2{i:05}"', JSON.stringify(bad)));
      expect(message).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10: fleets\\.office\\.settings\\.account\\.1\\.user_name: bad placeholder "\\{i[^"]*" in "[^"]+": expected \\{i\\} \\(the phone's index\\) or \\{i:0N\\}`));
    }
  });

  it('a per-phone value out of range names the phone', () => {
    const { file, message } = errorOf((y) => y.replace('account.1.user_name: "2{i:05}"', 'account.1.sip_server.1.port: "6553{i}"'));
    expect(message).to.equal(`${file}:10: account.1.sip_server.1.port: expected an integer from 0 to 65535, found "65536" (phone office[6])`);
  });

  it('bad call rates and durations in calls:', () => {
    for (const bad of ['2', '2/day', '0/s', '"fast"']) {
      const { file, message } = errorOf(withEvent(`{ at: 1m, calls: { from: office, rate: ${bad}, for: 1m, to: "2000" } }`));
      expect(message).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:16: events\\[1\\]\\.calls\\.rate: expected (a|a positive) call rate`));
    }
    const { file, message } = errorOf(withEvent('{ at: 1m, calls: { from: office, rate: 2/s, to: "2000" } }'));
    expect(message).to.equal(`${file}:16: events[1].calls.for: missing: expected a duration with a unit, e.g. "10m"`);
  });

  it('phone names out of range, misspelled, or a whole fleet where one phone is meant', () => {
    let r = errorOf(withEvent('{ at: 1m, call: { from: "office[21]", to: "2000" } }'));
    expect(r.message).to.equal(`${r.file}:16: events[1].call.from: fleet office has phones office[1] … office[20]: "office[21]" is outside that range`);
    r = errorOf(withEvent('{ at: 1m, call: { from: "office[0]", to: "2000" } }'));
    expect(r.message).to.contain('office[1] … office[20]: "office[0]" is outside that range');
    r = errorOf(withEvent('{ at: 1m, call: { from: "ofice[3]", to: "2000" } }'));
    expect(r.message).to.equal(`${r.file}:16: events[1].call.from: unknown phone "ofice[3]": expected one of office[1…20] — did you mean 'office[3]'?`);
    r = errorOf(withEvent('{ at: 1m, calls: { from: ofice, rate: 1/s, for: 1m, to: "2000" } }'));
    expect(r.message).to.equal(`${r.file}:16: events[1].calls.from: unknown phone "ofice": expected one of office[1…20] (or office) — did you mean 'office'?`);
    r = errorOf(withEvent('{ at: 1m, fail: office, mode: silent }'));
    expect(r.message).to.equal(`${r.file}:16: events[1].fail: "office" is a fleet, and this takes one host: name one of its phones, office[1] … office[20]`);
    r = errorOf(withEvent('{ at: 1m, call: { from: "office[03]", to: "2000" } }'));
    expect(r.message).to.equal(`${r.file}:16: events[1].call.from: write the phone's index without leading zeros: office[3]`);
    r = errorOf((y) => y.replace('on: sip1 } }', 'on: "office[2]" } }').replace('phone: "office[20]"', 'phone: "office[99]"'));
    expect(r.message).to.equal(`${r.file}:17: expect[0].registered.phone: fleet office has phones office[1] … office[20]: "office[99]" is outside that range`);
  });

  it('link/partition with a fleet on both sides is refused (it would be phones × phones pairs)', () => {
    const r = errorOf((y) => withEvent('{ at: 1m, partition: [office, lab] }')(y.replace('servers:', '  lab: { count: 5, addresses: 10.2.0.1 }\nservers:')));
    expect(r.message).to.equal(`${r.file}:17: events[1].partition: both sides are fleets (office, lab): at most one side may be a whole fleet; name a host or one phone (lab[1]) on the other`);
  });

  it('an unquoted fleet phone inside { } gets a hint to quote it', () => {
    const r = errorOf(withEvent('{ at: 1m, call: { from: office[3], to: "2000" } }'));
    expect(r.message).to.equal(`${r.file}:16: malformed YAML: Unexpected flow-seq-start at node end — inside { } or [ ], a fleet phone's name needs quotes: "office[3]"`);
  });

  it('a scenario with neither phones: nor fleets: says so', () => {
    const r = errorOf((y) => y.replace(/fleets:[\s\S]*?servers:/, 'servers:').replace(/events:[\s\S]*/, ''));
    expect(r.message).to.equal(`${r.file}:1: phones: missing: expected a map of phone name → { address, config } (or fleets: of many phones)`);
  });
});
