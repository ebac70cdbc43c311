import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliResult, repoRoot, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Misconfigurations that are valid input but almost surely mistakes are named — file:line, what
 * is odd — by `validate` (stderr, exit 0) and in the run summary; typos get the nearest known
 * word; enum and duration errors show what was found.
 */

const HEADER = '#!version:1.0.0.1';

/** A fresh directory holding `files` (name → text); returns its path. */
function workspace(files: Record<string, string>): string {
  const dir = tempDir('sipsim-warnings-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function cfg(...lines: string[]): string {
  return [HEADER, ...lines].join('\n') + '\n';
}

/** alice with account 1 on sip1 (10.0.0.1); `extra` cfg lines follow (line 4 on). */
const ALICE = (...extra: string[]) => cfg('account.1.enable = 1', 'account.1.sip_server.1.address = 10.0.0.1', ...extra);

function scenario(opts: { events?: string[]; expect?: string[] | null; more?: string } = {}): string {
  const events = opts.events ?? ['  - { at: 0s, boot: alice }'];
  const expectations = opts.expect === null ? [] : ['expect:', ...(opts.expect ?? ['  - { by: 5s, registered: { phone: alice, on: sip1 } }'])];
  return ['name: w', 'duration: 1m', 'phones:', '  alice: { address: 10.0.0.10, config: alice.cfg }', 'servers:', '  sip1: { address: 10.0.0.1 }',
    ...(opts.more ? [opts.more] : []), 'events:', ...events, ...expectations].join('\n') + '\n';
}

function cli(dir: string, ...args: string[]): CliResult {
  return runCli(args, { cwd: dir });
}

/** validate exits 0 with ok on stdout, and these warnings (whole lines) on stderr. */
function expectWarnings(dir: string, file: string, warnings: string[]): void {
  const r = cli(dir, 'validate', file);
  expect(r.code, r.stderr).to.equal(0);
  expect(r.stdout).to.equal(`ok: ${file}\n`);
  expect(r.stderr.split('\n').filter((l) => l !== '')).to.deep.equal(warnings.map((w) => `warning: ${w}`));
}

/** Exit 2 with exactly this one-line message. */
function expectError(r: CliResult, message: string): void {
  expect(r.code, r.stderr).to.equal(2);
  expect(r.stderr).to.equal(`sipsim: ${message}\n`);
}

describe('CLI: misconfigurations are warned about, with file:line', function () {
  this.timeout(30_000);

  it('a clean scenario gives no warning', () => {
    expectWarnings(workspace({ 'w.yaml': scenario(), 'alice.cfg': ALICE() }), 'w.yaml', []);
  });

  it('a server address no host has: validate warns (exit 0) and the run summary says it too', () => {
    const dir = workspace({ 'w.yaml': scenario(), 'alice.cfg': ALICE('account.1.sip_server.2.address = 10.0.0.9') });
    const warning = 'alice.cfg:4: account.1.sip_server.2.address: 10.0.0.9 is the address of no host in the scenario (alice 10.0.0.10, sip1 10.0.0.1): requests to it go unanswered (phone alice)';
    expectWarnings(dir, 'w.yaml', [warning]);
    const r = cli(dir, 'run', 'w.yaml', '--quiet');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`\n  warning: ${warning}\n`);
  });

  it('an outbound proxy address no host has (the servers then only name the domain: not warned about)', () => {
    const dir = workspace({
      'w.yaml': scenario(),
      'alice.cfg': cfg('account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com', 'account.1.outbound_proxy_enable = 1', 'account.1.outbound_proxy.1.address = 10.0.0.7'),
    });
    expectWarnings(dir, 'w.yaml', ['alice.cfg:5: account.1.outbound_proxy.1.address: 10.0.0.7 is the address of no host in the scenario (alice 10.0.0.10, sip1 10.0.0.1): requests to it go unanswered (phone alice)']);
  });

  it('a server domain name with no dns: section', () => {
    const dir = workspace({ 'w.yaml': scenario(), 'alice.cfg': cfg('account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com') });
    expectWarnings(dir, 'w.yaml', ['alice.cfg:3: account.1.sip_server.1.address: pbx.example.com is a domain name, but the scenario has no dns: section and no static cache entry names it: the phone cannot locate the server (phone alice)']);
  });

  it('a domain a static cache entry answers needs no dns: section', () => {
    const dir = workspace({
      'w.yaml': scenario(),
      'alice.cfg': cfg('account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com', 'account.1.sip_server.1.port = 5060', 'dns_cache_a.1.name = pbx.example.com', 'dns_cache_a.1.ip = 10.0.0.1'),
    });
    expectWarnings(dir, 'w.yaml', []);
  });

  it('an NXDOMAIN server name: warned about, and a call fails saying the name did not resolve (not "no server configured")', () => {
    const dns = ['dns:', '  server: 10.0.0.53', '  records:', '    - "sip1.pbx.example.com. 300 IN A 10.0.0.1"'].join('\n');
    const dir = workspace({
      'w.yaml': scenario({
        more: dns,
        events: ['  - { at: 0s, boot: alice }', '  - { at: 10s, call: { from: alice, to: "2000" } }'],
        expect: ['  - { by: 20s, call: { from: alice, outcome: failed } }'],
      }),
      'alice.cfg': cfg('account.1.enable = 1', 'account.1.sip_server.1.address = nowhere.example.com', 'account.1.sip_server.1.port = 0'),
    });
    expectWarnings(dir, 'w.yaml', ['alice.cfg:3: account.1.sip_server.1.address: nowhere.example.com does not resolve: no dns.records line and no static cache entry names it (NXDOMAIN) (phone alice)']);
    const r = cli(dir, 'run', 'w.yaml');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('alice: call 1 idle → failed (the server name did not resolve: no server address for nowhere.example.com (A nowhere.example.com: nxdomain))');
    expect(r.stdout).not.to.contain('no server configured');
  });

  it('a boot of a phone already booted', () => {
    const dir = workspace({ 'w.yaml': scenario({ events: ['  - { at: 0s, boot: alice }', '  - { at: 30s, boot: alice }'] }), 'alice.cfg': ALICE() });
    expectWarnings(dir, 'w.yaml', ['w.yaml:9: events[1]: boot alice: already booted at 0s (line 8); a booted phone ignores another boot']);
  });

  it('a scenario with no expectations: warned in validate, and the run summary', () => {
    const dir = workspace({ 'w.yaml': scenario({ expect: null }), 'alice.cfg': ALICE() });
    expectWarnings(dir, 'w.yaml', ['w.yaml:1: the scenario has no expectations (expect:): it passes whatever happens']);
    const r = cli(dir, 'run', 'w.yaml', '--quiet');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('  warning: w.yaml:1: the scenario has no expectations');
  });

  it('a common file shared by two phones warns once, naming both', () => {
    const yaml = scenario().replace('  alice: { address: 10.0.0.10, config: alice.cfg }', '  alice: { address: 10.0.0.10, config: [common.cfg, alice.cfg] }\n  bob: { address: 10.0.0.11, config: [common.cfg, alice.cfg] }');
    const dir = workspace({ 'w.yaml': yaml, 'alice.cfg': ALICE(), 'common.cfg': cfg('lcd.contrast = 3') });
    expectWarnings(dir, 'w.yaml', ['common.cfg:2: lcd.contrast: key not modelled by sipsim (ignored) (phones alice, bob)']);
  });
});

describe('CLI: typos get suggestions, errors show what was found', function () {
  this.timeout(30_000);

  it('a misspelled YAML key: "unknown key \'adress\' — did you mean \'address\'?" at its line (not "address: missing")', () => {
    const dir = workspace({ 'w.yaml': scenario().replace('{ address: 10.0.0.10,', '{ adress: 10.0.0.10,'), 'alice.cfg': ALICE() });
    expectError(cli(dir, 'validate', 'w.yaml'), "w.yaml:4: phones.alice.adress: unknown key 'adress' — did you mean 'address'? (expected one of address, config, settings)");
  });

  it('a misspelled event action: the nearest action is offered', () => {
    const dir = workspace({ 'w.yaml': scenario({ events: ['  - { at: 0s, bot: alice }'] }), 'alice.cfg': ALICE() });
    expectError(cli(dir, 'validate', 'w.yaml'), "w.yaml:8: events[0]: expected an event with one action: one of boot, fail, recover, call, incoming, link, partition, heal, dns, calls — 'bot': did you mean 'boot'?");
  });

  it('a misspelled .cfg key: the nearest known key, with the same account and server numbers', () => {
    const dir = workspace({ 'alice.cfg': ALICE('account.1.sip_server.2.adress = 10.0.0.2') });
    expectWarnings(dir, 'alice.cfg', ["alice.cfg:4: account.1.sip_server.2.adress: key not modelled by sipsim (ignored) — did you mean 'account.1.sip_server.2.address'?"]);
  });

  it('an unknown .cfg key nothing is near gets no suggestion', () => {
    expectWarnings(workspace({ 'alice.cfg': ALICE('lcd.contrast = 3') }), 'alice.cfg', ['alice.cfg:4: lcd.contrast: key not modelled by sipsim (ignored)']);
  });

  it('an enum error shows what was found and the nearest value: outcome: faild', () => {
    const dir = workspace({ 'w.yaml': scenario({ expect: ['  - { by: 5s, call: { from: alice, outcome: faild } }'] }), 'alice.cfg': ALICE() });
    expectError(cli(dir, 'validate', 'w.yaml'), "w.yaml:10: expect[0].call.outcome: expected one of answered, failed, busy, found 'faild' — did you mean 'failed'?");
  });

  it('a fail mode typo, and a number that is no mode', () => {
    const dir = workspace({ 'w.yaml': scenario({ events: ['  - { at: 0s, fail: sip1, mode: silnet }'] }), 'alice.cfg': ALICE() });
    expectError(cli(dir, 'validate', 'w.yaml'), "w.yaml:8: events[0].mode: expected one of silent, unreachable, host-unreachable, 503, slow, found 'silnet' — did you mean 'silent'?");
    fs.writeFileSync(path.join(dir, 'w.yaml'), scenario({ events: ['  - { at: 0s, fail: sip1, mode: 504 }'] }));
    expectError(cli(dir, 'validate', 'w.yaml'), 'w.yaml:8: events[0].mode: expected one of silent, unreachable, host-unreachable, 503, slow, found 504');
  });

  it('a duration without a unit: "found 360 — a duration needs a unit: 360s?"', () => {
    const dir = workspace({ 'w.yaml': scenario({ events: ['  - { at: 360, boot: alice }'] }), 'alice.cfg': ALICE() });
    expectError(cli(dir, 'validate', 'w.yaml'), 'w.yaml:8: events[0].at: found 360 — a duration needs a unit: 360s?');
  });
});

describe('CLI: line endings and control characters', function () {
  this.timeout(30_000);

  it('a .cfg with CR-only line endings is read line by line', () => {
    const text = [HEADER, 'account.1.enable = 1', 'account.1.sip_server.1.address = 10.0.0.1', 'account.1.sip_server.1.port = 5070'].join('\r') + '\r';
    const dir = workspace({ 'mac.cfg': text });
    const r = cli(dir, 'explain', 'mac.cfg');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/account\.1\.sip_server\.1\.port\s+5070/);
    // and an error names the right line
    fs.writeFileSync(path.join(dir, 'mac.cfg'), text + 'account.1.sip_server.1.port = x\r');
    expectError(cli(dir, 'validate', 'mac.cfg'), 'mac.cfg:5: account.1.sip_server.1.port: expected an integer from 0 to 65535, found "x"');
  });

  it('control and line-separator characters in an echoed value are escaped in errors', () => {
    const dir = workspace({ 'mac.cfg': ALICE('account.1.sip_server.1.port = 50\u000760') });
    expectError(cli(dir, 'validate', 'mac.cfg'), 'mac.cfg:4: account.1.sip_server.1.port: expected an integer from 0 to 65535, found "50\\x0760"');
    fs.writeFileSync(path.join(dir, 'w.yaml'), scenario({ expect: ['  - { by: 5s, call: { from: alice, outcome: "fa\\u2028iled\\u0085" } }'] }));
    fs.writeFileSync(path.join(dir, 'alice.cfg'), ALICE());
    expectError(cli(dir, 'validate', 'w.yaml'), "w.yaml:10: expect[0].call.outcome: expected one of answered, failed, busy, found 'fa\\u2028iled\\x85' — did you mean 'failed'?");
  });

  it('and in warnings (a file name with U+2028)', () => {
    const dir = workspace({ 'a\u2028b.cfg': ALICE('lcd.contrast = 3') });
    expectWarnings(dir, 'a\u2028b.cfg', ['a\\u2028b.cfg:4: lcd.contrast: key not modelled by sipsim (ignored)']);
  });
});

describe('CLI: mode: 503 unquoted (as DESIGN.md writes it)', function () {
  this.timeout(60_000);

  it('validates and runs exactly as mode: "503"', () => {
    const original = fs.readFileSync(path.join(repoRoot, 'scenarios', '04-server1-503.yaml'), 'utf8');
    expect(original).to.contain('mode: "503"');
    const dir = workspace({ '04-server1-503.yaml': original.replace('mode: "503"', 'mode: 503') });
    fs.cpSync(path.join(repoRoot, 'scenarios', 'phones'), path.join(dir, 'phones'), { recursive: true });
    expectWarnings(dir, '04-server1-503.yaml', []);
    const unquoted = cli(dir, 'run', '04-server1-503.yaml');
    const quoted = runCli(['run', '04-server1-503.yaml'], { cwd: path.join(repoRoot, 'scenarios') });
    expect(unquoted.code, unquoted.stderr).to.equal(0);
    expect(unquoted.stdout).to.equal(quoted.stdout);
  });

  it('the JSON Schema accepts both the string and the number', () => {
    const schema = JSON.stringify(JSON.parse(runCli(['schema']).stdout));
    expect(schema).to.contain('{"anyOf":[{"type":"string","enum":["503","silent","unreachable","host-unreachable","slow"]},{"type":"number","const":503}]}');
  });
});
