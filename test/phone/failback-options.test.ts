import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { Located } from '../../sim/dns/server-locator.js';
import { FailbackPreference } from '../../sim/phone/failback.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { DEFAULT_MODEL_OPTIONS, MODEL_OPTION_SPECS } from '../../sim/phone/model-options.js';
import { FAILBACK_DEFAULTS } from '../../sim/phone/options/failback.js';
import type { ServerSettings } from '../../sim/phone/phone-config.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/** The fact sheet's failback ambiguities (AMB-09 …): the ★ default and each alternative, pinned by instants. */
const primary: Located = { ip: '10.0.0.1', port: 5060, transport: 'udp', name: 'sip1' };
const secondary: Located = { ip: '10.0.0.2', port: 5060, transport: 'udp', name: 'sip2' };
const list = [primary, secondary];
const mode3 = (timeoutS: number): ServerSettings => ({
  index: 1, address: 'pbx.example.com', port: 0, transport: 0, expires: 300, retryCounts: 3, inviteRetryCounts: 3,
  failbackMode: 3, failbackTimeout: timeoutS * 1e6, registerOnEnable: false, onlySignalWithRegistered: false,
});
const run = (id: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] =>
  runRecorded(loadScenario(path.join(repoRoot, 'scenarios', `${id}.yaml`)), { model }).records;
const registersTo = (r: readonly TraceEvent[], to: string): number[] =>
  r.flatMap((e) => (e.kind === 'net.send' && e.to === to && e.label === 'REGISTER' ? [e.t / 1e6] : []));
const working = (r: readonly TraceEvent[]): [number, string | null][] =>
  r.flatMap((e) => (e.kind === 'phone.working-server' ? [[e.t / 1e6, e.server] as [number, string | null]] : []));

describe('failback model options (fact sheet B10, AMB-09)', function () {
  this.timeout(30_000);

  it('the failback options are joined into the model options, with the ★ defaults', () => {
    expect(DEFAULT_MODEL_OPTIONS).to.include(FAILBACK_DEFAULTS);
    expect(DEFAULT_MODEL_OPTIONS.durationFailback).to.equal('oneShot');
    expect(MODEL_OPTION_SPECS.durationFailback).to.deep.equal({ kind: 'enum', values: ['oneShot', 'periodicRegisterProbe', 'immediateReregister'] });
  });

  describe('AMB-09 durationFailback (mode 3)', () => {
    it('oneShot (default, ★): nothing is scheduled; the preference lapses at failback_timeout', () => {
      const f = new FailbackPreference(mode3(60), { ...FAILBACK_DEFAULTS, durationFailback: 'oneShot' });
      expect(f.registered(list, 1, 10e6, 120e6)).to.equal(undefined);
      expect(f.lapsesAt()).to.equal(70e6);
      expect(f.order(list, 'refresh', 69.9e6).map((a) => a.name)).to.deep.equal(['sip2', 'sip1']);
      expect(f.order(list, 'refresh', 70e6).map((a) => a.name)).to.deep.equal(['sip1', 'sip2']);
    });

    it('periodicRegisterProbe: a probe is scheduled at failback_timeout', () => {
      const f = new FailbackPreference(mode3(60), { ...FAILBACK_DEFAULTS, durationFailback: 'periodicRegisterProbe' });
      expect(f.registered(list, 1, 10e6, 120e6)).to.equal(70e6);
    });

    it('19, oneShot: no REGISTER to sip1 at 1m7.58s; the lapse is traced; the renewal (REGISTER at 4m37.64s) goes to sip1', () => {
      const r = run('19-failback-mode3-duration');
      expect(registersTo(r, 'sip1').filter((t) => t > 8)).to.deep.equal([277.64]); // after the renewal's fresh DNS lookup
      expect(working(r)).to.deep.equal([[7.58, 'sip2'], [277.66, 'sip1']]);
      const lapse = r.find((e) => e.kind === 'phone.register-attempt' && /oneShot/.test(e.reason));
      expect(lapse?.t).to.equal(67_580_000);
    });

    it('19, periodicRegisterProbe: the probe to sip1 leaves at 1m7.58s and the registration returns at once', () => {
      const r = run('19-failback-mode3-duration', { durationFailback: 'periodicRegisterProbe' });
      expect(registersTo(r, 'sip1').filter((t) => t > 8)[0]).to.equal(67.58);
      expect(working(r)[1]).to.deep.equal([67.6, 'sip1']);
    });
  });
});

describe('failback model options (fact sheet B10, AMB-10 failbackOnlyWhenIdle)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-idle-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Scenario 19 (mode 3, failback_timeout 60 s, lapse at 1m7.58s) with `calls` instead of its one call. */
  const variant = (calls: string[]): string => {
    const phones = path.join(repoRoot, 'scenarios/phones');
    const text = fs.readFileSync(path.join(repoRoot, 'scenarios/19-failback-mode3-duration.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/hank-failover.cfg]', `config: [${phones}/common.cfg, ${phones}/hank-failover.cfg]`)
      .replace(/  - \{ at: 1m30s, call: .*\n/, calls.map((c) => `  - ${c}\n`).join(''))
      .replace(/^expect:[\s\S]*$/m, '');
    const f = path.join(tmp, `v${fs.readdirSync(tmp).length}.yaml`);
    fs.writeFileSync(f, text);
    return f;
  };
  const runFile = (f: string, model: Partial<ModelOptions>): readonly TraceEvent[] => runRecorded(loadScenario(f), { model }).records;
  const vias = (r: readonly TraceEvent[]): [string, string | null][] =>
    r.flatMap((e) => (e.kind === 'call.outcome' ? [[e.tried.join('>'), e.via] as [string, string | null]] : []));
  // A 60 s call from 1m (over the lapse at 1m7.58s) and a second call placed at 1m10s, during it.
  const overlapping = ['{ at: 1m, call: { from: hank, to: "2000", duration: 60s } }', '{ at: 1m10s, call: { from: hank, to: "2001", duration: 5s } }'];

  it('deferUntilIdle (default, ★): the call placed during another call, after the lapse, still goes to sip2', () => {
    const r = runFile(variant(overlapping), {});
    expect(vias(r)).to.deep.equal([['sip2', 'sip2'], ['sip2', 'sip2']]);
  });

  it('ignoreIdle: the same call goes to the primary', () => {
    const r = runFile(variant(overlapping), { failbackOnlyWhenIdle: 'ignoreIdle' });
    expect(vias(r)).to.deep.equal([['sip2', 'sip2'], ['sip1', 'sip1']]);
  });

  it('deferUntilIdle + periodicRegisterProbe: the probe due at 1m7.58s waits for the call to end (2m1.02s)', () => {
    const r = runFile(variant([overlapping[0]!]), { durationFailback: 'periodicRegisterProbe' });
    const deferred = r.find((e) => e.kind === 'phone.register-attempt' && /deferred until the phone is idle/.test(e.reason));
    expect(deferred?.t).to.equal(67_580_000);
    const ended = r.find((e) => e.kind === 'call.state' && e.to === 'ended');
    const resumed = r.find((e) => e.kind === 'phone.register-attempt' && /^the phone is idle:/.test(e.reason));
    expect([ended?.t, resumed?.t]).to.deep.equal([121_020_000, 121_020_000]);
    // The REGISTER leaves after the fresh DNS lookup (the 120 s records ran out during the call).
    expect(registersTo(r, 'sip1').filter((t) => t > 8)[0]).to.equal(121.08);
  });

  it('ignoreIdle + periodicRegisterProbe: the probe leaves at 1m7.58s, during the call', () => {
    const r = runFile(variant([overlapping[0]!]), { durationFailback: 'periodicRegisterProbe', failbackOnlyWhenIdle: 'ignoreIdle' });
    expect(registersTo(r, 'sip1').filter((t) => t > 8)[0]).to.equal(67.58);
  });
});

describe('failback model options (fact sheet B10, AMB-37 refreshTargetInMode0)', function () {
  this.timeout(30_000);
  it('primaryFirst (default, ★): in 16 (mode 0) the renewal goes to sip1 and the registration returns there (4m37.66s)', () => {
    const r = run('16-failback-mode0-new-requests');
    expect(working(r)).to.deep.equal([[7.58, 'sip2'], [277.66, 'sip1']]);
  });
  it('sameAddress (RFC 3261 §10.2.4): the renewal goes to sip2, so the registration stays there', () => {
    const r = run('16-failback-mode0-new-requests', { refreshTargetInMode0: 'sameAddress' });
    expect(working(r)).to.deep.equal([[7.58, 'sip2']]);
    expect(registersTo(r, 'sip1').filter((t) => t > 8)).to.deep.equal([]);
  });
});

describe('failback model options (fact sheet B7 registerOnEnableOrder)', function () {
  this.timeout(30_000);
  /** Instants (s) of hank's sends to sip2 in scenario 25, REGISTER and INVITE, in order. */
  const toSip2 = (r: readonly TraceEvent[]): [number, string][] =>
    r.flatMap((e) => (e.kind === 'net.send' && e.to === 'sip2' && (e.label === 'REGISTER' || e.label === 'INVITE') ? [[e.t / 1e6, e.label] as [number, string]] : []));

  it('registerThenSend (default, the vendor\'s order): REGISTER to sip2 at Timer B (1m32s), the INVITE once it is answered (1m32.02s)', () => {
    expect(DEFAULT_MODEL_OPTIONS.registerOnEnableOrder).to.equal('registerThenSend');
    const r = run('25-register-on-enable');
    expect(toSip2(r).slice(0, 2)).to.deep.equal([[92, 'REGISTER'], [92.02, 'INVITE']]);
    expect(working(r)[1]).to.deep.equal([92.02, 'sip2']); // registered before the INVITE leaves
    const answered = r.find((e) => e.kind === 'call.outcome' && e.call === 1);
    expect(answered?.kind === 'call.outcome' && [answered.outcome, answered.via, answered.t / 1e6]).to.deep.equal(['answered', 'sip2', 93.04]);
  });

  it('sendThenRegister (the model before the fact sheet): the INVITE to sip2 at 1m32s, the REGISTER after the answer (1m33.02s)', () => {
    const r = run('25-register-on-enable', { registerOnEnableOrder: 'sendThenRegister' });
    expect(toSip2(r).slice(0, 2)).to.deep.equal([[92, 'INVITE'], [93.02, 'REGISTER']]);
    expect(working(r)[1]).to.deep.equal([93.04, 'sip2']);
  });
});

describe('failback model options (fact sheet B8, AMB-30 onlySignalWithRegistered)', function () {
  this.timeout(30_000);
  /** Scenario 25's second call (2m30s): sip2, registered with, answers 503; sip1 is back. */
  const call2 = (r: readonly TraceEvent[]) =>
    r.flatMap((e) => (e.kind === 'call.outcome' && e.call === 2 ? [[e.outcome, e.via, e.tried.join('>'), e.t / 1e6]] : []));
  const invitesTo = (r: readonly TraceEvent[], to: string): number[] =>
    r.flatMap((e) => (e.kind === 'net.send' && e.to === to && e.label === 'INVITE' && e.t > 120e6 ? [e.t / 1e6] : []));

  it('failRequest (default, ★): the call goes to the registered sip2 only and fails on its 503 at 2m30.02s', () => {
    expect(DEFAULT_MODEL_OPTIONS.onlySignalWithRegistered).to.equal('failRequest');
    const r = run('25-register-on-enable');
    expect(call2(r)).to.deep.equal([['failed', null, 'sip2', 150.02]]);
    expect(invitesTo(r, 'sip1')).to.deep.equal([]);
  });

  it('allowUnregisteredAsLastResort: after sip2\'s 503 the call registers with sip1 (2m30.02s, B7) and its INVITE (2m30.04s) is answered', () => {
    const r = run('25-register-on-enable', { onlySignalWithRegistered: 'allowUnregisteredAsLastResort' });
    expect(invitesTo(r, 'sip2')).to.deep.equal([150]);
    expect(registersTo(r, 'sip1').filter((t) => t > 120)[0]).to.equal(150.02);
    expect(invitesTo(r, 'sip1')).to.deep.equal([150.04]);
    const c = call2(r)[0]!;
    expect(c.slice(0, 3)).to.deep.equal(['answered', 'sip1', 'sip2>sip1']);
  });
});

describe('failback model options (fact sheet B10, AMB-08 registrationFailbackInstant, mode 2)', function () {
  this.timeout(30_000);
  const mode2: ServerSettings = { ...mode3(0), failbackMode: 2 };

  it('atRenewal (default, ★): the renewal walks the list from the primary, a call stays with the secondary', () => {
    expect(DEFAULT_MODEL_OPTIONS.registrationFailbackInstant).to.equal('atRenewal');
    const f = new FailbackPreference(mode2, FAILBACK_DEFAULTS);
    expect(f.registered(list, 1, 10e6, 3600e6, 310e6)).to.equal(undefined);
    expect(f.order(list, 'refresh', 280e6).map((a) => a.name)).to.deep.equal(['sip1', 'sip2']);
    expect(f.order(list, 'invite', 400e6).map((a) => a.name)).to.deep.equal(['sip2', 'sip1']);
  });

  it('atExpiry: renewals stay with the secondary; the lease end of the failover registration is the probe instant, not pushed by renewals', () => {
    const f = new FailbackPreference(mode2, { ...FAILBACK_DEFAULTS, registrationFailbackInstant: 'atExpiry' });
    expect(f.registered(list, 1, 10e6, 3600e6, 310e6)).to.equal(310e6);
    expect(f.order(list, 'refresh', 280e6).map((a) => a.name)).to.deep.equal(['sip2', 'sip1']);
    expect(f.registered(list, 1, 280e6, 3600e6, 580e6)).to.equal(310e6); // the renewal with sip2
    expect(f.order(list, 'invite', 310e6).map((a) => a.name)).to.deep.equal(['sip1', 'sip2']);
  });

  it('18, atRenewal: the renewal REGISTER goes to sip1 at 4m37.64s and the registration returns at 4m37.66s', () => {
    const r = run('18-failback-mode2-registration');
    expect(registersTo(r, 'sip1').filter((t) => t > 8)).to.deep.equal([277.64]);
    expect(working(r)).to.deep.equal([[7.58, 'sip2'], [277.66, 'sip1']]);
  });

  it('18, atExpiry: the renewal stays with sip2 (4m37.64s); the probe to sip1 leaves at the lease end, 5m7.58s (7.58s + 300s)', () => {
    const r = run('18-failback-mode2-registration', { registrationFailbackInstant: 'atExpiry' });
    expect(registersTo(r, 'sip2').filter((t) => t > 8)).to.deep.equal([277.64]);
    expect(registersTo(r, 'sip1').filter((t) => t > 8)).to.deep.equal([307.58]);
    expect(working(r)).to.deep.equal([[7.58, 'sip2'], [307.6, 'sip1']]);
  });
});

describe('failback model options (fact sheet B10, AMB-38 inDialogRequests)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-dialog-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Scenario 16 (mode 0, sip1 silent from boot) with a call at 20s that fails over to sip2, sip1 back at 1m30s, hang-up at ~1m53s. */
  const variant = (): string => {
    const phones = path.join(repoRoot, 'scenarios/phones');
    const text = fs.readFileSync(path.join(repoRoot, 'scenarios/16-failback-mode0-new-requests.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/hank-failover.cfg]', `config: [${phones}/common.cfg, ${phones}/hank-failover.cfg]`)
      .replace('{ at: 1m, recover: sip1 }', '{ at: 1m30s, recover: sip1 }')
      .replace(/- \{ at: 1m30s, call: .*\}\n/, '- { at: 20s, call: { from: hank, to: "2000", duration: 1m } }\n')
      .replace(/^expect:[\s\S]*$/m, '');
    const f = path.join(tmp, 'v.yaml');
    fs.writeFileSync(f, text);
    return f;
  };
  const byes = (model: Partial<ModelOptions>): [number, string][] =>
    runRecorded(loadScenario(variant()), { model }).records.flatMap((e) => (e.kind === 'net.send' && e.label === 'BYE' ? [[e.t / 1e6, e.to] as [number, string]] : []));

  it('stayOnDialogServer (default, ★): the BYE goes to sip2, which took the call', () => {
    expect(DEFAULT_MODEL_OPTIONS.inDialogRequests).to.equal('stayOnDialogServer');
    expect(byes({})).to.deep.equal([[113.02, 'sip2']]);
  });

  it('applyFailbackRules: mode 0 sends the BYE, like every new request, to the primary sip1 (back since 1m30s)', () => {
    expect(byes({ inDialogRequests: 'applyFailbackRules' })).to.deep.equal([[113.02, 'sip1']]);
  });
});

describe('failback model options (fact sheet AMB-38 inDialogFailover: a BYE to a dead dialog server)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-bye-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** hank registered on sip1 (SRV: sip1, sip2); a 1m call at 20s goes to sip1, which dies (`mode`) at 40s; hang-up at 1m21.02s (answered at 21.02s). */
  const scenario = (mode: 'silent' | 'unreachable' | '503'): string => {
    const phones = path.join(repoRoot, 'scenarios/phones');
    const f = path.join(tmp, `${mode}.yaml`);
    fs.writeFileSync(f, [
      'name: BYE to a dead dialog server', 'seed: 1', 'duration: 3m',
      `phones: { hank: { address: 10.0.0.17, config: [${phones}/common.cfg, ${phones}/hank-failover.cfg] } }`,
      'dns:', '  server: 10.0.0.53', '  records:',
      '    - "_sip._udp.pbx.example.com. 120 IN SRV 10 50 5060 sip1.pbx.example.com."',
      '    - "_sip._udp.pbx.example.com. 120 IN SRV 20 50 5060 sip2.pbx.example.com."',
      '    - "sip1.pbx.example.com. 120 IN A 10.0.0.1"', '    - "sip2.pbx.example.com. 120 IN A 10.0.0.2"',
      'servers: { sip1: { address: 10.0.0.1 }, sip2: { address: 10.0.0.2 } }',
      'network: { default: { delay: 10ms } }',
      'events:', '  - { at: 0s, boot: hank }', '  - { at: 20s, call: { from: hank, to: "2000", duration: 1m } }', `  - { at: 40s, fail: sip1, mode: "${mode}" }`, '',
    ].join('\n'));
    return f;
  };
  const outcome = (mode: 'silent' | 'unreachable' | '503', model: Partial<ModelOptions>) => {
    const r = runRecorded(loadScenario(scenario(mode)), { model }).records;
    return {
      byes: r.flatMap((e) => (e.kind === 'net.send' && e.label === 'BYE' ? [[e.t / 1e6, e.to] as [number, string]] : [])),
      steps: r.flatMap((e) => (e.kind === 'call.bye' ? [[e.t / 1e6, e.server, e.reason] as [number, string | null, string]] : [])),
      ended: r.find((e) => e.kind === 'call.state' && e.to === 'ended')?.t,
    };
  };
  const sip1Retransmits = [81.02, 81.52, 82.52, 84.52, 88.52, 92.52, 96.52, 100.52, 104.52, 108.52, 112.52];

  it('noFailover (default, ★): the BYE to the silent sip1 is retransmitted until Timer F (1m53.02s); sip2 never gets it; the call ended at the hang-up', () => {
    expect(DEFAULT_MODEL_OPTIONS.inDialogFailover).to.equal('noFailover');
    expect(MODEL_OPTION_SPECS.inDialogFailover).to.deep.equal({ kind: 'enum', values: ['noFailover', 'failoverPer3263'] });
    const o = outcome('silent', {});
    expect(o.ended).to.equal(81_020_000);
    expect(o.byes).to.deep.equal(sip1Retransmits.map((t) => [t, 'sip1']));
    expect(o.steps).to.deep.equal([]);
  });

  it('failoverPer3263, silent sip1: retry_counts 3 bounds the BYE to sip1 (sends 1m21.02s … 1m24.52s); at 1m28.52s the same BYE goes to sip2', () => {
    const o = outcome('silent', { inDialogFailover: 'failoverPer3263' });
    expect(o.ended).to.equal(81_020_000);
    expect(o.byes).to.deep.equal([[81.02, 'sip1'], [81.52, 'sip1'], [82.52, 'sip1'], [84.52, 'sip1'], [88.52, 'sip2']]);
    expect(o.steps).to.deep.equal([[88.52, 'sip2', 'BYE to sip1: retry counts exhausted; sent again to the next address (inDialogFailover = failoverPer3263)']]);
  });

  it('failoverPer3263, sip1 answers 503: the BYE goes to sip2 as the 503 arrives (1m21.04s); noFailover: no BYE to sip2', () => {
    const o = outcome('503', { inDialogFailover: 'failoverPer3263' });
    expect(o.byes).to.deep.equal([[81.02, 'sip1'], [81.04, 'sip2']]);
    expect(o.steps.map((s) => [s[0], s[1]])).to.deep.equal([[81.04, 'sip2']]);
    expect(outcome('503', {}).byes).to.deep.equal([[81.02, 'sip1']]);
  });

  it('failoverPer3263, sip1 unreachable (ICMP): the BYE goes to sip2 as the ICMP arrives (1m21.04s)', () => {
    const o = outcome('unreachable', { inDialogFailover: 'failoverPer3263' });
    expect(o.byes).to.deep.equal([[81.02, 'sip1'], [81.04, 'sip2']]);
    expect(o.steps.map((s) => [s[0], s[1]])).to.deep.equal([[81.04, 'sip2']]);
  });
});

describe('failback model options (fact sheet AMB-29 registerOnEnableZero: the line after a failed-over call)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-roe0-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Scenario 25 with register_on_enable = 0 (failback mode 2): the call at 1m walks the silent sip1 (Timer B) to sip2, answered at 1m33.02s. */
  const variant = (): string => {
    const phones = path.join(repoRoot, 'scenarios/phones');
    const text = fs.readFileSync(path.join(repoRoot, 'scenarios/25-register-on-enable.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/hank-failover.cfg]', `config: [${phones}/common.cfg, ${phones}/hank-failover.cfg]`)
      .replace('account.1.sip_server.1.register_on_enable: 1', 'account.1.sip_server.1.register_on_enable: 0')
      .replace('account.1.sip_server.1.only_signal_with_registered: 1', 'account.1.sip_server.1.only_signal_with_registered: 0')
      .replace(/  - \{ at: 2m[^\n]*\n/g, '')
      .replace('duration: 3m', 'duration: 5m')
      .replace(/^expect:[\s\S]*$/m, '');
    const f = path.join(tmp, 'v.yaml');
    fs.writeFileSync(f, text);
    return f;
  };
  const line = (model: Partial<ModelOptions>) => {
    const r = runRecorded(loadScenario(variant()), { model }).records;
    return {
      working: working(r),
      answered: r.flatMap((e) => (e.kind === 'call.outcome' ? [[e.t / 1e6, e.outcome, e.via] as const] : [])),
      registersToSip2: registersTo(r, 'sip2'),
    };
  };

  it('treatAsRegistered (default, ★): the line stays registered with sip1 after the call failed over; sip2 becomes working only with the renewal (4m37.6s)', () => {
    expect(DEFAULT_MODEL_OPTIONS.registerOnEnableZero).to.equal('treatAsRegistered');
    expect(MODEL_OPTION_SPECS.registerOnEnableZero).to.deep.equal({ kind: 'enum', values: ['treatAsRegistered', 'unregisteredButUsable'] });
    const o = line({});
    expect(o.answered).to.deep.equal([[93.02, 'answered', 'sip2']]);
    expect(o.working).to.deep.equal([[0.08, 'sip1'], [277.6, 'sip2']]);
  });

  it('unregisteredButUsable: the line shows no working server from the answer (1m33.02s) until the renewal registers with sip2 (4m37.6s); no REGISTER goes to sip2 before', () => {
    const o = line({ registerOnEnableZero: 'unregisteredButUsable' });
    expect(o.answered).to.deep.equal([[93.02, 'answered', 'sip2']]);
    expect(o.working).to.deep.equal([[0.08, 'sip1'], [93.02, null], [277.6, 'sip2']]);
    expect(o.registersToSip2[0]).to.be.greaterThan(270);
  });
});
