import { scaleLinear, type ScaleLinear } from 'd3-scale';
import type { Micros } from '../../sim/core/clock.js';
import type { HostInfo } from '../../sim/scenario/world.js';
import { NETWORK_LANE, type RowRef } from './model.js';

/** Page geometry, in SVG user units (the SVG is drawn at this size and scales to the window). */
export const GEOMETRY = {
  width: 1280,
  /** Left column: lane names and row labels. */
  labelWidth: 190,
  right: 16,
  axisHeight: 30,
  /** Height of a lane's message line area (where arrows start and end). */
  wire: 30,
  row: 15,
  gap: 6,
} as const;

export interface LaneLayout {
  index: number;
  /** Host name, or NETWORK_LANE. */
  name: string;
  ip: string;
  role: HostInfo['role'] | 'network';
  /** Top of the lane, in the full (unfiltered) layout. */
  y: number;
  height: number;
  /** Where arrows attach, relative to the lane's top. */
  wireY: number;
  rows: { ref: RowRef; y: number }[];
}

/**
 * Lanes top to bottom: the network lane (when a link or partition changes), then hosts in
 * the run's order (phones, DNS, servers). A phone's lane holds its state rows above its
 * message line; a server's lane is just its message line, outage bands filling it.
 */
export function layoutLanes(hosts: readonly HostInfo[], rowsOf: (lane: string) => RowRef[], networkRows: RowRef[]): LaneLayout[] {
  const g = GEOMETRY;
  const lanes: LaneLayout[] = [];
  let y = g.axisHeight;
  // State rows sit above the message line, so arrows to the servers below do not cross them.
  const add = (name: string, ip: string, role: LaneLayout['role'], rows: RowRef[], wire: number): void => {
    const top = rows.length ? 4 : 0;
    const rowsHeight = rows.length * g.row;
    const height = top + rowsHeight + wire;
    lanes.push({ index: lanes.length, name, ip, role, y, height, wireY: role === 'network' ? 0 : top + rowsHeight + wire / 2, rows: rows.map((ref, i) => ({ ref, y: top + i * g.row })) });
    y += height + g.gap;
  };
  if (networkRows.length) add(NETWORK_LANE, '', 'network', networkRows, 4);
  for (const h of hosts) add(h.name, h.ip, h.role, rowsOf(h.name), g.wire);
  return lanes;
}

export function totalHeight(lanes: readonly LaneLayout[]): number {
  const last = lanes[lanes.length - 1];
  return (last ? last.y + last.height : GEOMETRY.axisHeight) + GEOMETRY.gap + 4;
}

/** Simulated time (µs) to x, computed in seconds so the axis ticks fall on human steps. */
export function timeScale(end: Micros): ScaleLinear<number, number> {
  const g = GEOMETRY;
  return scaleLinear().domain([0, Math.max(end, 1) / 1e6]).range([g.labelWidth, g.width - g.right]);
}

/** One decimal: enough for the eye, and the same bytes on every run. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}
