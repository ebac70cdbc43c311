import type { NetSend, TraceEvent, TraceKind, TraceSink } from '../core/trace.js';
import { PhoneFeed } from './feed.js';
import { Timeline, TimelineBuilder } from './timeline.js';

// Only a SYN's sequence number is passed on: it starts the stream, and the data after it appends.
export type CapturePoint = 'phone' | 'sender';

const tcpFlags = (flags: string, seq: number) => ({ syn: flags.includes('S'), ack: flags.includes('.'), rst: flags.includes('R'), ...(flags.includes('S') ? { seq } : {}) });

/**
 * The phone's timeline from a model run, as a capture at `point` would have it. 'phone' (a
 * capture next to the phone, the lab's usual mirror port): what the phone sends at the instant
 * it leaves, what reaches it at the instant it arrives (its net.deliver), and nothing the
 * network lost on the way to it; only packets in flight to the phone are held, by id, until they
 * arrive or drop. 'sender': every packet at the instant it leaves its sender, as sipsim's own
 * `--pcap` stamps them. The scenario's own doing is marked on the send it causes at its instant:
 * a call it places (the first send of the call: its INVITE, or the DNS query before it) and the
 * hang-up when the call's scripted duration is over (the BYE) — the lab's tester, not the phone's
 * rules, chose those instants.
 */
export class ModelTimelineSink implements TraceSink {
  readonly kinds: readonly TraceKind[] = ['net.send', 'net.deliver', 'net.drop', 'scenario.action', 'call.state'];
  private readonly builder: TimelineBuilder;
  private readonly feed: PhoneFeed;
  private readonly inFlight = new Map<number, NetSend>();

  constructor(private readonly phone: string, private readonly point: CapturePoint = 'phone') {
    this.builder = new TimelineBuilder(phone);
    this.feed = new PhoneFeed(this.builder);
  }

  write(r: TraceEvent): void {
    if (r.kind === 'net.send') {
      if (r.from === this.phone || (this.point === 'sender' && r.to === this.phone)) this.emit(r, r.t);
      else if (r.to === this.phone) this.inFlight.set(r.id, r);
    } else if (r.kind === 'net.deliver') {
      const sent = this.inFlight.get(r.id);
      if (sent) {
        this.inFlight.delete(r.id);
        this.emit(sent, r.t);
      }
    } else if (r.kind === 'net.drop') this.inFlight.delete(r.id);
    else if (r.kind === 'scenario.action' && r.action === 'call' && r.detail.startsWith(`call ${this.phone} → `)) this.builder.script(r.t, 'the scenario places the call');
    else if (r.kind === 'call.state' && r.phone === this.phone && r.reason === 'caller hung up') this.builder.script(r.t, "the call's scripted duration is over");
  }

  result(): Timeline {
    return this.builder.result();
  }

  private emit(r: NetSend, t: number): void {
    this.feed.packet({
      t, from: r.from, to: r.to, proto: r.proto, src: r.src, dst: r.dst, payload: r.bytes,
      ...(r.tcp ? { tcp: tcpFlags(r.tcp.flags, r.tcp.seq) } : {}),
      ...(r.icmp ? { icmp: { type: r.icmp.type, code: r.icmp.code } } : {}),
    });
  }
}
