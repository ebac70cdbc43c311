import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/** AMB-13 successiveProbe (docs/fact-sheet/server-list.md): successive mode's probe of server 1 (B14). REGISTERs are listed from the third on (boot, the 108 s renewal or sip2's boot try, then the probes). */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');
const bundled = (file: string): string => fs.readFileSync(path.join(repoRoot, 'scenarios', file), 'utf8').replaceAll('phones/', `${PHONES}/`).replace(/^expect:[\s\S]*$/m, '');

/** [t s, destination] of every first transmission (new branch) of REGISTER by `phone` to one of `to`. */
function registers(records: readonly TraceEvent[], phone: string, to: readonly string[]): [number, string][] {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  for (const r of records) {
    if (r.kind !== 'net.send' || r.from !== phone || r.label !== 'REGISTER' || !to.includes(r.to)) continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) continue;
    seen.add(branch);
    out.push([Math.round(r.t / 1e3) / 1e3, r.to]);
  }
  return out;
}

const registeredOn = (records: readonly TraceEvent[], phone: string, server: string): number[] =>
  records.flatMap((e) => (e.kind === 'phone.registration' && e.phone === phone && e.server === server && e.to === 'registered' && e.from !== 'registered' ? [e.t / 1e6] : []));

describe('AMB-13 successiveProbe (successive mode, fallback.timeout 120 s)', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-vambs-sp-');

  describe('successiveProbeTarget (08-srv-failover in successive mode: server 1 = [sip1, sip2] both silent, server 2 = backup)', () => {
    const file = (): string => dir.write('target.yaml', bundled('08-srv-failover.yaml')
      .replace('config: [', 'settings: { account.1.fallback.redundancy_type: 1 }\n    config: [')
      .replace('  - { at: 0s, fail: sip1, mode: silent }', '  - { at: 0s, fail: sip1, mode: silent }\n  - { at: 0s, fail: sip2, mode: silent }')
      .replace(/\n  - \{ at: 1m, call:[^\n]*/, ''));
    it('boot: sip1 (0.06 s, bounded), sip2 (7.56 s, last: Timer F), then backup — the same under both readings', () => {
      for (const successiveProbeTarget of ['primaryOnly', 'wholeServer1List'] as const) {
        const r = dir.run(file(), { successiveProbeTarget });
        expect(registers(r, 'carol', ['sip1', 'sip2']).slice(0, 2), successiveProbeTarget).to.deep.equal([[0.06, 'sip1'], [7.56, 'sip2']]);
        expect(registeredOn(r, 'carol', 'backup'), successiveProbeTarget).to.deep.equal([39.58]);
      }
    });
    it('primaryOnly (default, ★): the probe at 2m39.56s goes to sip1 only (its last address now: full Timer F), no REGISTER to sip2 before the run ends (3m)', () => {
      const r = dir.run(file());
      expect(registers(r, 'carol', ['sip1', 'sip2']).slice(2)).to.deep.equal([[159.56, 'sip1']]);
    });
    it('wholeServer1List: the probe walks sip1 (2m39.56s, bounded) then sip2 (2m47.06s)', () => {
      const r = dir.run(file(), { successiveProbeTarget: 'wholeServer1List' });
      expect(registers(r, 'carol', ['sip1', 'sip2']).slice(2)).to.deep.equal([[159.56, 'sip1'], [167.06, 'sip2']]);
    });
  });

  describe('successiveProbeFirst (21-fallback-successive: sip1 silent 1m–5m, ivy on backup from 2m20.04s)', () => {
    const file = (): string => dir.write('first.yaml', bundled('21-fallback-successive.yaml'));
    it('afterTimeout (default, ★): probes at 4m20.02s and 6m52.02s; back on sip1 at 6m52.04s', () => {
      const r = dir.run(file());
      expect(registers(r, 'ivy', ['sip1']).slice(2)).to.deep.equal([[260.02, 'sip1'], [412.02, 'sip1']]);
      expect(registeredOn(r, 'ivy', 'sip1')).to.deep.equal([0.02, 412.04]);
    });
    it('immediately: a probe as the backup registration succeeds (2m20.04s), then 4m52.04s — its retransmission at 5m3.54s is answered: back on sip1 at 5m3.56s', () => {
      const r = dir.run(file(), { successiveProbeFirst: 'immediately' });
      expect(registers(r, 'ivy', ['sip1']).slice(2, 4)).to.deep.equal([[140.04, 'sip1'], [292.04, 'sip1']]);
      expect(registeredOn(r, 'ivy', 'sip1')).to.deep.equal([0.02, 303.56]);
    });
  });
  describe('successiveSwitchBack (21-fallback-successive, a call at 7m; the probe at 6m52.02s finds sip1 back)', () => {
    const file = (): string => dir.write('back.yaml', bundled('21-fallback-successive.yaml').replace('  - { at: 5m, recover: sip1 }', '  - { at: 5m, recover: sip1 }\n  - { at: 7m, call: { from: ivy, to: "2000", duration: 5s } }'));
    const working = (r: readonly TraceEvent[]): [number, string | null][] => r.flatMap((e) => (e.kind === 'phone.working-server' ? [[e.t / 1e6, e.server] as [number, string | null]] : []));
    const via = (r: readonly TraceEvent[]): (string | null)[] => r.flatMap((e) => (e.kind === 'call.outcome' ? [e.via] : []));
    it('switchBackImmediately (default, ★): sip1 is working at 6m52.04s, the 7m call goes to sip1', () => {
      const r = dir.run(file());
      expect(working(r).slice(-1)).to.deep.equal([[412.04, 'sip1']]);
      expect(via(r)).to.deep.equal(['backup', 'sip1']);
    });
    it("waitForNextRefresh: backup stays working until its renewal would be due (7m44.08s) — the 7m call still goes to backup; backup's registration then ends unrenewed", () => {
      const r = dir.run(file(), { successiveSwitchBack: 'waitForNextRefresh' });
      expect(working(r).slice(-1)).to.deep.equal([[464.08, 'sip1']]);
      expect(via(r)).to.deep.equal(['backup', 'backup']);
      expect(registers(r, 'ivy', ['backup']).map(([t]) => t).filter((t) => t > 412)).to.deep.equal([]);
    });
  });

  describe('unregisterFallback (21-fallback-successive, an incoming call via backup at 7m30s; the phone switches back to sip1 at 6m52.04s)', () => {
    const file = (): string => dir.write('unreg.yaml', bundled('21-fallback-successive.yaml').replace('  - { at: 5m, recover: sip1 }', '  - { at: 5m, recover: sip1 }\n  - { at: 7m30s, incoming: { to: ivy, via: backup, from: "3000", duration: 5s } }'));
    const expiresOfRegisters = (r: readonly TraceEvent[], after: number): [number, string][] =>
      r.flatMap((e) => (e.kind === 'net.send' && e.from === 'ivy' && e.to === 'backup' && e.label === 'REGISTER' && e.t / 1e6 > after ? [[e.t / 1e6, /\r\nExpires: (\d+)/.exec(payloadText(e))?.[1] ?? ''] as [number, string]] : []));
    const incoming = (r: readonly TraceEvent[]): [number, string, string][] =>
      r.flatMap((e) => (e.kind === 'call.incoming' ? [[e.t / 1e6, e.outcome, e.reason] as [number, string, string]] : []));
    it('no (default): no REGISTER to backup after the switch; the binding is left to lapse, so backup still reaches ivy at 7m30s (answered)', () => {
      const r = dir.run(file());
      expect(expiresOfRegisters(r, 412)).to.deep.equal([]);
      expect(incoming(r).map(([, outcome]) => outcome)).to.deep.equal(['answered']);
    });
    it('yes: an un-REGISTER (Expires: 0) goes to backup as the phone switches (6m52.04s); at 7m30s backup cannot reach ivy', () => {
      const r = dir.run(file(), { unregisterFallback: 'yes' });
      expect(expiresOfRegisters(r, 412)).to.deep.equal([[412.04, '0']]);
      const note = r.find((e) => e.kind === 'phone.register-attempt' && /unregisterFallback = yes/.test(e.reason));
      expect(note?.t).to.equal(412_040_000);
      expect(incoming(r)).to.deep.equal([[450, 'failed', '1009 is not registered on backup']]);
    });
    it('yes with successiveSwitchBack = waitForNextRefresh: the un-REGISTER leaves at the switch, 7m44.08s, instead of the renewal', () => {
      const r = dir.run(file(), { unregisterFallback: 'yes', successiveSwitchBack: 'waitForNextRefresh' });
      expect(expiresOfRegisters(r, 412)).to.deep.equal([[464.08, '0']]);
    });
  });
});
