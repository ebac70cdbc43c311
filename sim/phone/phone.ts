import type { Clock, Micros } from '../core/clock.js';
import type { RandomStreams } from '../core/random.js';
import type { Endpoint, Trace } from '../core/trace.js';
import type { Host } from '../net/host.js';
import type { Network } from '../net/network.js';
import { SipRequest, responseTo } from '../sip/message.js';
import { ServerTransaction, SipCore, SipEndpoint } from '../sip/sip-endpoint.js';
import type { RetransmitLimit } from '../sip/transaction-user.js';
import type { ModelOptions } from './model-options.js';
import { OutgoingCall } from './outgoing-call.js';
import type { AccountSettings, PhoneConfig, ServerSettings } from './phone-config.js';
import { RegistrationAgent } from './registration-agent.js';

/**
 * A desk phone: its SIP stack, the registration agents of account 1 (one per configured server:
 * concurrent registration, the vendor default — R5, R9) and its outgoing calls, which walk
 * the server list (server 1, then server 2) as rule R1 says. It reports which server is the
 * working one: the first in the list it is registered with.
 */
export class Phone implements SipCore {
  readonly sip: SipEndpoint;
  private readonly agents: RegistrationAgent[] = [];
  private booted = false;
  private calls = 0;
  private working: string | null = null;
  private readonly account: AccountSettings | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    network: Network,
    readonly host: Host,
    readonly config: PhoneConfig,
    private readonly options: ModelOptions,
    private readonly random: RandomStreams,
  ) {
    this.sip = new SipEndpoint(clock, trace, network, host, config.timers, this);
    this.account = config.accounts[0];
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
    for (const server of account.servers) {
      const agent = new RegistrationAgent(
        this.clock, this.trace, this.sip,
        { phone: this.name, account: account.index, user: account.userName, displayName: account.displayName, server: endpoint(server), expires: server.expires },
        { retryInterval: account.regFailRetryInterval, refreshAfter: (granted) => this.refreshAfter(account, granted) },
        (_agent, reason) => this.updateWorkingServer(reason),
      );
      this.agents.push(agent);
    }
    this.clock.schedule(wait, () => this.agents.forEach((a) => a.start('boot')), undefined, this.name);
  }

  /** Places a call; traced as a failed call when the phone is off or has no account. */
  call(to: string, duration: Micros): void {
    const account = this.account;
    const servers = this.booted && account ? account.servers : [];
    const call = new OutgoingCall(this.clock, this.trace, this.sip, {
      phone: this.name,
      call: ++this.calls,
      user: account?.userName ?? 'user',
      displayName: account?.displayName ?? '',
      to,
      servers: servers.map(endpoint),
      limits: servers.map((s, i) => (i === servers.length - 1 ? undefined : this.retryLimit(s))),
      duration,
    });
    call.start();
  }

  onRequest(req: SipRequest, _source: Endpoint, txn: ServerTransaction | undefined): void {
    if (!txn) return; // an ACK outside a transaction: nothing to do for a caller-only phone
    // Incoming calls are not simulated yet: answer them as unavailable, other requests plainly.
    const status = req.method === 'INVITE' ? 480 : req.method === 'BYE' || req.method === 'OPTIONS' ? 200 : 501;
    txn.respond(responseTo(req, status, [], this.sip.ids.tag()));
  }

  /** R2 + model options A1/A2: how many INVITE retransmissions a non-last server gets. */
  private retryLimit(server: ServerSettings): RetransmitLimit | undefined {
    const o = this.options;
    if (o.inviteFailover === 'timer-b') return undefined;
    const n = o.inviteFailover === 'retry-counts' ? server.retryCounts : server.inviteRetryCounts;
    switch (o.retryCounts) {
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
    const next = this.agents.find((a) => a.phase === 'registered')?.serverName ?? null;
    if (next === this.working) return;
    this.working = next;
    this.trace.emit({ kind: 'phone.working-server', phone: this.name, account: this.account!.index, server: next, reason });
  }
}

function endpoint(s: ServerSettings): Endpoint {
  return { ip: s.address, port: s.port };
}
