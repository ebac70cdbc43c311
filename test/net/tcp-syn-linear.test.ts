import { expect } from 'chai';
import { SIP1, TcpWorld, segments, states } from './tcp-harness.js';

/**
 * Linux ≥ 6.5's tcp_syn_linear_timeouts (TcpOptions.synLinearTimeouts): the first N SYN
 * retransmissions keep the initial 1 s RTO, then RFC 6298 doubling resumes, and connect allows
 * synRetries + N retransmissions before it gives up (Linux's tcp_write_timeout adds N).
 */
describe('TCP connect: linear SYN timeouts (Linux tcp_syn_linear_timeouts)', () => {
  function synInstants(synLinearTimeouts: number, synRetries = 6): { syns: number[]; closed: [number, string][] } {
    const w = new TcpWorld({ tcp: { synRetries, synLinearTimeouts } });
    w.sip1.mode = 'silent';
    w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
    w.run(400);
    return {
      syns: segments(w.records).filter((s) => s[2] === 'S').map((s) => s[0]),
      closed: states(w.records).filter((s) => s[2] === 'syn-sent→closed').map((s) => [s[0], s[3]]),
    };
  }

  it('0 (default): pure doubling, SYNs at 0, 1, 3, 7, 15, 31, 63 s, give up at 127 s', () => {
    expect(synInstants(0)).to.deep.equal({ syns: [0, 1, 3, 7, 15, 31, 63], closed: [[127, 'connect timeout after 6 SYN retransmissions']] });
  });

  it('2: gaps 1, 1, 1, 2, 4 … s (the kernel commit\'s own example) — SYNs at 0, 1, 2, 3, 5, 9, 17, 33, 65 s, give up at 129 s after 8', () => {
    expect(synInstants(2)).to.deep.equal({ syns: [0, 1, 2, 3, 5, 9, 17, 33, 65], closed: [[129, 'connect timeout after 8 SYN retransmissions']] });
  });

  it('4 with synRetries 6 (Linux 6.5+ defaults): five 1 s gaps, then 2, 4 … — 11 SYNs, give up at 131 s', () => {
    expect(synInstants(4)).to.deep.equal({ syns: [0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67], closed: [[131, 'connect timeout after 10 SYN retransmissions']] });
  });

  it('only SYNs are linear: a connection that came up still backs off its data retransmissions by doubling', () => {
    const w = new TcpWorld({ tcp: { synLinearTimeouts: 4 } });
    w.listen();
    const conn = w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
    w.run(1);
    w.sip1.mode = 'silent';
    conn.send(Buffer.from('hello'), 'hello');
    w.run(20);
    const sent = segments(w.records).filter((s) => s[1] === 'alice>sip1' && s[3].startsWith('hello')).map((s) => Math.round((s[0] - 1) * 1000) / 1000);
    expect(sent).to.deep.equal([0, 1, 3, 7, 15]);
  });
});
