import type { Clock, EventHandle } from '../core/clock.js';
import type { RegistrationState, Trace } from '../core/trace.js';
import { isIPv4, Located } from '../dns/server-locator.js';
import { SipResponse, grantedSeconds, headerSeconds } from '../sip/message.js';
import { RegisterRequests } from './register-request.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import { broken } from '../testing/broken-model.js';
import { NO_OUTCOME } from '../sip/transaction-user.js';
import { RegisterAttempt, type AttemptOwner } from './register-attempt.js';
import { FailbackPreference, RequestKind } from './failback.js';
import { FAILBACK_DEFAULTS } from './options/failback.js';
import { heldReason } from './failure-memory.js';
import { formatDuration } from '../core/time.js';
import {
  RegistrationEffect, RegistrationInput, RegistrationMachineState, RegistrationPolicy, initialRegistration, nextRegistration,
} from './registration-machine.js';
import type { ServerDirectory, ServerList } from './server-directory.js';
import { describeEntry, skipRedundant, skippedReason } from './skip-redundant.js';
import { proxy2First } from './proxy-pair.js';
import { restartAtLastTried } from './retry-restart.js';
import type { RegistrationTarget } from './registration-target.js';

export type { RegistrationTarget } from './registration-target.js';

/**
 * Drives one account's registration with one configured server (sip_server.Y): runs the pure
 * registration machine and executes its effects. Each REGISTER walks the server's address list
 * primary first (R3, failback mode 0 newRequests): a 503, a transport error or a timeout on an
 * address moves to the next one at once; only the last address's failure fails the attempt.
 */
export class RegistrationAgent implements AttemptOwner {
  // Timer handlers shared by every agent (the agent is the event's arg): no closures per phone.
  private static readonly refreshDue = (a: RegistrationAgent): void => a.onRefreshDue();
  private static readonly failbackDue = (a: RegistrationAgent): void => a.onFailbackDue();
  private static readonly retryDue = (a: RegistrationAgent): void => a.onRetryDue();
  private static readonly proxyProbeDue = (a: RegistrationAgent): void => a.onProxyProbeDue();
  private static readonly preferenceLapsed = (a: RegistrationAgent): void => a.onPreferenceLapsed();
  private state: RegistrationMachineState = initialRegistration;
  /**
   * Whether the last failed registration was answered (an error response such as 503 or 403)
   * rather than met with silence, a transport error or no address (B15 redundancy_with_reg_fail).
   */
  lastFailureAnswered = false;
  private timer: EventHandle = 0;
  private failbackTimer: EventHandle = 0;
  /** AMB-10: a failback probe fell due during a call and waits for the phone to be idle. */
  private probePending = false;
  private proxyProbeTimer: EventHandle = 0;
  /** The registration is held through proxy 2 (B21); under AMB-31 oneShot only a move there arms the probe. */
  private onProxy2 = false;
  /**
   * What the next REGISTER is, for the failback order (a renewal, or a first/retry registration);
   * 'proxy-probe' (B21 outbound_proxy_fallback_interval) walks the proxy list from proxy 1.
   */
  private nextKind: RequestKind | 'proxy-probe' = 'register';
  readonly failback: FailbackPreference;
  private cseq = 0;
  /** This registration's REGISTERs: one Call-ID and From tag (RFC 3261 §10.2). */
  private readonly requests: RegisterRequests;
  /** Scenario name of the address tried last, or registered with. */
  serverName: string;
  /** Scenario name and address the account is registered with, while it is. */
  private registeredOn: string | undefined;
  private registeredAt: Located | undefined;
  /** Numbers each REGISTER run (a walk down the list); replies to an older run are ignored. */
  private runs = 0;
  /** The address the account's own runs sent to last (AMB-24 regRetryRestart). */
  private lastTried: Located | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    private readonly directory: ServerDirectory,
    private readonly target: RegistrationTarget,
    private readonly policy: RegistrationPolicy,
    private readonly onChange: (agent: RegistrationAgent, reason: string) => void,
  ) {
    // Call-ID first, then the tag: the order the ids are drawn in is part of every run's output.
    this.requests = new RegisterRequests(target, sip, sip.ids.callId(), sip.ids.tag());
    this.failback = new FailbackPreference(target.server, target.failbackOptions ?? FAILBACK_DEFAULTS);
    // Until DNS has answered, a domain is known only by its name.
    const a = target.server.address;
    this.serverName = isIPv4(a) ? sip.nameOf({ ip: a, port: target.server.port }) : a;
  }

  get phase(): RegistrationState {
    return this.state.phase;
  }

  /** The address the account is registered with, if it is. */
  get registeredAddress(): Located | undefined {
    return this.state.phase === 'registered' ? this.registeredAt : undefined;
  }

  /** B21: registered, through outbound proxy 2. */
  get throughProxy2(): boolean {
    return this.state.phase === 'registered' && this.onProxy2;
  }

  /** The server (scenario name) the account is registered with, if it is. */
  get registeredServer(): string | undefined {
    return this.state.phase === 'registered' ? this.registeredOn : undefined;
  }

  start(reason: string): void {
    this.feed({ type: 'start', reason });
  }

  /**
   * register_on_enable: a request failed over to `server` (not the address registered with) —
   * register there too. A single REGISTER to that address; on success the registration moves.
   * `done` hears once whether it ended registered there (B7: the vendor sends the request after it).
   */
  registerWith(server: Located, reason: string, done?: (ok: boolean) => void): void {
    const r = this.registeredAddress;
    if (r && r.ip === server.ip && r.port === server.port && r.transport === server.transport) return done?.(true);
    let told = false;
    const once = (ok: boolean): void => {
      if (told) return;
      told = true;
      done?.(ok);
    };
    this.directory.list(this.target.server, (l) => {
      this.note(this.sip.nameOf(server), reason);
      this.attempt({ ...l, servers: [server] }, 0, l.servers, this.runs, true, once);
    }, true);
  }

  /**
   * Stops registering. The binding at the server is left to lapse, or with `unregister` (AMB-13
   * unregisterFallback = yes) removed: a REGISTER with Expires: 0 to the address registered with.
   */
  stop(reason: string, unregister = false): void {
    this.runs++; // a REGISTER still in flight no longer counts
    const at = unregister ? this.registeredAddress : undefined;
    if (at) {
      this.note(this.registeredOn ?? this.serverName, 'un-REGISTER (Expires: 0): the binding is removed as the phone switches back (unregisterFallback = yes)');
      this.sip.sendRequest(this.requests.build(at, ++this.cseq, 0), at, NO_OUTCOME);
    }
    this.feed({ type: 'stop', reason });
  }

  private feed(input: RegistrationInput): void {
    const step = nextRegistration(this.state, input, this.policy);
    this.state = step.state;
    for (const e of step.effects) this.run(e);
  }

  private run(e: RegistrationEffect): void {
    const { clock, target } = this;
    switch (e.type) {
      case 'transition':
        // Losing a registration is told against the server it was held with, not the last one tried.
        this.traceState(e.from, e.to, e.reason, e.from === 'registered' ? this.registeredOn : undefined);
        if (e.to !== 'registered') {
          this.registeredOn = undefined;
          this.onProxy2 = false;
        }
        this.onChange(this, e.reason);
        return;
      case 'send-register': {
        const kind = this.nextKind;
        this.nextKind = 'register';
        const run = ++this.runs;
        const probe = this.retrying && this.target.probePrimaryOnly === true;
        const restart = this.retrying && this.target.restartAtLastTried === true ? this.lastTried : undefined;
        this.directory.list(target.server, (l) => {
          if (run !== this.runs) return;
          const by = this.target.skipRedundant;
          const { kept: all, skipped } = by !== undefined ? skipRedundant(l.servers, (a) => a, by) : { kept: l.servers, skipped: [] };
          // AMB-13 primaryOnly: the probe of server 1 goes to its first address only.
          const kept = probe ? all.slice(0, 1) : all;
          if (probe && all.length > 1) this.note(this.sip.nameOf(all[0]!), `successive probe: the primary address only, not the other ${all.length - 1} (successiveProbeTarget = primaryOnly)`);
          // B9: the trace says which address was left out and why.
          for (const d of skipped) this.note(this.sip.nameOf(d.entry), skippedReason(d.entry, d.sameAs, by ?? 'ip'));
          // AMB-23: an address under a 503's Retry-After is left out (retryAfter = honour) or tried last.
          const busy = this.busy();
          const walk = kind === 'proxy-probe' ? kept
            : this.target.proxy2KeepsRequests ? (this.throughProxy2 ? proxy2First(kept, l.servers, l.firstProxyAddresses ?? 0) : kept)
            : this.failback.order(kept, kind, clock.now, busy, this.registeredAddress);
          const { ordered, held } = this.target.memory.order(walk, (a) => a, 'register');
          // AMB-24 regRetryRestart = lastTried: the retry starts where the failed attempt ended.
          const servers = restartAtLastTried(ordered, restart);
          if (servers[0] !== ordered[0]) this.note(this.sip.nameOf(servers[0]!), `retry starts at ${this.sip.nameOf(servers[0]!)}, the address tried last (regRetryRestart = lastTried)`);
          for (const h of held) this.note(this.sip.nameOf(h.entry), heldReason(describeEntry(h.entry), h.until, this.target.retryAfter));
          const why = kind === 'proxy-probe' ? undefined
            : this.target.proxy2KeepsRequests ? (this.throughProxy2 ? 'registered through proxy 2, which keeps the requests until the interval probe (proxyPairRole = fallbackOnly)' : undefined)
            : this.failback.describe(kind, clock.now, busy);
          if (why && servers[0]) this.note(this.sip.nameOf(servers[0]), why);
          if (servers.length === 0 && held.length > 0) {
            // Nothing to send to before the earliest Retry-After ends: fail now, retry then.
            const end = Math.min(...held.map((h) => h.until));
            this.lastFailureAnswered = true;
            return this.feed({ type: 'fail', reason: `every address of ${target.server.address} is held off by a 503 Retry-After until ${formatDuration(end)}`, retryAfter: end - clock.now });
          }
          this.attempt({ ...l, servers }, 0, l.servers, run, false);
        }, kind === 'refresh' || kind === 'proxy-probe'); // AMB-19: these continue the registration
        return;
      }
      case 'schedule-refresh':
        clock.cancel(this.timer);
        this.timer = clock.schedule(e.after, RegistrationAgent.refreshDue, this, target.phone);
        return;
      case 'schedule-retry':
        clock.cancel(this.timer);
        // Test-only (sim/testing/broken-model.ts): the retry timer never armed — a planted model bug.
        if (broken('no-registration-retry')) return;
        this.timer = clock.schedule(e.after, RegistrationAgent.retryDue, this, target.phone);
        return;
      case 'cancel-timers':
        clock.cancel(this.timer);
        clock.cancel(this.failbackTimer);
        clock.cancel(this.proxyProbeTimer);
        return;
    }
  }

  /** Runs instead of the next renewal (AMB-13 successiveSwitchBack = waitForNextRefresh); unset = renew. */
  private instead: (() => void) | undefined;
  /** Calls `fn` when the next renewal falls due, instead of renewing; undefined cancels it. */
  atNextRefresh(fn: (() => void) | undefined): void {
    this.instead = fn;
  }

  private onRefreshDue(): void {
    const instead = this.instead;
    this.instead = undefined;
    if (instead) return instead();
    this.nextKind = 'refresh';
    this.feed({ type: 'refresh-due' });
  }

  /** Modes 1 and 3: the preference for a secondary has lapsed — probe the primary now. */
  private onFailbackDue(): void {
    if (this.state.phase !== 'registered') return;
    if (this.failback.deferProbe(this.busy())) {
      this.probePending = true;
      return this.note(this.registeredOn ?? this.serverName, `failback mode ${this.failback.mode}: probe of the primary due, but a call is in progress — deferred until the phone is idle (failbackOnlyWhenIdle)`);
    }
    this.nextKind = 'register';
    this.feed({ type: 'refresh-due' });
  }
  private busy(): boolean {
    return (this.target.callsInProgress?.() ?? 0) > 0;
  }

  /** The phone's last call ended (AMB-10): a probe deferred during it goes now. */
  idle(): void {
    if (!this.probePending) return;
    this.probePending = false;
    if (this.state.phase !== 'registered') return;
    this.note(this.registeredOn ?? this.serverName, 'the phone is idle: the deferred failback probe of the primary goes now');
    this.onFailbackDue();
  }

  /** The REGISTER about to go is a retry (in successive mode, server 1's probe). */
  private retrying = false;
  private onRetryDue(): void {
    this.retrying = true;
    this.feed({ type: 'retry-due' });
    this.retrying = false;
  }

  /** AMB-13 successiveProbeFirst = immediately: a failed registration is retried now, not at its timer. */
  retryNow(reason: string): void {
    if (this.state.phase !== 'failed') return;
    this.clock.cancel(this.timer);
    this.note(this.serverName, reason);
    this.onRetryDue();
  }

  /** B21: registered through proxy 2 for outbound_proxy_fallback_interval — a REGISTER walks from proxy 1 again. */
  private onProxyProbeDue(): void {
    if (this.state.phase !== 'registered') return;
    const once = this.target.proxyFallbackReturn === 'oneShot' ? ' (once: proxyFallbackReturn = oneShot)' : '';
    this.note(this.serverName, `outbound_proxy_fallback_interval (${this.target.proxyFallbackInterval / 1e6} s) registered through proxy 2: REGISTER probes proxy 1${once}`);
    this.nextKind = 'proxy-probe';
    this.feed({ type: 'refresh-due' });
  }

  /**
   * Sends the REGISTER of run `run` to address `i` of the list (in request order); failures move
   * down the list (R2). A `side` run (register_on_enable) that fails leaves the account as it was.
   */
  private attempt(l: ServerList, i: number, located: readonly Located[], run: number, side: boolean, sideDone?: (ok: boolean) => void, sent = 1): void {
    const server = l.servers[i];
    if (!server) {
      // No address to send to: no server answered (for redundancy_with_reg_fail = 0, B15).
      if (!side) this.lastFailureAnswered = false;
      return this.feed({ type: 'fail', reason: `DNS: ${l.error ?? 'no server address'}` });
    }
    const previous = this.serverName;
    this.serverName = this.sip.nameOf(server);
    if (!side) this.lastTried = server;
    if (i > 0 && sent === 1) this.note(this.serverName, `${previous} failed; trying ${this.serverName}, address ${i + 1} of ${l.servers.length}`);
    const bound = i === l.servers.length - 1 ? undefined : this.target.bound;
    this.sip.sendRequest(this.requests.build(server, ++this.cseq), server, new RegisterAttempt(this, l, i, located, run, side, sideDone, sent, server, bound), bound?.limit);
  }

  /** A side run does not compete with the account's own runs; both stop counting once the agent stops. */
  private stale(a: RegisterAttempt): boolean {
    return (!a.side && a.run !== this.runs) || this.state.phase === 'unregistered';
  }

  private failAttempt(a: RegisterAttempt, reason: string, retryAfter?: number, answered = true): void {
    if (a.side) {
      this.note(this.sip.nameOf(a.server), `failed (${reason}); the registration stays with ${this.registeredOn ?? 'none'}`);
      return a.sideDone?.(false);
    }
    this.lastFailureAnswered = answered;
    this.feed({ type: 'fail', reason, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  attemptMoveOn(a: RegisterAttempt, reason: string, retryAfter?: number, answered = false): void {
    if (this.stale(a)) return a.sideDone?.(false);
    this.failback.failed(a.server);
    this.target.memory.failed(a.server, retryAfter);
    if (!a.last) return this.attempt(a.list, a.index + 1, a.located, a.run, a.side, a.sideDone);
    this.failAttempt(a, reason, retryAfter, answered);
  }

  attemptAnswered(a: RegisterAttempt, res: SipResponse): void {
    if (this.stale(a)) return a.sideDone?.(false);
    const { server } = a;
    this.serverName = this.sip.nameOf(server);
    if (res.status < 300) {
      const granted = grantedSeconds(res) ?? this.target.server.expires;
      this.noteRegistered(server, a.located, a.list.firstProxyAddresses ?? 0, granted);
      this.target.memory.succeeded(server);
      const status = `${res.status} ${res.reason} from ${this.serverName}`;
      const moved = this.state.phase === 'registered' && this.registeredOn !== undefined && this.registeredOn !== this.serverName;
      if (moved) {
        // The account's registration moves: the old binding is left to lapse at the server.
        this.trace.emit({ kind: 'phone.registration', phone: this.target.phone, account: this.target.account, server: this.registeredOn!, from: 'registered', to: 'unregistered', reason: `registration moved to ${this.serverName}` });
        this.traceState('registered', 'registered', status);
      }
      const renewal = this.state.phase === 'registered';
      this.registeredOn = this.serverName;
      this.registeredAt = server;
      this.feed({ type: 'ok', grantedSeconds: granted, status });
      // A renewal makes no state transition, but the phone still hears of it (successive fallback ends on it).
      if (renewal) this.onChange(this, status);
      return a.sideDone?.(true);
    }
    const retryAfter = headerSeconds(res, 'Retry-After');
    const reason = `${res.status} ${res.reason} from ${this.serverName}${retryAfter !== undefined ? `, Retry-After ${retryAfter}s` : ''}`;
    // RFC 3263 §4.3: a 503 sends the request to the next address; other errors are final.
    if (res.status === 503) return this.attemptMoveOn(a, reason, retryAfter !== undefined ? retryAfter * 1_000_000 : undefined, true);
    this.failAttempt(a, reason);
  }

  attemptTimedOut(a: RegisterAttempt, timer: 'B' | 'F' | 'retry-counts'): void {
    const why = timer === 'retry-counts' ? `${this.serverName}: retry counts reached` : `${this.serverName}: Timer ${timer} fired, no response`;
    // AMB-01 retryCounts = transactions: the address gets its whole transactions before the walk moves on.
    if (a.bound && a.sent < a.bound.transactions && !this.stale(a)) {
      this.note(this.serverName, `${why}; REGISTER transaction ${a.sent + 1} of ${a.bound.transactions} to ${this.serverName} (retryCounts = transactions)`);
      return this.attempt(a.list, a.index, a.located, a.run, a.side, a.sideDone, a.sent + 1);
    }
    this.attemptMoveOn(a, why);
  }

  /** R4: registered with `server`; remember it as the failover preference and arm the failback probe. */
  private noteRegistered(server: Located, located: readonly Located[], firstProxyAddresses: number, grantedS: number): void {
    const index = located.findIndex((a) => a.ip === server.ip && a.port === server.port && a.transport === server.transport);
    const { clock } = this;
    clock.cancel(this.failbackTimer);
    // B21 / AMB-31 (c): registered through proxy 2 (past proxy 1's addresses) — probe proxy 1
    // after outbound_proxy_fallback_interval, again each time the probe ends on proxy 2 (★ periodic);
    // oneShot: only when the registration moves to proxy 2, not when it stays there.
    const every = this.target.proxyFallbackInterval;
    const viaProxy2 = firstProxyAddresses > 0 && index >= firstProxyAddresses;
    const rearm = this.target.proxyFallbackReturn !== 'oneShot' || !this.onProxy2;
    this.onProxy2 = viaProxy2;
    if (!viaProxy2 || rearm) clock.cancel(this.proxyProbeTimer);
    if (viaProxy2 && rearm && every > 0) {
      this.proxyProbeTimer = clock.schedule(every, RegistrationAgent.proxyProbeDue, this, this.target.phone);
    }
    const lapse = this.failback.registered(located, index, clock.now, this.directory.expiresAt(this.target.server), clock.now + Math.round(grantedS * 1_000_000), this.directory.recordExpiresAt(this.target.server, server), this.directory.recordTtl(this.target.server, server));
    if (lapse !== undefined) this.failbackTimer = clock.at(Math.max(lapse, clock.now), RegistrationAgent.failbackDue, this, this.target.phone);
    // AMB-07 aRecord, AMB-09 oneShot: nothing is sent at the lapse, but it is a state change — trace it.
    const quiet = lapse === undefined ? this.failback.lapsesAt() : undefined;
    if (quiet !== undefined) this.failbackTimer = clock.at(Math.max(quiet, clock.now), RegistrationAgent.preferenceLapsed, this, this.target.phone);
  }

  private onPreferenceLapsed(): void {
    if (this.state.phase !== 'registered' || !this.registeredOn) return;
    this.note(this.registeredOn, `${this.failback.lapseWords()}; the next request starts at the primary`);
  }

  private traceState(from: RegistrationState, to: RegistrationState, reason: string, server = this.serverName): void {
    const t = this.target;
    this.trace.emit({ kind: 'phone.registration', phone: t.phone, account: t.account, server, from, to, reason });
  }

  /** A step that changes no registration state (next address, failback probe, register_on_enable). */
  private note(server: string, reason: string): void {
    this.trace.emit({ kind: 'phone.register-attempt', phone: this.target.phone, account: this.target.account, server, reason });
  }
}
