/** A point of a per-second series: second k and the series' value there. */
export interface SeriesPoint {
  k: number;
  v: number;
}

/** Points a chart line may have: past this the series is bucketed (a day of seconds is 86,400). */
export const MAX_POINTS = 2000;

/**
 * The points a line draws of a per-second series. Short series: every second. Long ones: cut
 * into MAX_POINTS / 2 buckets of whole seconds, each giving its minimum and its maximum at the
 * seconds they occur (in time order; one point when they are the same). Min/max rather than a
 * mean, because QA reads these charts for dips and spikes: a mean would flatten a 2 s shed
 * burst or a registration dip in a day-long run, min/max keeps every extreme exactly. Every
 * point is a real sample (second, value), so a reader can check it against the metrics file.
 * Cost: one pass, O(n).
 */
export function downsample(series: ArrayLike<number>, max = MAX_POINTS): SeriesPoint[] {
  const n = series.length;
  const out: SeriesPoint[] = [];
  if (n <= max) {
    for (let k = 0; k < n; k++) out.push({ k, v: series[k]! });
    return out;
  }
  const buckets = Math.floor(max / 2);
  const size = Math.ceil(n / buckets);
  for (let start = 0; start < n; start += size) {
    const stop = Math.min(n, start + size);
    let lo = start;
    let hi = start;
    for (let k = start + 1; k < stop; k++) {
      if (series[k]! < series[lo]!) lo = k;
      if (series[k]! > series[hi]!) hi = k;
    }
    const first = Math.min(lo, hi);
    const second = Math.max(lo, hi);
    out.push({ k: first, v: series[first]! });
    if (second !== first) out.push({ k: second, v: series[second]! });
  }
  return out;
}
