import type { Located } from '../dns/server-locator.js';
import type { SipRequest } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';

/** What a SUBSCRIBE needs besides the endpoint: the account's identity and the dialog's identifiers. */
export interface SubscribeParts {
  user: string;
  domain: string;
  event: string;
  callId: string;
  fromTag: string;
  /** The notifier's tag from the 2xx: a refresh inside the dialog carries it (RFC 6665 §4.1.2.1). */
  toTag: string | undefined;
  cseq: number;
  expires: number;
}

/** A SUBSCRIBE for one event package (RFC 6665 §4.1.2), initial or a refresh. */
export function subscribeRequest(sip: SipEndpoint, server: Located, p: SubscribeParts): SipRequest {
  const aor = `sip:${p.user}@${p.domain}`;
  return {
    type: 'request',
    method: 'SUBSCRIBE',
    uri: aor,
    headers: [
      ['Via', sip.via(server.transport)],
      ['Max-Forwards', '70'],
      ['From', `<${aor}>;tag=${p.fromTag}`],
      ['To', p.toTag !== undefined ? `<${aor}>;tag=${p.toTag}` : `<${aor}>`],
      ['Call-ID', p.callId],
      ['CSeq', `${p.cseq} SUBSCRIBE`],
      ['Contact', sip.contactFor(p.user, server.transport)],
      ['Event', p.event],
      ['Expires', String(p.expires)],
    ],
    body: '',
  };
}
