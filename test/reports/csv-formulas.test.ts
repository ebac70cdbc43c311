import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toCsv } from '../../reports/csv.js';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Every CSV sipsim writes (--metrics F.csv, a sweep's runs.csv and aggregates.csv) is opened in
 * a spreadsheet; names in it come from the scenario file. A name that starts like a formula
 * must stay text there (OWASP CSV injection): it gets a leading '.
 */
describe('CSV outputs: text that looks like a formula stays text', () => {
  it('prefixes text cells starting with = + - @ or a tab, and leaves numbers (negative too) alone', () => {
    expect(toCsv([['=SUM(A1)', '+1', '-x', '@me', '\tx', 'ok', -1.5, 0]])).to.equal(`'=SUM(A1),'+1,'-x,'@me,'\tx,ok,-1.5,0\n`);
  });

  it('a fleet named =HYPERLINK(…): --metrics F.csv heads its columns with the name as text', function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-csv-formula-'));
    try {
      // by 5m: the phones' random streams are named after them, so another name is another timing.
      const file = writeCompactFleetScenario(dir, 3, { expect: ['  - { by: 5m, registered: { phone: "office[3]", on: sip1 } }'] });
      const evil = '=HYPERLINK("http://x.example/",1)';
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  office:', `  ${JSON.stringify(evil)}:`).replace('boot: office', `boot: ${JSON.stringify(evil)}`).replace('phone: "office[3]"', `phone: ${JSON.stringify(`${evil}[3]`)}`));
      const csv = path.join(dir, 'm.csv');
      const r = runCli(['run', file, '--quiet', '--metrics', csv]);
      expect(r.code, r.stderr).to.equal(0);
      const header = fs.readFileSync(csv, 'utf8').split('\n')[0]!;
      // csv-stringify quotes the cell (it holds quotes and a comma); inside, the ' comes first.
      expect(header).to.include(`"'=HYPERLINK(""http://x.example/"",1).registered"`);
      expect(header).to.not.match(/(^|,)"?=/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
