/**
 * The DNS resource records the simulator models: what SIP server location needs (RFC 3263:
 * NAPTR → SRV → A, with CNAME aliases) plus SOA for negative answers (RFC 2308).
 *
 * Names are stored lower-case without the trailing dot ("pbx.example.com"); the root is "".
 * DNS names compare case-insensitively (RFC 4343 §2), so lower-casing once at the edge lets
 * every map lookup be a plain string compare. TTLs are whole seconds, as on the wire
 * (RFC 1035 §3.2.1); the resolver turns them into µs deadlines.
 */

export type DnsType = 'A' | 'CNAME' | 'SRV' | 'NAPTR' | 'SOA';

export const DNS_TYPES: readonly DnsType[] = ['A', 'CNAME', 'SRV', 'NAPTR', 'SOA'];

interface RecordBase {
  /** Owner name, lower-case, no trailing dot. */
  name: string;
  /** Time to live, seconds (0..2^31−1, RFC 2181 §8). */
  ttl: number;
}

export interface ARecord extends RecordBase {
  type: 'A';
  /** Dotted-quad IPv4 address. */
  address: string;
}

export interface CnameRecord extends RecordBase {
  type: 'CNAME';
  /** Canonical name the owner is an alias of (RFC 1034 §3.6.2). */
  target: string;
}

/** RFC 2782: lower priority first; weight shares load within a priority. */
export interface SrvRecord extends RecordBase {
  type: 'SRV';
  priority: number;
  weight: number;
  port: number;
  /** Host offering the service; "" (the root, ".") means "decidedly not available here". */
  target: string;
}

/** RFC 3403 §4.1. For SIP (RFC 3263 §4.1) regexp is empty and replacement names the SRV/A owner. */
export interface NaptrRecord extends RecordBase {
  type: 'NAPTR';
  order: number;
  preference: number;
  /** "s" ⇒ next lookup is SRV, "a" ⇒ A; "" ⇒ non-terminal (not used for SIP). */
  flags: string;
  /** e.g. "SIP+D2U", "SIP+D2T", "SIPS+D2T". */
  services: string;
  regexp: string;
  /** "" when the root (".") is given, i.e. no replacement. */
  replacement: string;
}

/** RFC 1035 §3.3.13; `minimum` is the negative-caching TTL since RFC 2308 §4. */
export interface SoaRecord extends RecordBase {
  type: 'SOA';
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export type DnsRecord = ARecord | CnameRecord | SrvRecord | NaptrRecord | SoaRecord;

/** Name in zone-file form: fully qualified with the trailing dot; the root is ".". */
export function fqdn(name: string): string {
  return name === '' ? '.' : `${name}.`;
}

/** Lower-case, trailing dot removed: the stored form of any name we receive. */
export function normalizeName(name: string): string {
  const n = name.toLowerCase();
  if (n === '.' || n === '') return '';
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The record's rdata in master-file syntax (RFC 1035 §5.1). */
export function formatRdata(r: DnsRecord): string {
  switch (r.type) {
    case 'A':
      return r.address;
    case 'CNAME':
      return fqdn(r.target);
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${fqdn(r.target)}`;
    case 'NAPTR':
      return `${r.order} ${r.preference} ${quote(r.flags)} ${quote(r.services)} ${quote(r.regexp)} ${fqdn(r.replacement)}`;
    case 'SOA':
      return `${fqdn(r.mname)} ${fqdn(r.rname)} ${r.serial} ${r.refresh} ${r.retry} ${r.expire} ${r.minimum}`;
  }
}

/**
 * One record as a zone-file line: `_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.`
 * The same text the scenario author wrote, so trace `records: string[]` reads like the input.
 */
export function formatRecord(r: DnsRecord): string {
  return `${fqdn(r.name)} ${r.ttl} IN ${r.type} ${formatRdata(r)}`;
}

/** Every record a list holds of one type, typed accordingly. */
export function ofType<T extends DnsType>(records: readonly DnsRecord[], type: T): Extract<DnsRecord, { type: T }>[] {
  return records.filter((r): r is Extract<DnsRecord, { type: T }> => r.type === type);
}

/**
 * The answers of one type, one array per decoded answer section and type: decoded messages are
 * shared by every resolver that got the same answer (wire.ts), so a fleet's caches share these
 * arrays too instead of holding a filtered copy each. Nobody changes cached records.
 */
const byType = new WeakMap<readonly DnsRecord[], Map<string, DnsRecord[]>>();

export function answersOfType(answers: DnsRecord[], qtype: string): DnsRecord[] {
  let types = byType.get(answers);
  if (!types) byType.set(answers, (types = new Map()));
  let list = types.get(qtype);
  if (!list) types.set(qtype, (list = answers.filter((r) => r.type === qtype)));
  return list;
}
