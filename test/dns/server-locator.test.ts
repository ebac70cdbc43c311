import { expect } from 'chai';
import type { Micros } from '../../sim/core/clock.js';
import { RandomStreams, Rng } from '../../sim/core/random.js';
import type { DnsResolved } from '../../sim/core/trace.js';
import type { SrvRecord } from '../../sim/dns/records.js';
import { LocateResult, LocateTarget, locate, orderSrv } from '../../sim/dns/server-locator.js';
import { DnsWorld, PBX_ZONE, records } from './harness.js';

interface Run {
  at: number | undefined;
  result: LocateResult | undefined;
  /** Every DNS question that went on the wire, "TYPE name". */
  queries: string[];
  servers: string[];
}

function run(w: DnsWorld, target: LocateTarget, rng: Rng = w.random.stream('dns:srv-weight')): Run {
  const out: Run = { at: undefined, result: undefined, queries: [], servers: [] };
  let returned = false;
  locate(w.resolver, target, rng, (r) => {
    expect(returned, 'done must not run inside locate').to.equal(true);
    out.at = w.clock.now / 1e6;
    out.result = r;
  });
  returned = true;
  w.clock.run();
  out.queries = w.trace.records.flatMap((e) => (e.kind === 'dns.query' ? [`${e.qtype} ${e.name}`] : []));
  out.servers = (out.result?.servers ?? []).map((s) => `${s.ip}:${s.port}/${s.transport} ${s.name}`);
  return out;
}

const NO_NAPTR = PBX_ZONE.filter((l) => !l.includes('NAPTR'));
const s = (expiresAt: Micros): number => expiresAt / 1e6;

describe('locate (RFC 3263 server location)', () => {
  describe('IP literal: used as is, no DNS', () => {
    const cases: [LocateTarget, string][] = [
      [{ host: '10.0.0.1', port: 0, transport: 0 }, '10.0.0.1:5060/udp 10.0.0.1'],
      [{ host: '10.0.0.1', port: 0, transport: 1 }, '10.0.0.1:5060/tcp 10.0.0.1'],
      [{ host: '10.0.0.1', port: 0, transport: 2 }, '10.0.0.1:5061/tls 10.0.0.1'],
      [{ host: '10.0.0.1', port: 0, transport: 3 }, '10.0.0.1:5060/udp 10.0.0.1'],
      [{ host: '10.0.0.1', port: 5080, transport: 1 }, '10.0.0.1:5080/tcp 10.0.0.1'],
    ];
    for (const [target, expected] of cases) {
      it(`${target.host} port ${target.port} transport ${target.transport} ⇒ ${expected}`, () => {
        const w = new DnsWorld();
        const r = run(w, target);
        expect([r.at, r.queries, r.servers, r.result!.expiresAt, r.result!.error]).to.deep.equal([0, [], [expected], Infinity, undefined]);
        const resolved = w.trace.records.filter((e): e is DnsResolved => e.kind === 'dns.resolved');
        expect(resolved.map((e) => [e.t, e.host, e.servers.length])).to.deep.equal([[0, 'phone', 1]]);
      });
    }
  });

  describe('domain names', () => {
    const cases: { why: string; zone?: string[]; target: LocateTarget; queries: string[]; servers: string[]; at: number; expiresAt?: number }[] = [
      {
        why: 'explicit port ⇒ only an A query (transport kept)',
        target: { host: 'sip1.pbx.example.com', port: 5062, transport: 1 },
        queries: ['A sip1.pbx.example.com'],
        servers: ['10.0.0.1:5062/tcp sip1.pbx.example.com'],
        at: 0.04, expiresAt: 300.04,
      },
      {
        why: 'DNS-NAPTR ⇒ NAPTR (lowest order: SIP+D2T) → SRV _sip._tcp → A, over TCP',
        target: { host: 'pbx.example.com', port: 0, transport: 3 },
        queries: ['NAPTR pbx.example.com', 'SRV _sip._tcp.pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.2:5070/tcp sip2.pbx.example.com'],
        at: 0.12, expiresAt: 60.12, // sip2's A has the smallest TTL (60 s), answered at 0.12 s
      },
      {
        why: 'NAPTR preference breaks an order tie; unsupported services are ignored',
        zone: [
          'pbx.example.com. 300 IN NAPTR 10 1 "u" "E2U+sip" "!^.*$!sip:x@example.com!" .',
          'pbx.example.com. 300 IN NAPTR 10 60 "s" "SIP+D2T" "" _sip._tcp.pbx.example.com.',
          'pbx.example.com. 300 IN NAPTR 10 40 "s" "SIPS+D2T" "" _sips._tcp.pbx.example.com.',
          '_sips._tcp.pbx.example.com. 300 IN SRV 0 0 5061 sip1.pbx.example.com.',
          ...NO_NAPTR,
        ],
        target: { host: 'pbx.example.com', port: 0, transport: 3 },
        queries: ['NAPTR pbx.example.com', 'SRV _sips._tcp.pbx.example.com', 'A sip1.pbx.example.com'],
        servers: ['10.0.0.1:5061/tls sip1.pbx.example.com'],
        at: 0.12,
      },
      {
        why: 'a NAPTR whose SRV yields no address ⇒ the next NAPTR',
        zone: [...PBX_ZONE.filter((l) => !l.startsWith('_sip._tcp')), '_sip._tcp.pbx.example.com. 300 IN SRV 10 50 5060 ghost.pbx.example.com.'],
        target: { host: 'pbx.example.com', port: 0, transport: 3 },
        queries: ['NAPTR pbx.example.com', 'SRV _sip._tcp.pbx.example.com', 'A ghost.pbx.example.com', 'SRV _sip._udp.pbx.example.com', 'A sip1.pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.1:5060/udp sip1.pbx.example.com', '10.0.0.2:5060/udp sip2.pbx.example.com'],
        at: 0.24,
      },
      {
        why: 'NAPTR flag "a" ⇒ A on the replacement with the default port',
        zone: ['pbx.example.com. 300 IN NAPTR 10 50 "a" "SIP+D2U" "" sip2.pbx.example.com.', ...NO_NAPTR],
        target: { host: 'pbx.example.com', port: 0, transport: 3 },
        queries: ['NAPTR pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.2:5060/udp sip2.pbx.example.com'],
        at: 0.08,
      },
      {
        why: 'DNS-NAPTR without NAPTR records ⇒ SRV _sip._udp',
        zone: NO_NAPTR,
        target: { host: 'pbx.example.com', port: 0, transport: 3 },
        queries: ['NAPTR pbx.example.com', 'SRV _sip._udp.pbx.example.com', 'A sip1.pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.1:5060/udp sip1.pbx.example.com', '10.0.0.2:5060/udp sip2.pbx.example.com'],
        at: 0.16,
      },
      {
        why: 'SRV: lower priority first whatever the zone order; all addresses of each target, in order',
        zone: [
          '_sip._udp.pbx.example.com. 300 IN SRV 20 50 5060 sip2.pbx.example.com.',
          '_sip._udp.pbx.example.com. 300 IN SRV 10 50 5070 sip1.pbx.example.com.',
          'sip1.pbx.example.com. 300 IN A 10.0.0.1',
          'sip1.pbx.example.com. 300 IN A 10.0.1.1',
          'sip2.pbx.example.com. 300 IN A 10.0.0.2',
        ],
        target: { host: 'pbx.example.com', port: 0, transport: 0 },
        queries: ['SRV _sip._udp.pbx.example.com', 'A sip1.pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.1:5070/udp sip1.pbx.example.com', '10.0.1.1:5070/udp sip1.pbx.example.com', '10.0.0.2:5060/udp sip2.pbx.example.com'],
        at: 0.12,
      },
      {
        why: 'an SRV target without an address is skipped',
        zone: [...PBX_ZONE, '_sip._udp.pbx.example.com. 300 IN SRV 5 50 5060 ghost.pbx.example.com.'],
        target: { host: 'pbx.example.com', port: 0, transport: 0 },
        queries: ['SRV _sip._udp.pbx.example.com', 'A ghost.pbx.example.com', 'A sip1.pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.1:5060/udp sip1.pbx.example.com', '10.0.0.2:5060/udp sip2.pbx.example.com'],
        at: 0.16,
      },
      {
        why: 'TCP ⇒ SRV _sip._tcp',
        target: { host: 'pbx.example.com', port: 0, transport: 1 },
        queries: ['SRV _sip._tcp.pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.2:5070/tcp sip2.pbx.example.com'],
        at: 0.08,
      },
      {
        why: 'TLS without _sips._tcp SRV ⇒ A on the domain, port 5061',
        target: { host: 'sip1.pbx.example.com', port: 0, transport: 2 },
        queries: ['SRV _sips._tcp.sip1.pbx.example.com', 'A sip1.pbx.example.com'],
        servers: ['10.0.0.1:5061/tls sip1.pbx.example.com'],
        at: 0.08,
      },
      {
        why: 'UDP without SRV ⇒ A on the domain, port 5060',
        target: { host: 'sip2.pbx.example.com', port: 0, transport: 0 },
        queries: ['SRV _sip._udp.sip2.pbx.example.com', 'A sip2.pbx.example.com'],
        servers: ['10.0.0.2:5060/udp sip2.pbx.example.com'],
        at: 0.08,
      },
    ];
    for (const c of cases) {
      it(c.why, () => {
        const w = new DnsWorld({ zone: c.zone });
        const r = run(w, c.target);
        expect(r.queries, 'queries').to.deep.equal(c.queries);
        expect(r.servers, 'servers').to.deep.equal(c.servers);
        expect([r.at, r.result!.error]).to.deep.equal([c.at, undefined]);
        if (c.expiresAt !== undefined) expect(s(r.result!.expiresAt)).to.equal(c.expiresAt);
        const resolved = w.trace.records.filter((e): e is DnsResolved => e.kind === 'dns.resolved');
        expect(resolved.map((e) => [e.t / 1e6, e.servers.map((x) => `${x.ip}:${x.port}/${x.transport} ${x.name}`)])).to.deep.equal([[c.at, c.servers]]);
      });
    }
  });

  describe('errors: an empty list with the reason', () => {
    const cases: { why: string; zone?: string[]; target: LocateTarget; error: string }[] = [
      { why: 'nothing at all', target: { host: 'nothing.example.com', port: 0, transport: 0 }, error: 'no server address for nothing.example.com (A nothing.example.com: nxdomain)' },
      { why: 'explicit port on a name without A', target: { host: 'pbx.example.com', port: 5060, transport: 3 }, error: 'no server address for pbx.example.com (A pbx.example.com: nodata)' },
      {
        why: 'SRV target "." (service not available)',
        zone: ['_sip._udp.pbx.example.com. 300 IN SRV 0 0 0 .'],
        target: { host: 'pbx.example.com', port: 0, transport: 0 },
        error: 'no server address for pbx.example.com (SRV _sip._udp.pbx.example.com: service not available (target "."))',
      },
    ];
    for (const c of cases) {
      it(c.why, () => {
        const w = new DnsWorld({ zone: c.zone });
        const r = run(w, c.target);
        expect([r.servers, r.result!.error]).to.deep.equal([[], c.error]);
        const resolved = w.trace.records.filter((e): e is DnsResolved => e.kind === 'dns.resolved');
        expect(resolved.map((e) => [e.servers, e.error])).to.deep.equal([[[], c.error]]);
      });
    }
  });

  it('addressExpiresAt (AMB-07): each address carries its own A record\'s end beside the list\'s minimum; dns_cache_type 0 still gives the TTL', () => {
    // SRV 300 s; sip1's A 300 s (answered at 0.08 s), sip2's A 60 s (answered at 0.12 s).
    for (const cacheType of [1, 0] as const) {
      const w = new DnsWorld({ zone: NO_NAPTR, resolver: { cacheType } });
      const r = run(w, { host: 'pbx.example.com', port: 0, transport: 0 });
      expect(r.servers).to.deep.equal(['10.0.0.1:5060/udp sip1.pbx.example.com', '10.0.0.2:5060/udp sip2.pbx.example.com']);
      expect(r.result!.addressExpiresAt.map(s), `cacheType ${cacheType}`).to.deep.equal([300.08, 60.12]);
      expect(s(r.result!.expiresAt), `cacheType ${cacheType}`).to.equal(cacheType === 0 ? 0.04 : 60.12); // type 0: good for this request only (the SRV answer at 0.04 s)
    }
    const literal = run(new DnsWorld(), { host: '10.0.0.1', port: 0, transport: 0 });
    expect(literal.result!.addressExpiresAt).to.deep.equal([Infinity]);
  });

  it('with dns_cache_type 2 the A records of SRV targets come from the additional section', () => {
    const w = new DnsWorld({ resolver: { cacheType: 2 } });
    const r = run(w, { host: 'pbx.example.com', port: 0, transport: 0 });
    expect([r.queries, r.at, r.servers.length]).to.deep.equal([['SRV _sip._udp.pbx.example.com'], 0.04, 2]);
    expect(w.dnsTimeline().filter(([, d]) => d.startsWith('cache')).map(([, d]) => d)).to.deep.equal([
      'cache cache A sip1.pbx.example.com (1)',
      'cache cache A sip2.pbx.example.com (1)',
    ]);
  });
});

describe('orderSrv (RFC 2782)', () => {
  const srv = (priority: number, weight: number, target: string): SrvRecord => ({ type: 'SRV', name: '_sip._udp.x', ttl: 60, priority, weight, port: 5060, target });
  const targets = (list: SrvRecord[]): string[] => list.map((r) => r.target);

  it('orders by priority first', () => {
    const rng = new RandomStreams(1).stream('dns:srv-weight');
    expect(targets(orderSrv([srv(30, 0, 'c'), srv(10, 5, 'a'), srv(20, 5, 'b')], rng))).to.deep.equal(['a', 'b', 'c']);
  });

  it('is deterministic for a seed, and uses the stream it is given', () => {
    const list = records(Array.from({ length: 6 }, (_, i) => `_sip._udp.x. 60 IN SRV 10 ${10 + i} 5060 t${i}.x.`)) as SrvRecord[];
    const order = (seed: number): string[] => targets(orderSrv(list, new RandomStreams(seed).stream('dns:srv-weight')));
    expect(order(7)).to.deep.equal(order(7));
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => order(seed).join()));
    expect(distinct.size).to.be.greaterThan(5);
  });

  it('zero-weight records keep zone order when all weigh 0', () => {
    const rng = new RandomStreams(3).stream('dns:srv-weight');
    expect(targets(orderSrv([srv(0, 0, 'a'), srv(0, 0, 'b'), srv(0, 0, 'c')], rng))).to.deep.equal(['a', 'b', 'c']);
  });

  it('a zero-weight record goes first about 1 time in (total + 1)', () => {
    let first = 0;
    for (let seed = 0; seed < 10_000; seed++) {
      if (orderSrv([srv(0, 99, 'heavy'), srv(0, 0, 'zero')], new RandomStreams(seed).stream('dns:srv-weight'))[0]!.target === 'zero') first++;
    }
    expect(first / 10_000).to.be.closeTo(0.01, 0.005);
  });

  it('weights 60/30/10 at equal priority: each target comes first in proportion to its weight (±2 points over 10,000 seeds)', () => {
    const list = [srv(10, 60, 'w60'), srv(10, 30, 'w30'), srv(10, 10, 'w10')];
    const counts: Record<string, number> = { w60: 0, w30: 0, w10: 0 };
    for (let seed = 0; seed < 10_000; seed++) counts[orderSrv(list, new RandomStreams(seed).stream('dns:srv-weight'))[0]!.target]!++;
    expect(counts.w60! / 10_000).to.be.closeTo(0.6, 0.02);
    expect(counts.w30! / 10_000).to.be.closeTo(0.3, 0.02);
    expect(counts.w10! / 10_000).to.be.closeTo(0.1, 0.02);
  });
});
