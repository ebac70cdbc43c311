import { InputError } from '../core/input-error.js';
import { isIPv4 } from 'node:net';
import type { DnsRecord } from '../dns/records.js';
import { normalizeName } from '../dns/records.js';
import type { CfgEntry } from './cfg-file.js';

const DEFAULT_TTL = 3600;

/**
 * The phone's static DNS cache (dns_cache_a/srv/naptr.N.*) as records for the resolver.
 * An entry needs its name and its data (ip / target / replacement); a half-filled entry is an
 * input error naming the key that is missing, so a typo does not silently drop an entry.
 */
export function staticDnsRecords(entries: Map<string, CfgEntry>): DnsRecord[] {
  const groups = new Map<string, Map<string, CfgEntry>>();
  for (const e of entries.values()) {
    const m = /^(dns_cache_(?:a|srv|naptr)\.\d+)\.(\w+)$/.exec(e.key);
    if (!m || e.value === '') continue;
    if (!groups.has(m[1]!)) groups.set(m[1]!, new Map());
    groups.get(m[1]!)!.set(m[2]!, e);
  }
  const records: DnsRecord[] = [];
  for (const [prefix, fields] of [...groups].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    const any = [...fields.values()][0]!;
    const need = (f: string): CfgEntry => {
      const e = fields.get(f);
      if (!e) throw new InputError(any.file, any.line, `${prefix}.${f}`, `the static DNS entry ${prefix} needs ${prefix}.${f}`);
      return e;
    };
    const num = (f: string, dflt: number): number => (fields.has(f) ? Number(fields.get(f)!.value) : dflt);
    const name = normalizeName(need('name').value);
    const ttl = num('ttl', DEFAULT_TTL);
    if (prefix.startsWith('dns_cache_a.')) {
      const ip = need('ip');
      if (!isIPv4(ip.value)) throw new InputError(ip.file, ip.line, ip.key, `expected an IPv4 address, found "${ip.value}"`);
      records.push({ type: 'A', name, ttl, address: ip.value });
    } else if (prefix.startsWith('dns_cache_srv.')) {
      records.push({ type: 'SRV', name, ttl, priority: num('priority', 0), weight: num('weight', 0), port: num('port', 5060), target: normalizeName(need('target').value) });
    } else {
      records.push({
        type: 'NAPTR', name, ttl, order: num('order', 0), preference: num('preference', 0),
        // The vendor's templates have no flags/regexp keys (fact sheet §2.7): a static NAPTR record
        // always points at an SRV name (flag "s") by its replace key.
        flags: 's', services: need('service').value, regexp: '',
        replacement: normalizeName(need('replace').value),
      });
    }
  }
  return records;
}
