import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceEvent, TraceSink } from '../../sim/core/trace.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { RunProgress, runScenario, runScenarioAsync } from '../../sim/scenario/run-scenario.js';
import { writeCompactFleetScenario } from '../helpers/fleet-scenario.js';
import { repoRoot } from '../helpers/run-cli.js';

/**
 * `sipsim run` runs each scenario in slices of events (runScenarioAsync), letting the event loop
 * in between them so that a long fleet run shows progress on a terminal and hears Ctrl-C. The
 * slices must change nothing: the same trace, verdicts, timelines and metrics as one run.
 */

function recorded(): { sink: TraceSink; records: TraceEvent[] } {
  const records: TraceEvent[] = [];
  return { sink: { write: (r) => void records.push(r) }, records };
}

const tmp: string[] = [];
after(() => {
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-slices-'));
  tmp.push(d);
  return d;
}

describe('runScenarioAsync: a run in slices of events', () => {
  for (const id of ['07-lossy-link', '02-server1-silent']) {
    it(`${id}: tiny slices give the same trace and result as one run`, async () => {
      const s = loadScenario(path.join(repoRoot, 'scenarios', `${id}.yaml`));
      const a = recorded();
      const b = recorded();
      const whole = runScenario(s, { sinks: [a.sink] });
      const progress: RunProgress[] = [];
      const sliced = await runScenarioAsync(s, { sinks: [b.sink], sliceEvents: 3, onProgress: (p) => progress.push(p) });
      expect(JSON.stringify(b.records)).to.equal(JSON.stringify(a.records));
      expect(JSON.stringify({ ...sliced, scenario: undefined })).to.equal(JSON.stringify({ ...whole, scenario: undefined }));
      // It was cut into slices, and the progress moved forward through the run.
      expect(progress.length).to.be.greaterThan(3);
      expect(progress.map((p) => p.events)).to.deep.equal(progress.map((_, i) => 3 * (i + 1)));
      for (let i = 1; i < progress.length; i++) expect(progress[i]!.now).to.be.at.least(progress[i - 1]!.now);
      expect(progress.every((p) => p.duration === s.duration && p.now <= s.duration)).to.equal(true);
    });
  }

  it('a fleet with metrics: same metrics and verdicts in slices', async () => {
    const file = writeCompactFleetScenario(tmpDir(), 300, { events: ['{ at: 1m, fail: sip1, mode: silent }', '{ at: 3m, recover: sip1 }'] });
    const s = loadScenario(file);
    const whole = runScenario(s, { metrics: true });
    const sliced = await runScenarioAsync(s, { metrics: true, sliceEvents: 100 });
    expect(sliced.eventsRun).to.be.greaterThan(3_000);
    expect(JSON.stringify(sliced.metrics)).to.equal(JSON.stringify(whole.metrics));
    expect(JSON.stringify(sliced.verdicts)).to.equal(JSON.stringify(whole.verdicts));
  });

  it('a bundled single-phone scenario runs in one slice (no progress shown, nothing paused)', async () => {
    const s = loadScenario(path.join(repoRoot, 'scenarios', '07-lossy-link.yaml'));
    const progress: RunProgress[] = [];
    await runScenarioAsync(s, { onProgress: (p) => progress.push(p) });
    expect(progress).to.deep.equal([]);
  });
});

describe('sipsim run: Ctrl-C in the middle of a long run', function () {
  this.timeout(120_000);

  it('exits 130 within a slice, leaving neither the JSONL file nor its staged copy', async () => {
    const dir = tmpDir();
    // ~20 s of run: long enough that the signal lands mid-run, not before or after it.
    const file = writeCompactFleetScenario(dir, 20_000, { duration: '1h', events: ['{ at: 10m, fail: sip1, mode: silent }', '{ at: 40m, recover: sip1 }'] });
    const json = path.join(dir, 'trace.jsonl');
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'sipsim.cjs'), 'run', file, '--quiet', '--json', json], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the run has started writing its trace (the staged file grows), then interrupt.
    const staged = (): string[] => fs.readdirSync(dir).filter((f) => f.startsWith('trace.jsonl'));
    const t0 = Date.now();
    while (!staged().some((f) => fs.statSync(path.join(dir, f)).size > 1_000_000)) {
      if (Date.now() - t0 > 60_000) throw new Error(`the run did not start writing its trace: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The whole process group, as a terminal's Ctrl-C does (the fleet runs in a second node).
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    expect({ code, stderr }).to.deep.equal({ code: 130, stderr: '' });
    expect(staged()).to.deep.equal([]);
  });
});
