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
 * Server-list options of the fact sheet (docs/fact-sheet/server-list.md), each alternative held
 * against the default on a variant of a bundled scenario.
 */
const run = (file: string, model: Partial<ModelOptions> = {}): readonly TraceEvent[] => runRecorded(loadScenario(file), { model }).records;

/** [t s, destination host, destination port] of every first transmission of `method` by `phone`. */
function firsts(records: readonly TraceEvent[], phone: string, method: string): [number, string, number][] {
  const seen = new Set<string>();
  const out: [number, string, number][] = [];
  for (const r of records) {
    if (r.kind !== 'net.send' || r.from !== phone || r.label !== method) continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) continue;
    seen.add(branch);
    out.push([r.t / 1e6, r.to, r.dst.port]);
  }
  return out;
}

describe('server list options (fact sheet B1–B6, B9, B12–B15, B21–B24)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-vlist-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /**
   * 08 with a third SRV target sip1b = 10.0.0.1:5070 (sip1's IP, another port; priority 15) and
   * server 2 = 10.0.0.2 (equal to the SRV target sip2). sip1 is silent; sip2 answers.
   */
  const b9 = (skip: '0' | '1'): string => {
    const cfg = path.join(tmp, `carol-b9-${skip}.cfg`);
    const text = ['common.cfg', 'carol-srv.cfg'].map((f) => fs.readFileSync(path.join(repoRoot, 'scenarios/phones', f), 'utf8')).join('\n')
      .replace('sip_server.2.address = 10.0.0.3', 'sip_server.2.address = 10.0.0.2');
    fs.writeFileSync(cfg, `${text}\nsip.skip_redundant_failover_addr = ${skip}\n`);
    const f = path.join(tmp, `b9-${skip}.yaml`);
    fs.writeFileSync(f, fs.readFileSync(path.join(repoRoot, 'scenarios/08-srv-failover.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/carol-srv.cfg]', `config: [${cfg}]`)
      .replace('    - "sip1.pbx.example.com. 300 IN A 10.0.0.1"', '    - "sip1.pbx.example.com. 300 IN A 10.0.0.1"\n    - "_sip._udp.pbx.example.com. 300 IN SRV 15 50 5070 sip1b.pbx.example.com."\n    - "sip1b.pbx.example.com. 300 IN A 10.0.0.1"')
      .replace(/^expect:[\s\S]*$/m, ''));
    return f;
  };

  describe('B9 / AMB-32 skipRedundantAddr with sip.skip_redundant_failover_addr', () => {
    it("key 1, 'ip' (default): sip1b (sip1's IP) and server 2 (= sip2) are skipped — INVITE sip1 at 1m, sip2 at 1m32s", () => {
      const r = run(b9('1'));
      expect(firsts(r, 'carol', 'INVITE')).to.deep.equal([[60, 'sip1', 5060], [92, 'sip2', 5060]]);
      expect(firsts(r, 'carol', 'REGISTER').filter(([, h]) => h === 'sip1')).to.deep.equal([[0.08, 'sip1', 5060]]);
      const placed = r.find((e) => e.kind === 'call.state' && e.to === 'trying');
      expect(placed && placed.kind === 'call.state' ? placed.reason : '').to.contain('skipped sip1b.pbx.example.com 10.0.0.1:5070:udp: same ip as sip1.pbx.example.com 10.0.0.1:5060:udp');
      expect(r.some((e) => e.kind === 'phone.register-attempt' && e.reason.startsWith('skipped sip1b.pbx.example.com 10.0.0.1:5070:udp: same ip as sip1.pbx.example.com'))).to.equal(true);
    });
    it("key 1, 'ip:port': sip1b is a server of its own (1m32s, silent), server 2 is still skipped — sip2 at 2m4s", () => {
      const r = run(b9('1'), { skipRedundantAddr: 'ip:port' });
      expect(firsts(r, 'carol', 'INVITE')).to.deep.equal([[60, 'sip1', 5060], [92, 'sip1', 5070], [124, 'sip2', 5060]]);
    });
    it("key 1, 'ip:port:transport': as ip:port here (every entry is UDP) — sip2 at 2m4s", () => {
      expect(firsts(run(b9('1'), { skipRedundantAddr: 'ip:port:transport' }), 'carol', 'INVITE')).to.deep.equal([[60, 'sip1', 5060], [92, 'sip1', 5070], [124, 'sip2', 5060]]);
    });
    it('key 0: nothing is skipped — the REGISTER walk also tries sip1b (7.58 s) before sip2 (15.08 s)', () => {
      const r = run(b9('0'));
      // 0 s: server 2's own registration (concurrent mode); then server 1's walk sip1, sip1b, sip2.
      expect(firsts(r, 'carol', 'REGISTER').slice(0, 4)).to.deep.equal([[0, 'sip2', 5060], [0.08, 'sip1', 5060], [7.58, 'sip1', 5070], [15.08, 'sip2', 5060]]);
      expect(firsts(r, 'carol', 'INVITE')).to.deep.equal([[60, 'sip1', 5060], [92, 'sip1', 5070], [124, 'sip2', 5060]]);
      expect(r.some((e) => (e.kind === 'phone.register-attempt' || e.kind === 'call.state') && e.reason.includes('skipped'))).to.equal(false);
    });
  });

  /** 21 with sip1 answering 503 from 1m instead of falling silent, and redundancy_with_reg_fail.enable = `k`. */
  const b15 = (k: '0' | '1'): string => {
    const f = path.join(tmp, `b15-${k}.yaml`);
    fs.writeFileSync(f, fs.readFileSync(path.join(repoRoot, 'scenarios/21-fallback-successive.yaml'), 'utf8')
      .replace('config: [phones/common.cfg, phones/ivy-fallback.cfg]', `config: [${path.join(repoRoot, 'scenarios/phones/common.cfg')}, ${path.join(repoRoot, 'scenarios/phones/ivy-fallback.cfg')}]`)
      .replace('settings: { account.1.fallback.redundancy_type: 1 }', `settings: { account.1.fallback.redundancy_type: 1, account.1.redundancy_with_reg_fail.enable: ${k} }`)
      .replace('fail: sip1, mode: silent', 'fail: sip1, mode: "503"')
      .replace(/^expect:[\s\S]*$/m, ''));
    return f;
  };
  const registrations = (records: readonly TraceEvent[], server: string): [number, string, string][] =>
    records.flatMap((e) => (e.kind === 'phone.registration' && e.server === server ? [[e.t / 1e6, e.from, e.to] as [number, string, string]] : []));

  describe('B15 / AMB-12 successiveTrigger with account.X.redundancy_with_reg_fail.enable (successive mode, sip1 answers 503 from 1m)', () => {
    it('0 (default, regTimeoutOnly ★): a 503 does not move the account to backup — it retries sip1 every fallback.timeout (3m48.04s, 5m48.06s)', () => {
      const r = run(b15('0'));
      expect(firsts(r, 'ivy', 'REGISTER').filter(([, h]) => h === 'backup')).to.deep.equal([]);
      expect(registrations(r, 'sip1').slice(2)).to.deep.equal([
        [108.04, 'registered', 'failed'], [228.04, 'failed', 'registering'], [228.06, 'registering', 'failed'], [348.06, 'failed', 'registering'], [348.08, 'registering', 'registered'],
      ]);
      expect(r.some((e) => e.kind === 'phone.register-attempt' && e.reason.includes('successive fallback not started') && e.reason.includes('redundancy_with_reg_fail.enable = 0'))).to.equal(true);
    });
    it('1 (regTimeoutOrError): the 503 at 1m48.04s starts the backup registration at once', () => {
      const r = run(b15('1'));
      expect(firsts(r, 'ivy', 'REGISTER').filter(([, h]) => h === 'backup')[0]).to.deep.equal([108.04, 'backup', 5060]);
      expect(registrations(r, 'backup')[1]).to.deep.equal([108.06, 'registering', 'registered']);
    });
    it('0, silent server (bundled 21): an unresponsive sip1 still moves to backup at 2m20.02s', () => {
      const r = run(path.join(repoRoot, 'scenarios/21-fallback-successive.yaml'));
      expect(firsts(r, 'ivy', 'REGISTER').filter(([, h]) => h === 'backup')[0]).to.deep.equal([140.02, 'backup', 5060]);
    });
  });
});
