import { InputError } from '../core/input-error.js';
import type { Micros } from '../core/clock.js';
import type { ServerCapacity } from '../server/capacity-queue.js';
import type { YamlLocator } from './yaml-locator.js';

/** A `capacity:` map as the schema validated it (rate already an exact ratio). */
export interface ParsedCapacity {
  rate: { count: number; period: Micros };
  queue?: number | undefined;
  overload?: '503' | 'drop' | undefined;
  retryAfter?: Micros | undefined;
}

/**
 * Checks what the schema cannot see alone — overload settings only mean something when a
 * queue limit makes the server shed, and Retry-After only travels on a 503 — and fills the
 * default overload action ("503").
 */
export function serverCapacity(c: ParsedCapacity, server: string, file: string, at: YamlLocator): ServerCapacity {
  const path = ['servers', server, 'capacity'];
  const refuse = (key: string, problem: string): never => {
    throw new InputError(file, at.line(path, key), `servers.${server}.capacity.${key}`, problem);
  };
  if (c.queue === undefined) {
    if (c.overload !== undefined) refuse('overload', 'applies only with a queue limit (queue: N): without one nothing is ever shed');
    if (c.retryAfter !== undefined) refuse('retryAfter', 'applies only with a queue limit (queue: N): without one nothing is ever shed');
  }
  const overload = c.overload ?? '503';
  if (overload === 'drop' && c.retryAfter !== undefined) refuse('retryAfter', 'goes with overload "503" (a dropped request gets no answer to carry it)');
  return {
    count: c.rate.count,
    period: c.rate.period,
    ...(c.queue !== undefined ? { queue: c.queue } : {}),
    overload,
    ...(c.retryAfter !== undefined ? { retryAfter: c.retryAfter } : {}),
  };
}
