import { expect } from 'chai';
import fc from 'fast-check';
import { RetryLedger } from '../../sim/sip/retry-ledger.js';
import type { ClientTransaction, ClientTransactionUser, RetransmitLimit } from '../../sim/sip/transaction-user.js';
import type { SipResponse } from '../../sim/sip/message.js';

/**
 * The AMB-01 retryCountScope = perServer ledger: what a request to an address is left of its
 * retry_counts bound after earlier unanswered requests there.
 */
const sip1 = { ip: '10.0.0.1', port: 5060, transport: 'udp' };
const sip2 = { ip: '10.0.0.2', port: 5060, transport: 'udp' };
const OK = { status: 200 } as SipResponse;
const noop: ClientTransactionUser = { receiveResponse() {}, onRequestTimeout() {}, onTransportError() {} };
const txnWith = (retriesUsed: number) => () => ({ retriesUsed }) as ClientTransaction;

type Step = { kind: 'timeout' | 'icmp' | 'answer'; to: 0 | 1; used: number };

describe('RetryLedger (AMB-01 retryCountScope = perServer)', () => {
  it('a timed-out request that used 3 retries leaves the next request to that address 0 of 3, another address all 3; an answer restores it', () => {
    const ledger = new RetryLedger();
    const limit: RetransmitLimit = { count: 3, giveUp: 'next-interval' };
    ledger.watch(sip1, noop, txnWith(3)).onRequestTimeout('retry-counts');
    expect(ledger.limitFor(sip1, limit)).to.deep.equal({ count: 0, giveUp: 'next-interval' });
    expect(ledger.limitFor(sip2, limit)).to.equal(limit);
    expect(ledger.limitFor(sip1, undefined)).to.equal(undefined);
    ledger.watch(sip1, noop, txnWith(0)).receiveResponse(OK);
    expect(ledger.limitFor(sip1, limit)).to.equal(limit);
  });

  it('the same address over TCP is another account', () => {
    const ledger = new RetryLedger();
    ledger.watch(sip1, noop, txnWith(2)).onTransportError('ICMP');
    expect(ledger.usedBy(sip1)).to.equal(2);
    expect(ledger.usedBy({ ...sip1, transport: 'tcp' })).to.equal(0);
  });

  it('property: what is left is the bound less the retries used since the address last answered, never below 0, and the outcome reaches the user', () => {
    const step = fc.record({ kind: fc.constantFrom('timeout' as const, 'icmp' as const, 'answer' as const), to: fc.constantFrom(0 as const, 1 as const), used: fc.integer({ min: 0, max: 12 }) });
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 0, max: 20 }), (steps: Step[], count) => {
      const ledger = new RetryLedger();
      const model = [0, 0];
      let told = 0;
      const user: ClientTransactionUser = { receiveResponse: () => told++, onRequestTimeout: () => told++, onTransportError: () => told++ };
      for (const s of steps) {
        const dst = s.to === 0 ? sip1 : sip2;
        const tu = ledger.watch(dst, user, txnWith(s.used));
        if (s.kind === 'answer') {
          tu.receiveResponse(OK);
          model[s.to] = 0;
        } else {
          if (s.kind === 'timeout') tu.onRequestTimeout('F');
          else tu.onTransportError('ICMP port unreachable');
          model[s.to] += s.used;
        }
        for (const i of [0, 1] as const) {
          const left = ledger.limitFor(i === 0 ? sip1 : sip2, { count, giveUp: 'at-once' })!;
          expect(left.count).to.equal(Math.max(0, count - model[i]!));
          expect(left.giveUp).to.equal('at-once');
        }
      }
      expect(told).to.equal(steps.length);
    }));
  });
});
