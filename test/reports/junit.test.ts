import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/** JUnit XML as CI reads it: stable names, the counts reporters show, and safe text. */
describe('JUnit XML', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-junit-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function junitOf(yaml: string, name: string): string {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, yaml);
    const out = path.join(dir, `${name}.xml`);
    const r = runCli(['run', file, '--quiet', '--junit', out]);
    expect(r.code, r.stderr).to.be.oneOf([0, 1]);
    return fs.readFileSync(out, 'utf8');
  }
  const names = (xml: string): string[] => [...xml.matchAll(/<testcase [^>]*name="([^"]*)"/g)].map((m) => m[1]!);

  it('keeps every test case name when the scenario is edited above the expectations', () => {
    const base = fs.readFileSync(path.join(repoRoot, 'scenarios', '04-server1-503.yaml'), 'utf8').replaceAll('phones/', `${repoRoot}/scenarios/phones/`);
    const edited = base.replace(/^name:/m, '# a comment added\n# and another\nname:').replace(/^events:/m, 'events:\n  - { at: 0s, link: { between: [alice, sip2], delay: 20ms } }');
    const a = junitOf(base, 'before');
    const b = junitOf(edited, 'after');
    expect(names(a)).to.have.length.greaterThan(3);
    expect(names(b)).to.deep.equal(names(a));
    expect(a).to.not.equal(b); // the line attributes moved
  });

  it('has the counts and attributes reporters read, identical expectations told apart, failures with the seen-instead text', () => {
    const xml = junitOf([
      'name: counts', 'duration: 1m',
      `phones: { alice: { address: 10.0.0.10, config: [${repoRoot}/scenarios/phones/common.cfg, ${repoRoot}/scenarios/phones/alice.cfg] } }`,
      'servers: { sip1: { address: 10.0.0.1 }, sip2: { address: 10.0.0.2 } }',
      'events: [ { at: 0s, boot: alice } ]',
      'expect:',
      '  - { by: 1s, registered: { phone: alice, on: sip1 } }',
      '  - { by: 1s, registered: { phone: alice, on: sip1 } }',
      '  - { never: true, sends: { from: alice, to: sip1, method: REGISTER } }',
    ].join('\n'), 'counts');
    expect(xml).to.match(/<testsuites name="sipsim" tests="3" failures="1" errors="0" skipped="0" time="0">/);
    expect(xml).to.match(/<testsuite name="counts" tests="3" failures="1" errors="0" skipped="0" time="0">/);
    expect(names(xml)).to.deep.equal([
      '{ by: 1s, registered: { phone: alice, on: sip1 } }',
      '{ by: 1s, registered: { phone: alice, on: sip1 } } (2)',
      '{ never: true, sends: { from: alice, to: sip1, method: REGISTER } }',
    ]);
    expect(xml).to.match(/<failure message="seen instead: REGISTER alice→sip1 at [^"]+" type="expectation">/);
    expect(xml).to.match(/line="8" time="0">/);
  });

  it('escapes markup and characters XML cannot hold, from a dialled number in the expectation', () => {
    const xml = junitOf([
      'name: "<b>names</b>"', 'duration: 30s',
      `phones: { alice: { address: 10.0.0.10, config: [${repoRoot}/scenarios/phones/common.cfg, ${repoRoot}/scenarios/phones/alice.cfg] } }`,
      'servers: { sip1: { address: 10.0.0.1 }, sip2: { address: 10.0.0.2 } }',
      'events: [ { at: 0s, boot: alice } ]',
      'expect:',
      '  - { never: true, call: { from: alice, to: "<script>alert(1)</script>\\a\\x01&\'" } }',
    ].join('\n'), 'escape');
    expect(xml).to.not.contain('<script>');
    expect(xml).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(xml).to.not.match(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml.match(/<testcase /g)).to.have.length(1);
  });
});

describe('JUnit text escaping', () => {
  it('writes control characters and lone surrogates as visible escapes, keeps tab/newline and pairs', async () => {
    const { esc } = await import('../../reports/junit.js');
    expect(esc('a\u0007b\u0001c')).to.equal('a\\u0007b\\u0001c');
    expect(esc('x\uD800y')).to.equal('x\\ud800y');
    expect(esc('ok\t\n😀')).to.equal('ok\t\n😀');
    expect(esc(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
