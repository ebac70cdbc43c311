import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * AMB-01 retryCounts (the readings `transactions`, `ignored`), its sub-option retryCountZero, and
 * AMB-02 inviteFailover = min-timer-b-counts (docs/fact-sheet/server-list.md). INVITEs on bundled 02-server1-silent (sip1 silent from 30 s,
 * the call at 1m, T1 0.5 s, alice's retry_counts 3, inviteFailover = retry-counts so the bound
 * applies to the INVITE); REGISTERs on bundled 08-srv-failover (server 1 = pbx.example.com: sip1,
 * silent, then sip2; retry_counts 3, boot at 0 s, the first REGISTER at 60 ms).
 * The other readings (retransmissions-then-wait ★, -then-move, sends-in-all) are pinned in
 * model-options.test.ts.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

/** Instants (s) of every transmission of request `method` from `from` to `to`. */
function sends(records: readonly TraceEvent[], method: string, from: string, to: string): number[] {
  return records.filter((r) => r.kind === 'net.send' && r.from === from && r.to === to && payloadText(r).startsWith(`${method} `)).map((r) => r.t / 1e6);
}

/** One INVITE transaction to a silent server from `t0` (s): T1 doubling, Timer B at t0 + 32 s. */
const inviteTxn = (t0: number): number[] => [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5].map((d) => t0 + d);
/** One REGISTER transaction to a silent server from `t0` (s): Timer E capped at T2 (4 s), Timer F at t0 + 32 s. */
const registerTxn = (t0: number): number[] => [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5].map((d) => Math.round((t0 + d) * 100) / 100);

describe('AMB-01 retryCounts: transactions, ignored; retryCountZero; AMB-02 min-timer-b-counts', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-vlist-rc-');
  const copy = (id: string, name: string, settings = ''): string => dir.write(name, fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')
    .replaceAll('phones/', `${PHONES}/`)
    .replace(/^expect:[\s\S]*$/m, '')
    .replace(/(config: \[[^\]]*\])/, settings ? `$1\n    settings: { ${settings} }` : '$1'));
  const s02 = (settings = ''): string => copy('02-server1-silent', `02-${settings.length}.yaml`, settings);
  const s08 = (): string => copy('08-srv-failover', '08.yaml');

  describe('INVITE (02-server1-silent, inviteFailover = retry-counts)', () => {
    it('transactions: three whole INVITE transactions to sip1 (each to Timer B, 32 s), then sip2 at 2m36s = 60 + 3 × 32 s', () => {
      const r = dir.run(s02(), { inviteFailover: 'retry-counts', retryCounts: 'transactions' });
      expect(sends(r, 'INVITE', 'alice', 'sip1')).to.deep.equal([...inviteTxn(60), ...inviteTxn(92), ...inviteTxn(124)]);
      expect(sends(r, 'INVITE', 'alice', 'sip2')).to.deep.equal([156]);
      const repeats = r.flatMap((e) => (e.kind === 'call.state' && e.from === 'trying' && e.to === 'trying' ? [[e.t / 1e6, e.server, e.reason]] : []));
      expect(repeats).to.deep.equal([
        [92, 'sip1', 'Timer B fired: no response; INVITE transaction 2 of 3 to this server (retryCounts = transactions)'],
        [124, 'sip1', 'Timer B fired: no response; INVITE transaction 3 of 3 to this server (retryCounts = transactions)'],
        [156, 'sip2', 'Timer B fired: no response; trying the next server'],
      ]);
      // Each transaction is a new one: its own Via branch.
      const branches = new Set(r.filter((e) => e.kind === 'sip.txn.state' && e.host === 'alice' && e.method === 'INVITE' && e.from === 'init').map((e) => (e.kind === 'sip.txn.state' ? e.branch : '')));
      expect(branches.size).to.equal(4);
      const outcome = r.find((e) => e.kind === 'call.outcome');
      expect(outcome && outcome.kind === 'call.outcome' ? [outcome.outcome, outcome.via, outcome.tried] : []).to.deep.equal(['answered', 'sip2', ['sip1', 'sip2']]);
    });
    it('ignored: retry_counts has no effect — sip1 gets the full Timer B, sip2 at 1m32s (as inviteFailover = timer-b)', () => {
      const r = dir.run(s02(), { inviteFailover: 'retry-counts', retryCounts: 'ignored' });
      expect(sends(r, 'INVITE', 'alice', 'sip1')).to.deep.equal(inviteTxn(60));
      expect(sends(r, 'INVITE', 'alice', 'sip2')).to.deep.equal([92]);
    });
    const zero = 'account.1.sip_server.1.retry_counts: 0';
    it('retry_counts = 0, retryCountZero failAtFirstT1 (default, ★): one send, sip2 when the first retransmission would be due (60.5 s)', () => {
      for (const retryCounts of ['retransmissions-then-wait', 'retransmissions-then-move', 'sends-in-all', 'transactions'] as const) {
        const r = dir.run(s02(zero), { inviteFailover: 'retry-counts', retryCounts });
        expect([sends(r, 'INVITE', 'alice', 'sip1'), sends(r, 'INVITE', 'alice', 'sip2')], retryCounts).to.deep.equal([[60], [60.5]]);
      }
    });
    it('retry_counts = 0, retryCountZero noWait: one send, sip2 at once (60 s)', () => {
      const r = dir.run(s02(zero), { inviteFailover: 'retry-counts', retryCountZero: 'noWait' });
      expect([sends(r, 'INVITE', 'alice', 'sip1'), sends(r, 'INVITE', 'alice', 'sip2')]).to.deep.equal([[60], [60]]);
    });
    it('retry_counts = 0, retryCountZero fullTimeout: the full Timer B, sip2 at 1m32s; so does retryCounts ignored whatever retryCountZero says', () => {
      for (const model of [{ retryCountZero: 'fullTimeout' as const }, { retryCounts: 'ignored' as const, retryCountZero: 'noWait' as const }]) {
        const r = dir.run(s02(zero), { inviteFailover: 'retry-counts', ...model });
        expect([sends(r, 'INVITE', 'alice', 'sip1'), sends(r, 'INVITE', 'alice', 'sip2')], JSON.stringify(model)).to.deep.equal([inviteTxn(60), [92]]);
      }
    });
  });

  describe('AMB-02 inviteFailover = min-timer-b-counts (the sheet\'s min(timerB, counts)) on 02', () => {
    const sip = (r: readonly TraceEvent[]): number[][] => [sends(r, 'INVITE', 'alice', 'sip1'), sends(r, 'INVITE', 'alice', 'sip2')];
    it('retransmissions-then-wait (default): invite_retry_counts (3) ends first — sip2 at 67.5 s, as invite-retry-counts', () => {
      for (const inviteFailover of ['min-timer-b-counts', 'invite-retry-counts'] as const) {
        expect(sip(dir.run(s02(), { inviteFailover })), inviteFailover).to.deep.equal([[60, 60.5, 61.5, 63.5], [67.5]]);
      }
    });
    it('invite_retry_counts = 10: Timer B (32 s) ends first — sip2 at 1m32s, as invite-retry-counts (Timer B runs in every transaction)', () => {
      for (const inviteFailover of ['min-timer-b-counts', 'invite-retry-counts'] as const) {
        expect(sip(dir.run(s02('account.1.sip_server.1.invite_retry_counts: 10'), { inviteFailover })), inviteFailover).to.deep.equal([inviteTxn(60), [92]]);
      }
    });
    it('retryCounts = transactions: min-timer-b-counts stops at the first Timer B (sip2 at 1m32s); invite-retry-counts sends 3 whole transactions (sip2 at 2m36s)', () => {
      expect(sip(dir.run(s02(), { inviteFailover: 'min-timer-b-counts', retryCounts: 'transactions' }))).to.deep.equal([inviteTxn(60), [92]]);
      expect(sip(dir.run(s02(), { inviteFailover: 'invite-retry-counts', retryCounts: 'transactions' }))).to.deep.equal([[...inviteTxn(60), ...inviteTxn(92), ...inviteTxn(124)], [156]]);
    });
    it('the last server still gets the full Timer B: both silent, sip2 (last) from 67.5 s to its Timer B at 1m39.5s', () => {
      const file = dir.write('02-both.yaml', fs.readFileSync(s02(), 'utf8').replace(/^events:\n/m, 'events:\n  - { at: 30s, fail: sip2, mode: silent }\n'));
      const r = dir.run(file, { inviteFailover: 'min-timer-b-counts' });
      expect(sends(r, 'INVITE', 'alice', 'sip2')).to.deep.equal(inviteTxn(67.5));
      const outcome = r.find((e) => e.kind === 'call.outcome');
      expect(outcome && outcome.kind === 'call.outcome' ? [outcome.t / 1e6, outcome.outcome] : []).to.deep.equal([99.5, 'failed']);
    });
  });

  describe('REGISTER (08-srv-failover: sip1 is not the last address of server 1)', () => {
    it('default (retransmissions-then-wait ★): three retransmissions, sip2 at 7.56 s', () => {
      const r = dir.run(s08());
      expect(sends(r, 'REGISTER', 'carol', 'sip1')).to.deep.equal([0.06, 0.56, 1.56, 3.56]);
      expect(sends(r, 'REGISTER', 'carol', 'sip2')).to.deep.equal([7.56]);
    });
    it('transactions: three whole REGISTER transactions to sip1 (Timer F each), sip2 at 1m36.06s; the repeats are traced', () => {
      const r = dir.run(s08(), { retryCounts: 'transactions' });
      expect(sends(r, 'REGISTER', 'carol', 'sip1')).to.deep.equal([...registerTxn(0.06), ...registerTxn(32.06), ...registerTxn(64.06)]);
      expect(sends(r, 'REGISTER', 'carol', 'sip2')).to.deep.equal([96.06]);
      const notes = r.flatMap((e) => (e.kind === 'phone.register-attempt' && e.phone === 'carol' ? [[e.t / 1e6, e.server, e.reason]] : []));
      expect(notes).to.deep.equal([
        [32.06, 'sip1', 'sip1: Timer F fired, no response; REGISTER transaction 2 of 3 to sip1 (retryCounts = transactions)'],
        [64.06, 'sip1', 'sip1: Timer F fired, no response; REGISTER transaction 3 of 3 to sip1 (retryCounts = transactions)'],
        [96.06, 'sip2', 'sip1 failed; trying sip2, address 2 of 2'],
      ]);
      const registered = r.find((e) => e.kind === 'phone.registration' && e.server === 'sip2' && e.to === 'registered');
      expect(registered?.t).to.equal(96_080_000);
    });
    it('ignored: sip1 gets the full Timer F (32 s), sip2 at 32.06 s', () => {
      const r = dir.run(s08(), { retryCounts: 'ignored' });
      expect(sends(r, 'REGISTER', 'carol', 'sip1')).to.deep.equal(registerTxn(0.06));
      expect(sends(r, 'REGISTER', 'carol', 'sip2')).to.deep.equal([32.06]);
    });
  });
});
