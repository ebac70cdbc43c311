import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LADDER_LEGEND, renderLadder } from '../../reports/ladder.js';
import type { NetSend, TraceEvent } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import type { HostInfo } from '../../sim/scenario/world.js';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The ladder rows: lines that start with an instant ("1m2.345678s  "), the time cut off. */
function rows(ladder: string): { t: string; rest: string }[] {
  return ladder.split('\n').flatMap((l) => {
    const m = /^ *((?:\d+h)?(?:\d+m)?\d+\.\d{6}s) {2}(.*)$/.exec(l);
    return m ? [{ t: m[1]!, rest: m[2]! }] : [];
  });
}

/** The label of an arrow row: the text between its dashes. */
const arrowLabel = (rest: string): string | undefined => /[|][<-]-*([^-|][^|]*?)-*[x>-]?[|]/.exec(rest)?.[1];

describe('text ladder', function () {
  this.timeout(60_000);

  describe('TCP segments read as TCP', () => {
    it('a segment TCP sends again reads "TCP retransmission (INVITE)", not a second INVITE', () => {
      // Scenario 14 with sip1 never back: the INVITE on the held connection is lost, TCP repeats it until Timer B.
      const tmp = tempDir('sipsim-ladder-');
      const text = fs.readFileSync(path.join(repoRoot, 'scenarios', '14-tcp-server-crash.yaml'), 'utf8')
        .replace('  - { at: 1m10s, recover: sip1 }\n', '')
        .replaceAll('phones/', `${path.join(repoRoot, 'scenarios', 'phones')}/`)
        .replace(/^expect:[\s\S]*$/m, '');
      const file = path.join(tmp, 'crash-stays.yaml');
      fs.writeFileSync(file, text);
      const run = runRecorded(loadScenario(file));
      const ladder = renderLadder(run.hosts, run.records);
      const resent = run.records.filter((r): r is NetSend => r.kind === 'net.send' && r.proto === 'tcp' && r.label === 'INVITE [retransmission]');
      expect(resent.length, 'TCP retransmissions of the INVITE in the trace').to.be.at.least(3);
      const labels = rows(ladder).map((r) => arrowLabel(r.rest)).filter((l) => l !== undefined);
      expect(labels.filter((l) => l === 'TCP retransmission (INVITE)')).to.have.length(resent.length);
      // One INVITE to sip1 (the SIP layer sent it once) and one to sip2 after Timer B.
      expect(labels.filter((l) => l === 'INVITE')).to.have.length(2);
      expect(ladder).not.to.contain('[retransmission]');
      expect(ladder).to.contain('frank: Timer B fired (INVITE to sip1): no response');
    });

    const hosts: HostInfo[] = [{ name: 'alice', ip: '10.0.0.10', role: 'phone' }, { name: 'sip1', ip: '10.0.0.1', role: 'server' }];
    const seg = (id: number, flags: string, label: string, payload: string): NetSend => ({
      kind: 'net.send', t: id * 1000, id, from: 'alice', to: 'sip1', proto: 'tcp', tcp: { flags, seq: 1, ack: 1 },
      src: { ip: '10.0.0.10', port: 49152 }, dst: { ip: '10.0.0.1', port: 5060 }, bytes: Buffer.from(payload), label,
    });

    it('a pure ACK is hidden, a lost one reads "TCP ACK"; a SIP ACK on TCP stays "ACK"', () => {
      const records: TraceEvent[] = [
        seg(1, '.', 'ACK', ''),
        seg(2, '.', 'ACK', ''),
        { kind: 'net.drop', t: 2000, id: 2, from: 'alice', to: 'sip1', reason: 'loss' },
        seg(3, 'P.', 'ACK', 'ACK sip:2000@10.0.0.1 SIP/2.0\r\n\r\n'),
        seg(4, 'P.', 'REGISTER [TLS] [retransmission]', 'x'),
      ];
      const r = rows(renderLadder(hosts, records));
      expect(r.map((x) => [x.t, arrowLabel(x.rest), x.rest.endsWith('lost: link loss')])).to.deep.equal([
        ['0.002000s', 'TCP ACK', true],
        ['0.003000s', 'ACK', false],
        ['0.004000s', 'TCP retransmission', false], // "(REGISTER [TLS])" does not fit a 25-character arrow
      ]);
    });
  });

  it('past 40 hosts: the servers, DNS and first 8 phones, a note on --ladder, and no row for a packet of a hidden phone', () => {
    const tmp = tempDir('sipsim-ladder-fleet-');
    const run = runRecorded(loadScenario(writeCompactFleetScenario(tmp, 60, { duration: '2m' })));
    const ladder = renderLadder(run.hosts, run.records);
    expect(ladder).to.contain('(ladder of 10 of 62 hosts: the servers, DNS and the first 8 of 60 phones; pick others with --ladder HOST,HOST…)');
    const header = ladder.split('\n')[0]!;
    expect(header).to.contain('office[8]').and.not.contain('office[9]');
    // Every packet row is an arrow between two shown columns: the 52 hidden phones' REGISTERs draw nothing.
    const shown = new Set(['office[1]', 'office[2]', 'office[3]', 'office[4]', 'office[5]', 'office[6]', 'office[7]', 'office[8]', 'sip1', 'sip2']);
    const packets = run.records.filter((r): r is NetSend => r.kind === 'net.send' && shown.has(r.from) && shown.has(r.to));
    const arrows = rows(ladder).filter((r) => arrowLabel(r.rest) !== undefined);
    expect(arrows.length).to.equal(packets.length);
    expect(rows(ladder).filter((r) => /^[| ]*$/.test(r.rest)).length).to.equal(0);
  });

  it('says which instant each row shows, once, under the header', () => {
    const r = runCli(['run', 'scenarios/01-all-well.yaml']);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l === LADDER_LEGEND)).to.have.length(1);
    expect(lines[lines.indexOf(LADDER_LEGEND) - 2]).to.match(/^ +time {2}alice/);
    expect(LADDER_LEGEND).to.contain('leaves the sender');
  });

  describe('--from / --to', () => {
    const full = rows(runCli(['run', 'scenarios/02-server1-silent.yaml']).stdout);
    const us = (t: string): number => {
      const m = /^(?:(\d+)h)?(?:(\d+)m)?(\d+)\.(\d{6})s$/.exec(t)!;
      return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3])) * 1e6 + Number(m[4]);
    };

    it('keeps exactly the rows of the window, both ends included, and counts the ones left out', () => {
      const r = runCli(['run', 'scenarios/02-server1-silent.yaml', '--from', '1m0.5s', '--to', '1m15.5s']);
      expect(r.code).to.equal(0);
      const from = 60_500_000;
      const to = 75_500_000;
      const inside = full.filter((x) => us(x.t) >= from && us(x.t) <= to);
      expect(inside.length).to.be.at.least(4);
      expect(rows(r.stdout)).to.deep.equal(inside);
      const before = full.filter((x) => us(x.t) < from).length;
      const after = full.filter((x) => us(x.t) > to).length;
      expect(r.stdout).to.contain(`(cut to 1m0.5s … 1m15.5s by --from/--to: ${before} rows before and ${after} after left out)`);
      // The summary is the whole run's, not the window's.
      expect(r.stdout).to.contain('answered via sip2');
    });

    it('one end alone cuts one side; a row\'s own time is accepted', () => {
      const row = full.find((x) => x.t === '1m0.500000s')!; // the first INVITE retransmission
      expect(row.rest).to.contain('retransmission #1');
      const r = runCli(['run', 'scenarios/02-server1-silent.yaml', '--from', row.t]);
      expect(rows(r.stdout)).to.deep.equal(full.filter((x) => us(x.t) >= 60_500_000));
      expect(r.stdout).to.match(/\(cut to 1m0\.5s … the end by --from\/--to: \d+ rows before and 0 after left out\)/);
    });

    it('bad values exit 2 with one clear line and write nothing', () => {
      const tmp = tempDir('sipsim-window-');
      const cases: [string[], string][] = [
        [['--from', 'soon'], 'sipsim: --from: expected a duration since the scenario\'s start like 90s, 1m30s or 2h, found "soon"'],
        [['--to', '-5s'], 'sipsim: --to: expected a duration since the scenario\'s start like 90s, 1m30s or 2h, found "-5s"'],
        [['--from', '2m', '--to', '1m'], 'sipsim: --to: the window ends before it starts: --to 1m is before --from 2m'],
      ];
      for (const [args, message] of cases) {
        const r = runCli(['run', 'scenarios/02-server1-silent.yaml', '--out', tmp, ...args]);
        expect(r.code, args.join(' ')).to.equal(2);
        expect(r.stderr.trim()).to.equal(message);
        expect(r.stdout).to.equal('');
      }
      expect(fs.readdirSync(tmp)).to.deep.equal([]);
    });
  });
});
