import fc from 'fast-check';
import type { Gene } from './explore-faults.js';
import { scheduleArbitrary } from './explore-faults.js';
import type { InvariantName } from './explore-invariants.js';
import { Explorable, ExploreResult, exploreRun } from './explore-run.js';

/**
 * Shrinks a failing schedule with fast-check: the schedule is given as the property's only
 * example, and fast-check's shrinker (fewer faults, earlier instants, shorter lengths, first
 * modes — genes are plain integers, shrinkable without context) keeps every smaller schedule
 * that still breaks the same invariant. Deterministic: the same schedule shrinks the same way.
 */
export function shrinkSchedule(x: Explorable, maxFaults: number, failing: ExploreResult, invariant: InvariantName): { genes: Gene[]; result: ExploreResult; steps: number } {
  const breaks = (genes: Gene[]): boolean => exploreRun(x, failing.index, genes).failures.some((f) => f.invariant === invariant);
  const arb = scheduleArbitrary(x.surface, Math.max(maxFaults, failing.genes.length));
  const out = fc.check(fc.property(arb, (genes) => !breaks(genes)), { examples: [[failing.genes]], numRuns: 1, seed: 0, endOnFailure: false });
  const genes = out.failed && out.counterexample ? out.counterexample[0] : failing.genes;
  // Run the minimal schedule once more, hashed, for the report.
  const result = exploreRun(x, failing.index, genes, true);
  return { genes, result, steps: out.numShrinks };
}
