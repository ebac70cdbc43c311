import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { payloadText, type TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { DEFAULT_MODEL_OPTIONS, MODEL_OPTION_SPECS } from '../../sim/phone/model-options.js';
import { moveAction } from '../../sim/phone/resubscribe-rule.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * Fact sheet B11 (failback_subscribe.enable) and AMB-36 (featureResubscribeDefault): hank
 * registers with sip1 and subscribes for MWI at 0.08 s (200 OK at 0.09 s, granted 3600 s, so the
 * refresh falls due at 0.1 s + 90 % of 3600 s = 54m0.1s). sip1 goes silent at 1m; the renewal at
 * 4m30.08s fails over and hank is registered with sip2 (another IP) at 4m37.66s. Failback mode 3
 * with failback_timeout 0 keeps it there for the rest of the hour.
 */
const phones = path.join(repoRoot, 'scenarios/phones');
const scenario = (settings: string, extra = '', mode = 3): string => `name: B11 / AMB-36
seed: 1
duration: 1h
phones:
  hank:
    address: 10.0.0.17
    config: [${phones}/common.cfg, ${phones}/hank-failover.cfg]
    settings: { account.1.sip_server.1.failback_mode: ${mode}, account.1.sip_server.1.failback_timeout: 0, account.1.subscribe_mwi: 1${settings} }
dns:
  server: 10.0.0.53
  records:
    - "_sip._udp.pbx.example.com. 120 IN SRV 10 50 5060 sip1.pbx.example.com."
    - "_sip._udp.pbx.example.com. 120 IN SRV 20 50 5060 sip2.pbx.example.com."
    - "sip1.pbx.example.com. 120 IN A 10.0.0.1"
    - "sip2.pbx.example.com. 120 IN A 10.0.0.2"
servers:
  sip1: { address: 10.0.0.1 }
  sip2: { address: 10.0.0.2 }
network:
  default: { delay: 10ms }
events:
  - { at: 0s, boot: hank }
  - { at: 1m, fail: sip1, mode: silent }
${extra}`;

/** First sends of SUBSCRIBE (one per CSeq: no retransmissions): [seconds, server]. */
const subscribes = (r: readonly TraceEvent[]): [number, string][] => {
  const seen = new Set<string>();
  return r.flatMap((e) => {
    if (e.kind !== 'net.send' || !e.label.startsWith('SUBSCRIBE')) return [];
    const cseq = /CSeq: (\d+)/.exec(payloadText(e))?.[1] ?? '';
    if (seen.has(cseq)) return [];
    seen.add(cseq);
    return [[e.t / 1e6, e.to] as [number, string]];
  });
};
const mwi = (r: readonly TraceEvent[]): [number, boolean, string | null][] =>
  r.flatMap((e) => (e.kind === 'phone.feature' ? [[e.t / 1e6, e.available, e.server] as [number, boolean, string | null]] : []));
const steps = (r: readonly TraceEvent[]): [number, string, string][] =>
  r.flatMap((e) => (e.kind === 'phone.subscription' ? [[e.t / 1e6, e.action, e.server] as [number, string, string]] : []));

describe('feature subscriptions after a failover (fact sheet B11, AMB-36 featureResubscribeDefault)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-b11-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = (settings: string, model: Partial<ModelOptions> = {}, extra = '', mode = 3): readonly TraceEvent[] => {
    const f = path.join(tmp, `s${fs.readdirSync(tmp).length}.yaml`);
    fs.writeFileSync(f, scenario(settings, extra, mode));
    return runRecorded(loadScenario(f), { model }).records;
  };
  const working = (r: readonly TraceEvent[]): [number, string | null][] =>
    r.flatMap((e) => (e.kind === 'phone.working-server' ? [[e.t / 1e6, e.server] as [number, string | null]] : []));

  it('the option is a model option with the ★ default stayOnOldServerUntilRefresh', () => {
    expect(DEFAULT_MODEL_OPTIONS.featureResubscribeDefault).to.equal('stayOnOldServerUntilRefresh');
    expect(MODEL_OPTION_SPECS.featureResubscribeDefault).to.deep.equal({ kind: 'enum', values: ['stayOnOldServerUntilRefresh', 'dropped', 'movedAtNextRefresh'] });
  });

  it('the failover the tests rely on: sip1 at 0.08 s, sip2 (another IP) at 4m37.66s', () => {
    expect(working(run(''))).to.deep.equal([[0.08, 'sip1'], [277.66, 'sip2']]);
  });

  it('failback_subscribe.enable = 1 (mode 3): the SUBSCRIBE goes to sip2 at the failover instant, 4m37.66s', () => {
    const r = run(', account.1.sip_server.1.failback_subscribe.enable: 1');
    expect(subscribes(r)).to.deep.equal([[0.08, 'sip1'], [277.66, 'sip2'], [3517.68, 'sip2']]); // then its refresh at 277.67 + 3240
    expect(mwi(r)).to.deep.equal([[0.1, true, 'sip1']]);
    const step = r.find((e) => e.kind === 'phone.subscription' && e.t === 277_660_000);
    expect(step?.kind === 'phone.subscription' && step.reason).to.include('failback_subscribe.enable = 1 (failback mode 3)');
  });

  it('stayOnOldServerUntilRefresh (default, ★): kept on sip1; the refresh goes to sip1 at 54m0.1s, and after its Timer F (54m32.1s) to sip2', () => {
    const r = run('');
    expect(subscribes(r)).to.deep.equal([[0.08, 'sip1'], [3240.1, 'sip1'], [3272.1, 'sip2']]);
    expect(steps(r)).to.deep.equal([[0.08, 'subscribe', 'sip1'], [277.66, 'keep', 'sip1'], [3240.1, 'refresh', 'sip1'], [3272.1, 'subscribe', 'sip2']]);
    expect(mwi(r)).to.deep.equal([[0.1, true, 'sip1']]); // the phone believes in its subscription throughout
  });

  it('failback_subscribe.enable = 1 in failback mode 0 has no effect: as the default, the refresh goes to sip1 first', () => {
    const r = run(', account.1.sip_server.1.failback_subscribe.enable: 1', {}, '', 0);
    const keep = r.find((e) => e.kind === 'phone.subscription' && e.action === 'keep');
    expect(keep?.kind === 'phone.subscription' && keep.reason).to.include('failback_subscribe.enable = 1 has no effect in failback mode 0');
    expect(subscribes(r).slice(0, 2)).to.deep.equal([[0.08, 'sip1'], [3240.1, 'sip1']]);
  });

  it('movedAtNextRefresh: kept on sip1 until the refresh instant, 54m0.1s, when the SUBSCRIBE goes to sip2', () => {
    const r = run('', { featureResubscribeDefault: 'movedAtNextRefresh' });
    expect(subscribes(r)).to.deep.equal([[0.08, 'sip1'], [3240.1, 'sip2']]);
    expect(steps(r).map((s) => s.slice(0, 2))).to.deep.equal([[0.08, 'subscribe'], [277.66, 'keep'], [3240.1, 'subscribe']]);
    expect(mwi(r)).to.deep.equal([[0.1, true, 'sip1']]); // 200 OK from sip2 at 3240.11 s: still available
  });

  it('dropped: MWI is lost at the failover, 4m37.66s, and nothing is subscribed with sip2', () => {
    const r = run('', { featureResubscribeDefault: 'dropped' });
    expect(subscribes(r)).to.deep.equal([[0.08, 'sip1']]);
    expect(mwi(r)).to.deep.equal([[0.1, true, 'sip1'], [277.66, false, 'sip1']]);
    expect(steps(r)).to.deep.equal([[0.08, 'subscribe', 'sip1'], [277.66, 'drop', 'sip1']]);
  });

  it('dropped: the next change of working server subscribes again (sip1 back at 5m, sip2 silent at 10m: registered with sip1 and SUBSCRIBE there at 13m45.32s)', () => {
    const r = run('', { featureResubscribeDefault: 'dropped' }, '  - { at: 5m, recover: sip1 }\n  - { at: 10m, fail: sip2, mode: silent }\n');
    expect(working(r)).to.deep.equal([[0.08, 'sip1'], [277.66, 'sip2'], [825.32, 'sip1']]); // sip2's renewal fails over to sip1
    expect(subscribes(r)).to.deep.equal([[0.08, 'sip1'], [825.32, 'sip1']]);
    expect(mwi(r)).to.deep.equal([[0.1, true, 'sip1'], [277.66, false, 'sip1'], [825.34, true, 'sip1']]);
  });

  it('the rule in words: a move to another configured server or to the same IP re-subscribes at once', () => {
    const base = { fromServer: 1, toServer: 1, fromIp: '10.0.0.1', toIp: '10.0.0.2', failbackMode: 2, failbackSubscribe: false } as const;
    const opts = { featureResubscribeDefault: 'stayOnOldServerUntilRefresh' } as const;
    expect(moveAction({ ...base, toServer: 2 }, opts).action).to.equal('now');
    expect(moveAction({ ...base, toIp: '10.0.0.1' }, opts).action).to.equal('now');
    expect(moveAction(base, opts).action).to.equal('stay');
    expect(moveAction({ ...base, failbackSubscribe: true }, opts).action).to.equal('now');
    expect(moveAction({ ...base, failbackSubscribe: true, failbackMode: 0 }, opts).action).to.equal('stay');
    expect(moveAction(base, { featureResubscribeDefault: 'dropped' }).action).to.equal('drop');
    expect(moveAction(base, { featureResubscribeDefault: 'movedAtNextRefresh' }).action).to.equal('moveAtRefresh');
  });
});
