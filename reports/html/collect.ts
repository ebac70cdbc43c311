import type { Micros } from '../../sim/core/clock.js';
import { payloadText, type NetSend, type ScenarioAction, type TraceEvent } from '../../sim/core/trace.js';
import { formatDuration } from '../../sim/core/time.js';
import type { Arrow, Band, BandGroup, Marker, MsgKind, RowRef } from './model.js';

/**
 * The reducer behind the HTML timeline: folds trace records, one at a time and in time order,
 * into arrows (one per net.send between shown hosts), bands (outages, registration states,
 * working server, calls, features) and markers. It keeps only what the page draws, for the
 * hosts it shows, so its memory grows with what is drawn, not with the trace.
 */
export class TimelineCollector {
  readonly arrows: Arrow[] = [];
  readonly bands: Band[] = [];
  readonly markers: Marker[] = [];
  /** link / partition / heal actions, resolved against the scenario's events at render time. */
  readonly linkActions: ScenarioAction[] = [];
  /** Messages from or to a hidden host: not drawn, but counted for the note. */
  hiddenMessages = 0;

  private readonly byId = new Map<number, Arrow>();
  private readonly pendingRetransmit = new Map<string, string>();
  /** The dns.query a host emitted just before its query packet (same instant). */
  private readonly lastDnsQuery = new Map<string, { t: Micros; text: string }>();
  /** A DNS packet just delivered to a host: the dns.answer it causes follows at the same instant. */
  private readonly dnsDelivered = new Map<string, { t: Micros; arrow: Arrow }>();
  private readonly open = new Map<string, Band>();
  private readonly calls = new Map<string, CallInfo>();
  private readonly rows = new Map<string, RowRef>();

  constructor(private readonly shown: ReadonlySet<string>) {}

  write(r: TraceEvent): void {
    switch (r.kind) {
      case 'net.send':
        return this.send(r);
      case 'net.deliver':
      case 'net.drop': {
        const a = this.byId.get(r.id);
        if (!a) return;
        this.byId.delete(r.id);
        a.t1 = r.t;
        if (r.kind === 'net.drop') a.drop = r.reason;
        else if (a.kind === 'dns-answer') this.dnsDelivered.set(a.to, { t: r.t, arrow: a });
        return;
      }
      case 'sip.retransmit':
        if (this.shown.has(r.host)) this.pendingRetransmit.set(r.host, r.count > 0 ? `retransmission #${r.count} (Timer ${r.timer})` : `retransmission (${r.timer === '2xx' ? '2xx until ACK' : `Timer ${r.timer}`})`);
        return;
      case 'dns.query':
        if (this.shown.has(r.host)) this.lastDnsQuery.set(r.host, { t: r.t, text: `dns.query ${r.qtype} ${r.name} to ${r.server} (attempt ${r.attempt})` });
        return;
      case 'dns.answer': {
        const d = this.dnsDelivered.get(r.host);
        if (d && d.t === r.t) {
          d.arrow.detail += `\n\ndns.answer ${r.qtype} ${r.name} from ${r.server}: ${r.rcode}${r.records.map((x) => `\n  ${x}`).join('')}`;
          this.dnsDelivered.delete(r.host);
        }
        return;
      }
      case 'host.state':
        if (!this.shown.has(r.host)) return;
        this.close(`out:${r.host}`, r.t);
        if (r.mode !== 'up') this.openBand(`out:${r.host}`, { row: undefined, lane: r.host, t0: r.t, cls: `out-${r.mode}`, label: r.mode, title: `${r.host} ${r.mode} from ${formatDuration(r.t)} (${r.reason})`, group: 'outage' });
        return;
      case 'phone.registration': {
        if (!this.shown.has(r.phone)) return;
        const key = `reg:${r.phone}:${r.account}:${r.server}`;
        this.close(key, r.t);
        if (r.to === 'unregistered') return;
        const row = this.row(r.phone, `reg:${r.account}:${r.server}`, `acct ${r.account} on ${r.server}`, r.account * 10 + 1);
        this.openBand(key, { row, lane: r.phone, t0: r.t, cls: `reg-${r.to}`, label: r.to, title: `${r.phone} account ${r.account} on ${r.server}: ${r.to} from ${formatDuration(r.t)} (${r.reason})`, group: 'registration' });
        return;
      }
      case 'phone.working-server': {
        if (!this.shown.has(r.phone)) return;
        const key = `work:${r.phone}:${r.account}`;
        this.close(key, r.t);
        if (r.server === null) return;
        const row = this.row(r.phone, `work:${r.account}`, `acct ${r.account} working`, r.account * 10 + 2);
        this.openBand(key, { row, lane: r.phone, t0: r.t, cls: `work-${this.serverColour(r.server)}`, label: r.server, title: `${r.phone} account ${r.account}: working server ${r.server} from ${formatDuration(r.t)} (${r.reason})`, group: 'working' });
        return;
      }
      case 'phone.feature': {
        if (!this.shown.has(r.phone)) return;
        const key = `feat:${r.phone}:${r.account}:${r.feature}`;
        this.close(key, r.t);
        const row = this.row(r.phone, `feat:${r.account}:${r.feature}`, `acct ${r.account} ${r.feature}`, r.account * 10 + 3);
        const state = r.available ? `on ${r.server ?? ''}`.trim() : 'lost';
        this.openBand(key, { row, lane: r.phone, t0: r.t, cls: r.available ? 'feat-on' : 'feat-off', label: `${r.feature} ${state}`, title: `${r.phone} ${r.feature} ${r.available ? 'available' : 'not available'}${r.server ? ` (${r.server})` : ''} from ${formatDuration(r.t)} (${r.reason})`, group: 'feature' });
        return;
      }
      case 'call.state':
        return this.callState(r);
      case 'call.outcome': {
        const c = this.calls.get(`${r.phone}:${r.call}`);
        if (!c) return;
        c.to = r.to;
        c.outcome = `${r.outcome}${r.via ? ` via ${r.via}` : ''}, setup ${formatDuration(r.setup)}, tried ${r.tried.join(' → ') || 'nothing'}`;
        c.band.cls = `call-${r.outcome}`;
        return;
      }
      case 'call.incoming': {
        if (!this.shown.has(r.phone)) return;
        const row = this.row(r.phone, 'calls', 'calls', 1000);
        this.bands.push({ row, lane: r.phone, t0: r.t - r.setup, t1: r.t, cls: `call-${r.outcome} call-in`, label: `← ${r.caller}`, title: `incoming call from ${r.caller} via ${r.via} at ${formatDuration(r.t - r.setup)}: ${r.outcome}${r.setup ? `, setup ${formatDuration(r.setup)}` : ''} (${r.reason})`, group: 'call' });
        return;
      }
      case 'sip.timeout':
        if (this.shown.has(r.host)) this.markers.push({ lane: r.host, t: r.t, cls: 'mk-timeout', title: `${formatDuration(r.t)} ${r.host}: ${r.timer === 'retry-counts' ? 'retry counts reached' : `Timer ${r.timer} fired`} (${r.method} to ${r.peer})` });
        return;
      case 'sip.transport-error':
        if (this.shown.has(r.host)) this.markers.push({ lane: r.host, t: r.t, cls: 'mk-error', title: `${formatDuration(r.t)} ${r.host}: ${r.method} to ${r.peer}: transport error: ${r.cause}` });
        return;
      case 'dns.timeout':
        if (this.shown.has(r.host)) this.markers.push({ lane: r.host, t: r.t, cls: 'mk-timeout', title: `${formatDuration(r.t)} ${r.host}: DNS ${r.qtype} ${r.name} to ${r.server} timed out (attempt ${r.attempt})` });
        return;
      case 'scenario.action':
        if (r.action === 'link' || r.action === 'partition' || r.action === 'heal') this.linkActions.push(r);
        return;
      default:
        return;
    }
  }

  /** Bands still open at the end run to it; calls get their titles. */
  finish(end: Micros): void {
    for (const b of this.open.values()) b.t1 ??= end;
    this.open.clear();
    for (const c of this.calls.values()) {
      c.band.t1 ??= end;
      c.band.title = `call ${c.call}${c.to ? ` → ${c.to}` : ''}: ${c.outcome ?? 'no outcome by the end of the run'}\n${c.states.join('\n')}`;
    }
    for (const a of this.arrows) a.t1 ??= end;
  }

  private send(r: NetSend): void {
    if (!this.shown.has(r.from) || !this.shown.has(r.to)) {
      this.hiddenMessages++;
      return;
    }
    const kind = msgKind(r);
    let retransmit: string | undefined;
    if (kind !== 'tcp-ctl' && kind !== 'rst') {
      retransmit = this.pendingRetransmit.get(r.from);
      this.pendingRetransmit.delete(r.from);
    }
    if (r.label.includes('[retransmission]')) retransmit = 'TCP retransmission';
    let detail = r.encoding === 'base64' ? '' : payloadText(r);
    if (r.encoding === 'base64') {
      const q = this.lastDnsQuery.get(r.from);
      detail = `${r.label}\n(binary payload, ${r.bytes.length} bytes)`;
      if (kind === 'dns-query' && q && q.t === r.t) detail = `${r.label}\n\n${q.text}`;
    } else if (r.bytes.length === 0) {
      detail = r.proto === 'icmp' && r.icmp
        ? `${r.label}\nICMP type ${r.icmp.type} code ${r.icmp.code}, quoting ${r.icmp.original.src.ip}:${r.icmp.original.src.port} → ${r.icmp.original.dst.ip}:${r.icmp.original.dst.port} (${r.icmp.original.length} bytes)`
        : `${r.label}${r.tcp ? `\nTCP flags ${r.tcp.flags} seq ${r.tcp.seq} ack ${r.tcp.ack}` : ''}`;
    }
    const a: Arrow = { id: r.id, from: r.from, to: r.to, t0: r.t, t1: undefined, kind, label: r.label, detail, ...(retransmit ? { retransmit } : {}) };
    this.arrows.push(a);
    this.byId.set(r.id, a);
  }

  private callState(r: Extract<TraceEvent, { kind: 'call.state' }>): void {
    if (!this.shown.has(r.phone)) return;
    const key = `${r.phone}:${r.call}`;
    let c = this.calls.get(key);
    if (!c) {
      const row = this.row(r.phone, 'calls', 'calls', 1000);
      const band: Band = { row, lane: r.phone, t0: r.t, t1: undefined, cls: 'call-open', label: `call ${r.call}`, title: '', group: 'call' };
      this.bands.push(band);
      c = { call: r.call, to: '', band, states: [] };
      this.calls.set(key, c);
    }
    c.states.push(`${formatDuration(r.t)} ${r.to}${r.server ? ` (${r.server})` : ''}: ${r.reason}`);
    if (r.to === 'ended' || r.to === 'failed' || r.to === 'busy') c.band.t1 ??= r.t;
  }

  private openBand(key: string, b: Omit<Band, 't1'>): void {
    const band: Band = { ...b, t1: undefined };
    this.bands.push(band);
    this.open.set(key, band);
  }

  private close(key: string, t: Micros): void {
    const b = this.open.get(key);
    if (b) b.t1 = t;
    this.open.delete(key);
  }

  private row(lane: string, key: string, label: string, order: number): RowRef {
    const id = `${lane}\u0000${key}`;
    let row = this.rows.get(id);
    if (!row) this.rows.set(id, (row = { lane, key, label, order }));
    return row;
  }

  private readonly colours = new Map<string, number>();
  /** Working-server bands get one of six colours per server, in order of first appearance. */
  private serverColour(server: string): number {
    let c = this.colours.get(server);
    if (c === undefined) this.colours.set(server, (c = this.colours.size % 6));
    return c;
  }

  rowsOf(lane: string): RowRef[] {
    return [...this.rows.values()].filter((r) => r.lane === lane).sort((a, b) => a.order - b.order);
  }
}

interface CallInfo {
  call: number;
  to: string;
  band: Band;
  states: string[];
  outcome?: string;
}

export function msgKind(r: NetSend): MsgKind {
  if (r.proto === 'icmp') return 'icmp';
  if (r.tcp && r.tcp.flags.startsWith('R')) return 'rst';
  if (r.label.startsWith('DNS query')) return 'dns-query';
  if (r.label.startsWith('DNS answer')) return 'dns-answer';
  // Handshakes, pure ACKs, FINs and TLS handshake records: dimmed so SIP stays readable.
  if ((r.proto === 'tcp' && r.bytes.length === 0) || r.label.startsWith('TLS ')) return 'tcp-ctl';
  return /^\d{3} /.test(r.label) ? 'response' : 'request';
}

export type { BandGroup };
