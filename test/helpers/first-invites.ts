import type { TraceEvent } from '../../sim/core/trace.js';
import { payloadText } from '../../sim/core/trace.js';

/** [t s, destination] of every first INVITE transmission of `phone` (retransmissions left out: one per branch). */
export function firstInvites(records: readonly TraceEvent[], phone: string): [number, string][] {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  for (const r of records) {
    if (r.kind !== 'net.send' || r.from !== phone || r.label !== 'INVITE') continue;
    const branch = /branch=([^;\r\n]+)/.exec(payloadText(r))?.[1] ?? '';
    if (seen.has(branch)) continue;
    seen.add(branch);
    out.push([r.t / 1e6, r.to]);
  }
  return out;
}
