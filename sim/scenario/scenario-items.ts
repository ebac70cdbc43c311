import { InputError } from '../core/input-error.js';
import { didYouMean } from '../core/suggest.js';
import type { LinkParams } from '../net/link-table.js';
import { FleetSpec, fleetPhoneName, parseMemberName } from './fleet.js';
import type { Expectation, Matcher, MetricStat, ScenarioAction, Timing } from './scenario.js';
import type { EventAction, MatcherKind, TimingKind } from './schema.js';
import { formatPath, YamlLocator, YamlPath } from './yaml-locator.js';

type Parsed = Record<string, any>;

export interface NameContext {
  phones: Set<string>;
  servers: Set<string>;
  hosts: Set<string>;
  /** Fleets by name: their phones name[1..count] are hosts (and phones) too, without being listed one by one. */
  fleets: ReadonlyMap<string, FleetSpec>;
  file: string;
  at: YamlLocator;
}

/**
 * Checks that names refer to hosts defined in the scenario ("phone" = must be a phone); a fleet's
 * phones (office[17]) count as phones; `wholeFleet` also accepts a fleet's name for all of them.
 */
export function checkHosts(list: string[], path: YamlPath, ctx: NameContext, role: 'host' | 'phone' | 'server' = 'host', wholeFleet = false): void {
  list.forEach((name, i) => {
    const problem = nameProblem(name, role, wholeFleet, ctx);
    if (problem === undefined) return;
    const p = list.length > 1 ? [...path, i] : path;
    throw new InputError(ctx.file, ctx.at.line(p), formatPath(path), problem);
  });
}

/**
 * A pair of hosts (link, partition, heal): either side may be a whole fleet, which applies the
 * change to each of its phones paired with the other side — O(phones), so not both sides.
 */
export function checkPair(pair: [string, string], path: YamlPath, ctx: NameContext): void {
  checkHosts(pair, path, ctx, 'host', true);
  if (ctx.fleets.has(pair[0]) && ctx.fleets.has(pair[1])) {
    throw new InputError(ctx.file, ctx.at.line(path), formatPath(path), `both sides are fleets (${pair[0]}, ${pair[1]}): at most one side may be a whole fleet; name a host or one phone (${pair[1]}[1]) on the other`);
  }
}

function nameProblem(name: string, role: 'host' | 'phone' | 'server', wholeFleet: boolean, ctx: NameContext): string | undefined {
  const known = role === 'phone' ? ctx.phones : role === 'server' ? ctx.servers : ctx.hosts;
  if (known.has(name)) return undefined;
  const member = parseMemberName(name);
  if (role !== 'server') {
    const fleet = ctx.fleets.get(name);
    if (fleet) return wholeFleet ? undefined : `"${name}" is a fleet, and this takes one ${role}: name one of its phones, ${name}[1] … ${name}[${fleet.count}]`;
    const of = member && ctx.fleets.get(member.fleet);
    if (member && of) {
      if (member.index >= 1 && member.index <= of.count) {
        return member.canonical ? undefined : `write the phone's index without leading zeros: ${member.fleet}[${member.index}]`;
      }
      return `fleet ${of.name} has phones ${of.name}[1] … ${of.name}[${of.count}]: "${name}" is outside that range`;
    }
  }
  const fleets = role === 'server' ? [] : [...ctx.fleets.values()];
  const choices = [...known, ...fleets.map((f) => `${f.name}[1…${f.count}]${wholeFleet ? ` (or ${f.name})` : ''}`)].join(', ') || 'none defined';
  // A misspelled fleet phone (ofice[17]) is offered as the same index of the nearest fleet.
  const candidates = [...known, ...fleets.flatMap((f) => [...(wholeFleet ? [f.name] : []), ...(member ? [fleetPhoneName(f.name, member.index)] : [])])];
  return `unknown ${role} "${name}": expected one of ${choices}${didYouMean(name, candidates)}`;
}

/** Turns a validated event item into an action, checking the host names it refers to. */
export function buildAction(action: Exclude<EventAction, 'dns'>, p: Parsed, path: YamlPath, ctx: NameContext): ScenarioAction {
  switch (action) {
    case 'boot':
      checkHosts([p.boot], [...path, 'boot'], ctx, 'phone', true);
      return { type: 'boot', host: p.boot };
    case 'fail':
      checkHosts([p.fail], [...path, 'fail'], ctx);
      if ((p.mode === '503' || p.mode === 'slow') && !ctx.servers.has(p.fail)) {
        throw new InputError(ctx.file, ctx.at.line(path, 'mode'), `${formatPath(path)}.mode`, `mode ${p.mode} applies to SIP servers; ${p.fail} is not one (use silent or unreachable)`);
      }
      return { type: 'fail', host: p.fail, mode: p.mode, ...(p.retryAfter !== undefined ? { retryAfter: p.retryAfter } : {}), ...(p.delay !== undefined ? { delay: p.delay } : {}) };
    case 'recover':
      checkHosts([p.recover], [...path, 'recover'], ctx);
      return { type: 'recover', host: p.recover };
    case 'call':
      checkHosts([p.call.from], [...path, 'call', 'from'], ctx, 'phone');
      return {
        type: 'call', from: p.call.from, to: p.call.to,
        ...(p.call.duration !== undefined ? { duration: p.call.duration } : {}), ...(p.call.account !== undefined ? { account: p.call.account } : {}),
      };
    case 'incoming':
      checkHosts([p.incoming.to], [...path, 'incoming', 'to'], ctx, 'phone');
      checkHosts([p.incoming.via], [...path, 'incoming', 'via'], ctx, 'server');
      return {
        type: 'incoming', to: p.incoming.to, via: p.incoming.via, from: p.incoming.from ?? '3000',
        ...(p.incoming.duration !== undefined ? { duration: p.incoming.duration } : {}), ...(p.incoming.account !== undefined ? { account: p.incoming.account } : {}),
      };
    case 'calls':
      checkHosts([p.calls.from], [...path, 'calls', 'from'], ctx, 'phone', true);
      return {
        type: 'calls', from: p.calls.from, rate: p.calls.rate, for: p.calls.for, to: p.calls.to,
        ...(p.calls.duration !== undefined ? { duration: p.calls.duration } : {}), ...(p.calls.account !== undefined ? { account: p.calls.account } : {}),
        // Named by load-scenario.ts, which sees every calls: event.
        stream: '',
      };
    case 'link': {
      checkPair(p.link.between, [...path, 'link', 'between'], ctx);
      const change: Partial<LinkParams> = {};
      for (const k of ['delay', 'jitter', 'loss'] as const) if (p.link[k] !== undefined) change[k] = p.link[k];
      return { type: 'link', between: p.link.between, change };
    }
    case 'partition':
      checkPair(p.partition, [...path, 'partition'], ctx);
      return { type: 'partition', between: p.partition };
    case 'heal':
      checkPair(p.heal, [...path, 'heal'], ctx);
      return { type: 'heal', between: p.heal };
  }
}

/** Turns a validated expectation item into timing + matcher, checking host names. */
export function buildExpectation(
  timingKind: TimingKind, matcherKind: MatcherKind, p: Parsed, path: YamlPath, ctx: NameContext, sourceLine: string,
): Expectation {
  const timing = buildTiming(timingKind, p, path, ctx);
  const m = p[matcherKind];
  const mpath = [...path, matcherKind];
  let matcher: Matcher;
  switch (matcherKind) {
    case 'sends':
      checkHosts([m.from], [...mpath, 'from'], ctx);
      checkHosts([m.to], [...mpath, 'to'], ctx);
      if (m.method !== undefined && m.status !== undefined) {
        throw new InputError(ctx.file, ctx.at.line(mpath), formatPath(mpath), 'expected either method (a request) or status (a response), not both');
      }
      matcher = { kind: 'sends', from: m.from, to: m.to, ...(m.method !== undefined ? { method: m.method } : {}), ...(m.status !== undefined ? { status: m.status } : {}) };
      break;
    case 'call':
      checkHosts([m.from], [...mpath, 'from'], ctx, 'phone');
      if (m.via !== undefined) checkHosts([m.via], [...mpath, 'via'], ctx);
      matcher = { kind: 'call', from: m.from, ...(m.to !== undefined ? { to: m.to } : {}), ...(m.outcome !== undefined ? { outcome: m.outcome } : {}), ...(m.via !== undefined ? { via: m.via } : {}) };
      break;
    case 'registered':
      matcher = registeredMatcher(m, mpath, ctx);
      break;
    case 'incoming':
      checkHosts([m.phone], [...mpath, 'phone'], ctx, 'phone');
      if (m.via !== undefined) checkHosts([m.via], [...mpath, 'via'], ctx);
      matcher = { kind: 'incoming', phone: m.phone, ...(m.outcome !== undefined ? { outcome: m.outcome } : {}), ...(m.via !== undefined ? { via: m.via } : {}) };
      break;
    case 'feature':
      checkHosts([m.phone], [...mpath, 'phone'], ctx, 'phone');
      matcher = { kind: 'feature', phone: m.phone, name: m.name, available: m.available };
      break;
  }
  return { line: ctx.at.line(path), text: sourceLine.trim().replace(/^-\s*/, ''), timing, matcher };
}

/** `registered: { phone, on }` (one phone) or `registered: { fleet, on, share }` (the instant a share of a fleet is). */
function registeredMatcher(m: Parsed, mpath: YamlPath, ctx: NameContext): Matcher {
  const where = (key?: string): [number, string] => [ctx.at.line(mpath, key), formatPath(key ? [...mpath, key] : mpath)];
  if ((m.phone === undefined) === (m.fleet === undefined)) {
    throw new InputError(ctx.file, ...where(), 'expected either phone: (one phone) or fleet: (a share of a fleet), not both or neither');
  }
  if (m.fleet !== undefined) {
    if (!ctx.fleets.has(m.fleet)) {
      throw new InputError(ctx.file, ...where('fleet'), `expected a fleet defined under fleets:, found '${m.fleet}'${didYouMean(m.fleet, [...ctx.fleets.keys()])}`);
    }
    if (m.account !== undefined) throw new InputError(ctx.file, ...where('account'), 'account: applies to one phone; a fleet share counts phones registered on any account');
    if (m.on !== 'any') checkHosts([m.on], [...mpath, 'on'], ctx, 'server');
    return { kind: 'fleet-registered', fleet: m.fleet, on: m.on, share: m.share ?? 1 };
  }
  if (m.share !== undefined) throw new InputError(ctx.file, ...where('share'), 'share: applies to a fleet (fleet: NAME), not to one phone');
  checkHosts([m.phone], [...mpath, 'phone'], ctx, 'phone');
  checkHosts([m.on], [...mpath, 'on'], ctx);
  return { kind: 'registered', phone: m.phone, on: m.on, ...(m.account !== undefined ? { account: m.account } : {}) };
}

const FLEET_MEASURES = ['gap', 'setup', 'failed'] as const;
const SERVER_MEASURES = ['shed', 'queue', 'rate'] as const;

/** `{ metric: { fleet, gap: { p95: { max: 45s } } } }` or `{ metric: { server, shed: { max: 100 } } }`: one bound. */
export function buildMetricExpectation(p: Parsed, path: YamlPath, ctx: NameContext, sourceLine: string): Expectation {
  const m = p.metric;
  const mpath = [...path, 'metric'];
  const fail = (key: string | undefined, problem: string): never => {
    throw new InputError(ctx.file, ctx.at.line(mpath, key), formatPath(key ? [...mpath, key] : mpath), problem);
  };
  if ((m.fleet === undefined) === (m.server === undefined)) fail(undefined, 'expected either fleet: NAME (gap, setup, failed) or server: NAME (shed, queue, rate)');
  const allowed: readonly string[] = m.fleet !== undefined ? FLEET_MEASURES : SERVER_MEASURES;
  const given = [...FLEET_MEASURES, ...SERVER_MEASURES].filter((k) => m[k] !== undefined);
  if (given.length !== 1) fail(undefined, `expected exactly one measure: ${allowed.join(', ')}${given.length ? ` (found ${given.join(', ')})` : ''}`);
  const measure = given[0]!;
  if (!allowed.includes(measure)) fail(measure, `${measure} is a ${m.fleet !== undefined ? 'server' : 'fleet'} measure; with ${m.fleet !== undefined ? 'fleet:' : 'server:'} use ${allowed.join(', ')}`);
  if (m.fleet !== undefined && !ctx.fleets.has(m.fleet)) fail('fleet', `expected a fleet defined under fleets:, found '${m.fleet}'${didYouMean(m.fleet, [...ctx.fleets.keys()])}`);
  if (m.server !== undefined) checkHosts([m.server], [...mpath, 'server'], ctx, 'server');
  let stat: MetricStat | undefined;
  let b = m[measure] as { min?: number; max?: number };
  if (measure === 'gap' || measure === 'setup') {
    const stats = Object.keys(m[measure]) as MetricStat[];
    if (stats.length !== 1) fail(measure, 'expected one statistic: { p50|p95|p99|max|mean: { max: … } }');
    stat = stats[0]!;
    b = m[measure][stat];
  }
  if (b.min === undefined && b.max === undefined) fail(measure, 'expected a bound: { max: … } and/or { min: … }');
  const matcher: Matcher = {
    kind: 'metric', measure,
    ...(m.fleet !== undefined ? { fleet: m.fleet } : { server: m.server }),
    ...(stat !== undefined ? { stat } : {}),
    ...(b.min !== undefined ? { min: b.min } : {}),
    ...(b.max !== undefined ? { max: b.max } : {}),
  };
  return { line: ctx.at.line(path), text: sourceLine.trim().replace(/^-\s*/, ''), timing: { kind: 'run' }, matcher };
}

function buildTiming(kind: TimingKind, p: Parsed, path: YamlPath, ctx: NameContext): Timing {
  switch (kind) {
    case 'at':
      return { kind: 'at', at: p.at, tolerance: p.tolerance ?? 0 };
    case 'by':
      if (p.after !== undefined && p.after > p.by) throw new InputError(ctx.file, ctx.at.line(path, 'after'), `${formatPath(path)}.after`, 'expected an instant at or before `by`');
      return { kind: 'by', by: p.by, after: p.after ?? 0 };
    case 'during': {
      const [from, to] = p.during as [number, number];
      if (to < from) throw new InputError(ctx.file, ctx.at.line(path, 'during'), `${formatPath(path)}.during`, 'expected [from, to] with from ≤ to');
      return { kind: 'during', from, to };
    }
    case 'never':
      if (p.never !== true && p.never[1] < p.never[0]) throw new InputError(ctx.file, ctx.at.line(path, 'never'), `${formatPath(path)}.never`, 'expected [from, to] with from ≤ to');
      return p.never === true ? { kind: 'never', from: 0, to: null } : { kind: 'never', from: p.never[0], to: p.never[1] };
  }
}
