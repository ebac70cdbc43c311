import type { Micros } from '../../sim/core/clock.js';
import type { TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import type { Verdict } from '../../sim/scenario/expectations.js';
import type { Scenario } from '../../sim/scenario/scenario.js';
import type { HostInfo } from '../../sim/scenario/world.js';
import type { MetricsResult } from '../fleet-metrics.js';
import { TimelineCollector } from './collect.js';
import { renderFleetCharts } from './fleet-charts.js';
import { layoutLanes, timeScale } from './layout.js';
import { linkBands } from './links.js';
import { renderPage } from './page.js';
import { renderSvg } from './svg.js';

/** What the page needs from the finished run besides the trace. */
export interface PageMeta {
  scenario: Scenario;
  seed: number;
  model: ModelOptions;
  verdicts: Verdict[];
  end: Micros;
  eventsRun: number;
  summaryText: string;
  /** The fleet and server metrics of the run (RunResult.metrics): with fleets, the page draws them as charts. */
  metrics?: MetricsResult;
}

/**
 * A section of the page fed by the same record stream, rendered under the timeline. This is
 * the extension point for fleets: aggregate charts (phones registered per server over time,
 * request and shed rates per server) are reducers of this shape, so they replace thousands of
 * lanes without the timeline keeping the hidden phones' records.
 */
export interface PageSection {
  write(r: TraceEvent): void;
  /** HTML, every embedded text escaped by the section. */
  render(meta: PageMeta): string;
}

export const DEFAULT_MAX_HOSTS = 40;

/**
 * The HTML timing report as a sink on the trace stream: `write` every record in time order,
 * then `render` the self-contained page (no network, inline script and style, same run →
 * same bytes). It keeps only what it draws: records of the hosts it shows.
 */
export class HtmlTimeline {
  private readonly shownHosts: HostInfo[];
  private readonly hiddenPhones: number;
  private readonly collector: TimelineCollector;
  private readonly sections: PageSection[];

  constructor(opts: { hosts: HostInfo[]; maxHosts?: number; sections?: PageSection[] }) {
    const max = opts.maxHosts ?? DEFAULT_MAX_HOSTS;
    // Over the limit: every server and DNS lane, then as many phones as fit (at least one).
    const others = opts.hosts.filter((h) => h.role !== 'phone');
    const phones = opts.hosts.filter((h) => h.role === 'phone');
    const keep = phones.length + others.length <= max ? phones.length : Math.max(1, max - others.length);
    const kept = new Set(phones.slice(0, keep).map((h) => h.name));
    this.shownHosts = opts.hosts.filter((h) => h.role !== 'phone' || kept.has(h.name));
    this.hiddenPhones = phones.length - keep;
    this.collector = new TimelineCollector(new Set(this.shownHosts.map((h) => h.name)));
    this.sections = opts.sections ?? [];
  }

  write(r: TraceEvent): void {
    this.collector.write(r);
    for (const s of this.sections) s.write(r);
  }

  render(meta: PageMeta): string {
    const c = this.collector;
    c.finish(meta.end);
    const shown = new Set(this.shownHosts.map((h) => h.name));
    const net = linkBands(c.linkActions, meta.scenario, shown, meta.end);
    const lanes = layoutLanes(this.shownHosts, (h) => c.rowsOf(h), net.rows);
    // Message texts once each: a retransmission shares its original's entry.
    const texts: string[] = [];
    const seen = new Map<string, number>();
    const textIndex = c.arrows.map((a) => {
      let i = seen.get(a.detail);
      if (i === undefined) seen.set(a.detail, (i = texts.push(a.detail) - 1));
      return i;
    });
    const svg = renderSvg({ lanes, arrows: c.arrows, bands: [...net.bands, ...c.bands], markers: c.markers, textIndex, x: timeScale(meta.end), end: meta.end });
    return renderPage({
      meta,
      svg,
      texts,
      lanes: lanes.map((l) => ({ name: l.role === 'network' ? 'network links' : l.name, role: l.role, h: l.height, wire: l.wireY })),
      hidden: { phones: this.hiddenPhones, messages: c.hiddenMessages, shownPhones: this.shownHosts.filter((h) => h.role === 'phone').length },
      fleet: meta.metrics ? renderFleetCharts(meta.metrics, meta.scenario.events, meta.end) : '',
      sections: this.sections.map((s) => s.render(meta)),
    });
  }
}
