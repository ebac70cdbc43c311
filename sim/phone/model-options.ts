/**
 * Where the vendor text is ambiguous (shared/reference/redundancy.md, "Ambiguities"), the model
 * does not guess silently: each reading is a named option with a documented default.
 * Scenario files set them under `model:`, the CLI with `--model key=value`.
 */
export interface ModelOptions {
  /**
   * A2 — what bounds an INVITE to a server that is not the last in the list.
   * 'timer-b' (default): the seed's outgoing-call steps — no 100 Trying before 64·T1.
   * 'retry-counts': account.X.sip_server.Y.retry_counts retransmissions (read per retryCounts).
   * 'invite-retry-counts': account.X.sip_server.Y.invite_retry_counts retransmissions.
   * The last server always gets the full RFC 3261 timeout (R2).
   */
  inviteFailover: 'timer-b' | 'retry-counts' | 'invite-retry-counts';
  /**
   * A1 — how "retry N times" reads. 'retransmissions-then-wait' (default): N retransmissions
   * after the first send, and move on when the next retransmission would be due (N = 3 at
   * T1 = 0.5 s moves on at 7.5 s). 'retransmissions-then-move': move on right after the Nth
   * retransmission. 'sends-in-all': N sends in all, then move on when the next would be due.
   */
  retryCounts: 'retransmissions-then-wait' | 'retransmissions-then-move' | 'sends-in-all';
  /**
   * Renewal point when account.X.register_expires_overlap is -1 (the vendor leaves it
   * unspecified): renew at this fraction of the granted lifetime. Default 0.9.
   */
  refreshFraction: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  inviteFailover: 'timer-b',
  retryCounts: 'retransmissions-then-wait',
  refreshFraction: 0.9,
};

/** Allowed values per option, for validation and help text. */
export const MODEL_OPTION_VALUES: { [K in keyof ModelOptions]: readonly string[] | 'fraction' } = {
  inviteFailover: ['timer-b', 'retry-counts', 'invite-retry-counts'],
  retryCounts: ['retransmissions-then-wait', 'retransmissions-then-move', 'sends-in-all'],
  refreshFraction: 'fraction',
};
