import type { Micros } from '../sim/core/clock.js';
import type { NetSend, TraceEvent, TraceSink } from '../sim/core/trace.js';
import { formatDuration, formatInstant } from '../sim/core/time.js';
import type { HostInfo } from '../sim/scenario/world.js';
import { DROP_WORDS, isTcpRetransmission, marker, packetLabel } from './ladder-words.js';

const COL = 28; // characters between host columns: room for "503 Service Unavailable"
/** The time column's least width; a ladder whose instants are longer (hours) widens it. */
const TIME_W = 12;

/** Past this many hosts the default ladder shows a selection: rows of 28 characters a host get unreadable. */
export const LADDER_ALL_HOSTS_MAX = 40;
/** Phones in the default selection of a big scenario. */
export const LADDER_DEFAULT_PHONES = 8;

/**
 * The hosts a ladder shows: the ones asked for, or every host of a small scenario, or the
 * servers, DNS and the first phones of a big one (with a note on how to pick others).
 */
export function ladderHosts(hosts: readonly HostInfo[], pick?: ReadonlySet<string>): { shown: HostInfo[]; note?: string } {
  if (pick) return { shown: hosts.filter((h) => pick.has(h.name)) };
  if (hosts.length <= LADDER_ALL_HOSTS_MAX) return { shown: [...hosts] };
  const phones = hosts.filter((h) => h.role === 'phone');
  const firstPhones = new Set(phones.slice(0, LADDER_DEFAULT_PHONES).map((h) => h.name));
  const shown = hosts.filter((h) => h.role !== 'phone' || firstPhones.has(h.name));
  const note = `(ladder of ${shown.length} of ${hosts.length} hosts: the servers, DNS and the first ${firstPhones.size} of ${phones.length} phones; pick others with --ladder HOST,HOST…)`;
  return { shown, note };
}

/**
 * The text ladder as a sink: hosts as columns, time down the page, one row per packet (at the
 * instant it leaves its sender) and per state change. Retransmissions, losses, timeouts, ICMP
 * errors and state changes are marked in the note on the right. It keeps only the records of
 * the hosts it shows and, given a window (`--from`/`--to`), of the instants in it (counting the
 * rows it leaves out), and renders only when asked.
 */
export class LadderSink implements TraceSink {
  /** The records of the shown hosts (and scenario actions): all a ladder ever holds. */
  private readonly kept: TraceEvent[] = [];
  private readonly names: Set<string>;
  /** Every host of the run: a name not among them is an address no host has (a packet into the void). */
  private readonly hosts: ReadonlySet<string>;
  private readonly shown: HostInfo[];
  private readonly notes: string[];
  private readonly from: Micros;
  private readonly to: Micros;
  private before = 0;
  private after = 0;

  constructor(hosts: readonly HostInfo[], pick?: ReadonlySet<string>, private readonly window: LadderWindow = {}) {
    const { shown, note } = ladderHosts(hosts, pick);
    this.shown = shown;
    this.notes = note ? [note] : [];
    this.names = new Set(shown.map((h) => h.name));
    this.hosts = shown.length === hosts.length ? this.names : new Set(hosts.map((h) => h.name));
    this.from = window.from ?? -Infinity;
    this.to = window.to ?? Infinity;
  }

  write(r: TraceEvent): void {
    if (!this.keeps(r)) return;
    // A drop marks its packet's row; a packet lost on arrival is dropped after the window's end.
    if (r.kind === 'net.drop') {
      if (r.t >= this.from) this.kept.push(r);
    } else if (r.t < this.from) {
      if (isRow(r)) this.before++;
    } else if (r.t > this.to) {
      if (isRow(r)) this.after++;
    } else {
      this.kept.push(r);
    }
  }

  private keeps(r: TraceEvent): boolean {
    switch (r.kind) {
      case 'net.send':
      case 'net.drop':
        // Both ends shown (or the far end no host at all: an address nobody has). A packet
        // between a shown host and a hidden one would be a row with no arrow in it.
        return (this.names.has(r.from) || !this.hosts.has(r.from)) && (this.names.has(r.to) || !this.hosts.has(r.to)) && (this.names.has(r.from) || this.names.has(r.to));
      case 'scenario.action':
        return true;
      case 'sip.retransmit':
        return this.names.has(r.host);
      default: {
        const m = marker(r);
        return m !== undefined && this.names.has(m.host);
      }
    }
  }

  render(): string {
    const { from, to } = this.window;
    const cut = from === undefined && to === undefined ? [] : [
      `(cut to ${from === undefined ? 'the start' : formatDuration(from)} … ${to === undefined ? 'the end' : formatDuration(to)} by --from/--to: ` +
        `${this.before} row${this.before === 1 ? '' : 's'} before and ${this.after} after left out)`,
    ];
    return renderRows(this.shown, this.kept, [...cut, ...this.notes]);
  }
}

/** A cut of the ladder in time (`--from`, `--to`): the rows at instants in [from, to], both included. */
export interface LadderWindow {
  from?: Micros;
  to?: Micros;
}

/**
 * Whether a record outside the window would have been a row. Pure TCP ACKs count as none: the
 * ladder shows one only when it is lost, which its drop record tells later.
 */
function isRow(r: TraceEvent): boolean {
  if (r.kind === 'net.send') return !isPureAck(r);
  return r.kind === 'scenario.action' || marker(r) !== undefined;
}

function isPureAck(r: NetSend): boolean {
  return r.proto === 'tcp' && r.bytes.length === 0 && r.tcp?.flags === '.';
}

/** The ladder of a finished list of records (tests, small traces). */
export function renderLadder(hosts: readonly HostInfo[], records: readonly TraceEvent[], pick?: ReadonlySet<string>, window?: LadderWindow): string {
  const sink = new LadderSink(hosts, pick, window);
  for (const r of records) sink.write(r);
  return sink.render();
}

/** Says which instant a row shows: the one the trace stamps, never the arrival of a packet. */
export const LADDER_LEGEND = '(each row at the instant of what it shows: an arrow when its packet leaves the sender (it arrives a link delay later), * a state change, ── a scenario event)';

function renderRows(shownHosts: readonly HostInfo[], records: readonly TraceEvent[], notes: readonly string[]): string {
  const hosts = shownHosts.map((h) => h.name);
  // One width for the whole ladder, so the host columns stay straight down the page.
  let timeW = TIME_W;
  for (const r of records) timeW = Math.max(timeW, formatInstant(r.t).length);
  const col = new Map(hosts.map((h, i) => [h, timeW + 2 + i * COL]));
  const width = timeW + 2 + (hosts.length - 1) * COL + 1;
  const drops = new Map<number, string>();
  for (const r of records) if (r.kind === 'net.drop') drops.set(r.id, r.reason);

  const out: string[] = [];
  const grid = (): string[] => {
    const row = Array<string>(width).fill(' ');
    for (const c of col.values()) row[c] = '|';
    return row;
  };
  // Host names and addresses start at their column, so the eye can follow the line down.
  const header = (first: string, texts: string[]): string => {
    const row = Array<string>(width + COL).fill(' ');
    put(row, 0, first.padStart(timeW));
    texts.forEach((t, i) => put(row, timeW + 2 + i * COL, t));
    return row.join('').trimEnd();
  };
  out.push(header('time', hosts));
  out.push(header('', shownHosts.map((h) => h.ip)));
  out.push(LADDER_LEGEND, ...notes);

  const pendingRetransmit = new Map<string, string>();
  const line = (t: number, row: string[], note: string): void => {
    out.push(`${formatInstant(t).padStart(timeW)}  ${row.join('').slice(timeW + 2)}${note ? `  ${note}` : ''}`.trimEnd());
  };

  for (const r of records) {
    switch (r.kind) {
      case 'net.send': {
        // Pure TCP ACKs are noise in a ladder (they stay in the pcap and the JSONL).
        if (isPureAck(r) && !drops.has(r.id)) break;
        const notes: string[] = [];
        // A SIP retransmission's note goes on the SIP layer's next send, not on one TCP repeats.
        const re = isTcpRetransmission(r) || (r.proto === 'tcp' && r.bytes.length === 0) ? undefined : pendingRetransmit.get(r.from);
        if (re) {
          notes.push(re);
          pendingRetransmit.delete(r.from);
        }
        const drop = drops.get(r.id);
        if (drop) notes.push(`lost: ${DROP_WORDS[drop] ?? drop}`);
        line(r.t, arrow(grid(), col.get(r.from), col.get(r.to), packetLabel(r), drop !== undefined), notes.join('; '));
        break;
      }
      case 'sip.retransmit':
        pendingRetransmit.set(r.host, r.count > 0 ? `retransmission #${r.count} (Timer ${r.timer})` : `retransmission (${r.timer === '2xx' ? '2xx until ACK' : `Timer ${r.timer}`})`);
        break;
      case 'scenario.action':
        out.push(`${formatInstant(r.t).padStart(timeW)}  ${`── ${formatDuration(r.t)}: ${r.detail} `.padEnd(Math.max(width - timeW - 2, 0), '─')}──`);
        break;
      default: {
        const m = marker(r);
        if (!m) break;
        const row = grid();
        const c = col.get(m.host);
        if (c !== undefined) row[c] = '*';
        line(r.t, row, `${m.host}: ${m.text}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

/** Draws "|----LABEL--->|" between two columns; a lost packet ends in "x" instead of a head. */
function arrow(row: string[], from: number | undefined, to: number | undefined, label: string, lost: boolean): string[] {
  if (from === undefined || to === undefined || from === to) return row;
  const left = Math.min(from, to);
  const right = Math.max(from, to);
  for (let i = left + 1; i < right; i++) row[i] = '-';
  if (from < to) row[right - 1] = lost ? 'x' : '>';
  else row[left + 1] = lost ? 'x' : '<';
  const span = right - left - 3;
  const text = fit(label, span);
  put(row, left + 2 + Math.floor((span - text.length) / 2), text);
  return row;
}

/** The label as it fits: whole, else without its "(METHOD)" or "(what TCP resent)" suffix, else cut with an ellipsis. */
function fit(label: string, span: number): string {
  if (label.length <= span) return label;
  const short = label.replace(/ \([^()]+\)$/, '');
  if (short.length <= span) return short;
  return `${short.slice(0, Math.max(0, span - 1))}…`;
}

function put(row: string[], at: number, text: string): void {
  for (let i = 0; i < text.length; i++) row[at + i] = text[i]!;
}
