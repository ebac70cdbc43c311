/** Features kept through subscriptions, and their SIP event packages (RFC 6665). */
export type SubscriptionFeature = 'mwi' | 'shared-line';

/** message-summary: MWI (RFC 3842); call-info: shared call appearance. */
export const FEATURE_EVENTS: Record<SubscriptionFeature, string> = { mwi: 'message-summary', 'shared-line': 'call-info' };
