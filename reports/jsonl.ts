import type { TraceEvent } from '../sim/core/trace.js';

/**
 * The trace as JSON Lines: one record a line, `t` first and in seconds with microsecond
 * precision (t µs / 10⁶ prints exactly, e.g. 31.5), then `kind`, then the record's own fields.
 */
export function renderJsonl(records: readonly TraceEvent[]): string {
  let out = '';
  for (const r of records) {
    const { t, kind, ...rest } = r;
    // Durations in the JSONL are seconds like `t` (the in-memory trace keeps µs).
    if (r.kind === 'call.outcome' || r.kind === 'call.incoming') (rest as { setup: number }).setup = r.setup / 1_000_000;
    out += JSON.stringify({ t: t / 1_000_000, kind, ...rest }) + '\n';
  }
  return out;
}
