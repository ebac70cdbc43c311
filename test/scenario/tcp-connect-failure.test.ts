import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { DEFAULT_MODEL_OPTIONS, MODEL_OPTION_SPECS } from '../../sim/phone/model-options.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * AMB-21 tcpConnectFailure (docs/fact-sheet/server-list.md): when an unanswered TCP connect fails
 * the server. Bundled 13-tcp-primary-silent (frank over TCP, sip1 silent from 0 s, first SYN at
 * 60 ms; a call at 1m), run for 4 minutes so the 189 s schedule ends inside it.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');
const s13 = (): string => fs.readFileSync(path.join(repoRoot, 'scenarios', '13-tcp-primary-silent.yaml'), 'utf8')
  .replaceAll('phones/', `${PHONES}/`).replace('duration: 3m', 'duration: 4m').replace(/^expect:[\s\S]*$/m, '');

const t = (e: TraceEvent): number => Math.round(e.t / 1e3) / 1e3;
function outcome(r: readonly TraceEvent[]) {
  return {
    syns: r.filter((e) => e.kind === 'net.send' && e.from === 'frank' && e.to === 'sip1' && e.label.startsWith('SYN')).map(t),
    /** How each request to sip1 ended: [t, 'F' | 'B' | transport error cause]. */
    ends: r.flatMap((e) => (e.kind === 'sip.timeout' && e.host === 'frank' ? [[t(e), `${e.method} Timer ${e.timer}`]]
      : e.kind === 'sip.transport-error' && e.host === 'frank' ? [[t(e), `${e.method} ${e.cause}`]] : [])),
    registeredSip2: r.find((e) => e.kind === 'phone.registration' && e.server === 'sip2' && e.to === 'registered')?.t,
    call: r.flatMap((e) => (e.kind === 'call.outcome' ? [[t(e), e.outcome, e.via]] : [])),
  };
}

describe('AMB-21 tcpConnectFailure (13-tcp-primary-silent: SYNs to the silent sip1 from 60 ms)', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-vfb-tcp-');
  const run = (model: Partial<ModelOptions>) => outcome(dir.run(dir.write('s13.yaml', s13()), model));

  it('the option lists the sheet\'s readings; sipTimer is the default (★)', () => {
    expect(DEFAULT_MODEL_OPTIONS.tcpConnectFailure).to.equal('sipTimer');
    expect(MODEL_OPTION_SPECS.tcpConnectFailure).to.deep.equal({ kind: 'enum', values: ['sipTimer', 'kernel127', 'kernel131', 'kernel63', 'kernel189', 'appTimeout'] });
    expect(DEFAULT_MODEL_OPTIONS.tcpAppConnectTimeout).to.equal(10);
  });

  it('sipTimer (default, ★): Timer F ends the REGISTER at 32.06 s, Timer B the INVITE at 1m32s; sip2 registers at 32.1 s', () => {
    const o = run({});
    expect(o.ends).to.deep.equal([[32.06, 'REGISTER Timer F'], [92, 'INVITE Timer B']]);
    expect(o.registeredSip2).to.equal(32_100_000);
    expect(o.syns.slice(0, 6)).to.deep.equal([0.06, 1.06, 3.06, 7.06, 15.06, 31.06]);
  });

  it('kernel127: SYNs at 0, 1, 3, 7, 15, 31, 63 s; the connect fails at 127.06 s, ending the REGISTER and the 1m INVITE waiting on it', () => {
    const o = run({ tcpConnectFailure: 'kernel127' });
    expect(o.syns).to.deep.equal([0.06, 1.06, 3.06, 7.06, 15.06, 31.06, 63.06]);
    expect(o.ends).to.deep.equal([[127.06, 'REGISTER TCP connection to sip1 timed out'], [127.06, 'INVITE TCP connection to sip1 timed out']]);
    expect(o.registeredSip2).to.equal(127_100_000);
    expect(o.call).to.deep.equal([[128.1, 'answered', 'sip2']]);
  });

  it('kernel131: SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; fails at 131.06 s', () => {
    const o = run({ tcpConnectFailure: 'kernel131' });
    expect(o.syns).to.deep.equal([0.06, 1.06, 2.06, 3.06, 4.06, 5.06, 7.06, 11.06, 19.06, 35.06, 67.06]);
    expect(o.ends.map(([at]) => at)).to.deep.equal([131.06, 131.06]);
    expect(o.registeredSip2).to.equal(131_100_000);
  });

  it('kernel63: SYNs at 0, 1, 3, 7, 15, 31 s; fails at 63.06 s', () => {
    const o = run({ tcpConnectFailure: 'kernel63' });
    expect(o.syns).to.deep.equal([0.06, 1.06, 3.06, 7.06, 15.06, 31.06]);
    expect(o.ends.map(([at]) => at)).to.deep.equal([63.06, 63.06]);
    expect(o.registeredSip2).to.equal(63_100_000);
  });

  it('kernel189: 3 s initial RTO — SYNs at 0, 3, 9, 21, 45, 93 s; fails at 189.06 s', () => {
    const o = run({ tcpConnectFailure: 'kernel189' });
    expect(o.syns).to.deep.equal([0.06, 3.06, 9.06, 21.06, 45.06, 93.06]);
    expect(o.ends.map(([at]) => at)).to.deep.equal([189.06, 189.06]);
    expect(o.registeredSip2).to.equal(189_100_000);
  });

  it('appTimeout (10 s): the REGISTER\'s connect is given up at 10.06 s; the 1m call opens its own and gives up at 1m10s, then sip2', () => {
    const o = run({ tcpConnectFailure: 'appTimeout' });
    expect(o.syns).to.deep.equal([0.06, 1.06, 3.06, 7.06, 60, 61, 63, 67]);
    expect(o.ends).to.deep.equal([[10.06, 'REGISTER TCP connection to sip1 timed out'], [70, 'INVITE TCP connection to sip1 timed out']]);
    expect(o.registeredSip2).to.equal(10_100_000);
    expect(o.call).to.deep.equal([[71.02, 'answered', 'sip2']]);
  });

  it('appTimeout with tcpAppConnectTimeout = 60: longer than Timer F — the REGISTER and the 1m INVITE (on the same connect) fail at 60.06 s', () => {
    const o = run({ tcpConnectFailure: 'appTimeout', tcpAppConnectTimeout: 60 });
    expect(o.ends.map(([at]) => at)).to.deep.equal([60.06, 60.06]);
    expect(o.registeredSip2).to.equal(60_100_000);
  });

  it('a RST fails the connect at once under every reading (12-tcp-primary-refused: sip2 registered at the same instant)', () => {
    const s12 = fs.readFileSync(path.join(repoRoot, 'scenarios', '12-tcp-primary-refused.yaml'), 'utf8').replaceAll('phones/', `${PHONES}/`).replace(/^expect:[\s\S]*$/m, '');
    const file = dir.write('s12.yaml', s12);
    const at = (model: Partial<ModelOptions>): number | undefined => dir.run(file, model).find((e) => e.kind === 'phone.registration' && e.to === 'registered')?.t;
    const base = at({});
    expect(base).to.be.lessThan(1_000_000);
    for (const tcpConnectFailure of ['kernel127', 'kernel131', 'kernel63', 'kernel189', 'appTimeout'] as const) expect(at({ tcpConnectFailure }), tcpConnectFailure).to.equal(base);
  });

  describe('tcpRetryCounts (what retry_counts = 3 means on TCP)', () => {
    const s12 = (): string => dir.write('s12r.yaml', fs.readFileSync(path.join(repoRoot, 'scenarios', '12-tcp-primary-refused.yaml'), 'utf8').replaceAll('phones/', `${PHONES}/`).replace(/^expect:[\s\S]*$/m, ''));
    const connects = (r: readonly TraceEvent[], to: string): number[] => r.filter((e) => e.kind === 'net.send' && e.from === 'frank' && e.to === to && e.label === 'SYN').map(t);
    const firstRegisterToSip2 = (r: readonly TraceEvent[]): number | undefined => r.filter((e) => e.kind === 'net.send' && e.from === 'frank' && e.to === 'sip2' && e.label === 'REGISTER').map(t)[0];
    it('ignoredOnTcp (default, ★), 12-tcp-primary-refused: one SYN to sip1 per request (0.06 s, 30 s); the REGISTER goes to sip2 at 0.1 s', () => {
      expect(DEFAULT_MODEL_OPTIONS.tcpRetryCounts).to.equal('ignoredOnTcp');
      const r = dir.run(s12());
      expect(connects(r, 'sip1')).to.deep.equal([0.06, 30]);
      expect(firstRegisterToSip2(r)).to.equal(0.1);
    });
    it('connectAttempts: the REGISTER connects to sip1 four times (0.06, 0.08, 0.1, 0.12 s — each refused), then sip2 (REGISTER 0.16 s); the INVITE (inviteFailover timer-b: no bound) connects once', () => {
      const r = dir.run(s12(), { tcpRetryCounts: 'connectAttempts' });
      expect(connects(r, 'sip1')).to.deep.equal([0.06, 0.08, 0.1, 0.12, 30]);
      expect(firstRegisterToSip2(r)).to.equal(0.16);
      const notes = r.filter((e) => e.kind === 'sip.txn.state' && e.host === 'frank' && /tcpRetryCounts = connectAttempts/.test(e.reason)).map(t);
      expect(notes).to.deep.equal([0.08, 0.1, 0.12]);
    });
    it('connectAttempts with inviteFailover = retry-counts: the 30 s INVITE connects to sip1 four times, then goes to sip2 at 30.08 s', () => {
      const r = dir.run(s12(), { tcpRetryCounts: 'connectAttempts', inviteFailover: 'retry-counts' });
      expect(connects(r, 'sip1').filter((x) => x >= 30)).to.deep.equal([30, 30.02, 30.04, 30.06]);
      expect(r.filter((e) => e.kind === 'net.send' && e.from === 'frank' && e.label === 'INVITE').map((e) => [t(e), (e as { to: string }).to])).to.deep.equal([[30.08, 'sip2']]);
    });
    it('connectAttempts with appTimeout (10 s), 13-tcp-primary-silent: four 10 s connects to sip1 (0.06, 10.06, 20.06, 30.06 s), sip2 registered at 40.1 s', () => {
      const o = outcome(dir.run(dir.write('s13r.yaml', s13()), { tcpRetryCounts: 'connectAttempts', tcpConnectFailure: 'appTimeout' }));
      expect(o.ends.filter(([, what]) => String(what).startsWith('REGISTER')).map(([at]) => at)).to.deep.equal([10.06, 20.06, 30.06, 40.06]);
      expect(o.registeredSip2).to.equal(40_100_000);
    });
  });
});
