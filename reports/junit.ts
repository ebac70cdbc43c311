import type { RunResult } from '../sim/scenario/run-scenario.js';
import type { Verdict } from '../sim/scenario/expectations.js';

/**
 * JUnit XML: one test suite per scenario, one test case per expectation, in the shape Jenkins,
 * GitLab and GitHub test reporters read (testsuites > testsuite > testcase with failure).
 *
 * A test case is named by the expectation itself (its text, white space folded), not by its
 * line, so editing a scenario above an expectation does not rename it and CI keeps its history;
 * the line goes in the `line` attribute and the failure text. Two identical expectations in one
 * scenario get " (2)", " (3)" in file order. `time` is 0: outputs are byte-identical across runs
 * and machines, and a wall time would break that (the simulated instants are in the text).
 */
export function renderJunit(runs: readonly RunResult[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = runs.reduce((n, r) => n + r.verdicts.filter((v) => !v.pass).length, 0);
  const tests = runs.reduce((n, r) => n + r.verdicts.length, 0);
  lines.push(`<testsuites name="sipsim" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="0">`);
  for (const run of runs) {
    const s = run.scenario;
    const failed = run.verdicts.filter((v) => !v.pass).length;
    lines.push(`  <testsuite name="${esc(s.id)}" tests="${run.verdicts.length}" failures="${failed}" errors="0" skipped="0" time="0">`);
    lines.push(`    <properties><property name="seed" value="${run.seed}"/><property name="file" value="${esc(s.file)}"/></properties>`);
    const names = caseNames(run.verdicts);
    run.verdicts.forEach((v, i) => {
      lines.push(`    <testcase classname="${esc(s.id)}" name="${esc(names[i]!)}" file="${esc(s.file)}" line="${v.expectation.line}" time="0">`);
      const warning = v.warning ? `\nwarning: ${v.warning}` : '';
      if (v.pass) lines.push(`      <system-out>${esc(`seen: ${v.seen}${warning}`)}</system-out>`);
      else lines.push(`      <failure message="${esc(`seen instead: ${v.seen}`)}" type="expectation">${esc(`${s.file}:${v.expectation.line}: ${v.expectation.text}\nseen instead: ${v.seen}${warning}`)}</failure>`);
      lines.push('    </testcase>');
    });
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function caseNames(verdicts: readonly Verdict[]): string[] {
  const seen = new Map<string, number>();
  return verdicts.map((v) => {
    const base = v.expectation.text.replace(/\s+/g, ' ').trim();
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

/**
 * Text for an XML attribute or element: the five markup characters as entities, and characters
 * XML 1.0 cannot hold at all (C0 controls other than tab/newline/CR, lone surrogates, U+FFFE/F)
 * written as visible escapes, so a display name like "<script>\x07" neither injects markup nor
 * makes the file unreadable to a parser.
 */
export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
