import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * AMB-35 registrationRetryScope (docs/fact-sheet/server-list.md) on bundled 09-dns-down-at-boot:
 * DNS is silent until 5m, carol's server 1 is pbx.example.com (retry_counts 3), so every
 * registration attempt fails on DNS (18 s) and is retried reg_fail_retry_interval (30 s) later.
 * The bundled file sets `model: { registrationRetryScope: unbounded }` (its story is a phone that
 * keeps retrying); the copies here drop that line, so the default (★ retryCounts) applies.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

/** Instants (s) at which carol's registration moved to state `to`. */
function changes(records: readonly TraceEvent[], to: string): number[] {
  return records.flatMap((e) => (e.kind === 'phone.registration' && e.phone === 'carol' && e.to === to ? [e.t / 1e6] : []));
}

describe('AMB-35 registrationRetryScope (09-dns-down-at-boot)', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-vambs-rrs-');
  const file = (retryCounts?: number): string => dir.write(`rrs-${retryCounts ?? 'd'}.yaml`, fs.readFileSync(path.join(repoRoot, 'scenarios', '09-dns-down-at-boot.yaml'), 'utf8')
    .replaceAll('phones/', `${PHONES}/`)
    .replace(/^model: \{ registrationRetryScope: unbounded \}\n/m, '')
    .replace(/^expect:[\s\S]*$/m, '')
    .replace('settings: { account.1.sip_server.2.address: "" }', `settings: { account.1.sip_server.2.address: ""${retryCounts === undefined ? '' : `, account.1.sip_server.1.retry_counts: ${retryCounts}`} }`));

  it('the copy has no model: line left (so the tests below see the default)', () => {
    expect(fs.readFileSync(file(), 'utf8')).to.not.match(/^model:/m);
  });
  it('unbounded (the model before the ★ default; bundled 09 sets it): retried every 30 s — the 10th retry at 5m18s finds DNS back and registers at 5m18.06s', () => {
    const r = dir.run(file(), { registrationRetryScope: 'unbounded' });
    expect(changes(r, 'failed')).to.have.length(10);
    expect(changes(r, 'registered')).to.deep.equal([318.06]);
  });
  for (const [label, model] of [['retryCounts (default, ★)', {}], ['retryCounts set explicitly', { registrationRetryScope: 'retryCounts' as const }]] as const) {
    it(`${label}: the first attempt and retry_counts (3) repeats — failed at 18 s, 48 s, 1m18s, 1m48s, then given up: never registered`, () => {
      const r = dir.run(file(), model);
      expect(changes(r, 'failed')).to.deep.equal([18, 48, 78, 108]);
      expect(changes(r, 'registering')).to.deep.equal([0, 48, 78, 108]);
      expect(changes(r, 'registered')).to.deep.equal([]);
      const last = r.filter((e) => e.kind === 'phone.registration' && e.phone === 'carol').at(-1);
      expect(last && last.kind === 'phone.registration' ? last.reason : '').to.match(/registration given up after 3 repeats \(retry_counts, registrationRetryScope = retryCounts\)$/);
      // Given up: no REGISTER and no DNS query from carol after 1m48s, though DNS is back at 1m.
      expect(r.filter((e) => e.kind === 'net.send' && e.from === 'carol' && e.t > 108e6)).to.deep.equal([]);
    });
  }
  it('retryCounts (default) with account.1.sip_server.1.retry_counts = 1: one repeat — given up at 48 s', () => {
    expect(changes(dir.run(file(1)), 'failed')).to.deep.equal([18, 48]);
  });
});
