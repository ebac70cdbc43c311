import type { Micros } from '../../sim/core/clock.js';
import type { ScenarioAction as ActionRecord } from '../../sim/core/trace.js';
import { formatDuration } from '../../sim/core/time.js';
import type { Scenario } from '../../sim/scenario/scenario.js';
import { describeAction } from '../../sim/scenario/world.js';
import { type Band, NETWORK_LANE, type RowRef } from './model.js';

/**
 * Link-loss and partition periods, one row per host pair on the network lane. A scenario.action
 * record says when a link/partition/heal ran and its one-line text; the scenario's own event
 * (same instant, same text) gives the pair and the loss figure. A pair lossy from the start
 * (network.links in the file) gets a band from 0.
 */
export function linkBands(actions: readonly ActionRecord[], scenario: Scenario, shown: ReadonlySet<string>, end: Micros): { bands: Band[]; rows: RowRef[] } {
  const rows = new Map<string, RowRef>();
  const bands: Band[] = [];
  const loss = new Map<string, Band>();
  const cut = new Map<string, Band>();
  const rowOf = (a: string, b: string): RowRef | undefined => {
    if (!shown.has(a) && !shown.has(b)) return undefined;
    const key = [a, b].sort().join('\u0000');
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { lane: NETWORK_LANE, key, label: `${a}–${b}`, order: rows.size }));
    return row;
  };
  const setLoss = (a: string, b: string, value: number, t: Micros, why: string): void => {
    const row = rowOf(a, b);
    if (!row) return;
    const prev = loss.get(row.key);
    if (prev) prev.t1 = t;
    loss.delete(row.key);
    if (value <= 0) return;
    const band: Band = { row, lane: NETWORK_LANE, t0: t, t1: undefined, cls: 'net-loss', label: `loss ${Math.round(value * 1000) / 10}%`, title: `${a}–${b}: ${Math.round(value * 1000) / 10}% loss from ${formatDuration(t)} (${why})`, group: 'link' };
    bands.push(band);
    loss.set(row.key, band);
  };
  for (const l of scenario.network.links) if (l.change.loss !== undefined) setLoss(l.between[0], l.between[1], l.change.loss, 0, 'network.links');

  const pending = scenario.events.filter((e) => e.action.type === 'link' || e.action.type === 'partition' || e.action.type === 'heal');
  for (const r of actions) {
    const i = pending.findIndex((e) => e.at === r.t && describeAction(e.action) === r.detail);
    if (i < 0) continue;
    const a = pending.splice(i, 1)[0]!.action;
    if (a.type === 'link' && a.change.loss !== undefined) setLoss(a.between[0], a.between[1], a.change.loss, r.t, r.detail);
    else if (a.type === 'partition') {
      const row = rowOf(a.between[0], a.between[1]);
      if (!row || cut.has(row.key)) continue;
      const band: Band = { row, lane: NETWORK_LANE, t0: r.t, t1: undefined, cls: 'net-partition', label: 'partitioned', title: `${a.between.join(' | ')} partitioned from ${formatDuration(r.t)}`, group: 'link' };
      bands.push(band);
      cut.set(row.key, band);
    } else if (a.type === 'heal') {
      const row = rowOf(a.between[0], a.between[1]);
      const band = row && cut.get(row.key);
      if (band) {
        band.t1 = r.t;
        band.title += `, healed at ${formatDuration(r.t)}`;
        cut.delete(row.key);
      }
    }
  }
  for (const b of bands) b.t1 ??= end;
  return { bands, rows: [...rows.values()] };
}
