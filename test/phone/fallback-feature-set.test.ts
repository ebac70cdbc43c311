import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { DEFAULT_MODEL_OPTIONS, MODEL_OPTION_SPECS } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { features, subscribes } from '../helpers/subscription-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * Fact sheet B16 / AMB-14 fallbackFeatureSet: which subscriptions the fallback server gets.
 * 20 (concurrent): backup is working from 2m20.02s (sip1's Timer F) to 5m1.54s. 21 (successive):
 * no working server at 2m20.02s, backup from 2m20.04s to 6m52.04s. backup offers [calls] in both;
 * the "full backup" variants let it offer every feature.
 */
describe('features on the fallback server (fact sheet B16, AMB-14 fallbackFeatureSet)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-b16-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = (id: string, model: Partial<ModelOptions> = {}, fullBackup = false): readonly TraceEvent[] => {
    let file = path.join(repoRoot, 'scenarios', `${id}.yaml`);
    if (fullBackup) {
      const text = fs.readFileSync(file, 'utf8')
        .replace(/phones\//g, `${path.join(repoRoot, 'scenarios/phones')}/`)
        .replace('backup: { address: 10.0.0.3, features: [calls] }', 'backup: { address: 10.0.0.3 }')
        .replace(/^expect:[\s\S]*$/m, '');
      file = path.join(tmp, `${id}-${fs.readdirSync(tmp).length}.yaml`);
      fs.writeFileSync(file, text);
    }
    return runRecorded(loadScenario(file), { model }).records;
  };
  const drop = (r: readonly TraceEvent[]) => r.find((e) => e.kind === 'phone.subscription' && e.action === 'drop');

  it('the option is a model option with the ★ default basicCallsOnly', () => {
    expect(DEFAULT_MODEL_OPTIONS.fallbackFeatureSet).to.equal('basicCallsOnly');
    expect(MODEL_OPTION_SPECS.fallbackFeatureSet).to.deep.equal({ kind: 'enum', values: ['basicCallsOnly', 'allInSuccessive', 'configurable'] });
  });

  describe('20, concurrent', () => {
    it('basicCallsOnly (default, ★): no SUBSCRIBE to backup; MWI lost at 2m20.02s as backup becomes working, back with sip1 at 5m1.56s', () => {
      const r = run('20-fallback-concurrent');
      expect(subscribes(r)).to.deep.equal([[0.02, 'sip1'], [301.54, 'sip1']]);
      expect(features(r)).to.deep.equal([[0.04, true, 'sip1'], [140.02, false, 'backup'], [301.56, true, 'sip1']]);
      expect(drop(r)?.t).to.equal(140_020_000);
    });

    it('configurable (the model before the fact sheet): SUBSCRIBE to backup at 2m20.02s, 489, MWI lost at 2m20.04s', () => {
      const r = run('20-fallback-concurrent', { fallbackFeatureSet: 'configurable' });
      expect(subscribes(r)).to.deep.equal([[0.02, 'sip1'], [140.02, 'backup'], [301.54, 'sip1']]);
      expect(features(r)).to.deep.equal([[0.04, true, 'sip1'], [140.04, false, 'backup'], [301.56, true, 'sip1']]);
    });

    it('configurable with a backup offering MWI: MWI stays available on backup (200 OK at 2m20.04s)', () => {
      const r = run('20-fallback-concurrent', { fallbackFeatureSet: 'configurable' }, true);
      expect(subscribes(r)).to.deep.equal([[0.02, 'sip1'], [140.02, 'backup'], [301.54, 'sip1']]);
      expect(features(r)).to.deep.equal([[0.04, true, 'sip1']]);
    });

    it('allInSuccessive in concurrent mode is basic calls only: no SUBSCRIBE to a backup even if it offers MWI', () => {
      const r = run('20-fallback-concurrent', { fallbackFeatureSet: 'allInSuccessive' }, true);
      expect(subscribes(r)).to.deep.equal([[0.02, 'sip1'], [301.54, 'sip1']]);
      expect(features(r)).to.deep.equal([[0.04, true, 'sip1'], [140.02, false, 'backup'], [301.56, true, 'sip1']]);
    });
  });

  describe('21, successive (backup offering MWI)', () => {
    it('basicCallsOnly (default, ★): no SUBSCRIBE to backup; MWI lost at 2m20.02s (no working server) until sip1 at 6m52.06s', () => {
      const r = run('21-fallback-successive', {}, true);
      expect(subscribes(r)).to.deep.equal([[0.02, 'sip1'], [412.04, 'sip1']]);
      expect(features(r)).to.deep.equal([[0.04, true, 'sip1'], [140.02, false, null], [412.06, true, 'sip1']]);
    });

    it('allInSuccessive: SUBSCRIBE to backup at 2m20.04s, MWI available there at 2m20.06s; back to sip1 at 6m52.04s', () => {
      const r = run('21-fallback-successive', { fallbackFeatureSet: 'allInSuccessive' }, true);
      expect(subscribes(r)).to.deep.equal([[0.02, 'sip1'], [140.04, 'backup'], [412.04, 'sip1']]);
      expect(features(r)).to.deep.equal([[0.04, true, 'sip1'], [140.02, false, null], [140.06, true, 'backup']]);
    });

    it('allInSuccessive with the bundled [calls] backup: its 489 keeps MWI lost (2m20.04s SUBSCRIBE, no change of state)', () => {
      const r = run('21-fallback-successive', { fallbackFeatureSet: 'allInSuccessive' });
      expect(subscribes(r)).to.deep.equal([[0.02, 'sip1'], [140.04, 'backup'], [412.04, 'sip1']]);
      expect(features(r)).to.deep.equal([[0.04, true, 'sip1'], [140.02, false, null], [412.06, true, 'sip1']]);
    });
  });
});
