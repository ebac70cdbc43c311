import type { Clock, Micros } from '../core/clock.js';
import type { RandomStreams } from '../core/random.js';
import type { Endpoint, Trace } from '../core/trace.js';
import { StubResolver } from '../dns/stub-resolver.js';
import type { Host } from '../net/host.js';
import type { Network } from '../net/network.js';
import type { TcpNetwork } from '../net/tcp-network.js';
import type { InviteServerTransaction } from '../sip/invite-server-transaction.js';
import { SipRequest, SipResponse, responseTo } from '../sip/message.js';
import { ServerTransaction, SipCore, SipEndpoint, SipTarget } from '../sip/sip-endpoint.js';
import { isInvite2xx, refuseAnswer } from './refuse-answer.js';
import { UasDialogs } from '../sip/uas-dialogs.js';
import { AccountRuntime } from './account-runtime.js';
import type { ModelOptions } from './model-options.js';
import { negativeCaching, resolverTiming } from './options/dns.js';
import { tcpConnectPolicy } from './options/server-list.js';
import type { PhoneConfig } from './phone-config.js';

/** An incoming call rings this long before the phone answers it (the user picks up). */
const ANSWER_AFTER = 1_000_000;

/**
 * A desk phone: one SIP stack and stub resolver shared by its accounts, each of which runs on
 * its own (account-runtime.ts); it answers incoming calls. Powered off until booted.
 */
export class Phone implements SipCore {
  readonly sip: SipEndpoint;
  readonly resolver: StubResolver;
  private readonly accounts: AccountRuntime[];
  private readonly bootDelay: ModelOptions['bootDelay'];
  private readonly dialogs: UasDialogs;
  private readonly tag: string;
  private booted = false;
  private calls = 0;
  private active = 0;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    network: Network,
    readonly host: Host,
    readonly config: PhoneConfig,
    options: ModelOptions,
    private readonly random: RandomStreams,
    /** DNS servers the phone was given (DHCP-style), primary first. */
    dnsServers: string[],
    tcp?: TcpNetwork,
  ) {
    this.bootDelay = options.bootDelay;
    this.sip = new SipEndpoint(clock, trace, network, host, config.timers, this, tcp, options.tlsVersion === '1.3' ? 1 : 2, options.tcpConnectOnTimeout, options.icmpHandling, tcpConnectPolicy(options));
    if (options.retryCountScope === 'perServer') this.sip.shareRetryCounts();
    this.tag = this.sip.ids.tag();
    this.dialogs = new UasDialogs(clock, trace, this.sip, config.timers, this.tag);
    // The resolver is the phone's (one socket, one store of answers, one static cache); each
    // account reads and fills it by its own dns_cache_type and static_cache_pri (AccountRuntime).
    // The first account's keys serve lookups that belong to no account.
    const first = config.accounts[0];
    this.resolver = new StubResolver(clock, trace, network, host, {
      servers: dnsServers,
      ...resolverTiming(config.resolver, options),
      cacheType: first?.dnsCacheType ?? 1,
      staticPri: first?.staticCachePri ?? 0,
      staticRecords: config.staticDns,
      staticTtlClock: options.staticCacheTtlClock,
      staticPriOne: options.staticCachePriOne,
      ...negativeCaching(options),
    });
    this.accounts = config.accounts.map((a) => {
      // Account 1 keeps the stream name it always had, so adding accounts changes no draw of it.
      const stream = a.index === 1 ? `phone:${host.name}:srv-weight` : `phone:${host.name}:account${a.index}:srv-weight`;
      return new AccountRuntime(clock, trace, this.sip, this.resolver, options, host.name, a, random.stream(stream), random.stream(`phone:${host.name}:account${a.index}:reg-backoff`), () => this.active + this.dialogs.open);
    });
    host.mode = 'silent'; // powered off until the scenario boots it
  }

  get name(): string {
    return this.host.name;
  }

  /** The user part of an account, for calls placed towards this phone. */
  userOf(account: number): string | undefined {
    return this.accounts.find((a) => a.account.index === account)?.account.userName;
  }

  boot(): void {
    if (this.booted) return;
    this.booted = true;
    this.host.mode = 'up';
    this.resolver.statics.boot(this.clock.now);
    if (this.accounts.length === 0) return;
    // sip.reg_surge_prevention: wait a random 0..N s so a fleet does not register at once.
    // AMB-25 (model option bootDelay): one uniform draw in 0..N s (µs steps) for the phone (★),
    // one per account (account 1 keeps the phone's draw), or N itself.
    const surge = this.config.surgePrevention;
    const draw = (stream: string): Micros => Math.floor(this.random.stream(stream)() * (surge + 1));
    const mode = this.bootDelay;
    if (surge > 0 && mode === 'uniformPerAccount') {
      this.accounts.forEach((a, i) => {
        const wait = draw(i === 0 ? `phone:${this.name}:boot-delay` : `phone:${this.name}:account${a.account.index}:boot-delay`);
        this.clock.schedule(wait, () => a.boot(), undefined, this.name);
      });
      return;
    }
    const wait = surge === 0 ? 0 : mode === 'fixed' ? surge : draw(`phone:${this.name}:boot-delay`);
    this.clock.schedule(wait, () => this.accounts.forEach((a) => a.boot()), undefined, this.name);
  }

  /** An outgoing call is over (or, with `outgoing` 0, an incoming one): when none is left the accounts hear the phone is idle. */
  private callEnded(outgoing = 1): void {
    this.active -= outgoing;
    if (this.active + this.dialogs.open === 0) this.accounts.forEach((a) => a.idle());
  }

  /** Outgoing calls placed and not yet over (failed, busy or ended). */
  get callsInProgress(): number {
    return this.active;
  }

  /**
   * Places a call from `account` (default 1); traced as a failed call when the phone is off or
   * the account missing. `note` says why (a calls: arrival): it ends up in the first call.state reason.
   */
  call(to: string, duration: Micros, account = 1, note?: string): void {
    const number = ++this.calls;
    const runtime = this.booted ? this.accounts.find((a) => a.account.index === account) : undefined;
    if (runtime) {
      this.active++;
      return runtime.call(number, to, duration, { ...(note !== undefined ? { note } : {}), onFinished: () => this.callEnded() });
    }
    const reason = `${this.booted ? `account ${account} is not enabled` : 'the phone is not booted'}${note !== undefined ? ` (${note})` : ''}`;
    this.trace.emit({ kind: 'call.state', phone: this.name, call: number, from: 'idle', to: 'failed', server: null, reason });
    this.trace.emit({ kind: 'call.outcome', phone: this.name, call: number, to, outcome: 'failed', via: null, tried: [], setup: 0 });
  }

  /**
   * A 2xx to an INVITE of a call that is over (no call claims its Call-ID any more): the phone
   * does not want that session, so it ACKs and BYEs it (RFC 3261 §13.2.2.4) — else the server
   * would keep a call the phone knows nothing of.
   */
  onStrayResponse(res: SipResponse, source: SipTarget): void {
    if (isInvite2xx(res)) refuseAnswer(this.sip, res, source);
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
        txn.respond(this.dialogs.bye(req));
        return this.callEnded(0);
      case 'OPTIONS':
      case 'NOTIFY':
        return txn.respond(responseTo(req, 200, [], this.tag));
      default:
        return txn.respond(responseTo(req, 501, [], this.tag));
    }
  }
}
