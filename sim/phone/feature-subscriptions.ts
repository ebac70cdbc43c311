import type { Trace } from '../core/trace.js';
import type { Located } from '../dns/server-locator.js';
import type { SipResponse } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import type { ClientTransactionUser } from '../sip/transaction-user.js';
import { FEATURE_EVENTS, SubscriptionFeature } from '../sip/event-packages.js';

export type Feature = SubscriptionFeature;
const EVENT = FEATURE_EVENTS;

/**
 * The account's feature subscriptions (R5): MWI and shared lines live on the working server.
 * Whenever the working server changes the phone SUBSCRIBEs there again; a fallback server
 * without the feature answers 489 Bad Event and the feature is lost until a server that offers
 * it works again. Every change of availability is a `phone.feature` trace record.
 */
export class FeatureSubscriptions {
  private readonly available = new Map<Feature, boolean>();
  private generation = 0;
  private cseq = 0;
  private readonly callId: string;
  private readonly fromTag: string;

  constructor(
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    private readonly who: { phone: string; account: number; user: string; domain: string },
    private readonly features: readonly Feature[],
  ) {
    this.callId = sip.ids.callId();
    this.fromTag = sip.ids.tag();
  }

  /** The working server changed (null: none). Subscriptions to an earlier server are ignored from now on. */
  workingServerChanged(server: Located | undefined, name: string | null, reason: string): void {
    const generation = ++this.generation;
    for (const f of this.features) {
      if (!server || name === null) {
        this.set(f, false, null, `no working server (${reason})`);
        continue;
      }
      this.sip.sendRequest(this.subscribe(f, server), server, this.user(f, name, generation));
    }
  }

  private user(f: Feature, name: string, generation: number): ClientTransactionUser {
    const stale = (): boolean => generation !== this.generation;
    return {
      receiveResponse: (res: SipResponse) => {
        if (res.status < 200 || stale()) return;
        this.set(f, res.status < 300, name, `SUBSCRIBE ${EVENT[f]}: ${res.status} ${res.reason} from ${name}`);
      },
      onRequestTimeout: () => !stale() && this.set(f, false, name, `SUBSCRIBE ${EVENT[f]} to ${name}: no response`),
      onTransportError: (cause) => !stale() && this.set(f, false, name, `SUBSCRIBE ${EVENT[f]}: ${cause}`),
    };
  }

  private set(f: Feature, available: boolean, server: string | null, reason: string): void {
    if (this.available.get(f) === available) return;
    this.available.set(f, available);
    this.trace.emit({ kind: 'phone.feature', phone: this.who.phone, account: this.who.account, feature: f, available, server, reason });
  }

  private subscribe(f: Feature, server: Located) {
    const { sip, who } = this;
    const aor = `sip:${who.user}@${who.domain}`;
    return {
      type: 'request' as const,
      method: 'SUBSCRIBE',
      uri: aor,
      headers: [
        ['Via', sip.via(server.transport)],
        ['Max-Forwards', '70'],
        ['From', `<${aor}>;tag=${this.fromTag}`],
        ['To', `<${aor}>`],
        ['Call-ID', `${f}-${this.callId}`],
        ['CSeq', `${++this.cseq} SUBSCRIBE`],
        ['Contact', sip.contactFor(who.user, server.transport)],
        ['Event', EVENT[f]],
        ['Expires', '3600'],
      ] as [string, string][],
      body: '',
    };
  }
}
