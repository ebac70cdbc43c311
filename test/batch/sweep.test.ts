import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAxis, parseSeeds, parseShard, shardRuns, combinations } from '../../sim/batch/plan.js';
import { runRow } from '../../sim/batch/row.js';
import { applySettings } from '../../sim/batch/settings.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * `sipsim sweep` and `sipsim merge`: a scenario over seeds × --set values, its rows and
 * aggregates, the same bytes whatever the thread count or sharding, and replay commands that
 * reproduce a failing seed. Small seed ranges: each CLI sweep takes a second or two.
 */
const LOSSY = 'scenarios/07-lossy-link.yaml';
const SILENT = 'scenarios/02-server1-silent.yaml';
const FILES = ['sweep.json', 'runs.jsonl', 'runs.csv', 'aggregates.csv', 'aggregates.json', 'report.html'];

describe('sweep: plan and settings', function () {
  it('reads seed ranges and shards, and names the flag when they are wrong', () => {
    expect(parseSeeds('1..1000')).to.deep.equal({ first: 1, last: 1000 });
    expect(parseSeeds('7')).to.deep.equal({ first: 7, last: 7 });
    expect(() => parseSeeds('10..1')).to.throw(/^--seeds: the range 10\.\.1 is empty/);
    expect(() => parseSeeds('1-5')).to.throw(/^--seeds: expected a range of integer seeds FIRST\.\.LAST/);
    expect(parseShard('2/3')).to.deep.equal({ k: 2, n: 3 });
    expect(() => parseShard('4/3')).to.throw(/^--shard: expected K\/N with 1 ≤ K ≤ N/);
    expect(() => parseShard('0/3')).to.throw(/^--shard:/);
  });

  it('checks --set keys and every value before anything runs', () => {
    expect(parseAxis('sip.timer_t1=0.5,1', [])).to.deep.equal([{ key: 'sip.timer_t1', values: ['0.5', '1'] }]);
    expect(() => parseAxis('sip.timer_t9=1', [])).to.throw(/^--set: sip\.timer_t9: expected a phone \.cfg key/);
    expect(() => parseAxis('sip.timer_t1=0.5,0.1', [])).to.throw(/^--set: sip\.timer_t1: expected a number from 0\.5 to 10, found "0\.1"/);
    expect(() => parseAxis('model.inviteFailovr=timer-b', [])).to.throw(/unknown model option "inviteFailovr" — did you mean 'inviteFailover'\?/);
    expect(() => parseAxis('model.inviteFailover=timer-c', [])).to.throw(/^--set: model\.inviteFailover: expected one of timer-b/);
    expect(() => parseAxis('network.default.loss=2%,150%', [])).to.throw(/^--set: network\.default\.loss: expected a loss rate/);
    expect(() => parseAxis('network.default.delay=80', [])).to.throw(/expected a duration with a unit/);
    expect(() => parseAxis('sip.timer_t1=1', parseAxis('sip.timer_t1=0.5', []))).to.throw(/set twice/);
  });

  it('splits the runs into shards that are disjoint and together the whole sweep', () => {
    const seeds = { first: 5, last: 21 };
    const all = shardRuns(3, seeds, { k: 1, n: 1 }).flatMap((r) => r.seeds.map((s) => `${r.combo}/${s}`));
    expect(all).to.have.length(51);
    const parts = [1, 2, 3, 4].map((k) => shardRuns(3, seeds, { k, n: 4 }).flatMap((r) => r.seeds.map((s) => `${r.combo}/${s}`)));
    expect(parts.map((p) => p.length)).to.deep.equal([13, 13, 13, 12]);
    expect(parts.flat().sort()).to.deep.equal([...all].sort());
    expect(new Set(parts.flat()).size).to.equal(51);
  });

  it('orders combinations as the cartesian product, first --set slowest', () => {
    const axes = parseAxis('model.inviteFailover=timer-b,retry-counts', parseAxis('sip.timer_t1=0.5,1', []));
    expect(combinations(axes).map((c) => c.label)).to.deep.equal([
      'sip.timer_t1=0.5 model.inviteFailover=timer-b', 'sip.timer_t1=0.5 model.inviteFailover=retry-counts',
      'sip.timer_t1=1 model.inviteFailover=timer-b', 'sip.timer_t1=1 model.inviteFailover=retry-counts',
    ]);
  });

  it('applies a .cfg key to every phone of a fleet (templated settings too), model options and the default link', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-set-'));
    try {
      const s = loadScenario(writeCompactFleetScenario(tmp, 5));
      const t = applySettings(s, [{ key: 'sip.timer_t1', value: '1' }, { key: 'model.inviteFailover', value: 'retry-counts' }, { key: 'network.default.loss', value: '2%' }]);
      expect(t.phones.map((p) => p.config.timers.t1)).to.deep.equal([1e6, 1e6, 1e6, 1e6, 1e6]);
      expect(t.phones.map((p) => p.config.accounts[0]!.userName)).to.deep.equal(['200001', '200002', '200003', '200004', '200005']);
      expect(t.model.inviteFailover).to.equal('retry-counts');
      expect(t.network.default.loss).to.equal(0.02);
      // The loaded scenario is left as it was: a worker derives every combination from one load.
      expect(s.phones[0]!.config.timers.t1).to.equal(500_000);
      expect(s.network.default.loss).to.equal(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('sweep: rows', function () {
  it('measures failover detection from the first fault and the call setup (server 1 silent)', () => {
    const s = loadScenario(SILENT);
    // Fault at 30 s; the call at 1m leaves sip1 when Timer B fires at 1m32s: 62 s after the fault.
    const row = runRow(s, 0, 1);
    expect(row).to.deep.include({ pass: 10, fail: 0, failed: [] });
    expect(row.phones).to.deep.equal([{ phone: 'alice', firstReg: 0.04, detect: 62, gapTotal: 0, gapLongest: 0, failback: null, calls: [{ call: 1, setup: 33.04, outcome: 'answered', via: 'sip2' }] }]);
    // retry-counts: 3 retransmissions then the wait for the 4th (7.5 s): the INVITE leaves at 1m7.5s.
    const quick = runRow(applySettings(s, [{ key: 'model.inviteFailover', value: 'retry-counts' }]), 1, 1);
    expect(quick.phones[0]).to.deep.include({ detect: 37.5 });
    expect(quick.fail).to.be.greaterThan(0);
  });

  it('measures detection and failback when the primary is down at boot (failback modes 0 and 3)', () => {
    // sip1 silent from 0 s: retry_counts gives it up at 7.56 s and the phone tries sip2. Mode 0:
    // the renewal at 4m37.66s registers with sip1 again; mode 3 (durationFailback=oneShot, AMB-09 ★):
    // the failback timeout lapses at 1m7.58s and the next request — that same renewal — goes to
    // sip1; with the periodic REGISTER probe the failback is at 1m7.6s.
    const mode0 = runRow(loadScenario('scenarios/16-failback-mode0-new-requests.yaml'), 0, 1).phones[0]!;
    expect(mode0).to.deep.include({ phone: 'hank', firstReg: 7.58, detect: 7.56, failback: 277.66 });
    const mode3 = runRow(loadScenario('scenarios/19-failback-mode3-duration.yaml'), 0, 1).phones[0]!;
    expect(mode3).to.deep.include({ detect: 7.56, failback: 277.66 });
    const probe = runRow(applySettings(loadScenario('scenarios/19-failback-mode3-duration.yaml'), [{ key: 'model.durationFailback', value: 'periodicRegisterProbe' }]), 0, 1).phones[0]!;
    expect(probe).to.deep.include({ detect: 7.56, failback: 67.6 });
    // No fault in the scenario: nothing to detect.
    expect(runRow(loadScenario('scenarios/01-all-well.yaml'), 0, 1).phones.every((p) => p.detect === null && p.failback === null)).to.equal(true);
  });

  it('gives a fleet its metrics headline numbers', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fleet-row-'));
    try {
      const s = loadScenario(writeCompactFleetScenario(tmp, 20, { events: ['{ at: 10s, calls: { from: office, rate: 1/s, for: 30s, to: "2000", duration: 5s } }'] }));
      const row = runRow(s, 0, 3);
      expect(row.phones).to.deep.equal([]);
      expect(row.fleets).to.have.length(1);
      const f = row.fleets[0]!;
      expect(f).to.include({ fleet: 'office', neverRegistered: 0, failed: 0, busy: 0 });
      expect(f.answered).to.be.greaterThan(10);
      expect(f.setupP50).to.be.within(1, 1.2);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('sweep: command line', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-sweep-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const dir = (name: string) => path.join(tmp, name);
  const read = (d: string, f: string) => fs.readFileSync(path.join(d, f));
  const sweep = (out: string, ...extra: string[]) => runCli(['sweep', LOSSY, '--seeds', '1..30', '--set', 'sip.timer_t1=0.5,1', '--out', out, ...extra], { timeoutMs: 90_000 });

  let jobs1: ReturnType<typeof runCli>;
  before(() => {
    jobs1 = sweep(dir('j1'), '--jobs', '1');
  });

  it('prints the per-combination distributions, writes the files, exits 1 with replay commands for failing seeds', () => {
    expect(jobs1.code, jobs1.stderr).to.equal(1);
    // stderr is no terminal here: no progress bar.
    expect(jobs1.stderr).to.equal('');
    expect(jobs1.stdout).to.match(/^sweep scenarios\/07-lossy-link\.yaml: seeds 1\.\.30, 2 combinations, 60 runs$/m);
    expect(jobs1.stdout).to.match(/^sip\.timer_t1=0\.5: 30 runs, \d+ passed/m);
    expect(jobs1.stdout).to.match(/^ {2}alice\.call1\.setup +30 +\d+\.\d{3} +\d+\.\d{3}/m);
    expect(jobs1.stdout).to.include('sipsim run scenarios/07-lossy-link.yaml --seed 1 --set sip.timer_t1=1');
    for (const f of FILES) expect(fs.existsSync(path.join(dir('j1'), f)), f).to.equal(true);
    const agg = JSON.parse(read(dir('j1'), 'aggregates.json').toString()) as { combinations: { label: string; runs: number; timings: { name: string; stats: { p90: number } | null }[] }[] };
    expect(agg.combinations.map((c) => [c.label, c.runs])).to.deep.equal([['sip.timer_t1=0.5', 30], ['sip.timer_t1=1', 30]]);
    // A lost INVITE is retransmitted after T1: doubling T1 lengthens the setup of the calls that lose one.
    const setup = agg.combinations.map((c) => c.timings.find((t) => t.name === 'alice.call1.setup')!.stats as unknown as { mean: number; p99: number });
    expect(setup[1]!.mean).to.be.greaterThan(setup[0]!.mean);
    expect(setup[1]!.p99).to.be.greaterThan(setup[0]!.p99);
    const rows = read(dir('j1'), 'runs.jsonl').toString().trim().split('\n').map((l) => JSON.parse(l) as { combo: number; seed: number });
    expect(rows.map((r) => `${r.combo}/${r.seed}`)).to.deep.equal([0, 1].flatMap((c) => Array.from({ length: 30 }, (_, i) => `${c}/${i + 1}`)));
    const csv = read(dir('j1'), 'runs.csv').toString().split('\n');
    expect(csv[0]).to.equal('combo,seed,sip.timer_t1,pass,fail,failed_lines,error,alice.first_reg,alice.detect,alice.gap_total,alice.gap_longest,alice.failback,alice.call1.setup,alice.call1.outcome,alice.call1.via');
  });

  it('a printed replay command reproduces the failure it lists', () => {
    const cmd = jobs1.stdout.split('\n').find((l) => l.includes('sipsim run') && l.includes('sip.timer_t1=1'))!.trim();
    const seed = Number(/--seed (\d+)/.exec(cmd)![1]);
    const row = read(dir('j1'), 'runs.jsonl').toString().split('\n').map((l) => (l ? JSON.parse(l) : null) as { combo: number; seed: number; failed: number[] } | null)
      .find((r) => r?.combo === 1 && r.seed === seed)!;
    const replay = runCli(cmd.split(' ').slice(1).concat('--quiet'));
    expect(replay.code).to.equal(1);
    for (const line of row.failed) expect(replay.stdout).to.include(`FAIL scenarios/07-lossy-link.yaml:${line} `);
  });

  it('writes the same bytes with --jobs 1 and --jobs 2', () => {
    const jobs2 = sweep(dir('j2'), '--jobs', '2');
    expect(jobs2.code).to.equal(1);
    expect(jobs2.stdout.replace(dir('j2'), 'D')).to.equal(jobs1.stdout.replace(dir('j1'), 'D'));
    for (const f of FILES) expect(read(dir('j2'), f).equals(read(dir('j1'), f)), f).to.equal(true);
  });

  it('three shards merged give the bytes of the unsharded sweep', () => {
    for (const k of [1, 2, 3]) {
      const r = sweep(dir(`s${k}`), '--shard', `${k}/3`, '--jobs', '1');
      expect(r.code, r.stderr).to.be.oneOf([0, 1]);
      expect(JSON.parse(read(dir(`s${k}`), 'sweep.json').toString()).shard).to.deep.equal({ k, n: 3 });
    }
    const merged = runCli(['merge', dir('s3'), dir('s1'), path.join(dir('s2'), 'runs.jsonl'), '--out', dir('merged')]);
    expect(merged.code, merged.stderr).to.equal(1);
    expect(merged.stdout.replace(dir('merged'), 'D')).to.equal(jobs1.stdout.replace(dir('j1'), 'D'));
    for (const f of FILES) expect(read(dir('merged'), f).equals(read(dir('j1'), f)), f).to.equal(true);
  });

  it('merge refuses a missing or repeated shard and shards of another sweep', () => {
    const missing = runCli(['merge', dir('s1'), dir('s3'), '--out', dir('m2')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.equal('sipsim: merge: shard 2/3 missing: a merge needs every shard\n');
    const twice = runCli(['merge', dir('s1'), dir('s1'), dir('s3'), '--out', dir('m2')]);
    expect(twice.code).to.equal(2);
    expect(twice.stderr).to.match(/shard 1\/3 is given twice/);
    const unsharded = runCli(['merge', dir('s1'), dir('j1'), '--out', dir('m2')]);
    expect(unsharded.code).to.equal(2);
    expect(unsharded.stderr).to.match(/j1: sweep\.json: is shard 1\/1, but .*s1 is one of 3 shards/);
    // Shard 2 of a sweep over other seeds.
    fs.cpSync(dir('s2'), dir('s2-other'), { recursive: true });
    const meta = JSON.parse(read(dir('s2-other'), 'sweep.json').toString()) as { seeds: { last: number } };
    meta.seeds.last = 31;
    fs.writeFileSync(path.join(dir('s2-other'), 'sweep.json'), JSON.stringify(meta));
    const other = runCli(['merge', dir('s1'), dir('s2-other'), dir('s3'), '--out', dir('m2')]);
    expect(other.code).to.equal(2);
    expect(other.stderr).to.match(/s2-other: sweep\.json: is not a shard of the same sweep as .*s1 \(scenario file, seeds and --set values must be the same\)/);
    expect(fs.existsSync(dir('m2'))).to.equal(false);
  });

  it('writes a self-contained page: a CDF per timing and combination, escaped text', () => {
    const html = read(dir('j1'), 'report.html').toString();
    expect(html).to.not.match(/<script|<link|src=|href=/);
    expect(html).to.include('<h2>alice.call1.setup (s)</h2>');
    const charts = html.match(/<svg /g) ?? [];
    expect(charts.length).to.equal(4); // first_reg, gap_total, gap_longest, call1.setup (detect and failback never happened)
    expect((html.match(/<path d="M/g) ?? []).length).to.equal(8); // two combinations on each
    expect(html).to.include('Lossy link (30 % loss) — retransmissions rescue the call on server 1');
    const evil = path.join(tmp, 'evil');
    fs.mkdirSync(path.join(evil, 'phones'), { recursive: true });
    for (const f of ['common.cfg', 'alice.cfg']) fs.copyFileSync(path.join(repoRoot, 'scenarios', 'phones', f), path.join(evil, 'phones', f));
    fs.writeFileSync(path.join(evil, 'x.yaml'), fs.readFileSync(path.join(repoRoot, LOSSY), 'utf8').replace(/^name: .*$/m, 'name: "<b>bold</b> & <script>alert(1)</script>"'));
    const r = runCli(['sweep', path.join(evil, 'x.yaml'), '--seeds', '1..2', '--out', dir('evil')]);
    expect(r.code, r.stderr).to.be.oneOf([0, 1]);
    const page = read(dir('evil'), 'report.html').toString();
    expect(page).to.include('&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).to.not.include('<script>');
  });

  it('exits 2 naming the flag for bad --seeds, --set, --shard and --jobs, writing nothing', () => {
    const cases: [string[], RegExp][] = [
      [['--seeds', '5..1'], /^sipsim: --seeds: the range 5\.\.1 is empty/],
      [['--seeds', '1..3', '--set', 'sip.timer_t1=0.5,99'], /^sipsim: --set: sip\.timer_t1: expected a number from 0\.5 to 10, found "99"/],
      [['--seeds', '1..3', '--set', 'nosuch.key=1'], /^sipsim: --set: nosuch\.key: expected a phone \.cfg key/],
      [['--seeds', '1..3', '--shard', '3/2'], /^sipsim: --shard: expected K\/N/],
      [['--seeds', '1..3', '--jobs', '0'], /^sipsim: --jobs: expected a number of worker threads/],
      [[], /required option '--seeds <first\.\.last>' not specified/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['sweep', LOSSY, ...args, '--out', dir('bad')]);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(message);
    }
    const run = runCli(['run', LOSSY, '--set', 'sip.timer_t1=0.5,1']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/^sipsim: --set: sip\.timer_t1: expected a number from 0\.5 to 10, found "0\.5,1"/);
    expect(fs.existsSync(dir('bad'))).to.equal(false);
  });

  it('runs from the installed bundle too (the worker module is found from dist/sipsim.cjs)', () => {
    const bin = path.join(repoRoot, 'bin', 'sipsim.cjs');
    const r = spawnSync(process.execPath, [bin, 'sweep', LOSSY, '--seeds', '1..30', '--set', 'sip.timer_t1=0.5,1', '--jobs', '2', '--out', dir('bin')], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(1);
    for (const f of FILES) expect(read(dir('bin'), f).equals(read(dir('j1'), f)), f).to.equal(true);
  });
});
