import fc from 'fast-check';
import alea from 'seedrandom/lib/alea.js';
import type { Rng } from '../core/random.js';
import { Gene, MAX_EXTRA_SECONDS, scheduleArbitrary, Surface } from './explore-faults.js';
import type { ExploreResult } from './explore-run.js';

export type Objective = 'gap' | 'failed-calls' | 'setup';
export const OBJECTIVES: readonly Objective[] = ['gap', 'failed-calls', 'setup'];

/** The figure a run reaches for an objective (µs for gap and setup, a count for failed calls). */
export function figureOf(r: ExploreResult, o: Objective): number {
  return o === 'gap' ? r.figures.gap : o === 'setup' ? r.figures.setup : r.figures.failed;
}

/** Better for the objective: a higher figure, then fewer faults, then the earlier run (deterministic ties). */
function better(a: ExploreResult, b: ExploreResult, o: Objective): boolean {
  const fa = figureOf(a, o);
  const fb = figureOf(b, o);
  if (fa !== fb) return fa > fb;
  if (a.genes.length !== b.genes.length) return a.genes.length < b.genes.length;
  return a.index < b.index;
}

export function best(results: readonly ExploreResult[], o: Objective): ExploreResult | undefined {
  let top: ExploreResult | undefined;
  for (const r of results) if (!top || better(r, top, o)) top = r;
  return top;
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.round(v)));

/** One local move: shift an instant, change a length, a mode, the extra figure or the target; add or drop a fault within the budget. */
export function neighbour(genes: readonly Gene[], surface: Surface, maxFaults: number, rng: Rng): Gene[] {
  const out = genes.map((g) => ({ ...g }));
  const i = Math.floor(rng() * out.length);
  const g = out[i]!;
  const maxAt = Math.max(0, Math.floor(surface.window / 1000) - 1000);
  const span = (s: number): number => (rng() * 2 - 1) * s;
  switch (Math.floor(rng() * 7)) {
    case 0: g.at = clamp(g.at + span(30_000), 0, maxAt); break;
    case 1: g.at = clamp(g.at + span(3_000), 0, maxAt); break;
    case 2: g.length = clamp(g.length + span(60), 1, surface.maxLength); break;
    case 3: g.variant = (g.variant + 1 + Math.floor(rng() * 3)) % 4; break;
    case 4: g.extra = clamp(g.extra + span(20), 0, MAX_EXTRA_SECONDS); break;
    case 5: g.target = Math.floor(rng() * surface.targets.length); break;
    default:
      if (out.length < maxFaults && rng() < 0.5) out.push({ ...g, at: clamp(g.at + g.length * 1000 + span(20_000), 0, maxAt), target: Math.floor(rng() * surface.targets.length) });
      else if (out.length > 1) out.splice(i, 1);
      else g.length = clamp(g.length * 2, 1, surface.maxLength);
  }
  return out;
}

export interface SearchOptions {
  objective: Objective;
  surface: Surface;
  maxFaults: number;
  /** Runs the local search may spend. */
  budget: number;
  seed: number;
  /** How many climbers walk at once (each started from one of the best random schedules). */
  climbers?: number;
  /** Neighbours each climber tries per round (one pool batch per round). */
  perRound?: number;
}

/**
 * Hill climbing with random restarts, from the best of the random runs: each round every climber
 * tries a few neighbours of its schedule (evaluated together, so the pool stays busy) and moves
 * to the best if it beats it; a climber stuck for three rounds restarts from a fresh random
 * schedule. Draws come from alea("<seed>/search/…"): the same seed walks the same way.
 */
export async function climb(start: readonly ExploreResult[], evaluate: (batch: Gene[][], firstIndex: number) => Promise<ExploreResult[]>, o: SearchOptions): Promise<{ best: ExploreResult; runs: number }> {
  const n = o.climbers ?? 4;
  const per = o.perRound ?? 8;
  const sorted = [...start].sort((a, b) => (better(a, b, o.objective) ? -1 : better(b, a, o.objective) ? 1 : 0));
  const climbers = sorted.slice(0, n).map((r) => ({ at: r, stuck: 0 }));
  let top = sorted[0]!;
  let runs = 0;
  let index = start.reduce((m, r) => Math.max(m, r.index), 0) + 1;
  for (let round = 0; runs < o.budget && climbers.length > 0; round++) {
    const batch: Gene[][] = [];
    climbers.forEach((c, k) => {
      const rng = alea(`${o.seed}/search/${round}/${k}`);
      for (let j = 0; j < per && batch.length + runs < o.budget; j++) batch.push(neighbour(c.at.genes, o.surface, o.maxFaults, rng));
    });
    if (batch.length === 0) break;
    const results = await evaluate(batch, index);
    index += batch.length;
    runs += batch.length;
    climbers.forEach((c, k) => {
      const mine = results.slice(k * per, (k + 1) * per);
      const b = best(mine, o.objective);
      if (b && figureOf(b, o.objective) > figureOf(c.at, o.objective)) {
        c.at = b;
        c.stuck = 0;
      } else if (++c.stuck >= 3) {
        // Restart: a fresh random schedule, its figure judged with the next round's neighbours.
        const genes = fc.sample(scheduleArbitrary(o.surface, o.maxFaults), { seed: o.seed + 7919 * (round + 1) + k, numRuns: 1 })[0]!;
        c.at = { ...c.at, genes, figures: { gap: 0, failed: 0, setup: 0 } };
        c.stuck = 0;
      }
    });
    const b = best(results, o.objective);
    if (b && better(b, top, o.objective)) top = b;
  }
  return { best: top, runs };
}
