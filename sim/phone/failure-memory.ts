import type { Clock, Micros } from '../core/clock.js';
import type { Located } from '../dns/server-locator.js';

/**
 * Addresses new requests should try last, for a while: those that failed recently (model option
 * A4, failedServerMemory; 0 s by default, so every new request follows the failback order and
 * pays the detection delay again on a dead primary), and those that answered 503 with
 * Retry-After, for that long whatever the option says (RFC 3261 §21.5.4).
 */
export class FailureMemory {
  private readonly until = new Map<string, Micros>();

  constructor(
    private readonly clock: Clock,
    private readonly memory: Micros,
  ) {}

  failed(a: Located, retryAfter?: Micros): void {
    const until = Math.max(this.memory > 0 ? this.clock.now + this.memory : 0, retryAfter !== undefined ? this.clock.now + retryAfter : 0);
    if (until > (this.until.get(key(a)) ?? 0)) this.until.set(key(a), until);
  }

  succeeded(a: Located): void {
    this.until.delete(key(a));
  }

  /** Stable partition: entries whose address is not remembered first, then the remembered ones. */
  order<T>(list: T[], address: (t: T) => Located): T[] {
    if (this.until.size === 0) return list;
    const now = this.clock.now;
    const bad = (t: T): boolean => (this.until.get(key(address(t))) ?? 0) > now;
    return [...list.filter((t) => !bad(t)), ...list.filter(bad)];
  }
}

function key(a: Located): string {
  return `${a.transport}:${a.ip}:${a.port}`;
}
