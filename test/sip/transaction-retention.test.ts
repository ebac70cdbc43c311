import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Clock } from '../../sim/core/clock.js';
import { sec } from '../../sim/core/time.js';
import { Trace } from '../../sim/core/trace.js';
import { responseTo, SipRequest } from '../../sim/sip/message.js';
import { NonInviteClientTransaction } from '../../sim/sip/non-invite-client-transaction.js';
import { NonInviteServerTransaction } from '../../sim/sip/non-invite-server-transaction.js';
import { timerValues } from '../../sim/sip/timers.js';
import type { ClientTransactionUser, TransactionContext } from '../../sim/sip/transaction-user.js';

/**
 * What a transaction keeps while it waits out Timer J or K. A fleet's server holds every
 * REGISTER's transaction 32 s after answering it, and each phone its own for 5 s: long enough,
 * at 10⁴–10⁵ phones, for whatever they reference to be copied into the old generation and
 * collected there later. These pin that a Completed transaction keeps only what it still needs.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/** A full GC in a later job: a WeakRef's target is kept alive to the end of the job that made or read it. */
async function gc(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  collect();
}

function context(clock: Clock): TransactionContext {
  return {
    clock,
    trace: new Trace(() => clock.now),
    host: 'ua',
    timers: timerValues({ t1: sec(0.5), t2: sec(4), t4: sec(5) }, false),
    send: () => {},
    nameOf: (ep) => ep.ip,
    onTerminated: () => {},
  };
}

function register(branch: string): SipRequest {
  return {
    type: 'request', method: 'REGISTER', uri: 'sip:10.0.0.1',
    headers: [
      ['Via', `SIP/2.0/UDP 10.0.0.10:5060;branch=${branch}`],
      ['From', '<sip:1000@10.0.0.1>;tag=f1'],
      ['To', '<sip:1000@10.0.0.1>'],
      ['Call-ID', 'c1@10.0.0.10'],
      ['CSeq', '1 REGISTER'],
      ['Contact', '<sip:1000@10.0.0.10:5060>'],
    ],
    body: '',
  };
}

const DST = { ip: '10.0.0.1', port: 5060 };

describe('what a transaction keeps while it waits out its last timer', () => {
  it('a non-INVITE server transaction in Completed keeps its response, not the request', async () => {
    const clock = new Clock();
    const sent: unknown[] = [];
    const ctx = { ...context(clock), send: (m: unknown) => void sent.push(m) };
    let request: WeakRef<SipRequest>;
    const txn = ((): NonInviteServerTransaction => {
      const req = register('z9hG4bK-1');
      request = new WeakRef(req);
      const t = new NonInviteServerTransaction(ctx, req, DST);
      t.respond(responseTo(req, 200, [], 'srv-tag'));
      return t;
    })();
    await gc();
    expect(txn.terminated).to.equal(false);
    expect(request!.deref(), 'the request, 32 s before Timer J').to.equal(undefined);
    // It still answers a retransmission of the request with the same response.
    txn.receiveRequest(register('z9hG4bK-1'));
    expect(sent).to.have.length(2);
    expect(sent[1]).to.equal(sent[0]);
  });

  it('a non-INVITE client transaction lets go of its user at the final response, not before', async () => {
    const clock = new Clock();
    const ctx = context(clock);
    let user: WeakRef<ClientTransactionUser>;
    const heard: number[] = [];
    const req = register('z9hG4bK-2');
    const txn = ((): NonInviteClientTransaction => {
      const tu: ClientTransactionUser = { receiveResponse: (r) => void heard.push(r.status), onRequestTimeout: () => {}, onTransportError: () => {} };
      user = new WeakRef(tu);
      const t = new NonInviteClientTransaction(ctx, req, DST, tu);
      t.start();
      return t;
    })();
    txn.receiveResponse(responseTo(req, 100));
    await gc();
    expect(user!.deref(), 'the user while the transaction is Proceeding').to.not.equal(undefined);
    txn.receiveResponse(responseTo(req, 200, [], 'srv-tag'));
    // A retransmitted 200 during Timer K is absorbed: the user heard each status once.
    txn.receiveResponse(responseTo(req, 200, [], 'srv-tag'));
    await gc();
    expect(heard).to.deep.equal([100, 200]);
    expect(txn.terminated).to.equal(false);
    expect(user!.deref(), 'the user during Timer K').to.equal(undefined);
  });
});
