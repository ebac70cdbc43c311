import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { isMap, isSeq, parseDocument, YAMLMap } from 'yaml';
import type { Micros } from '../core/clock.js';
import { parseDuration } from '../core/time.js';
import { formatRecord } from '../dns/records.js';
import type { ScenarioAction, ScenarioEvent } from '../scenario/scenario.js';

const FAULT_KEYS = new Set(['fail', 'recover', 'partition', 'heal', 'link', 'dns']);

/** µs as a scenario duration, exact: "12.345678s". */
function dur(t: Micros): string {
  return `${t / 1_000_000}s`;
}

/** One generated fault event in the scenario file's own syntax. */
export function eventYaml(e: ScenarioEvent): Record<string, unknown> {
  const a: ScenarioAction = e.action;
  const at = dur(e.at);
  switch (a.type) {
    case 'fail':
      return { at, fail: a.host, mode: a.mode, ...(a.retryAfter !== undefined ? { retryAfter: dur(a.retryAfter) } : {}), ...(a.delay !== undefined ? { delay: dur(a.delay) } : {}) };
    case 'recover':
      return { at, recover: a.host };
    case 'partition':
      return { at, partition: a.between };
    case 'heal':
      return { at, heal: a.between };
    case 'link': {
      const c = a.change;
      return { at, link: { between: a.between, ...(c.delay !== undefined ? { delay: dur(c.delay) } : {}), ...(c.jitter !== undefined ? { jitter: dur(c.jitter) } : {}), ...(c.loss !== undefined ? { loss: `${Math.round(c.loss * 1e6) / 1e4}%` } : {}) } };
    }
    case 'dns':
      return { at, dns: { records: a.records.map(formatRecord) } };
    case 'call':
      return { at, call: { from: a.from, to: a.to, ...(a.duration !== undefined ? { duration: dur(a.duration) } : {}) } };
    default:
      throw new Error(`explore writes fault events and probe calls only, not ${a.type}`);
  }
}

/**
 * The original scenario file with its fault events replaced by `faults`, explore's probe calls
 * added and its duration set:
 * everything else (hosts, boots, calls, expectations, comments) stays as the author wrote it.
 * Config paths are rewritten relative to where the new file goes, so it runs from there.
 */
export function scenarioWithFaults(originalFile: string, targetFile: string, faults: readonly ScenarioEvent[], duration: Micros, probes: readonly ScenarioEvent[], header: string): string {
  const doc = parseDocument(readFileSync(originalFile, 'utf8'));
  const from = dirname(resolve(originalFile));
  const to = dirname(resolve(targetFile));
  const rebase = (p: string): string => {
    if (isAbsolute(p)) return p;
    const r = relative(to, resolve(from, p));
    return sep === '/' ? r : r.split(sep).join('/');
  };
  for (const section of ['phones', 'fleets']) {
    const m = doc.get(section);
    if (!isMap(m)) continue;
    for (const item of m.items) {
      const v = item.value;
      if (!isMap(v)) continue;
      const c = v.get('config');
      if (typeof c === 'string') v.set('config', rebase(c));
      else if (isSeq(c)) c.items = c.items.map((n) => doc.createNode(rebase(String((n as { value?: unknown }).value ?? n))));
    }
  }
  const kept: { at: Micros; node: unknown }[] = [];
  const events = doc.get('events');
  if (isSeq(events)) {
    for (const n of events.items) {
      if (!isMap(n)) continue;
      const keys = (n as YAMLMap).items.map((p) => String((p.key as { value?: unknown }).value ?? p.key));
      if (keys.some((k) => FAULT_KEYS.has(k))) continue;
      kept.push({ at: parseAt(String(n.get('at'))), node: n });
    }
  }
  const generated = [...faults, ...probes].map((e) => {
    const node = doc.createNode(eventYaml(e));
    (node as YAMLMap).flow = true;
    return { at: e.at, node };
  });
  // Faults first at equal instants: the schedule explore ran put them there too.
  const merged = [...generated, ...kept].map((x, i) => ({ ...x, i, k: i < generated.length ? 0 : 1 }));
  merged.sort((a, b) => a.at - b.at || a.k - b.k || a.i - b.i);
  const seq = doc.createNode([]);
  seq.items = merged.map((m) => m.node as never);
  doc.set('events', seq);
  doc.set('duration', dur(duration));
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

/** Only orders kept events among generated ones; the loader checks the real syntax. */
function parseAt(text: string): Micros {
  return parseDuration(text) ?? 0;
}
