import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Runtime DNS failures are traced with the phone's documented reaction (the registration fails
 * with the DNS reason and is retried after reg_fail_retry_interval); input mistakes in zone
 * lines are file:line errors with exit 2.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

function scenario(dir: string, records: string[], extra = ''): string {
  const file = path.join(dir, `s${fs.readdirSync(dir).length}.yaml`);
  fs.writeFileSync(
    file,
    [
      'name: dns failure',
      'duration: 2m',
      'phones:',
      `  carol: { address: 10.0.0.12, config: [${PHONES}/common.cfg, ${PHONES}/carol-srv.cfg], settings: { account.1.sip_server.2.address: "" } }`,
      'dns:',
      '  server: 10.0.0.53',
      '  records:',
      ...records.map((r) => `    - "${r}"`),
      'servers:',
      '  sip1: { address: 10.0.0.1 }',
      'network: { default: { delay: 10ms } }',
      'events:',
      '  - { at: 0s, boot: carol }',
      extra,
    ].join('\n'),
  );
  return file;
}

const registrationReasons = (records: readonly TraceEvent[]): [number, string, string][] =>
  records.filter((r) => r.kind === 'phone.registration').map((r) => (r.kind === 'phone.registration' ? [r.t / 1e6, r.to, r.reason] : [0, '', '']));

describe('DNS failures at run time and in the input', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-dnsfail-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('an SRV target with no address is skipped: the phone registers with the next target', () => {
    const run = runRecorded(loadScenario(scenario(tmp, [
      '_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 ghost.pbx.example.com.',
      '_sip._udp.pbx.example.com. 300 IN SRV 20 50 5060 sip1.pbx.example.com.',
      'sip1.pbx.example.com. 300 IN A 10.0.0.1',
    ])));
    const resolved = run.records.find((r) => r.kind === 'dns.resolved');
    expect(resolved && resolved.kind === 'dns.resolved' ? resolved.servers.map((s) => s.ip) : null).to.deep.equal(['10.0.0.1']);
    const ghost = run.records.find((r) => r.kind === 'dns.answer' && r.name === 'ghost.pbx.example.com');
    expect(ghost && ghost.kind === 'dns.answer' ? ghost.rcode : null).to.equal('NXDOMAIN');
    expect(registrationReasons(run.records).at(-1)![1]).to.equal('registered');
  });

  it('a CNAME loop answers SERVFAIL; the registration fails with that reason and is retried 30 s later', () => {
    const run = runRecorded(loadScenario(scenario(tmp, [
      '_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.',
      'sip1.pbx.example.com. 300 IN CNAME a.pbx.example.com.',
      'a.pbx.example.com. 300 IN CNAME sip1.pbx.example.com.',
    ])));
    expect(run.records.some((r) => r.kind === 'dns.answer' && r.rcode === 'SERVFAIL')).to.equal(true);
    const reasons = registrationReasons(run.records);
    const failed = reasons.filter(([, to]) => to === 'failed');
    expect(failed.length).to.be.greaterThan(0);
    expect(failed[0]![2]).to.match(/^DNS: /).and.to.match(/servfail/);
    const retry = reasons.find(([t, to]) => to === 'registering' && t > failed[0]![0]);
    expect(retry![0] - failed[0]![0]).to.equal(30);
  });

  it('a domain with no records at all: NXDOMAIN is cached (negative TTL from the SOA) and the registration fails', () => {
    const run = runRecorded(loadScenario(scenario(tmp, ['other.example.com. 300 IN A 10.0.0.9', 'example.com. 300 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 45'])));
    const failed = registrationReasons(run.records).filter(([, to]) => to === 'failed');
    expect(failed[0]![2]).to.match(/^DNS: /);
    // The retry 30 s later is answered from the negative cache (45 s SOA minimum): no new query.
    const cacheHits = run.records.filter((r) => r.kind === 'dns.cache' && r.source === 'negative').map((r) => r.t / 1e6);
    expect(cacheHits.length).to.be.greaterThan(0);
    expect(cacheHits[0]).to.be.within(30, 31);
  });

  it('a malformed zone line is an input error naming the scenario line and the record', () => {
    const file = scenario(tmp, ['sip1.pbx.example.com. 300 IN A 10.0.0.1', 'sip2.pbx.example.com. 300 IN A 10.0.0.300']);
    const r = runCli(['run', file]);
    expect(r.code).to.equal(2);
    const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('10.0.0.300')) + 1;
    expect(r.stderr).to.contain(`${file}:${line}: dns.records[1]:`);
    expect(r.stderr).not.to.match(/\n\s+at /);
  });

  it('a host named "dns" clashes with the DNS server\'s name', () => {
    const file = scenario(tmp, ['sip1.pbx.example.com. 300 IN A 10.0.0.1']).replace(/s(\d+)\.yaml$/, 'clash$1.yaml');
    fs.writeFileSync(file, fs.readFileSync(scenario(tmp, ['sip1.pbx.example.com. 300 IN A 10.0.0.1']), 'utf8').replace('  sip1: { address: 10.0.0.1 }', '  sip1: { address: 10.0.0.1 }\n  dns: { address: 10.0.0.9 }'));
    const r = runCli(['validate', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('dns.server').and.to.contain('"dns"');
  });
});

describe('static DNS cache when the servers DNS returned cannot be contacted (R8)', function () {
  this.timeout(30_000);
  it('live DNS says sip2, which refuses; the static entries (sip1) are tried next and the phone registers there', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-r8-'));
    const file = path.join(dir, 'r8.yaml');
    fs.writeFileSync(file, [
      'name: static after live', 'duration: 1m',
      `phones: { dave: { address: 10.0.0.13, config: [${PHONES}/common.cfg, ${PHONES}/dave-static.cfg] } }`,
      'dns: { server: 10.0.0.53, records: ["_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip2.pbx.example.com.", "sip2.pbx.example.com. 300 IN A 10.0.0.2"] }',
      'servers: { sip1: { address: 10.0.0.1 }, sip2: { address: 10.0.0.2 } }',
      'network: { default: { delay: 10ms } }',
      'events: [ { at: 0s, fail: sip2, mode: unreachable }, { at: 0s, boot: dave } ]',
    ].join('\n'));
    const records = runRecorded(loadScenario(file)).records;
    const registers = records.flatMap((r) => (r.kind === 'net.send' && r.label === 'REGISTER' ? [[r.t / 1e6, r.to]] : []));
    expect(registers).to.deep.equal([[0.04, 'sip2'], [0.06, 'sip1']]);
    const ok = records.find((r) => r.kind === 'phone.registration' && r.to === 'registered');
    expect(ok && ok.kind === 'phone.registration' ? ok.server : null).to.equal('sip1');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('static DNS cache TTLs count from first use (fact sheet AMB-17)', function () {
  this.timeout(30_000);
  function run(bootAt: string, ttl: number): { registeredAt: number | undefined; registers: number[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-amb17-'));
    const cfg = path.join(dir, 'ttl.cfg');
    fs.writeFileSync(cfg, `#!version:1.0.0.1\ndns_cache_srv.1.ttl = ${ttl}\ndns_cache_a.1.ttl = ${ttl}\n`);
    const file = path.join(dir, 'late-boot.yaml');
    fs.writeFileSync(file, [
      'name: late boot, DNS down, static entries', 'duration: 8m',
      `phones: { dave: { address: 10.0.0.13, config: [${PHONES}/common.cfg, ${PHONES}/dave-static.cfg, ${cfg}] } }`,
      'dns: { server: 10.0.0.53, records: ["sip1.pbx.example.com. 300 IN A 10.0.0.1"] }',
      'servers: { sip1: { address: 10.0.0.1 } }',
      'network: { default: { delay: 10ms } }',
      `events: [ { at: 0s, fail: dns, mode: silent }, { at: ${bootAt}, boot: dave } ]`,
    ].join('\n'));
    const records = runRecorded(loadScenario(file)).records;
    fs.rmSync(dir, { recursive: true, force: true });
    const ok = records.find((r) => r.kind === 'phone.registration' && r.to === 'registered');
    return {
      registeredAt: ok ? ok.t / 1e6 : undefined,
      registers: records.flatMap((r) => (r.kind === 'net.send' && r.label === 'REGISTER' ? [r.t / 1e6] : [])),
    };
  }

  it('a phone booting at 5 min with DNS down and TTL-120 static entries registers within seconds of its DNS timeouts', () => {
    const late = run('5m', 120);
    // SRV then A time out against the silent DNS (2 × 9 s: query_timeout 3 s, retry_times 2), then the static entries answer.
    expect(late.registeredAt).to.be.a('number');
    expect(late.registeredAt! - 300).to.be.within(18, 19);
    expect(late.registers[0]! - 300).to.equal(18);
  });

  it('the same phone booting at 0 registers at the same offset: boot time does not change what the entries give', () => {
    const early = run('0s', 120);
    const late = run('5m', 120);
    expect(late.registeredAt! - 300).to.be.closeTo(early.registeredAt!, 1e-6);
  });
});
