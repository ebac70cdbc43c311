import { expect } from 'chai';
import type { TcpConnection } from '../../sim/net/tcp-connection.js';
import { TcpPool } from '../../sim/net/tcp-pool.js';
import { SIP1, SIP1_TLS, TcpWorld, segments } from './tcp-harness.js';

const text = (s: string): Buffer => Buffer.from(s);

describe('TcpPool (connection reuse)', () => {
  it('reuses the connecting, then the established connection: one handshake for three requests', () => {
    const w = new TcpWorld();
    w.listen();
    const pool = new TcpPool(w.tcp, () => w.recorder('alice'));
    const got: TcpConnection[] = [];
    w.at(0, () => {
      const c = pool.getConnection('alice', SIP1);
      got.push(c);
      c.send(text('REGISTER'), 'REGISTER');
    });
    w.at(0.01, () => {
      const c = pool.getConnection('alice', SIP1); // still connecting
      got.push(c);
      c.send(text('SUBSCRIBE'), 'SUBSCRIBE');
    });
    w.at(1, () => {
      const c = pool.getConnection('alice', SIP1); // established
      got.push(c);
      c.send(text('INVITE'), 'INVITE');
    });
    w.run(2);
    expect(new Set(got).size).to.equal(1);
    expect(segments(w.records).filter((r) => r[1] === 'alice>sip1')).to.deep.equal([
      [0, 'alice>sip1', 'S', 'SYN'],
      [0.04, 'alice>sip1', '.', 'ACK'],
      [0.04, 'alice>sip1', 'P.', 'REGISTER'],
      [0.04, 'alice>sip1', 'P.', 'SUBSCRIBE'],
      [1, 'alice>sip1', 'P.', 'INVITE'],
    ]);
    expect(w.log.filter((l) => l[1] === 'alice')).to.deep.equal([[0.04, 'alice', 'connected']]);
    expect(pool.size).to.equal(1);
  });

  it('opens a new connection once the old one closed or failed; TLS and plain are separate', () => {
    const w = new TcpWorld();
    w.listen();
    w.listen(5061, { tls: true });
    const pool = new TcpPool(w.tcp, () => ({}));
    const first = pool.getConnection('alice', SIP1);
    const tls = pool.getConnection('alice', SIP1_TLS, { tls: true });
    w.at(1, () => first.close());
    w.run(2);
    const second = pool.getConnection('alice', SIP1);
    expect(second).to.not.equal(first);
    expect(tls).to.not.equal(first);
    expect([first.local.port, tls.local.port, second.local.port]).to.deep.equal([49152, 49153, 49154]);
    expect(pool.getConnection('alice', SIP1_TLS, { tls: true })).to.equal(tls);
  });

  it('adopt(): an accepted connection carries requests back to that peer', () => {
    const w = new TcpWorld();
    const serverPool = new TcpPool(w.tcp, () => ({}));
    w.tcp.listen('sip1', 5060, (conn) => {
      conn.setHandlers(w.recorder('sip1'));
      serverPool.adopt(conn);
    });
    const conn = w.tcp.connect('alice', SIP1, { localPort: 5060 }, w.recorder('alice'));
    w.at(1, () => serverPool.getConnection('sip1', { ip: conn.local.ip, port: 5060 }).send(text('NOTIFY'), 'NOTIFY'));
    w.run(2);
    expect(segments(w.records).slice(-2)).to.deep.equal([
      [1, 'sip1>alice', 'P.', 'NOTIFY'],
      [1.02, 'alice>sip1', '.', 'ACK'],
    ]);
    expect(w.log.slice(-1)).to.deep.equal([[1.02, 'alice', 'data NOTIFY']]);
  });
});
