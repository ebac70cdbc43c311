import type { Micros } from './core/clock.js';
import { InputError } from './core/input-error.js';
import { formatDuration, parseDuration } from './core/time.js';
import type { LadderWindow } from '../reports/ladder.js';

/**
 * `--from T` / `--to T` of `sipsim run`: the time window the ladder is cut to, in the scenario
 * file's durations ("90s", "1m30s", "2h", or a ladder row's "1m2.345678s").
 */
export function parseInstantFlag(flag: '--from' | '--to'): (v: string) => Micros {
  return (v) => {
    const t = parseDuration(v);
    if (t === undefined) throw new InputError(flag, undefined, undefined, `expected a duration since the scenario's start like 90s, 1m30s or 2h, found "${v}"`);
    return t;
  };
}

/** The window of both flags; one that holds no instant is a mistake, not an empty ladder. */
export function ladderWindow(from: Micros | undefined, to: Micros | undefined): LadderWindow {
  if (from !== undefined && to !== undefined && to < from) {
    throw new InputError('--to', undefined, undefined, `the window ends before it starts: --to ${formatDuration(to)} is before --from ${formatDuration(from)}`);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}
