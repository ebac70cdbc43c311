import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/**
 * Issue 13 acceptance: a .cfg setting every key of the fact sheet's §2 tables (yealink-facts.md,
 * account 1, servers/proxies 1 and 2, static DNS entry 1) to a non-default valid value validates,
 * `explain` shows each value with its file:line, and no key is reported as not modelled. The
 * legacy per-account forms (§1.9, §2.6) are set in a second file and shown as the current keys.
 */
const EVERY_KEY: [string, string][] = [
  ['account.1.enable', '1'],
  ...[1, 2].flatMap((y): [string, string][] => [
    [`account.1.sip_server.${y}.address`, y === 1 ? 'pbx.example.com' : '10.0.0.2'],
    [`account.1.sip_server.${y}.port`, y === 1 ? '0' : '5062'],
    [`account.1.sip_server.${y}.transport_type`, y === 1 ? '3' : '1'],
    [`account.1.sip_server.${y}.expires`, '600'],
    [`account.1.sip_server.${y}.retry_counts`, '5'],
    [`account.1.sip_server.${y}.invite_retry_counts`, '5'],
    [`account.1.sip_server.${y}.failback_mode`, '3'],
    [`account.1.sip_server.${y}.failback_timeout`, '120'],
    [`account.1.sip_server.${y}.register_on_enable`, '1'],
    [`account.1.sip_server.${y}.only_signal_with_registered`, '1'],
    [`account.1.sip_server.${y}.failback_subscribe.enable`, '1'],
    [`account.1.outbound_proxy.${y}.address`, `10.0.0.${7 + y}`],
    [`account.1.outbound_proxy.${y}.port`, '5070'],
    [`account.1.outbound_proxy.${y}.register_on_enable`, '1'],
    [`account.1.outbound_proxy.${y}.retry_counts`, '4'],
    [`account.1.outbound_proxy.${y}.only_signal_with_registered`, '1'],
    [`account.1.outbound_proxy.${y}.invite_retry_counts`, '4'],
    [`account.1.outbound_proxy.${y}.failback_mode`, '2'],
  ]),
  ['account.1.naptr_build', '1'],
  ['account.1.register_expires_overlap', '30'],
  ['account.1.subscribe_expires_overlap', '20'],
  ['account.1.unregister_on_reboot', '1'],
  ['account.1.subscribe_register', '1'],
  ['sip.skip_redundant_failover_addr', '0'],
  ['account.1.fallback.redundancy_type', '1'],
  ['account.1.fallback.timeout', '60'],
  ['account.1.redundancy_with_reg_fail.enable', '1'],
  ['account.1.outbound_proxy_enable', '1'],
  ['account.1.outbound_proxy_fallback_interval', '600'],
  ['account.1.reg_fail_retry_interval', '45'],
  ['account.1.reg_failed_retry_min_time', '10'],
  ['account.1.reg_failed_retry_max_time', '120'],
  ['sip.reg_surge_prevention', '5'],
  ['sip.timer_t1', '1'],
  ['sip.timer_t2', '8'],
  ['sip.timer_t4', '10'],
  ['account.1.dns_cache_type', '2'],
  ['account.1.static_cache_pri', '1'],
  ['sip.dns_transport_type', '1'],
  ['static.network.dns.query_timeout', '5'],
  ['static.network.dns.retry_times', '3'],
  ['dns_cache_naptr.1.name', 'pbx.example.com'],
  ['dns_cache_naptr.1.order', '10'],
  ['dns_cache_naptr.1.preference', '20'],
  ['dns_cache_naptr.1.replace', '_sip._udp.pbx.example.com'],
  ['dns_cache_naptr.1.service', 'SIP+D2U'],
  ['dns_cache_naptr.1.ttl', '600'],
  ['dns_cache_srv.1.name', '_sip._udp.pbx.example.com'],
  ['dns_cache_srv.1.port', '5060'],
  ['dns_cache_srv.1.priority', '10'],
  ['dns_cache_srv.1.weight', '50'],
  ['dns_cache_srv.1.target', 'sip1.pbx.example.com'],
  ['dns_cache_srv.1.ttl', '600'],
  ['dns_cache_a.1.name', 'sip1.pbx.example.com'],
  ['dns_cache_a.1.ip', '10.0.0.1'],
  ['dns_cache_a.1.ttl', '600'],
  ['account.1.shared_line', '1'],
  ['account.1.line_seize.expires', '30'],
  ['account.1.bla_number', '200'],
  ['account.1.bla_subscribe_period', '300'],
  ['account.1.blf.subscribe_period', '600'],
  ['account.1.subscribe_mwi', '1'],
];

/** Legacy forms (fact sheet §1.9, §2.6) and the current key each is shown as. */
const LEGACY: [string, string, string][] = [
  ['account.1.sip_server_host', '10.0.0.1', 'account.1.sip_server.1.address'],
  ['account.1.sip_server_port', '5066', 'account.1.sip_server.1.port'],
  ['account.1.outbound_host', '10.0.0.8', 'account.1.outbound_proxy.1.address'],
  ['account.1.outbound_port', '5068', 'account.1.outbound_proxy.1.port'],
  ['account.1.transport', '1', 'account.1.sip_server.1.transport_type'],
  ['account.1.advanced.timer_t1', '2', 'sip.timer_t1'],
  ['account.1.advanced.timer_t2', '16', 'sip.timer_t2'],
  ['account.1.advanced.timer_t4', '20', 'sip.timer_t4'],
];

/** Validated, but their behaviour is not simulated: explain and the warning say so (never "not modelled"). */
const NOT_SIMULATED: string[] = [];

describe('issue 13 acceptance: every fact-sheet key set to a non-default value', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-everykey-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const rowOf = (out: string, key: string): string => out.split('\n').find((l) => l.trim().startsWith(`${key} `)) ?? '';

  it('validates; explain shows each key with its value and file:line; the not-modelled warning lists none', () => {
    const file = path.join(tmp, 'every-key.cfg');
    const text = ['#!version:1.0.0.1', ...EVERY_KEY.map(([k, v]) => `${k} = ${v}`), ''].join('\n');
    fs.writeFileSync(file, text);
    // The copy users run `sipsim explain` on (README) is this very file (UPDATE_GOLDEN=1 rewrites it).
    const example = path.join(repoRoot, 'docs', 'examples', 'every-fact-sheet-key.cfg');
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(example, text);
    expect(fs.readFileSync(example, 'utf8')).to.equal(text);
    const v = runCli(['validate', file]);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stderr).to.not.include('key not modelled by sipsim');
    const r = runCli(['explain', file]);
    expect(r.code, r.stderr).to.equal(0);
    EVERY_KEY.forEach(([key, value], i) => {
      const row = rowOf(r.stdout, key);
      expect(row, key).to.match(new RegExp(`^\\s*${key.replace(/\./g, '\\.')}\\s+${value.replace(/[.+]/g, '\\$&')}\\b`));
      expect(row, key).to.include(`every-key.cfg:${i + 2}`);
    });
    expect(r.stdout).to.not.include('key not modelled by sipsim');
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings.map((w) => w.replace(/^warning: \S+: ([^:]+): .*$/, '$1')).sort()).to.deep.equal([...NOT_SIMULATED].sort());
    for (const k of NOT_SIMULATED) expect(rowOf(r.stdout, k), k).to.include('[not simulated yet]');
  });

  it('the legacy forms are read as the current keys: explain shows the value and "file:line (legacy key …)"', () => {
    const file = path.join(tmp, 'legacy.cfg');
    fs.writeFileSync(file, ['#!version:1.0.0.1', 'account.1.enable = 1', 'account.1.outbound_proxy_enable = 1', ...LEGACY.map(([k, v]) => `${k} = ${v}`), ''].join('\n'));
    const r = runCli(['explain', file]);
    expect(r.code, r.stderr).to.equal(0);
    LEGACY.forEach(([legacy, value, current], i) => {
      expect(rowOf(r.stdout, current), legacy).to.match(new RegExp(`^\\s*${current.replace(/\./g, '\\.')}\\s+${value}\\b.*legacy\\.cfg:${i + 4} \\(legacy key ${legacy.replace(/\./g, '\\.')}\\)`));
    });
    expect(r.stdout).to.not.include('key not modelled by sipsim');
  });
});
