import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { DEFAULT_MODEL_OPTIONS } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * B21 / AMB-31 (c) account.X.outbound_proxy_fallback_interval (docs/fact-sheet/server-list.md):
 * registered through the fallback proxy (op2), the phone probes the first proxy (op1) with a
 * REGISTER every interval (★ periodic). Variants of bundled scenario 26 (kate, op1 silent from
 * 0 s, REGISTER moves to op2 at 3.5 s and registers at 3.52 s; 10 ms links), without its call.
 */
const run = (file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] => runRecorded(loadScenario(file), { model }).records;

/** [t s, destination] of every first transmission of a REGISTER by kate. */
function registers(records: readonly TraceEvent[]): [number, string][] {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  for (const r of records) {
    if (r.kind !== 'net.send' || r.from !== 'kate' || r.label !== 'REGISTER') continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) continue;
    seen.add(branch);
    out.push([r.t / 1e6, r.to]);
  }
  return out;
}

const registeredOn = (records: readonly TraceEvent[]): [number, string][] =>
  records.flatMap((e) => (e.kind === 'phone.working-server' && e.server !== null ? [[e.t / 1e6, e.server] as [number, string]] : []));

describe('B21 / AMB-31 outbound_proxy_fallback_interval: REGISTER probes toward proxy 1', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-proxy-fallback-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const variant = (name: string, interval: string | undefined, events: string[]): string => {
    const f = path.join(tmp, `${name}.yaml`);
    const cfg = ['common.cfg', 'kate-proxy.cfg'].map((c) => path.join(repoRoot, 'scenarios/phones', c)).join(', ');
    fs.writeFileSync(f, fs.readFileSync(path.join(repoRoot, 'scenarios/26-outbound-proxy.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/kate-proxy.cfg]', `config: [${cfg}]${interval !== undefined ? `\n    settings: { account.1.outbound_proxy_fallback_interval: ${interval} }` : ''}`)
      .replace(/^events:[\s\S]*$/m, `events:\n${events.map((e) => `  - ${e}\n`).join('')}`));
    return f;
  };
  const silentThenBack = ['{ at: 0s, fail: op1, mode: silent }', '{ at: 0s, boot: kate }', '{ at: 40s, recover: op1 }'];

  it('interval 60: the probe at 1m3.52s (60 s after registering through op2) goes to op1, which is back — registered through op1', () => {
    const r = run(variant('back', '60', silentThenBack));
    expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2'], [63.52, 'op1']]);
    expect(registeredOn(r)).to.deep.equal([[3.52, 'op2'], [63.54, 'op1']]);
    expect(r.some((e) => e.kind === 'phone.register-attempt' && e.t === 63_520_000 && e.reason.includes('outbound_proxy_fallback_interval (60 s)'))).to.equal(true);
  });
  it('interval 30, op1 silent throughout: periodic — each probe falls back to op2 (3.5 s later), and the next one follows 30 s after that', () => {
    const r = run(variant('periodic', '30', ['{ at: 0s, fail: op1, mode: silent }', '{ at: 0s, boot: kate }']));
    expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2'], [33.52, 'op1'], [37.02, 'op2'], [67.04, 'op1'], [70.54, 'op2'], [100.56, 'op1'], [104.06, 'op2']]);
  });
  it('default 3600 (bundled 26) and 0: no probe within the 2 minutes — kate stays on op2', () => {
    for (const interval of [undefined, '0']) {
      const r = run(variant(`none-${interval ?? 'default'}`, interval, silentThenBack));
      expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2']]);
      expect(registeredOn(r)).to.deep.equal([[3.52, 'op2']]);
    }
  });

  describe('AMB-31 (c) proxyFallbackReturn (interval 30; op1 silent until 50s)', () => {
    const backAt50 = ['{ at: 0s, fail: op1, mode: silent }', '{ at: 0s, boot: kate }', '{ at: 50s, recover: op1 }'];
    it('periodicRegisterProbe (default, ★): the probe at 33.52s falls back to op2 (37.02s); the next, at 1m7.04s, finds op1 back — registered through op1 at 1m7.06s', () => {
      expect(DEFAULT_MODEL_OPTIONS.proxyFallbackReturn).to.equal('periodicRegisterProbe');
      const r = run(variant('periodic-50', '30', backAt50));
      expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2'], [33.52, 'op1'], [37.02, 'op2'], [67.04, 'op1']]);
      expect(registeredOn(r)).to.deep.equal([[3.52, 'op2'], [67.06, 'op1']]);
    });
    it('oneShot: the one probe at 33.52s falls back to op2 (37.02s) and no other follows — kate stays on op2 to the end (2m) though op1 is back at 50s', () => {
      const r = run(variant('oneshot-50', '30', backAt50), { proxyFallbackReturn: 'oneShot' });
      expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2'], [33.52, 'op1'], [37.02, 'op2']]);
      expect(registeredOn(r)).to.deep.equal([[3.52, 'op2']]);
      expect(r.filter((e) => e.kind === 'phone.register-attempt' && e.reason.includes('(once: proxyFallbackReturn = oneShot)')).map((e) => e.t)).to.deep.equal([33_520_000]);
    });
    it('oneShot, op1 back at 20s: the one probe (33.52s) returns kate to op1, as periodic does', () => {
      const r = run(variant('oneshot-20', '30', ['{ at: 0s, fail: op1, mode: silent }', '{ at: 0s, boot: kate }', '{ at: 20s, recover: op1 }']), { proxyFallbackReturn: 'oneShot' });
      expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2'], [33.52, 'op1']]);
      expect(registeredOn(r)).to.deep.equal([[3.52, 'op2'], [33.54, 'op1']]);
    });
  });

  describe('AMB-31 (d) proxyPairRole (interval 60; op1 silent until 50s; a call at 40s)', () => {
    const events = ['{ at: 0s, fail: op1, mode: silent }', '{ at: 0s, boot: kate }', '{ at: 40s, call: { from: kate, to: "2000", duration: 5s } }', '{ at: 50s, recover: op1 }'];
    const invites = (r: readonly TraceEvent[]): [number, string][] =>
      r.flatMap((e) => (e.kind === 'net.send' && e.from === 'kate' && e.label === 'INVITE' ? [[e.t / 1e6, e.to] as [number, string]] : [])).slice(0, 1);
    const via = (r: readonly TraceEvent[]): [number, string | null][] => r.flatMap((e) => (e.kind === 'call.outcome' ? [[e.t / 1e6, e.via] as [number, string | null]] : []));
    it('both (default, ★): REGISTER leaves op1 after retry_counts 2 (3.5s); the call goes to op1 first (its retransmission at 55.5s reaches op1, back since 50s: answered at 56.52s); the probe at 1m3.52s returns kate to op1', () => {
      expect(DEFAULT_MODEL_OPTIONS.proxyPairRole).to.equal('both');
      const r = run(variant('role-both', '60', events));
      expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2'], [63.52, 'op1']]);
      expect(invites(r)).to.deep.equal([[40, 'op1']]);
      expect(via(r)).to.deep.equal([[56.52, 'op1']]);
      expect(registeredOn(r)).to.deep.equal([[3.52, 'op2'], [63.54, 'op1']]);
    });
    it('failoverOnly: counts and failback as with both, but no interval probe — kate stays on op2 to the end (2m)', () => {
      const r = run(variant('role-failover', '60', events), { proxyPairRole: 'failoverOnly' });
      expect(registers(r)).to.deep.equal([[0, 'op1'], [3.5, 'op2']]);
      expect(invites(r)).to.deep.equal([[40, 'op1']]);
      expect(via(r)).to.deep.equal([[56.52, 'op1']]);
      expect(registeredOn(r)).to.deep.equal([[3.52, 'op2']]);
    });
    it('fallbackOnly: no retry_counts bound — REGISTER to op1 until Timer F (32s), then op2 (32.02s); the 40s call goes through op2 at once; the probe at 1m32.04s returns kate to op1', () => {
      const r = run(variant('role-fallback', '60', events), { proxyPairRole: 'fallbackOnly' });
      expect(registers(r)).to.deep.equal([[0, 'op1'], [32, 'op2'], [92.02, 'op1']]);
      expect(invites(r)).to.deep.equal([[40, 'op2']]);
      expect(via(r)).to.deep.equal([[41.02, 'op2']]);
      expect(registeredOn(r)).to.deep.equal([[32.02, 'op2'], [92.04, 'op1']]);
    });
  });
});
