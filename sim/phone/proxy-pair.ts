import type { Located } from '../dns/server-locator.js';

/**
 * AMB-31 (d) proxyPairRole = fallbackOnly: while registered through outbound proxy 2, a new
 * request (call, renewal) goes to proxy 2's addresses first, then proxy 1's — the fallback proxy
 * keeps the requests, as a fallback server does, until the outbound_proxy_fallback_interval probe
 * returns the registration to proxy 1. `located`: the whole proxy path, proxy 1's
 * `firstProxyAddresses` addresses first; `list`: the entries to order (a subset of it, in its order).
 */
export function proxy2First(list: readonly Located[], located: readonly Located[], firstProxyAddresses: number): Located[] {
  const proxy2 = new Set(located.slice(firstProxyAddresses));
  return [...list.filter((a) => proxy2.has(a)), ...list.filter((a) => !proxy2.has(a))];
}
