import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';
import { firstInvites } from '../helpers/first-invites.js';

/**
 * Which servers a call walks (docs/fact-sheet/server-list.md): AMB-05 fallbackInCallList =
 * fallbackOnlyIfRegistered and AMB-11 concurrentCallRouting = useFallbackUntilWorkingReRegisters,
 * on variants of bundled scenarios. The other values are pinned in model-options-redundancy.test.ts.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');


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
        expect(firstInvites(r, 'alice'), fallbackInCallList).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
        expect(outcomes(r).map((o) => o.slice(1)), fallbackInCallList).to.deep.equal([['answered', 'sip2']]);
        expect(placed(r), fallbackInCallList).to.deep.equal(['call placed']);
      }
    });
    it("server 2's registration failed (sip2 silent from 0 s): the call walks sip1 only and fails at its Timer B, 1m32s; append also walks sip2, failing at 2m4s", () => {
      const file = variant('02-server1-silent', '02-sip2-down.yaml', ['{ at: 0s, fail: sip2, mode: silent }']);
      const only = dir.run(file, { fallbackInCallList: 'fallbackOnlyIfRegistered' });
      expect(firstInvites(only, 'alice')).to.deep.equal([[60, 'sip1']]);
      expect(outcomes(only)).to.deep.equal([[92, 'failed', null]]);
      expect(placed(only)).to.deep.equal(['call placed (server 2 left out, not registered there: fallbackInCallList = fallbackOnlyIfRegistered)']);
      const append = dir.run(file);
      expect(firstInvites(append, 'alice')).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
      expect(outcomes(append)).to.deep.equal([[124, 'failed', null]]);
    });
    it("the sheet's worked example (08: server 1 = SRV sip1, sip2; server 2 = backup; all silent; invite-retry-counts 3): flatList fails at +47 s, fallbackOnlyIfRegistered at +39.5 s", () => {
      const file = variant('08-srv-failover', '08-all-silent.yaml', ['{ at: 0s, fail: sip2, mode: silent }', '{ at: 0s, fail: backup, mode: silent }']);
      const flat = dir.run(file, { inviteFailover: 'invite-retry-counts' });
      expect(firstInvites(flat, 'carol')).to.deep.equal([[60, 'sip1'], [67.5, 'sip2'], [75, 'backup']]);
      expect(outcomes(flat)).to.deep.equal([[107, 'failed', null]]);
      const only = dir.run(file, { inviteFailover: 'invite-retry-counts', fallbackInCallList: 'fallbackOnlyIfRegistered' });
      // backup left out: sip2 is the last entry and gets the full Timer B.
      expect(firstInvites(only, 'carol')).to.deep.equal([[60, 'sip1'], [67.5, 'sip2']]);
      expect(outcomes(only)).to.deep.equal([[99.5, 'failed', null]]);
    });
  });

  describe('AMB-11 concurrentCallRouting = useFallbackUntilWorkingReRegisters (20: sip1 silent 1m–5m, failed at 2m20.02s, back at 5m1.54s)', () => {
    // backup answers 503 from 2m50s to 5m30s (its registration fails at 3m36.06s); calls at 3m, 4m40s and 6m.
    const file = (): string => variant('20-fallback-concurrent', '20.yaml', [
      '{ at: 2m50s, fail: backup, mode: "503" }', '{ at: 5m30s, recover: backup }',
      '{ at: 4m40s, call: { from: ivy, to: "2000", duration: 10s } }', '{ at: 6m, call: { from: ivy, to: "2000", duration: 10s } }',
    ]);
    it('server 2 only from the failed registration on: the 3m call fails on backup\'s 503 at 3m0.02s (working-first then tries sip1 to Timer B, 3m32.02s)', () => {
      const r = dir.run(file(), { concurrentCallRouting: 'useFallbackUntilWorkingReRegisters' });
      expect(firstInvites(r, 'ivy').filter(([t]) => t < 200)).to.deep.equal([[180, 'backup']]);
      expect(outcomes(r)[0]).to.deep.equal([180.02, 'failed', null]);
      expect(placed(r)[0]).to.equal('call placed (server 1 left out, its registration failed and has not succeeded since: concurrentCallRouting = useFallbackUntilWorkingReRegisters)');
      const wf = dir.run(file(), { concurrentCallRouting: 'working-first' });
      expect(firstInvites(wf, 'ivy').filter(([t]) => t < 200)).to.deep.equal([[180, 'backup'], [180.02, 'sip1']]);
      expect(outcomes(wf)[0]).to.deep.equal([212.02, 'failed', null]);
    });
    it('backup no longer registered either (4m40s): still backup only, failed at 4m40.02s — working-first and primary-first walk sip1 first, which answers at 5m12.52s', () => {
      const r = dir.run(file(), { concurrentCallRouting: 'useFallbackUntilWorkingReRegisters' });
      expect(firstInvites(r, 'ivy').filter(([t]) => t >= 280 && t < 360)).to.deep.equal([[280, 'backup']]);
      expect(outcomes(r)[1]).to.deep.equal([280.02, 'failed', null]);
      for (const concurrentCallRouting of ['working-first', 'primary-first'] as const) {
        const o = dir.run(file(), { concurrentCallRouting });
        expect(firstInvites(o, 'ivy').filter(([t]) => t >= 280 && t < 360), concurrentCallRouting).to.deep.equal([[280, 'sip1']]);
        expect(outcomes(o)[1], concurrentCallRouting).to.deep.equal([312.52, 'answered', 'sip1']);
      }
    });
    it('once sip1 registers again (5m1.54s) the 6m call goes to sip1 first and is answered', () => {
      const r = dir.run(file(), { concurrentCallRouting: 'useFallbackUntilWorkingReRegisters' });
      expect(firstInvites(r, 'ivy').filter(([t]) => t >= 360)).to.deep.equal([[360, 'sip1']]);
      expect(outcomes(r)[2]).to.deep.equal([361.02, 'answered', 'sip1']);
      expect(placed(r)[2]).to.equal('call placed');
    });
    it('successive mode: no effect — R6 decides (the fallback takes over all calling while registered)', () => {
      const succ = variant('21-fallback-successive', '21.yaml');
      for (const model of [{}, { concurrentCallRouting: 'useFallbackUntilWorkingReRegisters' as const }]) {
        const r = dir.run(succ, model);
        expect(firstInvites(r, 'ivy'), JSON.stringify(model)).to.deep.equal([[180, 'backup']]);
        expect(placed(r), JSON.stringify(model)).to.deep.equal(['call placed']);
      }
    });
  });
});
