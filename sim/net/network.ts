import type { Clock } from '../core/clock.js';
import type { RandomStreams, Rng } from '../core/random.js';
import type { DropReason, Endpoint, IcmpQuote, Trace } from '../core/trace.js';
import { Host, HostEndpoint } from './host.js';
import { LinkTable } from './link-table.js';
import { isLazy, LazyDatagram, LazyPayload, LazySendRecord } from './lazy-payload.js';

interface InFlight {
  id: number;
  from: Host;
  to: Host;
  src: Endpoint;
  dst: Endpoint;
  payload: Buffer | LazyPayload;
  icmp?: IcmpQuote;
}

interface LinkState {
  /** The link's stream, made at its first draw. */
  rng: Rng | undefined;
  /** Packets sent while the link was ideal and the stream not yet made: two draws each. */
  skipped: number;
}

/** packetDelay's answer for a packet the link loses. */
export const LOST = -1;

const ICMP_PORT_UNREACHABLE = { type: 3, code: 3 };
/** RFC 792 destination unreachable code 1, as the last-hop router sends it for a host that is gone (mode host-unreachable). */
export const ICMP_HOST_UNREACHABLE = { type: 3, code: 1 };
const EMPTY = Buffer.alloc(0);

/**
 * Hosts and the links between them. Links only schedule (ns-3 channel): a send asks the loss
 * and partition state, picks a delay, schedules the arrival and traces send/drop. It knows
 * nothing of SIP; `label` is the caller's one-line description for reports.
 */
export class Network {
  private readonly byName = new Map<string, Host>();
  private readonly byIp = new Map<string, Host>();
  private nextPacketId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly random: RandomStreams,
    readonly links: LinkTable,
  ) {}

  addHost(name: string, ip: string): Host {
    if (this.byName.has(name)) throw new Error(`Cannot add host ${name}: the name is taken`);
    if (this.byIp.has(ip)) throw new Error(`Cannot add host ${name}: address ${ip} belongs to ${this.byIp.get(ip)!.name}`);
    const host = new Host(name, ip);
    this.byName.set(name, host);
    this.byIp.set(ip, host);
    return host;
  }

  /** Packet ids are unique across UDP, ICMP and TCP: the ladder pairs drops with sends by id. */
  allocatePacketId(): number {
    return this.nextPacketId++;
  }

  host(name: string): Host | undefined {
    return this.byName.get(name);
  }

  hostByIp(ip: string): Host | undefined {
    return this.byIp.get(ip);
  }

  /** The host at an endpoint: its own when a Host made it (HostEndpoint), else by address. */
  hostAt(e: Endpoint): Host | undefined {
    return HostEndpoint.hostOf(e) ?? this.byIp.get(e.ip);
  }

  get hosts(): Host[] {
    return [...this.byName.values()];
  }

  /**
   * Sends one UDP datagram. Unknown destination addresses are traced and dropped as silent.
   * Text protocols (SIP) appear in the trace as text, binary ones (DNS) as base64.
   */
  sendUdp(from: Host, srcPort: number, dst: Endpoint, payload: Buffer | LazyPayload, label: string, binary = false): void {
    const to = HostEndpoint.hostOf(dst) ?? this.byIp.get(dst.ip);
    const id = this.nextPacketId++;
    const src = from.endpoint(srcPort);
    // Callers may pass richer objects (a located server); the wire has these two.
    dst = to !== undefined ? to.endpoint(dst.port) : { ip: dst.ip, port: dst.port };
    const toName = to?.name ?? dst.ip;
    // Two literals rather than a spread of a conditional object: no temporary per packet, and
    // the same key order (the JSONL trace's bytes depend on it).
    if (isLazy(payload)) {
      if (this.trace.on['net.send']) this.trace.emit(new LazySendRecord(id, from.name, toName, src, dst, payload, label));
    } else if (binary) {
      this.trace.emit({ kind: 'net.send', id, from: from.name, to: toName, proto: 'udp', src, dst, bytes: payload, encoding: 'base64', label });
    } else {
      this.trace.emit({ kind: 'net.send', id, from: from.name, to: toName, proto: 'udp', src, dst, bytes: payload, label });
    }
    if (!to) {
      this.trace.emit({ kind: 'net.drop', id, from: from.name, to: toName, reason: 'silent' });
      return;
    }
    this.transmit({ id, from, to, src, dst, payload });
  }

  /**
   * An ICMP error from `from` (a closed port's host; for host-unreachable its last-hop router,
   * which the model does not place, so the error carries the host's own address) to `to`.
   */
  private sendIcmp(from: Host, to: Host, quote: IcmpQuote): void {
    const id = this.nextPacketId++;
    const src = { ip: from.ip, port: 0 };
    const dst = { ip: to.ip, port: 0 };
    this.trace.emit({
      kind: 'net.send', id, from: from.name, to: to.name, proto: 'icmp', src, dst, bytes: EMPTY, icmp: quote,
      label: quote.code === 1 ? 'ICMP host unreachable' : 'ICMP port unreachable',
    });
    this.transmit({ id, from, to, src, dst, payload: EMPTY, icmp: quote });
  }

  private transmit(p: InFlight): void {
    // A router's ICMP for a host that is gone leaves even though the host itself sends nothing.
    if (p.from.mode === 'silent' || (p.from.mode === 'host-unreachable' && p.icmp?.code !== 1)) return this.drop(p, 'sender-down');
    if (this.links.isPartitioned(p.from.name, p.to.name)) return this.drop(p, 'partition');
    const delay = this.packetDelay(p.from, p.to);
    if (delay === LOST) return this.drop(p, 'loss');
    this.clock.schedule(delay, this.arrive, p, p.to.name);
  }

  private readonly arrive = (p: InFlight): void => {
    // Host state and partitions are judged again on arrival: an outage can start mid-flight.
    if (p.to.mode === 'silent') return this.drop(p, 'silent');
    if (this.links.isPartitioned(p.from.name, p.to.name)) return this.drop(p, 'partition');
    if (p.to.mode === 'host-unreachable') {
      this.drop(p, 'host-unreachable');
      // RFC 1122 §3.2.2: never an ICMP error about an ICMP error.
      if (!p.icmp) this.sendIcmp(p.to, p.from, { ...ICMP_HOST_UNREACHABLE, original: { src: p.src, dst: p.dst, length: (isLazy(p.payload) ? p.payload.bytes : p.payload).length } });
      return;
    }
    if (this.trace.on['net.deliver']) this.trace.emit({ kind: 'net.deliver', id: p.id, from: p.from.name, to: p.to.name });
    if (p.icmp) {
      p.to.socket(p.icmp.original.src.port)?.onIcmpError(p.icmp);
      return;
    }
    const socket = p.to.listener(p.dst.port);
    if (!socket) {
      // RFC 1122 §3.2.2.1: a closed UDP port answers with ICMP port unreachable.
      const quote = { ...ICMP_PORT_UNREACHABLE, original: { src: p.src, dst: p.dst, length: (isLazy(p.payload) ? p.payload.bytes : p.payload).length } };
      this.sendIcmp(p.to, p.from, quote);
      return;
    }
    const payload = p.payload;
    socket.onDatagram(isLazy(payload) ? new LazyDatagram(p.id, p.src, p.dst, payload) : { id: p.id, src: p.src, dst: p.dst, payload });
  };

  private drop(p: InFlight, reason: DropReason): void {
    this.trace.emit({ kind: 'net.drop', id: p.id, from: p.from.name, to: p.to.name, reason });
  }

  /** Per-direction link state, by host: a packet costs no string building and no name lookup. */
  private readonly linkStates = new Map<Host, Map<Host, LinkState>>();

  /**
   * One packet's fate on the link from → to: its delay in µs, or LOST. Each packet draws two
   * numbers (loss, then jitter) from the link's stream `link:<from>><to>`, shared by UDP and TCP,
   * so a change of loss rate never shifts later delays. While a link is ideal (no loss, no
   * jitter) and its stream not yet made, the draws cannot matter: they are only counted, and the
   * stream is made and advanced past them when the link first needs one (then it draws always).
   * Same draws as drawing every time, without a seeded generator per phone link (a fleet's links
   * are mostly ideal; each was ~0.4 KB).
   */
  packetDelay(from: Host, to: Host): number {
    const link = this.links.get(from.name, to.name);
    // Links that can never change: an ideal one's draws can never matter, so none are counted.
    if (link.loss === 0 && link.jitter === 0 && this.links.frozen) return link.delay;
    const state = this.linkState(from, to);
    let rng = state.rng;
    if (rng === undefined) {
      if (link.loss === 0 && link.jitter === 0) {
        state.skipped++;
        return link.delay;
      }
      rng = state.rng = this.random.stream(`link:${from.name}>${to.name}`);
      for (let i = 0; i < state.skipped; i++) {
        rng();
        rng();
      }
    }
    const lossDraw = rng();
    const jitterDraw = rng();
    if (lossDraw < link.loss) return LOST;
    return link.delay + Math.round(jitterDraw * link.jitter);
  }

  private linkState(from: Host, to: Host): LinkState {
    let peers = this.linkStates.get(from);
    if (!peers) this.linkStates.set(from, (peers = new Map()));
    let state = peers.get(to);
    if (!state) peers.set(to, (state = { rng: undefined, skipped: 0 }));
    return state;
  }
}
