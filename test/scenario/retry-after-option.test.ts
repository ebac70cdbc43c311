import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * AMB-23, model option retryAfter (docs/fact-sheet/server-list.md): what a 503's Retry-After does
 * to the next requests and to the registration retry, each reading held against the default
 * `honour` on variants of bundled scenario 04 (alice, sip1 and sip2, 20 ms links).
 */
const run = (file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] => runRecorded(loadScenario(file), { model }).records;

/** [t s, destination host] of every first transmission of `method` by alice. */
function firsts(records: readonly TraceEvent[], method: string): [number, string][] {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  for (const r of records) {
    if (r.kind !== 'net.send' || r.from !== 'alice' || r.label !== method) continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) continue;
    seen.add(branch);
    out.push([r.t / 1e6, r.to]);
  }
  return out;
}

/** [t s, from, to] of sip1's registration states. */
const sip1States = (records: readonly TraceEvent[]): [number, string, string][] =>
  records.flatMap((e) => (e.kind === 'phone.registration' && e.server === 'sip1' ? [[e.t / 1e6, e.from, e.to] as [number, string, string]] : []));

describe('AMB-23 retryAfter: a 503 with Retry-After', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-retry-after-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const variant = (name: string, events: string[]): string => {
    const f = path.join(tmp, `${name}.yaml`);
    fs.writeFileSync(f, fs.readFileSync(path.join(repoRoot, 'scenarios/04-server1-503.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/alice.cfg]', `config: [${['common.cfg', 'alice.cfg'].map((c) => path.join(repoRoot, 'scenarios/phones', c)).join(', ')}]`)
      .replace(/^events:[\s\S]*$/m, `events:\n${events.map((e) => `  - ${e}\n`).join('')}`));
    return f;
  };
  /**
   * Calls: sip1 503 (Retry-After 60 s) from 30 s, sip2 503 (Retry-After 30 s) from 1m25s; calls
   * at 1m (sip1's 503 at 1m0.02s), 1m30s (sip2's 503 at 1m30.02s) and 1m40s.
   */
  const calls = (): string => variant('calls', [
    '{ at: 0s, boot: alice }',
    '{ at: 30s, fail: sip1, mode: "503", retryAfter: 60s }',
    '{ at: 1m, call: { from: alice, to: "2000", duration: 20s } }',
    '{ at: 1m25s, fail: sip2, mode: "503", retryAfter: 30s }',
    '{ at: 1m30s, call: { from: alice, to: "2001", duration: 20s } }',
    '{ at: 1m40s, call: { from: alice, to: "2002", duration: 20s } }',
  ]);
  /** Registration: sip1 answers 503 with Retry-After `ra` from 0 s; alice boots at 1 s (503 at 1.04 s; reg_fail_retry_interval 30 s). */
  const registration = (ra: number): string => variant(`reg-${ra}`, [
    `{ at: 0s, fail: sip1, mode: "503", retryAfter: ${ra}s }`,
    '{ at: 1s, boot: alice }',
  ]);
  const callEnds = (r: readonly TraceEvent[]): [number, string][] =>
    r.flatMap((e) => (e.kind === 'call.state' && (e.to === 'failed' || e.to === 'answered') ? [[e.t / 1e6, e.to] as [number, string]] : []));

  describe('calls', () => {
    it('honour (default ★): sip1 is left out until 2m0.04s (its 503 came at 1m0.04s) — 1m30s goes to sip2 only and fails on its 503 (1m30.04s); 1m40s has no address and fails at once', () => {
      const r = run(calls());
      expect(firsts(r, 'INVITE')).to.deep.equal([[60, 'sip1'], [60.04, 'sip2'], [90, 'sip2']]);
      expect(callEnds(r).slice(1)).to.deep.equal([[90.04, 'failed'], [100, 'failed']]);
      const third = r.filter((e) => e.kind === 'call.state' && e.t === 100_000_000).map((e) => (e.kind === 'call.state' ? e.reason : ''));
      expect(third.join(' ')).to.contain('every address is held off by a 503 Retry-After').and.contain('skipped 10.0.0.1:5060:udp: its 503 Retry-After holds it off until 2m0.04s');
    });
    it('tryLast (the reading before the option): sip1 is tried last — 1m30s walks sip2 then sip1; 1m40s both, still in list order', () => {
      const r = run(calls(), { retryAfter: 'tryLast' });
      expect(firsts(r, 'INVITE')).to.deep.equal([[60, 'sip1'], [60.04, 'sip2'], [90, 'sip2'], [90.04, 'sip1'], [100, 'sip1'], [100.04, 'sip2']]);
    });
    it('ignore, and honourForRegisterOnly: every call tries sip1 first again', () => {
      const expected = [[60, 'sip1'], [60.04, 'sip2'], [90, 'sip1'], [90.04, 'sip2'], [100, 'sip1'], [100.04, 'sip2']];
      expect(firsts(run(calls(), { retryAfter: 'ignore' }), 'INVITE')).to.deep.equal(expected);
      expect(firsts(run(calls(), { retryAfter: 'honourForRegisterOnly' }), 'INVITE')).to.deep.equal(expected);
    });
  });

  describe('registration retry (reg_fail_retry_interval = 30 s)', () => {
    it('honour (default ★): a Retry-After of 10 s shortens the retry to 11.04 s; 60 s lengthens it to 61.04 s', () => {
      expect(sip1States(run(registration(10))).slice(0, 3)).to.deep.equal([[1, 'unregistered', 'registering'], [1.04, 'registering', 'failed'], [11.04, 'failed', 'registering']]);
      expect(sip1States(run(registration(60)))[2]).to.deep.equal([61.04, 'failed', 'registering']);
    });
    it('honourForRegisterOnly: as honour for REGISTER (11.04 s)', () => {
      expect(sip1States(run(registration(10), { retryAfter: 'honourForRegisterOnly' }))[2]).to.deep.equal([11.04, 'failed', 'registering']);
    });
    it('tryLast: max(interval, Retry-After) — 31.04 s with 10 s, 61.04 s with 60 s', () => {
      expect(sip1States(run(registration(10), { retryAfter: 'tryLast' }))[2]).to.deep.equal([31.04, 'failed', 'registering']);
      expect(sip1States(run(registration(60), { retryAfter: 'tryLast' }))[2]).to.deep.equal([61.04, 'failed', 'registering']);
    });
    it('ignore: the interval alone — 31.04 s even with 60 s', () => {
      expect(sip1States(run(registration(60), { retryAfter: 'ignore' }))[2]).to.deep.equal([31.04, 'failed', 'registering']);
    });
  });
});
