import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { Located } from '../../sim/dns/server-locator.js';
import { FailbackPreference } from '../../sim/phone/failback.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { FAILBACK_DEFAULTS } from '../../sim/phone/options/failback.js';
import type { ServerSettings } from '../../sim/phone/phone-config.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * The fact sheet's failback timer readings: AMB-09 (mode 3 — immediateReregister, when
 * failback_timeout starts: failbackTimerStart) and AMB-07 (mode 1 — from when the DNS TTL
 * counts: dnsTtlStart). The ★ defaults and each alternative, pinned by instants.
 */
const primary: Located = { ip: '10.0.0.1', port: 5060, transport: 'udp', name: 'sip1' };
const secondary: Located = { ip: '10.0.0.2', port: 5060, transport: 'udp', name: 'sip2' };
const list = [primary, secondary];
const server = (mode: 1 | 3, timeoutS = 60): ServerSettings => ({
  index: 1, address: 'pbx.example.com', port: 0, transport: 0, expires: 300, retryCounts: 3, inviteRetryCounts: 3,
  failbackMode: mode, failbackTimeout: timeoutS * 1e6, registerOnEnable: false, onlySignalWithRegistered: false,
});

describe('failback timer readings (fact sheet AMB-09, AMB-07)', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-fbtimer-');

  /** Bundled scenario `id` with its calls and expectations removed and `replace` applied. */
  const variant = (id: string, replace: [string, string][]): string => {
    const phones = path.join(repoRoot, 'scenarios/phones');
    let text = fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')
      .replace('config: [phones/common.cfg, phones/hank-failover.cfg]', `config: [${phones}/common.cfg, ${phones}/hank-failover.cfg]`)
      .replace(/  - \{ at: \S+, call: .*\n/g, '')
      .replace(/^expect:[\s\S]*$/m, '');
    for (const [a, b] of replace) {
      expect(text, a).to.contain(a);
      text = text.replace(a, b);
    }
    return dir.write(`v${++variants}.yaml`, text);
  };
  let variants = 0;
  const run = dir.run;
  /** "to@s" of hank's REGISTERs after his first registration (8 s). */
  const registers = (r: readonly TraceEvent[]): string[] =>
    r.flatMap((e) => (e.kind === 'net.send' && e.from === 'hank' && e.label === 'REGISTER' && e.t > 8e6 ? [`${e.to}@${e.t / 1e6}`] : []));
  /** First REGISTER of each walk that starts at sip1 (its first send), after 8 s. */
  const walksToSip1 = (r: readonly TraceEvent[]): number[] => {
    const out: number[] = [];
    let last = -Infinity;
    for (const x of registers(r)) {
      const [to, t] = [x.split('@')[0], Number(x.split('@')[1])];
      if (to === 'sip1' && t - last > 10) out.push(t);
      if (to === 'sip1') last = t;
    }
    return out;
  };
  const lapses = (r: readonly TraceEvent[]): number[] =>
    r.flatMap((e) => (e.kind === 'phone.register-attempt' && / ran out; the next request starts at the primary/.test(e.reason) ? [e.t / 1e6] : []));

  describe('AMB-09 durationFailback = immediateReregister (mode 3)', () => {
    it('pure: a timer at failback_timeout; the registration its re-REGISTER ends with on the secondary arms none and keeps no preference', () => {
      const f = new FailbackPreference(server(3), { ...FAILBACK_DEFAULTS, durationFailback: 'immediateReregister' });
      expect(f.registered(list, 1, 10e6, 120e6)).to.equal(70e6);
      expect(f.registered(list, 1, 77e6, 120e6)).to.equal(undefined);
      expect(f.lapsesAt()).to.equal(undefined);
      expect(f.order(list, 'refresh', 78e6).map((a) => a.name)).to.deep.equal(['sip1', 'sip2']);
      // A later failover (from the primary) arms it again.
      f.registered(list, 0, 100e6, 220e6);
      expect(f.registered(list, 1, 110e6, 220e6)).to.equal(170e6);
    });

    it('19 with sip1 down until 4m: immediateReregister walks from sip1 once, at 1m7.58s, and stays on sip2 (REGISTER 1m15.08s); periodicRegisterProbe again at 2m15.16s, 3m22.68s, 4m30.26s (back); oneShot sends nothing until the renewal (4m37.64s)', () => {
      const f = variant('19-failback-mode3-duration', [['{ at: 1m, recover: sip1 }', '{ at: 4m, recover: sip1 }']]);
      expect(walksToSip1(run(f, { durationFailback: 'immediateReregister' }))).to.deep.equal([67.58, 345.16]);
      expect(registers(run(f, { durationFailback: 'immediateReregister' }))).to.include('sip2@75.08');
      expect(walksToSip1(run(f, { durationFailback: 'periodicRegisterProbe' }))).to.deep.equal([67.58, 135.16, 202.68, 270.26]);
      expect(walksToSip1(run(f))).to.deep.equal([277.64]);
    });
  });

  describe('AMB-09 failbackTimerStart (mode 3)', () => {
    it('pure: atFailover (★) — a renewal with the secondary before the lapse does not restart it; atLastSuccess — it does', () => {
      const star = new FailbackPreference(server(3, 120), FAILBACK_DEFAULTS);
      star.registered(list, 1, 10e6, Infinity);
      star.registered(list, 1, 64e6, Infinity);
      expect(star.lapsesAt()).to.equal(130e6);
      const last = new FailbackPreference(server(3, 120), { ...FAILBACK_DEFAULTS, failbackTimerStart: 'atLastSuccess' });
      last.registered(list, 1, 10e6, Infinity);
      last.registered(list, 1, 64e6, Infinity);
      expect(last.lapsesAt()).to.equal(184e6);
    });

    it('19 with failback_timeout 120 and expires 60: atFailover (★) lapses at 2m7.58s despite the renewals at 1m1.58s and 1m55.6s, and the 2m49.68s renewal registers with sip1; atLastSuccess never lapses — every renewal to sip2', () => {
      const f = variant('19-failback-mode3-duration', [['settings: { account.1.sip_server.1.failback_mode: 3 }', 'settings: { account.1.sip_server.1.failback_mode: 3, account.1.sip_server.1.failback_timeout: 120, account.1.sip_server.1.expires: 60 }']]);
      const star = run(f);
      expect(lapses(star)).to.deep.equal([127.58]);
      expect(registers(star).slice(0, 4)).to.deep.equal(['sip2@61.58', 'sip2@115.6', 'sip1@169.68', 'sip1@223.7']);
      const last = run(f, { failbackTimerStart: 'atLastSuccess' });
      expect(lapses(last)).to.deep.equal([]);
      expect(registers(last)).to.deep.equal(['sip2@61.58', 'sip2@115.6', 'sip2@169.68', 'sip2@223.7', 'sip2@277.72', 'sip2@331.8']);
    });
  });

  describe('AMB-09 failbackTimeoutRange', () => {
    it('19 with failback_timeout 30: sixtyMinimum (★) reads it as 60 s — lapse at 1m7.58s; asIs (scenario model:) — at 37.58 s', () => {
      const f = variant('19-failback-mode3-duration', [['settings: { account.1.sip_server.1.failback_mode: 3 }', 'settings: { account.1.sip_server.1.failback_mode: 3, account.1.sip_server.1.failback_timeout: 30 }']]);
      expect(lapses(run(f))).to.deep.equal([67.58]);
      const asIs = variant('19-failback-mode3-duration', [
        ['settings: { account.1.sip_server.1.failback_mode: 3 }', 'settings: { account.1.sip_server.1.failback_mode: 3, account.1.sip_server.1.failback_timeout: 30 }'],
        ['seed: 1\n', 'seed: 1\nmodel: { failbackTimeoutRange: asIs }\n'],
      ]);
      expect(lapses(run(asIs))).to.deep.equal([37.58]);
    });
  });

  describe('AMB-07 dnsTtlStart (mode 1, dnsTtlSource aRecord)', () => {
    it('pure: recordExpiry (default) the record\'s own end; atFailover its TTL from the failover; atRegistration from every registration', () => {
      const at = (dnsTtlStart: ModelOptions['dnsTtlStart']): number | undefined => {
        const f = new FailbackPreference(server(1), { ...FAILBACK_DEFAULTS, dnsTtlStart });
        f.registered(list, 1, 10e6, 120e6, Infinity, 120e6, 120e6);
        f.registered(list, 1, 64e6, 120e6, Infinity, 120e6, 120e6);
        return f.lapsesAt();
      };
      expect([at('recordExpiry'), at('atFailover'), at('atRegistration')]).to.deep.equal([120e6, 130e6, 184e6]);
    });

    it('17 (A record fetched at 0.06 s, TTL 120 s; registered with sip2 at 7.58 s): recordExpiry lapses at 2m0.06s, atFailover at 2m7.58s; both back on sip1 at the 4m37.64s renewal', () => {
      const f = variant('17-failback-mode1-dnsttl', []);
      expect(lapses(run(f))).to.deep.equal([120.06]);
      const failover = run(f, { dnsTtlStart: 'atFailover' });
      expect(lapses(failover)).to.deep.equal([127.58]);
      expect(walksToSip1(failover)).to.deep.equal([277.64]);
    });

    it('17 with expires 60: atRegistration restarts the 120 s at every renewal with sip2, so the phone never returns; atFailover returns at the 2m49.68s renewal', () => {
      const f = variant('17-failback-mode1-dnsttl', [['settings: { account.1.sip_server.1.failback_mode: 1 }', 'settings: { account.1.sip_server.1.failback_mode: 1, account.1.sip_server.1.expires: 60 }']]);
      expect(registers(run(f, { dnsTtlStart: 'atRegistration' }))).to.deep.equal(['sip2@61.58', 'sip2@115.6', 'sip2@169.68', 'sip2@223.7', 'sip2@277.72', 'sip2@331.8']);
      expect(registers(run(f, { dnsTtlStart: 'atFailover' })).slice(0, 3)).to.deep.equal(['sip2@61.58', 'sip2@115.6', 'sip1@169.68']);
    });
  });
});
