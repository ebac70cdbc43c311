import { DNS_DEFAULTS, DNS_SPECS, type DnsModelOptions } from './options/dns.js';
/**
 * Where the vendor text is ambiguous (shared/reference/redundancy.md, "Ambiguities"), the model
 * does not guess silently: each reading is a named option with a documented default.
 * Scenario files set them under `model:`, the CLI with `--model key=value`.
 */
import { SERVER_LIST_DEFAULTS, SERVER_LIST_SPECS, type ServerListModelOptions } from './options/server-list.js';
import { FAILBACK_DEFAULTS, FAILBACK_SPECS, type FailbackModelOptions } from './options/failback.js';

/**
 * Every model option. Options added for the fact sheet's ambiguities (AMB-xx) live in
 * sim/phone/options/<area>.ts, one file per area, each exporting its interface, defaults and
 * specs; they are joined here.
 */
export interface ModelOptions extends BaseModelOptions, DnsModelOptions, ServerListModelOptions, FailbackModelOptions {}

interface BaseModelOptions {
  /**
   * A2 — what bounds an INVITE to a server that is not the last in the list.
   * 'timer-b' (default): the seed's outgoing-call steps — no 100 Trying before 64·T1.
   * 'retry-counts': account.X.sip_server.Y.retry_counts retransmissions (read per retryCounts).
   * 'invite-retry-counts' (AMB-02's ★ inviteRetryCounts): account.X.sip_server.Y.invite_retry_counts
   * retransmissions (read per retryCounts). 'min-timer-b-counts' (the sheet's min(timerB, counts)):
   * whichever ends first, Timer B or the invite_retry_counts bound — the same as
   * invite-retry-counts under the readings that count retransmissions (Timer B runs in every
   * transaction, so invite_retry_counts ≥ 6 at T1 0.5 s ends at Timer B under both); it differs
   * under retryCounts = transactions: one transaction, to Timer B, instead of N whole ones.
   * The last server always gets the full RFC 3261 timeout (R2).
   */
  inviteFailover: 'timer-b' | 'retry-counts' | 'invite-retry-counts' | 'min-timer-b-counts';
  /**
   * A1 / AMB-01 — how "retry N times" reads for an address that is not the last of the list.
   * 'retransmissions-then-wait' (default, ★ retransmissions): N retransmissions after the first
   * send, and move on when the next retransmission would be due (N = 3 at T1 = 0.5 s moves on at
   * 7.5 s). 'retransmissions-then-move' (retransmissionsImmediate): move on right after the Nth
   * retransmission (3.5 s). 'sends-in-all' (totalSends): N sends in all, then move on when the
   * next would be due (3.5 s). 'transactions': N whole transactions to the address, each ended by
   * its Timer B/F (64·T1), before moving on (3 × 32 s = 96 s); a 503 or transport error still
   * moves on at once. 'ignored': retry_counts has no effect — every address gets the full 64·T1.
   * N = 0 is read by retryCountZero.
   */
  retryCounts: 'retransmissions-then-wait' | 'retransmissions-then-move' | 'sends-in-all' | 'transactions' | 'ignored';
  /**
   * Renewal point when account.X.register_expires_overlap is -1 (the vendor leaves it
   * unspecified): renew at this fraction of the granted lifetime. Default 0.9.
   */
  refreshFraction: number;
  /**
   * AMB-26's last clause: the renewal point is "always based on the expires granted by the
   * server ★" — the vendor notes that the negotiated value may differ from the one configured.
   * 'granted' (default, ★): register_expires_overlap or refreshFraction applies to the 200's
   * expires; 'requested': to the account's own sip_server.Y.expires, whatever the server granted
   * (a registrar granting less than asked then lets the binding lapse before the renewal).
   */
  refreshBase: 'granted' | 'requested';
  /**
   * Explicit overrides of the phone's resolver timing: seconds per try and rounds over the DNS
   * servers. 0 (default) = not set: static.network.dns.query_timeout (3 s) and retry_times (2)
   * decide (fact sheet B20, model option dnsQueryTiming). Scenarios written before those keys
   * were modelled set glibc's 5 / 2 here and keep that timing.
   */
  dnsTimeout: number;
  dnsAttempts: number;
  /**
   * TCP connect: SYN retransmissions before giving up (RFC 6298 back-off 1, 2, 4 … s). Default 6,
   * Linux's tcp_syn_retries (gives up 127 s after the first SYN); a SIP transaction's Timer B/F
   * (64·T1) usually ends the attempt first.
   */
  tcpSynRetries: number;
  /** TLS handshake: '1.2' (default, two round trips after TCP) or '1.3' (one). */
  tlsVersion: '1.2' | '1.3';
  /**
   * A3 / AMB-05 — is server 2 part of every call's list? 'append' (default, ★ flatList): server 1's
   * addresses, then server 2, as the seed's outgoing-call steps read. 'registration-only'
   * (fallbackViaRegistrationOnly): calls use server 1's addresses only, and server 2 only while it
   * is the working server (server 1 unregistered). 'fallbackOnlyIfRegistered': server 2 ends the
   * list only while the phone holds a registration there (concurrent mode; e.g. its registration
   * failed: server 1's addresses only).
   */
  fallbackInCallList: 'append' | 'registration-only' | 'fallbackOnlyIfRegistered';
  /**
   * A4 — with failback mode 0, does a new request pay the full detection delay on a primary
   * that just failed? Seconds an address that failed is remembered and tried last. Default 0
   * (no memory: every new request tries the primary first, as "newRequests" reads).
   */
  failedServerMemory: number;
  /**
   * A5 / AMB-11 — concurrent registration, server 1's registration failed: 'primary-first'
   * (default, the seed's step 1; the sheet's tryWorkingFirst) every call still tries server 1
   * first; 'working-first' (the sheet's ★ useRegisteredServer) calls go to the working server
   * (server 2, while registered) first, then server 1. 'useFallbackUntilWorkingReRegisters': from
   * server 1's failed registration until it registers again, calls go to server 2 only — whether
   * or not server 2 is registered, and server 1 is not tried even when server 2 fails the call.
   */
  concurrentCallRouting: 'primary-first' | 'working-first' | 'useFallbackUntilWorkingReRegisters';
  /**
   * A6 — successive registration: what declares the working server failed. 'registration'
   * (default): a failed registration (the seed: "in a failure situation, the phone registers to
   * the fallback server" under Registration Method). 'registration-or-call': a call that had to
   * leave server 1 does too.
   */
  successiveTrigger: 'registration' | 'registration-or-call';
  /**
   * Seconds a call may ring (Proceeding, no final answer) before the phone gives up with CANCEL.
   * The vendor does not say; default 180 s, RFC 3261's Timer C minimum (§16.6), so a server that
   * dies after 180 Ringing cannot leave a call ringing for ever.
   */
  noAnswerTimeout: number;
  /**
   * Linux ≥ 6.5's net.ipv4.tcp_syn_linear_timeouts: the first N SYN retransmissions keep the
   * initial RTO (1 s) instead of doubling, and N more retransmissions are allowed before the
   * connect gives up (tcp_write_timeout adds N to tcp_syn_retries). N = 2: SYN gaps 1, 1, 1, 2,
   * 4 … s. Default 0 — pure RFC 6298 doubling (Linux before 6.5, and this model's seed); Linux
   * 6.5+ ships 4.
   */
  tcpSynLinearTimeouts: number;
  /**
   * What a TCP/TLS connect still pending when its SIP transaction times out (Timer B/F) becomes.
   * 'abandon' (default, the seed's model): the stack closes the socket, the next request starts
   * a fresh connect. 'keep': as a kernel socket does, the SYN back-off goes on (the timed-out
   * request is dropped from the stack's queue), and the next request to that address waits on
   * that connection — until it connects or tcpSynRetries gives up.
   */
  tcpConnectOnTimeout: 'abandon' | 'keep';
  /**
   * AMB-17 — when a static DNS cache entry's TTL starts to count. 'atFirstUse' (default, the
   * fact sheet's proposal, Polycom-like): the first lookup that uses it. 'atBoot': the phone's
   * boot. 'perLookup': afresh at every lookup, so static entries never expire.
   */
  staticCacheTtlClock: 'atFirstUse' | 'atBoot' | 'perLookup';
}

const BASE_DEFAULTS: BaseModelOptions = {
  inviteFailover: 'timer-b',
  retryCounts: 'retransmissions-then-wait',
  refreshFraction: 0.9,
  refreshBase: 'granted',
  dnsTimeout: 0,
  dnsAttempts: 0,
  tcpSynRetries: 6,
  tlsVersion: '1.2',
  fallbackInCallList: 'append',
  failedServerMemory: 0,
  concurrentCallRouting: 'primary-first',
  successiveTrigger: 'registration',
  noAnswerTimeout: 180,
  tcpSynLinearTimeouts: 0,
  tcpConnectOnTimeout: 'abandon',
  staticCacheTtlClock: 'atFirstUse',
};

export type ModelOptionSpec =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'number'; min: number; max: number; integer: boolean; minExclusive?: boolean };

/** What each option accepts, for validation (scenario `model:` and `--model`) and help text. */
const BASE_SPECS: { [K in keyof BaseModelOptions]: ModelOptionSpec } = {
  inviteFailover: { kind: 'enum', values: ['timer-b', 'retry-counts', 'invite-retry-counts', 'min-timer-b-counts'] },
  retryCounts: { kind: 'enum', values: ['retransmissions-then-wait', 'retransmissions-then-move', 'sends-in-all', 'transactions', 'ignored'] },
  // At least 0.1: a phone renewing more than ten times per lifetime is no reading of the vendor
  // text, and tiny fractions turn a run into a REGISTER storm (1e-6 renews every few ms).
  refreshFraction: { kind: 'number', min: 0.1, max: 1, integer: false },
  refreshBase: { kind: 'enum', values: ['granted', 'requested'] },
  dnsTimeout: { kind: 'number', min: 0, max: 60, integer: false },
  dnsAttempts: { kind: 'number', min: 0, max: 5, integer: true },
  tcpSynRetries: { kind: 'number', min: 0, max: 10, integer: true },
  tlsVersion: { kind: 'enum', values: ['1.2', '1.3'] },
  fallbackInCallList: { kind: 'enum', values: ['append', 'registration-only', 'fallbackOnlyIfRegistered'] },
  failedServerMemory: { kind: 'number', min: 0, max: 86400, integer: false },
  concurrentCallRouting: { kind: 'enum', values: ['primary-first', 'working-first', 'useFallbackUntilWorkingReRegisters'] },
  successiveTrigger: { kind: 'enum', values: ['registration', 'registration-or-call'] },
  noAnswerTimeout: { kind: 'number', min: 10, max: 3600, integer: false },
  // Linux caps the sysctl at 20 (tcp_syn_linear_timeouts_max).
  tcpSynLinearTimeouts: { kind: 'number', min: 0, max: 20, integer: true },
  tcpConnectOnTimeout: { kind: 'enum', values: ['abandon', 'keep'] },
  staticCacheTtlClock: { kind: 'enum', values: ['atFirstUse', 'atBoot', 'perLookup'] },
};

export const DEFAULT_MODEL_OPTIONS: ModelOptions = { ...BASE_DEFAULTS, ...DNS_DEFAULTS, ...SERVER_LIST_DEFAULTS, ...FAILBACK_DEFAULTS };

export const MODEL_OPTION_SPECS: { [K in keyof ModelOptions]: ModelOptionSpec } = { ...BASE_SPECS, ...DNS_SPECS, ...SERVER_LIST_SPECS, ...FAILBACK_SPECS };

/** "timer-b|retry-counts|…" or "0..1" — one option's accepted values in words. */
export function describeSpec(spec: ModelOptionSpec): string {
  if (spec.kind === 'enum') return spec.values.join('|');
  return `${spec.integer ? 'integer ' : ''}${spec.minExclusive ? '>' : ''}${spec.min}..${spec.max}`;
}

/** Checks one value; returns the parsed value or what was expected. */
export function checkModelValue(spec: ModelOptionSpec, raw: string | number): { value: string | number } | { expected: string } {
  if (spec.kind === 'enum') {
    const v = String(raw);
    return spec.values.includes(v) ? { value: v } : { expected: `one of ${spec.values.join(', ')}` };
  }
  const n = typeof raw === 'number' ? raw : raw.trim() === '' ? NaN : Number(raw);
  const ok = Number.isFinite(n) && (spec.minExclusive ? n > spec.min : n >= spec.min) && n <= spec.max && (!spec.integer || Number.isInteger(n));
  return ok ? { value: n } : { expected: `a${spec.integer ? 'n integer' : ' number'} from ${spec.minExclusive ? 'above ' : ''}${spec.min} to ${spec.max}` };
}
