/** Features kept through subscriptions, and their SIP event packages (RFC 6665). */
export type SubscriptionFeature = 'mwi' | 'shared-line' | 'reg';

/** message-summary: MWI (RFC 3842); call-info: shared call appearance; reg: registration state (RFC 3680). */
export const FEATURE_EVENTS: Record<SubscriptionFeature, string> = { mwi: 'message-summary', 'shared-line': 'call-info', reg: 'reg' };
