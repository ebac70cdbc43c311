/**
 * A small world for TCP tests: 'alice' (10.0.0.10) and 'sip1' (10.0.0.1) on a 20 ms link
 * (RTT 40 ms) with no jitter or loss unless a test changes it, a TcpNetwork over them, and
 * helpers that turn the trace into whole-slice timelines (seconds, not µs, for readability).
 */
import { Clock, Micros } from '../../sim/core/clock.js';
import { RandomStreams } from '../../sim/core/random.js';
import { ms } from '../../sim/core/time.js';
import { Endpoint, NetSend, Trace, TraceEvent } from '../../sim/core/trace.js';
import type { Host } from '../../sim/net/host.js';
import { LinkParams, LinkTable } from '../../sim/net/link-table.js';
import { Network } from '../../sim/net/network.js';
import type { TcpConnection, TcpHandlers } from '../../sim/net/tcp-connection.js';
import { TcpNetwork } from '../../sim/net/tcp-network.js';
import type { TcpOptions } from '../../sim/net/tcp-rto.js';

export const ALICE_IP = '10.0.0.10';
export const SIP1_IP = '10.0.0.1';
export const SIP1: Endpoint = { ip: SIP1_IP, port: 5060 };
export const SIP1_TLS: Endpoint = { ip: SIP1_IP, port: 5061 };

export class TcpWorld {
  readonly clock = new Clock({ maxEvents: 1_000_000 });
  readonly trace = new Trace(() => this.clock.now, { keep: true });
  readonly random: RandomStreams;
  readonly links: LinkTable;
  readonly network: Network;
  readonly alice: Host;
  readonly sip1: Host;
  readonly tcp: TcpNetwork;
  /** (seconds, who, what) of every application callback, in order. */
  readonly log: [number, string, string][] = [];

  constructor(options: { seed?: number; link?: Partial<LinkParams>; tcp?: Partial<TcpOptions> } = {}) {
    this.random = new RandomStreams(options.seed ?? 1);
    this.links = new LinkTable({ delay: ms(20), jitter: 0, loss: 0, ...options.link });
    this.network = new Network(this.clock, this.trace, this.random, this.links);
    this.alice = this.network.addHost('alice', ALICE_IP);
    this.sip1 = this.network.addHost('sip1', SIP1_IP);
    this.tcp = new TcpNetwork(this.network, this.clock, this.trace, this.random, options.tcp);
  }

  /** Handlers that log every callback as (t, who, "connected" | "data <text>" | "error <cause>" | "closed"). */
  recorder(who: string): TcpHandlers {
    return {
      onConnected: () => this.note(who, 'connected'),
      onData: (d) => this.note(who, `data ${d.toString('utf8')}`),
      onError: (cause) => this.note(who, `error ${cause}`),
      onClosed: () => this.note(who, 'closed'),
    };
  }

  /** sip1 listens on `port`; every accepted connection is logged and recorded; `echo` answers each message. */
  listen(port = 5060, opts: { tls?: boolean; echo?: boolean } = {}): TcpConnection[] {
    const accepted: TcpConnection[] = [];
    this.tcp.listen(
      this.sip1,
      port,
      (conn) => {
        accepted.push(conn);
        this.note('sip1', `accept ${conn.remote.ip}:${conn.remote.port}`);
        const rec = this.recorder('sip1');
        conn.setHandlers({ ...rec, onData: (d) => (rec.onData!(d), opts.echo && conn.send(Buffer.from(`re: ${d.toString()}`), 'echo')) });
      },
      opts.tls ? { tls: true } : {},
    );
    return accepted;
  }

  /** Runs `fn` at an absolute instant (seconds). */
  at(seconds: number, fn: () => void): void {
    this.clock.at(Math.round(seconds * 1e6), fn);
  }

  run(untilSeconds: number): void {
    this.clock.runUntil(Math.round(untilSeconds * 1e6));
  }

  note(who: string, what: string): void {
    this.log.push([s(this.clock.now), who, what]);
  }

  get records(): TraceEvent[] {
    return this.trace.records;
  }
}

/** µs → seconds, exact for the µs values tests use. */
export function s(t: Micros): number {
  return t / 1e6;
}

export function tcpSends(records: readonly TraceEvent[]): NetSend[] {
  return records.filter((r): r is NetSend => r.kind === 'net.send' && r.proto === 'tcp');
}

/** (t s, "from>to", flags, label) of every TCP segment sent. */
export function segments(records: readonly TraceEvent[]): [number, string, string, string][] {
  return tcpSends(records).map((r) => [s(r.t), `${r.from}>${r.to}`, r.tcp!.flags, r.label]);
}

/** (t s, host, "from→to", reason) of every tcp.state record, optionally for one host. */
export function states(records: readonly TraceEvent[], host?: string): [number, string, string, string][] {
  const out: [number, string, string, string][] = [];
  for (const r of records) if (r.kind === 'tcp.state' && (!host || r.host === host)) out.push([s(r.t), r.host, `${r.from}→${r.to}`, r.reason]);
  return out;
}

/** (t s, id, reason) of every net.drop. */
export function drops(records: readonly TraceEvent[]): [number, string, string][] {
  const out: [number, string, string][] = [];
  for (const r of records) if (r.kind === 'net.drop') out.push([s(r.t), `${r.from}>${r.to}`, r.reason]);
  return out;
}
