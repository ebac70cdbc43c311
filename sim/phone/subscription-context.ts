import type { Micros } from '../core/clock.js';
import type { Located } from '../dns/server-locator.js';
import type { WorkingServer } from './feature-subscriptions.js';
import type { ModelOptions } from './model-options.js';
import type { AccountSettings, ServerSettings } from './phone-config.js';
import { fallbackSubscribes } from './resubscribe-rule.js';

/**
 * The working registration as the feature subscriptions see it: the configured server's failback
 * mode and failback_subscribe.enable (B11), and — server 2 working while server 1 is configured —
 * whether that fallback server gets subscriptions (B16 / AMB-14 fallbackFeatureSet).
 */
export function workingServerFor(address: Located, name: string, settings: ServerSettings, account: AccountSettings, options: ModelOptions): WorkingServer {
  const fallback = settings.index === 2 && account.servers.some((s) => s.index === 1);
  return {
    address, name, index: settings.index, failbackMode: settings.failbackMode, failbackSubscribe: settings.failbackSubscribe === true,
    ...(fallback ? { fallback: fallbackSubscribes(options.fallbackFeatureSet, account.fallback.type === 1) } : {}),
  };
}

/**
 * A subscription's refresh: account.X.subscribe_expires_overlap seconds before the granted
 * lifetime ends; with -1 (or an overlap not shorter than the lifetime) at refreshFraction of it.
 */
export function subscriptionRefreshAfter(account: AccountSettings, options: ModelOptions): (granted: number) => Micros {
  const overlap = account.subscribeExpiresOverlap;
  return (granted) => Math.round((overlap >= 0 && overlap < granted ? granted - overlap : granted * options.refreshFraction) * 1_000_000);
}
