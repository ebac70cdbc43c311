import type { Clock, EventHandle } from '../core/clock.js';
import type { Endpoint, RegistrationState, Trace } from '../core/trace.js';
import { SipRequest, SipResponse, header, headerSeconds } from '../sip/message.js';
import type { SipEndpoint } from '../sip/sip-endpoint.js';
import type { ClientTransactionUser } from '../sip/transaction-user.js';
import {
  RegistrationEffect, RegistrationInput, RegistrationMachineState, RegistrationPolicy, initialRegistration, nextRegistration,
} from './registration-machine.js';

export interface RegistrationTarget {
  phone: string;
  account: number;
  user: string;
  displayName: string;
  server: Endpoint;
  expires: number;
}

/**
 * Drives one account's registration with one server: runs the pure registration machine and
 * executes its effects (REGISTER through a non-INVITE client transaction, renewal and retry
 * timers), tracing each state change with its reason.
 */
export class RegistrationAgent {
  private state: RegistrationMachineState = initialRegistration;
  private timer: EventHandle = 0;
  private cseq = 0;
  private readonly callId: string;
  private readonly fromTag: string;
  readonly serverName: string;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly sip: SipEndpoint,
    private readonly target: RegistrationTarget,
    private readonly policy: RegistrationPolicy,
    private readonly onChange: (agent: RegistrationAgent, reason: string) => void,
  ) {
    this.callId = sip.ids.callId();
    this.fromTag = sip.ids.tag();
    this.serverName = sip.nameOf(target.server);
  }

  get phase(): RegistrationState {
    return this.state.phase;
  }

  start(reason: string): void {
    this.feed({ type: 'start', reason });
  }

  private feed(input: RegistrationInput): void {
    const step = nextRegistration(this.state, input, this.policy);
    this.state = step.state;
    for (const e of step.effects) this.run(e);
  }

  private run(e: RegistrationEffect): void {
    const { clock, target } = this;
    switch (e.type) {
      case 'transition':
        this.trace.emit({ kind: 'phone.registration', phone: target.phone, account: target.account, server: this.serverName, from: e.from, to: e.to, reason: e.reason });
        this.onChange(this, e.reason);
        return;
      case 'send-register':
        this.sip.sendRequest(this.buildRegister(), target.server, this.tu);
        return;
      case 'schedule-refresh':
        clock.cancel(this.timer);
        this.timer = clock.schedule(e.after, this.onRefreshDue, undefined, target.phone);
        return;
      case 'schedule-retry':
        clock.cancel(this.timer);
        this.timer = clock.schedule(e.after, this.onRetryDue, undefined, target.phone);
        return;
    }
  }

  private readonly onRefreshDue = (): void => this.feed({ type: 'refresh-due' });
  private readonly onRetryDue = (): void => this.feed({ type: 'retry-due' });

  private readonly tu: ClientTransactionUser = {
    receiveResponse: (res: SipResponse) => {
      if (res.status < 200) return;
      if (res.status < 300) {
        const granted = grantedSeconds(res) ?? this.target.expires;
        this.feed({ type: 'ok', grantedSeconds: granted, status: `${res.status} ${res.reason}` });
        return;
      }
      const retryAfter = headerSeconds(res, 'Retry-After');
      this.feed({
        type: 'fail',
        reason: `${res.status} ${res.reason}${retryAfter !== undefined ? `, Retry-After ${retryAfter}s` : ''}`,
        ...(retryAfter !== undefined ? { retryAfter: retryAfter * 1_000_000 } : {}),
      });
    },
    onRequestTimeout: (timer) => this.feed({ type: 'fail', reason: `Timer ${timer} fired: no response` }),
    onTransportError: (cause) => this.feed({ type: 'fail', reason: cause }),
  };

  private buildRegister(): SipRequest {
    const { target, sip } = this;
    const host = target.server.port === 5060 ? target.server.ip : `${target.server.ip}:${target.server.port}`;
    const aor = `sip:${target.user}@${host}`;
    const name = target.displayName ? `"${target.displayName}" ` : '';
    return {
      type: 'request',
      method: 'REGISTER',
      uri: `sip:${host}`,
      headers: [
        ['Via', `SIP/2.0/UDP ${sip.contact.ip}:${sip.contact.port};branch=${sip.ids.branch()};rport`],
        ['Max-Forwards', '70'],
        ['From', `${name}<${aor}>;tag=${this.fromTag}`],
        ['To', `${name}<${aor}>`],
        ['Call-ID', this.callId],
        ['CSeq', `${++this.cseq} REGISTER`],
        ['Contact', `<sip:${target.user}@${sip.contact.ip}:${sip.contact.port}>`],
        ['Expires', String(target.expires)],
        ['User-Agent', 'sipsim-phone'],
      ],
      body: '',
    };
  }
}

/** Granted lifetime: Contact's expires parameter, else the Expires header (RFC 3261 §10.2.4). */
function grantedSeconds(res: SipResponse): number | undefined {
  const p = /;expires=(\d+)/.exec(header(res, 'Contact') ?? '')?.[1];
  return p !== undefined ? Number(p) : headerSeconds(res, 'Expires');
}
