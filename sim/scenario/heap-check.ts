import { getHeapStatistics } from 'node:v8';
import { InputError } from '../core/input-error.js';
import type { Scenario } from './scenario.js';

/**
 * A fleet run holds ~9.5 KB of live model objects per phone (measured on the fleet bench at
 * 100,000 phones: ~0.95 GB after each full GC), and node's default heap limit is ~4 GB whatever
 * the machine has. A scenario that cannot fit would run for many minutes and then die in V8's
 * "Reached heap limit" abort, with no summary and nothing written. Checked before the run:
 * exit 2 with the figure and the flag that raises the limit. 10 KB per phone leaves V8's
 * garbage headroom out on purpose, so a run that might fit is never refused.
 */
export const LIVE_BYTES_PER_PHONE = 10_000;

export function checkHeapFits(s: Scenario, limitBytes = getHeapStatistics().heap_size_limit): void {
  const phones = s.phones.length;
  const need = phones * LIVE_BYTES_PER_PHONE;
  if (need <= limitBytes) return;
  const biggest = [...s.fleets].sort((a, b) => b.count - a.count)[0];
  const gb = (b: number): string => (b / 2 ** 30).toFixed(1);
  const mb = Math.ceil((need * 1.5) / 2 ** 20 / 1024) * 1024;
  throw new InputError(
    s.file,
    biggest?.line,
    biggest ? `fleets.${biggest.name}.count` : 'phones',
    `${phones.toLocaleString('en-US')} phones need about ${gb(need)} GB of heap (~${LIVE_BYTES_PER_PHONE / 1000} KB each), more than node's limit of ${gb(limitBytes)} GB: ` +
      `raise it, e.g. NODE_OPTIONS=--max-old-space-size=${mb} (MB; the machine needs that much memory free), or run fewer phones`,
  );
}
