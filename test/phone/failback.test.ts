import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { Located } from '../../sim/dns/server-locator.js';
import { FailbackPreference } from '../../sim/phone/failback.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { FAILBACK_DEFAULTS } from '../../sim/phone/options/failback.js';
import type { ServerSettings } from '../../sim/phone/phone-config.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const primary: Located = { ip: '10.0.0.1', port: 5060, transport: 'udp', name: 'sip1' };
const secondary: Located = { ip: '10.0.0.2', port: 5060, transport: 'udp', name: 'sip2' };
const list = [primary, secondary];
const server = (mode: 0 | 1 | 2 | 3, timeoutS = 60): ServerSettings => ({
  index: 1, address: 'pbx.example.com', port: 0, transport: 0, expires: 300, retryCounts: 3, inviteRetryCounts: 3,
  failbackMode: mode, failbackTimeout: timeoutS * 1e6, registerOnEnable: false, onlySignalWithRegistered: false,
});
const names = (l: Located[]): string[] => l.map((a) => a.name);

describe('failback preference (R4), pure', () => {
  it('mode 0 (newRequests): always the primary first, nothing to schedule', () => {
    const f = new FailbackPreference(server(0));
    expect(f.registered(list, 1, 10e6, 120e6)).to.equal(undefined);
    expect(names(f.order(list, 'invite', 11e6))).to.deep.equal(['sip1', 'sip2']);
  });

  it('mode 1 (DNSTTL), dnsTtlSource aRecord (★): the secondary first until its A record runs out, then the next request starts at the primary; no probe', () => {
    const f = new FailbackPreference(server(1));
    // The list's first record runs out at 60 s, sip2's A record at 120 s: the A record decides.
    expect(f.registered(list, 1, 10e6, 60e6, Infinity, 120e6)).to.equal(undefined);
    expect(f.lapsesAt()).to.equal(120e6);
    expect(names(f.order(list, 'invite', 119e6))).to.deep.equal(['sip2', 'sip1']);
    expect(names(f.order(list, 'refresh', 119e6))).to.deep.equal(['sip2', 'sip1']);
    // A renewal with sip2 at 100 s, its A record fetched anew (lasting to 220 s), does not push the lapse on.
    expect(f.registered(list, 1, 100e6, 220e6, Infinity, 220e6)).to.equal(undefined);
    expect(f.lapsesAt()).to.equal(120e6);
    expect(names(f.order(list, 'invite', 120e6))).to.deep.equal(['sip1', 'sip2']);
    // After the lapse, registering with sip2 again (the primary still down) starts a new preference.
    f.registered(list, 1, 130e6, 250e6, Infinity, 250e6);
    expect(f.lapsesAt()).to.equal(250e6);
    expect(names(f.order(list, 'invite', 249e6))).to.deep.equal(['sip2', 'sip1']);
  });

  it('mode 1 (DNSTTL), dnsTtlSource minAlongChain: until the smallest TTL along the chain, then a REGISTER probe at once', () => {
    const f = new FailbackPreference(server(1), { ...FAILBACK_DEFAULTS, dnsTtlSource: 'minAlongChain' });
    expect(f.registered(list, 1, 10e6, 60e6, Infinity, 120e6)).to.equal(60e6);
    expect(names(f.order(list, 'invite', 59e6))).to.deep.equal(['sip2', 'sip1']);
    expect(names(f.order(list, 'refresh', 59e6))).to.deep.equal(['sip2', 'sip1']);
    expect(names(f.order(list, 'invite', 60e6))).to.deep.equal(['sip1', 'sip2']);
  });

  it('mode 2 (registration): calls go to the secondary, renewals try the primary', () => {
    const f = new FailbackPreference(server(2));
    expect(f.registered(list, 1, 10e6, 120e6)).to.equal(undefined);
    expect(names(f.order(list, 'invite', 500e6))).to.deep.equal(['sip2', 'sip1']);
    expect(names(f.order(list, 'refresh', 500e6))).to.deep.equal(['sip1', 'sip2']);
  });

  it('mode 3 (duration): the secondary for failback_timeout; 0 = until the secondary fails', () => {
    const f = new FailbackPreference(server(3, 60));
    expect(f.registered(list, 1, 10e6, 120e6)).to.equal(undefined); // oneShot: no probe
    expect(f.lapsesAt()).to.equal(70e6);
    expect(names(f.order(list, 'invite', 69e6))).to.deep.equal(['sip2', 'sip1']);
    expect(names(f.order(list, 'invite', 70e6))).to.deep.equal(['sip1', 'sip2']);
    const never = new FailbackPreference(server(3, 0));
    expect(never.registered(list, 1, 10e6, 120e6)).to.equal(undefined);
    expect(names(never.order(list, 'invite', 1e12))).to.deep.equal(['sip2', 'sip1']);
    never.failed(secondary);
    expect(names(never.order(list, 'invite', 1e12))).to.deep.equal(['sip1', 'sip2']);
  });

  it('registering with the primary clears the preference', () => {
    const f = new FailbackPreference(server(3, 60));
    f.registered(list, 1, 10e6, 120e6);
    f.registered(list, 0, 80e6, 200e6);
    expect(names(f.order(list, 'invite', 81e6))).to.deep.equal(['sip1', 'sip2']);
  });
});

describe('failback modes end to end: primary down at boot, back at 1m — when the phone returns to it', function () {
  this.timeout(30_000);
  const returnTo = (id: string, model: Partial<ModelOptions> = {}): { backOnPrimary: number; callVia: string | null } => {
    const run = runRecorded(loadScenario(path.join(repoRoot, 'scenarios', `${id}.yaml`)), { model });
    const w = run.records.filter((r) => r.kind === 'phone.working-server').map((r) => (r.kind === 'phone.working-server' ? [r.t / 1e6, r.server] as const : [0, null] as const));
    expect(w[0], 'first working server').to.deep.equal([7.58, 'sip2']);
    const back = w.find(([, s]) => s === 'sip1');
    const call = run.records.find((r) => r.kind === 'call.outcome');
    return { backOnPrimary: back ? back[0] : NaN, callVia: call && call.kind === 'call.outcome' ? call.via : null };
  };

  it('mode 0 newRequests: the call at 1m30s goes to the primary; the registration returns at the renewal (4m37.66s)', () => {
    expect(returnTo('16-failback-mode0-new-requests')).to.deep.equal({ backOnPrimary: 277.66, callVia: 'sip1' });
  });
  it('mode 1 DNSTTL, dnsTtlSource aRecord (★): sip2\'s A record (fetched at 0.06 s, TTL 120 s) lapses at 2m0.06s with nothing sent; the call at 1m30s goes to sip2, the one at 2m30s to sip1; the registration returns at the renewal (4m37.66s)', () => {
    const r = runRecorded(loadScenario(path.join(repoRoot, 'scenarios', '17-failback-mode1-dnsttl.yaml'))).records;
    expect(returnTo('17-failback-mode1-dnsttl')).to.deep.equal({ backOnPrimary: 277.66, callVia: 'sip2' });
    const lapse = r.find((e) => e.kind === 'phone.register-attempt' && /A record of the registered server ran out/.test(e.reason));
    expect(lapse?.t).to.equal(120_060_000);
    const calls = r.flatMap((e) => (e.kind === 'call.outcome' ? [[e.t / 1e6, e.outcome, e.via]] : []));
    expect(calls).to.deep.equal([[91.02, 'answered', 'sip2'], [151.08, 'answered', 'sip1']]);
    const registersToSip1 = r.flatMap((e) => (e.kind === 'net.send' && e.to === 'sip1' && e.label === 'REGISTER' && e.t > 60e6 ? [e.t / 1e6] : []));
    expect(registersToSip1[0]).to.equal(277.64);
  });
  it('mode 1 DNSTTL, dnsTtlSource minAlongChain: back when the first 120 s record used expires (REGISTER probe at 2m0.08s after a fresh lookup, registered 2m0.1s); the call before goes to sip2', () => {
    expect(returnTo('17-failback-mode1-dnsttl', { dnsTtlSource: 'minAlongChain' })).to.deep.equal({ backOnPrimary: 120.1, callVia: 'sip2' });
  });
  it('mode 1 DNSTTL with SRV TTL 60 s, A TTL 120 s: aRecord lapses at 2m0.06s (call at 1m30s via sip2), srvRecord at 1m0.02s (call via sip1, nothing sent at the lapse), minAlongChain probes at 1m0.02s (REGISTER 1m0.04s, back 1m0.06s)', () => {
    const text = fs.readFileSync(path.join(repoRoot, 'scenarios', '17-failback-mode1-dnsttl.yaml'), 'utf8')
      .replace(/_sip\._udp\.pbx\.example\.com\. 120 IN SRV/g, '_sip._udp.pbx.example.com. 60 IN SRV')
      .replace(/phones\//g, `${path.join(repoRoot, 'scenarios', 'phones')}/`);
    expect(text.match(/ 60 IN SRV/g)).to.have.length(2);
    const dir = tempDir('sipsim-ttl-');
    const file = path.join(dir, 'srv60.yaml');
    fs.writeFileSync(file, text);
    try {
      const see = (dnsTtlSource: ModelOptions['dnsTtlSource']) => {
        const r = runRecorded(loadScenario(file), { model: { dnsTtlSource } }).records;
        const lapse = r.find((e) => e.kind === 'phone.register-attempt' && /ran out|has lapsed/.test(e.reason));
        const call = r.find((e) => e.kind === 'call.outcome');
        const back = r.find((e) => e.kind === 'phone.working-server' && e.server === 'sip1');
        return { lapse: lapse ? lapse.t / 1e6 : null, callVia: call?.kind === 'call.outcome' ? call.via : null, back: back ? back.t / 1e6 : null };
      };
      expect(see('aRecord')).to.deep.equal({ lapse: 120.06, callVia: 'sip2', back: 277.66 });
      expect(see('srvRecord')).to.deep.equal({ lapse: 60.02, callVia: 'sip1', back: 277.66 });
      expect(see('minAlongChain')).to.deep.equal({ lapse: 60.04, callVia: 'sip1', back: 60.06 }); // the A records still cached: REGISTER right after the SRV answer
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('mode 2 registration: the call goes to sip2; back at the renewal (4m37.66s)', () => {
    expect(returnTo('18-failback-mode2-registration')).to.deep.equal({ backOnPrimary: 277.66, callVia: 'sip2' });
  });
  it('mode 3 duration (failback_timeout 60 s, durationFailback oneShot): the call after 1m7.58s goes to sip1; the registration returns at the renewal (4m37.66s)', () => {
    expect(returnTo('19-failback-mode3-duration')).to.deep.equal({ backOnPrimary: 277.66, callVia: 'sip1' });
  });
});

describe('fallback: concurrent vs successive registration on the same outage (sip1 silent 1m–5m)', function () {
  this.timeout(30_000);
  const run = (id: string) => runRecorded(loadScenario(path.join(repoRoot, 'scenarios', `${id}.yaml`)));
  const registerTimes = (records: readonly TraceEvent[], to: string): number[] =>
    records.flatMap((r) => (r.kind === 'net.send' && r.to === to && r.label === 'REGISTER' ? [r.t / 1e6] : []));

  it('concurrent: the fallback is registered from boot, so there is no unregistered gap; MWI is lost on it and comes back', () => {
    const r = run('20-fallback-concurrent');
    expect(registerTimes(r.records, 'backup')[0]).to.equal(0);
    const working = r.records.filter((e) => e.kind === 'phone.working-server').map((e) => (e.kind === 'phone.working-server' ? [e.t / 1e6, e.server] : []));
    expect(working).to.deep.equal([[0.02, 'sip1'], [140.02, 'backup'], [301.54, 'sip1']]);
    const mwi = r.records.filter((e) => e.kind === 'phone.feature').map((e) => (e.kind === 'phone.feature' ? [e.t / 1e6, e.available] : []));
    expect(mwi).to.deep.equal([[0.04, true], [140.02, false], [301.56, true]]); // lost as backup becomes working (fallbackFeatureSet = basicCallsOnly)
  });

  it('successive: the fallback registers only after sip1 fails (a 20 ms gap), sip1 is probed every fallback.timeout, and the fallback is dropped on return', () => {
    const r = run('21-fallback-successive');
    expect(registerTimes(r.records, 'backup')).to.deep.equal([140.02, 248.04, 356.06]); // registration and renewals at 90 % of 120 s, until sip1 is back
    expect(registerTimes(r.records, 'sip1').filter((t) => t > 140)).to.include.members([260.02, 412.02]);
    const working = r.records.filter((e) => e.kind === 'phone.working-server').map((e) => (e.kind === 'phone.working-server' ? [e.t / 1e6, e.server] : []));
    expect(working).to.deep.equal([[0.02, 'sip1'], [140.02, null], [140.04, 'backup'], [412.04, 'sip1']]);
    const dropped = r.records.find((e) => e.kind === 'phone.registration' && e.server === 'backup' && e.to === 'unregistered');
    expect(dropped?.t).to.equal(412_040_000);
  });
});

describe('register_on_enable and only_signal_with_registered (25)', function () {
  this.timeout(30_000);
  const variant = (settings: string): string => {
    const dir = tempDir('sipsim-roe-');
    const f = path.join(dir, 'v.yaml');
    const phones = path.join(repoRoot, 'scenarios/phones');
    const text = fs.readFileSync(path.join(repoRoot, 'scenarios/25-register-on-enable.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/hank-failover.cfg]', `config: [${phones}/common.cfg, ${phones}/hank-failover.cfg]`)
      .replace(/    settings:\n(      .*\n)+/, `    settings: { ${settings} }\n`)
      .replace(/^expect:[\s\S]*$/m, '');
    fs.writeFileSync(f, text);
    return f;
  };
  const summary = (file: string) => {
    const r = runRecorded(loadScenario(file));
    const registers = r.records.flatMap((e) => (e.kind === 'net.send' && e.label === 'REGISTER' && e.to === 'sip2' ? [e.t / 1e6] : []));
    const calls = r.records.flatMap((e) => (e.kind === 'call.outcome' ? [[e.outcome, e.via, e.tried.join('>')]] : []));
    return { registers, calls };
  };

  it('both on: the failover call registers with sip2 first (B7, at Timer B); the next call goes to sip2 only and fails on its 503', () => {
    const s = summary(path.join(repoRoot, 'scenarios/25-register-on-enable.yaml'));
    expect(s.registers).to.deep.equal([92]);
    expect(s.calls).to.deep.equal([['answered', 'sip2', 'sip1>sip2'], ['failed', null, 'sip2']]);
  });

  it('both off: the registration stays with sip1 until its renewal, and the next call tries sip1 first (back by then) and is answered', () => {
    const s = summary(variant('account.1.sip_server.1.failback_mode: 2'));
    expect(s.registers).to.deep.equal([]);
    expect(s.calls).to.deep.equal([['answered', 'sip2', 'sip1>sip2'], ['answered', 'sip1', 'sip1']]);
  });

  it('only_signal_with_registered without register_on_enable has no effect (the vendor: it needs register_on_enable = 1)', () => {
    const s = summary(variant('account.1.sip_server.1.failback_mode: 2, account.1.sip_server.1.only_signal_with_registered: 1'));
    expect(s.calls[1]).to.deep.equal(['answered', 'sip1', 'sip1']);
  });
});
