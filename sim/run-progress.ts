import { Presets, SingleBar } from 'cli-progress';
import { formatDuration, US_PER_S } from './core/time.js';
import type { RunProgress } from './scenario/run-scenario.js';

/**
 * `sipsim run`'s progress on stderr for a run long enough to pause between slices (a fleet; a
 * bundled single-phone scenario never shows one): simulated time reached of the run's duration,
 * events so far, ETA. Only when stderr is a terminal; a CI log or a redirected stderr gets
 * nothing. Wall-clock time is cli-progress's own, for the ETA; nothing in the outputs reads it.
 */
export interface RunProgressBar {
  update(p: RunProgress): void;
  /** Clears the bar before the summary is printed (a no-op when none was shown). */
  stop(): void;
}

export function runProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): RunProgressBar {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: SingleBar | undefined;
  return {
    update(p) {
      // Simulated seconds as the bar's value: cli-progress's ETA is then wall time per simulated second.
      const value = Math.floor(p.now / US_PER_S);
      const payload = { sim: formatDuration(value * US_PER_S), end: formatDuration(p.duration), events: p.events.toLocaleString('en-US') };
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: `${label} {bar} {sim} of {end} simulated | {events} events | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 20,
          fps: 5,
        }, Presets.shades_classic);
        bar.start(Math.max(1, Math.ceil(p.duration / US_PER_S)), value, payload);
      } else {
        bar.update(value, payload);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
