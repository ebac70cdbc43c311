import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * AMB-25, model option bootDelay (docs/fact-sheet/server-list.md): sip.reg_surge_prevention = 20
 * on a phone with two accounts (alice's account 1 on sip1/sip2, account 2 on sip2), booted at 0 s.
 */
const run = (file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] => runRecorded(loadScenario(file), { model }).records;

/** Account → instant (s) its registration starts. */
function starts(records: readonly TraceEvent[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of records) {
    if (e.kind === 'phone.registration' && e.to === 'registering' && e.reason === 'boot' && !out.has(e.account)) out.set(e.account, e.t / 1e6);
  }
  return out;
}

describe('AMB-25 bootDelay with sip.reg_surge_prevention = 20, two accounts', function () {
  this.timeout(30_000);
  let tmp: string;
  let file: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-boot-delay-'));
    const cfg = path.join(tmp, 'alice2.cfg');
    fs.writeFileSync(cfg, ['#!version:1.0.0.1', 'account.2.enable = 1', 'account.2.user_name = 1002', 'account.2.sip_server.1.address = 10.0.0.2', 'sip.reg_surge_prevention = 20', ''].join('\n'));
    file = path.join(tmp, 'boot.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(repoRoot, 'scenarios/04-server1-503.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/alice.cfg]', `config: [${['common.cfg', 'alice.cfg'].map((c) => path.join(repoRoot, 'scenarios/phones', c)).join(', ')}, ${cfg}]`)
      .replace(/^events:[\s\S]*$/m, 'events:\n  - { at: 0s, boot: alice }\n'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('uniform (default ★): one draw in 0..20 s, both accounts start at that instant', () => {
    const s = starts(run(file));
    expect([...s.keys()]).to.deep.equal([1, 2]);
    expect(s.get(1)).to.be.within(0, 20).and.not.equal(0);
    expect(s.get(2)).to.equal(s.get(1));
  });
  it('uniformPerAccount: account 1 keeps the phone draw, account 2 draws its own in 0..20 s', () => {
    const phone = starts(run(file)).get(1);
    const s = starts(run(file, { bootDelay: 'uniformPerAccount' }));
    expect(s.get(1)).to.equal(phone);
    expect(s.get(2)).to.be.within(0, 20).and.not.equal(phone);
  });
  it('fixed: both accounts start at exactly 20 s', () => {
    const s = starts(run(file, { bootDelay: 'fixed' }));
    expect([s.get(1), s.get(2)]).to.deep.equal([20, 20]);
  });
});
