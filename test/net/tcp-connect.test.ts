import { expect } from 'chai';
import { sec } from '../../sim/core/time.js';
import { EPHEMERAL_FIRST } from '../../sim/net/tcp-network.js';
import { ALICE_IP, SIP1, SIP1_IP, TcpWorld, drops, segments, states, tcpSends } from './tcp-harness.js';

/** SYN instants of RFC 6298 back-off from 1 s: 0, 1, 3, 7, 15, 31, 63 s (6 retransmissions). */
const SYN_INSTANTS = [0, 1, 3, 7, 15, 31, 63];

describe('TCP connect (message-level, RTT 40 ms)', () => {
  describe('to a listener', () => {
    it('is established on the client one round trip after the SYN, on the server half a round trip later', () => {
      const w = new TcpWorld();
      w.listen();
      w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
      w.run(1);
      expect(segments(w.records)).to.deep.equal([
        [0, 'alice>sip1', 'S', 'SYN'],
        [0.02, 'sip1>alice', 'S.', 'SYN-ACK'],
        [0.04, 'alice>sip1', '.', 'ACK'],
      ]);
      expect(states(w.records)).to.deep.equal([
        [0, 'alice', 'closed→syn-sent', 'connect to 10.0.0.1:5060'],
        [0.02, 'sip1', 'closed→syn-received', 'SYN received'],
        [0.04, 'alice', 'syn-sent→established', 'SYN-ACK received'],
        [0.06, 'sip1', 'syn-received→established', 'ACK received'],
      ]);
      expect(w.log).to.deep.equal([
        [0.04, 'alice', 'connected'],
        [0.06, 'sip1', `accept ${ALICE_IP}:${EPHEMERAL_FIRST}`],
      ]);
    });

    it('numbers the handshake like RFC 793: SYN takes one sequence number, each side acknowledges the other ISN + 1', () => {
      const w = new TcpWorld();
      w.listen();
      w.tcp.connect('alice', SIP1);
      w.run(1);
      const [syn, synAck, ack] = tcpSends(w.records);
      const isnA = syn!.tcp!.seq;
      const isnB = synAck!.tcp!.seq;
      expect([syn!.tcp, synAck!.tcp, ack!.tcp]).to.deep.equal([
        { flags: 'S', seq: isnA, ack: 0 },
        { flags: 'S.', seq: isnB, ack: (isnA + 1) >>> 0 },
        { flags: '.', seq: (isnA + 1) >>> 0, ack: (isnB + 1) >>> 0 },
      ]);
      expect([syn!.src, syn!.dst, synAck!.src, synAck!.dst]).to.deep.equal([
        { ip: ALICE_IP, port: 49152 },
        SIP1,
        SIP1,
        { ip: ALICE_IP, port: 49152 },
      ]);
      expect(syn!.bytes.length).to.equal(0);
    });

    it('gives each connection the next ephemeral port of its host, from 49152', () => {
      const w = new TcpWorld();
      w.listen();
      const ports = [0, 1, 2].map(() => w.tcp.connect('alice', SIP1).local.port);
      expect(ports).to.deep.equal([49152, 49153, 49154]);
    });

    it('packet ids are unique across UDP and TCP (reports join send/deliver/drop on them)', () => {
      const w = new TcpWorld();
      w.listen();
      w.network.sendUdp(w.alice, 5060, SIP1, Buffer.from('udp'), 'udp');
      w.tcp.connect('alice', SIP1);
      w.network.sendUdp(w.alice, 5060, SIP1, Buffer.from('udp'), 'udp');
      w.run(1);
      const sends = w.records.filter((r) => r.kind === 'net.send');
      // 2 UDP datagrams, their 2 ICMP port-unreachable answers (no UDP socket), 3 handshake segments.
      expect(sends.map((r) => r.proto).sort()).to.deep.equal(['icmp', 'icmp', 'tcp', 'tcp', 'tcp', 'udp', 'udp']);
      const ids = sends.map((r) => r.id);
      expect(new Set(ids).size).to.equal(ids.length);
    });
  });

  describe('to a closed port', () => {
    for (const [what, setUp] of [
      ['no listener', (_w: TcpWorld) => {}],
      ["host mode 'unreachable'", (w: TcpWorld) => (w.listen(), (w.sip1.mode = 'unreachable'))],
    ] as const) {
      it(`${what}: RST+ACK back at once, onError('refused') one round trip after the SYN`, () => {
        const w = new TcpWorld();
        setUp(w);
        w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
        w.run(200);
        expect(segments(w.records)).to.deep.equal([
          [0, 'alice>sip1', 'S', 'SYN'],
          [0.02, 'sip1>alice', 'R.', 'RST'],
        ]);
        const [syn, rst] = tcpSends(w.records);
        expect(rst!.tcp).to.deep.equal({ flags: 'R.', seq: 0, ack: (syn!.tcp!.seq + 1) >>> 0 });
        expect(states(w.records)).to.deep.equal([
          [0, 'alice', 'closed→syn-sent', 'connect to 10.0.0.1:5060'],
          [0.04, 'alice', 'syn-sent→closed', 'RST received: port closed'],
        ]);
        expect(w.log).to.deep.equal([[0.04, 'alice', 'error refused']]);
      });
    }
  });

  describe('to a peer that never answers', () => {
    it('silent host: SYNs at 0, 1, 3, 7, 15, 31, 63 s, then onError(timeout) at 127 s (synRetries 6)', () => {
      const w = new TcpWorld();
      w.sip1.mode = 'silent';
      const conn = w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
      w.run(300);
      expect(segments(w.records)).to.deep.equal(SYN_INSTANTS.map((t, i) => [t, 'alice>sip1', 'S', i === 0 ? 'SYN' : 'SYN [retransmission]']));
      // Every SYN carries the same sequence number: a retransmission, not a new connection.
      expect(new Set(tcpSends(w.records).map((r) => r.tcp!.seq)).size).to.equal(1);
      expect(drops(w.records)).to.deep.equal(SYN_INSTANTS.map((t) => [t + 0.02, 'alice>sip1', 'silent']));
      expect(states(w.records)).to.deep.equal([
        [0, 'alice', 'closed→syn-sent', 'connect to 10.0.0.1:5060'],
        [127, 'alice', 'syn-sent→closed', 'connect timeout after 6 SYN retransmissions'],
      ]);
      expect(w.log).to.deep.equal([[127, 'alice', 'error timeout']]);
      expect(conn.state).to.equal('closed');
      expect(w.clock.pending).to.equal(0);
    });

    it('partitioned pair: same instants, drops traced as partition', () => {
      const w = new TcpWorld();
      w.listen();
      w.links.partition('alice', 'sip1');
      w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
      w.run(300);
      expect(segments(w.records).map((r) => r[0])).to.deep.equal(SYN_INSTANTS);
      expect(drops(w.records).map((d) => d[2])).to.deep.equal(SYN_INSTANTS.map(() => 'partition'));
      expect(w.log).to.deep.equal([[127, 'alice', 'error timeout']]);
    });

    it('an address no host has: SYNs dropped as silent, same timeout', () => {
      const w = new TcpWorld();
      w.tcp.connect('alice', { ip: '10.9.9.9', port: 5060 }, {}, w.recorder('alice'));
      w.run(300);
      expect(segments(w.records).map((r) => [r[0], r[1]])).to.deep.equal(SYN_INSTANTS.map((t) => [t, 'alice>10.9.9.9']));
      expect(w.log).to.deep.equal([[127, 'alice', 'error timeout']]);
    });

    it('synRetries and connectTimeout are named options: 3 retries ⇒ 15 s; connectTimeout 5 s ⇒ 5 s', () => {
      const w = new TcpWorld({ tcp: { synRetries: 3 } });
      w.sip1.mode = 'silent';
      w.tcp.connect('alice', SIP1, {}, w.recorder('a3'));
      w.tcp.connect('alice', SIP1, { connectTimeout: sec(5) }, w.recorder('a5'));
      w.run(300);
      expect(w.log).to.deep.equal([
        [5, 'a5', 'error timeout'],
        [15, 'a3', 'error timeout'],
      ]);
      expect(states(w.records).filter((r) => r[2] === 'syn-sent→closed').map((r) => [r[0], r[3]])).to.deep.equal([
        [5, 'connect timeout after 5s (connectTimeout)'],
        [15, 'connect timeout after 3 SYN retransmissions'],
      ]);
    });

    it('a lost SYN is retransmitted after 1 s; data then starts with RTO 3 s (RFC 6298 §5.7)', () => {
      const w = new TcpWorld();
      w.listen();
      w.sip1.mode = 'silent';
      const conn = w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
      w.at(0.5, () => (w.sip1.mode = 'up'));
      w.run(2);
      expect(segments(w.records)).to.deep.equal([
        [0, 'alice>sip1', 'S', 'SYN'],
        [1, 'alice>sip1', 'S', 'SYN [retransmission]'],
        [1.02, 'sip1>alice', 'S.', 'SYN-ACK'],
        [1.04, 'alice>sip1', '.', 'ACK'],
      ]);
      expect(w.log).to.deep.equal([
        [1.04, 'alice', 'connected'],
        [1.06, 'sip1', `accept ${ALICE_IP}:49152`],
      ]);
      expect(conn.currentRto).to.equal(sec(3));
    });

    it('close() while connecting abandons the attempt and reports onClosed from a clock event', () => {
      const w = new TcpWorld();
      w.sip1.mode = 'silent';
      const conn = w.tcp.connect('alice', SIP1, {}, w.recorder('alice'));
      w.at(2, () => {
        conn.close();
        w.note('test', `after close: ${conn.state}, ${w.log.length} callbacks so far`);
      });
      w.run(300);
      expect(w.log).to.deep.equal([
        [2, 'test', 'after close: closed, 0 callbacks so far'],
        [2, 'alice', 'closed'],
      ]);
      expect(segments(w.records).map((r) => r[0])).to.deep.equal([0, 1]);
    });
  });

  it('the server side of a SIP1_IP listener sees the client address and its own port', () => {
    const w = new TcpWorld();
    const accepted = w.listen();
    w.tcp.connect('alice', SIP1);
    w.run(1);
    expect(accepted.map((c) => [c.role, c.local, c.remote, c.peer, c.state])).to.deep.equal([
      ['server', { ip: SIP1_IP, port: 5060 }, { ip: ALICE_IP, port: 49152 }, 'alice', 'established'],
    ]);
  });
});
