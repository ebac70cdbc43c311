// The alea generator alone: the seedrandom barrel also loads ARC4 and four other generators
// (~12 ms of start-up for a CLI whose whole run can take 100 ms).
import alea from 'seedrandom/lib/alea.js';

/** A source of uniform draws in [0, 1). Functions that draw take one explicitly, never a default. */
export type Rng = () => number;

/**
 * Named seeded random streams: each component draws from `alea("<seed>/<name>")`, so adding a
 * phone or a link never shifts another component's draws (ns-3's stream idea without its
 * creation-order fragility). alea costs ~15 ns a draw against ~48 ns for the default ARC4.
 */
export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number | string) {}

  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (!rng) {
      // Seeded on the first draw: a fleet's phones each ask for several streams that most
      // never draw from (seeding costs ~5 µs, most of building a 100,000-phone World).
      let prng: (() => number) | undefined;
      const key = `${this.seed}/${name}`;
      rng = () => (prng ??= alea(key))();
      this.streams.set(name, rng);
    }
    return rng;
  }
}

/** Exponential draw with the given mean. */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}
