import type { Clock, Micros } from '../core/clock.js';
import type { RandomStreams } from '../core/random.js';
import type { Endpoint, Trace } from '../core/trace.js';
import { StubResolver } from '../dns/stub-resolver.js';
import type { Host } from '../net/host.js';
import type { Network } from '../net/network.js';
import type { TcpNetwork } from '../net/tcp-network.js';
import { SipRequest, responseTo } from '../sip/message.js';
import { ServerTransaction, SipCore, SipEndpoint } from '../sip/sip-endpoint.js';
import type { InviteServerTransaction } from '../sip/invite-server-transaction.js';
import { UasDialogs } from '../sip/uas-dialogs.js';
import type { RetransmitLimit } from '../sip/transaction-user.js';
import type { ModelOptions } from './model-options.js';
import { OutgoingCall } from './outgoing-call.js';
import type { AccountSettings, PhoneConfig, ServerSettings } from './phone-config.js';
import { FeatureSubscriptions } from './feature-subscriptions.js';
import { RegistrationAgent } from './registration-agent.js';
import { ServerDirectory, ServerList } from './server-directory.js';
import { FailureMemory } from './failure-memory.js';

/** An incoming call rings this long before the phone answers it (the user picks up). */
const ANSWER_AFTER = 1_000_000;

/**
 * A desk phone: its SIP stack and stub resolver, the registration agents of account 1 (one per
 * configured server: concurrent registration, the vendor default — R5, R9) and its outgoing
 * calls, which walk server 1's addresses then server 2's as rule R1 says. It reports which
 * server is the working one: the first in the list it is registered with.
 */
export class Phone implements SipCore {
  readonly sip: SipEndpoint;
  readonly resolver: StubResolver;
  private readonly directory: ServerDirectory;
  private readonly agents: RegistrationAgent[] = [];
  private booted = false;
  private calls = 0;
  private working: string | null = null;
  private features: FeatureSubscriptions | undefined;
  private readonly memory: FailureMemory;
  private readonly dialogs: UasDialogs;
  private readonly tag: string;
  private readonly account: AccountSettings | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    network: Network,
    readonly host: Host,
    readonly config: PhoneConfig,
    private readonly options: ModelOptions,
    private readonly random: RandomStreams,
    /** DNS servers the phone was given (DHCP-style), primary first. */
    dnsServers: string[],
    tcp?: TcpNetwork,
  ) {
    this.sip = new SipEndpoint(clock, trace, network, host, config.timers, this, tcp, options.tlsVersion === '1.3' ? 1 : 2);
    this.account = config.accounts[0];
    this.tag = this.sip.ids.tag();
    this.dialogs = new UasDialogs(clock, trace, this.sip, config.timers, this.tag);
    this.resolver = new StubResolver(clock, trace, network, host, {
      servers: dnsServers,
      timeout: Math.round(options.dnsTimeout * 1_000_000),
      attempts: options.dnsAttempts,
      cacheType: this.account?.dnsCacheType ?? 1,
      staticPri: this.account?.staticCachePri ?? 0,
      staticRecords: config.staticDns,
    });
    this.memory = new FailureMemory(clock, Math.round(options.failedServerMemory * 1_000_000));
    this.directory = new ServerDirectory(clock, this.resolver, random.stream(`phone:${host.name}:srv-weight`));
    host.mode = 'silent'; // powered off until the scenario boots it
  }

  get name(): string {
    return this.host.name;
  }

  boot(): void {
    if (this.booted) return;
    this.booted = true;
    this.host.mode = 'up';
    const account = this.account;
    if (!account) return;
    // sip.reg_surge_prevention: wait a random 0..N s so a fleet does not register at once.
    const surge = this.config.surgePrevention;
    const wait = surge > 0 ? Math.floor(this.random.stream(`phone:${this.name}:boot-delay`)() * (surge + 1)) : 0;
    if (account.features.length > 0) {
      this.features = new FeatureSubscriptions(this.trace, this.sip, {
        phone: this.name, account: account.index, user: account.userName, domain: account.servers[0]?.address ?? this.host.ip,
      }, account.features);
    }
    // R6 successive registration: one server at a time — server 2 only while server 1 fails, and
    // server 1 probed every fallback.timeout meanwhile. R5 concurrent (default): both at once.
    const successive = account.fallback.type === 1 && account.servers.length === 2;
    for (const server of account.servers) {
      const retryInterval = successive && server.index === 1 ? account.fallback.timeout : account.regFailRetryInterval;
      const agent = new RegistrationAgent(
        this.clock, this.trace, this.sip, this.directory,
        {
          phone: this.name, account: account.index, user: account.userName, displayName: account.displayName, server,
          limit: this.retryLimit(server.retryCounts),
          memory: this.memory,
        },
        { retryInterval, refreshAfter: (granted) => this.refreshAfter(account, granted) },
        (changed, reason) => {
          if (successive) this.successiveFallback(changed, reason);
          this.updateWorkingServer(reason);
        },
      );
      this.agents.push(agent);
    }
    const atBoot = successive ? this.agents.slice(0, 1) : this.agents;
    this.clock.schedule(wait, () => atBoot.forEach((a) => a.start('boot')), undefined, this.name);
  }

  /** Places a call: locates the servers (DNS when their lists expired), then walks the list. */
  call(to: string, duration: Micros): void {
    const account = this.account;
    const number = ++this.calls;
    const placedAt = this.clock.now;
    const settings = this.booted && account ? account.servers : [];
    this.directory.lists(settings, (found) => {
      const lists = this.callLists(found);
      // R4: each configured server's addresses in its failback order (the last registered first, while preferred).
      const ordered = lists.map((l) => this.memory.order(this.agentFor(l.settings)?.failback.order(l.servers, 'invite', this.clock.now) ?? l.servers));
      const servers = ordered.flat();
      const limits = lists.flatMap((l, i) => ordered[i]!.map(() => this.inviteLimit(l.settings)));
      if (limits.length > 0) limits[limits.length - 1] = undefined; // R2: the last server gets the full timeout
      const lastOfServer1 = lists[0]?.settings.index === 1 ? ordered[0]!.length - 1 : -1;
      const call = new OutgoingCall(this.clock, this.trace, this.sip, {
        phone: this.name, call: number, user: account?.userName ?? 'user', displayName: account?.displayName ?? '',
        to, servers, limits, duration,
        onServerFailed: (server, index) => {
          this.memory.failed(server);
          if (index === lastOfServer1) this.callLeftServer1();
        },
      }, placedAt);
      call.start();
    });
  }

  /** The phone as callee: rings, auto-answers after `ANSWER_AFTER`, holds the dialog until BYE. */
  onRequest(req: SipRequest, _source: Endpoint, txn: ServerTransaction | undefined): void {
    if (!txn) return this.dialogs.ack(req); // the ACK of our 2xx
    switch (req.method) {
      case 'INVITE':
        txn.respond(responseTo(req, 180, [], this.tag));
        this.clock.schedule(ANSWER_AFTER, () => this.dialogs.answer(req, txn as InviteServerTransaction, 200), undefined, this.name);
        return;
      case 'BYE':
        return txn.respond(this.dialogs.bye(req));
      case 'OPTIONS':
      case 'NOTIFY':
        return txn.respond(responseTo(req, 200, [], this.tag));
      default:
        return txn.respond(responseTo(req, 501, [], this.tag));
    }
  }

  /**
   * Which configured servers a call walks, in which order (model options A3 and A5). The default
   * is every configured server in order: server 1's addresses, then server 2.
   */
  private callLists(lists: ServerList[]): ServerList[] {
    const [s1, s2] = [lists.find((l) => l.settings.index === 1), lists.find((l) => l.settings.index === 2)];
    if (!s1 || !s2) return lists;
    const server1Down = this.agentFor(s1.settings)?.registeredServer === undefined;
    const server2Up = this.agentFor(s2.settings)?.registeredServer !== undefined;
    if (this.options.fallbackInCallList === 'registration-only') return server1Down && server2Up ? [s2] : [s1];
    if (this.options.concurrentCallRouting === 'working-first' && server1Down && server2Up) return [s2, s1];
    return lists;
  }

  /** Model option A6: in successive mode a call that had to leave server 1 can also start the fallback registration. */
  private callLeftServer1(): void {
    const [working, fallback] = this.agents;
    if (this.account?.fallback.type !== 1 || this.options.successiveTrigger !== 'registration-or-call' || !fallback) return;
    if (fallback.phase === 'unregistered') fallback.start(`successive fallback: a call could not reach ${working?.serverName ?? 'server 1'}`);
  }

  /** R6: start the fallback registration when server 1 fails, stop it when server 1 is back. */
  private successiveFallback(changed: RegistrationAgent, reason: string): void {
    const [working, fallback] = this.agents;
    if (changed !== working || !fallback) return;
    if (working.phase === 'failed' && fallback.phase === 'unregistered') fallback.start(`successive fallback: ${working.serverName} failed (${reason})`);
    if (working.phase === 'registered' && fallback.phase !== 'unregistered') fallback.stop(`successive fallback: ${working.serverName} is back`);
  }

  private agentFor(server: ServerSettings): RegistrationAgent | undefined {
    return this.agents[this.account?.servers.indexOf(server) ?? -1];
  }

  /** Model option A2: what bounds an INVITE to an address that is not the last of the list. */
  private inviteLimit(server: ServerSettings): RetransmitLimit | undefined {
    switch (this.options.inviteFailover) {
      case 'timer-b':
        return undefined;
      case 'retry-counts':
        return this.retryLimit(server.retryCounts);
      case 'invite-retry-counts':
        return this.retryLimit(server.inviteRetryCounts);
    }
  }

  /** Model option A1: how "retry N times" reads. */
  private retryLimit(n: number): RetransmitLimit {
    switch (this.options.retryCounts) {
      case 'retransmissions-then-wait':
        return { count: n, giveUp: 'next-interval' };
      case 'retransmissions-then-move':
        return { count: n, giveUp: 'at-once' };
      case 'sends-in-all':
        return { count: Math.max(0, n - 1), giveUp: 'next-interval' };
    }
  }

  private refreshAfter(account: AccountSettings, granted: number): Micros {
    const overlap = account.registerExpiresOverlap;
    const seconds = overlap >= 0 && overlap < granted ? granted - overlap : granted * this.options.refreshFraction;
    return Math.round(seconds * 1_000_000);
  }

  private updateWorkingServer(reason: string): void {
    const agent = this.agents.find((a) => a.registeredServer !== undefined);
    const next = agent?.registeredServer ?? null;
    if (next === this.working) return;
    this.working = next;
    this.trace.emit({ kind: 'phone.working-server', phone: this.name, account: this.account!.index, server: next, reason });
    this.features?.workingServerChanged(agent?.registeredAddress, next, reason);
  }
}
