import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/run-cli.js';
import { bundled, EVIL, expectedFromTrace, renderRun, writeEvilScenario, writeFailingFleet } from './html-fixtures.js';

/** Debian's chromium package; the test drives it with playwright-core (no bundled browser download). */
const CHROMIUM = '/usr/bin/chromium';
const OUT = path.join(repoRoot, 'out', 'screenshots');
const PAGES = path.join(repoRoot, 'out', 'html-test');
const SCENARIOS = ['02-server1-silent', '07-lossy-link', '08-srv-failover', '13-tcp-primary-silent', '14-tcp-server-crash', '23-two-accounts', '24-seed-outgoing-call'];

/** Opens a page from a file:// URL, collecting console errors, uncaught exceptions and dialogs (alert). */
async function open(browser: Browser, file: string): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // A page that asked the network for anything would not open offline: fail on any request but the file itself.
  page.on('request', (r) => void (r.url() !== pathToFileURL(file).href && errors.push(`request: ${r.url()}`)));
  await page.goto(pathToFileURL(file).href);
  return { page, errors, dialogs };
}

const view = (page: Page): Promise<number[]> => page.$eval('#tl', (svg) => svg.getAttribute('data-view')!.split(' ').map(Number));
/** Every time-placed attribute of the timeline, to compare a view with the page as written. */
const placement = (page: Page): Promise<string[]> =>
  page.$$eval('#tl [data-a] , #tl g.msg line, #axis text', (els) => els.map((e) => ['x', 'x1', 'x2', 'cx', 'width', 'y1', 'y2'].map((a) => e.getAttribute(a)).join(',') + (e.tagName === 'text' ? e.textContent : '')));

describe('HTML timeline in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      skipped: no ${CHROMIUM} — install Debian's 'chromium' package (apt-get install chromium) to run the browser tests`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    fs.mkdirSync(OUT, { recursive: true });
    fs.mkdirSync(PAGES, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  for (const id of SCENARIOS) {
    it(`${id}: counts, zoom and reset, message text, lane filter, verdict link`, async () => {
      const { run, html } = renderRun(bundled(id));
      const file = path.join(PAGES, `${id}.html`);
      fs.writeFileSync(file, html);
      const { page, errors } = await open(browser!, file);
      const want = expectedFromTrace(run);

      // What the DOM holds is what the trace says.
      expect(await page.locator('#tl g.lane').count(), 'lanes').to.equal(want.lanes);
      expect(await page.locator('#tl g.msg').count(), 'arrows').to.equal(want.arrows);
      expect(await page.locator('#tl g.msg.lost').count(), 'lost').to.equal(want.lost);
      expect(await page.locator('#tl g.msg.rtx').count(), 'retransmissions').to.equal(want.retransmissions);
      for (const [group, n] of Object.entries(want.bands)) expect(await page.locator(`#tl rect.band[data-band="${group}"]`).count(), `${group} bands`).to.equal(n);
      await page.screenshot({ path: path.join(OUT, `${id}.png`), fullPage: true });

      // Zoom in by button, then by dragging across the middle fifth: the window narrows each time.
      const initial = await placement(page);
      expect(await view(page)).to.deep.equal([0, run.end]);
      await page.click('#zin');
      const [a1, b1] = await view(page);
      expect(b1! - a1!).to.equal(run.end / 2);
      expect(await placement(page)).not.to.deep.equal(initial);
      const box = (await page.locator('#tl').boundingBox())!;
      const scale = box.width / 1280;
      const y = box.y + 20 * scale;
      await page.mouse.move(box.x + (190 + 430) * scale, y);
      await page.mouse.down();
      await page.mouse.move(box.x + (190 + 650) * scale, y, { steps: 5 });
      await page.mouse.up();
      const [a2, b2] = await view(page);
      expect(a2!).to.be.greaterThan(a1!);
      expect(b2!).to.be.lessThan(b1!);
      expect(await page.textContent('#window')).not.to.equal(`0s – ${await page.$eval('#axis text:last-of-type', (t) => t.textContent)}`);
      await page.screenshot({ path: path.join(OUT, `${id}-zoomed.png`) });
      // Reset gives back the page exactly as it was written (same positions, same axis).
      await page.click('#reset');
      expect(await view(page)).to.deep.equal([0, run.end]);
      expect(await placement(page)).to.deep.equal(initial);

      // Clicking a SIP request shows its full text: zoom to it so nothing overlaps, then click the line.
      const m = page.locator('#tl g.msg.k-request').first();
      const [ta, tb, idx] = await m.evaluate((g) => ['data-a', 'data-b', 'data-m'].map((k) => Number(g.getAttribute(k))));
      await page.evaluate(([a, b]) => (window as unknown as { sipsimTimeline: { zoomTo(a: number, b: number): void } }).sipsimTimeline.zoomTo(a! - 20_000, b! + 20_000), [ta, tb]);
      await m.locator('line.hit').click();
      const text = await page.textContent('#detail pre');
      const data = JSON.parse((await page.textContent('#data'))!) as { texts: string[] };
      expect(text).to.equal(data.texts[idx!]);
      expect(text).to.match(/^[A-Z]+ sip:\S+ SIP\/2\.0\r\n/);
      expect(await page.textContent('#detail .head')).to.contain(' → ');

      // Unticking a lane hides it and every arrow from or to it; ticking it again restores the layout.
      await page.click('#reset');
      const height = Number(await page.getAttribute('#tl', 'height'));
      const lane = want.lanes - 1;
      await page.click('#filter summary');
      await page.uncheck(`input.lanebox[data-lane="${lane}"]`);
      const hiddenArrows = await page.$$eval(`#tl g.msg`, (gs, l) => gs.filter((g) => g.getAttribute('data-f') === String(l) || g.getAttribute('data-g') === String(l)).every((g) => (g as SVGGElement).style.display === 'none'), lane);
      expect(hiddenArrows).to.equal(true);
      expect(Number(await page.getAttribute('#tl', 'height'))).to.be.lessThan(height);
      await page.check(`input.lanebox[data-lane="${lane}"]`);
      expect(await placement(page)).to.deep.equal(initial);

      // An expectation's link zooms to its instant and shows the cursor there.
      const v = run.verdicts.findIndex((x) => x.at !== undefined);
      if (v >= 0) {
        await page.click(`#v${v}`);
        const [a3, b3] = await view(page);
        expect(a3! <= run.verdicts[v]!.at! && run.verdicts[v]!.at! <= b3!).to.equal(true);
        expect(b3! - a3!).to.be.lessThan(run.end);
        expect(await page.$eval('#cursor', (c) => (c as SVGLineElement).style.display)).to.equal('');
      }
      expect(errors).to.deep.equal([]);
      await page.close();
    });
  }

  it('a fleet page: charts drawn, a line per server, and they follow the timeline\'s zoom', async () => {
    const dir = fs.mkdtempSync(path.join(PAGES, 'fleet-'));
    const { run, html } = renderRun(writeFailingFleet(dir));
    const file = path.join(dir, 'fleet.html');
    fs.writeFileSync(file, html);
    const { page, errors } = await open(browser!, file);
    expect(await page.locator('#fleet figure.fc').count()).to.equal(5);
    const series = await page.$$eval('#fc-registered-office polyline.fc-line', (ls) => ls.map((l) => l.getAttribute('data-series')));
    expect(series).to.deep.equal(['sip1', 'sip2', 'any']);
    // Drawn, not just present: each line has a box of real size in the browser's layout.
    const boxes = await page.$$eval('#fleet polyline.fc-line', (ls) => ls.map((l) => l.getBoundingClientRect().width));
    expect(boxes.length).to.equal(3 + 4 * run.metrics!.servers.length);
    const plot = await page.$eval('#fc-registered-office rect.fc-bg', (r) => r.getBoundingClientRect().width);
    // Every line spans the plot: 0.5 s to the run's end (or 1 s to it) of 360 s.
    expect(boxes.every((w) => w > plot * 0.99 && w <= plot + 1), `${boxes} vs ${plot}`).to.equal(true);
    await page.locator('#fleet').screenshot({ path: path.join(OUT, 'fleet-charts.png') });

    // Zoom the timeline to 1m–3m: the charts' plots and axes follow; the fail mark moves to the left edge.
    const markX = (): Promise<number> => page.$eval('#fc-registered-office line.fc-ev[data-a="60000000"]', (l) => l.getBoundingClientRect().x);
    const before = await markX();
    await page.evaluate(() => (window as unknown as { sipsimTimeline: { zoomTo(a: number, b: number): void } }).sipsimTimeline.zoomTo(60_000_000, 180_000_000));
    const after = await markX();
    expect(after).to.be.lessThan(before);
    const left = await page.$eval('#fc-registered-office rect.fc-bg', (r) => r.getBoundingClientRect().x);
    expect(Math.abs(after - left)).to.be.lessThan(2);
    const ticks = await page.$$eval('#fc-registered-office g.fc-xaxis text', (ts) => ts.map((t) => t.textContent));
    expect(ticks[0]).to.equal('1m');
    expect(ticks).to.deep.equal(await page.$$eval('#axis text', (ts) => ts.map((t) => t.textContent)));
    await page.locator('#fleet').screenshot({ path: path.join(OUT, 'fleet-charts-zoomed.png') });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('a script tag in the scenario name, display name, user part and called number does not run and shows as text', async () => {
    const dir = fs.mkdtempSync(path.join(PAGES, 'evil-'));
    const { html } = renderRun(writeEvilScenario(dir));
    const file = path.join(dir, 'evil.html');
    fs.writeFileSync(file, html);
    const { page, errors, dialogs } = await open(browser!, file);
    expect(await page.title()).to.equal(`evil: ${EVIL} — sipsim`);
    expect(await page.textContent('h1')).to.equal(`evil: ${EVIL}`);
    expect(await page.locator('script').count()).to.equal(2);
    expect(await page.locator('img').count()).to.equal(0);
    const invite = page.locator('#tl g.msg.k-request').filter({ hasText: 'INVITE' }).first();
    const [ta, tb] = await invite.evaluate((g) => ['data-a', 'data-b'].map((k) => Number(g.getAttribute(k))));
    await page.evaluate(([a, b]) => (window as unknown as { sipsimTimeline: { zoomTo(a: number, b: number): void } }).sipsimTimeline.zoomTo(a! - 20_000, b! + 20_000), [ta, tb]);
    await invite.locator('line.hit').click();
    expect(await page.textContent('#detail pre')).to.contain('From: "</script><script>alert(2)</script>" <sip:<script>alert(1)</script>@');
    expect(dialogs).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
