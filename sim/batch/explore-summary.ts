import { relative, resolve, sep } from 'node:path';
import type { Micros } from '../core/clock.js';
import { formatDuration } from '../core/time.js';
import type { Gene } from './explore-faults.js';
import type { InvariantName } from './explore-invariants.js';
import type { ExploreResult } from './explore-run.js';
import { figureOf, Objective } from './explore-search.js';

/** One invariant that failed: how many runs, the first, its shrunk schedule and the file written for it. */
export interface Finding {
  invariant: InvariantName;
  runs: number;
  from: ExploreResult;
  shrunk: { genes: Gene[]; result: ExploreResult; steps: number };
  file: string;
}

export interface Worst {
  objective: Objective;
  result: ExploreResult;
  /** The best figure among the random runs alone. */
  randomBest: number;
  searchRuns: number;
  file: string;
}

export interface SummaryInput {
  file: string;
  /** Where explore.json goes: its paths are written relative to it. */
  outDir: string;
  id: string;
  name: string;
  seed: number;
  faults: number;
  runs: readonly ExploreResult[];
  findings: readonly Finding[];
  worst?: Worst;
}

export function figureText(o: Objective, v: number): string {
  return o === 'failed-calls' ? `${v} call${v === 1 ? '' : 's'} lost` : formatDuration(v as Micros);
}

const OBJECTIVE_WORDS: Record<Objective, (faults: number, v: number) => string> = {
  gap: (k, v) => `the worst ${k}-fault outage found leaves a phone unregistered ${formatDuration(v)}`,
  'failed-calls': (k, v) => `the worst ${k}-fault outage found loses ${figureText('failed-calls', v)}`,
  setup: (k, v) => `the worst ${k}-fault outage found makes a call wait ${formatDuration(v)} for its outcome`,
};

/**
 * The summary on stdout and explore.json: nothing in either depends on the wall clock or the
 * thread count (the rate goes to stderr), so the same seed writes the same bytes. explore.json's
 * paths are relative to the output directory (the text shows them as the user gave them).
 */
export function exploreSummary(s: SummaryInput): { text: string; json: string } {
  const n = s.runs.length;
  const lines: string[] = [`explore ${s.id} — ${s.name}`, `${n} random schedule${n === 1 ? '' : 's'} of 1–${s.faults} faults (seed ${s.seed}), every run checked against the invariants`];
  const failingRuns = s.runs.filter((r) => r.failures.length > 0).length;
  lines.push(s.findings.length === 0 ? `invariants: all hold in ${n} runs` : `invariants: ${failingRuns} of ${n} runs break at least one`);
  for (const f of s.findings) {
    const detail = f.shrunk.result.failures.find((x) => x.invariant === f.invariant)?.detail ?? '';
    lines.push(`  FAIL ${f.invariant}: ${f.runs} run${f.runs === 1 ? '' : 's'}, first run ${f.from.index}; shrunk to ${f.shrunk.genes.length} fault${f.shrunk.genes.length === 1 ? '' : 's'} → ${f.file}`, `       ${detail}`);
  }
  const expected = new Map<string, number>();
  for (const r of s.runs) for (const e of r.expectations) expected.set(e, (expected.get(e) ?? 0) + 1);
  const failingExp = s.runs.filter((r) => r.expectations.length > 0).length;
  lines.push(`the scenario's own expectations (they may fail under other faults; not invariant failures): ${failingExp} of ${n} runs fail one`);
  for (const [e, c] of [...expected].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5)) lines.push(`  ${c} runs: ${e}`);
  const top = (o: Objective): ExploreResult => s.runs.reduce((m, r) => (figureOf(r, o) > figureOf(m, o) ? r : m), s.runs[0]!);
  lines.push(`figures over the random runs: worst unregistered gap ${formatDuration(top('gap').figures.gap)} (run ${top('gap').index}), most calls lost ${top('failed-calls').figures.failed} (run ${top('failed-calls').index}), worst call setup ${formatDuration(top('setup').figures.setup)} (run ${top('setup').index})`);
  const w = s.worst;
  if (w) {
    const v = figureOf(w.result, w.objective);
    lines.push(`objective ${w.objective}: ${OBJECTIVE_WORDS[w.objective](w.result.genes.length, v)} (${figureText(w.objective, w.randomBest)} from the random runs alone; ${w.searchRuns} search runs) → ${w.file}`);
  }
  // Paths relative to the output directory, '/'-separated: the same run writes the same bytes on
  // every machine and checkout (an absolute path would carry the user's directories).
  const rel = (p: string): string => relative(resolve(s.outDir), resolve(p)).split(sep).join('/');
  const json = {
    file: rel(s.file), id: s.id, seed: s.seed, faults: s.faults, runs: n,
    invariantFailures: failingRuns,
    findings: s.findings.map((f) => ({
      invariant: f.invariant, runs: f.runs, firstRun: f.from.index, file: rel(f.file), shrinkSteps: f.shrunk.steps,
      genes: f.shrunk.genes, failures: f.shrunk.result.failures.filter((x) => x.invariant === f.invariant).map((x) => x.detail),
    })),
    expectationFailures: failingExp,
    expectations: Object.fromEntries([...expected].sort((a, b) => a[0].localeCompare(b[0]))),
    figures: { gap: top('gap').figures.gap / 1e6, failedCalls: top('failed-calls').figures.failed, setup: top('setup').figures.setup / 1e6 },
    ...(w ? { worst: { objective: w.objective, figure: w.objective === 'failed-calls' ? figureOf(w.result, w.objective) : figureOf(w.result, w.objective) / 1e6, randomBest: w.objective === 'failed-calls' ? w.randomBest : w.randomBest / 1e6, searchRuns: w.searchRuns, genes: w.result.genes, file: rel(w.file) } } : {}),
  };
  return { text: lines.join('\n') + '\n', json: JSON.stringify(json, null, 2) + '\n' };
}
