import { toCsv } from './csv.js';
import type { Distribution } from './distribution.js';
import type { FleetMetrics, MetricsResult } from './fleet-metrics.js';

/**
 * `--metrics F.csv`: one row per simulated second (`t` = the second's start, in seconds);
 * counters cover [t, t+1), levels are read at t+1. Columns `<server>.arrived|answered|shed|
 * queue|bindings`, then `<fleet>.registered` and `<fleet>.on.<server>`. Opens in any spreadsheet
 * or `pandas.read_csv`.
 */
export function renderMetricsCsv(m: MetricsResult): string {
  const header = ['t'];
  const columns: ArrayLike<number>[] = [];
  for (const s of m.servers) {
    for (const k of ['arrived', 'answered', 'shed', 'queue', 'bindings'] as const) {
      header.push(`${s.name}.${k}`);
      columns.push(s[k]);
    }
  }
  for (const f of m.fleets) {
    header.push(`${f.name}.registered`);
    columns.push(f.registered);
    for (const [server, arr] of f.on) {
      header.push(`${f.name}.on.${server}`);
      columns.push(arr);
    }
  }
  const rows: (string | number)[][] = [header];
  for (let k = 0; k < m.seconds; k++) {
    const row: number[] = [k];
    for (const c of columns) row.push(c[k]!);
    rows.push(row);
  }
  return toCsv(rows);
}

/** `--metrics F.json`: the same series plus the per-event share instants and the distributions, times in seconds. */
export function renderMetricsJson(m: MetricsResult): string {
  const sec = (us: number | null): number | null => (us === null ? null : us / 1_000_000);
  const dist = (d: Distribution | null, scale: (v: number) => number | null): Record<string, number | null> | null =>
    d === null ? null : { count: d.count, p50: scale(d.p50), p95: scale(d.p95), p99: scale(d.p99), max: scale(d.max), mean: scale(d.mean) };
  const fleet = (f: FleetMetrics): object => ({
    name: f.name,
    count: f.count,
    registered: [...f.registered],
    on: Object.fromEntries([...f.on].map(([s, a]) => [s, [...a]])),
    afterEvents: f.afterEvents.map((a) => ({
      t: sec(a.t), event: a.event, target: a.target, minShare: a.minShare,
      reached: Object.fromEntries(Object.entries(a.reached).map(([mark, v]) => [mark, sec(v)])),
    })),
    gap: dist(f.gap, sec),
    neverRegistered: f.neverRegistered,
    setup: dist(f.setup, sec),
    calls: f.calls,
  });
  return JSON.stringify({
    seconds: m.seconds,
    servers: m.servers.map((s) => ({
      name: s.name, arrived: [...s.arrived], answered: [...s.answered], shed: [...s.shed], queue: [...s.queue], bindings: [...s.bindings],
    })),
    fleets: m.fleets.map(fleet),
  }) + '\n';
}
