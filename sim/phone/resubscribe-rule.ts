import type { FailbackModelOptions } from './options/failback.js';

/** What the phone does with a live subscription when its working server moves (B11, AMB-36). */
export type MoveAction =
  /** A new SUBSCRIBE to the new working address at once. */
  | 'now'
  /** Kept where it is; refreshed there; moved only if a refresh fails. */
  | 'stay'
  /** Kept where it is until its next refresh, which goes to the working address instead. */
  | 'moveAtRefresh'
  /** Ended at once: the feature is unavailable until the working server changes again. */
  | 'drop';

/** A move of the working registration, as the subscriptions see it. */
export interface WorkingMove {
  /** Configured server (1 or 2) the subscription was made through, and the one now working. */
  fromServer: 1 | 2;
  toServer: 1 | 2;
  /** IP addresses: where the subscription lives, and the new working address. */
  fromIp: string;
  toIp: string;
  /** Settings of the configured server now working: failback mode and failback_subscribe.enable. */
  failbackMode: 0 | 1 | 2 | 3;
  failbackSubscribe: boolean;
}

/**
 * B11 / AMB-36: a failover (or failback) between addresses of one configured server with
 * different IPs. With account.X.sip_server.Y.failback_subscribe.enable = 1 — effective only with
 * failback_mode 1, 2 or 3 — the phone re-subscribes at the new address at once; otherwise model
 * option featureResubscribeDefault decides. A move between configured servers (fallback and
 * return) or to the same IP re-subscribes at once. Returns the action and the reason words.
 */
export function moveAction(m: WorkingMove, options: Pick<FailbackModelOptions, 'featureResubscribeDefault'>): { action: MoveAction; why: string } {
  if (m.fromServer !== m.toServer) return { action: 'now', why: `the working server changed from server ${m.fromServer} to server ${m.toServer}` };
  if (m.fromIp === m.toIp) return { action: 'now', why: `same IP ${m.toIp}` };
  const key = `failback_subscribe.enable`;
  if (m.failbackSubscribe && m.failbackMode !== 0) return { action: 'now', why: `${key} = 1 (failback mode ${m.failbackMode}): re-subscribe at the new address at once` };
  const off = m.failbackSubscribe ? `${key} = 1 has no effect in failback mode 0` : `${key} = 0`;
  switch (options.featureResubscribeDefault) {
    case 'stayOnOldServerUntilRefresh':
      return { action: 'stay', why: `${off}: stays on ${m.fromIp} and is refreshed there; it moves if a refresh fails (featureResubscribeDefault = stayOnOldServerUntilRefresh)` };
    case 'movedAtNextRefresh':
      return { action: 'moveAtRefresh', why: `${off}: stays on ${m.fromIp} until its next refresh, which goes to ${m.toIp} (featureResubscribeDefault = movedAtNextRefresh)` };
    case 'dropped':
      return { action: 'drop', why: `${off}: dropped at the failover (featureResubscribeDefault = dropped)` };
  }
}

/**
 * B16 / AMB-14: does the fallback server (server 2 working while server 1 is not) get the
 * subscriptions? `successive`: account.X.fallback.redundancy_type = 1.
 */
export function fallbackSubscribes(option: FailbackModelOptions['fallbackFeatureSet'], successive: boolean): { subscribe: boolean; why: string } {
  switch (option) {
    case 'basicCallsOnly':
      return { subscribe: false, why: 'the fallback server gets basic calls only, no subscriptions (fallbackFeatureSet = basicCallsOnly)' };
    case 'allInSuccessive':
      return successive
        ? { subscribe: true, why: 'successive fallback: the fallback server takes every calling function (fallbackFeatureSet = allInSuccessive)' }
        : { subscribe: false, why: 'concurrent fallback: the fallback server gets basic calls only (fallbackFeatureSet = allInSuccessive)' };
    case 'configurable':
      return { subscribe: true, why: "the fallback server's configured features decide (fallbackFeatureSet = configurable)" };
  }
}
