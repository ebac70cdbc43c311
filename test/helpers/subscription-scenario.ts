import * as fs from 'node:fs';
import * as path from 'node:path';
import { payloadText, type TraceEvent } from '../../sim/core/trace.js';
import type { ModelOptions } from '../../sim/phone/model-options.js';
import { loadScenario } from '../../sim/scenario/load-scenario.js';
import { runRecorded } from '../../sim/scenario/run-scenario.js';
import { repoRoot } from './run-cli.js';

/**
 * The subscription scenario (fact sheet B11, AMB-36, subscribe_register): hank registers with
 * sip1 and subscribes (features set in `settings`) at 0.08 s (200 OK at 0.09 s, granted 3600 s, so the
 * refresh falls due at 0.1 s + 90 % of 3600 s = 54m0.1s). sip1 goes silent at 1m; the renewal at
 * 4m30.08s fails over and hank is registered with sip2 (another IP) at 4m37.66s. Failback mode 3
 * with failback_timeout 0 keeps it there for the rest of the hour.
 */
const phones = path.join(repoRoot, 'scenarios/phones');
export const subscriptionScenario = (settings: string, extra = '', mode = 3): string => `name: B11 / AMB-36
seed: 1
duration: 1h
phones:
  hank:
    address: 10.0.0.17
    config: [${phones}/common.cfg, ${phones}/hank-failover.cfg]
    settings: { account.1.sip_server.1.failback_mode: ${mode}, account.1.sip_server.1.failback_timeout: 0${settings} }
dns:
  server: 10.0.0.53
  records:
    - "_sip._udp.pbx.example.com. 120 IN SRV 10 50 5060 sip1.pbx.example.com."
    - "_sip._udp.pbx.example.com. 120 IN SRV 20 50 5060 sip2.pbx.example.com."
    - "sip1.pbx.example.com. 120 IN A 10.0.0.1"
    - "sip2.pbx.example.com. 120 IN A 10.0.0.2"
servers:
  sip1: { address: 10.0.0.1 }
  sip2: { address: 10.0.0.2 }
network:
  default: { delay: 10ms }
events:
  - { at: 0s, boot: hank }
  - { at: 1m, fail: sip1, mode: silent }
${extra}`;

/** First sends of SUBSCRIBE (one per CSeq: no retransmissions), of one event package if given: [seconds, server]. */
export const subscribes = (r: readonly TraceEvent[], event?: string): [number, string][] => {
  const seen = new Set<string>();
  return r.flatMap((e) => {
    if (e.kind !== 'net.send' || !e.label.startsWith('SUBSCRIBE')) return [];
    const text = payloadText(e);
    if (event !== undefined && !new RegExp(`^Event: ${event}\r?$`, 'm').test(text)) return [];
    const cseq = /CSeq: (\d+)/.exec(text)?.[1] ?? '';
    if (seen.has(cseq)) return [];
    seen.add(cseq);
    return [[e.t / 1e6, e.to] as [number, string]];
  });
};
export const features = (r: readonly TraceEvent[], feature?: string): [number, boolean, string | null][] =>
  r.flatMap((e) => (e.kind === 'phone.feature' && (feature === undefined || e.feature === feature) ? [[e.t / 1e6, e.available, e.server] as [number, boolean, string | null]] : []));
export const steps = (r: readonly TraceEvent[]): [number, string, string][] =>
  r.flatMap((e) => (e.kind === 'phone.subscription' ? [[e.t / 1e6, e.action, e.server] as [number, string, string]] : []));


/** Writes the scenario with `settings` (", key: value" pairs) into `dir` and runs it. */
export function runSubscriptionScenario(dir: string, settings: string, model: Partial<ModelOptions> = {}, extra = '', mode = 3, edit = (yaml: string) => yaml): readonly TraceEvent[] {
  const f = path.join(dir, `s${fs.readdirSync(dir).length}.yaml`);
  fs.writeFileSync(f, edit(subscriptionScenario(settings, extra, mode)));
  return runRecorded(loadScenario(f), { model }).records;
}

export const working = (r: readonly TraceEvent[]): [number, string | null][] =>
  r.flatMap((e) => (e.kind === 'phone.working-server' ? [[e.t / 1e6, e.server] as [number, string | null]] : []));
