/**
 * RFC 2782 target selection: the order in which a client tries SRV targets. Pure: the caller
 * passes the random stream (e.g. `dns:srv-weight`), so a run's draws depend on the seed alone.
 */
import type { Rng } from '../core/random.js';
import type { SrvRecord } from './records.js';

/**
 * Priority ascending; within one priority, repeated weighted draws (RFC 2782 "Usage rules"):
 * put the zero-weight records first, give each remaining record the running sum of weights,
 * draw an integer uniformly in [0, total] (inclusive) and take the first record whose running
 * sum is ≥ the draw; remove it and repeat. Zero-weight records thus keep a small chance of
 * going first when others weigh more (1 in total + 1), and keep zone order when all weigh 0.
 * The input order (zone order) is the "any order" the RFC leaves open.
 * Cost: O(n²) per priority, for lists of a handful of records.
 */
export function orderSrv(records: readonly SrvRecord[], rng: Rng): SrvRecord[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const p of priorities) {
    const group = records.filter((r) => r.priority === p);
    const remaining = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight > 0)];
    while (remaining.length > 1) {
      const total = remaining.reduce((s, r) => s + r.weight, 0);
      const draw = Math.floor(rng() * (total + 1));
      let running = 0;
      let pick = remaining.length - 1;
      for (let i = 0; i < remaining.length; i++) {
        running += remaining[i]!.weight;
        if (running >= draw) {
          pick = i;
          break;
        }
      }
      out.push(remaining.splice(pick, 1)[0]!);
    }
    // The last record needs no draw: skipping it keeps one draw per real choice.
    out.push(...remaining);
  }
  return out;
}

/** Fact sheet AMB-15: how targets of equal priority are ordered. */
export type SrvEqualPriority = 'rfc2782Random' | 'weightDescending' | 'recordOrder';

/**
 * Priority ascending; within a priority per `mode`: RFC 2782's weighted draw (orderSrv),
 * the vendor example's higher weight first (ties keep answer order; no draw), or answer order.
 */
export function orderSrvBy(records: readonly SrvRecord[], rng: Rng, mode: SrvEqualPriority): SrvRecord[] {
  if (mode === 'rfc2782Random') return orderSrv(records, rng);
  // Array.prototype.sort is stable: equal keys keep the answer's order.
  return [...records].sort((a, b) => a.priority - b.priority || (mode === 'weightDescending' ? b.weight - a.weight : 0));
}
