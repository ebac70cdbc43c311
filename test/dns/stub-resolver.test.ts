import { expect } from 'chai';
import dnsPacket from 'dns-packet';
import type { Micros } from '../../sim/core/clock.js';
import { ms, sec } from '../../sim/core/time.js';
import type { NetSend } from '../../sim/core/trace.js';
import { formatRecord } from '../../sim/dns/records.js';
import type { ResolveResult } from '../../sim/dns/stub-resolver.js';
import { DnsWorld, PBX_ZONE, PHONE_IP, records } from './harness.js';

type Summary = { t: number; ok: true; source: string; records: string[]; expiresAt: number } | { t: number; ok: false; source: string; error: string };

/** (seconds, result) with records in zone-file form. */
function summary(got: { t: Micros; r: ResolveResult }[]): Summary[] {
  return got.map(({ t, r }) =>
    r.ok
      ? { t: t / 1e6, ok: true, source: r.source, records: r.records.map(formatRecord), expiresAt: r.expiresAt / 1e6 }
      : { t: t / 1e6, ok: false, source: r.source, error: r.error },
  );
}

const SIP1_A = 'sip1.pbx.example.com. 300 IN A 10.0.0.1';
const STATIC_SIP1 = 'sip1.pbx.example.com. 600 IN A 10.0.0.99';

describe('StubResolver', () => {
  describe('over a 20 ms link', () => {
    it('queries at once and answers one round trip later', () => {
      const w = new DnsWorld();
      const got = w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      expect(w.dnsTimeline()).to.deep.equal([
        [0, 'query A sip1.pbx.example.com → dns #1'],
        [0.04, 'answer A sip1.pbx.example.com ← dns NOERROR (1)'],
      ]);
      expect(summary(got)).to.deep.equal([{ t: 0.04, ok: true, source: 'network', records: [SIP1_A], expiresAt: 300.04 }]);
    });

    it('follows a CNAME: the trace shows the chain, the result holds the addresses', () => {
      const w = new DnsWorld();
      const got = w.resolveAt(0, 'alias.pbx.example.com', 'A');
      w.clock.run();
      expect(w.dnsTimeline()[1]).to.deep.equal([0.04, 'answer A alias.pbx.example.com ← dns NOERROR (2)']);
      expect(summary(got)).to.deep.equal([{ t: 0.04, ok: true, source: 'network', records: [SIP1_A], expiresAt: 300.04 }]);
    });

    it('reuses a cached answer until its TTL runs out, then queries again', () => {
      const w = new DnsWorld();
      const all = [0, 100, 300.039, 300.04].map((s) => w.resolveAt(s, 'sip1.pbx.example.com', 'A'));
      w.clock.run();
      expect(w.dnsTimeline().filter(([t]) => t > 0.04)).to.deep.equal([
        [100, 'cache cache A sip1.pbx.example.com (1)'],
        [300.039, 'cache cache A sip1.pbx.example.com (1)'],
        [300.04, 'query A sip1.pbx.example.com → dns #1'],
        [300.08, 'answer A sip1.pbx.example.com ← dns NOERROR (1)'],
      ]);
      expect(all.map((g) => summary(g).map((s) => [s.t, s.source]))).to.deep.equal([
        [[0.04, 'network']],
        [[100, 'cache']],
        [[300.039, 'cache']],
        [[300.08, 'network']],
      ]);
    });

    it('dns_cache_type 0 queries every time', () => {
      const w = new DnsWorld({ resolver: { cacheType: 0 } });
      w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      w.resolveAt(100, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      expect(w.dnsTimeline().map(([t, d]) => [t, d.split(' ')[0]])).to.deep.equal([[0, 'query'], [0.04, 'answer'], [100, 'query'], [100.04, 'answer']]);
    });

    it('caches NXDOMAIN for min(SOA TTL, SOA minimum) = 30 s (RFC 2308 §5)', () => {
      const w = new DnsWorld();
      const got = [0, 30, 30.04].map((s) => w.resolveAt(s, 'nope.pbx.example.com', 'A'));
      w.clock.run();
      expect(w.dnsTimeline()).to.deep.equal([
        [0, 'query A nope.pbx.example.com → dns #1'],
        [0.04, 'answer A nope.pbx.example.com ← dns NXDOMAIN (0)'],
        [30, 'cache negative A nope.pbx.example.com (0)'],
        [30.04, 'query A nope.pbx.example.com → dns #1'],
        [30.08, 'answer A nope.pbx.example.com ← dns NXDOMAIN (0)'],
      ]);
      expect(got.flatMap(summary)).to.deep.equal([
        { t: 0.04, ok: false, source: 'network', error: 'nxdomain' },
        { t: 30, ok: false, source: 'negative', error: 'nxdomain' },
        { t: 30.08, ok: false, source: 'network', error: 'nxdomain' },
      ]);
    });

    it('caches NODATA too; with a synthesized SOA for 60 s', () => {
      const w = new DnsWorld({ zone: PBX_ZONE.slice(1) });
      const got = [0, 60, 60.04].map((s) => w.resolveAt(s, 'sip1.pbx.example.com', 'SRV'));
      w.clock.run();
      expect(got.flatMap(summary).map((s) => [s.t, s.source, s.ok ? '' : s.error])).to.deep.equal([
        [0.04, 'network', 'nodata'],
        [60, 'negative', 'nodata'],
        [60.08, 'network', 'nodata'],
      ]);
    });

    it('asks once for the same question asked twice while it is on the wire', () => {
      const w = new DnsWorld();
      const a = w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      const b = w.resolveAt(0.01, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      expect(w.dnsTimeline().filter(([, d]) => d.startsWith('query'))).to.have.length(1);
      expect([...summary(a), ...summary(b)].map((s) => [s.t, s.source])).to.deep.equal([[0.04, 'network'], [0.04, 'network']]);
    });

    it('dns_cache_type 2 serves the A records of SRV targets from the additional section', () => {
      for (const [cacheType, expected] of [[2, 'cache cache A sip2.pbx.example.com (1)'], [1, 'query A sip2.pbx.example.com → dns #1']] as const) {
        const w = new DnsWorld({ resolver: { cacheType } });
        w.resolveAt(0, '_sip._udp.pbx.example.com', 'SRV');
        w.resolveAt(1, 'sip2.pbx.example.com', 'A');
        w.clock.run();
        expect(w.dnsTimeline()[2], `cacheType ${cacheType}`).to.deep.equal([1, expected]);
      }
    });

    it('per account (forAccount): one store, each account\'s dns_cache_type — 2 fills it from the additional section, 1 does not use those, 0 reads nothing', () => {
      const w = new DnsWorld({ resolver: { cacheType: 1 } });
      const [two, one, zero] = ([2, 1, 0] as const).map((cacheType) => w.resolver.forAccount({ cacheType, staticPri: 0 }));
      const at = (s: number, r: typeof one, name: string, qtype: 'A' | 'SRV'): void => void w.clock.at(sec(s), () => r.resolve(name, qtype, () => {}));
      at(0, two, '_sip._udp.pbx.example.com', 'SRV');
      at(1, two, 'sip2.pbx.example.com', 'A'); // from the additional section
      at(2, one, 'sip2.pbx.example.com', 'A'); // type 1 ignores additional data: asks
      at(3, one, 'sip2.pbx.example.com', 'A'); // now an answer in the store
      at(4, zero, 'sip2.pbx.example.com', 'A'); // type 0: asks every time
      w.clock.run();
      const seen = w.dnsTimeline().filter(([, d]) => /^(query|cache)/.test(d)).map(([t, d]) => `${t} ${d}`);
      expect(seen).to.deep.equal([
        '0 query SRV _sip._udp.pbx.example.com → dns #1',
        '1 cache cache A sip2.pbx.example.com (1)',
        '2 query A sip2.pbx.example.com → dns #1',
        '3 cache cache A sip2.pbx.example.com (1)',
        '4 query A sip2.pbx.example.com → dns #1',
      ]);
      expect([one.hasStaticEntries, w.resolver.forAccount({ cacheType: 1, staticPri: 1 }).view.staticPri]).to.deep.equal([false, 1]);
    });

    it('calls done from a clock event, never inside resolve (run-to-completion)', () => {
      const w = new DnsWorld({ resolver: { staticRecords: records([STATIC_SIP1]), staticPri: 1 } });
      const seen: string[] = [];
      w.clock.at(sec(1), () => {
        w.resolver.resolve('sip1.pbx.example.com', 'A', (r) => seen.push(`done ${r.ok && r.source} at ${w.clock.now}`));
        seen.push('resolve returned');
      });
      w.clock.run();
      expect(seen).to.deep.equal(['resolve returned', `done static at ${sec(1)}`]);
    });
  });

  describe('retransmission and server failover', () => {
    const cases: { name: string; setup: (w: DnsWorld) => void; secondary?: boolean; opts?: object; q?: string; timeline: [number, string][]; result: [number, string] }[] = [
      {
        name: 'one silent server: tries at 0 and 5 s (timeout 5 s, attempts 2), gives up at 10 s',
        setup: (w) => (w.dnsHost.mode = 'silent'),
        timeline: [[0, 'query dns #1'], [5, 'timeout dns #1'], [5, 'query dns #2'], [10, 'timeout dns #2']],
        result: [10, 'timeout'],
      },
      {
        name: 'both silent: primary, secondary, primary, secondary, every 5 s, then timeout',
        secondary: true,
        setup: (w) => ((w.dnsHost.mode = 'silent'), (w.dns2Host!.mode = 'silent')),
        timeline: [
          [0, 'query dns #1'], [5, 'timeout dns #1'], [5, 'query dns2 #2'], [10, 'timeout dns2 #2'],
          [10, 'query dns #3'], [15, 'timeout dns #3'], [15, 'query dns2 #4'], [20, 'timeout dns2 #4'],
        ],
        result: [20, 'timeout'],
      },
      {
        name: 'primary silent: the secondary answers after the first timeout',
        secondary: true,
        setup: (w) => (w.dnsHost.mode = 'silent'),
        timeline: [[0, 'query dns #1'], [5, 'timeout dns #1'], [5, 'query dns2 #2'], [5.04, 'answer dns2']],
        result: [5.04, 'network'],
      },
      {
        name: 'primary port closed: ICMP at 40 ms moves to the secondary at once',
        secondary: true,
        setup: (w) => (w.dnsHost.mode = 'unreachable'),
        timeline: [[0, 'query dns #1'], [0.04, 'query dns2 #2'], [0.08, 'answer dns2']],
        result: [0.08, 'network'],
      },
      {
        name: "glibc back-off, one server, attempts 3: waits 5, 10, 20 s",
        opts: { backoff: 'glibc', attempts: 3 },
        setup: (w) => (w.dnsHost.mode = 'silent'),
        timeline: [[0, 'query dns #1'], [5, 'timeout dns #1'], [5, 'query dns #2'], [15, 'timeout dns #2'], [15, 'query dns #3'], [35, 'timeout dns #3']],
        result: [35, 'timeout'],
      },
      {
        name: 'answers later than the timeout are ignored (3 s links: each answer lands 1 s late)',
        setup: (w) => w.network.links.update('phone', 'dns', { delay: sec(3) }),
        timeline: [[0, 'query dns #1'], [5, 'timeout dns #1'], [5, 'query dns #2'], [10, 'timeout dns #2']],
        result: [10, 'timeout'],
      },
      {
        name: 'primaryThenSecondary (AMB-20 ★), both silent: the primary twice, then the secondary twice, every 5 s',
        secondary: true,
        opts: { serverOrder: 'primaryThenSecondary' },
        setup: (w) => ((w.dnsHost.mode = 'silent'), (w.dns2Host!.mode = 'silent')),
        timeline: [
          [0, 'query dns #1'], [5, 'timeout dns #1'], [5, 'query dns #2'], [10, 'timeout dns #2'],
          [10, 'query dns2 #3'], [15, 'timeout dns2 #3'], [15, 'query dns2 #4'], [20, 'timeout dns2 #4'],
        ],
        result: [20, 'timeout'],
      },
      {
        name: 'primaryThenSecondary, primary silent: the secondary is asked only after both tries of the primary (10 s)',
        secondary: true,
        opts: { serverOrder: 'primaryThenSecondary' },
        setup: (w) => (w.dnsHost.mode = 'silent'),
        timeline: [[0, 'query dns #1'], [5, 'timeout dns #1'], [5, 'query dns #2'], [10, 'timeout dns #2'], [10, 'query dns2 #3'], [10.04, 'answer dns2']],
        result: [10.04, 'network'],
      },
      {
        name: 'primaryThenSecondary, primary port closed: ICMP at 40 ms moves to the secondary at once',
        secondary: true,
        opts: { serverOrder: 'primaryThenSecondary' },
        setup: (w) => (w.dnsHost.mode = 'unreachable'),
        timeline: [[0, 'query dns #1'], [0.04, 'query dns2 #2'], [0.08, 'answer dns2']],
        result: [0.08, 'network'],
      },
      {
        name: 'primaryThenSecondary, one server answering SERVFAIL: its tries as under rounds',
        opts: { serverOrder: 'primaryThenSecondary' },
        setup: () => {},
        q: 'loop.pbx.example.com',
        timeline: [[0, 'query dns #1'], [0.04, 'answer dns'], [0.04, 'query dns #2'], [0.08, 'answer dns']],
        result: [0.08, 'servfail'],
      },
      {
        name: 'primaryThenSecondary, both answering SERVFAIL: the primary once, the secondary twice',
        secondary: true,
        opts: { serverOrder: 'primaryThenSecondary' },
        setup: () => {},
        q: 'loop.pbx.example.com',
        timeline: [[0, 'query dns #1'], [0.04, 'answer dns'], [0.04, 'query dns2 #2'], [0.08, 'answer dns2'], [0.08, 'query dns2 #3'], [0.12, 'answer dns2']],
        result: [0.12, 'servfail'],
      },
      {
        name: 'SERVFAIL (a CNAME loop) moves on at once; every server failing ⇒ servfail',
        setup: () => {},
        q: 'loop.pbx.example.com',
        timeline: [[0, 'query dns #1'], [0.04, 'answer dns'], [0.04, 'query dns #2'], [0.08, 'answer dns']],
        result: [0.08, 'servfail'],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const zone = [...PBX_ZONE, 'loop.pbx.example.com. 300 IN CNAME loop.pbx.example.com.'];
        const w = new DnsWorld({ secondary: c.secondary, resolver: { ...c.opts }, zone });
        c.setup(w);
        const got = w.resolveAt(0, c.q ?? 'sip1.pbx.example.com', 'A');
        w.clock.run();
        expect(w.dnsTimeline().map(([t, d]) => [t, brief(d)])).to.deep.equal(c.timeline);
        expect(summary(got).map((s) => [s.t, s.ok ? s.source : s.error])).to.deep.equal([c.result]);
      });
    }

    it('late answers do reach the phone (at 6 s and 11 s) and are dropped', () => {
      const w = new DnsWorld();
      w.network.links.update('phone', 'dns', { delay: sec(3) });
      w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      const delivered = w.trace.records.filter((e) => e.kind === 'net.deliver' && e.to === 'phone').map((e) => e.t / 1e6);
      expect(delivered).to.deep.equal([6, 11]);
      expect(w.dnsTimeline().filter(([, d]) => d.startsWith('answer'))).to.deep.equal([]);
    });

    it('each try carries a fresh id from the per-resolver counter', () => {
      const w = new DnsWorld();
      w.dnsHost.mode = 'silent';
      w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      w.resolveAt(0, 'sip2.pbx.example.com', 'A');
      w.clock.run();
      const ids = w.trace.records
        .filter((e): e is NetSend => e.kind === 'net.send' && e.from === 'phone')
        .map((e) => [e.t / 1e6, dnsPacket.decode(Buffer.from(e.bytes)).id]);
      expect(ids).to.deep.equal([[0, 1], [0, 2], [5, 3], [5, 4]]);
    });

    it('an ICMP error from the primary moves every question on the wire to it to the secondary at once, and a question asked twice is answered twice', () => {
      const w = new DnsWorld({ secondary: true, resolver: { serverOrder: 'primaryThenSecondary' } });
      w.dnsHost.mode = 'unreachable';
      const sip1 = w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      const sip2 = w.resolveAt(0, 'sip2.pbx.example.com', 'A');
      const again = w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      expect(w.dnsTimeline().map(([t, d]) => [t, d.split(' ').slice(0, 3).concat(d.split(' ').slice(-2)).join(' ')])).to.deep.equal([
        [0, 'query A sip1.pbx.example.com dns #1'],
        [0, 'query A sip2.pbx.example.com dns #1'],
        [0.04, 'query A sip1.pbx.example.com dns2 #2'],
        [0.04, 'query A sip2.pbx.example.com dns2 #2'],
        [0.08, 'answer A sip1.pbx.example.com NOERROR (1)'],
        [0.08, 'answer A sip2.pbx.example.com NOERROR (1)'],
      ]);
      expect([...summary(sip1), ...summary(again), ...summary(sip2)].map((s) => [s.t, s.ok && s.records])).to.deep.equal([
        [0.08, [SIP1_A]], [0.08, [SIP1_A]], [0.08, ['sip2.pbx.example.com. 60 IN A 10.0.0.2']],
      ]);
    });

    it('ignores answers from a host it did not ask, with an unknown id, or to another question', () => {
      const w = new DnsWorld();
      const spoof = w.network.addHost('spoof', '10.0.0.66');
      const forge = (id: number, name: string): Buffer =>
        dnsPacket.encode({ type: 'response', id, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 9, data: '10.6.6.6' }] });
      const to = { ip: PHONE_IP, port: 53053 };
      w.clock.at(ms(1), () => {
        w.network.sendUdp(spoof, 53, to, forge(1, 'sip1.pbx.example.com'), 'forged', true);
        w.network.sendUdp(w.dnsHost, 53, to, forge(999, 'sip1.pbx.example.com'), 'forged', true);
        w.network.sendUdp(w.dnsHost, 53, to, forge(1, 'sip2.pbx.example.com'), 'forged', true);
      });
      const got = w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      expect(summary(got)).to.deep.equal([{ t: 0.04, ok: true, source: 'network', records: [SIP1_A], expiresAt: 300.04 }]);
      expect(w.dnsTimeline()).to.have.length(2);
    });
  });

  describe('static cache (R8)', () => {
    const staticRecords = records([STATIC_SIP1, 'only.static.example.com. 600 IN A 10.0.0.77']);
    const cases: { name: string; opts?: object; silent?: boolean; q: string; at: number; result: [number, string, string]; queries: number }[] = [
      { name: 'a live answer wins over the static entry', q: 'sip1.pbx.example.com', at: 0, result: [0.04, 'network', '10.0.0.1'], queries: 1 },
      { name: 'DNS silent: the static entry after the live query times out', silent: true, q: 'sip1.pbx.example.com', at: 0, result: [10, 'static', '10.0.0.99'], queries: 2 },
      { name: 'NXDOMAIN: the static entry stands in', q: 'only.static.example.com', at: 0, result: [0.04, 'static', '10.0.0.77'], queries: 1 },
      { name: 'static TTL counts from first use (AMB-17): first needed at 605 s, the entry is fresh', silent: true, q: 'sip1.pbx.example.com', at: 595, result: [605, 'static', '10.0.0.99'], queries: 2 },
      { name: 'static_cache_pri 1: the static entry at once, no query', opts: { staticPri: 1 }, q: 'sip1.pbx.example.com', at: 0, result: [0, 'static', '10.0.0.99'], queries: 0 },
      { name: 'static_cache_pri 1, first used at 600 s: the static entry, no query', opts: { staticPri: 1 }, q: 'sip1.pbx.example.com', at: 600, result: [600, 'static', '10.0.0.99'], queries: 0 },
      { name: 'no DNS server: only static entries', opts: { servers: [] }, q: 'sip1.pbx.example.com', at: 0, result: [0, 'static', '10.0.0.99'], queries: 0 },
      { name: 'no DNS server and no static entry: nxdomain', opts: { servers: [] }, q: 'sip2.pbx.example.com', at: 0, result: [0, 'nxdomain', ''], queries: 0 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const w = new DnsWorld({ resolver: { staticRecords, ...c.opts } });
        if (c.silent) w.dnsHost.mode = 'silent';
        const got = w.resolveAt(c.at, c.q, 'A');
        w.clock.run();
        const r = got.map(({ t, r }) => [t / 1e6, r.ok ? r.source : r.error, r.ok ? r.records.map((x) => (x.type === 'A' ? x.address : '')).join() : '']);
        expect(r).to.deep.equal([c.result]);
        expect(w.dnsTimeline().filter(([, d]) => d.startsWith('query')), 'queries sent').to.have.length(c.queries);
      });
    }

    it('static TTL runs from the first use: used at 100 s, at 699 s still static, at 700 s the live answer (static_cache_pri 1)', () => {
      const w = new DnsWorld({ resolver: { staticRecords, staticPri: 1 } });
      const first = w.resolveAt(100, 'sip1.pbx.example.com', 'A');
      const before = w.resolveAt(699, 'sip1.pbx.example.com', 'A');
      const after = w.resolveAt(700, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      expect([...summary(first), ...summary(before), ...summary(after)].map((x) => [x.t, x.source])).to.deep.equal([[100, 'static'], [699, 'static'], [700.04, 'network']]);
    });

    for (const [clock, expected] of [
      ['atFirstUse', [[100, 'static'], [650, 'static'], [700.04, 'network']]],
      ['atBoot', [[100, 'static'], [600.04, 'network'], [700, 'cache']]], // the live answer at 600 s is cached
      ['perLookup', [[100, 'static'], [650, 'static'], [700, 'static']]],
    ] as const) {
      it(`staticCacheTtlClock ${clock} (AMB-17): booted at 0, first used at 100 s, TTL 600 s — looked up at 100, 650/600, 700 s`, () => {
        const w = new DnsWorld({ resolver: { staticRecords, staticPri: 1, staticTtlClock: clock } });
        w.resolver.statics.boot(0);
        const at = clock === 'atBoot' ? [100, 600, 700] : [100, 650, 700];
        const got = at.map((t) => w.resolveAt(t, 'sip1.pbx.example.com', 'A'));
        w.clock.run();
        expect(got.flatMap((g) => summary(g)).map((x) => [x.t, x.source])).to.deep.equal(expected);
      });
    }

    it('a negative-cache hit also falls back to the static entry', () => {
      const w = new DnsWorld({ resolver: { staticRecords } });
      w.resolveAt(0, 'only.static.example.com', 'A');
      const got = w.resolveAt(1, 'only.static.example.com', 'A');
      w.clock.run();
      expect(w.dnsTimeline().filter(([t]) => t === 1)).to.deep.equal([
        [1, 'cache negative A only.static.example.com (0)'],
        [1, 'cache static A only.static.example.com (1)'],
      ]);
      expect(summary(got).map((x) => [x.t, x.source])).to.deep.equal([[1, 'static']]);
    });

    it('the trace marks a static answer as a dns.cache hit with source static', () => {
      const w = new DnsWorld({ resolver: { staticRecords, staticPri: 1 } });
      w.resolveAt(0, 'sip1.pbx.example.com', 'A');
      w.clock.run();
      expect(w.trace.records.filter((e) => e.kind.startsWith('dns.'))).to.deep.equal([
        { t: 0, kind: 'dns.cache', host: 'phone', name: 'sip1.pbx.example.com', qtype: 'A', source: 'static', records: [STATIC_SIP1] },
      ]);
    });
  });
});

/** "query A sip1.pbx.example.com → dns #1" → "query dns #1"; answers keep only the server. */
function brief(d: string): string {
  const parts = d.split(' ');
  if (parts[0] === 'query') return `query ${parts[4]} ${parts[5]}`;
  if (parts[0] === 'timeout') return `timeout ${parts[3]} ${parts[4]}`;
  if (parts[0] === 'answer') return `answer ${parts[4]}`;
  return d;
}
