import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';
import { firstInvites } from '../helpers/first-invites.js';

/**
 * Model options for the redundancy ambiguities A3–A6 of the reference: each alternative changes
 * where a call goes (or when the fallback registers), pinned here against the default.
 */
const scenario = (id: string): string => path.join(repoRoot, 'scenarios', `${id}.yaml`);
const run = (file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] => runRecorded(loadScenario(file), { model }).records;


const outcome = (records: readonly TraceEvent[]): [string, string | null] | undefined => {
  const o = records.find((r) => r.kind === 'call.outcome');
  return o && o.kind === 'call.outcome' ? [o.outcome, o.via] : undefined;
};

describe('model options A3–A6 (redundancy ambiguities)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-a36-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('A3 fallbackInCallList', () => {
    it("append (default): server 1's addresses, then server 2 — 02: sip1 times out, sip2 answers", () => {
      const r = run(scenario('02-server1-silent'));
      expect(firstInvites(r, 'alice')).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
      expect(outcome(r)).to.deep.equal(['answered', 'sip2']);
    });
    it('registration-only: while server 1 is registered the call uses server 1 only — 02: the call fails after sip1', () => {
      const r = run(scenario('02-server1-silent'), { fallbackInCallList: 'registration-only' });
      expect(firstInvites(r, 'alice')).to.deep.equal([[60, 'sip1']]);
      expect(outcome(r)).to.deep.equal(['failed', null]);
    });
    it('registration-only: once server 1 is unregistered, server 2 only — 20: the call goes straight to backup', () => {
      const r = run(scenario('20-fallback-concurrent'), { fallbackInCallList: 'registration-only' });
      expect(firstInvites(r, 'ivy')).to.deep.equal([[180, 'backup']]);
    });
  });

  describe('A5 concurrentCallRouting (20: sip1 registration failed at 2m20s, call at 3m)', () => {
    it('primary-first (default): the call still tries sip1 first, backup after Timer B', () => {
      expect(firstInvites(run(scenario('20-fallback-concurrent')), 'ivy')).to.deep.equal([[180, 'sip1'], [212, 'backup']]);
    });
    it('working-first: the call goes to the working server (backup) first', () => {
      const r = run(scenario('20-fallback-concurrent'), { concurrentCallRouting: 'working-first' });
      expect(firstInvites(r, 'ivy')).to.deep.equal([[180, 'backup']]);
      expect(outcome(r)).to.deep.equal(['answered', 'backup']);
    });
  });

  describe('A4 failedServerMemory (16: sip1 failed the registration at 7.56 s, back at 1m; call at 1m30s)', () => {
    it('0 (default): failback mode 0 sends the call to the primary first', () => {
      expect(firstInvites(run(scenario('16-failback-mode0-new-requests')), 'hank')[0]).to.deep.equal([90, 'sip1']);
    });
    it('600 s: the primary that failed is remembered and tried last — the call goes to sip2', () => {
      expect(firstInvites(run(scenario('16-failback-mode0-new-requests'), { failedServerMemory: 600 }), 'hank')[0]).to.deep.equal([90, 'sip2']);
    });
    it('60 s: the memory has lapsed by the call (1m7.56s < 1m30s) — sip1 first again', () => {
      expect(firstInvites(run(scenario('16-failback-mode0-new-requests'), { failedServerMemory: 60 }), 'hank')[0]).to.deep.equal([90, 'sip1']);
    });
  });

  describe('A6 successiveTrigger (21 with the call at 1m10s, before the renewal notices sip1 is down)', () => {
    const variant = (): string => {
      const f = path.join(tmp, '21-early-call.yaml');
      const text = fs.readFileSync(scenario('21-fallback-successive'), 'utf8')
        .replace('config: [phones/common.cfg, phones/ivy-fallback.cfg]', `config: [${path.join(repoRoot, 'scenarios/phones/common.cfg')}, ${path.join(repoRoot, 'scenarios/phones/ivy-fallback.cfg')}]`)
        .replace('{ at: 3m, call:', '{ at: 1m10s, call:')
        .replace(/^expect:[\s\S]*$/m, '');
      fs.writeFileSync(f, text);
      return f;
    };
    const fallbackRegisters = (records: readonly TraceEvent[]): number[] =>
      records.flatMap((r) => (r.kind === 'net.send' && r.to === 'backup' && r.label === 'REGISTER' ? [r.t / 1e6] : []));

    it('registration (default): the call fails over to backup, but the fallback registers only when the renewal fails (2m20.02s)', () => {
      const r = run(variant());
      expect(firstInvites(r, 'ivy')).to.deep.equal([[70, 'sip1'], [102, 'backup']]);
      expect(fallbackRegisters(r)[0]).to.equal(140.02);
    });
    it('registration-or-call: the failed-over call starts the fallback registration at once (1m42s)', () => {
      expect(fallbackRegisters(run(variant(), { successiveTrigger: 'registration-or-call' }))[0]).to.equal(102);
    });
  });
});
