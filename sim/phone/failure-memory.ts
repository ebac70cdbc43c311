import { noEntries, withEntry, withoutEntry } from '../core/sparse-map.js';
import type { Clock, Micros } from '../core/clock.js';
import { formatDuration } from '../core/time.js';
import type { Located } from '../dns/server-locator.js';
import type { ServerListModelOptions } from './options/server-list.js';

export type RequestKind = 'register' | 'invite';

/**
 * What new requests remember of failed addresses:
 * - tried last, for a while: those that failed recently (model option A4, failedServerMemory;
 *   0 s by default, so every new request follows the failback order and pays the detection delay
 *   again on a dead primary), and — with retryAfter = 'tryLast' — those that answered 503 with
 *   Retry-After, for that long;
 * - skipped (held off): with retryAfter = 'honour' (default, AMB-23 ★, RFC 3261 §21.5.4 "SHOULD
 *   NOT forward requests to that server for the Retry-After duration") an address that answered
 *   503 with Retry-After is left out of new requests until the Retry-After is over;
 *   'honourForRegisterOnly' leaves it out of REGISTERs only; 'ignore' keeps no trace of it.
 */
export class FailureMemory {
  private lastUntil = noEntries<string, Micros>();
  private heldUntil = noEntries<string, Micros>();

  constructor(
    private readonly clock: Clock,
    private readonly memory: Micros,
    private readonly retryAfter: ServerListModelOptions['retryAfter'] = 'honour',
    /** AMB-06 failedServerMemoryUntil = dnsTtl: a failed address is tried last until its DNS answer runs out. */
    private readonly dnsExpiry?: (a: Located) => Micros | undefined,
  ) {}

  failed(a: Located, retryAfter?: Micros): void {
    const now = this.clock.now;
    const ra = retryAfter !== undefined && retryAfter > 0 ? now + retryAfter : 0;
    const hold = this.retryAfter === 'honour' || this.retryAfter === 'honourForRegisterOnly';
    const ttl = this.dnsExpiry?.(a) ?? 0;
    this.lastUntil = later(this.lastUntil, key(a), Math.max(this.memory > 0 ? now + this.memory : 0, this.retryAfter === 'tryLast' ? ra : 0, ttl));
    if (hold) this.heldUntil = later(this.heldUntil, key(a), ra);
  }

  succeeded(a: Located): void {
    this.lastUntil = withoutEntry(this.lastUntil, key(a));
    this.heldUntil = withoutEntry(this.heldUntil, key(a));
  }

  /**
   * The list a new request of `kind` walks: held-off entries left out (returned apart, with the
   * instant their Retry-After ends), then a stable partition — not remembered first, remembered last.
   */
  order<T>(list: T[], address: (t: T) => Located, kind: RequestKind): { ordered: T[]; held: { entry: T; until: Micros }[] } {
    if (this.lastUntil.size === 0 && this.heldUntil.size === 0) return { ordered: list, held: [] };
    const now = this.clock.now;
    const holds = this.retryAfter === 'honour' || (this.retryAfter === 'honourForRegisterOnly' && kind === 'register');
    const held: { entry: T; until: Micros }[] = [];
    const open: T[] = [];
    for (const t of list) {
      const until = holds ? (this.heldUntil.get(key(address(t))) ?? 0) : 0;
      if (until > now) held.push({ entry: t, until });
      else open.push(t);
    }
    const bad = (t: T): boolean => (this.lastUntil.get(key(address(t))) ?? 0) > now;
    return { ordered: [...open.filter((t) => !bad(t)), ...open.filter(bad)], held };
  }
}

/** The trace reason for one held-off address. */
export function heldReason(name: string, until: Micros, mode: ServerListModelOptions['retryAfter']): string {
  return `skipped ${name}: its 503 Retry-After holds it off until ${formatDuration(until)} (model option retryAfter = ${mode})`;
}

function later(map: Map<string, Micros>, k: string, until: Micros): Map<string, Micros> {
  return until > (map.get(k) ?? 0) ? withEntry(map, k, until) : map;
}

function key(a: Located): string {
  return `${a.transport}:${a.ip}:${a.port}`;
}
