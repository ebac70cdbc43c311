import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

/** Behaviour a review found wrong once, pinned so it stays right. */
const PHONES = path.join(repoRoot, 'scenarios', 'phones');

describe('regressions', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-reg-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A bundled scenario with its phone configs made absolute, the expectations dropped, and `edit` applied. */
  const variant = (id: string, edit: (text: string) => string): string => {
    const f = path.join(tmp, `${id}-${fs.readdirSync(tmp).length}.yaml`);
    const text = fs.readFileSync(path.join(repoRoot, 'scenarios', `${id}.yaml`), 'utf8').replace(/phones\//g, `${PHONES}/`).replace(/^expect:[\s\S]*$/m, '');
    fs.writeFileSync(f, edit(text));
    return f;
  };
  const run = (file: string): readonly TraceEvent[] => runRecorded(loadScenario(file)).records;

  it('an incoming call over TLS reaches the phone: the contact names port 5061, where TLS listens', () => {
    const r = run(variant('15-tls-handshake', (t) => t.replace(/^events:\n/m, 'events:\n  - { at: 40s, incoming: { to: gina, via: sip1, duration: 5s } }\n')));
    const incoming = r.find((e) => e.kind === 'call.incoming');
    expect(incoming && incoming.kind === 'call.incoming' ? [incoming.outcome, incoming.reason] : null).to.deep.equal(['answered', '200 OK']);
  });

  it('dns_cache_type 0 (always query): the call at 45 s asks DNS again instead of using the located list', () => {
    const queries = (records: readonly TraceEvent[]): number[] => records.flatMap((e) => (e.kind === 'dns.query' ? [e.t / 1e6] : []));
    expect(queries(run(variant('10-dns-ttl-requery', (t) => t)))).to.not.include(45);
    const always = run(variant('10-dns-ttl-requery', (t) => t.replace('settings: { account.1.sip_server.2.address: "" }', 'settings: { account.1.sip_server.2.address: "", account.1.dns_cache_type: 0 }')));
    expect(queries(always)).to.include(45);
  });

  it('a server list that came out empty is located again on the next request (not kept for the SRV TTL)', () => {
    const f = path.join(tmp, 'late-a.yaml');
    fs.writeFileSync(f, [
      'name: late A record', 'duration: 3m',
      `phones: { carol: { address: 10.0.0.12, config: [${PHONES}/common.cfg, ${PHONES}/carol-srv.cfg], settings: { account.1.sip_server.2.address: "" } } }`,
      'dns: { server: 10.0.0.53, records: ["_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com."] }',
      'servers: { sip1: { address: 10.0.0.1 } }',
      'events:',
      '  - { at: 0s, boot: carol }',
      '  - { at: 40s, dns: { records: ["_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.", "sip1.pbx.example.com. 300 IN A 10.0.0.1"] } }',
    ].join('\n'));
    const registered = run(f).find((e) => e.kind === 'phone.registration' && e.to === 'registered');
    // Boot fails (no A), the retry at 30 s meets the cached NXDOMAIN (60 s), the retry at ~60 s asks and registers.
    expect(registered!.t / 1e6).to.be.within(60, 62);
  });

  it('503/slow outages and incoming calls name SIP servers: the DNS host is refused with exit 2, not a crash', () => {
    for (const event of ['{ at: 1s, fail: dns, mode: "503" }', '{ at: 1s, incoming: { to: alice, via: dns } }']) {
      const f = path.join(tmp, `bad-${fs.readdirSync(tmp).length}.yaml`);
      fs.writeFileSync(f, ['name: x', 'duration: 1m', 'phones: { alice: { address: 10.0.0.10 } }', 'dns: { server: 10.0.0.53 }', 'servers: { sip1: { address: 10.0.0.1 } }', 'events:', `  - ${event}`].join('\n'));
      for (const cmd of ['validate', 'run']) {
        const r = runCli([cmd, f]);
        expect(r.code, `${cmd} ${event}`).to.equal(2);
        expect(r.stderr).to.contain(`${f}:7:`).and.not.to.contain('    at ');
      }
    }
  });

  it('a never window with from after to is an input error', () => {
    const f = path.join(tmp, 'never.yaml');
    fs.writeFileSync(f, ['name: x', 'duration: 10m', 'phones: { alice: { address: 10.0.0.10 } }', 'expect:', '  - { never: [5m, 1m], registered: { phone: alice, on: alice } }'].join('\n'));
    const r = runCli(['validate', f]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(`${f}:5: expect[0].never: expected [from, to] with from ≤ to`);
  });

  it('successive fallback: while the fallback is registered it takes the calls (R6) — no Timer B on the dead working server', () => {
    const r = run(path.join(repoRoot, 'scenarios', '21-fallback-successive.yaml'));
    const invites = r.flatMap((e) => (e.kind === 'net.send' && e.label === 'INVITE' ? [[e.t / 1e6, e.to]] : []));
    expect(invites[0]).to.deep.equal([180, 'backup']);
  });

  it("a 503 with Retry-After keeps calls off that server for that long (RFC 3261 §21.5.4), then it is first again", () => {
    const r = run(variant('04-server1-503', (t) => t.replace(/^events:\n/m, 'events:\n  - { at: 1m30s, call: { from: alice, to: "2000", duration: 5s } }\n  - { at: 2m10s, call: { from: alice, to: "2000", duration: 5s } }\n')));
    const firstInvites = r.flatMap((e) => (e.kind === 'call.outcome' ? [[e.t / 1e6 - e.setup / 1e6, e.tried[0]]] : []));
    // 1m: sip1 answers 503 (Retry-After 60 s); 1m30s: sip1 is avoided; 2m10s: the 60 s are over.
    expect(firstInvites).to.deep.equal([[60, 'sip1'], [90, 'sip2'], [130, 'sip1']]);
  });

  it('a call left ringing is given up with CANCEL after noAnswerTimeout (180 s): the server answers 487 and the call fails, no failover', () => {
    const f = path.join(tmp, 'long-ring.yaml');
    fs.writeFileSync(f, [
      'name: long ring', 'duration: 5m',
      `phones: { alice: { address: 10.0.0.10, config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg] } }`,
      'servers: { sip1: { address: 10.0.0.1, ringTime: 10m }, sip2: { address: 10.0.0.2 } }',
      'events: [ { at: 0s, boot: alice }, { at: 10s, call: { from: alice, to: "2000" } } ]',
    ].join('\n'));
    const r = run(f);
    const cancel = r.find((e) => e.kind === 'net.send' && e.label === 'CANCEL');
    expect(cancel && cancel.kind === 'net.send' ? [cancel.t / 1e6, cancel.to] : null).to.deep.equal([190.04, 'sip1']);
    expect(r.some((e) => e.kind === 'net.send' && e.from === 'sip1' && e.label === '487 Request Terminated (INVITE)')).to.equal(true);
    const outcome = r.find((e) => e.kind === 'call.outcome');
    expect(outcome && outcome.kind === 'call.outcome' ? [outcome.outcome, outcome.tried] : null).to.deep.equal(['failed', ['sip1']]);
  });

  it('a server that dies after 180 Ringing cannot keep the INVITE transaction alive: CANCEL, then 64·T1 later it ends (RFC 3261 §9.1)', () => {
    const f = path.join(tmp, 'dies-ringing.yaml');
    fs.writeFileSync(f, [
      'name: dies while ringing', 'duration: 10m',
      `phones: { alice: { address: 10.0.0.10, config: [${PHONES}/common.cfg, ${PHONES}/alice.cfg] } }`,
      'servers: { sip1: { address: 10.0.0.1 }, sip2: { address: 10.0.0.2 } }',
      'events: [ { at: 0s, boot: alice }, { at: 1s, call: { from: alice, to: "2000" } }, { at: 2s, fail: sip1, mode: silent }, { at: 34s, recover: sip1 } ]',
    ].join('\n'));
    const r = run(f);
    const ict = r.filter((e) => e.kind === 'sip.txn.state' && e.host === 'alice' && e.txn === 'ict');
    expect(ict.at(-1)?.kind === 'sip.txn.state' ? [ict.at(-1)!.t / 1e6, (ict.at(-1) as { to: string }).to] : null).to.deep.equal([213.04, 'terminated']);
  });
});
