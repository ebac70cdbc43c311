import type { NetSend, TraceEvent, TraceSink } from '../sim/core/trace.js';
import { formatDuration, formatSeconds } from '../sim/core/time.js';
import type { HostInfo } from '../sim/scenario/world.js';

const COL = 28; // characters between host columns: room for "503 Service Unavailable"
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
 * the hosts it shows, and renders only when asked.
 */
export class LadderSink implements TraceSink {
  private readonly records: TraceEvent[] = [];
  private readonly names: Set<string>;
  private readonly shown: HostInfo[];
  private readonly note: string | undefined;

  constructor(hosts: readonly HostInfo[], pick?: ReadonlySet<string>) {
    const { shown, note } = ladderHosts(hosts, pick);
    this.shown = shown;
    this.note = note;
    this.names = new Set(shown.map((h) => h.name));
  }

  write(r: TraceEvent): void {
    if (this.keeps(r)) this.records.push(r);
  }

  private keeps(r: TraceEvent): boolean {
    switch (r.kind) {
      case 'net.send':
      case 'net.drop':
        return this.names.has(r.from) || this.names.has(r.to);
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
    return renderRows(this.shown, this.records, this.note);
  }
}

/** The ladder of a finished list of records (tests, small traces). */
export function renderLadder(hosts: readonly HostInfo[], records: readonly TraceEvent[], pick?: ReadonlySet<string>): string {
  const sink = new LadderSink(hosts, pick);
  for (const r of records) sink.write(r);
  return sink.render();
}

function renderRows(shownHosts: readonly HostInfo[], records: readonly TraceEvent[], note: string | undefined): string {
  const hosts = shownHosts.map((h) => h.name);
  const col = new Map(hosts.map((h, i) => [h, TIME_W + 2 + i * COL]));
  const width = TIME_W + 2 + (hosts.length - 1) * COL + 1;
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
    put(row, 0, first.padStart(TIME_W));
    texts.forEach((t, i) => put(row, TIME_W + 2 + i * COL, t));
    return row.join('').trimEnd();
  };
  out.push(header('time (s)', hosts));
  out.push(header('', shownHosts.map((h) => h.ip)));
  if (note) out.push(note);

  const pendingRetransmit = new Map<string, string>();
  const line = (t: number, row: string[], note: string): void => {
    out.push(`${formatSeconds(t).padStart(TIME_W)}  ${row.join('').slice(TIME_W + 2)}${note ? `  ${note}` : ''}`.trimEnd());
  };

  for (const r of records) {
    switch (r.kind) {
      case 'net.send': {
        // Pure TCP ACKs are noise in a ladder (they stay in the pcap and the JSONL).
        if (r.proto === 'tcp' && r.bytes.length === 0 && r.tcp?.flags === '.' && !drops.has(r.id)) break;
        const notes: string[] = [];
        const re = pendingRetransmit.get(r.from);
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
        out.push(`${formatSeconds(r.t).padStart(TIME_W)}  ${`── ${formatDuration(r.t)}: ${r.detail} `.padEnd(Math.max(width - TIME_W - 2, 0), '─')}──`);
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

const DROP_WORDS: Record<string, string> = {
  loss: 'link loss',
  partition: 'partitioned',
  silent: 'destination silent',
  'sender-down': 'sender is down',
};

function packetLabel(r: NetSend): string {
  if (r.proto === 'icmp') return 'ICMP unreachable';
  if (r.proto === 'tcp' && r.bytes.length === 0) return `TCP ${r.label}`;
  return r.label;
}

function marker(r: TraceEvent): { host: string; text: string } | undefined {
  switch (r.kind) {
    case 'sip.timeout':
      return { host: r.host, text: r.timer === 'retry-counts' ? `${r.method} to ${r.peer} gave up: retry counts reached` : `Timer ${r.timer} fired (${r.method} to ${r.peer}): no response` };
    case 'sip.transport-error':
      return { host: r.host, text: `${r.method} to ${r.peer}: transport error: ${r.cause}` };
    case 'phone.registration':
      return { host: r.phone, text: `registration on ${r.server}: ${r.from} → ${r.to} (${r.reason})` };
    case 'phone.register-attempt':
      return { host: r.phone, text: `REGISTER to ${r.server}: ${r.reason}` };
    case 'phone.working-server':
      return { host: r.phone, text: `working server ${r.server ? `is now ${r.server}` : 'none: no registration'} (${r.reason})` };
    case 'call.state':
      return { host: r.phone, text: `call ${r.call} ${r.from} → ${r.to}${r.server && r.to === 'trying' ? ` ${r.server}` : ''} (${r.reason})` };
    case 'call.outcome':
      return {
        host: r.phone,
        text: `call ${r.call} to ${r.to} ${r.outcome.toUpperCase()}${r.via ? ` via ${r.via}` : ''} after ${formatDuration(r.setup)} (tried ${r.tried.join(', ') || 'nothing'})`,
      };
    case 'call.incoming':
      return { host: r.phone, text: `incoming call from ${r.caller} via ${r.via} ${r.outcome.toUpperCase()}${r.setup ? ` after ${formatDuration(r.setup)}` : ''} (${r.reason})` };
    case 'phone.feature':
      return { host: r.phone, text: `${r.feature} ${r.available ? 'available' : 'LOST'}${r.server ? ` on ${r.server}` : ''} (${r.reason})` };
    case 'host.state':
      return { host: r.host, text: `now ${r.mode} (${r.reason})` };
    // A queued arrival is not a state change worth a row (a busy server has thousands); a shed one is.
    case 'server.load':
      return r.action === 'shed' ? { host: r.host, text: `${r.method} shed, queue full (${r.queue} waiting): ${r.overload === '503' ? '503 at once' : 'dropped'}` } : undefined;
    case 'server.queue-lost':
      return { host: r.host, text: `${r.lost} queued request${r.lost === 1 ? '' : 's'} lost (${r.reason})` };
    default:
      return undefined;
  }
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

/** The label as it fits: whole, else without its "(METHOD)" suffix, else cut with an ellipsis. */
function fit(label: string, span: number): string {
  if (label.length <= span) return label;
  const short = label.replace(/ \([A-Z]+\)$/, '');
  if (short.length <= span) return short;
  return `${short.slice(0, Math.max(0, span - 1))}…`;
}

function put(row: string[], at: number, text: string): void {
  for (let i = 0; i < text.length; i++) row[at + i] = text[i]!;
}
