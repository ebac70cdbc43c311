import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/run-cli.js';

/** `sipsim explain`: every redundancy key with its value and origin, and the behaviour in words. */
describe('sipsim explain', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-explain-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, lines: string[]): string => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, ['#!version:1.0.0.1', ...lines, ''].join('\n'));
    return f;
  };
  const rowOf = (out: string, key: string): string => out.split('\n').find((l) => l.trim().startsWith(`${key} `)) ?? '';

  it('a minimal config: every key at its documented default, marked "default", and the default behaviour in words', () => {
    const f = write('min.cfg', ['account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com']);
    const r = runCli(['explain', f]);
    expect(r.code).to.equal(0);
    for (const [key, value] of [
      ['account.1.sip_server.1.retry_counts', '3'], ['account.1.sip_server.1.failback_mode', '0 (newRequests)'], ['account.1.sip_server.1.failback_timeout', '3600'],
      ['account.1.sip_server.1.expires', '3600'], ['account.1.fallback.redundancy_type', '0 (concurrent)'], ['account.1.fallback.timeout', '120'],
      ['sip.timer_t1', '0.5'], ['sip.timer_t2', '4'], ['account.1.reg_fail_retry_interval', '30'], ['account.1.dns_cache_type', '1 (cache)'],
    ]) {
      const row = rowOf(r.stdout, key!);
      expect(row, key).to.contain(value!);
      expect(row, key).to.match(/\bdefault\b/);
    }
    expect(r.stdout).to.contain('failback mode 0 (newRequests) — every new request tries the primary first');
    expect(r.stdout).to.contain('pbx.example.com:5060 over UDP — DNS A records'); // the default port 5060 is explicit: A only (R7)
    expect(r.stdout).to.contain('abandoned after 3 retransmissions (at 7.5s');
  });

  it('every key changed: each row names the file and line that set it, and the words follow', () => {
    const lines = [
      'account.1.enable = 1', 'account.1.user_name = 2001', 'account.1.subscribe_mwi = 1',
      'account.1.sip_server.1.address = pbx.example.com', 'account.1.sip_server.1.port = 0', 'account.1.sip_server.1.transport_type = 3',
      'account.1.sip_server.1.expires = 600', 'account.1.sip_server.1.retry_counts = 1', 'account.1.sip_server.1.failback_mode = 3',
      'account.1.sip_server.1.failback_timeout = 30', 'account.1.sip_server.2.address = 10.0.0.3', 'account.1.fallback.redundancy_type = 1',
      'account.1.fallback.timeout = 60', 'account.1.reg_fail_retry_interval = 45', 'account.1.register_expires_overlap = 60', 'sip.timer_t1 = 1', 'sip.reg_surge_prevention = 10',
      'account.1.outbound_proxy_enable = 1', 'account.1.outbound_proxy.1.address = 10.0.0.5', 'account.1.outbound_proxy.1.port = 5070',
      'account.1.outbound_proxy.1.retry_counts = 2', 'account.1.outbound_proxy.1.failback_mode = 1', 'account.1.shared_line = 1',
    ];
    const f = write('all.cfg', lines);
    const r = runCli(['explain', f]);
    expect(r.code).to.equal(0);
    lines.forEach((l, i) => {
      const key = l.split(' = ')[0]!;
      expect(rowOf(r.stdout, key), key).to.contain(`${f}:${i + 2}`);
    });
    expect(r.stdout).to.contain('the registrar domain in Request-URI and To; the packets go to the proxies');
    expect(r.stdout).to.contain('successive registration').and.to.contain('every 1m until it answers');
    expect(r.stdout).to.contain('renewed 60 s before it expires').and.to.contain('retried after 45s');
    expect(r.stdout).to.contain('random instant in the first 10s').and.to.contain('Features kept with the working server: mwi, shared-line');
    expect(r.stdout).to.contain('Every request goes through the outbound proxies: 10.0.0.5:5070');
    // outbound_proxy.1.retry_counts / failback_mode override server 1's (1 and 3) in the words.
    expect(r.stdout).to.contain('abandoned after 2 retransmissions').and.to.contain('failback mode 1 (DNSTTL)');
  });

  it('without proxies the words follow the server keys: NAPTR location, retry_counts, failback mode 3 with its timeout', () => {
    const f = write('noproxy.cfg', [
      'account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com', 'account.1.sip_server.1.port = 0', 'account.1.sip_server.1.transport_type = 3',
      'account.1.sip_server.1.retry_counts = 1', 'account.1.sip_server.1.failback_mode = 3', 'account.1.sip_server.1.failback_timeout = 30', 'sip.timer_t1 = 1',
    ]);
    const r = runCli(['explain', f]);
    expect(r.stdout).to.contain('DNS NAPTR picks the transport');
    expect(r.stdout).to.contain('abandoned after 1 retransmission (at 3s');
    // AMB-35 ★ (registrationRetryScope = retryCounts): retry_counts also bounds the registration's repeats.
    expect(r.stdout).to.contain('after the first attempt and 1 repeat (sip_server.Y.retry_counts) the account gives up and stays unregistered');
    expect(r.stdout).to.contain('failback mode 3 (duration) — new requests go to the server last registered with for 1m; then the next request starts at the primary (model option durationFailback=oneShot');
  });

  it('every key of the table changed from its default (generated from PHONE_KEYS): each row shows the new value and its file:line', async () => {
    const { PHONE_KEYS } = await import('../../sim/phone/phone-keys.js');
    const changed = (def: (typeof PHONE_KEYS)[number]): string => {
      switch (def.type) {
        case 'int': return String(Number(def.default) === def.max ? def.min : Math.min(def.max, Math.max(def.min, Number(def.default) + 1)));
        case 'decimal': return String(Number(def.default) === def.max ? def.min : def.max);
        case 'enum': return Object.keys(def.values).find((v) => v !== def.default)!;
        case 'text': return def.pattern.endsWith('address') ? '10.0.0.9' : def.pattern.endsWith('.ip') ? '10.0.0.8' : def.pattern.includes('dns_cache') ? 'x.example.com' : 'changed';
      }
    };
    const keys = PHONE_KEYS.map((d) => ({ key: d.pattern.replace('X', '1').replace('Y', '1').replace('N', '1'), value: changed(d), def: d }));
    const f = write('every.cfg', keys.map((k) => `${k.key} = ${k.value}`));
    const r = runCli(['explain', f]);
    expect(r.code, r.stderr).to.equal(0);
    keys.forEach((k, i) => {
      if (k.key.startsWith('dns_cache_')) return; // static entries are listed as raw lines
      const row = rowOf(r.stdout, k.key);
      expect(row, k.key).to.contain(`${f}:${i + 2}`);
      expect(row, k.key).to.contain(k.value);
    });
    for (const k of keys.filter((k) => k.key.startsWith('dns_cache_'))) expect(r.stdout, k.key).to.contain(`${k.key}`);
  });

  it('a bad value: exit 2 with file:line and key', () => {
    const f = write('bad.cfg', ['account.1.enable = 1', 'account.1.sip_server.1.failback_mode = 7']);
    const r = runCli(['explain', f]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(`${f}:3: account.1.sip_server.1.failback_mode: expected one of 0 (newRequests)`);
  });
});
