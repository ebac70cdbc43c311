import { expect } from 'chai';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { payloadText } from '../../sim/core/trace.js';
import { repoRoot } from '../helpers/run-cli.js';
import { useScenarioDir } from '../helpers/scenario-dir.js';

/**
 * Fact sheet AMB-17, the two readings besides staticCacheTtlClock: what static_cache_pri = 1
 * means (staticCachePriOne) and where static entries step in when the live answer's servers
 * do not answer (staticStepIn).
 */

const COMMON = path.join(repoRoot, 'scenarios', 'phones', 'common.cfg');

function cfg(user: string, pri: 0 | 1, target: string, ip: string, ttl: number, extra = ''): string {
  return `#!version:1.0.0.1
account.1.enable = 1
account.1.user_name = ${user}
account.1.sip_server.1.address = pbx.example.com
account.1.sip_server.1.port = 0
account.1.sip_server.1.transport_type = 0
account.1.static_cache_pri = ${pri}
${extra}dns_cache_srv.1.name = _sip._udp.pbx.example.com
dns_cache_srv.1.port = 5060
dns_cache_srv.1.priority = 10
dns_cache_srv.1.weight = 50
dns_cache_srv.1.target = ${target}
dns_cache_srv.1.ttl = ${ttl}
dns_cache_a.1.name = ${target}
dns_cache_a.1.ip = ${ip}
dns_cache_a.1.ttl = ${ttl}
`;
}

function scenario(phone: string, cfgFile: string, extraA: string[], servers: string[], silent: string[]): string {
  return `name: AMB-17 static entries
seed: 1
duration: 4m
phones:
  ${phone}: { address: 10.0.0.13, config: [${COMMON}, ${cfgFile}] }
dns:
  server: 10.0.0.53
  records:
    - "_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."
${extraA.map((ip) => `    - "sip1.pbx.example.com. 300 IN A ${ip}"`).join('\n')}
servers:
${servers.map((s) => `  ${s}: { address: 10.0.0.${s.slice(3)} }`).join('\n')}
network:
  default: { delay: 10ms }
events:
${silent.map((s) => `  - { at: 0s, fail: ${s}, mode: silent }`).join('\n')}
  - { at: 0s, boot: ${phone} }
`;
}

describe('static DNS cache readings (fact sheet AMB-17): staticCachePriOne and staticStepIn', function () {
  this.timeout(60_000);
  const { write, run: records } = useScenarioDir('sipsim-amb17-');
  /** "to@seconds" of every REGISTER the phone sends (first sends and retransmissions). */
  const registers = (rs: readonly TraceEvent[], from: string): string[] =>
    rs.flatMap((r) => (r.kind === 'net.send' && r.from === from && payloadText(r).startsWith('REGISTER ') ? [`${r.to}@${r.t / 1e6}`] : []));
  const dnsQueries = (rs: readonly TraceEvent[], from: string): number[] => rs.flatMap((r) => (r.kind === 'dns.query' && r.host === from ? [r.t / 1e6] : []));

  it('staticCachePriOne: with static_cache_pri = 1 and TTL-120 entries, staticFirstThenLive (★) asks live DNS once they ran out (the 2m42.06s renewal registers at 2m42.1s); staticOnly never asks, and that renewal fails for want of an address', () => {
    // expires 60 ⇒ renewals at 54 s, 1m48s, 2m42s; the static entries run out at 2m (first use at 0).
    const file = write('pri1.yaml', scenario('dave', write('dave.cfg', cfg('1004', 1, 'sip1.pbx.example.com', '10.0.0.1', 120, 'account.1.sip_server.1.expires = 60\n')), ['10.0.0.1'], ['sip1'], []));
    const star = records(file);
    // Renewals at 54.02 s, 1m48.04s, 2m42.06s (54 s after each 200 OK); at 2m42.06s SRV then A, live.
    expect(dnsQueries(star, 'dave')).to.deep.equal([162.06, 162.08]);
    expect(registers(star, 'dave')).to.deep.equal(['sip1@0', 'sip1@54.02', 'sip1@108.04', 'sip1@162.1', 'sip1@216.12']);
    const only = records(file, { staticCachePriOne: 'staticOnly' });
    expect(dnsQueries(only, 'dave')).to.deep.equal([]);
    expect(registers(only, 'dave')).to.deep.equal(['sip1@0', 'sip1@54.02', 'sip1@108.04']);
    const failed = only.find((r) => r.kind === 'dns.resolved' && r.host === 'dave' && r.t >= 162e6);
    expect(failed && 'error' in failed ? failed.error : undefined).to.match(/nxdomain/);
  });

  it('staticStepIn: live DNS gives sip1 and sip2 (both silent), the static entries sip3 — afterAllLiveAddressesFailed (★) tries sip1, sip2, then sip3 (registered 15.06 s); afterFirstFailure tries sip1, then sip3 (7.56 s), never sip2', () => {
    const file = write('stepin.yaml', scenario('erin', write('erin.cfg', cfg('1005', 0, 'sip3.pbx.example.com', '10.0.0.3', 3600)), ['10.0.0.1', '10.0.0.2'], ['sip1', 'sip2', 'sip3'], ['sip1', 'sip2']));
    const first = (rs: readonly TraceEvent[]): string[] => {
      const seen = new Map<string, string>();
      for (const r of registers(rs, 'erin')) if (!seen.has(r.split('@')[0]!)) seen.set(r.split('@')[0]!, r);
      return [...seen.values()];
    };
    const registeredAt = (rs: readonly TraceEvent[]): number => rs.find((r) => r.kind === 'phone.registration' && r.phone === 'erin' && r.to === 'registered')!.t / 1e6;
    const star = records(file);
    expect(first(star)).to.deep.equal(['sip1@0.04', 'sip2@7.54', 'sip3@15.04']);
    expect(registeredAt(star)).to.equal(15.06);
    const alt = records(file, { staticStepIn: 'afterFirstFailure' });
    expect(first(alt)).to.deep.equal(['sip1@0.04', 'sip3@7.54']);
    expect(registeredAt(alt)).to.equal(7.56);
  });
});
