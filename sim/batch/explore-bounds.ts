import type { Micros } from '../core/clock.js';
import { resolverTiming } from '../phone/options/dns.js';
import type { ModelOptions } from '../phone/model-options.js';
import type { Scenario } from '../scenario/scenario.js';
import { MAX_EXTRA_SECONDS } from './explore-faults.js';

/**
 * How long the invariants wait, derived from the scenario's phone configs and model options.
 * Each is deliberately generous (a sum of worst cases, not a tight figure): an invariant that
 * fires on a legitimate slow recovery is worse than one that waits a minute longer.
 */
export interface Bounds {
  /** Largest T1 of any phone (servers use 500 ms), µs. */
  t1: Micros;
  /** A client or server transaction open longer than this at the end of the run never ends. */
  transaction: Micros;
  /** A DNS query older than this with no answer and no timeout traced never gets either. */
  dns: Micros;
  /** A call placed longer ago than this must have its outcome. */
  call: Micros;
  /** A server dialog the phone never acknowledged, older than this, is a ghost. */
  dialog: Micros;
  /**
   * The healing tail: after the last fault ended this long ago every phone that registers
   * without faults is registered again. The phone's registration retry interval (or its
   * back-off cap), the longest Retry-After explore sends, 64·T1 per address it may walk, the
   * DNS timeouts of a lookup chain and the longest TTL a cached (negative or stale) answer lives.
   */
  heal: Micros;
  /** How long a probe call placed after healing gets to be answered: every address's Timer B, the lookups, a minute of ringing. */
  probeWindow: Micros;
}

const S = 1_000_000;

export function explorationBounds(scenario: Scenario, model: ModelOptions): Bounds {
  const t1 = Math.max(S / 2, ...scenario.phones.map((p) => p.config.timers.t1));
  const accounts = scenario.phones.flatMap((p) => p.config.accounts);
  const retry = Math.max(30 * S, ...accounts.map((a) => Math.max(a.regFailRetryInterval, a.regBackoff.max)));
  const addresses = Math.max(2, scenario.servers.length + 1);
  const dnsServers = Math.max(1, scenario.dns?.servers.length ?? 1);
  const lookup = Math.max(0, ...scenario.phones.map((p) => {
    const t = resolverTiming(p.config.resolver, model);
    return t.timeout * t.attempts;
  })) * dnsServers;
  const ttl = Math.max(0, ...(scenario.dns?.records ?? []).map((r) => r.ttl)) * S;
  const extra = MAX_EXTRA_SECONDS * S;
  const slowest = 64 * t1 + extra; // a server slow by the longest delay answers a transaction's last retransmission after it
  return {
    t1,
    transaction: model.noAnswerTimeout * S + 3 * 64 * t1 + extra + 10 * S,
    dns: 2 * lookup + 5 * S,
    call: 3 * lookup + addresses * (model.noAnswerTimeout * S + slowest) + 10 * S,
    dialog: 2 * 64 * t1 + extra + 10 * S,
    heal: retry + extra + addresses * 64 * t1 + 3 * lookup + ttl + 30 * S,
    probeWindow: addresses * 64 * t1 + 3 * lookup + 60 * S,
  };
}
