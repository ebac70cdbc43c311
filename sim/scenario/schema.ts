import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { oneOf } from '../core/suggest.js';
import { parseDuration } from '../core/time.js';
import { checkModelValue, describeSpec, MODEL_OPTION_SPECS } from '../phone/model-options.js';
import { MAX_FLEET_COUNT, parseRate } from './fleet.js';

/**
 * The scenario file format (shared/DESIGN.md — a contract with users: extend, never break).
 * Validation goes through these zod schemas; `scenarioJsonSchema()` exports the same shapes as
 * JSON Schema for editors. Events and expectations are validated one action at a time (see
 * load-scenario.ts) so an error names the action the user meant, not a union's failure.
 */

/** A bare YAML number where a duration belongs: say which unit it most likely lacks. */
const unitless = (example: string) => (iss: { input: unknown }): string =>
  typeof iss.input === 'number' ? `found ${iss.input} — a duration needs a unit: ${iss.input}s?` : `expected a duration with a unit, e.g. ${example}`;

export const duration = z
  .string({ error: unitless('"500ms", "32s", "1m30s", "2h"') })
  .transform((text, ctx) => {
    const us = parseDuration(text);
    if (us === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration with a unit, e.g. "500ms", "32s", "1m30s", "2h", found "${text}"` });
      return z.NEVER;
    }
    return us;
  })
  .describe('A duration: a number with a unit (us, ms, s, m, h, d), units may be combined: "1m30s", "365d".');

const positiveDuration = z
  .string({ error: unitless('"10m"') })
  .transform((text, ctx) => {
    const us = parseDuration(text);
    if (us === undefined || us <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a positive duration with a unit, e.g. "10m", found "${text}"` });
      return z.NEVER;
    }
    return us;
  })
  .describe('A positive duration, e.g. "10m".');

export const lossRate = z
  .union([z.number(), z.string()], { error: 'expected a loss rate: "30%" or a fraction from 0 to 1' })
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\d+(\.\d+)?%$/.test(v.trim()) ? Number(v.trim().slice(0, -1)) / 100 : NaN;
    if (!(n >= 0 && n <= 1)) {
      ctx.addIssue({ code: 'custom', message: `expected a loss rate: "30%" or a fraction from 0 to 1, found ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  })
  .describe('Packet loss: a percentage "2%" or a fraction 0..1.');

/**
 * One of some strings. YAML reads `mode: 503` or `tlsVersion: 1.3` unquoted as numbers, as the
 * design document writes them: a value that is a number on paper is accepted as one too (and
 * the JSON Schema says so). Errors show what was found and the nearest allowed value.
 */
export function stringEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const error = (iss: { input: unknown }): string => (iss.input === undefined ? `expected one of ${values.join(', ')}` : oneOf(values, iss.input));
  const numeric = values.filter((v) => /^\d+(\.\d+)?$/.test(v));
  if (numeric.length === 0) return z.enum(values, { error });
  const numbers = numeric.map((v) => z.literal(Number(v)).transform(() => v as T[number]));
  return z.union([z.enum(values), ...numbers], { error });
}

const ipv4 = z.string({ error: 'expected an IPv4 address, e.g. "10.0.0.1"' }).refine(isIPv4, { error: 'expected an IPv4 address, e.g. "10.0.0.1"' });
const hostName = z.string({ error: 'expected a host name defined under phones: or servers:' }).min(1);
const pair = z.tuple([hostName, hostName], { error: 'expected two host names, e.g. [alice, sip1]' });

const linkChange = {
  delay: duration.optional(),
  jitter: duration.optional(),
  loss: lossRate.optional(),
};

export const phoneSchema = z.strictObject({
  address: ipv4,
  config: z
    .union([z.string(), z.array(z.string())], { error: 'expected a .cfg path, or a list of them (common file first, <MAC>.cfg last)' })
    .optional()
    .describe('Yealink-style provisioning file(s), relative to the scenario file; later files win.'),
  settings: z
    .record(z.string(), z.union([z.string(), z.number()], { error: 'expected a setting value (text or number)' }))
    .optional()
    .describe('Provisioning keys added or overriding the config files, e.g. { sip.timer_t1: 1 }.'),
});

const RATE_PERIOD_US: Record<string, number> = { s: 1_000_000, min: 60_000_000, m: 60_000_000, h: 3_600_000_000 };
const RATE_EXAMPLE = 'e.g. "800/s" or "48000/min"';

/**
 * Requests per unit of time, "800/s", "48000/min", "0.5/s", as an exact ratio `count` per
 * `period` µs (decimals scale both: 0.5/s = 5 per 10 s), so service instants stay integers.
 */
export const requestRate = z
  .string({ error: (iss) => (typeof iss.input === 'number' ? `found ${iss.input} — a rate needs a unit: "${iss.input}/s"?` : `expected a request rate, ${RATE_EXAMPLE}`) })
  .transform((text, ctx) => {
    const m = /^(\d+)(?:\.(\d{1,6}))?\s*\/\s*(s|min|m|h)$/.exec(text.trim());
    const scale = 10 ** (m?.[2]?.length ?? 0);
    const count = m ? Number(m[1]! + (m[2] ?? '')) : 0;
    const period = m ? RATE_PERIOD_US[m[3]!]! * scale : 0;
    if (!m || count <= 0 || !Number.isSafeInteger(count * period)) {
      ctx.addIssue({ code: 'custom', message: `expected a positive request rate, ${RATE_EXAMPLE}, found "${text}"` });
      return z.NEVER;
    }
    return { count, period };
  })
  .describe('Requests per unit of time: "800/s", "48000/min", "2/h" (up to 6 decimals: "0.5/s").');

const queueLimit = (iss: { input: unknown }): string =>
  `expected the number of requests that may wait: an integer ≥ 0${iss.input === undefined ? '' : `, found ${JSON.stringify(iss.input)}`}`;

export const capacitySchema = z
  .strictObject({
    rate: requestRate.describe('Requests served per unit of time, one after another (each takes 1/rate), e.g. "800/s".'),
    queue: z
      .number({ error: queueLimit }).int({ error: queueLimit }).min(0, { error: queueLimit })
      .optional()
      .describe('Requests that may wait behind the one in service; past that the server sheds. Default: no limit.'),
    overload: stringEnum(['503', 'drop']).optional().describe('A request arriving at a full queue: "503" (default: 503 Service Unavailable at once) or drop (silently).'),
    retryAfter: duration.optional().describe('overload 503: the Retry-After sent with it.'),
  }, { error: 'expected a capacity: { rate: 800/s, queue: 2000, overload: "503", retryAfter: 20s }' })
  .describe('Server capacity (shared/DESIGN.md): every request, retransmissions and ACKs included, waits its turn in a FIFO served at `rate`.');
export const fleetSchema = z.strictObject({
  count: z
    .number({ error: 'expected the number of phones, a positive integer' })
    .int({ error: 'expected the number of phones, a positive integer' })
    .min(1, { error: 'expected the number of phones, a positive integer' })
    .max(MAX_FLEET_COUNT, { error: `at most ${MAX_FLEET_COUNT.toLocaleString('en-US')} phones in one fleet (split a bigger one into several fleets)` })
    .describe(`How many phones: named <fleet>[1] … <fleet>[count] (at most ${MAX_FLEET_COUNT}).`),
  addresses: ipv4.describe('The first phone\'s IPv4 address; phone i takes the i-th consecutive address (10.1.0.255 is followed by 10.1.1.0).'),
  config: phoneSchema.shape.config.describe('Yealink-style provisioning file(s) shared by every phone, relative to the scenario file; later files win.'),
  settings: z
    .record(z.string(), z.union([z.string(), z.number()], { error: 'expected a setting value (text or number)' }))
    .optional()
    .describe('Provisioning keys for every phone; {i} in a value is the phone\'s index 1..count, {i:05} zero-padded to 5 digits, e.g. { account.1.user_name: "2{i:05}" }.'),
});

/** "2/s", "120/min" → arrivals per second. */
const callRate = z
  .string({ error: 'expected a call rate, e.g. "2/s" or "120/min"' })
  .transform((text, ctx) => {
    const perSecond = parseRate(text);
    if (perSecond === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a positive call rate: a number of calls per s, min or h, e.g. "2/s" or "120/min", found "${text}"` });
      return z.NEVER;
    }
    return perSecond;
  })
  .describe('Mean call arrival rate: calls per s, min or h, e.g. "2/s", "120/min".');

export const serverSchema = z.strictObject({
  address: ipv4,
  features: z
    .array(z.enum(['calls', 'mwi', 'shared-line', 'reg'], { error: 'expected calls, mwi, shared-line or reg' }))
    .optional()
    .describe('Features offered (default all). A fallback server lists [calls]: SUBSCRIBEs for MWI, shared lines and the reg event (RFC 3680) get 489 Bad Event.'),
  ringTime: duration.optional().describe('Time from the INVITE to the answer (default 1s).'),
  ringDelay: duration.optional().describe('Time from the INVITE to its 180 Ringing (default 0s: with the 100); at most ringTime.'),
  maxExpires: duration.refine((us) => us >= 1_000_000, { error: 'expected at least 1s (an Expires header counts whole seconds)' }).optional().describe('Longest registration the server grants (default 1h): a REGISTER asking more gets this in its 200 (RFC 3261 §10.3 step 7 lets a registrar shorten it), e.g. 5m.'),
  answer: z.number().int().min(200).max(699).optional().describe('Final status the callee answers INVITEs with (default 200; 486 = busy).'),
  capacity: capacitySchema.optional(),
});

export const modelSchema = z.strictObject({
  ...Object.fromEntries(
    Object.entries(MODEL_OPTION_SPECS).map(([k, spec]) => [
      k,
      (spec.kind === 'enum'
        ? stringEnum(spec.values as [string, ...string[]])
        : z.number().refine((n) => 'value' in checkModelValue(spec, n), { error: `expected ${describeSpec(spec)}` })
      ).optional(),
    ]),
  ),
});

export const networkSchema = z.strictObject({
  default: z.strictObject(linkChange).optional(),
  links: z.array(z.strictObject({ between: pair, ...linkChange })).optional(),
});

export const dnsSchema = z.strictObject({
  server: ipv4.describe('the DNS server host, named "dns" in events and links'),
  secondary: ipv4.optional().describe('a secondary DNS server, named "dns2"'),
  records: z
    .array(z.string({ error: 'expected a zone-file line, e.g. "sip1.pbx.example.com. 300 IN A 10.0.0.1"' }))
    .optional()
    .describe('zone-file lines: A, CNAME, SRV, NAPTR, SOA; names end with a dot'),
});

/** One schema per event action; exactly one action key besides `at`. */
export const eventSchemas = {
  boot: z.strictObject({ at: duration, boot: hostName }),
  fail: z.strictObject({
    at: duration,
    fail: hostName,
    mode: stringEnum(['silent', 'unreachable', 'host-unreachable', '503', 'slow']),
    retryAfter: duration.optional().describe('mode 503: Retry-After to send'),
    delay: duration.optional().describe('mode slow: extra delay per request (default 5s)'),
  }),
  recover: z.strictObject({ at: duration, recover: hostName }),
  call: z.strictObject({
    at: duration,
    call: z.strictObject({
      from: hostName,
      to: z.union([z.string(), z.number()]).transform(String),
      duration: duration.optional().describe('answered call length before the caller hangs up (default 30s)'),
      account: z.number().int().min(1).max(16).optional().describe('the account that calls (default 1)'),
    }),
  }),
  incoming: z.strictObject({
    at: duration,
    incoming: z.strictObject({
      to: hostName.describe('the called phone'),
      via: hostName.describe('the server that places the call through the phone\'s registration there'),
      from: z.union([z.string(), z.number()]).transform(String).optional().describe('the calling number (default 3000)'),
      duration: duration.optional().describe('call length before the caller hangs up (default 30s)'),
      account: z.number().int().min(1).max(16).optional().describe('the called account (default 1)'),
    }),
  }),
  link: z.strictObject({ at: duration, link: z.strictObject({ between: pair, ...linkChange }) }),
  partition: z.strictObject({ at: duration, partition: pair }),
  heal: z.strictObject({ at: duration, heal: pair }),
  dns: z.strictObject({ at: duration, dns: z.strictObject({ records: z.array(z.string()).describe('zone-file lines replacing every record') }) }),
  calls: z.strictObject({
    at: duration,
    calls: z.strictObject({
      from: hostName.describe('a fleet (each call from one of its phones, chosen uniformly at random) or one phone'),
      rate: callRate,
      for: positiveDuration.describe('how long arrivals go on from `at`'),
      to: z.union([z.string(), z.number()]).transform(String),
      duration: duration.optional().describe('answered call length before the caller hangs up (default 30s)'),
      account: z.number().int().min(1).max(16).optional().describe('the account that calls (default 1)'),
    }),
  }),
} as const;

export type EventAction = keyof typeof eventSchemas;
export const EVENT_ACTIONS = Object.keys(eventSchemas) as EventAction[];

const sendsMatcher = z.strictObject({
  from: hostName,
  to: hostName,
  method: z.string().optional(),
  status: z.number().int().min(100).max(699).optional(),
});
const callMatcher = z.strictObject({
  from: hostName,
  to: z.union([z.string(), z.number()]).transform(String).optional(),
  outcome: z.enum(['answered', 'failed', 'busy']).optional(),
  via: hostName.optional(),
});
/** A share of a fleet: "99%" or a fraction 0..1. */
export const share = z
  .union([z.number(), z.string()], { error: 'expected a share of the fleet: "99%" or a fraction from 0 to 1' })
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\d+(\.\d+)?%$/.test(v.trim()) ? Number(v.trim().slice(0, -1)) / 100 : NaN;
    if (!(n > 0 && n <= 1)) {
      ctx.addIssue({ code: 'custom', message: `expected a share of the fleet: "99%" or a fraction above 0 and at most 1, found ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  })
  .describe('A share of the fleet\'s phones: "99%" or a fraction 0..1.');

// One phone (phone:) or a share of a fleet (fleet: + share:); which is checked when the expectation is built.
const registeredMatcher = z.strictObject({
  phone: hostName.optional(),
  fleet: z.string({ error: 'expected a fleet name defined under fleets:' }).optional(),
  on: hostName.describe('a server name (with fleet:, also `any`: registered on any server)'),
  account: z.number().int().min(1).max(16).optional().describe('only this account (default: any)'),
  share: share.optional().describe('with fleet: the share of its phones (default 100%)'),
});
const incomingMatcher = z.strictObject({ phone: hostName, outcome: z.enum(['answered', 'failed', 'busy']).optional(), via: hostName.optional() });
const featureMatcher = z.strictObject({
  phone: hostName,
  name: z.enum(['mwi', 'shared-line', 'reg'], { error: 'expected mwi, shared-line or reg' }),
  available: z.boolean({ error: 'expected true or false' }),
});

/** Matchers: what an expectation looks for in the trace. */
export const matcherSchemas = { sends: sendsMatcher, call: callMatcher, registered: registeredMatcher, feature: featureMatcher, incoming: incomingMatcher } as const;
export type MatcherKind = keyof typeof matcherSchemas;
export const MATCHER_KINDS = Object.keys(matcherSchemas) as MatcherKind[];

const bound = (what: z.ZodType) => z.strictObject({ min: what.optional(), max: what.optional() }, { error: 'expected a bound: { max: … } and/or { min: … }' });
const count = z.number({ error: 'expected a count (a number)' }).min(0);
const distributionBound = z.strictObject(
  { p50: bound(duration).optional(), p95: bound(duration).optional(), p99: bound(duration).optional(), max: bound(duration).optional(), mean: bound(duration).optional() },
  { error: 'expected a statistic: { p50|p95|p99|max|mean: { max: 45s } }' },
);

/**
 * `{ metric: { fleet: office, gap: { p95: { max: 45s } } } }`, `{ metric: { server: sip1, shed: { max: 100 } } }`:
 * bounds on the run's metrics, judged once at the end (no timing).
 */
export const metricExpectationSchema = z.strictObject({
  metric: z.strictObject({
    fleet: z.string().optional().describe('a fleet name: gap, setup or failed'),
    server: hostName.optional().describe('a server name: shed, queue or rate'),
    gap: distributionBound.optional().describe('unregistered gaps after a first registration (open gaps run to the end)'),
    setup: distributionBound.optional().describe('outgoing call setup times'),
    failed: bound(count).optional().describe('failed outgoing calls'),
    shed: bound(count).optional().describe('requests shed by capacity (503 or dropped) over the run'),
    queue: bound(count).optional().describe('the longest queue'),
    rate: bound(count).optional().describe('the most requests arriving in one second'),
  }, { error: 'expected { fleet: NAME, gap|setup|failed: … } or { server: NAME, shed|queue|rate: … }' }),
});

/** Timing forms: exactly one of at / by / during / never. */
export const timingSchemas = {
  at: { at: duration, tolerance: duration.optional() },
  by: { by: duration, after: duration.optional().describe('only events at or after this instant count (e.g. a failback after the outage)') },
  during: { during: z.tuple([duration, duration], { error: 'expected [from, to], e.g. [2m, 5m]' }) },
  never: { never: z.union([z.literal(true), z.tuple([duration, duration])], { error: 'expected true or a window [from, to]' }) },
} as const;
export type TimingKind = keyof typeof timingSchemas;
export const TIMING_KINDS = Object.keys(timingSchemas) as TimingKind[];

export function expectationSchema(timing: TimingKind, matcher: MatcherKind) {
  return z.strictObject({ ...timingSchemas[timing], [matcher]: matcherSchemas[matcher] } as Record<string, z.ZodType>);
}

/** Top level, with events and expectations checked separately (items typed `unknown` here). */
export const scenarioSchema = z.strictObject({
  name: z.string({ error: 'expected the scenario name (text)' }),
  description: z.string().optional(),
  seed: z.number({ error: 'expected an integer seed' }).int().optional(),
  duration: positiveDuration,
  maxEvents: z.number().int().positive().optional().describe('Event guard: the run stops with exit 2 after this many events (default: 100 per host per simulated second, at least 1,000,000).'),
  model: modelSchema.optional(),
  phones: z.record(z.string(), phoneSchema, { error: 'expected a map of phone name → { address, config }' }).optional(),
  fleets: z
    .record(z.string(), fleetSchema, { error: 'expected a map of fleet name → { count, addresses, config, settings }' })
    .optional()
    .describe('Many phones declared once; fleet office\'s phones are office[1] … office[count].'),
  servers: z.record(z.string(), serverSchema, { error: 'expected a map of server name → { address }' }).optional(),
  dns: dnsSchema.optional(),
  network: networkSchema.optional(),
  events: z.array(z.unknown(), { error: 'expected a list of events' }).optional(),
  expect: z.array(z.unknown(), { error: 'expected a list of expectations' }).optional(),
});

/** The full format as JSON Schema (events and expectations as unions), for editors. */
export function scenarioJsonSchema(): unknown {
  const events = z.union(Object.values(eventSchemas) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const expectations = z.union([
    ...TIMING_KINDS.flatMap((t) => MATCHER_KINDS.map((m) => expectationSchema(t, m))),
    metricExpectationSchema,
  ] as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const full = scenarioSchema.extend({ events: z.array(events).optional(), expect: z.array(expectations).optional() });
  return z.toJSONSchema(full, { io: 'input', unrepresentable: 'any' });
}
