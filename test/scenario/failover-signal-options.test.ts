import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';

/**
 * What ends an attempt on one server (fact sheet AMB-22 icmpHandling, AMB-03
 * provisionalStopsFailover, AMB-04 lastServerScope; docs/fact-sheet/server-list.md): each
 * alternative against the default, by the instants the INVITEs leave.
 */

/** [t s, destination] of every first transmission (new branch) of `method` by `phone`. */
function firsts(records: readonly TraceEvent[], phone: string, method: string): [number, string][] {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  for (const r of records) {
    if (r.kind !== 'net.send' || r.from !== phone || r.label !== method) continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) continue;
    seen.add(branch);
    out.push([Math.round(r.t / 1e3) / 1e3, r.to]);
  }
  return out;
}

function outcome(records: readonly TraceEvent[]): [number, string, string | null, string[]] | null {
  const o = records.find((e) => e.kind === 'call.outcome');
  return o && o.kind === 'call.outcome' ? [o.t / 1e6, o.outcome, o.via, o.tried] : null;
}

const PHONES = path.join(repoRoot, 'scenarios', 'phones');
/** A bundled scenario's text, edited, with its phone configs found from anywhere. */
const scenario = (file: string, edit: (text: string) => string): string => edit(fs.readFileSync(path.join(repoRoot, 'scenarios', file), 'utf8').replaceAll('phones/', `${PHONES}/`));

describe('failover signal options (fact sheet AMB-22, AMB-03, AMB-04)', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-vambs-');

  describe('AMB-22 icmpHandling (03-server1-unreachable: sip1 closed from 30 s, call at 1m, ICMP back 40 ms after each INVITE)', () => {
    const file = (): string => dir.write('icmp.yaml', scenario('03-server1-unreachable.yaml', (t) => t.replace(/^expect:[\s\S]*$/m, '')));
    it("failServerNow (default, ★): the ICMP fails sip1 at once — INVITE to sip2 at 1m0.04s", () => {
      const r = dir.run(file());
      expect(firsts(r, 'alice', 'INVITE')).to.deep.equal([[60, 'sip1'], [60.04, 'sip2']]);
      expect(outcome(r)?.slice(1)).to.deep.equal(['answered', 'sip2', ['sip1', 'sip2']]);
    });
    it('ignore: sip1 is treated as silent — Timer B (32 s) ends it, INVITE to sip2 at 1m32s', () => {
      const r = dir.run(file(), { icmpHandling: 'ignore' });
      expect(firsts(r, 'alice', 'INVITE')).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
      expect(r.some((e) => e.kind === 'sip.transport-error')).to.equal(false);
    });
    it('countAsOneRetry with no bound (inviteFailover = timer-b): the ICMPs are counted, Timer B still decides — sip2 at 1m32s', () => {
      const r = dir.run(file(), { icmpHandling: 'countAsOneRetry' });
      expect(firsts(r, 'alice', 'INVITE')).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
      const counted = r.filter((e) => e.kind === 'sip.transport-error' && e.cause.includes('counted as one retry'));
      expect(counted.length).to.equal(7); // one per INVITE sent to sip1 (0, 0.5, 1.5 … 31.5 s)
    });
    it('countAsOneRetry with retry_counts 3 (inviteFailover = retry-counts): send 0 + ICMP, retransmission 0.5 + ICMP = 3 retries — gives up at 1.5 s, sip2 at 1m1.5s', () => {
      const r = dir.run(file(), { icmpHandling: 'countAsOneRetry', inviteFailover: 'retry-counts' });
      expect(firsts(r, 'alice', 'INVITE')).to.deep.equal([[60, 'sip1'], [61.5, 'sip2']]);
      const gaveUp = r.find((e) => e.kind === 'sip.txn.state' && e.host === 'alice' && e.to === 'terminated' && e.reason.startsWith('retry limit'));
      expect(gaveUp && gaveUp.kind === 'sip.txn.state' ? gaveUp.reason : '').to.equal('retry limit reached after 1 retransmissions and 2 ICMP errors');
    });
    it('ignore with retry_counts 3: three retransmissions, moves on when the fourth is due — sip2 at 1m7.5s; failServerNow still 1m0.04s', () => {
      expect(firsts(dir.run(file(), { icmpHandling: 'ignore', inviteFailover: 'retry-counts' }), 'alice', 'INVITE')).to.deep.equal([[60, 'sip1'], [67.5, 'sip2']]);
      expect(firsts(dir.run(file(), { inviteFailover: 'retry-counts' }), 'alice', 'INVITE')).to.deep.equal([[60, 'sip1'], [60.04, 'sip2']]);
    });
  });

  describe('AMB-22 icmpHandling on a REGISTER (08-srv-failover with sip1 unreachable from 0 s: REGISTER to sip1 at 0.06 s, retry_counts 3)', () => {
    const file = (): string => dir.write('icmp-reg.yaml', scenario('08-srv-failover.yaml', (t) => t.replace(/^expect:[\s\S]*$/m, '').replace('fail: sip1, mode: silent', 'fail: sip1, mode: unreachable')));
    const toSip2 = (model: Record<string, string>): number | undefined => firsts(dir.run(file(), model), 'carol', 'REGISTER').find(([, h]) => h === 'sip2')?.[0];
    it('failServerNow (default): sip2 at 0.08 s; countAsOneRetry: at 1.56 s (send + ICMP, retransmission + ICMP); ignore: at 7.56 s (as silent)', () => {
      expect([toSip2({}), toSip2({ icmpHandling: 'countAsOneRetry' }), toSip2({ icmpHandling: 'ignore' })]).to.deep.equal([0.08, 1.56, 7.56]);
    });
  });

  describe('AMB-03 provisionalStopsFailover (sip1 sends 100 + 180 at once; call at 10 s, INVITE at sip1 at 10.02 s)', () => {
    const ringing = (sip1: string): string => dir.write(`ring-${sip1.replace(/\W/g, '')}.yaml`, [
      'name: provisional then nothing', 'duration: 3m',
      `phones: { alice: { address: 10.0.0.10, config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg] } }`,
      `servers: { sip1: { address: 10.0.0.1${sip1} }, sip2: { address: 10.0.0.2 } }`,
      'network: { default: { delay: 20ms } }',
      'events: [ { at: 0s, boot: alice }, { at: 10s, call: { from: alice, to: "2000", duration: 5s } } ]',
    ].join('\n'));
    const cancels = (r: readonly TraceEvent[]): [number, string][] => firsts(r, 'alice', 'CANCEL');

    it('rfc (default, ★): ringing for ever — at noAnswerTimeout (30 s) after the 180 the caller gives up: CANCEL at 40.04 s, call failed, no failover', () => {
      const r = dir.run(ringing(', ringTime: 10m'), { noAnswerTimeout: 30 });
      expect(cancels(r)).to.deep.equal([[40.04, 'sip1']]);
      expect(firsts(r, 'alice', 'INVITE')).to.deep.equal([[10, 'sip1']]);
      expect(outcome(r)).to.deep.equal([40.04, 'failed', null, ['sip1']]);
    });
    it('appTimer: noAnswerTimeout (30 s) after the 180 the phone gives up on sip1 — CANCEL and INVITE to sip2 at 40.04 s; sip1\'s 487 does not end the call', () => {
      const r = dir.run(ringing(', ringTime: 10m'), { noAnswerTimeout: 30, provisionalStopsFailover: 'appTimer' });
      expect(cancels(r)).to.deep.equal([[40.04, 'sip1']]);
      expect(firsts(r, 'alice', 'INVITE')).to.deep.equal([[10, 'sip1'], [40.04, 'sip2']]);
      expect(r.some((e) => e.kind === 'net.send' && e.from === 'sip1' && e.label === '487 Request Terminated (INVITE)')).to.equal(true);
      expect(outcome(r)).to.deep.equal([41.08, 'answered', 'sip2', ['sip1', 'sip2']]);
    });
    it('rfc and appTimer: a 503 after the 180 (sip1 answers 503 at 5 s) still fails over — INVITE to sip2 at 15.04 s', () => {
      for (const provisionalStopsFailover of ['rfc', 'appTimer'] as const) {
        const r = dir.run(ringing(', ringTime: 5s, answer: 503'), { provisionalStopsFailover });
        expect(firsts(r, 'alice', 'INVITE'), provisionalStopsFailover).to.deep.equal([[10, 'sip1'], [15.04, 'sip2']]);
        expect(outcome(r)?.slice(1), provisionalStopsFailover).to.deep.equal(['answered', 'sip2', ['sip1', 'sip2']]);
      }
    });
    it('noFailoverAfter1xx: the 503 after the 180 ends the call at 15.04 s — no INVITE to sip2', () => {
      const r = dir.run(ringing(', ringTime: 5s, answer: 503'), { provisionalStopsFailover: 'noFailoverAfter1xx' });
      expect(firsts(r, 'alice', 'INVITE')).to.deep.equal([[10, 'sip1']]);
      expect(outcome(r)).to.deep.equal([15.04, 'failed', null, ['sip1']]);
      const failed = r.find((e) => e.kind === 'call.state' && e.to === 'failed');
      expect(failed && failed.kind === 'call.state' ? failed.reason : '').to.equal('503 Service Unavailable; no failover after a provisional (provisionalStopsFailover = noFailoverAfter1xx)');
    });
  });

  describe('AMB-04 lastServerScope (08-srv-failover: server 1 = [sip1, sip2] by SRV, server 2 = backup; inviteFailover = retry-counts)', () => {
    /** sip1 and sip2 silent from 0 s; `extra` events appended. */
    const file = (name: string, extra = ''): string => dir.write(name, scenario('08-srv-failover.yaml', (t) => t
      .replace(/^expect:[\s\S]*$/m, '')
      .replace('  - { at: 0s, fail: sip1, mode: silent }', `  - { at: 0s, fail: sip1, mode: silent }\n  - { at: 0s, fail: sip2, mode: silent }${extra}`)));
    const invites = (name: string, model: Record<string, string>, extra?: string): [number, string][] =>
      firsts(dir.run(file(name, extra), { inviteFailover: 'retry-counts', ...model }), 'carol', 'INVITE');

    it('lastOfCombinedList (default, ★): sip1 and sip2 bounded (7.5 s each), backup last — backup at 1m15s', () => {
      expect(invites('l1.yaml', {})).to.deep.equal([[60, 'sip1'], [67.5, 'sip2'], [75, 'backup']]);
    });
    it("lastOfServer1Addresses: sip2, server 1's last address, gets the full Timer B — backup at 1m39.5s", () => {
      expect(invites('l2.yaml', { lastServerScope: 'lastOfServer1Addresses' })).to.deep.equal([[60, 'sip1'], [67.5, 'sip2'], [99.5, 'backup']]);
    });
    it('perServerLast: as lastOfServer1Addresses when server 2 comes last — backup at 1m39.5s', () => {
      expect(invites('l3.yaml', { lastServerScope: 'perServerLast' })).to.deep.equal([[60, 'sip1'], [67.5, 'sip2'], [99.5, 'backup']]);
    });
    it('server 2 walked first (concurrentCallRouting = working-first, backup silent from 50 s): only perServerLast gives backup the full Timer B', () => {
      const extra = '\n  - { at: 50s, fail: backup, mode: silent }';
      const model = { concurrentCallRouting: 'working-first' };
      // backup (server 2) is bounded, then sip1 bounded, sip2 last of the list and of server 1: full.
      expect(invites('w1.yaml', model, extra)).to.deep.equal([[60, 'backup'], [67.5, 'sip1'], [75, 'sip2']]);
      expect(invites('w2.yaml', { ...model, lastServerScope: 'lastOfServer1Addresses' }, extra)).to.deep.equal([[60, 'backup'], [67.5, 'sip1'], [75, 'sip2']]);
      // backup is the last of server 2: 32 s; then sip1 bounded.
      expect(invites('w3.yaml', { ...model, lastServerScope: 'perServerLast' }, extra)).to.deep.equal([[60, 'backup'], [92, 'sip1'], [99.5, 'sip2']]);
    });
  });
  describe('AMB-06 failedServerMemoryUntil (08-srv-failover: sip1 silent, its REGISTER failed at 7.56 s; SRV/A TTL 300 s; calls at 1m and 5m10s)', () => {
    const file = (): string => dir.write('memory.yaml', scenario('08-srv-failover.yaml', (t) => t
      .replace(/^expect:[\s\S]*$/m, '').replace('duration: 3m', 'duration: 6m')
      .replace(/(\n  - \{ at: 1m, call:[^\n]*)/, '$1\n  - { at: 5m10s, call: { from: carol, to: "2000", duration: 20s } }')));
    const firstTried = (r: readonly TraceEvent[]): string[] => r.flatMap((e) => (e.kind === 'call.outcome' ? [e.tried[0]!] : []));
    it('seconds (default, failedServerMemory 0 = ★ noMemory): both calls try sip1 first (INVITE sip2 at 1m32s)', () => {
      const r = dir.run(file());
      expect(firstTried(r)).to.deep.equal(['sip1', 'sip1']);
      expect(firsts(r, 'carol', 'INVITE').slice(0, 2)).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
    });
    it('dnsTtl (rememberForDnsTtl): sip1 is tried last until its answer expires (≈5m) — the 1m call goes to sip2 at once, the 5m10s call to sip1 first again', () => {
      const r = dir.run(file(), { failedServerMemoryUntil: 'dnsTtl' });
      expect(firstTried(r)).to.deep.equal(['sip2', 'sip1']);
      expect(firsts(r, 'carol', 'INVITE')[0]).to.deep.equal([60, 'sip2']);
    });
  });

  it("a scenario's model: block takes these options by name; a bad value names file:line:key and the values allowed", () => {
    const base = scenario('03-server1-unreachable.yaml', (t) => t.replace(/^expect:[\s\S]*$/m, ''));
    const good = dir.write('model-ok.yaml', `${base}model: { icmpHandling: ignore, provisionalStopsFailover: appTimer, lastServerScope: perServerLast }\n`);
    expect(firsts(dir.run(good), 'alice', 'INVITE')).to.deep.equal([[60, 'sip1'], [92, 'sip2']]);
    const bad = dir.write('model-bad.yaml', `${base}model:\n  lastServerScope: last\n`);
    expect(() => loadScenario(bad)).to.throw(/model-bad\.yaml:\d+: model\.lastServerScope: .*lastOfCombinedList, lastOfServer1Addresses, perServerLast/);
  });
});
