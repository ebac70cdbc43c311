import type { Located } from '../dns/server-locator.js';

/**
 * AMB-24 (companion of regRetryPolicy), model option regRetryRestart: where the retry of a
 * registration whose every address failed starts. 'primary' (★): at the top of the list, as
 * every attempt does. 'lastTried': at the address tried last, then on down the list, wrapping
 * round — [a3, a1, a2] after a1, a2, a3 failed; the entry now last gets the full timeout (R2).
 * An address no longer in the list (DNS changed) leaves the order as it is.
 */
export function restartAtLastTried(servers: readonly Located[], last: Located | undefined): Located[] {
  const i = last ? servers.findIndex((a) => a.ip === last.ip && a.port === last.port && a.transport === last.transport) : -1;
  return i <= 0 ? [...servers] : [...servers.slice(i), ...servers.slice(0, i)];
}
