import type { TcpPacket } from './tcp-types.js';

/** Sequence space a segment occupies: its payload, +1 for a FIN. */
export function seqLength(seg: TcpPacket): number {
  return seg.wire.length + (seg.flags.includes('F') ? 1 : 0);
}

/**
 * The receiving half of a TcpConnection: the next octet expected and the out-of-order segments
 * held until the gap before them fills. Sequence numbers are relative to the peer's ISN.
 */
export class Reassembly {
  /** Relative: next octet expected. */
  rcvNxt = 0;
  /** Out-of-order segments by relative sequence number. */
  private readonly held = new Map<number, TcpPacket>();

  /**
   * A segment at relative `rel`: in order, it and every held segment it makes contiguous, in
   * order (rcvNxt moved past them); 'ahead' when a gap is before it (it is held); 'old' when it
   * was had already.
   */
  take(seg: TcpPacket, rel: number): TcpPacket[] | 'ahead' | 'old' {
    if (rel > this.rcvNxt) {
      if (!this.held.has(rel)) this.held.set(rel, seg);
      return 'ahead';
    }
    if (rel < this.rcvNxt) return 'old';
    const ready = [seg];
    this.rcvNxt += seqLength(seg);
    for (let next = this.held.get(this.rcvNxt); next; next = this.held.get(this.rcvNxt)) {
      this.held.delete(this.rcvNxt);
      ready.push(next);
      this.rcvNxt += seqLength(next);
    }
    return ready;
  }

  clear(): void {
    this.held.clear();
  }
}
