import { expect } from 'chai';
import type { TcpConnection } from '../../sim/net/tcp-connection.js';
import { ALICE_IP, SIP1, TcpWorld, drops, segments, states, tcpSends } from './tcp-harness.js';

function connected(w: TcpWorld): TcpConnection {
  w.listen();
  return w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
}

const text = (s: string): Buffer => Buffer.from(s);

describe('TCP peer crash and restart', () => {
  it('silent at 5 s, up at 10 s: the next segment at 20 s is answered with RST ⇒ onError(reset) one RTT later', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(5, () => (w.sip1.mode = 'silent'));
    w.at(10, () => (w.sip1.mode = 'up'));
    w.at(20, () => conn.send(text('REGISTER'), 'REGISTER'));
    w.run(30);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [20, 'alice>sip1', 'P.', 'REGISTER'],
      [20.02, 'sip1>alice', 'R', 'RST'],
    ]);
    const sends = tcpSends(w.records);
    // RFC 793 reset generation: the RST takes its sequence number from the offending segment's ACK.
    expect(sends[4]!.tcp).to.deep.equal({ flags: 'R', seq: sends[3]!.tcp!.ack, ack: 0 });
    expect(states(w.records).slice(4)).to.deep.equal([
      [5, 'sip1', 'established→closed', 'host down: connection state lost'],
      [20.04, 'alice', 'established→closed', 'reset by peer: it restarted'],
    ]);
    expect(w.log).to.deep.equal([
      [0.04, 'alice', 'connected'],
      [0.06, 'sip1', `accept ${ALICE_IP}:49152`],
      [5, 'sip1', 'error reset'], // the crashed side's application object hears it lost the connection
      [20.04, 'alice', 'error reset'],
    ]);
    expect(conn.state).to.equal('closed');
  });

  it('data sent while the peer is down is retransmitted until it is back, then reset', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(5, () => (w.sip1.mode = 'silent'));
    w.at(6, () => conn.send(text('INVITE'), 'INVITE'));
    w.at(10, () => (w.sip1.mode = 'up'));
    w.run(30);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [6, 'alice>sip1', 'P.', 'INVITE'],
      [7, 'alice>sip1', 'P.', 'INVITE [retransmission]'],
      [9, 'alice>sip1', 'P.', 'INVITE [retransmission]'],
      [13, 'alice>sip1', 'P.', 'INVITE [retransmission]'],
      [13.02, 'sip1>alice', 'R', 'RST'],
    ]);
    expect(drops(w.records)).to.deep.equal([
      [6.02, 'alice>sip1', 'silent'],
      [7.02, 'alice>sip1', 'silent'],
      [9.02, 'alice>sip1', 'silent'],
    ]);
    expect(w.log.filter((l) => l[1] === 'alice')).to.deep.equal([
      [0.04, 'alice', 'connected'],
      [13.04, 'alice', 'error reset'],
    ]);
  });

  it("service ports closed ('unreachable') answer at once: reset by peer, port closed", () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(5, () => (w.sip1.mode = 'unreachable'));
    w.at(6, () => conn.send(text('OPTIONS'), 'OPTIONS'));
    w.run(10);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [6, 'alice>sip1', 'P.', 'OPTIONS'],
      [6.02, 'sip1>alice', 'R', 'RST'],
    ]);
    expect(states(w.records, 'alice').slice(-1)).to.deep.equal([[6.04, 'alice', 'established→closed', 'reset by peer: port closed']]);
  });

  it('a partition is not a crash: data waits and flows once healed, no reset', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(5, () => w.links.partition('alice', 'sip1'));
    w.at(6, () => conn.send(text('MESSAGE'), 'MESSAGE'));
    w.at(8, () => w.links.heal('alice', 'sip1'));
    w.run(20);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [6, 'alice>sip1', 'P.', 'MESSAGE'],
      [7, 'alice>sip1', 'P.', 'MESSAGE [retransmission]'],
      [9, 'alice>sip1', 'P.', 'MESSAGE [retransmission]'],
      [9.02, 'sip1>alice', '.', 'ACK'],
    ]);
    expect(drops(w.records).map((d) => d[2])).to.deep.equal(['partition', 'partition']);
    expect(w.log.slice(2)).to.deep.equal([[9.02, 'sip1', 'data MESSAGE']]);
  });

  it('markCrashed(host) has the same effect for callers that do not change the mode', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(5, () => w.tcp.markCrashed('sip1'));
    w.at(6, () => conn.send(text('BYE'), 'BYE'));
    w.run(10);
    expect(states(w.records).slice(4)).to.deep.equal([
      [5, 'sip1', 'established→closed', 'host crashed: connection state lost'],
      [6.04, 'alice', 'established→closed', 'reset by peer: it restarted'],
    ]);
  });

  it('after the restart a new connection to the same listener works', () => {
    const w = new TcpWorld();
    const conn = connected(w);
    w.at(5, () => (w.sip1.mode = 'silent'));
    w.at(10, () => (w.sip1.mode = 'up'));
    w.at(20, () => conn.send(text('REGISTER'), 'REGISTER'));
    w.at(21, () => w.tcp.connect('alice', SIP1, {}, w.recorder('alice2')));
    w.run(30);
    expect(w.log.filter((l) => l[1] === 'alice2')).to.deep.equal([[21.04, 'alice2', 'connected']]);
    expect(w.tcp.connections('alice').map((c) => [c.id, c.local.port, c.state])).to.deep.equal([[2, 49153, 'established']]);
  });
});
