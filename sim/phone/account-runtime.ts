import type { Clock, Micros } from '../core/clock.js';
import type { Rng } from '../core/random.js';
import type { Trace } from '../core/trace.js';
import type { Located } from '../dns/server-locator.js';
import type { StubResolver } from '../dns/stub-resolver.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import { FailureMemory, heldReason } from './failure-memory.js';
import { FeatureSubscriptions } from './feature-subscriptions.js';
import type { ModelOptions } from './model-options.js';
import { locateOptions } from './options/dns.js';
import { describeEntry, skipRedundant, skippedReason } from './skip-redundant.js';
import { CallTarget, OutgoingCall } from './outgoing-call.js';
import type { AccountSettings, ServerSettings } from './phone-config.js';
import { RegistrationAgent } from './registration-agent.js';
import { callLists } from './call-lists.js';
import { FULL_TIMEOUT, callBounds, retryBound } from './retry-limits.js';
import { byeFailover } from './bye-failover.js';
import { proxy2First } from './proxy-pair.js';
import { backoff, refreshAfter } from './registration-timing.js';
import { ServerDirectory, ServerList } from './server-directory.js';
import { subscriptionRefreshAfter, workingServerFor } from './subscription-context.js';

/** Model option retryAfter (AMB-23) → how a 503's Retry-After sets the registration retry wait. */
const RETRY_AFTER_WAIT = { honour: 'override', honourForRegisterOnly: 'override', tryLast: 'atLeast', ignore: 'ignore' } as const;

/**
 * One account of a phone, running on its own: the registration agents (one per configured
 * server: concurrent registration, the vendor default — R5, R9 — or successive, R6), the
 * feature subscriptions, the working server, and outgoing calls, which walk server 1's
 * addresses then server 2's as rule R1 says.
 */
export class AccountRuntime {
  private readonly directory: ServerDirectory;
  /** Where REGISTERs are located: the same directory, or (AMB-31 (a) proxyScope = nonRegisterOnly) one without the proxies. */
  private readonly registrars: ServerDirectory;
  private readonly agents: RegistrationAgent[] = [];
  private readonly memory: FailureMemory;
  private features: FeatureSubscriptions | undefined;
  private working: string | null = null;
  /** Successive mode: server 1 was probed when the fallback registered (successiveProbeFirst = immediately). */
  private probedAtSwitch = false;
  /** Successive mode: server 1 is back, the fallback stays working until its next renewal (successiveSwitchBack = waitForNextRefresh). */
  private switchBackPending = false;
  /** Server 1's registration failed and has not succeeded since (AMB-11 useFallbackUntilWorkingReRegisters). */
  private server1Failed = false;
  /** AMB-29 unregisteredButUsable: agents whose registration the line shows as not held until their next successful REGISTER. */
  /** Made on first use (AMB-29 unregisteredButUsable only): a fleet's phones mostly never need it. */
  private shownUnregistered: Set<RegistrationAgent> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    resolver: StubResolver,
    private readonly options: ModelOptions,
    private readonly phone: string,
    readonly account: AccountSettings,
    srvWeights: Rng,
    /** Draws for the RFC 5626 registration back-off. */
    private readonly backoffRng: Rng,
    /** Calls in progress on the phone, incoming and outgoing (failbackOnlyWhenIdle, AMB-10). */
    private readonly callsInProgress: () => number = () => 0,
  ) {
    // The phone's one resolver, read and filled by this account's own dns_cache_type and static_cache_pri.
    const own = resolver.forAccount({ cacheType: account.dnsCacheType, staticPri: account.staticCachePri });
    // AMB-19: with dns_cache_type 0, renewals may reuse the list of the registration.
    const reuse = options.dnsCacheType0 === 'everyDialogOrRegistration' && account.dnsCacheType === 0;
    this.directory = new ServerDirectory(clock, own, srvWeights, account.proxies, locateOptions(options), reuse, options.staticStepIn);
    this.registrars = this.proxiesCarryRegister() ? this.directory : new ServerDirectory(clock, own, srvWeights, [], locateOptions(options), reuse, options.staticStepIn);
    const dnsExpiry = options.failedServerMemoryUntil === 'dnsTtl' ? (a: Located) => this.directory.addressExpiresAt(a) : undefined;
    this.memory = new FailureMemory(clock, Math.round(options.failedServerMemory * 1_000_000), options.retryAfter, dnsExpiry);
  }

  /**
   * AMB-31 (a): does the outbound proxy list replace servers 1/2 for every request (★ allRequests),
   * or for every request but REGISTER (nonRegisterOnly: the registrar is reached directly)?
   */
  private proxiesCarryRegister(): boolean {
    return this.account.proxies.length === 0 || this.options.proxyScope !== 'nonRegisterOnly';
  }

  /** The phone has no call any more (AMB-10): failback steps deferred during calls may run. */
  idle(): void {
    for (const a of this.agents) a.idle();
  }

  /** Starts registering (R9) — with server 1 only in successive mode. */
  boot(): void {
    const account = this.account;
    if (account.features.length > 0) {
      this.features = new FeatureSubscriptions(this.clock, this.trace, this.sip, {
        phone: this.phone, account: account.index, user: account.userName, domain: account.servers[0]?.address ?? this.sip.host.ip,
      }, account.features, this.options, subscriptionRefreshAfter(account, this.options));
    }
    // R6 successive registration: one server at a time — server 2 only while server 1 fails, and
    // server 1 probed every fallback.timeout meanwhile. R5 concurrent (default): both at once.
    const successive = account.fallback.type === 1 && account.servers.length === 2;
    // AMB-31 (d): which roles outbound proxies 1 and 2 play (failover: counts and failback; fallback: the interval).
    // AMB-31 (a) nonRegisterOnly: REGISTERs go to the servers themselves, so the proxies play no role in them.
    const proxyRole = account.proxies.length > 0 && this.proxiesCarryRegister() ? this.options.proxyPairRole : 'both';
    for (const server of account.servers) {
      const retryInterval = successive && server.index === 1 ? account.fallback.timeout : account.regFailRetryInterval;
      const agent = new RegistrationAgent(
        this.clock, this.trace, this.sip, this.registrars,
        {
          phone: this.phone, account: account.index, user: account.userName, displayName: account.displayName, server,
          bound: proxyRole === 'fallbackOnly' ? FULL_TIMEOUT : retryBound(server.retryCounts, this.options),
          memory: this.memory,
          skipRedundant: account.skipRedundantFailoverAddr ? this.options.skipRedundantAddr : undefined,
          failbackOptions: this.options,
          callsInProgress: this.callsInProgress,
          retryAfter: this.options.retryAfter,
          proxyFallbackInterval: account.proxies.length > 0 && this.proxiesCarryRegister() && proxyRole !== 'failoverOnly' ? account.proxyFallbackInterval : 0,
          proxyFallbackReturn: this.options.proxyFallbackReturn,
          proxy2KeepsRequests: proxyRole === 'fallbackOnly',
          probePrimaryOnly: successive && server.index === 1 && this.options.successiveProbeTarget === 'primaryOnly',
          restartAtLastTried: this.options.regRetryRestart === 'lastTried',
        },
        {
          retryInterval, refreshAfter: (granted) => refreshAfter(account, this.options, this.options.refreshBase === 'requested' ? server.expires : granted), ...backoff(account, this.options, this.backoffRng, successive && server.index === 1),
          retryAfter: RETRY_AFTER_WAIT[this.options.retryAfter],
          // AMB-35: retryCounts repeats a failed registration retry_counts times, then gives up; a
          // successive-mode probe of server 1 (every fallback.timeout, B14) is never bounded.
          ...(this.options.registrationRetryScope === 'retryCounts' && !(successive && server.index === 1) ? { maxRetries: server.retryCounts } : {}),
        },
        (changed, reason) => {
          if (changed === this.agentOf(1) && (changed.phase === 'failed' || changed.phase === 'registered')) this.server1Failed = changed.phase === 'failed';
          if (changed.phase === 'registered') this.shownUnregistered?.delete(changed);
          if (successive) this.successiveFallback(changed, reason);
          this.updateWorkingServer(reason);
        },
      );
      this.agents.push(agent);
    }
    for (const a of successive ? this.agents.slice(0, 1) : this.agents) a.start('boot');
  }

  /** Places call number `number`: locates the servers (DNS when their lists expired), then walks the list. */
  call(number: number, to: string, duration: Micros, extra: Pick<CallTarget, 'note' | 'onFinished'> = {}): void {
    const account = this.account;
    const placedAt = this.clock.now;
    this.directory.lists(account.servers, (found) => {
      const { lists, note: listNote = '' } = this.callLists(found);
      // R4: each configured server's addresses in its failback order (the last registered first, while preferred).
      // Recently failed or Retry-After'd addresses go last, across the whole list.
      const all = lists.flatMap((l) => this.callOrder(l).map((server) => ({ server, settings: l.settings })));
      // B9: with sip.skip_redundant_failover_addr = 1 a repeat of an earlier entry (model option
      // skipRedundantAddr: same IP by default) is left out — also server 2 equal to an SRV target.
      const { kept: entries, skipped } = account.skipRedundantFailoverAddr ? skipRedundant(all, (e) => e.server, this.options.skipRedundantAddr) : { kept: all, skipped: [] };
      const skipNote = skipped.map((d) => skippedReason(d.entry.server, d.sameAs.server, this.options.skipRedundantAddr)).join('; ');
      // AMB-23: an address under a 503's Retry-After is left out (retryAfter = honour) or tried last.
      const { ordered, held } = this.memory.order(entries, (e) => e.server, 'invite');
      const heldNote = held.map((h) => heldReason(describeEntry(h.entry.server), h.until, this.options.retryAfter)).join('; ');
      const notes = [listNote, skipNote, heldNote].filter((n) => n !== '').join('; ');
      const servers = ordered.map((e) => e.server);
      // R2 / AMB-04: the last server (lastServerScope) gets the full timeout, the others a bounded retry.
      // AMB-31 (d) fallbackOnly: proxies are no failover pair — no retry_counts bound on any proxy address.
      const bounds = this.proxyFallbackOnly() ? ordered.map(() => FULL_TIMEOUT) : callBounds(ordered.map((e) => e.settings), this.options);
      const lastOfServer1 = ordered.map((e) => e.settings.index).lastIndexOf(1);
      // Configured, but located to nothing: say the name did not resolve, not that no server is set.
      const errors = servers.length === 0 ? lists.flatMap((l) => (l.error ? [l.error] : [])) : [];
      const noServer = servers.length > 0 ? undefined
        : held.length > 0 ? `every address is held off by a 503 Retry-After: ${heldNote}`
        : errors.length > 0 ? `the server name did not resolve: ${errors.join('; ')}` : undefined;
      const call = new OutgoingCall(this.clock, this.trace, this.sip, {
        phone: this.phone, call: number, user: account.userName, displayName: account.displayName,
        to, servers, ...(noServer !== undefined ? { noServer } : {}), bounds, duration, noAnswerTimeout: Math.round(this.options.noAnswerTimeout * 1_000_000), afterProvisional: this.options.provisionalStopsFailover,
        ...extra,
        ...(notes ? { note: extra.note !== undefined ? `${extra.note}; ${notes}` : notes } : {}),
        onServerFailed: (server, index, retryAfter) => {
          this.memory.failed(server, retryAfter);
          if (index === lastOfServer1) this.callLeftServer1();
        },
        // B7 register_on_enable: a call failed over to another address of server 1 registers there too —
        // first, then the INVITE (registerThenSend, the vendor's order), or once it answered (sendThenRegister).
        beforeInvite: (server, index, send) => {
          const settings = ordered[index]?.settings;
          const agent = settings && this.registersOnFailover(settings, index) ? this.agentFor(settings) : undefined;
          if (!agent || this.options.registerOnEnableOrder !== 'registerThenSend') return send();
          agent.registerWith(server, `register_on_enable (registerThenSend): call ${number} failed over to ${server.name}; registering there before the INVITE`, () => send());
        },
        ...(this.options.inDialogRequests === 'applyFailbackRules' ? { byeServer: (d: Located) => this.failbackTarget(ordered, d) } : {}),
        ...(this.options.inDialogFailover === 'failoverPer3263' ? { byeFailover: (first: Located) => byeFailover(ordered, first, this.options) } : {}),
        onAnswered: (server, index) => {
          const settings = ordered[index]?.settings;
          if (settings && this.registersOnFailover(settings, index) && this.options.registerOnEnableOrder === 'sendThenRegister') {
            this.agentFor(settings)?.registerWith(server, `register_on_enable: call ${number} was taken by ${server.name}`);
          }
          if (settings) this.failedOverUnregistered(settings, index, server, number);
        },
      }, placedAt);
      call.start();
    });
  }

  /**
   * AMB-38 applyFailbackRules: an in-dialog request goes where a new request to the dialog's
   * configured server would go now (its failback order), not necessarily to the dialog's server.
   */
  private failbackTarget(ordered: readonly { server: Located; settings: ServerSettings }[], dialog: Located): Located {
    const settings = ordered.find((e) => e.server.ip === dialog.ip && e.server.port === dialog.port)?.settings;
    const agent = settings && this.agentFor(settings);
    if (!settings || !agent) return dialog;
    const addresses = ordered.filter((e) => e.settings === settings).map((e) => e.server);
    return agent.failback.order(addresses, 'invite', this.clock.now, this.callsInProgress() > 1)[0] ?? dialog;
  }

  /**
   * AMB-29 unregisteredButUsable: a call that left server 1's registered address for another of
   * its addresses with register_on_enable = 0 makes the line show that registration as not held.
   */
  private failedOverUnregistered(settings: ServerSettings, index: number, server: Located, call: number): void {
    if (this.options.registerOnEnableZero !== 'unregisteredButUsable' || settings.index !== 1 || settings.registerOnEnable || index === 0) return;
    const agent = this.agentFor(settings);
    const held = agent?.registeredAddress;
    if (!agent || !held || (held.ip === server.ip && held.port === server.port) || this.shownUnregistered?.has(agent)) return;
    (this.shownUnregistered ??= new Set()).add(agent);
    this.updateWorkingServer(`call ${call} failed over from ${agent.registeredServer} to ${this.sip.nameOf(server)} and register_on_enable = 0: the line shows unregistered, requests still go out (registerOnEnableZero = unregisteredButUsable)`);
  }

  /** B7: register_on_enable applies to a call that left server 1's first address for another of its addresses. */
  private registersOnFailover(settings: ServerSettings, index: number): boolean {
    return settings.index === 1 && settings.registerOnEnable && index > 0;
  }

  /**
   * One configured server's addresses in the order a call walks them (R4 failback order), or —
   * with only_signal_with_registered, while failed over — just the address registered with.
   */
  private callOrder(l: ServerList): typeof l.servers {
    const agent = this.agentFor(l.settings);
    const s = l.settings;
    const registered = agent?.registeredAddress;
    const onlyRegistered = s.onlySignalWithRegistered && s.registerOnEnable && s.failbackMode !== 0;
    if (onlyRegistered && registered && (l.servers[0]?.ip !== registered.ip || l.servers[0]?.port !== registered.port)) {
      // AMB-30: failRequest (★) sends only there; allowUnregisteredAsLastResort then walks the other addresses.
      if (this.options.onlySignalWithRegistered === 'failRequest') return [registered];
      return [registered, ...l.servers.filter((a) => a.ip !== registered.ip || a.port !== registered.port)];
    }
    // AMB-31 (d) fallbackOnly: no failback mode — registered through proxy 2, calls go there first.
    if (this.proxyFallbackOnly()) return agent?.throughProxy2 ? proxy2First(l.servers, l.servers, l.firstProxyAddresses ?? 0) : l.servers;
    // AMB-10: the call being placed is counted already; only the other calls make the phone busy.
    return agent?.failback.order(l.servers, 'invite', this.clock.now, this.callsInProgress() > 1) ?? l.servers;
  }

  /** Which configured servers a call walks, in which order (call-lists.ts: model options A3/AMB-05, A5/AMB-11). */
  private callLists(lists: ServerList[]): { lists: ServerList[]; note?: string } {
    const [a1, a2] = [this.agentOf(1), this.agentOf(2)];
    return callLists(lists, {
      proxies: this.account.proxies.length > 0,
      successive: this.account.fallback.type === 1,
      server1Down: a1?.registeredServer === undefined || this.switchBackPending,
      server2Up: a2?.registeredServer !== undefined,
      server1Failed: this.server1Failed,
    }, this.options);
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
    // AMB-13 successiveProbeFirst = immediately: the switch to the fallback done, probe server 1 at once.
    if (changed === fallback && fallback.phase === 'registered' && working?.phase === 'failed' && !this.probedAtSwitch && this.options.successiveProbeFirst === 'immediately') {
      this.probedAtSwitch = true;
      working.retryNow(`successive fallback: registered with ${fallback.serverName}; probing ${working.serverName} at once (successiveProbeFirst = immediately)`);
    }
    if (changed !== working || !fallback) return;
    if (working.phase === 'failed' && fallback.phase === 'unregistered') {
      this.probedAtSwitch = false;
      // B15 / AMB-12: with redundancy_with_reg_fail = 0 (default) only an unresponsive server 1
      // moves the account to server 2; an error answer (503, 403…) keeps it retrying server 1.
      if (working.lastFailureAnswered && !this.account.fallback.withRegFail) {
        this.trace.emit({ kind: 'phone.register-attempt', phone: this.phone, account: this.account.index, server: working.serverName, reason: `successive fallback not started: ${working.serverName} answered (${reason}) and account.${this.account.index}.redundancy_with_reg_fail.enable = 0` });
        return;
      }
      fallback.start(`successive fallback: ${working.serverName} failed (${reason})${working.lastFailureAnswered ? ', redundancy_with_reg_fail.enable = 1' : ''}`);
    }
    if (working.phase !== 'registered' && this.switchBackPending) {
      this.switchBackPending = false;
      fallback.atNextRefresh(undefined);
    }
    if (working.phase !== 'registered' || fallback.phase === 'unregistered' || this.switchBackPending) return;
    // AMB-13 unregisterFallback: the fallback binding is removed (Expires: 0) or left to lapse.
    const unregister = this.options.unregisterFallback === 'yes';
    if (this.options.successiveSwitchBack === 'waitForNextRefresh' && fallback.phase === 'registered') {
      // AMB-13: the fallback keeps call control until its registration would be renewed.
      this.switchBackPending = true;
      this.trace.emit({ kind: 'phone.register-attempt', phone: this.phone, account: this.account.index, server: fallback.serverName, reason: `successive fallback: ${working.serverName} is back; ${fallback.serverName} stays working until its next renewal (successiveSwitchBack = waitForNextRefresh)` });
      fallback.atNextRefresh(() => {
        this.switchBackPending = false;
        fallback.stop(`successive fallback: ${working.serverName} is back; switched at ${fallback.serverName}'s renewal (successiveSwitchBack = waitForNextRefresh)`, unregister);
      });
      return;
    }
    fallback.stop(`successive fallback: ${working.serverName} is back`, unregister);
  }

  private proxyFallbackOnly(): boolean {
    return this.account.proxies.length > 0 && this.options.proxyPairRole === 'fallbackOnly';
  }

  private agentFor(server: ServerSettings): RegistrationAgent | undefined {
    return this.agents[this.account.servers.indexOf(server)];
  }

  /** The agent of sip_server.`index`, if configured. */
  private agentOf(index: number): RegistrationAgent | undefined {
    return this.agents[this.account.servers.findIndex((s) => s.index === index)];
  }

  private updateWorkingServer(reason: string): void {
    // AMB-13 waitForNextRefresh: while the switch back waits, the fallback stays the working server.
    // AMB-29 unregisteredButUsable: a registration the line shows as not held does not count.
    const agent = this.switchBackPending ? this.agents[1] : this.agents.find((a) => a.registeredServer !== undefined && !this.shownUnregistered?.has(a));
    const next = agent?.registeredServer ?? null;
    if (next === this.working) return;
    this.working = next;
    this.trace.emit({ kind: 'phone.working-server', phone: this.phone, account: this.account.index, server: next, reason });
    const address = agent?.registeredAddress;
    const settings = agent && this.account.servers[this.agents.indexOf(agent)];
    this.features?.workingServerChanged(address && next !== null && settings ? workingServerFor(address, next, settings, this.account, this.options) : undefined, reason);
  }
}
