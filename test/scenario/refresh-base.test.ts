import { expect } from 'chai';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * AMB-26's last clause, model option refreshBase: the renewal is "always based on the expires
 * granted by the server ★" (granted) — or on the expires the phone asked for (requested). sip1
 * grants at most 5 minutes (scenario server key maxExpires); alice asks 3600 s (alice.cfg);
 * links 20 ms, so her first REGISTER is answered at 40 ms.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');
const scenario = `name: refresh base
seed: 1
duration: 12m
phones:
  alice:
    address: 10.0.0.10
    config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg]
servers:
  sip1: { address: 10.0.0.1, maxExpires: 5m }
  sip2: { address: 10.0.0.2 }
network:
  default: { delay: 20ms }
events:
  - { at: 0s, boot: alice }
  - { at: 6m, incoming: { to: alice, via: sip1, from: "3000", duration: 5s } }
`;

const registers = (r: readonly TraceEvent[]): number[] =>
  r.filter((e) => e.kind === 'net.send' && e.from === 'alice' && e.to === 'sip1' && payloadText(e).startsWith('REGISTER ')).map((e) => Math.round(e.t / 1e4) / 100);
const incoming = (r: readonly TraceEvent[]): string[] => r.flatMap((e) => (e.kind === 'call.incoming' ? [`${e.outcome}: ${e.reason}`] : []));

describe('AMB-26 refreshBase: renew on the granted or the requested expires', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-refresh-base-');

  it('granted (default, ★): sip1 grants 300 s of the 3600 asked; alice renews at 90 % of 300 s (4m30.04s, 9m0.08s) and the 6m call reaches her', () => {
    const r = dir.run(dir.write('rb.yaml', scenario));
    expect(registers(r)).to.deep.equal([0, 270.04, 540.08]);
    const ok = r.find((e) => e.kind === 'net.send' && e.from === 'sip1' && e.to === 'alice' && payloadText(e).startsWith('SIP/2.0 200'));
    expect(ok && ok.kind === 'net.send' ? payloadText(ok) : '').to.match(/Expires: 300\r\n/);
    expect(incoming(r)).to.have.length(1);
    expect(incoming(r)[0]).to.match(/^answered/);
  });

  it('requested: the renewal is planned on the 3600 s asked (90 % = 54 min, after the run), so sip1\'s binding lapses at 5m0.04s and its 6m call cannot reach alice', () => {
    const r = dir.run(dir.write('rb.yaml', scenario), { refreshBase: 'requested' });
    expect(registers(r)).to.deep.equal([0]);
    expect(incoming(r)).to.deep.equal(['failed: 1001 is not registered on sip1']);
  });

  it('servers.X.maxExpires below 1 s is refused with file:line, exit 2', () => {
    const file = dir.write('bad.yaml', scenario.replace('maxExpires: 5m', 'maxExpires: 500ms'));
    const r = runCli(['run', file, '--quiet']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/bad\.yaml:9.*servers\.sip1\.maxExpires.*at least 1s/);
  });
});
