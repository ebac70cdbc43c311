import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * Which servers a call walks (docs/fact-sheet/server-list.md): AMB-05 fallbackInCallList =
 * fallbackOnlyIfRegistered and AMB-11 concurrentCallRouting = useFallbackUntilWorkingReRegisters,
 * on variants of bundled scenarios. The other values are pinned in model-options-redundancy.test.ts.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

/** [t s, destination] of every first INVITE transmission of `phone` (retransmissions left out). */
function invites(records: readonly TraceEvent[], phone: string): [number, string][] {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  for (const r of records) {
    if (r.kind !== 'net.send' || r.from !== phone || r.label !== 'INVITE') continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) continue;
    seen.add(branch);
    out.push([r.t / 1e6, r.to]);
  }
  return out;
}

/** [t s, outcome, via] of each call outcome. */
const outcomes = (records: readonly TraceEvent[]): [number, string, string | null][] =>
  records.flatMap((r) => (r.kind === 'call.outcome' ? [[r.t / 1e6, r.outcome, r.via] as [number, string, string | null]] : []));

/** The reason of each call's first state change (idle → trying). */
const placed = (records: readonly TraceEvent[]): string[] => records.flatMap((r) => (r.kind === 'call.state' && r.from === 'idle' ? [r.reason] : []));

describe('call lists: AMB-05 fallbackOnlyIfRegistered, AMB-11 useFallbackUntilWorkingReRegisters', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-vlist-cl-');
  /** Bundled `id` with absolute .cfg paths, no expectations, `events` added at the top of events:. */
  const variant = (id: string, name: string, events: string[] = []): string => dir.write(name, fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')
    .replaceAll('phones/', `${PHONES}/`)
    .replace(/^expect:[\s\S]*$/m, '')
    .replace(/^events:\n/m, `events:\n${events.map((e) => `  - ${e}\n`).join('')}`));

  describe('AMB-05 fallbackInCallList = fallbackOnlyIfRegistered', () => {
    it('registered on server 2 (bundled 02): server 2 ends the list as with append — sip1 to Timer B, sip2 answers at 1m32s', () => {
      for (const fallbackInCallList of ['append', 'fallbackOnlyIfRegistered'] as const) {
        const r = dir.run(variant('02-server1-silent', '02.yaml'), { fallbackInCallList });
        expect(invites(r, 'alice'), fallbackInCallList).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
        expect(outcomes(r).map((o) => o.slice(1)), fallbackInCallList).to.deep.equal([['answered', 'sip2']]);
        expect(placed(r), fallbackInCallList).to.deep.equal(['call placed']);
      }
    });
    it("server 2's registration failed (sip2 silent from 0 s): the call walks sip1 only and fails at its Timer B, 1m32s; append also walks sip2, failing at 2m4s", () => {
      const file = variant('02-server1-silent', '02-sip2-down.yaml', ['{ at: 0s, fail: sip2, mode: silent }']);
      const only = dir.run(file, { fallbackInCallList: 'fallbackOnlyIfRegistered' });
      expect(invites(only, 'alice')).to.deep.equal([[60, 'sip1']]);
      expect(outcomes(only)).to.deep.equal([[92, 'failed', null]]);
      expect(placed(only)).to.deep.equal(['call placed (server 2 left out, not registered there: fallbackInCallList = fallbackOnlyIfRegistered)']);
      const append = dir.run(file);
      expect(invites(append, 'alice')).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
      expect(outcomes(append)).to.deep.equal([[124, 'failed', null]]);
    });
    it("the sheet's worked example (08: server 1 = SRV sip1, sip2; server 2 = backup; all silent; invite-retry-counts 3): flatList fails at +47 s, fallbackOnlyIfRegistered at +39.5 s", () => {
      const file = variant('08-srv-failover', '08-all-silent.yaml', ['{ at: 0s, fail: sip2, mode: silent }', '{ at: 0s, fail: backup, mode: silent }']);
      const flat = dir.run(file, { inviteFailover: 'invite-retry-counts' });
      expect(invites(flat, 'carol')).to.deep.equal([[60, 'sip1'], [67.5, 'sip2'], [75, 'backup']]);
      expect(outcomes(flat)).to.deep.equal([[107, 'failed', null]]);
      const only = dir.run(file, { inviteFailover: 'invite-retry-counts', fallbackInCallList: 'fallbackOnlyIfRegistered' });
      // backup left out: sip2 is the last entry and gets the full Timer B.
      expect(invites(only, 'carol')).to.deep.equal([[60, 'sip1'], [67.5, 'sip2']]);
      expect(outcomes(only)).to.deep.equal([[99.5, 'failed', null]]);
    });
  });
});
