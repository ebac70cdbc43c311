import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NetSend, TraceEvent } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * Regression (issue 10, found by explore): a 200 OK reaching the phone after it gave up on the
 * INVITE (Timer B, the retry limit) was neither ACKed nor BYEd, and the server kept the call for
 * ever. RFC 3261 §13.2.2.4: the UAC core ACKs every 2xx and BYEs a session it does not want.
 */
describe('late 2xx of an abandoned INVITE (ghost call)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-ghost-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const PHONES = path.join(repoRoot, 'scenarios', 'phones');
  const scenario = (delay: string): string => {
    const f = path.join(tmp, `ghost-${delay}.yaml`);
    fs.writeFileSync(f, [
      'name: both servers slow while a call is placed', 'duration: 4m',
      `phones: { alice: { address: 10.0.0.10, config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg] } }`,
      'servers: { sip1: { address: 10.0.0.1 }, sip2: { address: 10.0.0.2 } }',
      'network: { default: { delay: 20ms } }',
      'events:',
      '  - { at: 0s, boot: alice }',
      `  - { at: 50s, fail: sip1, mode: slow, delay: ${delay} }`,
      `  - { at: 50s, fail: sip2, mode: slow, delay: ${delay} }`,
      '  - { at: 1m, call: { from: alice, to: "2000", duration: 20s } }',
      '  - { at: 3m, recover: sip1 }',
      '  - { at: 3m, recover: sip2 }',
    ].join('\n'));
    return f;
  };
  const sends = (r: readonly TraceEvent[]): NetSend[] => r.filter((e): e is NetSend => e.kind === 'net.send' && e.proto !== 'icmp');

  for (const delay of ['33s', '50s']) {
    it(`servers slow by ${delay}: each late 200 is ACKed then BYEd, the server closes the call, the call fails once`, () => {
      const r = runRecorded(loadScenario(scenario(delay))).records;
      const outcomes = r.filter((e) => e.kind === 'call.outcome');
      expect(outcomes.map((o) => (o.kind === 'call.outcome' ? o.outcome : ''))).to.deep.equal(['failed']);
      const failedAt = outcomes[0]!.t;
      const s = sends(r);
      for (const server of ['sip1', 'sip2']) {
        const ok = s.find((m) => m.from === server && m.to === 'alice' && m.label.startsWith('200 OK (INVITE)'));
        expect(ok, `${server} answers the INVITE late`).to.not.equal(undefined);
        // The phone gave up on this server's INVITE before its 200 came.
        const timeout = r.find((e) => e.kind === 'sip.timeout' && e.host === 'alice' && e.method === 'INVITE' && e.peer === server);
        expect(timeout!.t).to.be.below(ok!.t);
        const after = s.filter((m) => m.t >= ok!.t);
        const ack = after.find((m) => m.from === 'alice' && m.to === server && m.label === 'ACK');
        const bye = after.find((m) => m.from === 'alice' && m.to === server && m.label === 'BYE');
        expect(ack, `alice ACKs ${server}'s late 200`).to.not.equal(undefined);
        expect(bye, `alice BYEs ${server}'s late 200`).to.not.equal(undefined);
        expect(ack!.t).to.be.at.most(bye!.t);
        // The server's answer to the BYE: 200, it held the dialog and now closes it (481 would mean it never had it).
        expect(after.some((m) => m.from === server && m.to === 'alice' && m.label === '200 OK (BYE)'), `${server} closes its dialog`).to.equal(true);
      }
      expect(failedAt).to.be.above(0);
    });
  }
});
