import { InputError } from '../core/input-error.js';
import type { LinkParams } from '../net/link-table.js';
import type { Expectation, Matcher, ScenarioAction, Timing } from './scenario.js';
import type { EventAction, MatcherKind, TimingKind } from './schema.js';
import { formatPath, YamlLocator, YamlPath } from './yaml-locator.js';

type Parsed = Record<string, any>;

export interface NameContext {
  phones: Set<string>;
  servers: Set<string>;
  hosts: Set<string>;
  file: string;
  at: YamlLocator;
}

/** Checks that names refer to hosts defined in the scenario ("phone" = must be a phone). */
export function checkHosts(list: string[], path: YamlPath, ctx: NameContext, role: 'host' | 'phone' | 'server' = 'host'): void {
  list.forEach((name, i) => {
    const known = role === 'phone' ? ctx.phones : role === 'server' ? ctx.servers : ctx.hosts;
    if (known.has(name)) return;
    const p = list.length > 1 ? [...path, i] : path;
    const choices = [...known].join(', ') || 'none defined';
    throw new InputError(ctx.file, ctx.at.line(p), formatPath(path), `unknown ${role} "${name}": expected one of ${choices}`);
  });
}


/** Turns a validated event item into an action, checking the host names it refers to. */
export function buildAction(action: Exclude<EventAction, 'dns'>, p: Parsed, path: YamlPath, ctx: NameContext): ScenarioAction {
  switch (action) {
    case 'boot':
      checkHosts([p.boot], [...path, 'boot'], ctx, 'phone');
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
    case 'link': {
      checkHosts(p.link.between, [...path, 'link', 'between'], ctx);
      const change: Partial<LinkParams> = {};
      for (const k of ['delay', 'jitter', 'loss'] as const) if (p.link[k] !== undefined) change[k] = p.link[k];
      return { type: 'link', between: p.link.between, change };
    }
    case 'partition':
      checkHosts(p.partition, [...path, 'partition'], ctx);
      return { type: 'partition', between: p.partition };
    case 'heal':
      checkHosts(p.heal, [...path, 'heal'], ctx);
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
      checkHosts([m.phone], [...mpath, 'phone'], ctx, 'phone');
      checkHosts([m.on], [...mpath, 'on'], ctx);
      matcher = { kind: 'registered', phone: m.phone, on: m.on, ...(m.account !== undefined ? { account: m.account } : {}) };
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
