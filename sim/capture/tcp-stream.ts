/**
 * SIP over a TCP byte stream, cut back into messages (RFC 3261 §18.3: the Content-Length
 * header frames each message on a stream). One buffer per direction of a connection. With
 * sequence numbers (a capture), segments are put in order: retransmitted bytes are dropped,
 * early ones wait for the gap to fill; without (the model's one-segment-per-message TCP), bytes
 * append. Sequence wrap-around past 2^32 is not handled: a SIP exchange never gets near it.
 */
export class TcpStreams {
  private readonly flows = new Map<string, Flow>();

  /** A SYN starts the flow's byte count afresh (the SYN itself takes one sequence number). */
  syn(flow: string, seq: number): void {
    this.flows.set(flow, { next: (seq + 1) >>> 0, early: new Map(), buf: Buffer.alloc(0) });
  }

  /** Adds a segment's payload; returns the SIP messages it completes, as text. */
  push(flow: string, payload: Buffer, seq?: number): string[] {
    let f = this.flows.get(flow);
    if (!f) this.flows.set(flow, (f = { next: seq, early: new Map(), buf: Buffer.alloc(0) }));
    if (payload.length === 0) return [];
    if (seq === undefined || f.next === undefined) {
      f.buf = Buffer.concat([f.buf, payload]);
      if (seq !== undefined) f.next = (seq + payload.length) >>> 0;
    } else {
      f.early.set(seq, payload);
      this.drain(f);
    }
    return frames(f);
  }

  private drain(f: Flow): void {
    for (;;) {
      let progressed = false;
      for (const [seq, data] of f.early) {
        const next = f.next!;
        const end = seq + data.length;
        if (end <= next) f.early.delete(seq); // all already had: a retransmission
        else if (seq <= next) {
          f.buf = Buffer.concat([f.buf, data.subarray(next - seq)]);
          f.next = end >>> 0;
          f.early.delete(seq);
          progressed = true;
        }
      }
      if (!progressed) return;
    }
  }
}

interface Flow {
  next: number | undefined;
  early: Map<number, Buffer>;
  buf: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

function frames(f: Flow): string[] {
  const out: string[] = [];
  for (;;) {
    // CRLF keep-alives between messages (RFC 5626 §3.5.1) carry nothing.
    let start = 0;
    while (start + 1 < f.buf.length && f.buf[start] === 13 && f.buf[start + 1] === 10) start += 2;
    if (start > 0) f.buf = f.buf.subarray(start);
    const end = f.buf.indexOf(HEADER_END);
    if (end < 0) return out;
    const head = f.buf.toString('latin1', 0, end);
    const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
    const total = end + 4 + (m ? Number(m[1]) : 0);
    if (f.buf.length < total) return out;
    out.push(f.buf.toString('utf8', 0, total));
    f.buf = f.buf.subarray(total);
  }
}
