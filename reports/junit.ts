import type { RunResult } from '../sim/scenario/run-scenario.js';

/** JUnit XML: one test suite per scenario, one test case per expectation (CI dashboards read it). */
export function renderJunit(runs: readonly RunResult[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = runs.reduce((n, r) => n + r.verdicts.filter((v) => !v.pass).length, 0);
  const tests = runs.reduce((n, r) => n + r.verdicts.length, 0);
  lines.push(`<testsuites name="sipsim" tests="${tests}" failures="${failures}">`);
  for (const run of runs) {
    const s = run.scenario;
    const failed = run.verdicts.filter((v) => !v.pass).length;
    lines.push(`  <testsuite name="${esc(s.id)}" tests="${run.verdicts.length}" failures="${failed}" time="0">`);
    lines.push(`    <properties><property name="seed" value="${run.seed}"/><property name="file" value="${esc(s.file)}"/></properties>`);
    for (const v of run.verdicts) {
      const name = `line ${v.expectation.line}: ${v.expectation.text}`;
      lines.push(`    <testcase classname="${esc(s.id)}" name="${esc(name)}" time="0">`);
      if (v.pass) lines.push(`      <system-out>${esc(v.seen)}</system-out>`);
      else lines.push(`      <failure message="${esc(v.seen)}" type="expectation">${esc(`${s.file}:${v.expectation.line}: ${v.expectation.text}\nseen instead: ${v.seen}`)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
