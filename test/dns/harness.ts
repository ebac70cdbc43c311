/**
 * A small DNS world: 'phone' (10.0.0.10) runs the StubResolver under test; 'dns' (10.0.0.53)
 * and, when asked, 'dns2' (10.0.0.54) run DnsServers over one zone; 20 ms links by default.
 * Helpers turn the DNS trace into (t, what) tuples for whole-slice timeline assertions.
 */
import { Clock, Micros } from '../../sim/core/clock.js';
import { RandomStreams } from '../../sim/core/random.js';
import { ms, sec } from '../../sim/core/time.js';
import { Trace, TraceEvent } from '../../sim/core/trace.js';
import type { Host } from '../../sim/net/host.js';
import { LinkTable } from '../../sim/net/link-table.js';
import { Network } from '../../sim/net/network.js';
import { DnsServer } from '../../sim/dns/dns-server.js';
import type { DnsRecord } from '../../sim/dns/records.js';
import { ResolveQtype, ResolveResult, StubResolver, StubResolverOptions } from '../../sim/dns/stub-resolver.js';
import { parseZoneLine } from '../../sim/dns/zone-file.js';
import { Zone } from '../../sim/dns/zone.js';

export const PHONE_IP = '10.0.0.10';
export const DNS_IP = '10.0.0.53';
export const DNS2_IP = '10.0.0.54';

/** The example zone of DESIGN.md plus a NAPTR set, an alias and an SOA with a 30 s negative TTL. */
export const PBX_ZONE = [
  'example.com. 3600 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 30',
  'pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp.pbx.example.com.',
  'pbx.example.com. 300 IN NAPTR 20 50 "s" "SIP+D2U" "" _sip._udp.pbx.example.com.',
  '_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.',
  '_sip._udp.pbx.example.com. 300 IN SRV 20 50 5060 sip2.pbx.example.com.',
  '_sip._tcp.pbx.example.com. 120 IN SRV 10 50 5070 sip2.pbx.example.com.',
  'sip1.pbx.example.com. 300 IN A 10.0.0.1',
  'sip2.pbx.example.com. 60 IN A 10.0.0.2',
  'alias.pbx.example.com. 300 IN CNAME sip1.pbx.example.com.',
];

export function records(lines: string[]): DnsRecord[] {
  return lines.map((text, i) => parseZoneLine(text, { file: 'test.yaml', line: i + 1, key: `dns.records[${i}]` }));
}

export function zoneOf(lines: string[]): Zone {
  return new Zone(records(lines));
}

export interface WorldOptions {
  zone?: string[];
  /** Also start a second DNS server 'dns2' on 10.0.0.54 with the same zone. */
  secondary?: boolean;
  delay?: Micros;
  resolver?: Partial<StubResolverOptions>;
  seed?: number;
}

export class DnsWorld {
  readonly clock = new Clock({ maxEvents: 1_000_000 });
  readonly trace = new Trace(() => this.clock.now, { keep: true });
  readonly random: RandomStreams;
  readonly network: Network;
  readonly phone: Host;
  readonly dnsHost: Host;
  readonly dns2Host: Host | undefined;
  readonly server: DnsServer;
  readonly resolver: StubResolver;

  constructor(opts: WorldOptions = {}) {
    this.random = new RandomStreams(opts.seed ?? 1);
    this.network = new Network(this.clock, this.trace, this.random, new LinkTable({ delay: opts.delay ?? ms(20), jitter: 0, loss: 0 }));
    this.phone = this.network.addHost('phone', PHONE_IP);
    this.dnsHost = this.network.addHost('dns', DNS_IP);
    const zone = zoneOf(opts.zone ?? PBX_ZONE);
    this.server = new DnsServer(this.network, this.dnsHost, zone);
    if (opts.secondary) {
      this.dns2Host = this.network.addHost('dns2', DNS2_IP);
      new DnsServer(this.network, this.dns2Host, zone);
    }
    const servers = opts.secondary ? [DNS_IP, DNS2_IP] : [DNS_IP];
    this.resolver = new StubResolver(this.clock, this.trace, this.network, this.phone, { servers, ...opts.resolver });
  }

  /** Resolves at `atS` seconds; the returned list fills with (time, result) as answers arrive. */
  resolveAt(atS: number, name: string, qtype: ResolveQtype): { t: Micros; r: ResolveResult }[] {
    const got: { t: Micros; r: ResolveResult }[] = [];
    this.clock.at(sec(atS), () => this.resolver.resolve(name, qtype, (r) => got.push({ t: this.clock.now, r })));
    return got;
  }

  /** DNS trace records as [seconds, "kind detail"], for whole-timeline assertions. */
  dnsTimeline(): [number, string][] {
    return this.trace.records.filter((e) => e.kind.startsWith('dns.')).map((e) => [e.t / 1e6, describeDns(e)]);
  }
}

export function describeDns(e: TraceEvent): string {
  switch (e.kind) {
    case 'dns.query':
      return `query ${e.qtype} ${e.name} → ${e.server} #${e.attempt}`;
    case 'dns.answer':
      return `answer ${e.qtype} ${e.name} ← ${e.server} ${e.rcode} (${e.records.length})`;
    case 'dns.timeout':
      return `timeout ${e.qtype} ${e.name} ${e.server} #${e.attempt}`;
    case 'dns.cache':
      return `cache ${e.source} ${e.qtype} ${e.name} (${e.records.length})`;
    case 'dns.resolved':
      return `resolved ${e.target} → ${e.servers.map((s) => `${s.ip}:${s.port}/${s.transport}`).join(',')}${e.error ? ` error` : ''}`;
    default:
      return e.kind;
  }
}
