import { expect } from 'chai';
import { RegisterRequests } from '../../sim/phone/register-request.js';
import type { RegistrationTarget } from '../../sim/phone/registration-target.js';
import type { Located } from '../../sim/dns/server-locator.js';
import { cseq, header, type SipRequest } from '../../sim/sip/message.js';
import { Harness, SRV_IP } from '../sip/harness.js';

// The REGISTERs of one registration (RFC 3261 §10.2): one Call-ID, From tag and AOR, a rising
// CSeq, a fresh Via branch each, and a Contact on the transport each is sent over.
describe('RegisterRequests: the REGISTERs of one registration', () => {
  const h = new Harness();
  const target = {
    user: '2001',
    displayName: 'Desk <2001>',
    server: { address: 'pbx.example.com', port: 0, expires: 600 },
  } as unknown as RegistrationTarget;
  const udp = { ip: SRV_IP, port: 5060, transport: 'udp' } as Located;
  const tcp = { ip: SRV_IP, port: 5060, transport: 'tcp' } as Located;
  const requests = new RegisterRequests(target, h.endpoint, 'call-1@10.0.0.10', 'tag-1');
  const all: SipRequest[] = [requests.build(udp, 1), requests.build(udp, 2), requests.build(tcp, 3), requests.build(udp, 4, 0)];
  const values = (name: string): (string | undefined)[] => all.map((r) => header(r, name));

  it('keeps the Call-ID, From (with its tag) and To (no tag) across REGISTERs; the AOR and request URI come from the configured server', () => {
    expect(new Set(values('Call-ID'))).to.deep.equal(new Set(['call-1@10.0.0.10']));
    expect(new Set(values('From'))).to.deep.equal(new Set(['"Desk <2001>" <sip:2001@pbx.example.com>;tag=tag-1']));
    expect(new Set(values('To'))).to.deep.equal(new Set(['"Desk <2001>" <sip:2001@pbx.example.com>']));
    expect(all.map((r) => r.uri)).to.deep.equal(Array(4).fill('sip:pbx.example.com'));
  });

  it('numbers CSeq as asked and gives each REGISTER its own Via branch, with the transport it goes over', () => {
    expect(all.map((r) => cseq(r))).to.deep.equal([1, 2, 3, 4].map((seq) => ({ seq, method: 'REGISTER' })));
    const vias = values('Via');
    expect(new Set(vias).size).to.equal(4);
    expect(vias.map((v) => v!.split(' ')[0])).to.deep.equal(['SIP/2.0/UDP', 'SIP/2.0/UDP', 'SIP/2.0/TCP', 'SIP/2.0/UDP']);
  });

  it('puts the transport in the Contact when it is not UDP, and back out when the next goes over UDP', () => {
    expect(values('Contact')).to.deep.equal([
      '<sip:2001@10.0.0.10:5060>', '<sip:2001@10.0.0.10:5060>', '<sip:2001@10.0.0.10:5060;transport=tcp>', '<sip:2001@10.0.0.10:5060>',
    ]);
  });

  it("asks for the server's configured expires, or the one given (0: the un-REGISTER)", () => {
    expect(values('Expires')).to.deep.equal(['600', '600', '600', '0']);
  });

  it('changes no REGISTER already built when it builds the next (responses copy their pairs)', () => {
    const first = JSON.stringify(all[0]);
    requests.build(tcp, 5, 0);
    expect(JSON.stringify(all[0])).to.equal(first);
  });
});
