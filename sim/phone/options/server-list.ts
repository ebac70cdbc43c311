/**
 * Model options of the server list area (fact sheet B1–B6, B9, B12–B15, B21–B24): how the
 * failover list is built and walked. Joined into ModelOptions in sim/phone/model-options.ts.
 * Mapping of every B-rule and AMB of this area to options and keys: docs/fact-sheet/server-list.md.
 */
import type { ModelOptionSpec } from '../model-options.js';
import type { IcmpHandling } from '../../sip/transaction-user.js';
import type { ProvisionalFailover } from '../call-machine.js';
import type { ConnectOptions } from '../../net/tcp-network.js';

export interface ServerListModelOptions {
  /**
   * AMB-32 / B9 — with sip.skip_redundant_failover_addr = 1, which list entries count as the
   * same server and are skipped after the first. 'ip' (default, the sheet's ★ and the vendor
   * text "servers whose IP address differs"): an entry whose IP was already in the list, whatever
   * its port or transport — also server 2 equal to one of server 1's SRV targets. 'ip:port' and
   * 'ip:port:transport': narrower keys. With the key set to 0 no entry is skipped, except exact
   * ip:port:transport repeats inside one SRV walk (RFC 3263 location never yields those twice).
   */
  skipRedundantAddr: 'ip' | 'ip:port' | 'ip:port:transport';
  /**
   * AMB-23 — a 503 with Retry-After (vendor guides are silent). 'honour' (default, the sheet's ★,
   * RFC 3261 §21.5.4): new requests leave that address out until the Retry-After is over (a
   * request with no other address fails at once), and a failed registration is retried after the
   * Retry-After instead of reg_fail_retry_interval (or the back-off) — shorter or longer (AMB-24:
   * "a 503 Retry-After overrides the wait ★ yes"). 'honourForRegisterOnly': so for REGISTERs;
   * INVITEs disregard it. 'tryLast' (this model's reading before the option): the address is
   * tried last for the Retry-After, and the retry waits max(interval, Retry-After). 'ignore':
   * fail over once; the next request tries the address again, the retry waits the interval.
   */
  retryAfter: 'honour' | 'honourForRegisterOnly' | 'tryLast' | 'ignore';
  /**
   * AMB-24 — the wait after a failed registration. The guide: reg_fail_retry_interval applies
   * when reg_failed_retry_min_time and max_time are both 0, but their defaults are 0 and 60.
   * 'fixedInterval' (default, ★): a 0 in either reads as "back-off off" — wait the interval;
   * with both non-zero, RFC 5626's back-off (50–100 % of min(max, min·2ⁿ)). 'rfc5626MinMax': the
   * back-off always, from min/max as set — min 0 gives W = 0, floored at 1 s so a failure that
   * comes at once cannot spin (as reg_fail_retry_interval = 0 is read). 'rfc5626IntervalBase':
   * the back-off with base reg_fail_retry_interval and cap max(max_time, interval).
   */
  regRetryPolicy: 'fixedInterval' | 'rfc5626MinMax' | 'rfc5626IntervalBase';
  /**
   * AMB-24 — "after all servers failed, restart at the primary ★ or at the last one tried": where
   * the retry of a registration whose every address failed starts. 'primary' (default, ★): at the
   * top of the server's list (in its failback order), as every attempt. 'lastTried': at the address
   * tried last, then on down the list, wrapping round (the entry now last gets the full timeout).
   * Per configured server: each sip_server.Y's agent walks its own addresses.
   */
  regRetryRestart: 'primary' | 'lastTried';
  /**
   * AMB-25 — sip.reg_surge_prevention = N (web label "Registration Random"). 'uniform' (default,
   * ★): registration starts a uniform random 0..N s after boot, one draw for all the phone's
   * accounts (★). 'uniformPerAccount': one draw per account (account 1 keeps the phone's).
   * 'fixed': exactly N s.
   */
  bootDelay: 'uniform' | 'uniformPerAccount' | 'fixed';
  /**
   * AMB-22 — a UDP ICMP port-unreachable answering a request. 'failServerNow' (default, ★,
   * RFC 3261 §8.1.3.1 / §18.4: a fatal transport error, handled as a 503): the address has failed
   * at once and the next one is tried. 'countAsOneRetry': each ICMP uses up one retry of the
   * address's retry bound (retry_counts, read as retryCounts says), so a bounded address gives up
   * sooner; an unbounded one (the last address, an INVITE under inviteFailover = timer-b) waits
   * Timer B/F. 'ignore': the ICMP changes nothing — the address is treated as silent.
   */
  icmpHandling: IcmpHandling;
  /**
   * AMB-03 — an INVITE after its 100 Trying / 180 (RFC 3261: Timer B no longer runs). 'rfc'
   * (default, ★): no timeout of the server; a later 503 (or transport error) still fails over,
   * and a call ringing for noAnswerTimeout is given up with CANCEL, without failover. 'appTimer':
   * the phone gives the server noAnswerTimeout after the 1xx (the model option of that name), then
   * CANCELs and tries the next server. 'noFailoverAfter1xx': once a 1xx came, a 503 or transport
   * error ends the call.
   */
  provisionalStopsFailover: ProvisionalFailover;
  /**
   * AMB-04 — which entries of a call's list are "the last server" that gets the full RFC 3261
   * timeout (B3) instead of the retry_counts bound (bounds apply to INVITEs only when inviteFailover
   * is not timer-b). 'lastOfCombinedList' (default, ★): the very last entry only (usually server 2).
   * 'lastOfServer1Addresses': also server 1's last address. 'perServerLast': the last address of
   * each configured server, wherever it stands. A REGISTER walks one configured server's addresses,
   * whose last always gets the full timeout, under every reading.
   */
  lastServerScope: 'lastOfCombinedList' | 'lastOfServer1Addresses' | 'perServerLast';
  /**
   * AMB-35 — B6: "it repeats the registration the configured number of times". 'retryCounts'
   * (default, the sheet's ★): a failed registration is repeated sip_server.Y.retry_counts times,
   * reg_fail_retry_interval (or the back-off / Retry-After) apart; when the last repeat fails the
   * account stays failed — no more REGISTERs until the phone boots again. A successive-mode probe
   * of server 1 (every fallback.timeout, B14) is never bounded. 'unbounded' (the model before the
   * ★ became the default): retried for ever. Bundled 09-dns-down-at-boot and 27-registration-storm
   * set it: their phones keep retrying until DNS / the server lets them in (under the ★, 09's
   * phone gives up at 1m48s, and 3,143 of 27's 20,000 phones give up during the storm).
   */
  registrationRetryScope: 'retryCounts' | 'unbounded';
  /**
   * AMB-13 — successive mode (B14): the REGISTER probe of server 1 every fallback.timeout while on
   * the fallback. Target: 'primaryOnly' (default, ★) — server 1's first address only;
   * 'wholeServer1List' — down server 1's whole list as a registration does (the model before the
   * option; the same when server 1 is one address). First probe: 'afterTimeout' (default, ★) —
   * fallback.timeout after server 1 failed; 'immediately' — as soon as the fallback registered.
   */
  successiveProbeTarget: 'primaryOnly' | 'wholeServer1List';
  successiveProbeFirst: 'afterTimeout' | 'immediately';
  /**
   * AMB-13 — a probe of server 1 succeeded. 'switchBackImmediately' (default, ★): server 1 is the
   * working server at once and the fallback registration is dropped (left to lapse, no
   * un-REGISTER). 'waitForNextRefresh': the fallback keeps call control (working server, calls)
   * until its registration's next renewal falls due; then, instead of renewing, the phone switches.
   */
  successiveSwitchBack: 'switchBackImmediately' | 'waitForNextRefresh';
  /**
   * AMB-06 — failback mode 0: how long new requests remember an address that failed (tried last).
   * 'seconds' (default): model option failedServerMemory seconds — 0, the sheet's ★ noMemory,
   * unless set (N s ≈ rememberForRetryAfter). 'dnsTtl' (rememberForDnsTtl): also until the DNS
   * answer that gave the address runs out (its list's shortest TTL); IP literals are not remembered.
   */
  failedServerMemoryUntil: 'seconds' | 'dnsTtl';
  /**
   * AMB-01 sub-option — what retry_counts = 0 means for an address that is not the last, under
   * every retryCounts reading but 'ignored'. 'failAtFirstT1' (default, ★): the address has failed
   * when its first retransmission would be due (T1, 0.5 s). 'noWait': right after the first send.
   * 'fullTimeout': the full Timer B/F, as if it were the last. (Before this option, 0 read as
   * failAtFirstT1 except under retryCounts = retransmissions-then-move, which read it as noWait.)
   */
  retryCountZero: 'failAtFirstT1' | 'noWait' | 'fullTimeout';
  /**
   * AMB-01's other sub-question: "whether the count restarts per request or is shared across
   * requests to the same server" (no ★ in the sheet). 'perRequest' (default; the model before the
   * option and RFC 3261's transactions, each with its own timers): every request to an address
   * gets the whole retry_counts bound. 'perServer': the retries an address has cost without
   * answering add up across requests — a REGISTER that used its 3 retransmissions on a silent
   * sip1 leaves a call placed next 0 of 3 (it moves on when its first retransmission would be
   * due, T1) — until the address answers anything (sim/sip/retry-ledger.ts). UDP only: TCP/TLS
   * retransmit nothing.
   */
  retryCountScope: 'perRequest' | 'perServer';
  /**
   * AMB-13 `unregisterFallback` — successive mode, switching back to server 1 (at once, or at the
   * fallback's renewal under waitForNextRefresh): is the fallback binding removed? 'no' (default;
   * the sheet gives no ★, and this is the model before the option): it is left to lapse at the
   * fallback server, which can still place calls to the phone until it expires. 'yes': an
   * un-REGISTER (the registration's REGISTER with Expires: 0, RFC 3261 §10.2.2) goes to the
   * fallback address as the phone switches; its answer changes nothing on the phone.
   */
  unregisterFallback: 'no' | 'yes';
  /**
   * AMB-31 (c) — account.X.outbound_proxy_fallback_interval, registered through proxy 2.
   * 'periodicRegisterProbe' (default, ★; the model before the option): a REGISTER walks from
   * proxy 1 every interval — after every probe that ends on proxy 2 again, and after every renewal
   * through proxy 2. 'oneShot' (one-shot return): one such REGISTER, the interval after the
   * registration moved to proxy 2; if it ends on proxy 2, no other follows until the registration
   * has been through proxy 1 (or lost) and moves to proxy 2 again.
   */
  proxyFallbackReturn: 'periodicRegisterProbe' | 'oneShot';
  /**
   * AMB-31 (d) — are outbound proxies 1 and 2 a failover pair (retry counts, failback modes) and a
   * fallback pair (outbound_proxy_fallback_interval)? 'both' (default, ★: the sources imply both;
   * the model before the option): every proxy address but the last is bounded by retry_counts, new
   * requests follow the failback mode, and the interval probe runs. 'failoverOnly': the interval
   * has no effect (no probe of proxy 1). 'fallbackOnly': no retry_counts bound (every proxy address
   * gets the full Timer B/F) and no failback mode: while registered through proxy 2, calls and
   * renewals go through proxy 2 first; only the interval probe walks from proxy 1 again.
   */
  proxyPairRole: 'both' | 'failoverOnly' | 'fallbackOnly';
  /**
   * AMB-31 (a) — "does the proxy list replace server 1/2 as the failover list for all requests ★,
   * or only for non-REGISTER?" 'allRequests' (default, ★): REGISTERs too go through the proxies.
   * 'nonRegisterOnly': REGISTERs go to servers 1/2 themselves (located and failed over as without
   * proxies; outbound_proxy_fallback_interval and proxyPairRole then concern no REGISTER), while
   * calls and subscriptions go through the proxies.
   */
  proxyScope: 'allRequests' | 'nonRegisterOnly';
  /**
   * AMB-21 — a TCP/TLS connect whose SYNs go unanswered: when does the phone call the server failed?
   * 'sipTimer' (default, ★; the model before the option): the request's Timer B/F (64·T1, 32 s)
   * ends the attempt; the SYN schedule is tcpSynRetries / tcpSynLinearTimeouts. The others make
   * the phone wait for the connect: the transaction's Timer B/F starts only once the connection is
   * up, and a connect that is given up is a transport error then. Named kernel schedules (fact
   * sheet §4.6; they replace tcpSynRetries / tcpSynLinearTimeouts for the phones' connects):
   * 'kernel127' — Linux ≤ 6.4, 6 SYN retries: SYNs at 0, 1, 3, 7, 15, 31, 63 s, fails at 127 s;
   * 'kernel131' — Linux ≥ 6.5, + 4 linear timeouts: 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s, fails at 131 s;
   * 'kernel63' — Linux 3.1–3.6, 5 retries: 0, 1, 3, 7, 15, 31 s, fails at 63 s;
   * 'kernel189' — Linux < 3.1, 3 s initial RTO, 5 retries: 0, 3, 9, 21, 45, 93 s, fails at 189 s.
   * 'appTimeout': the phone's own connect timer, tcpAppConnectTimeout seconds after the first SYN
   * (the SYNs follow tcpSynRetries / tcpSynLinearTimeouts, which may give up first).
   * A RST fails the connect at once under every reading.
   */
  tcpConnectFailure: 'sipTimer' | 'kernel127' | 'kernel131' | 'kernel63' | 'kernel189' | 'appTimeout';
  /** AMB-21 `appTimeout(seconds)`: the phone's connect timeout under tcpConnectFailure = appTimeout. Default 10 s. */
  tcpAppConnectTimeout: number;
  /**
   * AMB-21 — what retry_counts means on TCP/TLS, where a transaction never retransmits.
   * 'ignoredOnTcp' (default, ★; the model before the option): nothing — a failed connect (RST, or
   * given up per tcpConnectFailure) fails the address at once. 'connectAttempts': a connect that
   * fails before the connection was ever up is tried again on a new connection, with the same
   * request in a new transaction (new branch), as many times as the address's retry bound allows
   * (retry_counts as retryCounts reads it; none for the last address, which has no bound, nor for
   * an INVITE under inviteFailover = timer-b); then the walk moves on. Traced in the new
   * transaction's first state change.
   */
  tcpRetryCounts: 'ignoredOnTcp' | 'connectAttempts';
  /**
   * AMB-21 — an ICMP host unreachable (scenario mode host-unreachable) for the phone's SYN.
   * 'immediate' (default, ★; Linux tcp_v4_err): the connect fails at once — a transport error,
   * the next address. 'softError' (RFC 1122 §4.2.3.9: codes 0, 1, 5 are soft): the SYNs go on
   * and the connect fails as tcpConnectFailure says (sipTimer: Timer B/F, 32 s for a REGISTER).
   */
  tcpSynIcmp: 'immediate' | 'softError';
}

export const SERVER_LIST_DEFAULTS: ServerListModelOptions = {
  skipRedundantAddr: 'ip',
  retryAfter: 'honour',
  regRetryPolicy: 'fixedInterval',
  regRetryRestart: 'primary',
  bootDelay: 'uniform',
  icmpHandling: 'failServerNow',
  provisionalStopsFailover: 'rfc',
  lastServerScope: 'lastOfCombinedList',
  registrationRetryScope: 'retryCounts',
  successiveProbeTarget: 'primaryOnly',
  successiveProbeFirst: 'afterTimeout',
  successiveSwitchBack: 'switchBackImmediately',
  failedServerMemoryUntil: 'seconds',
  retryCountZero: 'failAtFirstT1',
  retryCountScope: 'perRequest',
  unregisterFallback: 'no',
  proxyFallbackReturn: 'periodicRegisterProbe',
  proxyPairRole: 'both',
  proxyScope: 'allRequests',
  tcpConnectFailure: 'sipTimer',
  tcpAppConnectTimeout: 10,
  tcpRetryCounts: 'ignoredOnTcp',
  tcpSynIcmp: 'immediate',
};

export const SERVER_LIST_SPECS: { [K in keyof ServerListModelOptions]: ModelOptionSpec } = {
  skipRedundantAddr: { kind: 'enum', values: ['ip', 'ip:port', 'ip:port:transport'] },
  retryAfter: { kind: 'enum', values: ['honour', 'honourForRegisterOnly', 'tryLast', 'ignore'] },
  regRetryPolicy: { kind: 'enum', values: ['fixedInterval', 'rfc5626MinMax', 'rfc5626IntervalBase'] },
  regRetryRestart: { kind: 'enum', values: ['primary', 'lastTried'] },
  bootDelay: { kind: 'enum', values: ['uniform', 'uniformPerAccount', 'fixed'] },
  icmpHandling: { kind: 'enum', values: ['failServerNow', 'countAsOneRetry', 'ignore'] },
  provisionalStopsFailover: { kind: 'enum', values: ['rfc', 'appTimer', 'noFailoverAfter1xx'] },
  lastServerScope: { kind: 'enum', values: ['lastOfCombinedList', 'lastOfServer1Addresses', 'perServerLast'] },
  registrationRetryScope: { kind: 'enum', values: ['retryCounts', 'unbounded'] },
  successiveProbeTarget: { kind: 'enum', values: ['primaryOnly', 'wholeServer1List'] },
  successiveProbeFirst: { kind: 'enum', values: ['afterTimeout', 'immediately'] },
  successiveSwitchBack: { kind: 'enum', values: ['switchBackImmediately', 'waitForNextRefresh'] },
  failedServerMemoryUntil: { kind: 'enum', values: ['seconds', 'dnsTtl'] },
  retryCountZero: { kind: 'enum', values: ['failAtFirstT1', 'noWait', 'fullTimeout'] },
  retryCountScope: { kind: 'enum', values: ['perRequest', 'perServer'] },
  unregisterFallback: { kind: 'enum', values: ['no', 'yes'] },
  proxyFallbackReturn: { kind: 'enum', values: ['periodicRegisterProbe', 'oneShot'] },
  proxyPairRole: { kind: 'enum', values: ['both', 'failoverOnly', 'fallbackOnly'] },
  proxyScope: { kind: 'enum', values: ['allRequests', 'nonRegisterOnly'] },
  tcpConnectFailure: { kind: 'enum', values: ['sipTimer', 'kernel127', 'kernel131', 'kernel63', 'kernel189', 'appTimeout'] },
  tcpAppConnectTimeout: { kind: 'number', min: 1, max: 600, integer: false },
  tcpRetryCounts: { kind: 'enum', values: ['ignoredOnTcp', 'connectAttempts'] },
  tcpSynIcmp: { kind: 'enum', values: ['immediate', 'softError'] },
};

/** How a phone's SIP stack connects over TCP/TLS (AMB-21): the connect options, and whether the transaction timer waits for the connection. */
export interface TcpConnectPolicy {
  options: ConnectOptions;
  /** Timer B/F starts once the connection is up (every reading but sipTimer). */
  timersAfterConnect: boolean;
  /** AMB-21 tcpRetryCounts = connectAttempts: a failed connect is tried again up to the address's retry bound. */
  reconnects: boolean;
}

/** The §4.6 kernel schedules behind AMB-21's named readings. */
const KERNEL_SCHEDULES = {
  kernel127: { synRetries: 6, synLinearTimeouts: 0, initialRto: 1_000_000 },
  kernel131: { synRetries: 6, synLinearTimeouts: 4, initialRto: 1_000_000 },
  kernel63: { synRetries: 5, synLinearTimeouts: 0, initialRto: 1_000_000 },
  kernel189: { synRetries: 5, synLinearTimeouts: 0, initialRto: 3_000_000 },
} as const;

/** AMB-21: the phone's TCP connect policy from the model options. */
export function tcpConnectPolicy(o: Pick<ServerListModelOptions, 'tcpConnectFailure' | 'tcpAppConnectTimeout' | 'tcpRetryCounts'> & Partial<Pick<ServerListModelOptions, 'tcpSynIcmp'>>): TcpConnectPolicy {
  const reconnects = o.tcpRetryCounts === 'connectAttempts';
  const icmp = o.tcpSynIcmp === 'softError' ? { synIcmp: 'softError' as const } : {};
  switch (o.tcpConnectFailure) {
    case 'sipTimer':
      return { options: { ...icmp }, timersAfterConnect: false, reconnects };
    case 'appTimeout':
      return { options: { connectTimeout: Math.round(o.tcpAppConnectTimeout * 1_000_000), ...icmp }, timersAfterConnect: true, reconnects };
    default:
      return { options: { ...KERNEL_SCHEDULES[o.tcpConnectFailure], ...icmp }, timersAfterConnect: true, reconnects };
  }
}
