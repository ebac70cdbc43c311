import { InputError } from '../core/input-error.js';
import type { CfgEntry } from '../phone/cfg-file.js';
import { configTemplate, derivePhoneConfig } from '../phone/derive-config.js';
import type { CfgRules } from '../phone/options/dns.js';
import { readConfigs } from './config-sources.js';
import {
  FleetSpec, fillTemplate, fleetPhoneName, intToIp, ipToInt, isTemplated, MAX_IPV4, parseTemplate, SettingTemplate,
} from './fleet.js';
import type { PhoneSpec } from './scenario.js';
import { formatPath, YamlLocator, YamlPath } from './yaml-locator.js';

export interface FleetInput {
  count: number;
  addresses: string;
  config?: string | string[] | undefined;
  settings?: Record<string, string | number> | undefined;
}

export interface FleetContext {
  file: string;
  at: YamlLocator;
  /** Every phone, server and DNS host name so far. */
  hosts: Set<string>;
  /** Address → host name of every phone, server and DNS host so far (fleet phones are not added: ranges stand for them). */
  addresses: Map<string, string>;
  cfgCache: Map<string, Map<string, CfgEntry>>;
  /** How .cfg files are read (AMB-27/28 model options of the scenario and the command line). */
  rules: CfgRules;
}

/**
 * Builds the fleets' phones, appended to `phones` in fleet order, and returns their metadata.
 * Linear in the number of phones: no YAML node per phone, one shared config build per fleet,
 * address overlaps checked on ranges (hosts × fleets + fleets·log fleets, never phones²).
 */
export function buildFleets(fleets: Record<string, FleetInput>, phones: PhoneSpec[], ctx: FleetContext): FleetSpec[] {
  const { file, at } = ctx;
  const out: FleetSpec[] = [];
  const ranges: { first: number; last: number; name: string }[] = [];
  for (const [name, spec] of Object.entries(fleets)) {
    const path: YamlPath = ['fleets', name];
    const key = formatPath(path);
    if (ctx.hosts.has(name)) throw new InputError(file, at.line(path), key, `the name "${name}" is already used by a phone or server (a fleet's name prefixes its phones' names: ${name}[1], ${name}[2]…)`);
    if (name in Object.prototype) throw new InputError(file, at.line(path), key, `"${name}" cannot name a fleet: it is a built-in JavaScript property name; choose another name`);
    if (!/^[^\s[\]]+$/.test(name)) throw new InputError(file, at.line(path), key, `a fleet name cannot contain spaces or brackets: its phones are named ${name}[1], ${name}[2]…`);
    for (const host of ctx.hosts) {
      if (host.startsWith(`${name}[`)) throw new InputError(file, at.line(path), key, `the phone "${host}" has a name of this fleet's form ${name}[N]: rename one of them`);
    }

    const first = ipToInt(spec.addresses);
    const last = first + spec.count - 1;
    const addrPath: YamlPath = [...path, 'addresses'];
    if (last > MAX_IPV4) {
      throw new InputError(file, at.line(addrPath), formatPath(addrPath), `${spec.count} consecutive addresses from ${spec.addresses} run past 255.255.255.255 (the last would be address number ${last - MAX_IPV4} beyond it): start lower or use fewer phones`);
    }
    const span = `${spec.addresses}–${intToIp(last)}`;
    for (const [address, owner] of ctx.addresses) {
      const n = ipToInt(address);
      if (n >= first && n <= last) throw new InputError(file, at.line(addrPath), formatPath(addrPath), `the fleet's addresses ${span} include ${address}, the address of ${owner}`);
    }
    ranges.push({ first, last, name });

    const sources = readConfigs(spec.config, path, file, at, ctx.cfgCache).map((s) => s.entries);
    const { fixed, templated, templates } = splitSettings(spec.settings, path, file, at);
    const template = configTemplate([...sources, fixed], templated, ctx.rules);
    const offset = phones.length;
    const values: string[] = new Array(templates.length);
    for (let i = 1; i <= spec.count; i++) {
      const phone = fleetPhoneName(name, i);
      for (let k = 0; k < templates.length; k++) values[k] = fillTemplate(templates[k]!, i);
      let config;
      try {
        config = derivePhoneConfig(template, templates.length > 0 ? values.slice() : values);
      } catch (e) {
        if (e instanceof InputError) throw new InputError(e.file, e.line, e.key, `${e.problem} (phone ${phone})`);
        throw e;
      }
      phones.push({ name: phone, address: intToIp(first + i - 1), config, fleet: name });
    }
    out.push({ name, count: spec.count, firstAddress: spec.addresses, lastAddress: intToIp(last), line: at.line(path), offset });
  }
  // Fleets against each other: sorted by first address, each must end before the next begins.
  ranges.sort((a, b) => a.first - b.first);
  for (let k = 1; k < ranges.length; k++) {
    const [a, b] = [ranges[k - 1]!, ranges[k]!];
    if (b.first <= a.last) {
      const addrPath: YamlPath = ['fleets', b.name, 'addresses'];
      throw new InputError(file, at.line(addrPath), formatPath(addrPath), `the fleet's addresses ${intToIp(b.first)}–${intToIp(b.last)} overlap fleet ${a.name}'s ${intToIp(a.first)}–${intToIp(a.last)}`);
    }
  }
  return out;
}

/** Settings without {i} go into the shared build; templated ones are filled per phone. */
function splitSettings(settings: Record<string, string | number> | undefined, owner: YamlPath, file: string, at: YamlLocator) {
  const fixed = new Map<string, CfgEntry>();
  const templated: { key: string; file: string; line: number }[] = [];
  const templates: SettingTemplate[] = [];
  for (const [key, raw] of Object.entries(settings ?? {})) {
    const value = String(raw);
    const line = at.line([...owner, 'settings'], key);
    const t = parseTemplate(value);
    if ('problem' in t) throw new InputError(file, line, `${formatPath([...owner, 'settings'])}.${key}`, t.problem);
    if (isTemplated(t)) {
      templated.push({ key, file, line });
      templates.push(t);
    } else fixed.set(key, { key, value, file, line });
  }
  return { fixed, templated, templates };
}
