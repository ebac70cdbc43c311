import type { Micros } from '../core/clock.js';
import type { DnsRecord } from '../dns/records.js';
import type { LinkParams } from '../net/link-table.js';
import type { PhoneConfig } from '../phone/phone-config.js';
import type { Warning } from '../core/warning.js';
import type { ModelOptions } from '../phone/model-options.js';
import type { MatcherKind, TimingKind } from './schema.js';
import type { ServerCapacity } from '../server/capacity-queue.js';
import type { FleetSpec } from './fleet.js';

/** A validated scenario, with times in µs and names checked; built by load-scenario.ts. */
export interface Scenario {
  file: string;
  /** File name without directory and extension: names output files. */
  id: string;
  name: string;
  description?: string;
  seed: number;
  duration: Micros;
  maxEvents: number;
  /** The line of maxEvents when the file sets it (the default is sized from hosts × duration). */
  maxEventsLine?: number;
  model: Partial<ModelOptions>;
  /**
   * Every phone: those of `phones:` in file order, then each fleet's phones office[1..count] in
   * fleet order (contiguous: scenario.phones[fleet.offset + i - 1] is office[i]).
   */
  phones: PhoneSpec[];
  /** The fleets of `fleets:` in file order (empty when none); fleet.ts's fleetOf(scenario, phone) finds a phone's. */
  fleets: FleetSpec[];
  servers: ServerSpec[];
  /** The DNS server host(s) ('dns', and 'dns2' for a secondary) and the zone they serve. */
  dns?: { servers: { name: string; address: string }[]; records: DnsRecord[] };
  network: { default: LinkParams; links: { between: [string, string]; change: Partial<LinkParams> }[] };
  events: ScenarioEvent[];
  expectations: Expectation[];
  /** Non-fatal remarks for the user, each with its file:line (keys not modelled, addresses no host has…). */
  warnings: Warning[];
  /** SHA-256 of the scenario text and the .cfg entries it read (input-digest.ts); set by loadScenario. */
  digest?: string;
  /** The files it was made from (absolute: the scenario, then each .cfg read); outputs must not overwrite them. */
  inputs?: string[];
}

export interface PhoneSpec {
  name: string;
  address: string;
  /** Shared by every phone of a fleet whose settings have no {i} (and by phones of `phones:` with the same files and no settings). */
  config: PhoneConfig;
  /** The fleet the phone belongs to (absent for a phone of `phones:`). */
  fleet?: string;
}

export interface ServerSpec {
  name: string;
  address: string;
  ringTime?: Micros;
  ringDelay?: Micros;
  answer?: number;
  /** Longest registration granted (scenario `maxExpires`); absent = DEFAULT_SERVER_PROFILE's 3600 s. */
  maxExpires?: Micros;
  /** Subscription features offered; absent = all. */
  features?: ('mwi' | 'shared-line' | 'reg')[];
  /** A rate and a bounded queue in front of the server (absent: every request served on arrival). */
  capacity?: ServerCapacity;
}

/**
 * `host`/`from`/`between` may name a whole fleet where the action allows it (boot, calls, link,
 * partition, heal): fleet names never collide with host names, so scenario.fleets tells them apart.
 */
export type ScenarioAction =
  | { type: 'boot'; host: string }
  | { type: 'fail'; host: string; mode: 'silent' | 'unreachable' | 'host-unreachable' | '503' | 'slow'; retryAfter?: Micros; delay?: Micros }
  | { type: 'recover'; host: string }
  | { type: 'call'; from: string; to: string; duration?: Micros; account?: number }
  | { type: 'incoming'; to: string; via: string; from: string; duration?: Micros; account?: number }
  | { type: 'link'; between: [string, string]; change: Partial<LinkParams> }
  | { type: 'partition'; between: [string, string] }
  | { type: 'heal'; between: [string, string] }
  /** Replaces every record the DNS servers hold (TTL expiry then sees the change). */
  | { type: 'dns'; records: DnsRecord[] }
  /**
   * Poisson call arrivals over [at, at + for) at `rate` calls per second, each from a phone of
   * `from` (a fleet, or one phone) chosen uniformly; `stream` names the random streams drawn.
   */
  | { type: 'calls'; from: string; rate: number; for: Micros; to: string; duration?: Micros; account?: number; stream: string };

export interface ScenarioEvent {
  at: Micros;
  line: number;
  action: ScenarioAction;
}

export type Timing =
  | { kind: 'at'; at: Micros; tolerance: Micros }
  /** A match in [after, by]; after 0 when not given. */
  | { kind: 'by'; by: Micros; after: Micros }
  | { kind: 'during'; from: Micros; to: Micros }
  | { kind: 'never'; from: Micros; to: Micros | null }
  /** A metric expectation: judged on the whole run's metrics. */
  | { kind: 'run' };

/** What a metric expectation measures: fleet distributions and counts, server peaks and totals. */
export type MetricMeasure = 'gap' | 'setup' | 'failed' | 'shed' | 'queue' | 'rate';
export type MetricStat = 'p50' | 'p95' | 'p99' | 'max' | 'mean';

export type Matcher =
  | { kind: 'sends'; from: string; to: string; method?: string; status?: number }
  | { kind: 'call'; from: string; to?: string; outcome?: 'answered' | 'failed' | 'busy'; via?: string }
  | { kind: 'registered'; phone: string; on: string; account?: number }
  | { kind: 'feature'; phone: string; name: 'mwi' | 'shared-line' | 'reg'; available: boolean }
  | { kind: 'incoming'; phone: string; outcome?: 'answered' | 'failed' | 'busy'; via?: string }
  /** The instant a fleet's share registered on a server reaches `share` (0..1); `on: any` = on any server. */
  | { kind: 'fleet-registered'; fleet: string; on: string; share: number }
  /**
   * A bound on a metric: a fleet's gap/setup distribution statistic (µs) or failed-call count, or
   * a server's shed total, peak queue, or peak arrivals per second.
   */
  | { kind: 'metric'; fleet?: string; server?: string; measure: MetricMeasure; stat?: MetricStat; min?: number; max?: number };

export interface Expectation {
  line: number;
  /** The expectation as the user wrote it, one line, for reports. */
  text: string;
  timing: Timing;
  matcher: Matcher;
}

export type { MatcherKind, TimingKind };
