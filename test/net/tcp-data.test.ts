import { expect } from 'chai';
import { payloadText } from '../../sim/core/trace.js';
import { sec } from '../../sim/core/time.js';
import type { TcpConnection } from '../../sim/net/tcp-connection.js';
import { SIP1, TcpWorld, drops, segments, states, tcpSends } from './tcp-harness.js';

/** Connects alice → sip1 at 0 (established at 40 ms: RTT sample 40 ms ⇒ RTO clamped to 1 s). */
function connected(w: TcpWorld, echo = false): TcpConnection {
  w.listen(5060, { echo });
  return w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
}

const text = (s: string): Buffer => Buffer.from(s);

describe('TCP data (message-level, RTT 40 ms)', () => {
  it('each send is one P. segment; seq advances by its length; the receiver ACKs it at once', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(0.1, () => conn.send(text('REGISTER'), 'REGISTER'));
    w.at(0.2, () => conn.send(text('INVITE'), 'INVITE'));
    w.run(1);
    const sends = tcpSends(w.records);
    const [syn, synAck] = sends;
    // Sequence numbers relative to each side's ISN, as Wireshark shows them.
    const a = (n: number): number => (syn!.tcp!.seq + n) >>> 0;
    const b = (n: number): number => (synAck!.tcp!.seq + n) >>> 0;
    expect(sends.slice(3).map((r) => [r.t / 1e6, r.from, r.tcp, payloadText(r), r.label])).to.deep.equal([
      [0.1, 'alice', { flags: 'P.', seq: a(1), ack: b(1) }, 'REGISTER', 'REGISTER'],
      [0.12, 'sip1', { flags: '.', seq: b(1), ack: a(9) }, '', 'ACK'],
      [0.2, 'alice', { flags: 'P.', seq: a(9), ack: b(1) }, 'INVITE', 'INVITE'],
      [0.22, 'sip1', { flags: '.', seq: b(1), ack: a(15) }, '', 'ACK'],
    ]);
    expect(w.log.filter((l) => l[1] === 'sip1' && l[2].startsWith('data'))).to.deep.equal([
      [0.12, 'sip1', 'data REGISTER'],
      [0.22, 'sip1', 'data INVITE'],
    ]);
  });

  it('an answer sent from onData carries the ACK: no separate pure ACK', () => {
    const w = new TcpWorld();
    const conn = connected(w, true);
    w.at(0.1, () => conn.send(text('OPTIONS'), 'OPTIONS'));
    w.run(1);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [0.1, 'alice>sip1', 'P.', 'OPTIONS'],
      [0.12, 'sip1>alice', 'P.', 'echo'],
      [0.14, 'alice>sip1', '.', 'ACK'],
    ]);
  });

  it('a lost data segment is retransmitted at RTO (1 s) and delivered once; a later one waits for it (in order)', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(0.1, () => {
      w.links.update('alice', 'sip1', { loss: 1 });
      conn.send(text('msg1'), 'msg1');
      w.links.update('alice', 'sip1', { loss: 0 });
    });
    w.at(0.11, () => conn.send(text('msg2'), 'msg2'));
    w.run(3);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [0.1, 'alice>sip1', 'P.', 'msg1'],
      [0.11, 'alice>sip1', 'P.', 'msg2'],
      [0.13, 'sip1>alice', '.', 'ACK'], // duplicate ACK: msg2 held, msg1 missing
      [1.1, 'alice>sip1', 'P.', 'msg1 [retransmission]'],
      [1.12, 'sip1>alice', '.', 'ACK'], // covers msg1 and msg2
    ]);
    expect(drops(w.records)).to.deep.equal([[0.1, 'alice>sip1', 'loss']]);
    expect(w.log.filter((l) => l[1] === 'sip1')).to.deep.equal([
      [0.06, 'sip1', 'accept 10.0.0.10:49152'],
      [1.12, 'sip1', 'data msg1'],
      [1.12, 'sip1', 'data msg2'],
    ]);
    // The dup ACK and the final ACK carry the right cumulative numbers.
    const [syn, , , , , dupAck, , finalAck] = tcpSends(w.records);
    expect(dupAck!.tcp!.ack).to.equal((syn!.tcp!.seq + 1) >>> 0);
    expect(finalAck!.tcp!.ack).to.equal((syn!.tcp!.seq + 1 + 8) >>> 0);
    // Karn: no RTT sample from the retransmitted segment — the RTO stays backed off (2 s).
    expect(conn.currentRto).to.equal(sec(2));
  });

  it('a lost ACK makes the sender retransmit; the receiver re-ACKs and does not deliver twice', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(0.12, () => w.links.update('alice', 'sip1', { loss: 1 })); // before msg1 arrives (same instant, scheduled first)
    w.at(0.121, () => w.links.update('alice', 'sip1', { loss: 0 }));
    w.at(0.1, () => conn.send(text('msg1'), 'msg1'));
    w.run(3);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [0.1, 'alice>sip1', 'P.', 'msg1'],
      [0.12, 'sip1>alice', '.', 'ACK'],
      [1.1, 'alice>sip1', 'P.', 'msg1 [retransmission]'],
      [1.12, 'sip1>alice', '.', 'ACK'],
    ]);
    expect(drops(w.records)).to.deep.equal([[0.12, 'sip1>alice', 'loss']]);
    expect(w.log.filter((l) => l[2].startsWith('data'))).to.deep.equal([[0.12, 'sip1', 'data msg1']]);
  });

  it('retransmissions back off 1, 2, 4, 8 … s (cap 120 s) and give up after dataRetries with onError(timeout)', () => {
    const w = new TcpWorld({ tcp: { dataRetries: 4 } });
    const conn = connected(w);
    w.at(1, () => w.links.partition('alice', 'sip1'));
    w.at(2, () => conn.send(text('lost'), 'lost'));
    w.run(100);
    const data = segments(w.records).filter((r) => r[2] === 'P.');
    expect(data.map((r) => r[0])).to.deep.equal([2, 3, 5, 9, 17]);
    expect(states(w.records, 'alice').slice(-1)).to.deep.equal([[33, 'alice', 'established→closed', 'data timeout after 4 retransmissions']]);
    expect(w.log.filter((l) => l[1] === 'alice')).to.deep.equal([
      [0.04, 'alice', 'connected'],
      [33, 'alice', 'error timeout'],
    ]);
  });

  it('default dataRetries 15: RTO 1 … 64 s, then capped at 120 s ⇒ timeout 1207 s after the first send', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(1, () => w.sip1.mode = 'silent');
    w.at(2, () => conn.send(text('lost'), 'lost'));
    w.run(3000);
    const data = segments(w.records).filter((r) => r[2] === 'P.').map((r) => r[0] - 2);
    expect(data).to.deep.equal([0, 1, 3, 7, 15, 31, 63, 127, 247, 367, 487, 607, 727, 847, 967, 1087]);
    expect(w.log.filter((l) => l[2] === 'error timeout')).to.deep.equal([[1209, 'alice', 'error timeout']]);
  });

  it('RTT samples set RTO = SRTT + max(G, 4·RTTVAR), clamped to ≥ 1 s; slow links raise it', () => {
    const w = new TcpWorld({ link: { delay: sec(0.4) } }); // RTT 800 ms: 800 + 4·400 = 2.4 s
    const conn = connected(w);
    w.run(1);
    expect(conn.currentRto).to.equal(sec(2.4));
    w.at(2, () => conn.send(text('x'), 'x')); // second sample 800 ms: RTTVAR 300 ⇒ 800 + 1200
    w.run(3);
    expect(conn.currentRto).to.equal(sec(2));
  });

  it('with loss and jitter (segments overtake each other) every message arrives once, in order', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const w = new TcpWorld({ seed, link: { loss: 0.25, jitter: sec(0.05) } });
      const conn = connected(w);
      const sent: string[] = [];
      for (let i = 0; i < 30; i++) {
        w.at(0.01 * i, () => {
          const m = `m${i}`;
          sent.push(m);
          conn.send(text(m), m);
        });
      }
      w.run(600);
      const got = w.log.filter((l) => l[1] === 'sip1' && l[2].startsWith('data')).map((l) => l[2].slice(5));
      expect(got, `seed ${seed}`).to.deep.equal(sent);
      // The run really exercised loss recovery and reordering.
      const labels = segments(w.records).map((r) => r[3]);
      expect(labels.filter((l) => l.endsWith('[retransmission]')).length, `seed ${seed}`).to.be.greaterThan(0);
      expect(drops(w.records).length, `seed ${seed}`).to.be.greaterThan(0);
    }
  });

  it('close(): FIN, the peer answers FIN, both get onClosed; the closer keeps TIME-WAIT for 60 s', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(0.1, () => conn.close());
    w.run(100);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [0.1, 'alice>sip1', 'F.', 'FIN'],
      [0.12, 'sip1>alice', 'F.', 'FIN'],
      [0.14, 'alice>sip1', '.', 'ACK'],
    ]);
    expect(states(w.records).slice(4)).to.deep.equal([
      [0.1, 'alice', 'established→fin-wait', 'closed by the application'],
      [0.12, 'sip1', 'established→last-ack', 'FIN received: the peer closed'],
      [0.14, 'alice', 'fin-wait→time-wait', 'FIN received'],
      [0.16, 'sip1', 'last-ack→closed', 'FIN acknowledged'],
      [60.14, 'alice', 'time-wait→closed', 'TIME-WAIT over'],
    ]);
    expect(w.log.filter((l) => l[2] === 'closed')).to.deep.equal([
      [0.12, 'sip1', 'closed'],
      [0.14, 'alice', 'closed'],
    ]);
    expect(() => conn.send(text('late'), 'late')).to.throw('Cannot send on TCP connection 1 (alice → sip1): it is closed');
  });

  it('TIME-WAIT gives way to a new connection on the same 4-tuple (a fixed local port, RFC 1122 §4.2.2.13)', () => {
    const w = new TcpWorld();
    const accepted = w.listen();
    const first = w.tcp.connect('alice', SIP1, { localPort: 5060 }, w.recorder('first'));
    w.at(1, () => accepted[0]!.close()); // the server closes first: sip1 ends in TIME-WAIT
    w.at(2, () => first.state === 'closed' && w.tcp.connect('alice', SIP1, { localPort: 5060 }, w.recorder('second')));
    w.run(5);
    expect(states(w.records, 'sip1').slice(2)).to.deep.equal([
      [1, 'sip1', 'established→fin-wait', 'closed by the application'],
      [1.04, 'sip1', 'fin-wait→time-wait', 'FIN received'],
      [2.02, 'sip1', 'time-wait→closed', 'TIME-WAIT ended: a new SYN for the same 4-tuple'],
      [2.02, 'sip1', 'closed→syn-received', 'SYN received'],
      [2.06, 'sip1', 'syn-received→established', 'ACK received'],
    ]);
    expect(w.log.filter((l) => l[1] !== 'sip1')).to.deep.equal([
      [0.04, 'first', 'connected'],
      [1.02, 'first', 'closed'],
      [2.04, 'second', 'connected'],
    ]);
  });

  it('data sent while connecting waits and goes out, in order, right after the handshake', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    conn.send(text('first'), 'first');
    conn.send(text('second'), 'second');
    w.run(1);
    expect(segments(w.records)).to.deep.equal([
      [0, 'alice>sip1', 'S', 'SYN'],
      [0.02, 'sip1>alice', 'S.', 'SYN-ACK'],
      [0.04, 'alice>sip1', '.', 'ACK'],
      [0.04, 'alice>sip1', 'P.', 'first'],
      [0.04, 'alice>sip1', 'P.', 'second'],
      [0.06, 'sip1>alice', '.', 'ACK'],
      [0.06, 'sip1>alice', '.', 'ACK'],
    ]);
    expect(w.log.filter((l) => l[1] === 'sip1')).to.deep.equal([
      [0.06, 'sip1', 'accept 10.0.0.10:49152'],
      [0.06, 'sip1', 'data first'],
      [0.06, 'sip1', 'data second'],
    ]);
  });
});
