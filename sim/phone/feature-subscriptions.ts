import type { Clock, EventHandle, Micros } from '../core/clock.js';
import type { Trace } from '../core/trace.js';
import type { Located } from '../dns/server-locator.js';
import { header, headerSeconds, type SipResponse } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import type { ClientTransactionUser } from '../sip/transaction-user.js';
import { FEATURE_EVENTS, SubscriptionFeature } from '../sip/event-packages.js';
import type { FailbackModelOptions } from './options/failback.js';
import { moveAction } from './resubscribe-rule.js';
import { subscribeRequest } from './subscribe-request.js';

export type Feature = SubscriptionFeature;
const EVENT = FEATURE_EVENTS;
/** Lifetime asked for (the sheet gives no MWI / SCA / reg-event expiry key). */
const EXPIRES_S = 3600;

/** The working registration as the subscriptions see it. */
export interface WorkingServer {
  address: Located;
  name: string;
  /** Configured server (1 working, 2 fallback), its failback mode and failback_subscribe.enable (B11). */
  index: 1 | 2;
  failbackMode: 0 | 1 | 2 | 3;
  failbackSubscribe: boolean;
  /** B16 / AMB-14: server 2 working while server 1 is not, and whether it gets subscriptions (with why). */
  fallback?: { subscribe: boolean; why: string };
}

/** One feature's subscription: where it lives, which transaction's answer counts, its refresh. */
interface Sub {
  readonly feature: Feature;
  /** The address it was sent to (pending or active); undefined: none. */
  at: { address: Located; name: string; index: 1 | 2 } | undefined;
  seq: number;
  refresh: EventHandle;
  moveAtRefresh: boolean;
  toTag: string | undefined;
}

/**
 * The account's feature subscriptions (R5): MWI and shared lines live on the working server.
 * A new working server gets a SUBSCRIBE at once; a fallback server without the feature answers
 * 489 Bad Event and the feature is lost until a server that offers it works again. A failover
 * between addresses of one configured server follows B11 / AMB-36 (resubscribe-rule.ts). Each
 * subscription is refreshed before its granted expiry (refreshAfter). Every SUBSCRIBE, kept or
 * dropped subscription is a `phone.subscription` record, every change of availability a
 * `phone.feature` record, each with its reason.
 */
export class FeatureSubscriptions {
  private readonly available = new Map<Feature, boolean>();
  private readonly subs: Sub[];
  private working: WorkingServer | undefined;
  private cseq = 0;
  private readonly callId: string;
  private readonly fromTag: string;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    private readonly who: { phone: string; account: number; user: string; domain: string },
    features: readonly Feature[],
    private readonly options: Pick<FailbackModelOptions, 'featureResubscribeDefault'>,
    /** Seconds granted → µs until the refresh. */
    private readonly refreshAfter: (granted: number) => Micros,
  ) {
    this.callId = sip.ids.callId();
    this.fromTag = sip.ids.tag();
    this.subs = features.map((feature) => ({ feature, at: undefined, seq: 0, refresh: 0, moveAtRefresh: false, toTag: undefined }));
  }

  /** The working server changed (undefined: none). */
  workingServerChanged(working: WorkingServer | undefined, reason: string): void {
    this.working = working;
    for (const sub of this.subs) {
      if (!working) {
        this.end(sub);
        this.set(sub.feature, false, null, `no working server (${reason})`);
        continue;
      }
      const at = sub.at;
      if (working.fallback && !working.fallback.subscribe) {
        this.end(sub);
        if (at) this.note(sub, 'drop', at.name, `working server is now the fallback server ${working.name} (${reason}): ${working.fallback.why}`);
        this.set(sub.feature, false, working.name, `${working.name} is the fallback server: ${working.fallback.why}`);
        continue;
      }
      if (!at) {
        this.send(sub, 'subscribe', `new working server ${working.name} (${reason})`);
        continue;
      }
      if (at.address.ip === working.address.ip && at.address.port === working.address.port && at.index === working.index) {
        sub.moveAtRefresh = false;
        this.note(sub, 'keep', at.name, `working server is ${working.name} again (${reason}): already subscribed there`);
        continue;
      }
      const { action, why } = moveAction({
        fromServer: at.index, toServer: working.index, fromIp: at.address.ip, toIp: working.address.ip,
        failbackMode: working.failbackMode, failbackSubscribe: working.failbackSubscribe,
      }, this.options);
      switch (action) {
        case 'now':
          this.send(sub, 'subscribe', `working server moved to ${working.name} (${reason}): ${why}`);
          break;
        case 'stay':
        case 'moveAtRefresh':
          sub.moveAtRefresh = action === 'moveAtRefresh';
          this.note(sub, 'keep', at.name, `working server moved to ${working.name} (${reason}): ${why}`);
          break;
        case 'drop':
          this.end(sub);
          this.note(sub, 'drop', at.name, `working server moved to ${working.name} (${reason}): ${why}`);
          this.set(sub.feature, false, at.name, why);
          break;
      }
    }
  }

  /** Sends a SUBSCRIBE: a refresh to where the subscription lives, otherwise to the working server. */
  private send(sub: Sub, action: 'subscribe' | 'refresh', reason: string): void {
    const working = this.working;
    const target = action === 'refresh' ? sub.at : working && { address: working.address, name: working.name, index: working.index };
    if (!target) return;
    this.clock.cancel(sub.refresh);
    if (action === 'subscribe') sub.toTag = undefined;
    sub.at = target;
    sub.moveAtRefresh = false;
    const seq = ++sub.seq;
    this.note(sub, action, target.name, reason);
    const req = subscribeRequest(this.sip, target.address, {
      user: this.who.user, domain: this.who.domain, event: EVENT[sub.feature], callId: `${sub.feature}-${this.callId}`,
      fromTag: this.fromTag, toTag: sub.toTag, cseq: ++this.cseq, expires: EXPIRES_S,
    });
    this.sip.sendRequest(req, target.address, this.user(sub, seq, target.name));
  }

  private user(sub: Sub, seq: number, name: string): ClientTransactionUser {
    const stale = (): boolean => seq !== sub.seq;
    const what = `SUBSCRIBE ${EVENT[sub.feature]}`;
    return {
      receiveResponse: (res: SipResponse) => {
        if (res.status < 200 || stale()) return;
        if (res.status >= 300) return this.failed(sub, name, `${what}: ${res.status} ${res.reason} from ${name}`);
        const granted = headerSeconds(res, 'Expires') ?? EXPIRES_S;
        sub.toTag = /;\s*tag=([^;\s]+)/.exec(header(res, 'To') ?? '')?.[1];
        this.set(sub.feature, true, name, `${what}: ${res.status} ${res.reason} from ${name}`);
        sub.refresh = this.clock.schedule(this.refreshAfter(granted), () => this.refreshDue(sub, granted), undefined, this.who.phone);
      },
      onRequestTimeout: () => !stale() && this.failed(sub, name, `${what} to ${name}: no response`),
      onTransportError: (cause) => !stale() && this.failed(sub, name, `${what}: ${cause}`),
    };
  }

  /** A SUBSCRIBE failed: move to the working server if the subscription lived elsewhere (AMB-36), else the feature is lost. */
  private failed(sub: Sub, name: string, reason: string): void {
    const w = this.working;
    const elsewhere = w && sub.at && (sub.at.address.ip !== w.address.ip || sub.at.address.port !== w.address.port || sub.at.index !== w.index);
    if (w && elsewhere) return this.send(sub, 'subscribe', `${reason}; subscribing with the working server ${w.name}`);
    this.end(sub);
    this.set(sub.feature, false, name, reason);
  }

  private refreshDue(sub: Sub, granted: number): void {
    const w = this.working;
    if (sub.moveAtRefresh && w) return this.send(sub, 'subscribe', `refresh due (granted ${granted} s): moving to the working server ${w.name} (featureResubscribeDefault = movedAtNextRefresh)`);
    this.send(sub, 'refresh', `refresh due (granted ${granted} s)`);
  }

  private end(sub: Sub): void {
    this.clock.cancel(sub.refresh);
    sub.at = undefined;
    sub.seq++;
    sub.moveAtRefresh = false;
    sub.toTag = undefined;
  }

  private note(sub: Sub, action: 'subscribe' | 'refresh' | 'keep' | 'drop', server: string, reason: string): void {
    this.trace.emit({ kind: 'phone.subscription', phone: this.who.phone, account: this.who.account, feature: sub.feature, action, server, reason });
  }

  private set(f: Feature, available: boolean, server: string | null, reason: string): void {
    if (this.available.get(f) === available) return;
    this.available.set(f, available);
    this.trace.emit({ kind: 'phone.feature', phone: this.who.phone, account: this.who.account, feature: f, available, server, reason });
  }
}
