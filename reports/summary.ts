import { formatDuration } from '../sim/core/time.js';
import { formatWarning } from '../sim/core/warning.js';
import { renderFleetSummary } from './fleet-summary.js';
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from '../sim/phone/model-options.js';
import type { RunResult } from '../sim/scenario/run-scenario.js';

/**
 * "model defaults" or "model retryCounts=sends-in-all (others default)": only the options that
 * differ from the documented defaults, so the line stays readable as options are added (every
 * vendor ambiguity is one) and a golden changes only when a run's model does.
 */
export function describeModel(model: ModelOptions): string {
  const changed = (Object.keys(DEFAULT_MODEL_OPTIONS) as (keyof ModelOptions)[]).filter((k) => model[k] !== DEFAULT_MODEL_OPTIONS[k]);
  return changed.length === 0 ? 'model defaults' : `model ${changed.map((k) => `${k}=${model[k]}`).join(' ')} (others default)`;
}

/**
 * The QA summary after the ladder: per phone, registrations per server, the working server
 * over time (failover/failback instants with their triggers), unregistered gaps and calls;
 * then every expectation's verdict with what was seen. Input warnings come first, by the
 * header: they often explain what follows (a server address no host has, no expectations).
 */
export function renderSummary(run: RunResult): string {
  const out: string[] = [];
  const s = run.scenario;
  out.push(`Summary — ${s.id}: ${s.name}`);
  out.push(`  seed ${run.seed}, ${formatDuration(run.end)} simulated, ${run.eventsRun} events, ${describeModel(run.model)}`);
  for (const w of s.warnings) out.push(`  warning: ${formatWarning(w)}`);
  for (const p of run.timelines) {
    out.push(`  ${p.phone}`);
    const regs = [...p.registered].filter(([, iv], _i, all) => iv.length > 0 || all.every(([, x]) => x.length === 0)).map(([server, iv]) => `${server} ${iv.length ? iv.map((i) => `${formatDuration(i.from)}–${formatDuration(i.to)}`).join(', ') : 'never'}`);
    out.push(`    registered:      ${regs.join('; ') || 'no registration attempted'}`);
    if (p.accounts.length === 0) out.push('    working server:  none', '    unregistered:    never registered');
    for (const a of p.accounts) {
      // With several accounts each gets its own lines, labelled; one account keeps the short form.
      const label = (what: string): string => (p.accounts.length > 1 ? `account ${a.account} ${what}: ` : `${what}:`).padEnd(17);
      out.push(`    ${label('working server')}${a.working.map((w) => `${formatDuration(w.t)} ${w.server ?? 'none'} (${w.reason})`).join('; ')}`);
      out.push(`    ${label('unregistered')}${a.firstRegistered === null ? 'never registered' : a.gaps.length ? a.gaps.map((g) => `${formatDuration(g.from)}–${formatDuration(g.to)} (${formatDuration(g.to - g.from)})`).join(', ') : `no gap after first registration at ${formatDuration(a.firstRegistered)}`}`);
    }
    for (const name of [...new Set(p.features.map((f) => f.feature))]) {
      const changes = p.features.filter((f) => f.feature === name).map((f) => `${formatDuration(f.t)} ${f.available ? `on (${f.server})` : `off${f.server ? ` (${f.server})` : ''}`}`);
      out.push(`    ${`feature ${name}:`.padEnd(17)}${changes.join('; ')}`);
    }
    for (const c of p.incoming) {
      out.push(`    ${'incoming call:'.padEnd(17)}from ${c.caller} via ${c.via} at ${formatDuration(c.t - c.setup)}: ${c.outcome}${c.setup ? `, setup ${formatDuration(c.setup)}` : ''} (${c.reason})`);
    }
    if (p.calls.length === 0) out.push('    calls:           none');
    for (const c of p.calls) {
      out.push(`    ${`call ${c.call} → ${c.to}:`.padEnd(17)}${c.outcome}${c.via ? ` via ${c.via}` : ''}, setup ${formatDuration(c.setup)}, tried ${c.tried.join(' → ') || 'nothing'} (placed at ${formatDuration(c.t - c.setup)})`);
    }
  }
  if (run.metrics) out.push(...renderFleetSummary(run.metrics));
  const held = run.verdicts.filter((v) => v.pass).length;
  out.push(`  expectations: ${held}/${run.verdicts.length} hold`);
  for (const v of run.verdicts) {
    out.push(`    ${v.pass ? 'PASS' : 'FAIL'} ${s.file}:${v.expectation.line} ${v.expectation.text}`);
    out.push(`         ${v.pass ? 'seen' : 'seen instead'}: ${v.seen}`);
    if (v.warning) out.push(`         warning: ${v.warning}`);
  }
  return out.join('\n') + '\n';
}
