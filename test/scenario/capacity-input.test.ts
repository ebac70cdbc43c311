import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../sim/core/input-error.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runCli } from '../helpers/run-cli.js';

/** servers.X.capacity as the user writes it: accepted spellings, and each mistake named at its line and key. */
describe('servers.X.capacity input', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-capacity-input-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  let n = 0;
  /** A scenario whose sip1 has `capacity:` with the given lines (block style: one key a line, from line 9). */
  function write(capacity: string[]): string {
    const file = path.join(tmp, `c${n++}.yaml`);
    const lines = ['name: capacity', 'duration: 1m', 'phones:', '  a: { address: 10.0.0.10 }', 'servers:', '  sip1:', '    address: 10.0.0.1', '    capacity:'];
    fs.writeFileSync(file, [...lines, ...capacity.map((l) => `      ${l}`)].join('\n') + '\n');
    return file;
  }
  const problem = (capacity: string[]): string => {
    const file = write(capacity);
    try {
      loadScenario(file);
    } catch (e) {
      expect(e).to.be.instanceOf(InputError);
      return e instanceof Error ? e.message.slice(file.length + 1) : '';
    }
    throw new Error(`accepted: ${capacity.join('; ')}`);
  };

  it('reads rate as an exact ratio per µs, queue, overload (503 unquoted, "503" or drop) and retryAfter', () => {
    const cases: [string[], object][] = [
      [['rate: 800/s', 'queue: 2000', 'overload: 503', 'retryAfter: 20s'], { count: 800, period: 1_000_000, queue: 2000, overload: '503', retryAfter: 20_000_000 }],
      [['rate: 48000/min', 'queue: 0', 'overload: "503"'], { count: 48000, period: 60_000_000, queue: 0, overload: '503' }],
      [['rate: 0.5/s', 'queue: 10', 'overload: drop'], { count: 5, period: 10_000_000, queue: 10, overload: 'drop' }],
      [['rate: 7200/h'], { count: 7200, period: 3_600_000_000, overload: '503' }],
    ];
    for (const [lines, expected] of cases) {
      expect(loadScenario(write(lines)).servers[0]!.capacity, lines.join('; ')).to.deep.equal(expected);
    }
  });

  it('names the line and key of each bad value and what was expected', () => {
    const cases: [string[], string][] = [
      [['rate: 800'], '9: servers.sip1.capacity.rate: found 800 — a rate needs a unit: "800/s"?'],
      [['rate: fast'], '9: servers.sip1.capacity.rate: expected a positive request rate, e.g. "800/s" or "48000/min", found "fast"'],
      [['rate: 0/s'], '9: servers.sip1.capacity.rate: expected a positive request rate, e.g. "800/s" or "48000/min", found "0/s"'],
      [['rate: 800/day'], '9: servers.sip1.capacity.rate: expected a positive request rate, e.g. "800/s" or "48000/min", found "800/day"'],
      [['queue: 5'], '8: servers.sip1.capacity.rate: missing: expected a request rate, e.g. "800/s" or "48000/min"'],
      [['rate: 8/s', 'queue: -1'], '10: servers.sip1.capacity.queue: expected the number of requests that may wait: an integer ≥ 0, found -1'],
      [['rate: 8/s', 'queue: 2.5'], '10: servers.sip1.capacity.queue: expected the number of requests that may wait: an integer ≥ 0, found 2.5'],
      [['rate: 8/s', 'queue: 5', 'overload: 502'], '11: servers.sip1.capacity.overload: expected one of 503, drop, found 502'],
      [['rate: 8/s', 'queue: 5', 'retryAfter: 20'], '11: servers.sip1.capacity.retryAfter: found 20 — a duration needs a unit: 20s?'],
      [['rate: 8/s', 'queue: 5', 'overload: drop', 'retryAfter: 20s'], '12: servers.sip1.capacity.retryAfter: goes with overload "503" (a dropped request gets no answer to carry it)'],
      [['rate: 8/s', 'overload: drop'], '10: servers.sip1.capacity.overload: applies only with a queue limit (queue: N): without one nothing is ever shed'],
      [['rate: 8/s', 'retryAfter: 20s'], '10: servers.sip1.capacity.retryAfter: applies only with a queue limit (queue: N): without one nothing is ever shed'],
      [['rate: 8/s', 'rettryAfter: 20s'], "10: servers.sip1.capacity.rettryAfter: unknown key 'rettryAfter' — did you mean 'retryAfter'? (expected one of rate, queue, overload, retryAfter)"],
    ];
    for (const [lines, words] of cases) expect(problem(lines), lines.join('; ')).to.equal(words);
  });

  it('the CLI refuses a bad capacity with exit 2 and the one-line message', () => {
    const file = write(['rate: 8/s', 'queue: lots']);
    const r = runCli(['validate', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.equal(`sipsim: ${file}:10: servers.sip1.capacity.queue: expected the number of requests that may wait: an integer ≥ 0, found "lots"\n`);
  });
});
