/**
 * One account's use of the phone's stub resolver (fact sheet §2 key table: account.X.dns_cache_type
 * and static_cache_pri are per account): the same socket, store of answers and static cache,
 * read and filled by the account's own keys (StubResolver.forAccount).
 */
import type { Clock } from '../core/clock.js';
import type { Trace } from '../core/trace.js';
import type { Host } from '../net/host.js';
import type { CacheType } from './dns-cache.js';
import type { LocatingResolver, ResolveDone, ResolveQtype, StubResolver } from './stub-resolver.js';

/** One account's cache keys: account.X.dns_cache_type and account.X.static_cache_pri. */
export interface CacheView {
  cacheType: CacheType;
  staticPri: 0 | 1;
}

/** The phone's resolver as one account uses it: its own cache keys over the shared socket and store. */
export interface AccountResolver extends LocatingResolver {
  readonly view: CacheView;
  /** Static entries exist and stand in after live DNS (static_cache_pri = 0). */
  readonly hasStaticEntries: boolean;
  staticOnly(): LocatingResolver;
}

/** One account's use of the phone's resolver: a class, not closures, so a fleet's phones share its methods. */
export class AccountView implements AccountResolver {
  constructor(
    private readonly resolver: StubResolver,
    readonly view: CacheView,
  ) {}

  get clock(): Clock {
    return this.resolver.clock;
  }
  get trace(): Trace {
    return this.resolver.trace;
  }
  get host(): Host {
    return this.resolver.host;
  }
  get hasStaticEntries(): boolean {
    return this.resolver.statics.size > 0 && this.view.staticPri === 0;
  }
  resolve(name: string, qtype: ResolveQtype, done: ResolveDone): void {
    this.resolver.resolve(name, qtype, done, this.view);
  }
  resolveHeld(name: string, qtype: ResolveQtype, done: ResolveDone): void {
    this.resolver.resolveHeld(name, qtype, done, this.view);
  }
  staticOnly(): LocatingResolver {
    return this.resolver.staticOnly();
  }
}
