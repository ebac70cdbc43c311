import { expect } from 'chai';
import { LazySendRecord, sentNothing } from '../../sim/net/lazy-payload.js';
import { matches } from '../../sim/scenario/expectations.js';
import type { Matcher } from '../../sim/scenario/scenario.js';
import type { TraceEvent } from '../../sim/core/trace.js';

// A `sends` expectation is asked of every packet between its hosts; a SIP packet's text is built
// only when a sink needs its bytes (a sweep or a fleet has none), so the matcher must not build it.
describe('sends matchers and lazy SIP payloads', () => {
  const src = { ip: '10.0.0.10', port: 5060 };
  const dst = { ip: '10.0.0.1', port: 5060 };
  let built = 0;
  const payload = { get bytes(): Buffer { built++; return Buffer.from('INVITE sip:2000@10.0.0.1 SIP/2.0\r\n\r\n'); }, decoded: {} };
  const lazy = (label: string): TraceEvent => Object.assign(new LazySendRecord(1, 'alice', 'sip1', src, dst, payload, label), { t: 0 }) as unknown as TraceEvent;
  const invite: Matcher = { kind: 'sends', from: 'alice', to: 'sip1', method: 'INVITE' } as Matcher;
  const ok: Matcher = { kind: 'sends', from: 'alice', to: 'sip1', status: 200 } as Matcher;

  it('matches an INVITE by its label and a 200 by its status without building the packet text', () => {
    built = 0;
    expect(matches(invite, lazy('INVITE'))).to.equal(true);
    expect(matches(invite, lazy('ACK'))).to.equal(false);
    expect(matches(ok, lazy('200 OK (INVITE)'))).to.equal(true);
    expect(matches(ok, lazy('INVITE'))).to.equal(false);
    expect(built).to.equal(0);
  });

  it('still tells a TCP control segment (no payload) from a SIP message', () => {
    const segment = { kind: 'net.send', t: 0, id: 2, from: 'alice', to: 'sip1', proto: 'tcp', src, dst, bytes: Buffer.alloc(0), label: 'TCP SYN' } as unknown as TraceEvent;
    expect(sentNothing(segment as unknown as { bytes: Buffer })).to.equal(true);
    expect(matches(invite, segment)).to.equal(false);
    expect(sentNothing(lazy('INVITE') as unknown as { bytes: Buffer })).to.equal(false);
  });
});
