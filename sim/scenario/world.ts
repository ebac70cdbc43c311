import { Clock } from '../core/clock.js';
import { RandomStreams } from '../core/random.js';
import { Trace } from '../core/trace.js';
import { DnsServer } from '../dns/dns-server.js';
import { Zone } from '../dns/zone.js';
import { LinkTable } from '../net/link-table.js';
import { Network } from '../net/network.js';
import { TcpNetwork } from '../net/tcp-network.js';
import { DEFAULT_MODEL_OPTIONS, ModelOptions } from '../phone/model-options.js';
import { Phone } from '../phone/phone.js';
import { DEFAULT_SERVER_PROFILE } from '../server/server-behaviour.js';
import { SipServer } from '../server/sip-server.js';
import { formatDuration } from '../core/time.js';
import { startCallArrivals } from './call-arrivals.js';
import type { Scenario, ScenarioAction } from './scenario.js';

export interface HostInfo {
  name: string;
  ip: string;
  role: 'phone' | 'server' | 'dns';
}

const DEFAULT_CALL_DURATION = 30_000_000;
const DEFAULT_SLOW_DELAY = 5_000_000;

/** Everything a run needs, wired from a scenario: clock, trace, random streams, hosts and models. */
export class World {
  readonly clock: Clock;
  readonly trace: Trace;
  readonly random: RandomStreams;
  readonly network: Network;
  readonly tcp: TcpNetwork;
  readonly phones = new Map<string, Phone>();
  readonly servers = new Map<string, SipServer>();
  readonly hosts: HostInfo[];
  /** Each fleet's phones, [0] = office[1]: what a boot, calls or link naming the fleet acts on. */
  readonly fleets = new Map<string, Phone[]>();
  private readonly dnsServers: DnsServer[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    readonly model: ModelOptions,
  ) {
    this.clock = new Clock({ maxEvents: scenario.maxEvents });
    this.trace = new Trace(() => this.clock.now);
    this.random = new RandomStreams(seed);
    const links = new LinkTable(scenario.network.default);
    this.network = new Network(this.clock, this.trace, this.random, links);
    this.tcp = new TcpNetwork(this.network, this.clock, this.trace, this.random, { synRetries: model.tcpSynRetries, synLinearTimeouts: model.tcpSynLinearTimeouts });
    const dnsServers = scenario.dns?.servers ?? [];
    for (const d of dnsServers) {
      this.dnsServers.push(new DnsServer(this.network, this.network.addHost(d.name, d.address), new Zone(scenario.dns!.records)));
    }
    for (const p of scenario.phones) {
      const host = this.network.addHost(p.name, p.address);
      this.phones.set(p.name, new Phone(this.clock, this.trace, this.network, host, p.config, model, this.random, dnsServers.map((d) => d.address), this.tcp));
    }
    for (const s of scenario.servers) {
      const host = this.network.addHost(s.name, s.address);
      const profile = {
        ...DEFAULT_SERVER_PROFILE,
        ...(s.ringTime !== undefined ? { ringTime: s.ringTime } : {}),
        ...(s.ringDelay !== undefined ? { ringDelay: s.ringDelay } : {}),
        ...(s.answer !== undefined ? { answer: s.answer } : {}),
        // The profile counts whole seconds (the Expires header's unit).
        ...(s.maxExpires !== undefined ? { maxExpires: Math.floor(s.maxExpires / 1e6) } : {}),
        ...(s.features !== undefined ? { features: s.features } : {}),
        ...(s.capacity !== undefined ? { capacity: s.capacity } : {}),
      };
      this.servers.set(s.name, new SipServer(this.clock, this.trace, this.network, host, profile, this.tcp));
    }
    for (const f of scenario.fleets) {
      const members: Phone[] = new Array(f.count);
      for (let i = 0; i < f.count; i++) members[i] = this.phones.get(scenario.phones[f.offset + i]!.name)!;
      this.fleets.set(f.name, members);
    }
    for (const l of scenario.network.links) this.eachPair(l.between, (a, b) => links.update(a, b, l.change));
    // No link event in the run: links stay as set, so ideal links skip their draws (Network.packetDelay).
    if (!scenario.events.some((e) => e.action.type === 'link')) links.freeze();
    this.hosts = scenarioHosts(scenario);
    for (const e of scenario.events) this.clock.at(e.at, this.perform, e.action, 'scenario');
  }

  /** The pair's host names, a fleet side expanded to each of its phones (one side at most: load-scenario checks). */
  private eachPair(between: [string, string], fn: (a: string, b: string) => void): void {
    const [a, b] = between;
    const fa = this.fleets.get(a);
    const fb = this.fleets.get(b);
    if (fa) for (const p of fa) fn(p.name, b);
    else if (fb) for (const p of fb) fn(a, p.name);
    else fn(a, b);
  }

  // One scenario.action record per event, a fleet's boot of 20,000 phones included.
  private readonly perform = (a: ScenarioAction): void => {
    this.trace.emit({ kind: 'scenario.action', action: a.type, detail: describeAction(a) });
    switch (a.type) {
      case 'boot': {
        const fleet = this.fleets.get(a.host);
        if (fleet) for (const p of fleet) p.boot();
        else this.phones.get(a.host)!.boot();
        return;
      }
      case 'calls':
        return startCallArrivals(this.clock, this.random, a, this.fleets.get(a.from) ?? [this.phones.get(a.from)!], DEFAULT_CALL_DURATION);
      case 'fail': {
        const server = this.servers.get(a.host);
        this.network.host(a.host)!.mode = a.mode === 'silent' || a.mode === 'unreachable' || a.mode === 'host-unreachable' ? a.mode : 'up';
        if (a.mode === '503') server!.setBehaviour({ mode: '503', ...(a.retryAfter !== undefined ? { retryAfter: a.retryAfter } : {}) });
        else if (a.mode === 'slow') server!.setBehaviour({ mode: 'slow', delay: a.delay ?? DEFAULT_SLOW_DELAY });
        else server?.setBehaviour({ mode: 'normal' });
        this.trace.emit({ kind: 'host.state', host: a.host, mode: a.mode, reason: 'scenario fail' });
        return;
      }
      case 'recover':
        this.network.host(a.host)!.mode = 'up';
        this.servers.get(a.host)?.setBehaviour({ mode: 'normal' });
        this.trace.emit({ kind: 'host.state', host: a.host, mode: 'up', reason: 'scenario recover' });
        return;
      case 'call':
        return this.phones.get(a.from)!.call(a.to, a.duration ?? DEFAULT_CALL_DURATION, a.account ?? 1);
      case 'incoming': {
        const user = this.phones.get(a.to)!.userOf(a.account ?? 1) ?? '';
        return this.servers.get(a.via)!.callUser(a.to, user, a.from, a.duration ?? DEFAULT_CALL_DURATION);
      }
      case 'link':
        return this.eachPair(a.between, (x, y) => this.network.links.update(x, y, a.change));
      case 'partition':
        return this.eachPair(a.between, (x, y) => this.network.links.partition(x, y));
      case 'heal':
        return this.eachPair(a.between, (x, y) => this.network.links.heal(x, y));
      case 'dns':
        for (const d of this.dnsServers) d.zone = new Zone(a.records);
        return;
    }
  };
}

/** The scenario's hosts in ladder-column order: phones, then DNS servers, then SIP servers. */
export function scenarioHosts(scenario: Scenario): HostInfo[] {
  // Pushed one by one: spreading 150,000 hosts into one call's arguments overflows the stack.
  const hosts: HostInfo[] = [];
  for (const p of scenario.phones) hosts.push({ name: p.name, ip: p.address, role: 'phone' });
  for (const d of scenario.dns?.servers ?? []) hosts.push({ name: d.name, ip: d.address, role: 'dns' });
  for (const s of scenario.servers) hosts.push({ name: s.name, ip: s.address, role: 'server' });
  return hosts;
}

export function defaultModel(scenario: Scenario, overrides: Partial<ModelOptions> = {}): ModelOptions {
  return { ...DEFAULT_MODEL_OPTIONS, ...scenario.model, ...overrides };
}

/** One line for the trace and the ladder: "fail sip1 (silent)". */
export function describeAction(a: ScenarioAction): string {
  switch (a.type) {
    case 'boot':
      return `boot ${a.host}`;
    case 'fail':
      return `fail ${a.host} (${a.mode}${a.retryAfter !== undefined ? `, Retry-After ${a.retryAfter / 1e6}s` : ''}${a.mode === 'slow' ? `, +${(a.delay ?? DEFAULT_SLOW_DELAY) / 1e6}s` : ''})`;
    case 'recover':
      return `recover ${a.host}`;
    case 'call':
      return `call ${a.from} → ${a.to}`;
    case 'incoming':
      return `incoming call ${a.from} → ${a.to} via ${a.via}`;
    case 'link': {
      const parts = Object.entries(a.change).map(([k, v]) => (k === 'loss' ? `loss ${Math.round((v as number) * 1000) / 10}%` : `${k} ${(v as number) / 1000}ms`));
      return `link ${a.between.join('–')}: ${parts.join(', ')}`;
    }
    case 'partition':
      return `partition ${a.between.join(' | ')}`;
    case 'heal':
      return `heal ${a.between.join('–')}`;
    case 'dns':
      return `DNS records replaced (${a.records.length})`;
    case 'calls': {
      const perSecond = Number(a.rate.toPrecision(6));
      return `calls ${a.from} → ${a.to}: ${perSecond}/s for ${formatDuration(a.for)} (Poisson arrivals), ${formatDuration(a.duration ?? DEFAULT_CALL_DURATION)} each`;
    }
  }
}
