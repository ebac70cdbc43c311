/**
 * Authoritative data and the answer an authoritative server gives from it (RFC 1034 §4.3.2,
 * reduced to one server that holds every record the scenario lists). A name the data does not
 * hold is treated as non-existent (NXDOMAIN) rather than out-of-zone (REFUSED): the simulated
 * server stands for "the DNS" of the scenario, and scenario authors expect a typo to read as
 * "no such name".
 */
import { DnsRecord, SoaRecord, normalizeName, ofType } from './records.js';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';

export interface ZoneAnswer {
  rcode: Rcode;
  /** Answer section: the CNAME chain followed, then the records of the asked type. */
  answers: DnsRecord[];
  /** SOA on negative answers (NXDOMAIN, or NODATA = NOERROR without answers), RFC 2308 §3. */
  authority: DnsRecord[];
  /** Addresses the client will need next: A of SRV targets, SRV/A of NAPTR replacements. */
  additional: DnsRecord[];
}

/** Negative-caching TTL of the synthesized SOA, seconds. */
export const SYNTHETIC_SOA_MINIMUM = 60;

export class Zone {
  private readonly byName = new Map<string, DnsRecord[]>();
  /** Owner names and all their ancestors: an ancestor without records is an empty non-terminal (RFC 8020 §2), which exists. */
  private readonly existing = new Set<string>();
  /** SOAs, longest owner first, so the closest enclosing zone is found first. */
  readonly soas: SoaRecord[];

  constructor(records: readonly DnsRecord[]) {
    for (const r of records) {
      const list = this.byName.get(r.name);
      if (list) list.push(r);
      else this.byName.set(r.name, [r]);
      for (let n = r.name; n !== ''; n = parent(n)) this.existing.add(n);
    }
    const soas = ofType(records, 'SOA');
    // Scenario authors rarely write an SOA, yet negative answers need one (RFC 2308 §3) to be
    // cacheable at all: synthesize one for the common parent of every name, with a 60 s
    // negative TTL (a short, common choice) so "negative answers are cached" is visible but brief.
    this.soas = soas.length > 0 ? [...soas].sort((a, b) => b.name.length - a.name.length) : [syntheticSoa(records)];
  }

  answer(qname: string, qtype: string): ZoneAnswer {
    const type = qtype.toUpperCase();
    const answers: DnsRecord[] = [];
    const seen = new Set<string>();
    let name = normalizeName(qname);
    for (;;) {
      // A CNAME chain that comes back to a name already followed never ends: fail the query,
      // as resolvers do on a detected loop (RFC 1034 §3.6.2 forbids such chains).
      if (seen.has(name)) return { rcode: 'SERVFAIL', answers: [], authority: [], additional: [] };
      seen.add(name);
      const rrs = this.byName.get(name) ?? [];
      const matching = rrs.filter((r) => r.type === type);
      if (matching.length > 0) {
        answers.push(...matching);
        return { rcode: 'NOERROR', answers, authority: [], additional: this.additionalFor(matching) };
      }
      const cname = rrs.find((r) => r.type === 'CNAME');
      if (cname && cname.type === 'CNAME' && type !== 'CNAME') {
        // RFC 1034 §4.3.2 step 3a: put the CNAME in the answer and restart with its target.
        answers.push(cname);
        name = cname.target;
        continue;
      }
      // RFC 6604 §3: the rcode describes the last name of the chain.
      const rcode = this.existing.has(name) ? 'NOERROR' : 'NXDOMAIN';
      return { rcode, answers, authority: [this.soaFor(name)], additional: [] };
    }
  }

  /** The SOA of the closest enclosing zone, or the first one when none encloses the name. */
  soaFor(name: string): SoaRecord {
    return this.soas.find((s) => isAtOrBelow(name, s.name)) ?? this.soas[0]!;
  }

  private additionalFor(answers: DnsRecord[]): DnsRecord[] {
    const out = new Set<DnsRecord>();
    const addAddresses = (host: string): void => {
      for (const r of this.byName.get(host) ?? []) if (r.type === 'A') out.add(r);
    };
    const addSrv = (owner: string): void => {
      for (const r of this.byName.get(owner) ?? []) {
        if (r.type !== 'SRV') continue;
        out.add(r);
        addAddresses(r.target);
      }
    };
    for (const r of answers) {
      // RFC 2782 "Usage rules": the additional section may carry the targets' A records.
      if (r.type === 'SRV') addAddresses(r.target);
      // RFC 3403 §4.2: NAPTR additional processing follows the terminal flag.
      if (r.type === 'NAPTR' && r.flags === 's') addSrv(r.replacement);
      if (r.type === 'NAPTR' && r.flags === 'a') addAddresses(r.replacement);
    }
    return [...out];
  }
}

function parent(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

function isAtOrBelow(name: string, apex: string): boolean {
  return apex === '' || name === apex || name.endsWith(`.${apex}`);
}

function join(label: string, apex: string): string {
  return apex === '' ? label : `${label}.${apex}`;
}

/** The longest label suffix shared by every owner name ("" — the root — when none). */
function commonParent(names: string[]): string {
  if (names.length === 0) return '';
  let common = names[0]!.split('.').reverse();
  for (const n of names.slice(1)) {
    const labels = n.split('.').reverse();
    let i = 0;
    while (i < common.length && i < labels.length && common[i] === labels[i]) i++;
    common = common.slice(0, i);
  }
  return common.reverse().join('.');
}

function syntheticSoa(records: readonly DnsRecord[]): SoaRecord {
  const apex = commonParent(records.map((r) => r.name));
  return {
    type: 'SOA', name: apex, ttl: SYNTHETIC_SOA_MINIMUM,
    mname: join('ns', apex), rname: join('hostmaster', apex),
    serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: SYNTHETIC_SOA_MINIMUM,
  };
}
