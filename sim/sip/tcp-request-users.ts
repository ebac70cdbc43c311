import type { TcpConnection } from '../net/tcp-connection.js';
import { SipRequest, parse, topBranch } from './message.js';
import type { ClientTransactionUser, RetransmitLimit } from './transaction-user.js';

/**
 * Transaction users a SIP stack puts between a client transaction over TCP/TLS and its TU: what
 * the stack does with the connection when the transaction ends (sip-endpoint.ts sendRequest).
 */

/**
 * When a request over TCP/TLS times out while its connection is still being set up, the stack
 * gives up on that connection (closes the socket): the next request starts a fresh connect
 * with its own SYN back-off, rather than queueing behind a dead one. With `onTimeout` 'keep'
 * (model option tcpConnectOnTimeout) it only drops the timed-out request from the
 * connection's queue, as a stack over a kernel socket does: the SYN back-off goes on, and the
 * next request to that address waits on the same connect (the pool hands it out while connecting).
 */
export function abandonUnconnected(tu: ClientTransactionUser, req: SipRequest, connection: () => TcpConnection | undefined, onTimeout: 'abandon' | 'keep'): ClientTransactionUser {
  const branch = topBranch(req);
  const isThisRequest = (data: Buffer): boolean => {
    const m = parse(data.toString('utf8'));
    return m?.type === 'request' && m.method === req.method && topBranch(m) === branch;
  };
  return {
    receiveResponse: (r) => tu.receiveResponse(r),
    onTransportError: (c) => tu.onTransportError(c),
    onRequestTimeout: (timer) => {
      const conn = connection();
      if (conn?.isOpen && conn.state !== 'established') {
        if (onTimeout === 'keep') conn.discardPending(isThisRequest);
        else conn.close();
      }
      tu.onRequestTimeout(timer);
    },
  };
}

/**
 * AMB-21 tcpRetryCounts = connectAttempts: a transport error from a connection that never came
 * up (not in `everConnected`: RST to the SYN, connect given up) sends the same request again with
 * a fresh Via branch — a new transaction, so a new connection is made — `left` times at most
 * (`resend` gets the request, the remaining bound and the note for its trace); then `tu` hears it.
 */
export function reconnecting(
  req: SipRequest,
  tu: ClientTransactionUser,
  left: number,
  connection: () => TcpConnection | undefined,
  everConnected: WeakSet<TcpConnection>,
  freshBranch: () => string,
  resend: (again: SipRequest, limit: RetransmitLimit, note: string) => void,
): ClientTransactionUser {
  return {
    receiveResponse: (r) => tu.receiveResponse(r),
    onRequestTimeout: (timer) => tu.onRequestTimeout(timer),
    onTransportError: (cause) => {
      const conn = connection();
      if (!conn || everConnected.has(conn)) return tu.onTransportError(cause);
      const via = req.headers.findIndex(([h]) => h.toLowerCase() === 'via');
      const again: SipRequest = { ...req, headers: req.headers.map(([n, v], i) => (i === via ? [n, v.replace(/branch=[^;]+/, `branch=${freshBranch()}`)] : [n, v])) };
      resend(again, { count: left - 1, giveUp: 'next-interval' }, `connect failed (${cause}); connecting again, ${left - 1} more allowed (tcpRetryCounts = connectAttempts)`);
    },
  };
}
