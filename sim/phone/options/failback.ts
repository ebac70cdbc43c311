import type { ModelOptionSpec } from '../model-options.js';

/**
 * Model options for the fact sheet's failback ambiguities (shared/reference/yealink-facts.md
 * §5, B10). Each default is the sheet's ★ unless the seed decides; the alternatives are the
 * other readings, each pinned by a test (test/phone/failback-options.test.ts).
 */
export interface FailbackModelOptions {
  /**
   * AMB-09 — failback mode 3 (duration) when failback_timeout runs out. 'oneShot' (default, ★):
   * the preference for the secondary lapses and the next request (the next renewal, the next
   * call) goes to the primary; nothing is sent at the lapse itself. 'periodicRegisterProbe'
   * (older T4X wording, this model's behaviour before the fact sheet): a REGISTER probe to the
   * primary when the timeout runs out, and again failback_timeout after every failed probe.
   * 'immediateReregister': when the timer fires the phone re-REGISTERs at once, walking the list
   * from the primary — once: the registration that re-REGISTER ends with (the secondary again
   * when the primary is still down) arms no new timer, and later requests start at the primary
   * as under oneShot, until a later request fails over anew.
   */
  durationFailback: 'oneShot' | 'periodicRegisterProbe' | 'immediateReregister';
  /**
   * AMB-09 — when failback_timeout starts to count. 'atFailover' (default, ★): at the
   * registration that moved to the secondary; renewals with that same address before it runs
   * out do not restart it. 'atLastSuccess' (the model before the option): afresh at every
   * successful registration with the secondary, so renewals more often than failback_timeout
   * keep the phone there.
   */
  failbackTimerStart: 'atFailover' | 'atLastSuccess';
  /**
   * AMB-07 — failback mode 1 under dnsTtlSource aRecord / srvRecord: from when the TTL counts.
   * 'recordExpiry' (default; the sheet gives no ★, this is the model before the option): the
   * record's own expiry, counted from its fetch (a record cached before the failover lapses
   * sooner after it). 'atFailover': the record's TTL counted from the registration that moved to
   * the secondary (renewals with that address do not restart it). 'atRegistration': counted
   * afresh from every successful registration with it — renewals more often than the TTL keep
   * the phone on the secondary.
   */
  dnsTtlStart: 'recordExpiry' | 'atFailover' | 'atRegistration';
  /**
   * AMB-10 — newer guides: failback modes 1–3 are acted on only while the phone is idle (no
   * incoming, outgoing or active call). 'deferUntilIdle' (default, ★): a failback point
   * (mode 1 TTL expiry, mode 2 renewal, mode 3 timeout) that falls during a call keeps the
   * secondary first for requests sent during the call, and a probe that falls due then is sent
   * when the last call ends. 'ignoreIdle' (the model before the fact sheet): calls do not matter.
   */
  failbackOnlyWhenIdle: 'deferUntilIdle' | 'ignoreIdle';
  /**
   * AMB-37 — failback mode 0: is a registration renewal a "new request"? 'primaryFirst'
   * (default, ★, the vendor's wording; the model before the fact sheet): the renewal walks the
   * list from the primary. 'sameAddress' (RFC 3261 §10.2.4): it goes to the address registered with.
   */
  refreshTargetInMode0: 'primaryFirst' | 'sameAddress';
  /**
   * B7 — register_on_enable = 1: when a request fails over to another address, the vendor
   * "registers to the secondary first, then sends requests". 'registerThenSend' (default, the
   * vendor's order): the INVITE waits for that REGISTER's outcome (sent whatever it is).
   * 'sendThenRegister' (this model before the fact sheet): the INVITE goes at once and the
   * REGISTER follows when the call is answered there.
   */
  registerOnEnableOrder: 'registerThenSend' | 'sendThenRegister';
  /**
   * AMB-30 — only_signal_with_registered while failed over, when the registered address does
   * not answer but another list entry would. 'failRequest' (default, ★, the literal reading;
   * the model before the fact sheet): the request goes to the registered address only and fails
   * with it. 'allowUnregisteredAsLastResort': after it, the other addresses are walked in order.
   */
  onlySignalWithRegistered: 'failRequest' | 'allowUnregisteredAsLastResort';
  /**
   * AMB-08 — failback mode 2 (registration): when is the primary tried again? 'atRenewal'
   * (default, ★, older text; the model before the fact sheet): every renewal walks the list
   * from the primary. 'atExpiry' (newer text, "when the registration lapses"): renewals stay with
   * the secondary, and when the lease granted to the registration that failed over ends a
   * REGISTER probe goes to the primary (renewals with the same address do not extend it).
   */
  registrationFailbackInstant: 'atRenewal' | 'atExpiry';
  /**
   * AMB-38 — in-dialog requests (the BYE of an outgoing call). 'stayOnDialogServer' (default, ★,
   * RFC 3261 routing; the model before the fact sheet): the BYE goes to the server that took the
   * call. 'applyFailbackRules' (vendor "all requests"): it goes where a new request to that
   * configured server would go at hang-up — in mode 0 the primary, once it is back. Whether that
   * BYE fails over when its server is dead is inDialogFailover.
   */
  inDialogRequests: 'stayOnDialogServer' | 'applyFailbackRules';
  /**
   * AMB-07 — failback mode 1 (DNSTTL): which TTL ends the preference for the registered
   * secondary, and what happens then. 'aRecord' (default, ★, newer text and proxies: "the A
   * record"): the TTL of the A record that gave the registered address, counted from when that
   * record was fetched; when it runs out nothing is sent — the next request (a call, the next
   * renewal) walks the list from the primary. Re-registering with the same address before then
   * does not push the lapse on. 'srvRecord': the same, with the TTL of the SRV record that named
   * the registered address's target (its A record's when the address came without SRV).
   * 'minAlongChain' (the model before the fact sheet): the smallest
   * TTL of every record used along NAPTR → SRV → A, taken afresh at each registration, and a
   * REGISTER probe to the primary as soon as it runs out.
   */
  dnsTtlSource: 'aRecord' | 'srvRecord' | 'minAlongChain';
  /**
   * AMB-38, second half — the BYE's server is dead (no answer, transport error, 503).
   * 'noFailover' (default, ★; the model before the option): the BYE is one transaction to that
   * server, retransmitted until Timer F (64·T1); the call has ended locally at the hang-up.
   * 'failoverPer3263' (RFC 3263 §4.3, RFC 3261 §8.1.3.1): on a timeout, transport error or 503 the
   * same BYE (same CSeq, new branch) goes to the next address of the dialog's configured server;
   * every address but the last is bounded by retry_counts (B3), the last gets the full Timer F.
   * Each step is traced as call.bye.
   */
  inDialogFailover: 'noFailover' | 'failoverPer3263';
  /**
   * AMB-29 — register_on_enable = 0: a call failed over from server 1's registered address to
   * another of its addresses, which took it; the phone does not register there (servers assumed to
   * share registrations). 'treatAsRegistered' (default, ★; the model before the option): the line
   * stays registered with the address it registered with, until the registration itself finds out
   * (its renewal). 'unregisteredButUsable': from the answer on the line shows that registration as
   * not held — the working server falls to another registered server, or none (features follow) —
   * while requests go on walking the list as before; it shows registered again at that server's
   * next successful REGISTER. Either way the phone takes an incoming call from any server.
   */
  registerOnEnableZero: 'treatAsRegistered' | 'unregisteredButUsable';
  /**
   * AMB-36 — B11 with account.X.sip_server.Y.failback_subscribe.enable = 0 (the default; also 1
   * in failback mode 0, where the key has no effect): after the working registration moves to an
   * address with a different IP, the feature subscriptions (MWI, shared line, reg event)…
   * 'stayOnOldServerUntilRefresh' (default, ★): stay on the old address and are refreshed there;
   * only a refresh that fails (no answer, transport error, error response) sends a new SUBSCRIBE
   * to the working address, at once. 'movedAtNextRefresh': stay until their next refresh instant,
   * when the SUBSCRIBE goes to the working address instead. 'dropped': end at the move (the
   * feature is lost) and are made again at the next change of working server.
   * failback_subscribe.enable = 1 (mode 1–3) re-subscribes at the new address at once (the model
   * before the fact sheet did so whatever the key).
   */
  featureResubscribeDefault: 'stayOnOldServerUntilRefresh' | 'dropped' | 'movedAtNextRefresh';
  /**
   * AMB-14 (B16) — which subscriptions the fallback server (server 2, while server 1 is not
   * registered) gets. 'basicCallsOnly' (default, ★, white paper): none — MWI, shared line and
   * reg event are lost while it works, without a SUBSCRIBE to it. 'allInSuccessive' (newer
   * guides: in successive mode the fallback server handles every calling function): in
   * successive mode the phone SUBSCRIBEs there at once, in concurrent mode none. 'configurable'
   * (the model before the fact sheet): the phone SUBSCRIBEs there at once and the scenario's
   * server `features:` decide (489 Bad Event for a feature it lacks). With every value the
   * SUBSCRIBEs go to server 1 again at once when it works again.
   */
  fallbackFeatureSet: 'basicCallsOnly' | 'allInSuccessive' | 'configurable';
}

export const FAILBACK_DEFAULTS: FailbackModelOptions = {
  durationFailback: 'oneShot',
  failbackTimerStart: 'atFailover',
  dnsTtlStart: 'recordExpiry',
  failbackOnlyWhenIdle: 'deferUntilIdle',
  refreshTargetInMode0: 'primaryFirst',
  registerOnEnableOrder: 'registerThenSend',
  onlySignalWithRegistered: 'failRequest',
  registrationFailbackInstant: 'atRenewal',
  inDialogRequests: 'stayOnDialogServer',
  dnsTtlSource: 'aRecord',
  inDialogFailover: 'noFailover',
  registerOnEnableZero: 'treatAsRegistered',
  featureResubscribeDefault: 'stayOnOldServerUntilRefresh',
  fallbackFeatureSet: 'basicCallsOnly',
};

export const FAILBACK_SPECS: { [K in keyof FailbackModelOptions]: ModelOptionSpec } = {
  durationFailback: { kind: 'enum', values: ['oneShot', 'periodicRegisterProbe', 'immediateReregister'] },
  failbackTimerStart: { kind: 'enum', values: ['atFailover', 'atLastSuccess'] },
  dnsTtlStart: { kind: 'enum', values: ['recordExpiry', 'atFailover', 'atRegistration'] },
  failbackOnlyWhenIdle: { kind: 'enum', values: ['deferUntilIdle', 'ignoreIdle'] },
  refreshTargetInMode0: { kind: 'enum', values: ['primaryFirst', 'sameAddress'] },
  registerOnEnableOrder: { kind: 'enum', values: ['registerThenSend', 'sendThenRegister'] },
  onlySignalWithRegistered: { kind: 'enum', values: ['failRequest', 'allowUnregisteredAsLastResort'] },
  registrationFailbackInstant: { kind: 'enum', values: ['atRenewal', 'atExpiry'] },
  inDialogRequests: { kind: 'enum', values: ['stayOnDialogServer', 'applyFailbackRules'] },
  dnsTtlSource: { kind: 'enum', values: ['aRecord', 'srvRecord', 'minAlongChain'] },
  inDialogFailover: { kind: 'enum', values: ['noFailover', 'failoverPer3263'] },
  registerOnEnableZero: { kind: 'enum', values: ['treatAsRegistered', 'unregisteredButUsable'] },
  featureResubscribeDefault: { kind: 'enum', values: ['stayOnOldServerUntilRefresh', 'dropped', 'movedAtNextRefresh'] },
  fallbackFeatureSet: { kind: 'enum', values: ['basicCallsOnly', 'allInSuccessive', 'configurable'] },
};
