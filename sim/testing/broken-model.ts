/**
 * TEST-ONLY deliberate breakages of the model, so the tests can show that explore catches a real
 * model bug (issue 10's acceptance), not only a stricter check. Nothing outside the test suite
 * can switch one on: no scenario key, model option, CLI flag or environment variable reaches
 * this module — only a test calling breakModelForTests in its own thread (worker threads never
 * see it, and explore refuses to use its worker pool while a breakage is on).
 */
export type Breakage =
  /** A failed registration never schedules its retry: the phone stays unregistered after an outage. */
  'no-registration-retry';

let active: ReadonlySet<Breakage> = new Set();

/** Whether a breakage is on (the model's hook: false in every user run). */
export function broken(b: Breakage): boolean {
  return active.has(b);
}

/** The breakages on, sorted (explore keys its per-thread cache with them). */
export function activeBreakages(): Breakage[] {
  return [...active].sort();
}

/** Switches breakages on for a test; returns the function that switches them off again. */
export function breakModelForTests(...bs: Breakage[]): () => void {
  const before = active;
  active = new Set([...before, ...bs]);
  return () => void (active = before);
}
