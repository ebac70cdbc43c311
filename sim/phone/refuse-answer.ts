import type { SipResponse, SipRequest } from '../sip/message.js';
import { cseq, header } from '../sip/message.js';
import type { SipEndpoint, SipTarget } from '../sip/sip-endpoint.js';
import { NO_OUTCOME } from '../sip/transaction-user.js';

/**
 * A 2xx to an INVITE the phone no longer wants — it gave up on the attempt (Timer B, retry
 * counts, CANCEL) or the call is over — still creates a dialog at the server. RFC 3261
 * §13.2.2.4 asks the UAC core to ACK every 2xx and, not wanting the session, to BYE it at once
 * (§15); otherwise the server keeps a dialog nobody will ever close. Both requests are built
 * from the response (its Call-ID, From, To with the server's tag, CSeq number, Contact).
 */
export function refuseAnswer(sip: SipEndpoint, res: SipResponse, to: SipTarget): void {
  const contact = /<([^>]+)>/.exec(header(res, 'Contact') ?? '')?.[1];
  const uri = contact ?? `sip:${to.ip}${to.port === 5060 ? '' : `:${to.port}`}`;
  const seq = cseq(res).seq;
  const build = (method: 'ACK' | 'BYE', n: number): SipRequest => ({
    type: 'request',
    method,
    uri,
    headers: [
      ['Via', sip.via(to.transport)], // a branch of its own for each (§8.1.1.7, §17.1.1.3)
      ['Max-Forwards', '70'],
      ['From', header(res, 'From') ?? ''],
      ['To', header(res, 'To') ?? ''],
      ['Call-ID', header(res, 'Call-ID') ?? ''],
      ['CSeq', `${n} ${method}`],
    ],
    body: '',
  });
  sip.sendStateless(build('ACK', seq), to);
  sip.sendRequest(build('BYE', seq + 1), to, NO_OUTCOME);
}

/** Is this a 2xx to an INVITE (the only responses that open a dialog at the server)? */
export function isInvite2xx(res: SipResponse): boolean {
  return res.status >= 200 && res.status < 300 && cseq(res).method === 'INVITE';
}
