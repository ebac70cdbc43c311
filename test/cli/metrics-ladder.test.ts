import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { runCli } from '../helpers/run-cli.js';

/** The CLI's --metrics and --ladder flags on a 50-phone fleet (52 hosts: past the 40 a default ladder shows in full). */
describe('CLI: --metrics and --ladder', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-metrics-ladder-'));
    file = writeCompactFleetScenario(dir, 50, { duration: '1m', expect: ['  - { by: 30s, registered: { fleet: office, on: sip1, share: 100% } }'] });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The ladder's column header: the host names in order. */
  const columns = (stdout: string): string[] => {
    const header = stdout.split('\n').find((l) => /^ +time /.test(l));
    expect(header, 'the ladder header').to.be.a('string');
    return header!.trim().split(/\s+/).slice(1); // after "time"
  };

  it('--metrics with an extension other than .csv or .json exits 2 and writes nothing', () => {
    const out = path.join(dir, 'metrics.txt');
    const r = runCli(['run', file, '--quiet', '--metrics', out]);
    expect(r.code, r.stdout).to.equal(2);
    expect(r.stderr).to.contain(`sipsim: ${out}: --metrics: expected a file name ending in .csv or .json (the format follows the extension)`);
    expect(r.stderr).not.to.match(/\n\s+at /);
    expect(fs.existsSync(out)).to.equal(false);
  });

  it('--metrics F.csv and F.json on a fleet without capacity: the header and one row per second', () => {
    const csv = path.join(dir, 'm.csv');
    expect(runCli(['run', file, '--quiet', '--metrics', csv]).code).to.equal(0);
    const rows = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(rows[0]).to.equal('t,sip1.arrived,sip1.answered,sip1.shed,sip1.queue,sip1.bindings,sip2.arrived,sip2.answered,sip2.shed,sip2.queue,sip2.bindings,office.registered,office.on.sip1,office.on.sip2');
    expect(rows).to.have.length(61);
    // Every phone registers with sip1 and sip2 (concurrent fallback) within the first second.
    expect(rows[1]).to.equal('0,50,50,0,0,50,50,50,0,0,50,50,50,50');
    const json = path.join(dir, 'm.json');
    expect(runCli(['run', file, '--quiet', '--metrics', json]).code).to.equal(0);
    const m = JSON.parse(fs.readFileSync(json, 'utf8')) as { seconds: number; servers: { name: string }[]; fleets: { name: string; count: number }[] };
    expect(m.seconds).to.equal(60);
    expect(m.servers.map((s) => s.name)).to.deep.equal(['sip1', 'sip2']);
    expect(m.fleets.map((f) => [f.name, f.count])).to.deep.equal([['office', 50]]);
  });

  it('past 40 hosts the default ladder shows the servers, DNS and the first 8 phones, and says how to pick others', () => {
    const r = runCli(['run', file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(columns(r.stdout)).to.deep.equal([...Array.from({ length: 8 }, (_, i) => `office[${i + 1}]`), 'sip1', 'sip2']);
    expect(r.stdout).to.contain('(ladder of 10 of 52 hosts: the servers, DNS and the first 8 of 50 phones; pick others with --ladder HOST,HOST…)');
    expect(r.stdout).not.to.contain('office[9] ');
  });

  it('--ladder HOST,… shows exactly those hosts, in the scenario\'s order', () => {
    const r = runCli(['run', file, '--ladder', 'sip2,office[17],office[3]']);
    expect(r.code, r.stderr).to.equal(0);
    expect(columns(r.stdout)).to.deep.equal(['office[3]', 'office[17]', 'sip2']);
    expect(r.stdout).not.to.contain('pick others with --ladder');
    expect(r.stdout).to.match(/office\[17\]: registration on sip1: registering → registered/);
  });

  it('--ladder with an unknown host exits 2 with a did-you-mean', () => {
    const r = runCli(['run', file, '--ladder', 'sip1,sipp2']);
    expect(r.code, r.stdout).to.equal(2);
    expect(r.stderr).to.contain(`${file} has no host "sipp2"`);
    expect(r.stderr).to.contain("did you mean 'sip2'?");
    const out = runCli(['run', file, '--ladder', 'office[51]']);
    expect(out.code).to.equal(2);
    expect(out.stderr).to.contain('has no host "office[51]"');
  });
});
