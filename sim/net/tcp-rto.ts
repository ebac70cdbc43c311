import type { Micros } from '../core/clock.js';

/**
 * Knobs of the message-level TCP model, one set per TcpNetwork. Defaults follow RFC 6298 for
 * the timer and Linux for the retry counts, because desk phones and SIP servers run Linux.
 */
export interface TcpOptions {
  /**
   * SYN retransmissions before connect gives up (Linux net.ipv4.tcp_syn_retries = 6): SYNs at
   * 0, 1, 3, 7, 15, 31, 63 s and onError('timeout') at 127 s. A SIP client transaction over TCP
   * usually gives up first (Timer B/F = 64·T1 = 32 s) — it then simply closes the connection.
   */
  synRetries: number;
  /**
   * Linux ≥ 6.5 tcp_syn_linear_timeouts: the first N SYN retransmissions are each followed by
   * the initial RTO again (no doubling), and connect allows synRetries + N retransmissions in
   * all. 0 (default here; Linux ships 4) is pure RFC 6298 doubling.
   */
  synLinearTimeouts: number;
  /** SYN-ACK retransmissions of a half-open passive connection (Linux tcp_synack_retries = 5). */
  synAckRetries: number;
  /**
   * Data/FIN retransmissions before the connection is dropped with onError('timeout') (Linux
   * tcp_retries2 = 15). With RFC 6298's 1 s floor and the 120 s cap that is 1207 s after the
   * first loss when no RTT sample lowered the RTO (Linux, with its 200 ms floor, ≈ 924.6 s).
   */
  dataRetries: number;
  /** RFC 6298 §2.1: the RTO before any RTT sample, 1 s. */
  initialRto: Micros;
  /** RFC 6298 §2.4: computed RTOs are rounded up to 1 s (Linux uses 200 ms; we keep the RFC). */
  minRto: Micros;
  /** RFC 6298 §2.5 allows a cap of ≥ 60 s; Linux TCP_RTO_MAX is 120 s. */
  maxRto: Micros;
  /** RFC 6298 §5.7: a SYN was retransmitted and no RTT sample exists ⇒ data starts with RTO 3 s. */
  fallbackRto: Micros;
  /** Clock granularity G of RFC 6298 §2 (1 ms; irrelevant while minRto = 1 s). */
  granularity: Micros;
  /** TIME-WAIT (2·MSL) of the side that closed first; Linux TCP_TIMEWAIT_LEN = 60 s. */
  timeWait: Micros;
}

export const DEFAULT_TCP_OPTIONS: Readonly<TcpOptions> = Object.freeze({
  synRetries: 6,
  synLinearTimeouts: 0,
  synAckRetries: 5,
  dataRetries: 15,
  initialRto: 1_000_000,
  minRto: 1_000_000,
  maxRto: 120_000_000,
  fallbackRto: 3_000_000,
  granularity: 1_000,
  timeWait: 60_000_000,
});

/**
 * RFC 6298 retransmission timeout, in integer µs: SRTT/RTTVAR smoothing with α = 1/8, β = 1/4,
 * RTO = SRTT + max(G, 4·RTTVAR) clamped to [minRto, maxRto], doubled on every expiry (§5.5)
 * and kept backed off until the next valid sample (Karn: samples never come from
 * retransmitted segments — the caller enforces that).
 */
export class RtoEstimator {
  private srtt: Micros | undefined;
  private rttvar: Micros = 0;
  private _rto: Micros;

  constructor(private readonly o: TcpOptions) {
    this._rto = o.initialRto;
  }

  /** The timeout to arm the retransmission timer with now. */
  get rto(): Micros {
    return this._rto;
  }

  get smoothedRtt(): Micros | undefined {
    return this.srtt;
  }

  /** RFC 6298 §2.2 (first sample) and §2.3 (later samples). */
  sample(r: Micros): void {
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = Math.round(r / 2);
    } else {
      this.rttvar = Math.round((3 * this.rttvar + Math.abs(this.srtt - r)) / 4);
      this.srtt = Math.round((7 * this.srtt + r) / 8);
    }
    const rto = this.srtt + Math.max(this.o.granularity, 4 * this.rttvar);
    this._rto = Math.min(this.o.maxRto, Math.max(this.o.minRto, rto));
  }

  /** RFC 6298 §5.5: the timer expired — double, up to the cap. */
  backOff(): void {
    this._rto = Math.min(this.o.maxRto, this._rto * 2);
  }

  /** RFC 6298 §5.7: the handshake needed a retransmission and gave no sample. */
  fallback(): void {
    if (this.srtt === undefined) this._rto = this.o.fallbackRto;
  }
}
