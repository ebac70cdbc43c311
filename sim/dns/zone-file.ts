/**
 * One zone-file line → one record. The accepted syntax is the strict subset of RFC 1035 §5.1
 * that scenario authors write: `<name> <ttl> IN <type> <rdata…>`, every name fully qualified.
 * No $ORIGIN, no relative names, no omitted TTL or class: each line must stand on its own,
 * because a scenario lists records one YAML string at a time and errors must point at one line.
 */
import { InputError } from '../core/input-error.js';
import { DNS_TYPES, DnsRecord, DnsType } from './records.js';

export interface ZoneLineLocation {
  file: string;
  line: number;
  /** The scenario key, e.g. `dns.records[3]`. */
  key: string;
}

const MAX_TTL = 2_147_483_647; // RFC 2181 §8: TTLs are unsigned 31-bit
const MAX_U16 = 65_535;
const MAX_U32 = 4_294_967_295;
const LABEL_RE = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i; // RFC 1035 §2.3.1 letters/digits/hyphen, plus '_' for SRV owners (RFC 2782)

/** The rdata fields each type takes, in order, for "expected N fields" messages. */
const RDATA_FIELDS: Record<DnsType, string[]> = {
  A: ['address'],
  CNAME: ['target'],
  SRV: ['priority', 'weight', 'port', 'target'],
  NAPTR: ['order', 'preference', 'flags', 'services', 'regexp', 'replacement'],
  SOA: ['mname', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum'],
};

export function parseZoneLine(text: string, at: ZoneLineLocation): DnsRecord {
  const fail = (problem: string): never => {
    throw new InputError(at.file, at.line, at.key, problem);
  };
  const tokens = tokenize(text, fail);
  if (tokens.length < 5) {
    fail(`expected "<name> <ttl> IN <type> <data…>", found ${tokens.length} field${tokens.length === 1 ? '' : 's'} in "${text.trim()}"`);
  }
  const [nameTok, ttlTok, classTok, typeTok, ...rdata] = tokens as [Token, Token, Token, Token, ...Token[]];
  const name = parseName(nameTok, 'owner name', false, fail);
  const ttl = parseUint(ttlTok, 'TTL', MAX_TTL, fail);
  if (classTok.text.toUpperCase() !== 'IN') fail(`only class IN is supported, found "${classTok.text}"`);
  const type = typeTok.text.toUpperCase() as DnsType;
  if (!DNS_TYPES.includes(type)) fail(`unknown record type "${typeTok.text}" (expected ${DNS_TYPES.join(', ')})`);
  const fields = RDATA_FIELDS[type];
  if (rdata.length !== fields.length) {
    fail(`${type} expects ${fields.length} field${fields.length === 1 ? '' : 's'} after the type (${fields.join(' ')}), found ${rdata.length}`);
  }
  const f = (i: number): Token => rdata[i]!;
  switch (type) {
    case 'A':
      return { type, name, ttl, address: parseIPv4(f(0), fail) };
    case 'CNAME':
      return { type, name, ttl, target: parseName(f(0), 'CNAME target', false, fail) };
    case 'SRV':
      return {
        type, name, ttl,
        priority: parseUint(f(0), 'SRV priority', MAX_U16, fail),
        weight: parseUint(f(1), 'SRV weight', MAX_U16, fail),
        port: parseUint(f(2), 'SRV port', MAX_U16, fail),
        // RFC 2782: a target of "." means the service is decidedly not available at this domain.
        target: parseName(f(3), 'SRV target', true, fail),
      };
    case 'NAPTR': {
      const flags = parseString(f(2), 'NAPTR flags', fail);
      // RFC 3403 §4.1: flags are single characters A-Z, 0-9.
      if (!/^[a-z0-9]*$/i.test(flags)) fail(`NAPTR flags must be letters or digits like "s" or "a", found "${flags}"`);
      return {
        type, name, ttl,
        order: parseUint(f(0), 'NAPTR order', MAX_U16, fail),
        preference: parseUint(f(1), 'NAPTR preference', MAX_U16, fail),
        flags: flags.toLowerCase(),
        services: parseString(f(3), 'NAPTR services', fail),
        regexp: parseString(f(4), 'NAPTR regexp', fail),
        replacement: parseName(f(5), 'NAPTR replacement', true, fail),
      };
    }
    case 'SOA':
      return {
        type, name, ttl,
        mname: parseName(f(0), 'SOA mname', false, fail),
        rname: parseName(f(1), 'SOA rname', false, fail),
        serial: parseUint(f(2), 'SOA serial', MAX_U32, fail),
        refresh: parseUint(f(3), 'SOA refresh', MAX_U32, fail),
        retry: parseUint(f(4), 'SOA retry', MAX_U32, fail),
        expire: parseUint(f(5), 'SOA expire', MAX_U32, fail),
        minimum: parseUint(f(6), 'SOA minimum', MAX_U32, fail),
      };
  }
}

interface Token {
  text: string;
  quoted: boolean;
}

type Fail = (problem: string) => never;

/** Whitespace-separated fields; "quoted strings" (RFC 1035 §5.1 character-strings) may be empty or hold spaces; `;` starts a comment. */
function tokenize(text: string, fail: Fail): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === ';') {
      break;
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        s += text[i];
        i++;
      }
      if (i >= text.length) fail(`unterminated quoted string in "${text.trim()}"`);
      i++;
      out.push({ text: s, quoted: true });
    } else {
      let s = '';
      while (i < text.length && !/[ \t;"]/.test(text[i]!)) s += text[i++];
      out.push({ text: s, quoted: false });
    }
  }
  return out;
}

function parseName(tok: Token, what: string, allowRoot: boolean, fail: Fail): string {
  const t = tok.text;
  if (t === '.') {
    if (allowRoot) return '';
    fail(`${what} must be a domain name, found the root "."`);
  }
  if (tok.quoted || !t.endsWith('.')) fail(`${what} must be fully qualified (end with "."), found "${t}"`);
  const name = t.slice(0, -1).toLowerCase();
  if (name.length > 253) fail(`${what} is longer than 253 characters (RFC 1035 §2.3.4)`);
  for (const label of name.split('.')) {
    if (!LABEL_RE.test(label)) fail(`${what} "${t}" has an invalid label "${label}" (letters, digits, "-" and "_", 1..63 characters)`);
  }
  return name;
}

function parseUint(tok: Token, what: string, max: number, fail: Fail): number {
  if (tok.quoted || !/^\d+$/.test(tok.text)) fail(`${what} must be an integer 0..${max}, found "${tok.text}"`);
  const n = Number(tok.text);
  if (n > max) fail(`${what} must be an integer 0..${max}, found ${tok.text}`);
  return n;
}

function parseIPv4(tok: Token, fail: Fail): string {
  const parts = tok.text.split('.');
  const ok = !tok.quoted && parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
  if (!ok) fail(`A address must be an IPv4 address like 10.0.0.1, found "${tok.text}"`);
  return tok.text;
}

function parseString(tok: Token, what: string, fail: Fail): string {
  if (!tok.quoted) fail(`${what} must be a quoted string like "s", found ${tok.text}`);
  return tok.text;
}
