import type { Located } from '../dns/server-locator.js';
import type { SipRequest } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import type { RegistrationTarget } from './registration-agent.js';

/** What stays the same across one registration's REGISTERs (RFC 3261 §10.2: same Call-ID, From tag, rising CSeq). */
export interface RegisterDialog {
  callId: string;
  fromTag: string;
  cseq: number;
  /** Expires asked for; the server's configured expires when absent (0: un-REGISTER, RFC 3261 §10.2.2). */
  expires?: number;
}

/** The REGISTER for `target` sent to `server` (RFC 3261 §10.2): AOR from the configured server, Contact on the transport used. */
export function registerRequest(target: RegistrationTarget, sip: SipEndpoint, server: Located, d: RegisterDialog): SipRequest {
  const s = target.server;
  const domain = s.port === 0 || s.port === 5060 ? s.address : `${s.address}:${s.port}`;
  const aor = `sip:${target.user}@${domain}`;
  const name = target.displayName ? `"${target.displayName}" ` : '';
  return {
    type: 'request',
    method: 'REGISTER',
    uri: `sip:${domain}`,
    headers: [
      ['Via', sip.via(server.transport)],
      ['Max-Forwards', '70'],
      ['From', `${name}<${aor}>;tag=${d.fromTag}`],
      ['To', `${name}<${aor}>`],
      ['Call-ID', d.callId],
      ['CSeq', `${d.cseq} REGISTER`],
      ['Contact', sip.contactFor(target.user, server.transport)],
      ['Expires', String(d.expires ?? s.expires)],
      ['User-Agent', 'sipsim-phone'],
    ],
    body: '',
  };
}
