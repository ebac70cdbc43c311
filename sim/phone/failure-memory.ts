import type { Clock, Micros } from '../core/clock.js';
import type { Located } from '../dns/server-locator.js';

/**
 * Model option A4 (failedServerMemory): addresses that failed recently are tried last by new
 * requests, for a while. With 0 s (the default) nothing is remembered and every new request
 * follows the failback order, paying the detection delay again on a dead primary.
 */
export class FailureMemory {
  private readonly until = new Map<string, Micros>();

  constructor(
    private readonly clock: Clock,
    private readonly memory: Micros,
  ) {}

  failed(a: Located): void {
    if (this.memory > 0) this.until.set(key(a), this.clock.now + this.memory);
  }

  succeeded(a: Located): void {
    this.until.delete(key(a));
  }

  /** Stable partition: addresses not remembered as failed first, then the remembered ones. */
  order(list: Located[]): Located[] {
    if (this.memory === 0 || this.until.size === 0) return list;
    const now = this.clock.now;
    const bad = (a: Located): boolean => (this.until.get(key(a)) ?? 0) > now;
    return [...list.filter((a) => !bad(a)), ...list.filter(bad)];
  }
}

function key(a: Located): string {
  return `${a.transport}:${a.ip}:${a.port}`;
}
