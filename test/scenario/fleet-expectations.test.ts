import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Fleet expectations through small fleet scenarios run by the CLI: `registered: { fleet, on,
 * share }` with by/after, at, during and never, `on: any`, and metric bounds on servers and
 * fleets — each verdict with the text of what was seen; bad input exits 2 with file:line: key.
 *
 * The fleet: 50 phones registered with sip1 and (concurrent fallback) sip2 at boot, expires 60 s
 * (renewal at 54 s). sip1 is silent from 1m to 3m: each renewal then waits Timer F (32 s) and
 * fails, so the share on sip1 falls from 2m20s; the retries after the recovery bring every phone
 * back at 3m1.62s. sip2 keeps every phone registered (a working server) throughout.
 */

interface Verdict {
  pass: boolean;
  text: string;
  seen: string;
}

/** The verdicts of the summary, in file order: PASS/FAIL, the expectation's text, what was seen. */
function verdicts(stdout: string): Verdict[] {
  const out: Verdict[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {4}(PASS|FAIL) \S+:\d+ (.*)$/.exec(lines[i]!);
    if (!m) continue;
    const seen = /^ {9}seen(?: instead)?: (.*)$/.exec(lines[i + 1] ?? '');
    out.push({ pass: m[1] === 'PASS', text: m[2]!, seen: seen ? seen[1]! : '' });
  }
  return out;
}

describe('fleet expectations (registered share, metric bounds)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fleet-expect-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes the fleet scenario with these expectations (and an optional capacity for sip1) in its own folder. */
  function scenario(name: string, expect: string[], capacity?: string): string {
    const sub = path.join(dir, name);
    const file = writeCompactFleetScenario(sub, 50, {
      duration: '5m',
      settings: { 'account.1.user_name': '2{i:05}', 'account.1.sip_server.1.expires': '60' },
      events: ['{ at: 1m, fail: sip1, mode: silent }', '{ at: 3m, recover: sip1 }'],
      expect: expect.map((e) => `  - ${e}`),
    });
    // With a capacity, the phones sip1 turns away keep retrying: registrationRetryScope unbounded.
    // Under AMB-35's ★ (retryCounts, the default) 26 of the 50 would give up on sip1 at 15.16 s,
    // after the first attempt and retry_counts (3) repeats were all shed.
    if (capacity) {
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8')
        .replace('sip1: { address: 10.0.0.1 }', `sip1: { address: 10.0.0.1, capacity: ${capacity} }`)
        .replace(/^duration: (.*)$/m, 'duration: $1\nmodel: { registrationRetryScope: unbounded }'));
    }
    return file;
  }

  function run(file: string, code: 0 | 1): Verdict[] {
    const r = runCli(['run', file, '--quiet']);
    expect(r.stderr).to.equal('');
    expect(r.code, r.stdout).to.equal(code);
    return verdicts(r.stdout);
  }

  it('registered share with by/after: the instant the share is reached (a crossing after `after`, not a level)', () => {
    const v = run(scenario('by', [
      '{ by: 30s, registered: { fleet: office, on: sip1, share: 100% } }',
      '{ after: 3m, by: 4m, registered: { fleet: office, on: sip1, share: 99% } }',
      '{ after: 3m, by: 3m1s, registered: { fleet: office, on: sip1, share: 99% } }',
      // sip2 held every phone since boot: the share never crosses 50 % after 3m.
      '{ after: 3m, by: 5m, registered: { fleet: office, on: sip2, share: 50% } }',
      '{ at: 3m1.6s, tolerance: 100ms, registered: { fleet: office, on: sip1, share: 0.99 } }',
    ]), 1);
    expect(v.map((x) => [x.pass, x.seen])).to.deep.equal([
      [true, '100% of office registered on sip1 at 40ms'],
      [true, '99% of office registered on sip1 at 3m1.62s'],
      [false, 'first 99% of office registered on sip1 after 3m only at 3m1.62s (the last before 3m at 40ms)'],
      [false, 'no 50% of office registered on sip2 at or after 3m (the last before 3m at 40ms)'],
      [true, '99% of office registered on sip1 at 3m1.62s'],
    ]);
  });

  it('during and never: on: any holds throughout (sip2 works), on: sip1 falls with the first failed renewal', () => {
    const v = run(scenario('during', [
      '{ during: [1m, 5m], registered: { fleet: office, on: any, share: 100% } }',
      '{ during: [1m, 5m], registered: { fleet: office, on: sip1, share: 100% } }',
      '{ during: [2m30s, 2m50s], registered: { fleet: office, on: sip1, share: 1% } }',
      '{ never: [1m30s, 2m50s], registered: { fleet: office, on: sip1, share: 50% } }',
      '{ never: [2m50s, 5m], registered: { fleet: office, on: sip1, share: 50% } }',
    ]), 1);
    expect(v.map((x) => [x.pass, x.seen])).to.deep.equal([
      [true, '100% of office registered on some server throughout 1m–5m (lowest 100%)'],
      [false, 'share fell to 98% at 2m20.08s'],
      [false, 'not 1% of office registered on sip1 at 2m30s (0%)'],
      [true, 'no 50% of office registered on sip1 in 1m30s–2m50s'],
      [false, '50% of office registered on sip1 at 3m1.62s'],
    ]);
  });

  it('metric bounds on a server (shed, queue, rate) and on a fleet (gap, setup, failed) pass and fail with what was measured', () => {
    // sip1 at 20/s with 5 waiting: the boot's 50 REGISTERs at once overflow it (and the phones
    // retry 5 s after each 503: model option retryAfter = honour).
    const v = run(scenario('metric', [
      '{ metric: { server: sip1, shed: { max: 0 } } }',
      '{ metric: { server: sip1, shed: { min: 1 } } }',
      '{ metric: { server: sip1, queue: { max: 5 } } }',
      '{ metric: { server: sip1, queue: { min: 6 } } }',
      '{ metric: { server: sip1, rate: { max: 10 } } }',
      '{ metric: { server: sip2, shed: { max: 0 } } }',
      '{ metric: { fleet: office, gap: { p95: { max: 45s } } } }',
      '{ metric: { fleet: office, gap: { max: { min: 1s } } } }',
      '{ metric: { fleet: office, setup: { p50: { max: 1s } } } }',
      '{ metric: { fleet: office, failed: { max: 0 } } }',
    ], '{ rate: 20/s, queue: 5, overload: "503", retryAfter: 5s }'), 1);
    expect(v.map((x) => [x.pass, x.seen])).to.deep.equal([
      [false, 'sip1 shed 184 (bound max 0)'],
      [true, 'sip1 shed 184 (bound min 1)'],
      [true, 'sip1 peak queue 5 (bound max 5)'],
      [false, 'sip1 peak queue 5 (bound min 6)'],
      [false, 'sip1 peak arrivals per second (in the second from 0s) 50 (bound max 10)'],
      [true, 'sip2 shed 0 (bound max 0)'],
      // sip2 keeps every phone working: no unregistered gap at all, which is a gap of 0.
      [true, 'office gap p95 0s (bound max 45s)'],
      [false, 'office gap max 0s (bound min 1s)'],
      [false, 'office setup p50: no call was placed (bound max 1s)'],
      [true, 'office failed calls 0 (bound max 0)'],
    ]);
  });

  describe('bad input exits 2 with file:line: key and what was expected', () => {
    const cases: [string, string, string][] = [
      ['share 0', '{ by: 1m, registered: { fleet: office, on: sip1, share: 0 } }', 'expect[1].registered.share: expected a share of the fleet: "99%" or a fraction above 0 and at most 1, found 0'],
      ['share 120%', '{ by: 1m, registered: { fleet: office, on: sip1, share: 120% } }', 'expect[1].registered.share: expected a share of the fleet: "99%" or a fraction above 0 and at most 1, found "120%"'],
      ['an unknown fleet', '{ by: 1m, registered: { fleet: ofice, on: sip1, share: 99% } }', "expect[1].registered.fleet: expected a fleet defined under fleets:, found 'ofice' — did you mean 'office'?"],
      ['an unknown server for on:', '{ by: 1m, registered: { fleet: office, on: sip7, share: 99% } }', 'expect[1].registered.on: unknown server "sip7"'],
      ['share with one phone', '{ by: 1m, registered: { phone: "office[1]", on: sip1, share: 99% } }', 'expect[1].registered.share: share: applies to a fleet'],
      ['two measures in one metric', '{ metric: { server: sip1, shed: { max: 1 }, queue: { max: 2 } } }', 'expect[1].metric: expected exactly one measure: shed, queue, rate (found shed, queue)'],
      ['a fleet measure on a server', '{ metric: { server: sip1, gap: { p95: { max: 1s } } } }', 'expect[1].metric.gap: gap is a fleet measure; with server: use shed, queue, rate'],
      ['a server measure on a fleet', '{ metric: { fleet: office, shed: { max: 1 } } }', 'expect[1].metric.shed: shed is a server measure; with fleet: use gap, setup, failed'],
      ['two statistics', '{ metric: { fleet: office, gap: { p95: { max: 1s }, p99: { max: 2s } } } }', 'expect[1].metric.gap: expected one statistic'],
      ['no bound', '{ metric: { fleet: office, gap: { p95: {} } } }', 'expect[1].metric.gap: expected a bound: { max: … } and/or { min: … }'],
      ['an unknown statistic', '{ metric: { fleet: office, gap: { p42: { max: 1s } } } }', "expect[1].metric.gap.p42: unknown key 'p42' (expected one of p50, p95, p99, max, mean)"],
      ['an unknown server', '{ metric: { server: sip9, shed: { max: 1 } } }', 'expect[1].metric.server: unknown server "sip9"'],
      ['a timing on a metric', '{ by: 1m, metric: { server: sip1, shed: { max: 1 } } }', "expect[1].by: unknown key 'by' (expected one of metric)"],
    ];
    cases.forEach(([what, item, message], k) => {
      it(what, () => {
        const file = scenario(`bad-${k}`, ['{ by: 30s, registered: { fleet: office, on: sip1, share: 100% } }', item]);
        const line = fs.readFileSync(file, 'utf8').split('\n').indexOf(`  - ${item}`) + 1;
        const r = runCli(['validate', file]);
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stderr).to.contain(`${file}:${line}: ${message}`);
        expect(r.stderr, 'no stack trace').not.to.match(/\n\s+at /);
        if (k === 0) expect(runCli(['run', file, '--quiet']).code, 'run refuses it too').to.equal(2);
      });
    });
  });
});
