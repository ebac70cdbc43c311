/**
 * Our records ⇄ RFC 1035 wire format, through dns-packet. Real bytes go on the simulated wire
 * so a pcap of a run opens in Wireshark, and the resolver parses what the server sent rather
 * than sharing objects with it (the network is the only path between hosts).
 */
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, RecordType } from 'dns-packet';
import { DnsRecord, normalizeName } from './records.js';
import type { ZoneAnswer } from './zone.js';

/** A decoded DNS message, reduced to what the simulator reads. */
export interface DnsMessage {
  id: number;
  response: boolean;
  authoritative: boolean;
  rcode: string;
  question: { name: string; type: string } | undefined;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

/**
 * Memo of encoded and decoded messages. A fleet asks the same few questions and gets the same
 * few answers thousands of times; only the 16-bit id (bytes 0–1) differs. Entries are never
 * changed after they are made (callers only read them); the table is emptied when it fills, so
 * memory stays bounded whatever the zone.
 */
class WireMemo<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
  }
}

const queries = new WireMemo<Buffer>(4096);
const decoded = new WireMemo<DnsMessage & { rd: boolean }>(4096);

/** A copy of a memoised message with its id patched in. */
function withId(template: Buffer, id: number): Buffer {
  const b = Buffer.allocUnsafe(template.length);
  template.copy(b);
  b.writeUInt16BE(id & 0xffff, 0);
  return b;
}

/** A stub resolver's query: one question, RD set (RFC 1035 §4.1.1, a stub asks for recursion). */
export function encodeQuery(id: number, name: string, qtype: string): Buffer {
  const key = `${qtype} ${name}`;
  let template = queries.get(key);
  if (!template) {
    template = dnsPacket.encode({
      type: 'query',
      id: 0,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: qtype as RecordType, name, class: 'IN' }],
    });
    queries.set(key, template);
  }
  return withId(template, id);
}

const RCODES: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

/** An authoritative response: id and question echoed, QR + AA set, RD copied (RFC 1035 §4.1.1). */
export function encodeResponse(query: DnsMessage & { rd?: boolean }, a: ZoneAnswer): Buffer {
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | (query.rd ? dnsPacket.RECURSION_DESIRED : 0) | RCODES[a.rcode]!;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags,
    questions: query.question ? [{ type: query.question.type as RecordType, name: query.question.name, class: 'IN' }] : [],
    answers: a.answers.map(toAnswer),
    authorities: a.authority.map(toAnswer),
    additionals: a.additional.map(toAnswer),
  });
}

/** A decoded message shared by every datagram equal to it but for the id: read the id with `messageId`. */
export type SharedDnsMessage = Readonly<Omit<DnsMessage, 'id'> & { rd: boolean }>;

/**
 * Decodes any datagram; undefined when it is not a well-formed DNS message (a real stack drops
 * those). Messages equal but for their id decode once, and the one decoded message is returned
 * for each of them (no copy per datagram: resolvers and servers read it and let it go).
 */
export function decodeShared(buf: Buffer): SharedDnsMessage | undefined {
  if (buf.length < 12 || buf.length > 1024) return decodeFresh(buf);
  const key = buf.toString('latin1', 2);
  let m = decoded.get(key);
  if (!m) {
    const fresh = decodeFresh(buf);
    if (!fresh) return undefined;
    decoded.set(key, (m = fresh));
  }
  return m;
}

/** The 16-bit id of a datagram `decodeShared` accepted (RFC 1035 §4.1.1: its first two bytes). */
export function messageId(buf: Buffer): number {
  return buf.readUInt16BE(0);
}

/** `decodeShared` with the datagram's own id: a message of its own, for readers that keep it. */
export function decodeMessage(buf: Buffer): (DnsMessage & { rd: boolean }) | undefined {
  const m = decodeShared(buf);
  return m ? { ...m, id: messageId(buf) } : undefined;
}

function decodeFresh(buf: Buffer): (DnsMessage & { rd: boolean }) | undefined {
  let p: DecodedPacket & { rcode?: string };
  try {
    p = dnsPacket.decode(buf);
  } catch {
    return undefined;
  }
  const q = p.questions?.[0];
  return {
    id: p.id ?? 0,
    response: p.flag_qr,
    authoritative: p.flag_aa,
    rd: p.flag_rd,
    rcode: p.rcode ?? 'NOERROR',
    question: q ? { name: normalizeName(q.name), type: q.type } : undefined,
    answers: fromAnswers(p.answers),
    authority: fromAnswers(p.authorities),
    additional: fromAnswers(p.additionals),
  };
}

const wireName = (n: string): string => (n === '' ? '.' : n);

export function toAnswer(r: DnsRecord): Answer {
  const base = { name: wireName(r.name), ttl: r.ttl, class: 'IN' as const };
  switch (r.type) {
    case 'A':
      return { ...base, type: 'A', data: r.address };
    case 'CNAME':
      return { ...base, type: 'CNAME', data: wireName(r.target) };
    case 'SRV':
      return { ...base, type: 'SRV', data: { priority: r.priority, weight: r.weight, port: r.port, target: wireName(r.target) } };
    case 'NAPTR':
      return {
        ...base, type: 'NAPTR',
        data: { order: r.order, preference: r.preference, flags: r.flags, services: r.services, regexp: r.regexp, replacement: wireName(r.replacement) },
      };
    case 'SOA':
      return {
        ...base, type: 'SOA',
        data: { mname: r.mname, rname: r.rname, serial: r.serial, refresh: r.refresh, retry: r.retry, expire: r.expire, minimum: r.minimum },
      };
  }
}

/** Records of the types we model; others (OPT, AAAA…) are skipped as a stub would ignore them. */
export function fromAnswer(a: Answer): DnsRecord | undefined {
  if (a.type === 'OPT') return undefined;
  const name = normalizeName(a.name);
  const ttl = a.ttl ?? 0;
  switch (a.type) {
    case 'A':
      return { type: 'A', name, ttl, address: a.data };
    case 'CNAME':
      return { type: 'CNAME', name, ttl, target: normalizeName(a.data) };
    case 'SRV':
      return { type: 'SRV', name, ttl, priority: a.data.priority ?? 0, weight: a.data.weight ?? 0, port: a.data.port, target: normalizeName(a.data.target) };
    case 'NAPTR':
      return {
        type: 'NAPTR', name, ttl, order: a.data.order, preference: a.data.preference, flags: a.data.flags.toLowerCase(),
        services: a.data.services, regexp: a.data.regexp, replacement: normalizeName(a.data.replacement),
      };
    case 'SOA':
      return {
        type: 'SOA', name, ttl, mname: normalizeName(a.data.mname), rname: normalizeName(a.data.rname),
        serial: a.data.serial ?? 0, refresh: a.data.refresh ?? 0, retry: a.data.retry ?? 0, expire: a.data.expire ?? 0, minimum: a.data.minimum ?? 0,
      };
    default:
      return undefined;
  }
}

function fromAnswers(list: Answer[] | undefined): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const a of list ?? []) {
    const r = fromAnswer(a);
    if (r) out.push(r);
  }
  return out;
}
