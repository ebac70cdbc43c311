import { expect } from 'chai';
import { ALICE_IP, SIP1, SIP1_TLS, TcpWorld, segments, states, tcpSends } from './tcp-harness.js';

const text = (s: string): Buffer => Buffer.from(s);

describe('TLS over the message-level TCP (RTT 40 ms)', () => {
  it('TLS 1.2 (default, 2 handshake round trips): connected at 3 RTT = 120 ms; data arrives as plaintext', () => {
    const w = new TcpWorld();
    w.listen(5061, { tls: true, echo: true });
    const conn = w.tcp.connect('alice', SIP1_TLS, { tls: true }, w.recorder('alice'));
    conn.send(text('REGISTER'), 'REGISTER'); // waits for the handshake
    w.run(1);
    expect(segments(w.records)).to.deep.equal([
      [0, 'alice>sip1', 'S', 'SYN'],
      [0.02, 'sip1>alice', 'S.', 'SYN-ACK'],
      [0.04, 'alice>sip1', '.', 'ACK'],
      [0.04, 'alice>sip1', 'P.', 'TLS ClientHello'],
      [0.06, 'sip1>alice', 'P.', 'TLS ServerHello, Certificate, ServerHelloDone'],
      [0.08, 'alice>sip1', 'P.', 'TLS ClientKeyExchange, ChangeCipherSpec, Finished'],
      [0.1, 'sip1>alice', 'P.', 'TLS ChangeCipherSpec, Finished'],
      [0.12, 'alice>sip1', 'P.', 'REGISTER [TLS]'],
      [0.14, 'sip1>alice', 'P.', 'echo [TLS]'],
      [0.16, 'alice>sip1', '.', 'ACK'],
    ]);
    expect(states(w.records)).to.deep.equal([
      [0, 'alice', 'closed→syn-sent', 'connect to 10.0.0.1:5061 over TLS 1.2'],
      [0.02, 'sip1', 'closed→syn-received', 'SYN received'],
      [0.04, 'alice', 'syn-sent→tls-handshake', 'SYN-ACK received; TLS 1.2 handshake'],
      [0.06, 'sip1', 'syn-received→tls-handshake', 'ACK received; waiting for the TLS ClientHello'],
      [0.1, 'sip1', 'tls-handshake→established', 'TLS 1.2 handshake done'],
      [0.12, 'alice', 'tls-handshake→established', 'TLS 1.2 handshake done'],
    ]);
    expect(w.log).to.deep.equal([
      [0.1, 'sip1', `accept ${ALICE_IP}:49152`],
      [0.12, 'alice', 'connected'],
      [0.14, 'sip1', 'data REGISTER'],
      [0.16, 'alice', 'data re: REGISTER'],
    ]);
  });

  it('TLS 1.3 (handshakeRoundTrips 1): connected at 2 RTT = 80 ms; the client Finished precedes its data', () => {
    const w = new TcpWorld();
    w.listen(5061, { tls: true });
    const conn = w.tcp.connect('alice', SIP1_TLS, { tls: true, handshakeRoundTrips: 1 }, w.recorder('alice'));
    conn.send(text('REGISTER'), 'REGISTER');
    w.run(1);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [0.04, 'alice>sip1', 'P.', 'TLS ClientHello'],
      [0.06, 'sip1>alice', 'P.', 'TLS ServerHello, ChangeCipherSpec, encrypted handshake'],
      [0.08, 'alice>sip1', 'P.', 'TLS ChangeCipherSpec, Finished'],
      [0.08, 'alice>sip1', 'P.', 'REGISTER [TLS]'],
      [0.1, 'sip1>alice', '.', 'ACK'],
      [0.1, 'sip1>alice', '.', 'ACK'],
    ]);
    expect(w.log).to.deep.equal([
      [0.08, 'alice', 'connected'],
      [0.1, 'sip1', `accept ${ALICE_IP}:49152`],
      [0.1, 'sip1', 'data REGISTER'],
    ]);
  });

  it('TLS payloads are records in the trace (base64), sequence numbers count record bytes', () => {
    const w = new TcpWorld();
    w.listen(5061, { tls: true });
    const conn = w.tcp.connect('alice', SIP1_TLS, { tls: true }, {});
    conn.send(text('REGISTER'), 'REGISTER');
    w.run(1);
    const fromAlice = tcpSends(w.records).filter((r) => r.from === 'alice' && r.tcp!.flags === 'P.');
    const bytes = fromAlice.map((r) => Buffer.from(r.bytes));
    expect(fromAlice.every((r) => r.encoding === 'base64')).to.equal(true);
    // Content types: ClientHello = handshake (22); the last flight starts with the key exchange (22); data = 23.
    expect(bytes.map((b) => b[0])).to.deep.equal([22, 22, 23]);
    // AES-128-GCM sizing of "REGISTER": 5-byte header + 8 nonce + 8 + 16 tag; no clear text.
    expect(bytes[2]!.length).to.equal(5 + 8 + 8 + 16);
    expect(bytes[2]!.includes(Buffer.from('REGISTER'))).to.equal(false);
    for (let i = 1; i < fromAlice.length; i++) {
      expect(fromAlice[i]!.tcp!.seq).to.equal((fromAlice[i - 1]!.tcp!.seq + bytes[i - 1]!.length) >>> 0);
    }
  });

  it('a lost handshake flight costs one RTO like any segment', () => {
    const w = new TcpWorld();
    w.listen(5061, { tls: true });
    w.at(0.06, () => w.links.update('alice', 'sip1', { loss: 1 })); // the ServerHello flight leaves at 0.06
    w.at(0.061, () => w.links.update('alice', 'sip1', { loss: 0 }));
    w.tcp.connect('alice', SIP1_TLS, { tls: true }, w.recorder('alice'));
    w.run(3);
    // Both sides time out: the ServerHello flight also carried the ACK of the ClientHello, so
    // alice resends that at 1.04 (RTO 1 s from its 40 ms sample) and sip1 its flight at 1.06.
    expect(segments(w.records).slice(3)).to.deep.equal([
      [0.04, 'alice>sip1', 'P.', 'TLS ClientHello'],
      [0.06, 'sip1>alice', 'P.', 'TLS ServerHello, Certificate, ServerHelloDone'],
      [1.04, 'alice>sip1', 'P.', 'TLS ClientHello [retransmission]'],
      [1.06, 'sip1>alice', 'P.', 'TLS ServerHello, Certificate, ServerHelloDone [retransmission]'],
      [1.06, 'sip1>alice', '.', 'ACK'], // for the duplicate ClientHello
      [1.08, 'alice>sip1', 'P.', 'TLS ClientKeyExchange, ChangeCipherSpec, Finished'],
      [1.1, 'sip1>alice', 'P.', 'TLS ChangeCipherSpec, Finished'],
      [1.12, 'alice>sip1', '.', 'ACK'],
    ]);
    expect(w.log).to.deep.equal([
      [1.1, 'sip1', `accept ${ALICE_IP}:49152`],
      [1.12, 'alice', 'connected'],
    ]);
  });

  it('connectTimeout covers the handshake, not only the SYN', () => {
    const w = new TcpWorld();
    w.listen(5061, { tls: true });
    w.at(0.05, () => (w.sip1.mode = 'silent')); // after the SYN-ACK, before the ClientHello arrives
    w.tcp.connect('alice', SIP1_TLS, { tls: true, connectTimeout: 2_000_000 }, w.recorder('alice'));
    w.run(10);
    expect(segments(w.records).slice(3).map((r) => [r[0], r[3]])).to.deep.equal([
      [0.04, 'TLS ClientHello'],
      [1.04, 'TLS ClientHello [retransmission]'],
    ]);
    expect(states(w.records, 'alice').slice(-1)).to.deep.equal([[2, 'alice', 'tls-handshake→closed', 'connect timeout after 2s (connectTimeout)']]);
    expect(w.log).to.deep.equal([[2, 'alice', 'error timeout']]);
  });

  it('a TLS client on a plain port is reset by the server', () => {
    const w = new TcpWorld();
    w.listen(5060);
    w.tcp.connect('alice', SIP1, { tls: true }, w.recorder('alice'));
    w.run(1);
    expect(segments(w.records).slice(3)).to.deep.equal([
      [0.04, 'alice>sip1', 'P.', 'TLS ClientHello'],
      [0.06, 'sip1>alice', 'R.', 'RST'],
    ]);
    expect(states(w.records).slice(-2)).to.deep.equal([
      [0.06, 'sip1', 'established→closed', 'aborted: plain TCP expected, TLS received'],
      [0.08, 'alice', 'tls-handshake→closed', 'reset by peer: connection reset'],
    ]);
    expect(w.log).to.deep.equal([
      [0.06, 'sip1', `accept ${ALICE_IP}:49152`],
      [0.06, 'sip1', 'error reset'],
      [0.08, 'alice', 'error reset'],
    ]);
  });

  it('rejects handshakeRoundTrips other than 1 or 2', () => {
    const w = new TcpWorld();
    expect(() => w.tcp.connect('alice', SIP1_TLS, { tls: true, handshakeRoundTrips: 3 as 1 })).to.throw(
      'Cannot connect: handshakeRoundTrips must be 1 (TLS 1.3) or 2 (TLS 1.2), not 3',
    );
  });
});
