import { readCapture } from './container.js';
import { decodeFrame, Fragments } from './decode.js';
import { PhoneFeed } from './feed.js';
import { Timeline, TimelineBuilder } from './timeline.js';

/**
 * The phone's timeline in a capture: every IPv4 packet to or from `phoneIp`, its ends named
 * through `names` (address → scenario host name; unnamed addresses stay addresses).
 */
export function captureTimeline(bytes: Buffer, file: string, phone: string, phoneIp: string, names: ReadonlyMap<string, string>): Timeline & { packets: number } {
  const builder = new TimelineBuilder(phone);
  const feed = new PhoneFeed(builder);
  const name = (ip: string): string => (ip === phoneIp ? phone : (names.get(ip) ?? ip));
  let packets = 0;
  const fragments = new Fragments();
  for (const frame of readCapture(bytes, file)) {
    const p = decodeFrame(frame, file, fragments);
    if (!p || (p.src.ip !== phoneIp && p.dst.ip !== phoneIp)) continue;
    packets += 1;
    feed.packet({ ...p, from: name(p.src.ip), to: name(p.dst.ip) });
  }
  return { ...builder.result(), packets };
}
