import type { Micros } from '../../sim/core/clock.js';
import type { DropReason } from '../../sim/core/trace.js';

/**
 * What the HTML timeline keeps of a run: arrows, bands and markers for the hosts it shows.
 * Built record by record (collect.ts), laid out and drawn once the run has ended (layout.ts, svg.ts).
 */

/** How an arrow is drawn: SIP requests and responses, DNS, ICMP errors, TCP resets, and TCP/TLS control segments (dimmed). */
export type MsgKind = 'request' | 'response' | 'dns-query' | 'dns-answer' | 'icmp' | 'rst' | 'tcp-ctl';

export interface Arrow {
  id: number;
  from: string;
  to: string;
  /** Sent. */
  t0: Micros;
  /** Delivered or dropped; undefined while in flight (the page ends it at the run's end). */
  t1: Micros | undefined;
  kind: MsgKind;
  label: string;
  /** Why this is a retransmission ("retransmission #2 (Timer A)"), when it is one. */
  retransmit?: string;
  drop?: DropReason;
  /** What the detail pane shows: the SIP text, or for binary payloads the DNS summary lines. */
  detail: string;
}

/** The row a band belongs to: a phone's state rows, or a pair's link row on the network lane. */
export interface RowRef {
  /** Host name, or NETWORK_LANE for link and partition rows. */
  lane: string;
  key: string;
  label: string;
  /** Sort key inside the lane: account, then kind of row; ties keep first-seen order. */
  order: number;
}

export interface Band {
  /** Undefined: the whole lane (server outages). */
  row: RowRef | undefined;
  lane: string;
  t0: Micros;
  t1: Micros | undefined;
  /** CSS class: out-silent, reg-registered, work-2, call-answered, feat-on, net-loss… */
  cls: string;
  /** Short text drawn inside the band when it is wide enough. */
  label: string;
  /** Tooltip. */
  title: string;
  /** Counted as: outage | link | registration | working | call | feature (data-band in the DOM). */
  group: BandGroup;
}

export type BandGroup = 'outage' | 'link' | 'registration' | 'working' | 'call' | 'feature';

/** An instant on a host's lane: a timeout, a transport error. */
export interface Marker {
  lane: string;
  t: Micros;
  cls: string;
  title: string;
}

export const NETWORK_LANE = '\u0000network';
