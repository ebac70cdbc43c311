import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { features, runSubscriptionScenario, subscribes } from '../helpers/subscription-scenario.js';

/**
 * account.X.subscribe_register (RFC 3680 reg event with the working server) and
 * account.X.subscribe_expires_overlap, on the subscription scenario of
 * test/helpers/subscription-scenario.ts: SUBSCRIBE at 0.08 s, 200 OK (3600 s granted) read at
 * 0.1 s; sip1 silent from 1m, the registration on sip2 from 4m37.66s.
 */
describe('reg-event subscription (subscribe_register) and subscribe_expires_overlap', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-reg-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = (settings: string, model: Partial<ModelOptions> = {}, edit?: (yaml: string) => string): readonly TraceEvent[] =>
    runSubscriptionScenario(tmp, settings, model, '', 3, edit);

  it('subscribe_register = 0 (default): no reg SUBSCRIBE at all', () => {
    expect(subscribes(run(''))).to.deep.equal([]);
  });

  it('subscribe_register = 1: SUBSCRIBE (Event: reg) to sip1 at 0.08 s; reg available at 0.1 s; refreshed at 90 % of 3600 s (54m0.1s) on sip1, then — sip1 silent — at Timer F (54m32.1s) with sip2', () => {
    const r = run(', account.1.subscribe_register: 1');
    expect(subscribes(r, 'reg')).to.deep.equal([[0.08, 'sip1'], [3240.1, 'sip1'], [3272.1, 'sip2']]);
    expect(features(r, 'reg')).to.deep.equal([[0.1, true, 'sip1']]);
  });

  it('subscribe_expires_overlap = 100: the refresh goes 100 s before the 3600 s end, at 58m20.1s (sip1), and to sip2 at 58m52.1s', () => {
    const r = run(', account.1.subscribe_register: 1, account.1.subscribe_expires_overlap: 100');
    expect(subscribes(r, 'reg')).to.deep.equal([[0.08, 'sip1'], [3500.1, 'sip1'], [3532.1, 'sip2']]);
  });

  it('the overlap counts for every subscription: MWI too is refreshed at 58m20.1s', () => {
    const r = run(', account.1.subscribe_register: 1, account.1.subscribe_mwi: 1, account.1.subscribe_expires_overlap: 100');
    expect(subscribes(r, 'message-summary')).to.deep.equal([[0.08, 'sip1'], [3500.1, 'sip1'], [3532.1, 'sip2']]);
    expect(subscribes(r, 'reg')).to.deep.equal([[0.08, 'sip1'], [3500.1, 'sip1'], [3532.1, 'sip2']]);
  });

  it('an overlap not shorter than the granted lifetime (4000 s ≥ 3600 s) falls back to refreshFraction: 54m0.1s', () => {
    const r = run(', account.1.subscribe_register: 1, account.1.subscribe_expires_overlap: 4000');
    expect(subscribes(r, 'reg')[1]).to.deep.equal([3240.1, 'sip1']);
  });

  it('the reg subscription moves after the failover per featureResubscribeDefault: movedAtNextRefresh sends the 58m20.1s refresh to sip2', () => {
    const r = run(', account.1.subscribe_register: 1, account.1.subscribe_expires_overlap: 100', { featureResubscribeDefault: 'movedAtNextRefresh' });
    expect(subscribes(r, 'reg')).to.deep.equal([[0.08, 'sip1'], [3500.1, 'sip2']]);
  });

  it('… and with failback_subscribe.enable = 1 (mode 3) at the failover itself, 4m37.66s', () => {
    const r = run(', account.1.subscribe_register: 1, account.1.sip_server.1.failback_subscribe.enable: 1');
    expect(subscribes(r, 'reg').slice(0, 2)).to.deep.equal([[0.08, 'sip1'], [277.66, 'sip2']]);
  });

  it('a server without the reg event package answers 489: reg is lost at 0.1 s, MWI kept; the failover to sip2 (4m37.66s) subscribes reg there at once (no subscription to keep)', () => {
    const r = run(', account.1.subscribe_register: 1, account.1.subscribe_mwi: 1', {}, (y) => y.replace('sip1: { address: 10.0.0.1 }', 'sip1: { address: 10.0.0.1, features: [calls, mwi] }'));
    expect(features(r, 'reg')).to.deep.equal([[0.1, false, 'sip1'], [277.68, true, 'sip2']]);
    expect(features(r, 'mwi')).to.deep.equal([[0.1, true, 'sip1']]);
  });
});
