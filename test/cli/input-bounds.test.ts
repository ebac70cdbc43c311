import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliResult, repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Hostile or absurd input — alias bombs, prototype names, devices, FIFOs, huge files, settings
 * that make a run explode — must end like any bad input: exit 2, one `file:line: …` message, no
 * stack trace, quickly, and nothing written.
 */

const PHONES = path.join(repoRoot, 'scenarios', 'phones');

const GOOD = `name: good
duration: 1m
phones:
  alice:
    address: 10.0.0.10
    config: [phones/common.cfg, phones/alice.cfg]
servers:
  sip1: { address: 10.0.0.1 }
  sip2: { address: 10.0.0.2 }
events:
  - { at: 0s, boot: alice }
expect:
  - { by: 1s, registered: { phone: alice, on: sip1 } }
`;

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-input-bounds-'));
  fs.mkdirSync(path.join(dir, 'phones'));
  for (const f of ['common.cfg', 'alice.cfg']) fs.copyFileSync(path.join(PHONES, f), path.join(dir, 'phones', f));
  return dir;
}

function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`test setup: "${marker}" not in the text`);
  return i + 1;
}

/** Exit 2, one short message on stderr, no stack trace, nothing on stdout; returns the message. */
function inputError(r: CliResult): string {
  const why = `code ${r.code}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 2000)}`;
  expect(r.code, why).to.equal(2);
  const err = r.stderr.trim();
  expect(err.split('\n').length, why).to.equal(1);
  expect(err, 'no stack trace').not.to.match(/^\s+at |internal error|ReferenceError|RangeError/m);
  expect(r.stdout, 'nothing on stdout').to.equal('');
  return err;
}

describe('CLI: bounded and well-formed input (aliases, prototype names, file kinds and sizes, run guards)', function () {
  this.timeout(60_000);
  let dir: string;
  let n = 0;
  const write = (text: string, name = `s${n++}.yaml`): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  before(() => {
    dir = workspace();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('YAML aliases', () => {
    it('a billion-laughs alias bomb: exit 2 at the alias that makes it too large, with its size, in well under a second of work', () => {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (const [prev, cur] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) {
        levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(', ')}]`);
      }
      const text = `name: bomb\nduration: 1m\n${levels.join('\n')}\nphones: {}\n`;
      const file = write(text);
      const started = Date.now();
      const err = inputError(runCli(['validate', file]));
      expect(Date.now() - started, 'refused quickly').to.be.below(10_000);
      // 10^5 x's under *d: the alias on the "f:" line takes the document past 10^6 nodes.
      expect(err).to.equal(`sipsim: ${file}:${lineOf(text, 'f: &f')}: alias *e expands to 111111 nodes, taking the aliases of the document past 1000000 nodes, the most a scenario's aliases may expand to`);
    });

    it('a large anchor reused more than 100 times: refused, naming the alias, its line and its size', () => {
      const big = `big: &big [${Array(10_000).fill('1').join(', ')}]`;
      const text = `${GOOD}${big}\nreuse: [${Array(101).fill('*big').join(', ')}]\n`;
      const err = inputError(runCli(['validate', write(text)]));
      expect(err).to.match(new RegExp(`:${lineOf(text, 'reuse:')}: alias \\*big expands to 10001 nodes, taking the aliases of the document past 1000000 nodes`));
    });

    it('legitimate reuse: one expectation anchored and repeated 150 times (more than the yaml package\'s 100) runs and holds', () => {
      const text = GOOD.replace('  - { by: 1s, registered', '  - &e { by: 1s, registered') + Array(150).fill('  - *e\n').join('');
      const r = runCli(['run', write(text), '--quiet']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('expectations: 151/151 hold');
    });

    it('an undefined alias (duration: *nope): exit 2 with file:line naming the alias', () => {
      const text = GOOD.replace('duration: 1m', 'duration: *nope');
      const file = write(text);
      expect(inputError(runCli(['run', file]))).to.equal(`sipsim: ${file}:2: alias *nope has no anchor &nope before it`);
    });

    it('an alias inside the node it refers to (&a [*a]): exit 2 with file:line', () => {
      const text = `${GOOD}loop: &a [1, *a]\n`;
      const file = write(text);
      expect(inputError(runCli(['validate', file]))).to.equal(`sipsim: ${file}:${lineOf(text, 'loop:')}: alias *a refers to the node that contains it`);
    });
  });

  describe('names looked up as own keys only', () => {
    for (const value of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty']) {
      it(`.cfg transport_type = ${value}: refused with file:line and the key, not run as UDP`, () => {
        const cfg = path.join(dir, `t-${value}.cfg`);
        fs.writeFileSync(cfg, `#!version:1.0.0.1\naccount.1.enable = 1\naccount.1.sip_server.1.address = 10.0.0.1\naccount.1.sip_server.1.transport_type = ${value}\n`);
        expect(inputError(runCli(['validate', cfg]))).to.equal(
          `sipsim: ${cfg}:4: account.1.sip_server.1.transport_type: expected one of 0 (UDP), 1 (TCP), 2 (TLS), 3 (DNS-NAPTR), found "${value}"`,
        );
      });
    }

    it('a phone named __proto__ does not vanish: exit 2 at its line', () => {
      const text = GOOD.replace('  alice:\n', '  __proto__:\n');
      const file = write(text);
      const err = inputError(runCli(['validate', file]));
      expect(err).to.match(new RegExp(`^sipsim: ${file}:4: __proto__: this key is not accepted`));
    });

    for (const name of ['constructor', 'toString', 'valueOf']) {
      it(`a server named ${name}: exit 2 at its line, saying the name cannot name a host`, () => {
        const text = GOOD.replace('  sip2: {', `  ${name}: {`);
        const file = write(text);
        expect(inputError(runCli(['validate', file]))).to.equal(
          `sipsim: ${file}:${lineOf(text, `  ${name}:`)}: servers.${name}: "${name}" cannot name a host: it is a built-in JavaScript property name; choose another name`,
        );
      });
    }

    it('a setting named __proto__ is refused rather than dropped', () => {
      const text = GOOD.replace('    config: [', '    settings: { __proto__: 1 }\n    config: [');
      const file = write(text);
      expect(inputError(runCli(['validate', file]))).to.match(new RegExp(`^sipsim: ${file}:6: __proto__: `));
    });

    it('--model constructor=1 is an unknown option, not a prototype property', () => {
      expect(inputError(runCli(['run', write(GOOD), '--model', 'constructor=1']))).to.contain('expected key=value with key one of inviteFailover');
    });
  });

  describe('input files: regular, bounded', () => {
    it('config: /dev/urandom — refused at once as not a regular file, naming the scenario line', () => {
      const text = GOOD.replace('config: [phones/common.cfg, phones/alice.cfg]', 'config: /dev/urandom');
      const file = write(text);
      const started = Date.now();
      const err = inputError(runCli(['run', file], { timeoutMs: 10_000 }));
      expect(Date.now() - started).to.be.below(10_000);
      expect(err).to.equal(`sipsim: ${file}:6: phones.alice.config: /dev/urandom: cannot read the file: not a regular file (a device, FIFO or socket)`);
    });

    it('a FIFO as the scenario, as a config and for explain: refused without blocking', function () {
      const fifo = path.join(dir, 'pipe.yaml');
      try {
        execFileSync('mkfifo', [fifo]);
      } catch {
        this.skip();
      }
      expect(inputError(runCli(['validate', fifo], { timeoutMs: 10_000 }))).to.equal(`sipsim: ${fifo}: cannot read the file: not a regular file (a device, FIFO or socket)`);
      expect(inputError(runCli(['explain', fifo], { timeoutMs: 10_000 }))).to.contain('not a regular file');
      const text = GOOD.replace('config: [phones/common.cfg, phones/alice.cfg]', 'config: pipe.yaml');
      expect(inputError(runCli(['validate', write(text)], { timeoutMs: 10_000 }))).to.contain('phones.alice.config: pipe.yaml: cannot read the file: not a regular file');
    });

    it('a scenario and a .cfg over 16 MiB: refused quickly, saying the limit', () => {
      const huge = path.join(dir, 'huge.yaml');
      fs.writeFileSync(huge, `${GOOD}#${'x'.repeat(16 * 1024 * 1024)}\n`);
      const started = Date.now();
      expect(inputError(runCli(['validate', huge]))).to.equal(`sipsim: ${huge}: the file is larger than 16 MiB, the most sipsim reads from one input file`);
      const hugeCfg = path.join(dir, 'phones', 'huge.cfg');
      fs.writeFileSync(hugeCfg, `#!version:1.0.0.1\n#${'x'.repeat(16 * 1024 * 1024)}\n`);
      const text = GOOD.replace('phones/alice.cfg]', 'phones/huge.cfg]');
      expect(inputError(runCli(['validate', write(text)]))).to.contain('phones.alice.config[1]: phones/huge.cfg: the file is larger than 16 MiB');
      expect(Date.now() - started).to.be.below(20_000);
    });
  });

  describe('run bounds', () => {
    it('model: { refreshFraction: 0.000001 } is refused naming the key and its line; so is --model refreshFraction=1e-6', () => {
      const text = GOOD.replace('duration: 1m\n', 'duration: 1m\nmodel: { refreshFraction: 0.000001 }\n');
      const file = write(text);
      expect(inputError(runCli(['run', file]))).to.equal(`sipsim: ${file}:3: model.refreshFraction: expected 0.1..1`);
      expect(inputError(runCli(['run', write(GOOD), '--model', 'refreshFraction=1e-6']))).to.equal('sipsim: --model: refreshFraction: expected a number from 0.1 to 1, found "1e-6"');
    });

    it('duration: 365d with an event at 364d runs: the server fails a day before the end', () => {
      const text = GOOD.replace('duration: 1m', 'duration: 365d').replace('  - { at: 0s, boot: alice }\n', '  - { at: 0s, boot: alice }\n  - { at: 364d, fail: sip1, mode: silent }\n')
        + '  - { during: [1d, 363d], registered: { phone: alice, on: sip1 } }\n  - { by: 364d1h, registered: { phone: alice, on: sip2 } }\n';
      const r = runCli(['run', write(text), '--quiet']);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.contain('8760h simulated').and.contain('expectations: 3/3 hold');
    });

    it('maxEvents set in the file and reached: exit 2 at its line, how many events in how much simulated time, nothing written', () => {
      const text = GOOD.replace('duration: 1m\n', 'duration: 1m\nmaxEvents: 5\n');
      const file = write(text);
      const out = path.join(dir, 'guard-out');
      const err = inputError(runCli(['run', file, '--out', out]));
      expect(err).to.match(new RegExp(`^sipsim: ${file}:3: maxEvents: the run stopped after 5 events in \\S+ of simulated time \\(of 1m\\), .*: the limit set here; raise maxEvents if this load is intended$`));
      expect(err).not.to.contain('storm');
      expect(fs.existsSync(out), 'nothing written').to.equal(false);
    });
  });
});
