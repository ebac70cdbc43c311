/**
 * SIP messages as RFC 3261 text. Headers are kept as an ordered list so the text we send is
 * exactly what a capture shows; accessors read the few fields transactions and UAs need.
 */
export type Header = [name: string, value: string];

export interface SipRequest {
  type: 'request';
  method: string;
  uri: string;
  headers: Header[];
  body: string;
}

export interface SipResponse {
  type: 'response';
  status: number;
  reason: string;
  headers: Header[];
  body: string;
}

export type SipMessage = SipRequest | SipResponse;

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 400: 'Bad Request', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 486: 'Busy Here', 487: 'Request Terminated', 489: 'Bad Event', 500: 'Server Internal Error', 501: 'Not Implemented',
  503: 'Service Unavailable', 504: 'Server Time-out', 600: 'Busy Everywhere', 603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

export function header(msg: SipMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  return msg.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

export function serialize(msg: SipMessage): string {
  const start = msg.type === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const [n, v] of msg.headers) if (n.toLowerCase() !== 'content-length') lines.push(`${n}: ${v}`);
  lines.push(`Content-Length: ${Buffer.byteLength(msg.body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${msg.body}`;
}

/** Parses the text we produce (and any plain RFC 3261 message without folding); undefined if not SIP. */
export function parse(text: string): SipMessage | undefined {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [start, ...lines] = text.slice(0, split).split('\r\n');
  const headers: Header[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const body = text.slice(split + 4);
  const status = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(start!);
  if (status) return { type: 'response', status: Number(status[1]), reason: status[2]!, headers, body };
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(start!);
  if (request) return { type: 'request', method: request[1]!, uri: request[2]!, headers, body };
  return undefined;
}

/**
 * A copy of `s` that shares no memory with the message it came from. Header values are slices
 * of the received text, and V8 keeps a slice's whole parent string alive: anything stored for
 * longer than the message (a binding, a dialog) should hold a copy, or every stored slice
 * pins a ~400-byte message (measured: 4 per phone in a fleet, 16 MB at 10⁴ phones).
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** Branch parameter of the top Via — the transaction key (RFC 3261 §17.1.3). */
export function topBranch(msg: SipMessage): string {
  const via = header(msg, 'Via') ?? '';
  return /;branch=([^;\s,]+)/.exec(via)?.[1] ?? '';
}

export function cseq(msg: SipMessage): { seq: number; method: string } {
  const [seq, method] = (header(msg, 'CSeq') ?? '0 UNKNOWN').split(/\s+/);
  return { seq: Number(seq), method: method ?? 'UNKNOWN' };
}

export function tagOf(value: string | undefined): string | undefined {
  return value ? /;tag=([^;\s]+)/.exec(value)?.[1] : undefined;
}

/** Seconds from a header like `Retry-After: 60` or `Expires: 3600`; undefined when absent. */
export function headerSeconds(msg: SipMessage, name: string): number | undefined {
  const v = header(msg, name);
  if (v === undefined) return undefined;
  const n = parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** One-line label for ladders: the method of a request, or "status reason (METHOD)" of a response. */
export function label(msg: SipMessage): string {
  if (msg.type === 'response') return `${msg.status} ${msg.reason} (${cseq(msg).method})`;
  return msg.method;
}

/**
 * Builds a response to `req`, copying Via, From, To, Call-ID, CSeq (RFC 3261 §8.2.6.2). The
 * copied headers are the request's own [name, value] pairs (messages are never changed once
 * built): a server keeps its last response through Timer J, and new pairs per header were most
 * of what that held.
 */
export function responseTo(req: SipRequest, status: number, extra: Header[] = [], toTag?: string): SipResponse {
  const headers: Header[] = [];
  for (const h of req.headers) {
    const n = h[0];
    // Only names of these lengths can match: the rest are skipped without a lower-cased copy.
    if (n.length !== 2 && n.length !== 3 && n.length !== 4 && n.length !== 7) continue;
    const l = n.toLowerCase();
    if (l === 'via' || l === 'from' || l === 'call-id' || l === 'cseq') headers.push(h);
    else if (l === 'to') headers.push(toTag && !tagOf(h[1]) ? [n, `${h[1]};tag=${toTag}`] : h);
  }
  for (const h of extra) headers.push(h);
  return { type: 'response', status, reason: reasonPhrase(status), headers, body: '' };
}

/** Granted lifetime: Contact's expires parameter, else the Expires header (RFC 3261 §10.2.4). */
export function grantedSeconds(res: SipResponse): number | undefined {
  const p = /;expires=(\d+)/.exec(header(res, 'Contact') ?? '')?.[1];
  return p !== undefined ? Number(p) : headerSeconds(res, 'Expires');
}
