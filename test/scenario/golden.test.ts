import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { bundledScenarioIds, heavyScenarioIds, repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Golden outputs: test/golden/<id>.ladder.txt is the stdout of `sipsim run scenarios/<id>.yaml`
 * and test/golden/<id>.trace.jsonl its `--json` trace, both run from the repository root.
 * Heavy fleet scenarios (heavyScenarioIds: 27-registration-storm's 20,000 phones) have only the
 * ladder + summary golden, of `--ladder <fleet>[1],<fleet>[2],<fleet>[3]`: their JSONL would be
 * hundreds of MB, and so would the default ladder (past 40 hosts it shows the servers, whose
 * columns carry every phone's traffic: 238 MB for 27). Three phones' ladder and the summary stay
 * small and still pin the fleet aggregates and every verdict.
 * A fresh run must reproduce them byte for byte, so any change of behaviour or of a report's
 * format shows up as a reviewable diff.
 *
 * After an intended change, regenerate them (and review `git diff test/golden/`):
 *
 *     npx tsc -p tsconfig.json && UPDATE_GOLDEN=1 npx mocha --no-config dist/test/scenario/golden.test.js
 */

const GOLDEN_DIR = path.join(repoRoot, 'test', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const HOW_TO_UPDATE =
  'if the change is intended, regenerate the goldens with\n' +
  '    npx tsc -p tsconfig.json && UPDATE_GOLDEN=1 npx mocha --no-config dist/test/scenario/golden.test.js\n' +
  'and review `git diff test/golden/` (see test/golden/README.md)';

/** Describes the first difference between two texts, line by line, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const show = (s: string | undefined): string => (s === undefined ? '(no line: file ends)' : JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…` : s));
      return `first difference at line ${i + 1} (golden ${e.length} lines, fresh run ${a.length} lines):\n  golden: ${show(e[i])}\n  fresh:  ${show(a[i])}`;
    }
  }
  return 'the texts differ only in encoding or line endings';
}

function checkGolden(file: string, actual: string): void {
  const golden = path.join(GOLDEN_DIR, file);
  if (UPDATE) {
    fs.writeFileSync(golden, actual);
    return;
  }
  if (!fs.existsSync(golden)) {
    expect.fail(`missing golden file test/golden/${file};\n${HOW_TO_UPDATE}`);
  }
  const expected = fs.readFileSync(golden, 'utf8');
  if (expected !== actual) {
    expect.fail(`test/golden/${file} differs from a fresh run: ${firstDifference(expected, actual)}\n${HOW_TO_UPDATE}`);
  }
}

describe('golden outputs of the bundled scenarios (test/golden/)', function () {
  this.timeout(60_000);
  const ids = bundledScenarioIds();
  const heavy = new Set(heavyScenarioIds());
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-golden-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const id of ids) {
    if (heavy.has(id)) {
      it(`${id}: ladder + summary match the golden (a heavy fleet scenario: three phones' ladder, no JSONL golden)`, function () {
        this.timeout(240_000);
        const doc = parse(fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')) as { fleets: Record<string, unknown> };
        const fleet = Object.keys(doc.fleets)[0]!;
        const r = runCli(['run', `scenarios/${id}.yaml`, '--ladder', [1, 2, 3].map((i) => `${fleet}[${i}]`).join(',')], { timeoutMs: 230_000 });
        expect(r.code, r.stderr).to.be.oneOf([0, 1]);
        checkGolden(`${id}.ladder.txt`, r.stdout);
      });
      continue;
    }
    it(`${id}: ladder + summary and JSONL trace match the goldens`, () => {
      const json = path.join(tmp, `${id}.trace.jsonl`);
      const r = runCli(['run', `scenarios/${id}.yaml`, '--json', json]);
      expect(r.code, r.stderr).to.be.oneOf([0, 1]);
      checkGolden(`${id}.ladder.txt`, r.stdout);
      checkGolden(`${id}.trace.jsonl`, fs.readFileSync(json, 'utf8'));
    });
  }

  it('every golden file belongs to a bundled scenario (no stale goldens)', () => {
    const known = new Set(ids.flatMap((id) => [`${id}.ladder.txt`, ...(heavy.has(id) ? [] : [`${id}.trace.jsonl`])]));
    const stale = fs.readdirSync(GOLDEN_DIR).filter((f) => /\.(ladder\.txt|trace\.jsonl)$/.test(f) && !known.has(f));
    expect(stale, `golden files without a scenario in scenarios/: delete them`).to.deep.equal([]);
  });
});
