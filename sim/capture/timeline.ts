import type { DnsMessage } from '../dns/wire.js';
import { cseq, SipMessage, topBranch } from '../sip/message.js';

/**
 * One protocol instant of a phone's timeline: a SIP send or receipt, a TCP SYN / SYN-ACK / RST,
 * an ICMP error, a DNS query or answer. `name` says what it is and, counted per transaction kind
 * and peer, which one ("REGISTER → sip1 #2 send 3" = the third send, i.e. the second
 * retransmission, of the second REGISTER transaction towards sip1), so a capture and a model
 * run align by name: the n-th of a kind on one side beside the n-th on the other.
 */
export interface Instant {
  name: string;
  /** µs, on the clock of its source (capture epoch or simulated time). */
  t: number;
  /** A SIP request or TCP SYN the phone sent: what the default anchor looks for. */
  phoneStarts: boolean;
  /** What the name leaves out but a reader wants: CSeq, rcode and answers. */
  detail: string;
  /**
   * The exchange the instant belongs to, the same key for a request's sends and its responses
   * ("REGISTER → sip1 #2"), a DNS query's retransmissions and its answer, a peer's TCP
   * segments: what `--relative previous` measures an interval within.
   */
  series?: string;
  /**
   * Set (model side) when the scenario, not the phone's rules, chose this send's instant: the
   * first send of a call the scenario places, the BYE when its scripted duration is over.
   */
  scripted?: string;
}

/** A phone's timeline from one source, with the span of time the source covers. */
export interface Timeline {
  instants: Instant[];
  /** First and last packet times involving the phone (µs, the source's clock); undefined if none. */
  span?: { first: number; last: number };
}

/**
 * Folds a phone's packets (already named by host: the phone's own name and each peer's) into
 * instants. The capture reader and the model's trace sink both feed it, so both sides are
 * named by exactly the same rules.
 */
export class TimelineBuilder {
  private readonly instants: Instant[] = [];
  private readonly counts = new Map<string, number>();
  /** branch|method → the transaction's ordinal among its kind and peer. */
  private readonly transactions = new Map<string, number>();
  private span?: { first: number; last: number };
  /** A scripted action of the phone's at this instant: its first send then is marked scripted. */
  private pendingScript?: { t: number; why: string };

  constructor(readonly phone: string) {}

  /** The scenario acts at `t` (places a call, hangs up): the phone's next send at `t` is its doing. */
  script(t: number, why: string): void {
    this.pendingScript = { t, why };
  }

  /** Every packet to or from the phone widens the span, whether or not it makes an instant. */
  seen(t: number): void {
    if (!this.span) this.span = { first: t, last: t };
    else {
      this.span.first = Math.min(this.span.first, t);
      this.span.last = Math.max(this.span.last, t);
    }
  }

  sip(t: number, from: string, to: string, msg: SipMessage): void {
    const out = from === this.phone;
    const dir = out ? `→ ${to}` : `← ${from}`;
    const c = cseq(msg);
    const txnId = `${topBranch(msg)}|${msg.type === 'request' ? msg.method : c.method}|${out ? to : from}`;
    if (msg.type === 'request') {
      let k = this.transactions.get(txnId);
      if (k === undefined) {
        k = this.bump(`txn ${msg.method} ${dir}`);
        this.transactions.set(txnId, k);
      }
      const base = `${msg.method} ${dir} #${k}`;
      this.add(t, `${base} ${out ? 'send' : 'recv'} ${this.bump(base)}`, out, `CSeq ${c.seq} ${c.method}`, base, out);
      return;
    }
    // A response travels the other way from its request: the request's peer is the same host.
    const k = this.transactions.get(txnId);
    const base = `${msg.status} ${dir} to ${c.method} #${k ?? '?'}`;
    const series = `${c.method} ${out ? `← ${to}` : `→ ${from}`} #${k ?? '?'}`;
    this.add(t, `${base} ${out ? 'send' : 'recv'} ${this.bump(base)}`, false, `CSeq ${c.seq} ${c.method}`, series, out);
  }

  dns(t: number, from: string, to: string, msg: DnsMessage): void {
    if (!msg.question) return;
    const out = from === this.phone;
    const base = `DNS ${msg.question.type} ${msg.question.name} ${out ? `→ ${to}` : `← ${from}`}`;
    const detail = msg.response ? `${msg.rcode}, ${msg.answers.length} answer${msg.answers.length === 1 ? '' : 's'}` : `query id ${msg.id}`;
    // A stub resolver retransmits a query with its id: the id keeps one lookup's series apart from the next.
    const series = `DNS ${msg.question.type} ${msg.question.name} ${out ? to : from} id ${msg.id}`;
    this.add(t, `${base} ${msg.response ? 'answer' : 'query'} ${this.bump(base)}`, false, detail, series, out);
  }

  /** SYN, SYN-ACK and RST segments; plain ACKs, data and FINs are not instants. */
  tcp(t: number, from: string, to: string, flags: { syn: boolean; ack: boolean; rst: boolean }): void {
    const kind = flags.rst ? 'RST' : flags.syn ? (flags.ack ? 'SYN-ACK' : 'SYN') : undefined;
    if (!kind) return;
    const out = from === this.phone;
    const base = `TCP ${kind} ${out ? `→ ${to}` : `← ${from}`}`;
    this.add(t, `${base} #${this.bump(base)}`, out && kind === 'SYN', '', `TCP ${out ? to : from}`, out);
  }

  icmp(t: number, from: string, to: string, type: number, code: number): void {
    const what = type === 3 && code === 3 ? 'port unreachable' : type === 3 ? `unreachable code ${code}` : `type ${type} code ${code}`;
    const out = from === this.phone;
    const base = `ICMP ${what} ${out ? `→ ${to}` : `← ${from}`}`;
    this.add(t, `${base} #${this.bump(base)}`, false, '', undefined, out);
  }

  result(): Timeline {
    return { instants: this.instants, ...(this.span ? { span: { ...this.span } } : {}) };
  }

  private bump(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }

  private add(t: number, name: string, phoneStarts: boolean, detail: string, series: string | undefined, out: boolean): void {
    const i: Instant = { name, t, phoneStarts, detail, ...(series !== undefined ? { series } : {}) };
    const p = this.pendingScript;
    if (p && t > p.t) this.pendingScript = undefined;
    else if (p && out && t === p.t) {
      i.scripted = p.why;
      this.pendingScript = undefined;
    }
    this.instants.push(i);
  }
}
