import type { Located } from '../dns/server-locator.js';
import type { Header, SipRequest } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import type { RegistrationTarget } from './registration-agent.js';

const MAX_FORWARDS: Header = ['Max-Forwards', '70'];
const USER_AGENT: Header = ['User-Agent', 'sipsim-phone'];

/**
 * One registration's REGISTERs (RFC 3261 §10.2: same Call-ID, From tag, AOR; rising CSeq).
 * The header pairs that never change between them are made once and shared by every REGISTER
 * (messages are never changed once built, and a response copies the request's own pairs):
 * a server holds its last response through Timer J (32 s over UDP), so a fleet's per-REGISTER
 * From, To and Call-ID outlived the young generation and were copied into the old one.
 */
export class RegisterRequests {
  private readonly uri: string;
  private readonly from: Header;
  private readonly to: Header;
  private readonly callId: Header;
  private readonly expires: Header;
  /** The Contact of the transport used last (a registration mostly keeps one). */
  private contact: Header | undefined;
  private contactTransport: string | undefined;

  constructor(
    private readonly target: RegistrationTarget,
    private readonly sip: SipEndpoint,
    callId: string,
    fromTag: string,
  ) {
    const s = target.server;
    const domain = s.port === 0 || s.port === 5060 ? s.address : `${s.address}:${s.port}`;
    const aor = `sip:${target.user}@${domain}`;
    const name = target.displayName ? `"${target.displayName}" ` : '';
    this.uri = `sip:${domain}`;
    this.from = ['From', `${name}<${aor}>;tag=${fromTag}`];
    this.to = ['To', `${name}<${aor}>`];
    this.callId = ['Call-ID', callId];
    this.expires = ['Expires', String(s.expires)];
  }

  /** The REGISTER with CSeq `cseq` to `server`; `expires` asked for (0: un-REGISTER), the server's configured expires when absent. */
  build(server: Located, cseq: number, expires?: number): SipRequest {
    const t = server.transport;
    if (this.contactTransport !== t) {
      this.contact = ['Contact', this.sip.contactFor(this.target.user, t)];
      this.contactTransport = t;
    }
    return {
      type: 'request',
      method: 'REGISTER',
      uri: this.uri,
      headers: [
        ['Via', this.sip.via(t)],
        MAX_FORWARDS,
        this.from,
        this.to,
        this.callId,
        ['CSeq', `${cseq} REGISTER`],
        this.contact!,
        expires === undefined ? this.expires : ['Expires', String(expires)],
        USER_AGENT,
      ],
      body: '',
    };
  }
}
