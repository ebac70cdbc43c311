/** Order statistics of a sample: what QA reads off a distribution of gaps or setup times. */
export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export const PERCENTILES = ['p50', 'p95', 'p99', 'max'] as const;
export type Percentile = (typeof PERCENTILES)[number];

/**
 * Nearest-rank percentiles (the p-th value is the smallest with at least p % of the sample at or
 * below it): always a value that occurred, and the same bytes on every machine. Empty → null.
 */
export function distribution(values: ArrayLike<number>): Distribution | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => nearestRank(sorted, p);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return { count: n, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[n - 1]!, mean: sum / n };
}

/** A growable list of numbers in a typed array: 100,000 phones' gaps without 100,000 boxed numbers. */
export class NumberList {
  private data = new Float64Array(64);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  /** The i-th number (i < length). */
  get(i: number): number {
    return this.data[i]!;
  }
}

/** The p-th nearest-rank percentile of an ascending sample (the rule of distribution()); n ≥ 1. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
