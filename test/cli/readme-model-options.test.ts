import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MODEL_OPTIONS, MODEL_OPTION_SPECS } from '../../sim/phone/model-options.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * The README's model-option table stays in step with the model (issue 13: "the scenario schema
 * and README stay in step"): every option has a row naming it, listing every value it accepts
 * and its default; no row names an option the model does not have.
 */
describe('README model-option table', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Model options'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('|---')));
  const rows = table.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split(' | '));

  it('every option has a row with its values and its default', () => {
    for (const [key, spec] of Object.entries(MODEL_OPTION_SPECS)) {
      const row = rows.find((r) => r[0]!.includes(`\`${key}\``));
      expect(row, `README row for ${key}`).to.not.equal(undefined);
      if (spec.kind === 'enum') for (const v of spec.values) expect(row![1], `${key}: value ${v}`).to.include(`\`${v}\``);
      expect(row![2], `${key}: default`).to.include(String(DEFAULT_MODEL_OPTIONS[key as keyof typeof DEFAULT_MODEL_OPTIONS]));
    }
  });

  it('the table is one table: no paragraph breaks it (rows after a paragraph would render as text)', () => {
    const after = section.slice(table.length).split('\n## ')[0]!;
    expect(after.split('\n').filter((l) => l.startsWith('| `'))).to.deep.equal([]);
  });

  it('no row names an option the model does not have', () => {
    const named = rows.flatMap((r) => [...r[0]!.split("[")[0]!.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]!));
    expect(named.filter((k) => !(k in MODEL_OPTION_SPECS))).to.deep.equal([]);
  });
});
