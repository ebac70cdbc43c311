import { formatDuration } from './core/time.js';
import { isIPv4 } from './dns/server-locator.js';
import type { AccountSettings, PhoneConfig, ServerSettings } from './phone/phone-config.js';
import { DEFAULT_MODEL_OPTIONS } from './phone/model-options.js';

const TRANSPORT = ['UDP', 'TCP', 'TLS', 'DNS-NAPTR'];

/**
 * The account's redundancy behaviour in plain sentences, computed from the effective settings
 * and the default model options — what a QA engineer wants to know before pulling a cable.
 */
export function explainInWords(config: PhoneConfig, account: AccountSettings): string[] {
  const t1 = config.timers.t1;
  const lines: string[] = [];
  const [s1, s2] = [account.servers.find((s) => s.index === 1), account.servers.find((s) => s.index === 2)];
  if (!s1 && !s2) return ['No server is configured: the account cannot register or call.'];
  if (account.proxies.length > 0) {
    lines.push(`Every request goes through the outbound proxies: ${account.proxies.map((p) => `${p.address}${p.port ? `:${p.port}` : ''}`).join(', then ')} (their failover keys override the servers' unless -1).`);
  }
  const at = (s: ServerSettings): string => (account.proxies.length > 0 ? `${s.address} — the registrar domain in Request-URI and To; the packets go to the proxies.` : where(s));
  if (s1) lines.push(`Server 1 (working server): ${at(s1)}`);
  if (s2) lines.push(`Server 2 (fallback server): ${at(s2)}`);
  lines.push(
    `Timers: T1 ${fmt(t1)}, T2 ${fmt(config.timers.t2)}, T4 ${fmt(config.timers.t4)} — a request to a silent server over UDP is given up after 64·T1 = ${fmt(64 * t1)} when that server is the last one to try.`,
  );
  if (s1) {
    const n = s1.retryCounts;
    const giveUp = retransmitInstant(t1, config.timers.t2, n);
    lines.push(
      `Failover inside server 1's list: a REGISTER to an address that is not the last is abandoned after ${n} retransmission${n === 1 ? '' : 's'} (at ${fmt(giveUp)}, model option retryCounts=${DEFAULT_MODEL_OPTIONS.retryCounts}); an INVITE after Timer B, ${fmt(64 * t1)} (model option inviteFailover=${DEFAULT_MODEL_OPTIONS.inviteFailover}). A 503, an ICMP error or a refused/reset TCP connection moves on at once.`,
    );
    lines.push(`After a failover: ${failbackWords(s1)}`);
  }
  if (s1 && s2) {
    lines.push(
      account.fallback.type === 0
        ? 'Fallback: concurrent registration — the phone stays registered with both servers; when server 1 fails, server 2 takes over at once.'
        : `Fallback: successive registration — the phone registers with server 2 only once server 1 has failed (a brief interruption), and probes server 1 with REGISTER every ${fmt(account.fallback.timeout)} until it answers. ${account.fallback.withRegFail ? 'A registration answered with an error (503, 403…) counts as failed' : 'Only an unresponsive server 1 counts as failed; an error answer (503, 403…) keeps it retrying server 1'} (account.${account.index}.redundancy_with_reg_fail.enable = ${account.fallback.withRegFail ? 1 : 0}).`,
    );
    lines.push('Calls try server 1\'s addresses first, then server 2 (each new call starts over, as the vendor\'s outgoing-call steps say).');
  }
  lines.push(account.skipRedundantFailoverAddr
    ? `Duplicates: a list entry whose IP is already in the list (another port, or server 2 equal to an SRV target) is skipped (sip.skip_redundant_failover_addr = 1, model option skipRedundantAddr=${DEFAULT_MODEL_OPTIONS.skipRedundantAddr}).`
    : 'Duplicates: every list entry is tried, repeats included (sip.skip_redundant_failover_addr = 0).');
  const overlap = account.registerExpiresOverlap;
  const expires = (s1 ?? s2)!.expires;
  lines.push(
    `Registration: lifetime ${expires} s, renewed ${overlap >= 0 && overlap < expires ? `${overlap} s before it expires` : `at ${Math.round(DEFAULT_MODEL_OPTIONS.refreshFraction * 100)} % of it (model option refreshFraction)`}; a failed registration is retried after ${fmt(account.regFailRetryInterval)} (account.${account.index}.reg_fail_retry_interval), or after a 503's Retry-After instead (model option retryAfter = ${DEFAULT_MODEL_OPTIONS.retryAfter}); ${retryScopeWords((s1 ?? s2)!.retryCounts)}.`,
  );
  if (config.surgePrevention > 0) lines.push(`Boot: registration starts at a random instant in the first ${fmt(config.surgePrevention)} (sip.reg_surge_prevention).`);
  const subscribeWords = resubscribeWords(s1, account);
  if (subscribeWords) lines.push(subscribeWords);
  lines.push(
    account.features.length > 0
      ? `Features kept with the working server: ${account.features.join(', ')} — lost while a server without them is working${s1 && s2 ? `; ${FALLBACK_WORDS[DEFAULT_MODEL_OPTIONS.fallbackFeatureSet](account.fallback.type === 1)} (model option fallbackFeatureSet=${DEFAULT_MODEL_OPTIONS.fallbackFeatureSet})` : ''}.`
      : 'No MWI, shared-line or reg-event subscriptions are configured.',
  );
  if (account.features.length > 0) {
    const sOverlap = account.subscribeExpiresOverlap;
    lines.push(`Subscriptions: lifetime 3600 s asked for, renewed ${sOverlap >= 0 && sOverlap < 3600 ? `${sOverlap} s before the granted lifetime ends (account.${account.index}.subscribe_expires_overlap)` : `at ${Math.round(DEFAULT_MODEL_OPTIONS.refreshFraction * 100)} % of it (account.${account.index}.subscribe_expires_overlap = ${sOverlap}; model option refreshFraction)`}.`);
  }
  return lines;
}

/** AMB-35: how long a failed registration is retried, by registrationRetryScope. */
function retryScopeWords(retryCounts: number): string {
  return DEFAULT_MODEL_OPTIONS.registrationRetryScope === 'retryCounts'
    ? `after the first attempt and ${retryCounts} repeat${retryCounts === 1 ? '' : 's'} (sip_server.Y.retry_counts) the account gives up and stays unregistered (model option registrationRetryScope=retryCounts; unbounded: retried until it succeeds)`
    : 'it is retried until it succeeds (model option registrationRetryScope=unbounded)';
}

/** B16 / AMB-14: what the fallback server gets, by fallbackFeatureSet (successive: redundancy_type 1). */
const FALLBACK_WORDS = {
  basicCallsOnly: () => 'server 2 (fallback) gets basic calls only: no SUBSCRIBE to it, the features are lost while it works',
  allInSuccessive: (successive: boolean) => (successive
    ? 'in successive mode server 2 (fallback) takes every function: the phone subscribes there'
    : 'in concurrent mode server 2 (fallback) gets basic calls only: no SUBSCRIBE to it'),
  configurable: () => "the phone subscribes with server 2 (fallback) too; the server's features decide",
} as const;

const RESUBSCRIBE_WORDS = {
  stayOnOldServerUntilRefresh: 'stay on the old address and are refreshed there; a refresh that fails moves them to the working address at once',
  movedAtNextRefresh: 'stay on the old address until their next refresh, which goes to the working address',
  dropped: 'are dropped (the features are lost) until the working server changes again',
} as const;

/** B11 / AMB-36: what the subscriptions do when server 1's registration fails over to another IP. */
function resubscribeWords(s1: ServerSettings | undefined, account: AccountSettings): string | undefined {
  if (!s1 || account.features.length === 0) return undefined;
  const key = `account.${account.index}.sip_server.1.failback_subscribe.enable`;
  if (s1.failbackSubscribe && s1.failbackMode !== 0) return `Subscriptions after a failover to another IP: re-subscribed there at once (${key} = 1, failback mode ${s1.failbackMode}).`;
  const option = DEFAULT_MODEL_OPTIONS.featureResubscribeDefault;
  const why = s1.failbackSubscribe ? `${key} = 1 has no effect in failback mode 0` : `${key} = 0`;
  return `Subscriptions after a failover to another IP: they ${RESUBSCRIBE_WORDS[option]} (${why}; model option featureResubscribeDefault=${option}).`;
}

function where(s: ServerSettings): string {
  const transport = TRANSPORT[s.transport];
  if (isIPv4(s.address)) return `${s.address}:${s.port || (s.transport === 2 ? 5061 : 5060)} over ${s.transport === 3 ? 'UDP' : transport} (an address: no DNS).`;
  if (s.port !== 0) return `${s.address}:${s.port} over ${transport} — DNS A records give its addresses, primary first.`;
  if (s.transport === 3) return `${s.address} — DNS NAPTR picks the transport, then SRV and A give the failover list; with no NAPTR answer, SRV for ${s.naptrBuild === 1 ? 'TLS, TCP and UDP (naptr_build 1)' : 'UDP only (naptr_build 0)'}.`;
  return `${s.address} over ${transport} — DNS SRV (by priority, weights drawn at random) and A give the failover list.`;
}

function failbackWords(s: ServerSettings): string {
  switch (s.failbackMode) {
    case 0:
      return 'failback mode 0 (newRequests) — every new request tries the primary first, so each one pays the detection delay again while the primary is down.';
    case 1:
      return 'failback mode 1 (DNSTTL) — new requests go to the server last registered with until the DNS TTL of its A record runs out; then the next request starts at the primary (model option dnsTtlSource=aRecord; srvRecord: the TTL of the SRV record that named it; minAlongChain: the smallest TTL along NAPTR → SRV → A, then a REGISTER probes the primary).';
    case 2:
      return 'failback mode 2 (registration) — new requests go to the server last registered with; each registration renewal tries the primary first.';
    case 3:
      return s.failbackTimeout === 0
        ? 'failback mode 3 (duration) with failback_timeout 0 — new requests stay with the server last registered with until it fails.'
        : `failback mode 3 (duration) — new requests go to the server last registered with for ${fmt(s.failbackTimeout)}; then the next request starts at the primary (model option durationFailback=oneShot; periodicRegisterProbe: a REGISTER probes the primary then and after every failed probe; immediateReregister: one re-REGISTER from the primary then). The time counts from the failover (failbackTimerStart=atFailover; atLastSuccess: from each successful registration).`;
  }
}

/** When the next retransmission after `n` retransmissions would be due (UDP, non-INVITE: T1 doubling, capped at T2). */
function retransmitInstant(t1: number, t2: number, n: number): number {
  let t = 0;
  let interval = t1;
  for (let i = 0; i <= n; i++) {
    t += interval;
    interval = Math.min(2 * interval, t2);
  }
  return t;
}

function fmt(us: number): string {
  return formatDuration(us);
}
