import { expect } from 'chai';
import fc from 'fast-check';
import {
  Header, SipRequest, SipResponse, cseq, header, headerSeconds, parse, reasonPhrase, responseTo, serialize, tagOf, topBranch,
} from '../../sim/sip/message.js';

const invite: SipRequest = {
  type: 'request',
  method: 'INVITE',
  uri: 'sip:2000@10.0.0.1',
  headers: [
    ['Via', 'SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-ua-1;rport'],
    ['Via', 'SIP/2.0/UDP 10.0.0.99:5060;branch=z9hG4bK-proxy-7'],
    ['Max-Forwards', '70'],
    ['From', '"Alice" <sip:1000@10.0.0.1>;tag=ua-1'],
    ['To', '<sip:2000@10.0.0.1>'],
    ['Call-ID', '1-ua@10.0.0.10'],
    ['CSeq', '7 INVITE'],
    ['Contact', '<sip:1000@10.0.0.10:5060>'],
  ],
  body: '',
};

describe('SIP messages (RFC 3261 §7)', () => {
  describe('serialize', () => {
    it('writes the request line, headers and an empty line, all CRLF-terminated', () => {
      expect(serialize({ ...invite, headers: invite.headers.slice(0, 1) })).to.equal(
        'INVITE sip:2000@10.0.0.1 SIP/2.0\r\n' +
          'Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-ua-1;rport\r\n' +
          'Content-Length: 0\r\n' +
          '\r\n',
      );
    });

    it('writes the status line of a response', () => {
      const res: SipResponse = { type: 'response', status: 486, reason: 'Busy Here', headers: [['CSeq', '7 INVITE']], body: '' };
      expect(serialize(res)).to.equal('SIP/2.0 486 Busy Here\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n');
    });

    it('never uses a bare LF: every line break is CRLF', () => {
      const text = serialize({ ...invite, body: 'v=0\r\no=- 1 1 IN IP4 10.0.0.10\r\n' });
      expect(text.replace(/\r\n/g, '')).to.not.contain('\n');
      expect(text.replace(/\r\n/g, '')).to.not.contain('\r');
    });

    it('sets Content-Length to the body size in bytes, replacing any Content-Length given', () => {
      const body = 'v=0\r\ns=café\r\n'; // é is 2 bytes in UTF-8: 13 characters, 14 bytes
      const text = serialize({ ...invite, headers: [...invite.headers, ['Content-Length', '999'], ['content-length', '3']], body });
      const lengths = text.split('\r\n').filter((l) => /^content-length:/i.test(l));
      expect(lengths).to.deep.equal(['Content-Length: 14']);
      expect(Buffer.byteLength(text.slice(text.indexOf('\r\n\r\n') + 4))).to.equal(14);
    });
  });

  describe('parse', () => {
    it('round-trips what serialize writes (with the computed Content-Length)', () => {
      const msg = { ...invite, body: 'hello' };
      expect(parse(serialize(msg))).to.deep.equal({ ...msg, headers: [...msg.headers, ['Content-Length', '5']] });
    });

    it('round-trips any message: parse ∘ serialize is the identity up to Content-Length', () => {
      const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/).filter((n) => n.toLowerCase() !== 'content-length');
      const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/); // printable, no leading/trailing space
      const headers = fc.array(fc.tuple(token, value).map(([n, v]): Header => [n, v]), { maxLength: 8 });
      const body = fc.string({ unit: 'grapheme', maxLength: 40 });
      const request = fc.record({
        type: fc.constant('request' as const),
        method: fc.stringMatching(/^[A-Z]{3,9}$/),
        uri: fc.stringMatching(/^sip:[a-z0-9]{1,8}@10\.0\.0\.[0-9]{1,2}$/),
        headers,
        body,
      });
      const response = fc.record({
        type: fc.constant('response' as const),
        status: fc.integer({ min: 100, max: 699 }),
        reason: fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}$/),
        headers,
        body,
      });
      fc.assert(
        fc.property(fc.oneof(request, response), (msg) => {
          const text = serialize(msg);
          const back = parse(text);
          expect(back).to.deep.equal({ ...msg, headers: [...msg.headers, ['Content-Length', String(Buffer.byteLength(msg.body))]] });
          expect(serialize(back!)).to.equal(text);
        }),
      );
    });

    it('trims spaces around header names and values, keeps colons inside values', () => {
      const msg = parse('OPTIONS sip:10.0.0.1 SIP/2.0\r\nVia :  SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-x  \r\n\r\n');
      expect(msg?.headers).to.deep.equal([['Via', 'SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-x']]);
    });

    it('returns undefined for text that is not a SIP message', () => {
      for (const text of [
        '',
        'hello',
        'INVITE sip:2000@10.0.0.1 SIP/2.0\r\nVia: x\r\n', // no empty line ending the headers
        'INVITE sip:2000@10.0.0.1 SIP/2.0\r\nno colon here\r\n\r\n',
        'HTTP/1.1 200 OK\r\n\r\n',
        'invite sip:2000@10.0.0.1 SIP/2.0\r\n\r\n',
      ]) {
        expect(parse(text), JSON.stringify(text)).to.equal(undefined);
      }
    });
  });

  describe('accessors', () => {
    it('topBranch reads the branch of the first Via only', () => {
      expect(topBranch(invite)).to.equal('z9hG4bK-ua-1');
      expect(topBranch({ ...invite, headers: [['Via', 'SIP/2.0/UDP 10.0.0.10:5060;rport;branch=z9hG4bK-last']]})).to.equal('z9hG4bK-last');
      expect(topBranch({ ...invite, headers: [] })).to.equal('');
    });

    it('cseq splits number and method; a missing CSeq reads as 0 UNKNOWN', () => {
      expect(cseq(invite)).to.deep.equal({ seq: 7, method: 'INVITE' });
      expect(cseq({ ...invite, headers: [['cseq', '42   REGISTER']] })).to.deep.equal({ seq: 42, method: 'REGISTER' });
      expect(cseq({ ...invite, headers: [] })).to.deep.equal({ seq: 0, method: 'UNKNOWN' });
    });

    it('header lookup is case-insensitive and returns the first match', () => {
      expect(header(invite, 'call-id')).to.equal('1-ua@10.0.0.10');
      expect(header(invite, 'VIA')).to.equal(invite.headers[0]![1]);
      expect(header(invite, 'Expires')).to.equal(undefined);
    });

    it('headerSeconds reads Retry-After / Expires as whole seconds', () => {
      const res: SipResponse = { type: 'response', status: 503, reason: 'Service Unavailable', headers: [['Retry-After', '120 (maintenance)'], ['Expires', 'soon']], body: '' };
      expect(headerSeconds(res, 'Retry-After')).to.equal(120);
      expect(headerSeconds(res, 'Expires')).to.equal(undefined);
      expect(headerSeconds(res, 'Min-Expires')).to.equal(undefined);
    });

    it('tagOf extracts the tag parameter', () => {
      expect(tagOf('"Alice" <sip:1000@10.0.0.1>;tag=ua-1')).to.equal('ua-1');
      expect(tagOf('<sip:2000@10.0.0.1>')).to.equal(undefined);
      expect(tagOf(undefined)).to.equal(undefined);
    });
  });

  describe('responseTo (RFC 3261 §8.2.6.2)', () => {
    it('copies every Via in order, From, Call-ID and CSeq, and adds the To tag', () => {
      const res = responseTo(invite, 486, [], 'srv-9');
      expect(res).to.deep.equal({
        type: 'response',
        status: 486,
        reason: 'Busy Here',
        headers: [
          ['Via', 'SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-ua-1;rport'],
          ['Via', 'SIP/2.0/UDP 10.0.0.99:5060;branch=z9hG4bK-proxy-7'],
          ['From', '"Alice" <sip:1000@10.0.0.1>;tag=ua-1'],
          ['To', '<sip:2000@10.0.0.1>;tag=srv-9'],
          ['Call-ID', '1-ua@10.0.0.10'],
          ['CSeq', '7 INVITE'],
        ],
        body: '',
      });
    });

    it('keeps an existing To tag (in-dialog request) and adds none when no tag is given', () => {
      const inDialog = { ...invite, headers: invite.headers.map(([n, v]): Header => (n === 'To' ? [n, `${v};tag=srv-1`] : [n, v])) };
      expect(header(responseTo(inDialog, 200, [], 'srv-2'), 'To')).to.equal('<sip:2000@10.0.0.1>;tag=srv-1');
      expect(header(responseTo(invite, 100), 'To')).to.equal('<sip:2000@10.0.0.1>');
    });

    it('appends the extra headers and matches the request by branch and CSeq method', () => {
      const res = responseTo(invite, 503, [['Retry-After', '60']], 'srv-9');
      expect(header(res, 'Retry-After')).to.equal('60');
      expect(topBranch(res)).to.equal(topBranch(invite));
      expect(cseq(res)).to.deep.equal(cseq(invite));
      expect(header(res, 'Contact')).to.equal(undefined);
      expect(header(res, 'Max-Forwards')).to.equal(undefined);
    });

    it('uses the RFC 3261 reason phrases for the statuses the model sends', () => {
      expect([100, 180, 200, 404, 408, 481, 486, 487, 503, 603].map((s) => `${s} ${reasonPhrase(s)}`)).to.deep.equal([
        '100 Trying', '180 Ringing', '200 OK', '404 Not Found', '408 Request Timeout', '481 Call/Transaction Does Not Exist',
        '486 Busy Here', '487 Request Terminated', '503 Service Unavailable', '603 Decline',
      ]);
    });

    it('501, which the server and phone send, reads "Not Implemented"', () => {
      expect(responseTo(invite, 501).reason).to.equal('Not Implemented');
    });
  });
});
