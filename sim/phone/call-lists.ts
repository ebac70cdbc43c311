import type { ModelOptions } from './model-options.js';
import type { ServerList } from './server-directory.js';

/** What the account's registrations say, for choosing a call's servers. */
export interface RegistrationView {
  /** The account goes through outbound proxies: every server's path is the same proxy list. */
  proxies: boolean;
  /** Successive registration (R6, fallback.redundancy_type = 1). */
  successive: boolean;
  /** Server 1 holds no registration (or, successive waitForNextRefresh, the switch back waits). */
  server1Down: boolean;
  /** Server 2 holds a registration. */
  server2Up: boolean;
  /** Server 1's registration failed and has not succeeded since (AMB-11 useFallbackUntilWorkingReRegisters). */
  server1Failed: boolean;
}

/**
 * Which configured servers a call walks, in which order (model options A3 / AMB-05
 * fallbackInCallList, A5 / AMB-11 concurrentCallRouting). The default is every configured server
 * in order: server 1's addresses, then server 2. `note`: why a configured server was left out,
 * for the call's first state change.
 */
export function callLists(lists: ServerList[], v: RegistrationView, o: Pick<ModelOptions, 'fallbackInCallList' | 'concurrentCallRouting'>): { lists: ServerList[]; note?: string } {
  const [s1, s2] = [lists.find((l) => l.settings.index === 1), lists.find((l) => l.settings.index === 2)];
  if (v.proxies) return { lists: lists.slice(0, 1) };
  if (!s1 || !s2) return { lists };
  if (o.fallbackInCallList === 'registration-only') return { lists: v.server1Down && v.server2Up ? [s2] : [s1] };
  // R6: in successive mode, while the fallback is registered it "takes over all calling".
  if (v.successive && v.server1Down && v.server2Up) return { lists: [s2, s1] };
  // AMB-11 useFallbackUntilWorkingReRegisters: from server 1's failed registration until it
  // registers again, calls go to server 2 only — registered there or not.
  if (!v.successive && o.concurrentCallRouting === 'useFallbackUntilWorkingReRegisters' && v.server1Failed) {
    return { lists: [s2], note: 'server 1 left out, its registration failed and has not succeeded since: concurrentCallRouting = useFallbackUntilWorkingReRegisters' };
  }
  if (o.concurrentCallRouting === 'working-first' && v.server1Down && v.server2Up) return { lists: [s2, s1] };
  // AMB-05 fallbackOnlyIfRegistered: server 2 ends the list only while the phone is registered there.
  if (o.fallbackInCallList === 'fallbackOnlyIfRegistered' && !v.server2Up) {
    return { lists: [s1], note: 'server 2 left out, not registered there: fallbackInCallList = fallbackOnlyIfRegistered' };
  }
  return { lists };
}
