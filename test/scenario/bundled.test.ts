import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { bundledScenarioIds, heavyScenarioIds, lastLine, repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * The bundled scenarios are the documentation users start from and the regression suite of the
 * model: each must run green through the real CLI, and the same scenario + seed must give
 * byte-identical outputs (DESIGN.md, "Core rules").
 */

const ids = bundledScenarioIds();
/**
 * Heavy fleet scenarios (27-registration-storm: 20,000 phones, tens of seconds a run) run once
 * here, in the whole-directory run, whose totals include their verdicts; their golden and
 * test/scenario/registration-storm.test.ts pin the rest, with one determinism check of their own.
 */
const heavy = new Set(heavyScenarioIds());
const scenarioPath = (id: string): string => `scenarios/${id}.yaml`;

/** Number of items under `expect:` in a scenario file, read independently of the simulator. */
function expectationCount(id: string): number {
  const doc = parse(fs.readFileSync(path.join(repoRoot, scenarioPath(id)), 'utf8')) as { expect?: unknown[] };
  return doc.expect?.length ?? 0;
}

/** Every file under a directory, as relative path → bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isFile()) files.set(name, fs.readFileSync(full));
  }
  return files;
}

describe('bundled scenarios (sipsim run scenarios/*.yaml)', function () {
  this.timeout(60_000);

  it('there are bundled scenarios to run', () => {
    expect(ids.length).to.be.greaterThanOrEqual(7);
  });

  for (const id of ids.filter((x) => !heavy.has(x))) {
    it(`${id}: exits 0 and every expectation passes`, () => {
      const r = runCli(['run', scenarioPath(id)]);
      expect(r.stderr, 'stderr').to.equal('');
      expect(r.code, r.stdout).to.equal(0);
      const n = expectationCount(id);
      expect(n, 'the scenario states expectations').to.be.greaterThan(0);
      expect(lastLine(r.stdout)).to.equal(`1 scenario: ${n} passed, 0 failed`);
      // One PASS line per expectation in the summary, none FAIL.
      expect(r.stdout.match(/^ {4}PASS /gm) ?? []).to.have.length(n);
      expect(r.stdout).not.to.match(/^ {4}FAIL /m);
    });
  }

  it('running the whole directory runs every scenario and totals the verdicts', function () {
    this.timeout(240_000);
    const r = runCli(['run', 'scenarios', '--quiet'], { timeoutMs: 230_000 });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const total = ids.reduce((n, id) => n + expectationCount(id), 0);
    expect(lastLine(r.stdout)).to.equal(`${ids.length} scenarios: ${total} passed, 0 failed`);
    for (const id of ids) expect(r.stdout).to.contain(`Summary — ${id}:`);
    // --quiet: summaries only, no ladder.
    expect(r.stdout).not.to.match(/^ +time  /m);
  });
});

describe('determinism: same scenario + same seed ⇒ byte-identical outputs', function () {
  this.timeout(60_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-determinism-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  interface Outputs {
    stdout: string;
    jsonl: Buffer;
    pcap: Buffer;
    out: Map<string, Buffer>;
  }

  function runOnce(id: string, tag: string, extra: string[] = []): Outputs {
    const dir = path.join(tmp, `${id}-${tag}`);
    const json = path.join(dir, 'trace.jsonl');
    const pcap = path.join(dir, 'capture.pcap');
    const out = path.join(dir, 'out');
    const r = runCli(['run', scenarioPath(id), '--json', json, '--pcap', pcap, '--out', out, ...extra]);
    expect(r.code, r.stdout + r.stderr).to.be.oneOf([0, 1]);
    return { stdout: r.stdout, jsonl: fs.readFileSync(json), pcap: fs.readFileSync(pcap), out: readTree(out) };
  }

  for (const id of ids.filter((x) => !heavy.has(x))) {
    it(`${id}: two runs give identical stdout, JSONL, pcap and --out files`, () => {
      const a = runOnce(id, 'a');
      const b = runOnce(id, 'b');
      expect(a.out.size, 'files in --out').to.be.greaterThan(0);
      expect([...a.out.keys()].sort()).to.deep.equal([`${id}.html`, `${id}.ladder.txt`, `${id}.pcap`, `${id}.trace.jsonl`, 'junit.xml']);
      expect(b.stdout === a.stdout, 'stdout differs between two runs').to.equal(true);
      expect(b.jsonl.equals(a.jsonl), 'JSONL differs between two runs').to.equal(true);
      expect(b.pcap.equals(a.pcap), 'pcap differs between two runs').to.equal(true);
      expect([...b.out.keys()].sort()).to.deep.equal([...a.out.keys()].sort());
      for (const [name, bytes] of a.out) expect(b.out.get(name)!.equals(bytes), `--out ${name} differs between two runs`).to.equal(true);

      // The --out copies are the same outputs as the individual flags and stdout.
      expect(a.out.get(`${id}.trace.jsonl`)!.equals(a.jsonl), '--out trace = --json').to.equal(true);
      expect(a.out.get(`${id}.pcap`)!.equals(a.pcap), '--out pcap = --pcap').to.equal(true);
      expect(a.stdout).to.contain(a.out.get(`${id}.ladder.txt`)!.toString('utf8'));

      // The JSONL is JSON Lines with `t` in seconds, first, never going back in time.
      const lines = a.jsonl.toString('utf8').split('\n');
      expect(lines.pop(), 'JSONL ends with a newline').to.equal('');
      let last = -Infinity;
      for (const line of lines) {
        expect(line.startsWith('{"t":'), line).to.equal(true);
        const rec = JSON.parse(line) as { t: number; kind: string };
        expect(rec.kind, line).to.be.a('string');
        expect(rec.t, line).to.be.at.least(last);
        last = rec.t;
      }
    });
  }

  it('07-lossy-link: the seed really drives the randomness (--seed 4 differs, --seed 3 = the scenario seed)', () => {
    const id = '07-lossy-link';
    const scenarioSeed = runOnce(id, 'seed-default');
    const three = runOnce(id, 'seed-3', ['--seed', '3']);
    const four = runOnce(id, 'seed-4', ['--seed', '4']);
    expect(three.jsonl.equals(scenarioSeed.jsonl), 'the scenario says seed: 3, so --seed 3 changes nothing').to.equal(true);
    expect(four.jsonl.equals(scenarioSeed.jsonl), 'a different seed gives a different trace').to.equal(false);
    expect(four.stdout).to.match(/^ {2}seed 4, /m);
    expect(scenarioSeed.stdout).to.match(/^ {2}seed 3, /m);
  });
});

describe('readability of the ladder and summary (findings of the golden eye-check)', function () {
  this.timeout(30_000);

  it('the ladder marks client retransmissions with their timer', () => {
    const r = runCli(['run', 'scenarios/02-server1-silent.yaml']);
    const rows = r.stdout.split('\n').filter((l) => /^ *[0-9hm]*\d+\.\d{6}s {2}\|-+INVITE-+x\|/.test(l));
    expect(rows).to.have.length(7);
    expect(rows[0]).to.match(/lost: destination silent$/);
    rows.slice(1).forEach((row, i) => expect(row).to.contain(`retransmission #${i + 1} (Timer A)`));
  });

  it('a label too long for its arrow is shortened visibly, not cut mid-word', () => {
    const r = runCli(['run', 'scenarios/04-server1-503.yaml']);
    const row = r.stdout.split('\n').find((l) => /\|<-*503/.test(l));
    expect(row, 'the 503 row').to.be.a('string');
    const label = /\|<-*(.*?)-*\|/.exec(row!)![1]!;
    const complete = ['503 Service Unavailable (INVITE)', '503 Service Unavailable', '503 (INVITE)'];
    expect(complete.includes(label) || label.endsWith('…'), `label "${label}"`).to.equal(true);
  });

  it('summary: the per-phone values start in the same column, calls included', () => {
    const r = runCli(['run', 'scenarios/01-all-well.yaml']);
    const lines = r.stdout.split('\n');
    const start = (prefix: RegExp): number => {
      const l = lines.find((x) => prefix.test(x));
      expect(l, String(prefix)).to.be.a('string');
      return /^ {4}[^:]+: +/.exec(l!)![0].length;
    };
    const registered = start(/^ {4}registered:/);
    expect(start(/^ {4}working server:/)).to.equal(registered);
    expect(start(/^ {4}call 1 → 2000:/)).to.equal(registered);
  });
});
