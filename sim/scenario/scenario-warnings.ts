import { isIPv4 } from 'node:net';
import { formatDuration } from '../core/time.js';
import type { Warning } from '../core/warning.js';
import { DnsRecord, normalizeName } from '../dns/records.js';
import { FleetSpec, ipToInt, parseMemberName } from './fleet.js';
import type { PhoneSpec, ScenarioEvent } from './scenario.js';

/**
 * Misconfigurations that are valid input but almost surely not what the user meant: each would
 * otherwise show up only as a puzzling run (a phone that never registers, a call "failed" for
 * no visible reason, a scenario that passes because it checks nothing).
 */
export interface WarningInput {
  file: string;
  phones: PhoneSpec[];
  fleets: FleetSpec[];
  /** Address → name of every phone of `phones:`, server and DNS server host (fleets hold ranges). */
  addresses: Map<string, string>;
  /** Whether the scenario has a dns: section (a DNS server the phones can ask). */
  hasDns: boolean;
  /** Every record the DNS servers ever hold: dns.records and each dns event's records. */
  zone: DnsRecord[];
  events: ScenarioEvent[];
  expectations: number;
  /** The line of `expect:` (or 1 when absent). */
  expectLine: number;
}

export function scenarioWarnings(input: WarningInput): Warning[] {
  const warnings: Warning[] = [];
  // Loops, not push(...list): a fleet of 100,000 phones would overflow the argument stack.
  // A fleet's phones share their servers: the same problem is one warning naming the fleet.
  const perFleet = new Map<string, { w: Warning; fleet: string; count: number }>();
  for (const phone of input.phones) {
    for (const w of addressWarnings(phone, input)) {
      if (phone.fleet === undefined) {
        warnings.push(w);
        continue;
      }
      const id = `${phone.fleet}\0${w.file}\0${w.line ?? ''}\0${w.message}`;
      const seen = perFleet.get(id);
      if (seen) seen.count++;
      else perFleet.set(id, { w, fleet: phone.fleet, count: 1 });
    }
  }
  for (const { w, fleet, count } of perFleet.values()) {
    const size = input.fleets.find((f) => f.name === fleet)?.count ?? count;
    warnings.push({ ...w, message: `${w.message} (${count === size ? `all ${count} phones of fleet ${fleet}` : `${count} of the ${size} phones of fleet ${fleet}`})` });
  }
  for (const w of bootWarnings(input)) warnings.push(w);
  if (input.expectations === 0) {
    warnings.push({ file: input.file, line: input.expectLine, message: 'the scenario has no expectations (expect:): it passes whatever happens' });
  }
  return warnings;
}

/** The addresses each account sends to: its outbound proxies when enabled (the servers then only name the domain), else its servers. */
function addressWarnings(phone: PhoneSpec, input: WarningInput): Warning[] {
  const out: Warning[] = [];
  const staticNames = new Set(phone.config.staticDns.map((r) => r.name));
  for (const account of phone.config.accounts) {
    const targets = account.proxies.length > 0
      ? account.proxies.map((p) => ({ key: `account.${account.index}.outbound_proxy.${p.index}.address`, address: p.address }))
      : account.servers.map((s) => ({ key: `account.${account.index}.sip_server.${s.index}.address`, address: s.address }));
    for (const { key, address } of targets) {
      const entry = phone.config.entries.get(key);
      const where = { file: entry?.file ?? input.file, ...(entry ? { line: entry.line } : {}) };
      const problem = isIPv4(address) ? ipProblem(address, input) : domainProblem(normalizeName(address), address, staticNames, input);
      if (problem) out.push({ ...where, message: phone.fleet === undefined ? `${key}: ${problem} (phone ${phone.name})` : `${key}: ${problem}` });
    }
  }
  return out;
}

/** The scenario's hosts for a warning: the first few, then how many more (a fleet has thousands). */
const knownCache = new WeakMap<WarningInput, string>();
function knownHosts(input: WarningInput): string {
  let s = knownCache.get(input);
  if (s === undefined) {
    s = namesList([...[...input.addresses].map(([a, n]) => `${n} ${a}`), ...input.fleets.map((f) => `${f.name} ${f.firstAddress}–${f.lastAddress}`)], 8);
    knownCache.set(input, s);
  }
  return s;
}

function namesList(names: string[], most: number): string {
  return names.length <= most ? names.join(', ') : `${names.slice(0, most).join(', ')} and ${names.length - most} more`;
}

function ipProblem(address: string, input: WarningInput): string | undefined {
  if (input.addresses.has(address)) return undefined;
  const n = ipToInt(address);
  if (input.fleets.some((f) => n >= ipToInt(f.firstAddress) && n <= ipToInt(f.lastAddress))) return undefined;
  const known = knownHosts(input);
  return `${address} is the address of no host in the scenario (${known}): requests to it go unanswered`;
}

function domainProblem(name: string, address: string, staticNames: Set<string>, input: WarningInput): string | undefined {
  // Server location (RFC 3263) asks NAPTR and A for the name itself and SRV for _service._proto.name.
  const answers = (owner: string): boolean => owner === name || (owner.startsWith('_') && owner.endsWith(`.${name}`));
  if ([...staticNames].some(answers)) return undefined;
  if (!input.hasDns) return `${address} is a domain name, but the scenario has no dns: section and no static cache entry names it: the phone cannot locate the server`;
  if (input.zone.some((r) => answers(r.name))) return undefined;
  return `${address} does not resolve: no dns.records line and no static cache entry names it (NXDOMAIN)`;
}

/**
 * A booted phone ignores another boot (phone.ts): a second one is a mistake in the script. A
 * fleet's boot boots each of its phones: booting the fleet or one of its phones again is too.
 */
function bootWarnings(input: WarningInput): Warning[] {
  const out: Warning[] = [];
  const booted = new Map<string, ScenarioEvent>();
  const fleetNames = new Set(input.fleets.map((f) => f.name));
  const inOrder = input.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  for (const { e, i } of inOrder) {
    if (e.action.type !== 'boot') continue;
    const host = e.action.host;
    const member = parseMemberName(host);
    const first = booted.get(host) ?? (member && fleetNames.has(member.fleet) ? booted.get(member.fleet) : undefined);
    if (first) {
      const what = first.action.type === 'boot' && first.action.host !== host ? `already booted with fleet ${first.action.host}` : 'already booted';
      out.push({ file: input.file, line: e.line, message: `events[${i}]: boot ${host}: ${what} at ${formatDuration(first.at)} (line ${first.line}); a booted phone ignores another boot` });
    } else booted.set(host, e);
  }
  return out;
}

/** The phones' .cfg warnings, once per file line: a common file shared by several phones names them all. */
export function phoneConfigWarnings(phones: PhoneSpec[], fleets: readonly FleetSpec[] = []): Warning[] {
  // A fleet's phones are counted, not listed: "(phones alice and all 20000 of fleet office)".
  const merged = new Map<string, { w: Warning; phones: string[]; fleets: Map<string, number> }>();
  for (const p of phones) {
    for (const w of p.config.warnings) {
      const id = `${w.file}\0${w.line ?? ''}\0${w.message}`;
      let m = merged.get(id);
      if (!m) merged.set(id, (m = { w, phones: [], fleets: new Map() }));
      if (p.fleet === undefined) m.phones.push(p.name);
      else m.fleets.set(p.fleet, (m.fleets.get(p.fleet) ?? 0) + 1);
    }
  }
  return [...merged.values()].map(({ w, phones: names, fleets: counts }) => {
    const ofFleets = [...counts].map(([f, c]) => `${c === fleets.find((x) => x.name === f)?.count ? 'all ' : ''}${c} of fleet ${f}`);
    const many = names.length + [...counts.values()].reduce((a, c) => a + c, 0) > 1;
    return { ...w, message: `${w.message} (phone${many ? 's' : ''} ${namesList(names, 8)}${names.length > 0 && ofFleets.length > 0 ? ', ' : ''}${ofFleets.join(', ')})` };
  });
}
