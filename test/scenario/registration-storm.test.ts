import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliResult, runCli } from '../helpers/run-cli.js';

/**
 * Scenario 27 (20,000 phones, sip1 silent 2m–12m, 22 min): the figures QA reads off the storm, pinned —
 * the run is deterministic, so each is exact. Two runs through the CLI: one with --metrics F.csv
 * and no trace, one with --metrics F.json and the JSONL trace streamed to a file; their verdicts
 * and every per-second series must be identical (determinism, and JSONL on/off changes nothing).
 */

const ID = '27-registration-storm';

interface MetricsJson {
  seconds: number;
  servers: { name: string; arrived: number[]; answered: number[]; shed: number[]; queue: number[]; bindings: number[] }[];
  fleets: {
    name: string;
    count: number;
    registered: number[];
    on: Record<string, number[]>;
    afterEvents: { t: number; event: string; target: string; reached: Record<string, number | null> }[];
    gap: { count: number; p95: number };
  }[];
}

const sum = (a: number[]): number => a.reduce((n, v) => n + v, 0);
const verdictLines = (stdout: string): string[] => stdout.split('\n').filter((l) => /^ {4}(PASS|FAIL) |^ {9}seen/.test(l));

describe(`${ID}: the storm's figures in the summary and in --metrics`, function () {
  this.timeout(480_000);
  let tmp: string;
  let csvRun: CliResult;
  let jsonRun: CliResult;
  let csv: string[][];
  let json: MetricsJson;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-storm-'));
    csvRun = runCli(['run', `scenarios/${ID}.yaml`, '--quiet', '--metrics', path.join(tmp, 'm.csv')], { timeoutMs: 230_000 });
    jsonRun = runCli(['run', `scenarios/${ID}.yaml`, '--quiet', '--metrics', path.join(tmp, 'm.json'), '--json', path.join(tmp, 'trace.jsonl')], { timeoutMs: 230_000 });
    csv = fs.readFileSync(path.join(tmp, 'm.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
    json = JSON.parse(fs.readFileSync(path.join(tmp, 'm.json'), 'utf8')) as MetricsJson;
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A CSV column by its header name. */
  const column = (name: string): number[] => {
    const k = csv[0]!.indexOf(name);
    expect(k, `CSV column ${name}`).to.be.at.least(0);
    return csv.slice(1).map((row) => Number(row[k]));
  };
  const server = (name: string) => json.servers.find((s) => s.name === name)!;

  it('passes every expectation, with no error', () => {
    for (const r of [csvRun, jsonRun]) {
      expect(r.stderr).to.equal('');
      expect(r.code, r.stdout).to.equal(0);
      expect(r.stdout).to.contain('1 scenario: 11 passed, 0 failed');
    }
  });

  // The return to sip1 (AMB-07 dnsTtlSource = aRecord, ★): at each phone's first renewal after sip2's A
  // record ran out, 9 min after registering with sip2 — as spread as the failover, so sip1's peak stays the boot's.
  it('the summary shows the shed requests, the peak queue and the time until 99 % are back on sip1', () => {
    const s = csvRun.stdout;
    expect(s).to.contain('  server sip2: 83006 requests arrived (peak 899/s at 10m34s), 83006 final responses, 36936 shed, peak queue 300 at 9m11s, 0 bindings at end');
    expect(s).to.contain('  server sip1: 40000 requests arrived (peak 364/s at 56s), 40000 final responses, peak queue 22 at 45s, 20000 bindings at end');
    expect(s).to.contain('    after recover sip1 at 12m: on sip1 50% +7m30.035s, 95% +8m51.488s, 99% +8m57.771s, 100% +8m58.437s (lowest 0%)');
    expect(s).to.contain('    unregistered gaps: 12929, p50 1m23.561s, p95 2m18.147s, p99 2m45.172s, max 2m46.189s');
    expect(s).to.contain('         seen: 99% of office registered on sip1 at 20m57.771s');
  });

  it('--metrics F.csv: a header row, one row per second, the same shed total, peak queue and return to sip1', () => {
    expect(csv[0]!.slice(0, 6)).to.deep.equal(['t', 'sip1.arrived', 'sip1.answered', 'sip1.shed', 'sip1.queue', 'sip1.bindings']);
    expect(csv[0]).to.include.members(['sip2.shed', 'sip2.queue', 'office.registered', 'office.on.sip1', 'office.on.sip2']);
    expect(csv).to.have.length(22 * 60 + 1);
    expect(column('t').slice(0, 3)).to.deep.equal([0, 1, 2]);
    expect(sum(column('sip2.shed'))).to.equal(36936);
    expect(sum(column('sip1.shed'))).to.equal(0);
    const q = column('sip2.queue');
    expect(Math.max(...q)).to.equal(300);
    expect(q.indexOf(300), 'first second at the peak queue').to.equal(9 * 60 + 11);
    // 99 % of 20,000 = 19,800 on sip1 again: first in the second 20m57s (the level at its end).
    const on1 = column('office.on.sip1');
    const back = on1.findIndex((n, k) => k >= 12 * 60 && n >= 19_800);
    expect(back).to.equal(20 * 60 + 57);
    expect(on1[11 * 60]).to.equal(0);
    expect(on1[on1.length - 1]).to.equal(20_000);
  });

  it('--metrics F.json: servers[].shed and queue, and the recovery instants of afterEvents', () => {
    expect(json.seconds).to.equal(1320);
    expect(sum(server('sip2').shed)).to.equal(36936);
    expect(Math.max(...server('sip2').queue)).to.equal(300);
    expect(Math.max(...server('sip2').arrived)).to.equal(899);
    expect(Math.max(...server('sip1').queue)).to.equal(22);
    const office = json.fleets.find((f) => f.name === 'office')!;
    expect(office.count).to.equal(20_000);
    const recovery = office.afterEvents.find((a) => a.event === 'recover sip1' && a.target === 'sip1')!;
    expect(recovery.t).to.equal(720);
    expect(recovery.reached).to.deep.equal({ 50: 450.035165, 95: 531.488245, 99: 537.770631, 100: 538.437297 });
    expect(office.gap.count).to.equal(12929);
    expect(office.gap.p95).to.be.closeTo(138.147, 0.0005); // the summary's 2m18.147s
  });

  it('determinism: two runs, JSONL off and on, give identical verdicts and identical series', () => {
    expect(fs.statSync(path.join(tmp, 'trace.jsonl')).size, 'the JSONL was written').to.be.greaterThan(1_000_000);
    expect(verdictLines(jsonRun.stdout)).to.deep.equal(verdictLines(csvRun.stdout));
    expect(jsonRun.stdout).to.equal(csvRun.stdout);
    for (const s of json.servers) {
      for (const k of ['arrived', 'answered', 'shed', 'queue', 'bindings'] as const) expect(column(`${s.name}.${k}`), `${s.name}.${k}`).to.deep.equal(s[k]);
    }
    for (const f of json.fleets) {
      expect(column(`${f.name}.registered`)).to.deep.equal(f.registered);
      for (const [srv, series] of Object.entries(f.on)) expect(column(`${f.name}.on.${srv}`)).to.deep.equal(series);
    }
  });
});
