import { Presets, SingleBar } from 'cli-progress';

/**
 * The sweep's progress on stderr — done/total, runs/s, ETA, failures so far — only when stderr
 * is a terminal: a CI log or a redirected stderr gets nothing (quiet otherwise). Wall-clock time
 * is read here only, for the rate; nothing in the outputs depends on it.
 */
export interface Progress {
  add(runs: number, failures: number): void;
  stop(): void;
}

export function progress(total: number, stream: NodeJS.WriteStream = process.stderr, label = 'sweep'): Progress {
  if (!stream.isTTY) return { add: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream,
    format: `${label} {bar} {value}/{total} runs | {rate} runs/s | ETA {eta_formatted} | {failures} failed`,
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
  }, Presets.shades_classic);
  const t0 = performance.now();
  let done = 0;
  let failed = 0;
  bar.start(total, 0, { rate: '0', failures: 0 });
  return {
    add(runs, failures) {
      done += runs;
      failed += failures;
      const seconds = (performance.now() - t0) / 1000;
      bar.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(0) : '0', failures: failed });
    },
    stop() {
      bar.stop();
    },
  };
}
