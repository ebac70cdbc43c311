import { expect } from 'chai';
import type { Micros } from '../../sim/core/clock.js';
import { sec } from '../../sim/core/time.js';
import { DEFAULT_SERVER_PROFILE, ServerProfile } from '../../sim/server/server-behaviour.js';
import type { SipServer } from '../../sim/server/sip-server.js';
import { Header, SipRequest, SipResponse, header, tagOf } from '../../sim/sip/message.js';
import { Harness, RecordingTu, SRV_EP, at, every, sendInstants, sendTimeline } from './harness.js';

interface World {
  h: Harness;
  server: SipServer;
  tu: RecordingTu;
  req: SipRequest;
}

function world(profile: Partial<ServerProfile> = {}): Omit<World, 'tu' | 'req'> {
  const h = new Harness();
  return { h, server: h.realServer({ ...DEFAULT_SERVER_PROFILE, ...profile }) };
}

function send(w: Omit<World, 'tu' | 'req'>, method: string, extra: Header[] = []): World {
  const tu = w.h.tu();
  const req = w.h.request(method, extra);
  w.h.endpoint.sendRequest(req, SRV_EP, tu);
  return { ...w, tu, req };
}

/** The UA ACKs a 2xx the `nth` time it hears it (1 = at once), on a new branch (§13.2.2.4). */
function ackOnNth2xx(w: World, nth: number): void {
  let heard = 0;
  w.tu.onResponse = (res) => {
    if (res.status >= 200 && res.status < 300 && ++heard === nth) w.h.endpoint.sendStateless(w.h.ackFor2xx(w.req, res), SRV_EP);
  };
}

const finals = (tu: RecordingTu): SipResponse[] => tu.responses.filter((r) => r.status >= 200);

describe('SipServer', () => {
  describe('REGISTER', () => {
    it('answers 200 with the granted lifetime in Contact expires and Expires, and keeps the binding', () => {
      const w = send(world(), 'REGISTER', [['Expires', '600']]);
      w.h.clock.run();
      expect(w.tu.log).to.deep.equal([[sec(0.04), 'response 200']]);
      const ok = w.tu.responses[0]!;
      expect(header(ok, 'Contact')).to.equal('<sip:1000@10.0.0.10:5060>;expires=600');
      expect(header(ok, 'Expires')).to.equal('600');
      expect(tagOf(header(ok, 'To'))).to.be.a('string');
    });

    it('grants at most maxExpires, and the whole maxExpires when the phone asks for none', () => {
      const asked = (extra: Header[]): string | undefined => {
        const w = send(world({ maxExpires: 1800 }), 'REGISTER', extra);
        w.h.clock.run();
        return header(w.tu.responses[0]!, 'Contact');
      };
      expect(asked([['Expires', '7200']])).to.equal('<sip:1000@10.0.0.10:5060>;expires=1800');
      expect(asked([['Expires', '60']])).to.equal('<sip:1000@10.0.0.10:5060>;expires=60');
      expect(asked([])).to.equal('<sip:1000@10.0.0.10:5060>;expires=1800');
    });

    it('the binding lives exactly the granted time after the REGISTER arrived; Expires: 0 removes it', () => {
      const w = send(world(), 'REGISTER', [['Expires', '60']]);
      const aor = 'sip:1000@10.0.0.1';
      w.h.clock.runUntil(sec(60.02) - 1);
      expect(w.server.binding(aor)).to.equal('sip:1000@10.0.0.10:5060');
      w.h.clock.runUntil(sec(60.02));
      expect(w.server.binding(aor)).to.equal(undefined);

      const again = send(world(), 'REGISTER', [['Expires', '3600']]);
      again.h.clock.runUntil(sec(1));
      expect(again.server.binding(aor)).to.equal('sip:1000@10.0.0.10:5060');
      again.h.endpoint.sendRequest(again.h.request('REGISTER', [['Expires', '0']]), SRV_EP, again.h.tu());
      again.h.clock.runUntil(sec(2));
      expect(again.server.binding(aor)).to.equal(undefined);
    });
  });

  describe('INVITE', () => {
    it('sends 100 and 180 at once, the 200 (with Contact) ringTime later; no retransmission once ACKed', () => {
      const w = send(world(), 'INVITE');
      ackOnNth2xx(w, 1);
      w.h.clock.run();
      expect(sendTimeline(w.h.trace, 'srv')).to.deep.equal([
        [sec(0.02), '100 INVITE'],
        [sec(0.02), '180 INVITE'],
        [sec(1.02), '200 INVITE'],
      ]);
      expect(w.tu.log).to.deep.equal([
        [sec(0.04), 'response 100'],
        [sec(0.04), 'response 180'],
        [sec(1.04), 'response 200'],
      ]);
      const [trying, ringing, ok] = w.tu.responses;
      expect(tagOf(header(trying!, 'To'))).to.equal(undefined); // 100 is hop-by-hop: no To tag
      expect(tagOf(header(ringing!, 'To'))).to.be.a('string');
      expect(tagOf(header(ok!, 'To'))).to.equal(tagOf(header(ringing!, 'To'))); // one dialog
      expect(header(ok!, 'Contact')).to.equal('<sip:10.0.0.1:5060>');
    });

    it('takes ringTime from the profile (3 s)', () => {
      const w = send(world({ ringTime: sec(3) }), 'INVITE');
      ackOnNth2xx(w, 1);
      w.h.clock.run();
      expect(sendInstants(w.h.trace, 'srv', 200)).to.deep.equal(at(3.02));
    });

    it('retransmits the 2xx at T1 doubling up to T2 until 64·T1 when no ACK comes (§13.3.1.4)', () => {
      const w = send(world(), 'INVITE');
      w.h.clock.run();
      // 1.02 s + 0, 0.5, 1.5, 3.5, 7.5, 11.5 … 31.5 s
      const expected = [0, 0.5, 1.5, 3.5, ...every(7.5, 31.5, 4)].map((s) => s + 1.02);
      expect(sendInstants(w.h.trace, 'srv', 200)).to.deep.equal(at(...expected));
      expect(finals(w.tu)).to.have.length(expected.length); // each one reached the UA's TU
    });

    for (const nth of [1, 2, 3, 5]) {
      it(`stops retransmitting the 2xx when the ACK arrives (ACK for the 2xx heard ${nth === 1 ? 'first' : `${nth} times`})`, () => {
        const w = send(world(), 'INVITE');
        ackOnNth2xx(w, nth);
        w.h.clock.run();
        const all = [0, 0.5, 1.5, 3.5, 7.5].map((s) => s + 1.02);
        expect(sendInstants(w.h.trace, 'srv', 200)).to.deep.equal(at(...all.slice(0, nth)));
      });
    }

    it('answers with the profile status (486) and, the UA having ACKed it, sends it only once', () => {
      const w = send(world({ answer: 486 }), 'INVITE');
      w.h.clock.run();
      expect(sendTimeline(w.h.trace, 'srv')).to.deep.equal([
        [sec(0.02), '100 INVITE'],
        [sec(0.02), '180 INVITE'],
        [sec(1.02), '486 INVITE'],
      ]);
      expect(sendInstants(w.h.trace, 'ua', 'ACK')).to.deep.equal(at(1.04));
      expect(header(finals(w.tu)[0]!, 'Contact')).to.equal(undefined);
    });

    it('answers BYE for the answered call with 200 and an unknown dialog with 481', () => {
      const w = send(world(), 'INVITE');
      ackOnNth2xx(w, 1);
      w.h.clock.runUntil(sec(2));
      const bye = w.h.tu();
      w.h.endpoint.sendRequest(w.h.request('BYE'), SRV_EP, bye); // same Call-ID as the INVITE
      w.h.clock.runUntil(sec(3));
      const stale = w.h.tu();
      w.h.endpoint.sendRequest(w.h.request('BYE'), SRV_EP, stale); // that call is gone now
      w.h.clock.run();
      expect(bye.log).to.deep.equal([[sec(2.04), 'response 200']]);
      expect(stale.log).to.deep.equal([[sec(3.04), 'response 481']]);
    });
  });

  describe("behaviour '503'", () => {
    it('answers REGISTER and INVITE with 503 and Retry-After in seconds', () => {
      for (const method of ['REGISTER', 'INVITE']) {
        const base = world();
        base.server.setBehaviour({ mode: '503', retryAfter: sec(120) });
        const w = send(base, method);
        w.h.clock.run();
        expect(w.tu.log, method).to.deep.equal([[sec(0.04), 'response 503']]);
        expect(header(w.tu.responses[0]!, 'Retry-After'), method).to.equal('120');
      }
    });

    it('omits Retry-After when none is set, and the 503 to an INVITE is sent once (the UA ACKs it)', () => {
      const base = world();
      base.server.setBehaviour({ mode: '503' });
      const w = send(base, 'INVITE');
      w.h.clock.run();
      expect(header(w.tu.responses[0]!, 'Retry-After')).to.equal(undefined);
      expect(sendTimeline(w.h.trace, 'srv')).to.deep.equal([[sec(0.02), '503 INVITE']]);
    });

    it('serves normally again after setBehaviour normal', () => {
      const base = world();
      base.server.setBehaviour({ mode: '503', retryAfter: sec(30) });
      base.h.clock.schedule(sec(10), () => base.server.setBehaviour({ mode: 'normal' }));
      const first = send(base, 'REGISTER');
      base.h.clock.runUntil(sec(20));
      const second = send(base, 'REGISTER');
      base.h.clock.run();
      expect(first.tu.log).to.deep.equal([[sec(0.04), 'response 503']]);
      expect(second.tu.log).to.deep.equal([[sec(20.04), 'response 200']]);
    });
  });

  describe("behaviour 'slow'", () => {
    const slow = (method: string, delay: Micros): World => {
      const base = world();
      base.server.setBehaviour({ mode: 'slow', delay });
      const w = send(base, method);
      if (method === 'INVITE') ackOnNth2xx(w, 1);
      w.h.clock.run();
      return w;
    };

    it('delays the REGISTER answer by the delay; the UA retransmits meanwhile and gets one 200', () => {
      const w = slow('REGISTER', sec(2));
      expect(sendInstants(w.h.trace, 'ua', 'REGISTER')).to.deep.equal(at(0, 0.5, 1.5));
      expect(sendTimeline(w.h.trace, 'srv')).to.deep.equal([[sec(2.02), '200 REGISTER']]);
      expect(w.tu.log).to.deep.equal([[sec(2.04), 'response 200']]);
    });

    it('delays 100, 180 and the 200 of an INVITE by the delay', () => {
      const w = slow('INVITE', sec(2));
      expect(sendTimeline(w.h.trace, 'srv')).to.deep.equal([
        [sec(2.02), '100 INVITE'],
        [sec(2.02), '180 INVITE'],
        [sec(3.02), '200 INVITE'],
      ]);
      // The UA retransmits until the 100 reaches it at 2.04 s.
      expect(sendInstants(w.h.trace, 'ua', 'INVITE')).to.deep.equal(at(0, 0.5, 1.5));
    });

    for (const delayS of [0.3, 5, 40]) {
      it(`REGISTER with a ${delayS} s delay: the 200 leaves ${delayS} s after the request arrived${delayS >= 32 ? ' (after Timer F: the UA has given up)' : ''}`, () => {
        const w = slow('REGISTER', sec(delayS));
        expect(sendInstants(w.h.trace, 'srv', 200)).to.deep.equal([sec(0.02) + sec(delayS)]);
        expect(w.tu.log).to.deep.equal(delayS >= 32 ? [[sec(32), 'timeout F']] : [[sec(0.04 + delayS), 'response 200']]);
      });
    }
  });
});
