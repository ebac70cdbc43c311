import type { NetSend, TraceEvent } from '../sim/core/trace.js';
import { formatDuration } from '../sim/core/time.js';

/** The words of the text ladder: packet labels, drop reasons and the notes of state-change rows. */

export const DROP_WORDS: Record<string, string> = {
  loss: 'link loss',
  partition: 'partitioned',
  silent: 'destination silent',
  'sender-down': 'sender is down',
  'host-unreachable': 'host unreachable (ICMP back)',
};

/** How sim/net/tcp-connection.ts marks a segment sent again after its retransmission timer fired. */
const TCP_AGAIN = ' [retransmission]';

/**
 * An arrow's label. What TCP does on its own reads as TCP: its control segments ("TCP SYN",
 * "TCP ACK" when a lost one is shown), and a segment it sends again, which the SIP layer sent
 * once: "TCP retransmission (INVITE)", never a second INVITE.
 */
export function packetLabel(r: NetSend): string {
  if (r.proto === 'icmp') return r.icmp?.code === 1 ? 'ICMP host unreachable' : 'ICMP unreachable';
  if (r.proto !== 'tcp') return r.label;
  if (isTcpRetransmission(r)) return `TCP retransmission (${r.label.slice(0, -TCP_AGAIN.length)})`;
  if (r.bytes.length === 0) return `TCP ${r.label}`;
  return r.label;
}

export function isTcpRetransmission(r: NetSend): boolean {
  return r.proto === 'tcp' && r.label.endsWith(TCP_AGAIN);
}

const SUBSCRIPTION_WORDS = { subscribe: 'SUBSCRIBE to', refresh: 'refresh to', keep: 'kept on', drop: 'dropped from' } as const;

export function marker(r: TraceEvent): { host: string; text: string } | undefined {
  switch (r.kind) {
    case 'sip.timeout':
      return { host: r.host, text: r.timer === 'retry-counts' ? `${r.method} to ${r.peer} gave up: retry counts reached` : `Timer ${r.timer} fired (${r.method} to ${r.peer}): no response` };
    case 'sip.transport-error':
      return { host: r.host, text: `${r.method} to ${r.peer}: transport error: ${r.cause}` };
    case 'phone.registration':
      return { host: r.phone, text: `registration on ${r.server}: ${r.from} → ${r.to} (${r.reason})` };
    case 'phone.register-attempt':
      return { host: r.phone, text: `REGISTER to ${r.server}: ${r.reason}` };
    case 'phone.working-server':
      return { host: r.phone, text: `working server ${r.server ? `is now ${r.server}` : 'none: no registration'} (${r.reason})` };
    case 'call.state':
      return { host: r.phone, text: `call ${r.call} ${r.from} → ${r.to}${r.server && r.to === 'trying' ? ` ${r.server}` : ''} (${r.reason})` };
    case 'call.outcome':
      return {
        host: r.phone,
        text: `call ${r.call} to ${r.to} ${r.outcome.toUpperCase()}${r.via ? ` via ${r.via}` : ''} after ${formatDuration(r.setup)} (tried ${r.tried.join(', ') || 'nothing'})`,
      };
    case 'call.bye':
      return { host: r.phone, text: `call ${r.call} BYE${r.server ? ` to ${r.server}` : ''} (${r.reason})` };
    case 'call.incoming':
      return { host: r.phone, text: `incoming call from ${r.caller} via ${r.via} ${r.outcome.toUpperCase()}${r.setup ? ` after ${formatDuration(r.setup)}` : ''} (${r.reason})` };
    case 'phone.feature':
      return { host: r.phone, text: `${r.feature} ${r.available ? 'available' : 'LOST'}${r.server ? ` on ${r.server}` : ''} (${r.reason})` };
    case 'phone.subscription':
      return { host: r.phone, text: `${r.feature} subscription: ${SUBSCRIPTION_WORDS[r.action]} ${r.server} (${r.reason})` };
    case 'host.state':
      return { host: r.host, text: `now ${r.mode} (${r.reason})` };
    // A queued arrival is not a state change worth a row (a busy server has thousands); a shed one is.
    case 'server.load':
      return r.action === 'shed' ? { host: r.host, text: `${r.method} shed, queue full (${r.queue} waiting): ${r.overload === '503' ? '503 at once' : 'dropped'}` } : undefined;
    case 'server.queue-lost':
      return { host: r.host, text: `${r.lost} queued request${r.lost === 1 ? '' : 's'} lost (${r.reason})` };
    default:
      return undefined;
  }
}
