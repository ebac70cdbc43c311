import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downsample, MAX_POINTS } from '../../reports/html/downsample.js';
import { bundled, chartLines, renderRun, writeFailingFleet } from './html-fixtures.js';

describe('HTML page: fleet charts', function () {
  this.timeout(120_000);
  let tmp: string;
  let file: string;
  let page: ReturnType<typeof renderRun>;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sipsim-fleet-html-'));
    file = writeFailingFleet(tmp);
    page = renderRun(file);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a fleet page has the charts; lanes stay for the servers and the first phones', () => {
    const { run, html } = page;
    expect(run.metrics, 'metrics collected for a fleet').to.not.equal(undefined);
    for (const id of ['registered-office', 'arrived', 'answered', 'shed', 'queue']) expect(html, id).to.contain(`<figure class="fc" id="fc-${id}">`);
    expect(html).to.contain('<section id="fleet">');
    expect(html).to.contain('The fleet charts below show every phone in aggregate');
    // 62 hosts: sip1, sip2 and the first 38 phones keep their lanes.
    expect(html.match(/<g class="lane /g)).to.have.length(40);
    expect(html.match(/<script\b/g)).to.have.length(3);
    expect(html.match(/<style\b/g)).to.have.length(1);
    expect(html).not.to.match(/\b(?:src|href)=/);
  });

  it('a line per server plus "any"; every point is the metrics\' value at its second', () => {
    const { run, html } = page;
    const m = run.metrics!;
    const office = m.fleets[0]!;
    const lines = chartLines(html, 'registered-office');
    expect(lines.map((l) => l.series)).to.deep.equal(['sip1', 'sip2', 'any']);
    const want = { sip1: office.on.get('sip1')!, sip2: office.on.get('sip2')!, any: office.registered };
    for (const l of lines) {
      expect(l.declared, l.series).to.equal(m.seconds);
      expect(l.points).to.have.length(m.seconds);
      // A registration count is the value at the end of second k: drawn at k + 1 s.
      l.points.forEach((p, k) => {
        expect(p.s).to.equal(k + 1);
        expect(p.v, `${l.series} at ${k + 1}s`).to.be.closeTo(want[l.series as keyof typeof want][k]!, 0.2);
      });
    }
    // The failure shows: sip1's line leaves 60 and comes back; the fleet stays registered somewhere.
    const sip1 = lines[0]!.points.map((p) => Math.round(p.v));
    expect(Math.min(...sip1)).to.equal(0);
    expect(sip1[sip1.length - 1]).to.equal(60);
    for (const [id, key] of [['arrived', 'arrived'], ['answered', 'answered'], ['shed', 'shed'], ['queue', 'queue']] as const) {
      const chart = chartLines(html, id);
      expect(chart.map((l) => l.series), id).to.deep.equal(m.servers.map((s) => s.name));
      chart.forEach((l, i) => l.points.forEach((p, k) => {
        expect(p.s).to.equal(k + 0.5); // a count over [k, k+1) s, drawn mid-second
        expect(p.v, `${id} ${l.series} at ${k}s`).to.be.closeTo(m.servers[i]![key][k]!, 0.2);
      }));
    }
    expect(html).to.contain('Requests each server shed per second (queue full: 503 or dropped) — none in this run');
  });

  it('marks the scenario\'s events on every chart, on the timeline\'s time axis', () => {
    const { html } = page;
    const marks = [...html.matchAll(/<line class="fc-ev" x1="([^"]+)"[^>]*data-a="(\d+)"><title>([^<]*)<\/title>/g)].map((x) => [Number(x[1]), Number(x[2]), x[3]]);
    const one = [[0, 0, '0s: boot office'], [60, 60_000_000, '1m: fail sip1 (silent)'], [180, 180_000_000, '3m: recover sip1']];
    expect(marks).to.deep.equal([...one, ...one, ...one, ...one, ...one]);
    // The plot's transform is the timeline's scale: second 0 at the label column's edge, the end at the right margin.
    const tr = /<g class="fc-plot" transform="matrix\(([^ ]+) 0 0 1 ([^ ]+) 0\)">/.exec(html)!;
    const axis = /data-x0="(\d+)" data-x1="(\d+)" data-end="(\d+)"/.exec(html.slice(html.indexOf('<svg id="tl"')))!;
    expect(Number(tr[2])).to.equal(Number(axis[1]));
    expect(Number(tr[2]) + Number(tr[1]) * (Number(axis[3]) / 1e6)).to.be.closeTo(Number(axis[2]), 1e-9);
  });

  it('two runs give identical bytes; a page without fleets has no fleet section', () => {
    expect(renderRun(file).html).to.equal(page.html);
    const single = renderRun(bundled('02-server1-silent')).html;
    expect(single).not.to.contain('id="fleet"');
    expect(single).not.to.contain('fc-line');
  });

  it('a long run keeps at most 2,000 points a line, extremes included', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'long-'));
    const { run, html } = renderRun(writeFailingFleet(dir, 20, '2h'));
    const m = run.metrics!;
    expect(m.seconds).to.equal(7200);
    for (const l of chartLines(html, 'registered-office')) {
      expect(l.points.length, l.series).to.be.at.most(MAX_POINTS);
      expect(l.points.length).to.equal(l.declared);
    }
    expect(html).to.contain('each line keeps, per bucket of 8 s, the bucket\'s minimum and maximum');
  });

  describe('downsample', () => {
    it('short series: every second', () => {
      expect(downsample(Int32Array.from([3, 1, 2]))).to.deep.equal([{ k: 0, v: 3 }, { k: 1, v: 1 }, { k: 2, v: 2 }]);
    });

    it('long series: min and max of each bucket at their own seconds, in time order, so a one-second spike and dip survive', () => {
      const day = new Int32Array(86_400).fill(500);
      day[40_000] = 9000; // a one-second shed burst
      day[70_001] = 3; // a one-second registration dip
      const pts = downsample(day);
      expect(pts.length).to.be.at.most(MAX_POINTS);
      expect(pts.every((p) => day[p.k] === p.v)).to.equal(true);
      expect(pts.map((p) => p.k)).to.deep.equal([...pts.map((p) => p.k)].sort((a, b) => a - b));
      expect(pts).to.deep.include({ k: 40_000, v: 9000 });
      expect(pts).to.deep.include({ k: 70_001, v: 3 });
      // 87 s buckets (86,400 / 1,000 rounded up): a flat bucket gives one point.
      expect(pts.filter((p) => p.v === 500).length).to.equal(Math.ceil(86_400 / 87));
    });
  });
});
