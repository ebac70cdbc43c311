import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './run-cli.js';

export interface FleetOptions {
  /** Repeat the first phone's key as one more phone at the end of `phones:` (a duplicate map key). */
  duplicateAtEnd?: boolean;
}

export interface Fleet {
  file: string;
  /** 1-based line of the duplicated key, when duplicateAtEnd. */
  duplicateLine?: number;
}

/** The bundled Alice's account, shared by every phone of the fleet (the servers are sip1 and sip2). */
const FLEET_CFG = `#!version:1.0.0.1
# One <MAC>.cfg shared by the whole fleet: account 1 on sip1, falling back to sip2, over UDP.
account.1.enable = 1
account.1.user_name = 1001
account.1.auth_name = 1001
account.1.display_name = Fleet
account.1.sip_server.1.address = 10.0.0.1
account.1.sip_server.1.port = 5060
account.1.sip_server.1.transport_type = 0
account.1.sip_server.1.expires = 3600
account.1.sip_server.1.retry_counts = 3
account.1.sip_server.2.address = 10.0.0.2
account.1.sip_server.2.port = 5060
account.1.sip_server.2.transport_type = 0
account.1.sip_server.2.expires = 3600
account.1.sip_server.2.retry_counts = 3
`;

/** Phone i's address: 10.1.x.y for the first 62,500 phones, then 10.2.x.y, … (no .0 host part). */
export function fleetAddress(i: number): string {
  return `10.${1 + Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`;
}

/**
 * Writes dir/fleet.yaml: `phones` phones p0…p(n-1) sharing phones/common.cfg and phones/fleet.cfg,
 * servers sip1 and sip2, a boot event and a registration expectation per phone. The file is
 * written out in full (no anchors), as a provisioning export would be.
 */
export function writeFleetScenario(dir: string, phones: number, options: FleetOptions = {}): Fleet {
  mkdirSync(join(dir, 'phones'), { recursive: true });
  copyFileSync(join(repoRoot, 'scenarios', 'phones', 'common.cfg'), join(dir, 'phones', 'common.cfg'));
  writeFileSync(join(dir, 'phones', 'fleet.cfg'), FLEET_CFG);
  const out: string[] = [
    `name: A fleet of ${phones} phones`,
    'seed: 1',
    'duration: 5m',
    'phones:',
  ];
  for (let i = 0; i < phones; i++) {
    out.push(`  p${i}: { address: ${fleetAddress(i)}, config: [phones/common.cfg, phones/fleet.cfg] }`);
  }
  let duplicateLine: number | undefined;
  if (options.duplicateAtEnd) {
    out.push(`  p0: { address: ${fleetAddress(phones)}, config: [phones/common.cfg, phones/fleet.cfg] }`);
    duplicateLine = out.length;
  }
  out.push('servers:', '  sip1: { address: 10.0.0.1 }', '  sip2: { address: 10.0.0.2 }', 'events:');
  for (let i = 0; i < phones; i++) out.push(`  - { at: ${i % 60}s, boot: p${i} }`);
  out.push('expect:');
  for (let i = 0; i < phones; i++) out.push(`  - { by: 2m, registered: { phone: p${i}, on: sip1 } }`);
  const file = join(dir, 'fleet.yaml');
  writeFileSync(file, out.join('\n') + '\n');
  return { file, ...(duplicateLine !== undefined ? { duplicateLine } : {}) };
}

export interface CompactFleetOptions {
  /** The first address (default 10.1.0.1). */
  addresses?: string;
  /** The fleet's settings: lines (default: account 1's user name from the index, "2{i:05}"). */
  settings?: Record<string, string>;
  /** Extra YAML lines appended under `events:` after the fleet's boot. */
  events?: string[];
  /** YAML lines under `expect:` (default: phone office[count] registers on sip1 by 2m). */
  expect?: string[];
  duration?: string;
}

/**
 * Writes dir/office.yaml: the same fleet as writeFleetScenario, in the compact form — one
 * `fleets: office` entry of `count` phones sharing phones/common.cfg and phones/fleet.cfg,
 * servers sip1 and sip2, one boot event for the whole fleet.
 */
export function writeCompactFleetScenario(dir: string, count: number, options: CompactFleetOptions = {}): string {
  mkdirSync(join(dir, 'phones'), { recursive: true });
  copyFileSync(join(repoRoot, 'scenarios', 'phones', 'common.cfg'), join(dir, 'phones', 'common.cfg'));
  writeFileSync(join(dir, 'phones', 'fleet.cfg'), FLEET_CFG);
  const settings = options.settings ?? { 'account.1.user_name': '2{i:05}' };
  const out: string[] = [
    `name: A fleet of ${count} phones, declared compactly`,
    'seed: 1',
    `duration: ${options.duration ?? '5m'}`,
    'fleets:',
    '  office:',
    `    count: ${count}`,
    `    addresses: ${options.addresses ?? '10.1.0.1'}`,
    '    config: [phones/common.cfg, phones/fleet.cfg]',
    ...(Object.keys(settings).length > 0 ? ['    settings:', ...Object.entries(settings).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`)] : []),
    'servers:',
    '  sip1: { address: 10.0.0.1 }',
    '  sip2: { address: 10.0.0.2 }',
    'events:',
    '  - { at: 0s, boot: office }',
    ...(options.events ?? []).map((e) => `  - ${e}`),
    'expect:',
    ...(options.expect ?? [`  - { by: 2m, registered: { phone: "office[${count}]", on: sip1 } }`]),
  ];
  const file = join(dir, 'office.yaml');
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}
