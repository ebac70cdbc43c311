import { expect } from 'chai';
import * as path from 'node:path';
import { payloadText } from '../../sim/core/trace.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * AMB-31 (a), model option proxyScope: does the outbound proxy list replace servers 1/2 for every
 * request (allRequests ★) or for every request but REGISTER (nonRegisterOnly)? Bundled 26's kate
 * (proxies op1, op2; op1 silent; outbound_proxy.1.retry_counts 2), her server 1 here an IP, the
 * registrar `pbx` at 10.0.0.1; 10 ms links; a call at 30 s.
 */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');
const scenario = `name: proxy scope
seed: 1
duration: 2m
phones:
  kate:
    address: 10.0.0.20
    config: [${PHONES}/common.cfg, ${PHONES}/kate-proxy.cfg]
    settings: { account.1.sip_server.1.address: 10.0.0.1 }
servers:
  pbx: { address: 10.0.0.1 }
  op1: { address: 10.0.0.5 }
  op2: { address: 10.0.0.6 }
network:
  default: { delay: 10ms }
events:
  - { at: 0s, fail: op1, mode: silent }
  - { at: 0s, boot: kate }
  - { at: 30s, call: { from: kate, to: "2000", duration: 5s } }
`;

const firstSends = (r: readonly TraceEvent[], method: string): [number, string][] => {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  for (const e of r) {
    if (e.kind !== 'net.send' || e.from !== 'kate' || e.label !== method) continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(e))?.[1] ?? '';
    if (!seen.has(branch)) out.push([Math.round(e.t / 1e4) / 100, e.to]);
    seen.add(branch);
  }
  return out;
};
const working = (r: readonly TraceEvent[]): [number, string][] =>
  r.flatMap((e) => (e.kind === 'phone.working-server' && e.server !== null ? [[Math.round(e.t / 1e4) / 100, e.server] as [number, string]] : []));

describe('AMB-31 (a) proxyScope: which requests the outbound proxies carry', function () {
  this.timeout(30_000);
  const dir = useScenarioDir('sipsim-proxy-scope-');

  it('allRequests (default, ★): the REGISTER goes to op1 (silent) and moves to op2 at 3.5 s; the call too goes op1, then op2 at 1m2s', () => {
    const r = dir.run(dir.write('ps.yaml', scenario));
    expect(firstSends(r, 'REGISTER').slice(0, 2)).to.deep.equal([[0, 'op1'], [3.5, 'op2']]);
    expect(working(r)[0]).to.deep.equal([3.52, 'op2']);
    expect(firstSends(r, 'INVITE')).to.deep.equal([[30, 'op1'], [62, 'op2']]);
  });

  it('nonRegisterOnly: the REGISTER goes straight to the registrar (0 s, registered 20 ms later) and never to a proxy; the call still goes op1, then op2 at 1m2s', () => {
    const r = dir.run(dir.write('ps.yaml', scenario), { proxyScope: 'nonRegisterOnly' });
    const registers = firstSends(r, 'REGISTER');
    expect(registers[0]).to.deep.equal([0, 'pbx']);
    expect(registers.filter(([, to]) => to !== 'pbx')).to.deep.equal([]);
    expect(working(r)[0]).to.deep.equal([0.02, 'pbx']);
    expect(firstSends(r, 'INVITE')).to.deep.equal([[30, 'op1'], [62, 'op2']]);
    const outcome = r.find((e) => e.kind === 'call.outcome');
    expect(outcome && outcome.kind === 'call.outcome' ? [outcome.outcome, outcome.via] : []).to.deep.equal(['answered', 'op2']);
  });
});
