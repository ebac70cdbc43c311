import type { Micros } from '../core/clock.js';
import type { Located } from '../dns/server-locator.js';
import type { FailbackModelOptions } from './options/failback.js';
import { FAILBACK_DEFAULTS } from './options/failback.js';
import type { ServerSettings } from './phone-config.js';

/** What a new request is: a call, the first REGISTER (boot, retry) or a renewal. */
export type RequestKind = 'invite' | 'register' | 'refresh';

/**
 * Where new requests go after a failover (reference R4, account.X.sip_server.Y.failback_mode).
 * After registering with an address other than the primary, modes 1–3 prefer that address for
 * new requests until the mode's failback point; mode 0 always starts at the primary.
 *   0 newRequests  — every new request goes to the primary first.
 *   1 DNSTTL       — the last registered address until its DNS TTL runs out (AMB-07 dnsTtlSource:
 *                    its A record ★, its SRV record, or the smallest TTL along NAPTR → SRV → A).
 *   2 registration — the last registered address, but each renewal tries the primary first.
 *   3 duration     — the last registered address for failback_timeout (0: until it fails).
 * When the preference lapses the agent probes the primary with a REGISTER only in mode 1 under
 * dnsTtlSource = minAlongChain (AMB-07) and in mode 3 under durationFailback =
 * periodicRegisterProbe or immediateReregister (AMB-09) — by default (aRecord, oneShot) the
 * lapse just lets the next request start at the primary.
 */
export class FailbackPreference {
  private preferred: Located | undefined;
  private until = 0;

  constructor(
    private readonly server: ServerSettings,
    private readonly options: FailbackModelOptions = FAILBACK_DEFAULTS,
  ) {}

  get mode(): 0 | 1 | 2 | 3 {
    return this.server.failbackMode;
  }

  /**
   * A registration succeeded at `index` of the located list. Returns the instant to probe the
   * primary, or undefined when nothing is sent at the lapse (mode 1 aRecord, mode 3 oneShot: the
   * preference still lapses at `until`, and the next request after it starts at the primary).
   * `listExpiresAt`: when the list's first record runs out (minAlongChain); `addressExpiresAt`:
   * when the registered address's A (or SRV) record does (aRecord, srvRecord; the list's expiry when not given);
   * `addressTtl`: that record's TTL as a duration (AMB-07 dnsTtlStart atFailover / atRegistration).
   */
  registered(list: readonly Located[], index: number, now: Micros, listExpiresAt: Micros, leaseEnd = Infinity, addressExpiresAt = listExpiresAt, addressTtl = Infinity): Micros | undefined {
    if (index === 0 || this.mode === 0) {
      this.preferred = undefined;
      return undefined;
    }
    const before = this.preferred;
    this.preferred = list[index];
    // A renewal with the address already preferred, its preference not yet run out.
    const renewal = before !== undefined && same(before, list[index]!) && now < this.until;
    switch (this.mode) {
      case 1: {
        if (this.options.dnsTtlSource === 'minAlongChain') {
          this.until = listExpiresAt;
          break;
        }
        // AMB-07 aRecord / srvRecord: by default the record's own expiry (from its fetch); a renewal
        // with that same address before it runs out does not push it on (with dns_cache_type 0 every
        // request fetches the record anew). dnsTtlStart: the TTL from the failover, or from each registration.
        const start = this.options.dnsTtlStart;
        if (start === 'atRegistration') this.until = now + addressTtl;
        else if (!renewal) this.until = start === 'atFailover' ? now + addressTtl : addressExpiresAt;
        break;
      }
      case 2:
        // AMB-08 atExpiry: the lease of the registration that failed over ends the preference;
        // renewals with that same address do not push it on (else the phone would never return).
        if (this.options.registrationFailbackInstant === 'atRenewal') this.until = Infinity;
        else if (!(before && same(before, list[index]!) && Number.isFinite(this.until))) this.until = leaseEnd;
        break;
      case 3: {
        // AMB-09 immediateReregister: the registration the lapse's re-REGISTER ended with (the
        // secondary again) is no new failover — no preference, no timer; later requests start at the primary.
        if (this.options.durationFailback === 'immediateReregister' && before !== undefined && same(before, list[index]!) && now >= this.until) {
          this.preferred = undefined;
          return undefined;
        }
        // AMB-09 failbackTimerStart: from the failover (★), or afresh at every successful registration.
        const restart = this.options.failbackTimerStart === 'atLastSuccess' || !renewal;
        if (restart) this.until = this.server.failbackTimeout === 0 ? Infinity : now + this.server.failbackTimeout;
        break;
      }
    }
    if (this.mode === 3 && this.options.durationFailback === 'oneShot') return undefined;
    if (this.mode === 1 && this.options.dnsTtlSource !== 'minAlongChain') return undefined;
    return Number.isFinite(this.until) ? this.until : undefined;
  }

  /** Whether a probe due now must wait for the phone to be idle (AMB-10). */
  deferProbe(busy: boolean): boolean {
    return this.held(busy);
  }

  /** Mode 1 aRecord, mode 3 oneShot: the instant the preference lapses (for the agent's trace), if any. */
  lapsesAt(): Micros | undefined {
    return this.preferred && Number.isFinite(this.until) ? this.until : undefined;
  }

  /** Why a preference lapsed with nothing sent (mode 1 aRecord / srvRecord, mode 3 oneShot), for the trace. */
  lapseWords(): string {
    if (this.mode !== 1) return 'failback mode 3 (durationFailback oneShot): failback_timeout ran out';
    const o = this.options;
    const start = o.dnsTtlStart === 'recordExpiry' ? '' : `, dnsTtlStart ${o.dnsTtlStart}`;
    const record = o.dnsTtlSource === 'srvRecord' ? 'SRV' : 'A';
    return `failback mode 1 (dnsTtlSource ${o.dnsTtlSource}${start}): the ${record} record of the registered server ran out`;
  }

  /** The preferred address failed: new requests start at the primary again. */
  failed(addr: Located): void {
    if (this.preferred && same(this.preferred, addr)) this.preferred = undefined;
  }

  /** Mode 2, AMB-08 atRenewal (★): every renewal walks the list from the primary. */
  private renewalFailsBack(kind: RequestKind): boolean {
    return this.mode === 2 && kind === 'refresh' && this.options.registrationFailbackInstant === 'atRenewal';
  }

  /** AMB-10 deferUntilIdle: with a call in progress, a failback point that has come is not acted on yet. */
  private held(busy: boolean): boolean {
    return busy && this.mode !== 0 && this.options.failbackOnlyWhenIdle === 'deferUntilIdle' && this.preferred !== undefined;
  }

  /** Why the order below starts where it does, for traces. `busy`: a call is in progress. */
  describe(kind: RequestKind, now: Micros, busy = false): string | undefined {
    const p = this.preferred;
    const due = p !== undefined && (now >= this.until || this.renewalFailsBack(kind));
    if (due && this.held(busy)) return `failback mode ${this.mode}: a call is in progress — the failback waits until the phone is idle (failbackOnlyWhenIdle)`;
    if (!p || now >= this.until) return p ? `failback mode ${this.mode}: the preference for ${p.name} has lapsed` : undefined;
    if (this.renewalFailsBack(kind)) return 'failback mode 2 (registration): the renewal tries the primary first';
    return undefined;
  }

  /**
   * The located list in the order a new request of `kind` walks it. `busy`: a call is in progress
   * (AMB-10). `registered`: the address registered with, for a mode-0 renewal under AMB-37 sameAddress.
   */
  order(list: readonly Located[], kind: RequestKind, now: Micros, busy = false, registered?: Located): Located[] {
    if (this.mode === 0 && kind === 'refresh' && registered && this.options.refreshTargetInMode0 === 'sameAddress') {
      const i = list.findIndex((a) => same(a, registered));
      if (i > 0) return [list[i]!, ...list.filter((_, j) => j !== i)];
    }
    const p = this.preferred;
    if (!p) return [...list];
    if (!this.held(busy) && (now >= this.until || this.renewalFailsBack(kind))) return [...list];
    const i = list.findIndex((a) => same(a, p));
    if (i < 0) return [...list];
    return [list[i]!, ...list.filter((_, j) => j !== i)];
  }
}

function same(a: Located, b: Located): boolean {
  return a.ip === b.ip && a.port === b.port && a.transport === b.transport;
}
