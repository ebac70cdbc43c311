import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { DEFAULT_MODEL_OPTIONS, MODEL_OPTION_SPECS } from '../../sim/phone/model-options.js';
import { moveAction } from '../../sim/phone/resubscribe-rule.js';
import { features as mwi, runSubscriptionScenario, steps, subscribes, working } from '../helpers/subscription-scenario.js';

/** Fact sheet B11 (failback_subscribe.enable) and AMB-36 (featureResubscribeDefault), MWI subscribed (test/helpers/subscription-scenario.ts). */

describe('feature subscriptions after a failover (fact sheet B11, AMB-36 featureResubscribeDefault)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-b11-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = (settings: string, model: Partial<ModelOptions> = {}, extra = '', mode = 3): readonly TraceEvent[] =>
    runSubscriptionScenario(tmp, `, account.1.subscribe_mwi: 1${settings}`, model, extra, mode);

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
