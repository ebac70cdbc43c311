import type { Clock } from '../core/clock.js';
import type { Endpoint, Trace } from '../core/trace.js';
import type { Host } from '../net/host.js';
import type { Network } from '../net/network.js';
import { InviteServerTransaction } from '../sip/invite-server-transaction.js';
import { Header, SipRequest, SipResponse, header, headerSeconds, ownCopy, responseTo, topBranch } from '../sip/message.js';
import { ServerTransaction, SipCore, SipEndpoint } from '../sip/sip-endpoint.js';
import { UasDialogs } from '../sip/uas-dialogs.js';
import { ServerCall } from './server-call.js';
import type { TcpNetwork } from '../net/tcp-network.js';
import type { SipTimerConfig } from '../sip/timers.js';
import { FEATURE_EVENTS } from '../sip/event-packages.js';
import { DEFAULT_SERVER_PROFILE, ServerBehaviour, ServerProfile } from './server-behaviour.js';
import { CapacityQueue } from './capacity-queue.js';

interface Binding {
  contact: string;
  expiresAt: number;
}

const RFC_TIMERS: SipTimerConfig = { t1: 500_000, t2: 4_000_000, t4: 5_000_000 };

/**
 * A SIP registrar and answering callee with scripted behaviour (normal, 503, slow). It
 * answers INVITEs itself — 100, 180, then the profile's final answer after `ringTime` — and
 * retransmits its 2xx until the ACK (RFC 3261 §13.3.1.4).
 */
export class SipServer implements SipCore {
  readonly sip: SipEndpoint;
  private behaviour: ServerBehaviour = { mode: 'normal' };
  private readonly bindings = new Map<string, Binding>();
  /** User part → the AORs bound with it: an incoming call finds its binding without a scan of every binding (fleets hold 10⁵). */
  private readonly aorsByUser = new Map<string, string[]>();
  private readonly dialogs: UasDialogs;
  private readonly tag: string;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    network: Network,
    readonly host: Host,
    private readonly profile: ServerProfile = DEFAULT_SERVER_PROFILE,
    tcp?: TcpNetwork,
  ) {
    this.sip = new SipEndpoint(clock, trace, network, host, RFC_TIMERS, this, tcp);
    this.tag = this.sip.ids.tag();
    this.dialogs = new UasDialogs(clock, trace, this.sip, RFC_TIMERS, this.tag);
    // Past the network, every request waits its turn at the server's rate (RFC 6357 §3).
    const queue = profile.capacity
      ? new CapacityQueue(clock, trace, host.name, profile.capacity, {
        serve: (req, source) => this.sip.dispatchRequest(req, source),
        reject: (req, source, retryAfter) => this.sip.sendStateless(this.unavailable(req, retryAfter), source),
        nameOf: (source) => this.sip.nameOf(source),
      })
      : undefined;
    if (queue) this.sip.setAdmission(queue);
    // A crash (the host going silent) loses every registration: phones notice at their next renewal.
    // Silent or unreachable, the SIP process is gone, and with it the requests it had queued.
    host.onModeChange((_h, _from, to) => {
      if (to === 'silent' || to === 'host-unreachable') {
        this.bindings.clear();
        this.aorsByUser.clear();
      }
      if (to !== 'up') queue?.clear(`host ${to}: queued requests lost`);
    });
  }

  get name(): string {
    return this.host.name;
  }

  setBehaviour(b: ServerBehaviour): void {
    this.behaviour = b;
  }

  /**
   * Places a call towards `user` through its registration here. With no live binding the
   * platform cannot reach the phone: the call fails at once (traced with the reason).
   */
  callUser(phone: string, user: string, caller: string, duration: number): void {
    const now = this.clock.now;
    const aor = this.aorsByUser.get(user)?.find((a) => this.bindings.get(a)!.expiresAt > now);
    if (aor === undefined) {
      this.trace.emit({ kind: 'call.incoming', phone, caller, via: this.name, outcome: 'failed', setup: 0, reason: `${user} is not registered on ${this.name}` });
      return;
    }
    new ServerCall(this.clock, this.trace, this.sip, this.name, { phone, contact: this.bindings.get(aor)!.contact, aor, caller, duration }).start();
  }

  /** Registered contact of an address-of-record, if its binding is live. */
  binding(aor: string): string | undefined {
    const b = this.bindings.get(aor);
    return b && b.expiresAt > this.clock.now ? b.contact : undefined;
  }

  onRequest(req: SipRequest, _source: Endpoint, txn: ServerTransaction | undefined): void {
    if (!txn) return this.onAck(req);
    const b = this.behaviour;
    if (b.mode === 'slow') {
      this.clock.schedule(b.delay, () => this.handle(req, txn), undefined, this.name);
      return;
    }
    this.handle(req, txn);
  }

  private handle(req: SipRequest, txn: ServerTransaction): void {
    const b = this.behaviour;
    if (b.mode === '503') return txn.respond(this.unavailable(req, b.retryAfter));
    switch (req.method) {
      case 'REGISTER':
        return txn.respond(this.register(req));
      case 'INVITE':
        return this.invite(req, txn as InviteServerTransaction);
      case 'BYE':
        return txn.respond(this.dialogs.bye(req));
      case 'OPTIONS':
        return txn.respond(responseTo(req, 200, [], this.tag));
      case 'SUBSCRIBE':
        return txn.respond(this.subscribe(req));
      case 'CANCEL': {
        // RFC 3261 §9.2: 200 to the CANCEL; an INVITE still ringing ends with 487.
        const invite = this.sip.serverTransaction(topBranch(req), 'INVITE');
        txn.respond(responseTo(req, invite ? 200 : 481, [], this.tag));
        if (invite instanceof InviteServerTransaction) invite.respond(responseTo(invite.request, 487, [], this.tag));
        return;
      }
      default:
        return txn.respond(responseTo(req, 501, [], this.tag));
    }
  }

  /** 503 Service Unavailable, with Retry-After in whole seconds when given (RFC 3261 §21.5.4). */
  private unavailable(req: SipRequest, retryAfter: number | undefined): SipResponse {
    const extra: Header[] = retryAfter !== undefined ? [['Retry-After', String(Math.round(retryAfter / 1e6))]] : [];
    return responseTo(req, 503, extra, this.tag);
  }

  private register(req: SipRequest): SipResponse {
    const aor = /<([^>]+)>/.exec(header(req, 'To') ?? '')?.[1] ?? '';
    const contact = /<([^>]+)>/.exec(header(req, 'Contact') ?? '')?.[1] ?? '';
    const asked = headerSeconds(req, 'Expires') ?? this.profile.maxExpires;
    const granted = Math.min(asked, this.profile.maxExpires);
    if (granted === 0) this.unbind(aor);
    else this.bind(aor, contact, this.clock.now + granted * 1e6);
    return responseTo(req, 200, [['Contact', `<${contact}>;expires=${granted}`], ['Expires', String(granted)]], this.tag);
  }

  private bind(aor: string, contact: string, expiresAt: number): void {
    const known = this.bindings.get(aor);
    if (known) {
      known.contact = contact === known.contact ? known.contact : ownCopy(contact);
      known.expiresAt = expiresAt;
      return;
    }
    // Kept copies, not slices of the REGISTER's text: a slice would keep the whole message alive as long as the binding.
    const key = ownCopy(aor);
    this.bindings.set(key, { contact: ownCopy(contact), expiresAt });
    const user = userPart(key);
    const list = this.aorsByUser.get(user);
    if (list) list.push(key);
    else this.aorsByUser.set(user, [key]);
  }

  private unbind(aor: string): void {
    if (!this.bindings.delete(aor)) return;
    const user = userPart(aor);
    const list = this.aorsByUser.get(user)?.filter((a) => a !== aor) ?? [];
    if (list.length > 0) this.aorsByUser.set(user, list);
    else this.aorsByUser.delete(user);
  }

  /** A feature subscription: 200 when the profile offers its event package, else 489 Bad Event (RFC 6665 §4.2.1.2). */
  private subscribe(req: SipRequest): SipResponse {
    const event = (header(req, 'Event') ?? '').split(';')[0]!.trim();
    const offered = this.profile.features.some((f) => FEATURE_EVENTS[f] === event);
    if (!offered) return responseTo(req, 489, [['Allow-Events', this.profile.features.map((f) => FEATURE_EVENTS[f]).join(', ')]], this.tag);
    return responseTo(req, 200, [['Expires', String(headerSeconds(req, 'Expires') ?? 3600)]], this.tag);
  }

  private invite(req: SipRequest, txn: InviteServerTransaction): void {
    txn.respond(responseTo(req, 100));
    const ringing = (): void => txn.respond(responseTo(req, 180, [], this.tag)); // ignored once a final answer (e.g. 487) went
    // No event for the default: a 180 at once must not cost a clock event (goldens count them).
    if (this.profile.ringDelay === 0) ringing();
    else this.clock.schedule(this.profile.ringDelay, ringing, undefined, this.name);
    this.clock.schedule(this.profile.ringTime, () => this.answer(req, txn), undefined, this.name);
  }

  private answer(req: SipRequest, txn: InviteServerTransaction): void {
    this.dialogs.answer(req, txn, this.profile.answer);
  }

  private onAck(req: SipRequest): void {
    this.dialogs.ack(req);
  }
}

function userPart(aor: string): string {
  return /^sips?:([^@]+)@/.exec(aor)?.[1] ?? '';
}
