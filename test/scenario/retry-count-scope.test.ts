import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * AMB-01's sub-question, model option retryCountScope: does retry_counts restart with every
 * request (perRequest, the default) or is it one count per server, shared by its requests until
 * the server answers (perServer, sim/sip/retry-ledger.ts)? Calls use inviteFailover = retry-counts
 * so that the bound applies to INVITEs. Bundled 08-srv-failover: sip1 silent from the start, the
 * REGISTER at 60 ms uses its 3 retransmissions (0.56, 1.56, 3.56 s) and moves to sip2 at 7.56 s;
 * the call at 1m goes to sip1 first. Bundled 02-server1-silent: sip1 answers the boot REGISTER,
 * is silent from 30 s; the call at 1m (and one more at 2m here) goes to sip1 first.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

function sends(records: readonly TraceEvent[], method: string, from: string, to: string): number[] {
  return records.filter((r) => r.kind === 'net.send' && r.from === from && r.to === to && payloadText(r).startsWith(`${method} `)).map((r) => Math.round(r.t / 1e4) / 100);
}

describe('AMB-01 retryCountScope: retry_counts per request or shared per server', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-rc-scope-');
  const copy = (id: string, extraEvent = ''): string => dir.write(`${id}-${extraEvent.length}.yaml`, fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8')
    .replaceAll('phones/', `${PHONES}/`)
    .replace(/^expect:[\s\S]*$/m, '')
    .replace(/^events:\n/m, extraEvent ? `events:\n  ${extraEvent}\n` : 'events:\n'));

  it('perRequest (default): after the REGISTER used sip1\'s three retries, the call at 1m still gets three (sip1 0/0.5/1.5/3.5 s, sip2 at 1m7.5s)', () => {
    const r = dir.run(copy('08-srv-failover'), { inviteFailover: 'retry-counts' });
    expect(sends(r, 'REGISTER', 'carol', 'sip1').slice(0, 4)).to.deep.equal([0.06, 0.56, 1.56, 3.56]);
    expect(sends(r, 'INVITE', 'carol', 'sip1')).to.deep.equal([60, 60.5, 61.5, 63.5]);
    expect(sends(r, 'INVITE', 'carol', 'sip2')).to.deep.equal([67.5]);
  });

  it('perServer: the REGISTER used the three, so the call gets 0 of 3 — one send to sip1 and sip2 when its first retransmission would be due (1m0.5s); the trace says why', () => {
    const r = dir.run(copy('08-srv-failover'), { inviteFailover: 'retry-counts', retryCountScope: 'perServer' });
    expect(sends(r, 'REGISTER', 'carol', 'sip1').slice(0, 4)).to.deep.equal([0.06, 0.56, 1.56, 3.56]);
    expect(sends(r, 'REGISTER', 'carol', 'sip2')[0]).to.equal(7.56);
    expect(sends(r, 'INVITE', 'carol', 'sip1')).to.deep.equal([60]);
    expect(sends(r, 'INVITE', 'carol', 'sip2')).to.deep.equal([60.5]);
    const start = r.find((e) => e.kind === 'sip.txn.state' && e.host === 'carol' && e.method === 'INVITE' && e.from === 'init');
    expect(start && start.kind === 'sip.txn.state' ? start.reason : '').to.contain('0 of 3 left (retryCountScope = perServer)');
    const outcome = r.find((e) => e.kind === 'call.outcome');
    expect(outcome && outcome.kind === 'call.outcome' ? [outcome.outcome, outcome.via] : []).to.deep.equal(['answered', 'sip2']);
  });

  it('perServer: an answer clears the count — sip1 answered the boot REGISTER, so the 1m call gets all three (sip2 at 1m7.5s); the 2m call, after that unanswered INVITE, gets none (sip2 at 2m0.5s vs 2m7.5s per request)', () => {
    const file = copy('02-server1-silent', '- { at: 2m, call: { from: alice, to: "2001", duration: 10s } }');
    const shared = dir.run(file, { inviteFailover: 'retry-counts', retryCountScope: 'perServer' });
    expect(sends(shared, 'INVITE', 'alice', 'sip1')).to.deep.equal([60, 60.5, 61.5, 63.5, 120]);
    expect(sends(shared, 'INVITE', 'alice', 'sip2')).to.deep.equal([67.5, 120.5]);
    const own = dir.run(file, { inviteFailover: 'retry-counts' });
    expect(sends(own, 'INVITE', 'alice', 'sip1')).to.deep.equal([60, 60.5, 61.5, 63.5, 120, 120.5, 121.5, 123.5]);
    expect(sends(own, 'INVITE', 'alice', 'sip2')).to.deep.equal([67.5, 127.5]);
  });

  it('--model retryCountScope=shared is refused: exit 2 naming the values it takes', () => {
    const r = runCli(['run', 'scenarios/08-srv-failover.yaml', '--quiet', '--model', 'retryCountScope=shared']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('retryCountScope: expected one of perRequest, perServer, found "shared"');
  });
});
