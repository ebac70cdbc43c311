import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * AMB-24, model option regRetryRestart (docs/fact-sheet/server-list.md): where the retry of a
 * registration whose every address failed starts. Variant of bundled 08-srv-failover: server 1 =
 * pbx.example.com (SRV sip1, then sip2), retry_counts 3, reg_fail_retry_interval 30 s; sip1 and
 * sip2 silent from 0 s (no call). The first attempt: sip1 at 60 ms (left at 7.56 s), sip2 (last,
 * full Timer F) until 39.56 s; the retry 30 s later, at 1m9.56s.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

/** Instants (s) of the first transmission of each REGISTER transaction from carol to `to`. */
function registers(records: readonly TraceEvent[], to: string): number[] {
  const seen = new Set<string>();
  return records.flatMap((r) => {
    if (r.kind !== 'net.send' || r.from !== 'carol' || r.to !== to || !payloadText(r).startsWith('REGISTER ')) return [];
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) return [];
    seen.add(branch);
    return [r.t / 1e6];
  });
}

describe('AMB-24 regRetryRestart: the retry after every address failed starts at the primary or at the last tried', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-vlist-rrr-');
  const file = (events: string[]): string => dir.write(`08-${events.length}.yaml`, fs.readFileSync(path.join(repoRoot, 'scenarios', '08-srv-failover.yaml'), 'utf8')
    .replaceAll('phones/', `${PHONES}/`)
    .replace(/^expect:[\s\S]*$/m, '')
    .replace(/^ {2}- \{ at: 1m, call:.*\n/m, '')
    .replace(/^duration: 3m$/m, 'duration: 5m')
    .replace(/^events:\n/m, `events:\n${events.map((e) => `  - ${e}\n`).join('')}`));
  const silent = (): string => file(['{ at: 0s, fail: sip2, mode: silent }']);

  it('primary (default, ★): every retry walks sip1 then sip2 — sip1 at 0.06, 1m9.56s, 2m19.06s, 3m28.56s', () => {
    const r = dir.run(silent());
    expect(registers(r, 'sip1')).to.deep.equal([0.06, 69.56, 139.06, 208.56]);
    expect(registers(r, 'sip2')).to.deep.equal([7.56, 77.06, 146.56, 216.06]);
  });
  it('lastTried: a retry starts at the address tried last and wraps round — sip2, sip1 at 1m9.56s; sip1, sip2 at 2m19.06s; …; traced', () => {
    const r = dir.run(silent(), { regRetryRestart: 'lastTried' });
    expect(registers(r, 'sip2')).to.deep.equal([7.56, 69.56, 146.56, 208.56]);
    expect(registers(r, 'sip1')).to.deep.equal([0.06, 77.06, 139.06, 216.06]);
    // The entry now last gets the full Timer F: sip1 from 1m17.06s to the failure at 1m49.06s.
    const failed = r.flatMap((e) => (e.kind === 'phone.registration' && e.phone === 'carol' && e.to === 'failed' ? [[e.t / 1e6, e.server]] : []));
    expect(failed.slice(0, 2)).to.deep.equal([[39.56, 'sip2'], [109.06, 'sip1']]);
    const notes = r.flatMap((e) => (e.kind === 'phone.register-attempt' && e.phone === 'carol' && /regRetryRestart/.test(e.reason) ? [[e.t / 1e6, e.reason]] : []));
    expect(notes).to.deep.equal([
      [69.56, 'retry starts at sip2, the address tried last (regRetryRestart = lastTried)'],
      [208.56, 'retry starts at sip2, the address tried last (regRetryRestart = lastTried)'],
    ]);
  });
  it('sip2 back at 1m: lastTried registers with it at 1m9.58s, the first thing the retry sends; primary first spends 7.5 s on sip1 (1m17.08s)', () => {
    const back = file(['{ at: 0s, fail: sip2, mode: silent }', '{ at: 1m, recover: sip2 }']);
    const at = (model: object): number | undefined => dir.run(back, model).find((e) => e.kind === 'phone.registration' && e.phone === 'carol' && e.server === 'sip2' && e.to === 'registered')?.t;
    expect(at({})).to.equal(77_080_000);
    expect(at({ regRetryRestart: 'lastTried' })).to.equal(69_580_000);
  });
});
