import { payloadText, TraceEvent, TraceSink } from '../sim/core/trace.js';
import { ByteWriter, CHUNK, memoryWriter } from './byte-sink.js';

/**
 * The trace as JSON Lines, streamed: one record a line, `t` first and in seconds with
 * microsecond precision (t µs / 10⁶ prints exactly, e.g. 31.5), then `kind`, then the record's
 * own fields. Lines are batched and handed to the writer in chunks; call end() after the run.
 */
export class JsonlSink implements TraceSink {
  private pending = '';

  constructor(private readonly out: ByteWriter) {}

  write(r: TraceEvent): void {
    this.pending += jsonLine(r);
    if (this.pending.length >= CHUNK) this.flush();
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pending === '') return;
    this.out(Buffer.from(this.pending));
    this.pending = '';
  }
}

function jsonLine(r: TraceEvent): string {
  if (r.kind === 'net.send') {
    // Field order as the JSONL has always had it; the payload bytes become text only here.
    const { t, kind, id, from, to, proto, tcp, src, dst, encoding, icmp, label } = r;
    return JSON.stringify({
      t: t / 1_000_000, kind, id, from, to, proto, ...(tcp ? { tcp } : {}), src, dst,
      payload: payloadText(r), ...(encoding ? { encoding } : {}), ...(icmp ? { icmp } : {}), label,
    }) + '\n';
  }
  const { t, kind, ...rest } = r;
  // Durations in the JSONL are seconds like `t` (the trace keeps µs).
  if (r.kind === 'call.outcome' || r.kind === 'call.incoming') (rest as { setup: number }).setup = r.setup / 1_000_000;
  return JSON.stringify({ t: t / 1_000_000, kind, ...rest }) + '\n';
}

/** The whole JSONL of a list of records (tests, small traces). */
export function renderJsonl(records: readonly TraceEvent[]): string {
  const m = memoryWriter();
  const sink = new JsonlSink(m.write);
  for (const r of records) sink.write(r);
  sink.end();
  return m.bytes().toString('utf8');
}
