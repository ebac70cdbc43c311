import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkScenario } from '../../sim/batch/explore-command.js';
import type { NetSend, TraceEvent } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * Bugs `sipsim explore` found in the model (issue 10), each pinned by the minimal schedule it
 * shrank to: the bundled scenario's hosts with that schedule as its events.
 */
describe('explore findings (regressions)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-findings-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const PHONES = path.join(repoRoot, 'scenarios', 'phones');
  const variant = (id: string, duration: string, events: string[]): string => {
    const f = path.join(tmp, `${id}-${fs.readdirSync(tmp).length}.yaml`);
    const text = fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')
      .replace(/phones\//g, `${PHONES}/`).replace(/^expect:[\s\S]*$/m, '').replace(/^events:[\s\S]*$/m, '')
      .replace(/^duration: .*$/m, `duration: ${duration}`);
    fs.writeFileSync(f, `${text}events:\n${events.map((e) => `  - ${e}\n`).join('')}`);
    return f;
  };
  const sends = (r: readonly TraceEvent[]): NetSend[] => r.filter((e): e is NetSend => e.kind === 'net.send');

  it('over TCP, a 2xx lost with its connection (the server crashed as it answered) is given up after 64·T1 with a BYE', () => {
    // sip1 answers at 31.01 s and crashes in the same instant: the 200 never leaves, no ACK comes.
    const f = variant('11-naptr-selects-tcp', '3m', [
      '{ at: 0s, boot: erin }', '{ at: 30s, call: { from: erin, to: "2000", duration: 10s } }',
      '{ at: 31.01s, fail: sip1, mode: silent }', '{ at: 32.01s, recover: sip1 }',
    ]);
    const r = runRecorded(loadScenario(f)).records;
    const ok = sends(r).find((m) => m.from === 'sip1' && m.label === '200 OK (INVITE)');
    expect(ok!.t).to.equal(31_010_000);
    const bye = sends(r).find((m) => m.from === 'sip1' && m.label === 'BYE');
    expect(bye, 'sip1 BYEs the call nobody ACKed').to.not.equal(undefined);
    // 64·T1 after the 200, over a fresh connection to the caller's Contact (one round trip to set up).
    expect(bye!.t - ok!.t).to.be.within(32_000_000, 32_100_000);
    expect(bye!.dst.port).to.equal(5060);
    expect(checkScenario(loadScenario(f)).failures.filter((x) => x.invariant === 'no-ghost-dialog')).to.deep.equal([]);
  });

  it('a phone that rang and went quiet no longer keeps the platform\'s INVITE transaction open: CANCEL after 180 s', () => {
    // alice rings (180) for the call sip1 places at 1m30s; sip1 goes silent before her 200 arrives.
    const f = variant('22-incoming-calls', '10m', [
      '{ at: 0s, boot: alice }', '{ at: 1m30s, incoming: { to: alice, via: sip1, duration: 5s } }',
      '{ at: 90.021s, fail: sip1, mode: silent }', '{ at: 123.021s, recover: sip1 }',
    ]);
    const r = runRecorded(loadScenario(f)).records;
    const ict = r.filter((e) => e.kind === 'sip.txn.state' && e.host === 'sip1' && e.txn === 'ict' && e.method === 'INVITE');
    expect(ict.map((e) => (e.kind === 'sip.txn.state' ? e.to : ''))).to.deep.equal(['calling', 'proceeding', 'terminated']);
    const cancel = sends(r).find((m) => m.from === 'sip1' && m.label === 'CANCEL');
    expect(cancel!.t).to.equal(90_000_000 + 180_000_000);
    const incoming = r.filter((e) => e.kind === 'call.incoming');
    expect(incoming.map((e) => (e.kind === 'call.incoming' ? [e.outcome, e.reason] : []))).to.deep.equal([['failed', 'no answer in 180 s: the platform gave up (CANCEL)']]);
    expect(checkScenario(loadScenario(f)).failures).to.deep.equal([]);
  });
});
