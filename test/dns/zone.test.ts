import { expect } from 'chai';
import { formatRecord } from '../../sim/dns/records.js';
import { SYNTHETIC_SOA_MINIMUM, Zone, ZoneAnswer } from '../../sim/dns/zone.js';
import { PBX_ZONE, zoneOf } from './harness.js';

const SOA = 'example.com. 3600 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 30';

/** An answer with every record in zone-file form, so expectations read like the zone. */
function text(a: ZoneAnswer): { rcode: string; answers: string[]; authority: string[]; additional: string[] } {
  return {
    rcode: a.rcode,
    answers: a.answers.map(formatRecord),
    authority: a.authority.map(formatRecord),
    additional: a.additional.map(formatRecord),
  };
}

describe('Zone.answer', () => {
  const zone = zoneOf([
    ...PBX_ZONE,
    'sip1.pbx.example.com. 300 IN A 10.0.1.1',
    'loop1.pbx.example.com. 300 IN CNAME loop2.pbx.example.com.',
    'loop2.pbx.example.com. 300 IN CNAME loop1.pbx.example.com.',
    'dangling.pbx.example.com. 300 IN CNAME gone.pbx.example.com.',
  ]);

  const cases: { q: [string, string]; expected: ReturnType<typeof text>; why: string }[] = [
    {
      why: 'A: every address of the name, in zone order',
      q: ['sip1.pbx.example.com', 'A'],
      expected: { rcode: 'NOERROR', answers: ['sip1.pbx.example.com. 300 IN A 10.0.0.1', 'sip1.pbx.example.com. 300 IN A 10.0.1.1'], authority: [], additional: [] },
    },
    {
      why: 'names compare case-insensitively; a trailing dot is accepted',
      q: ['SIP2.Pbx.Example.COM.', 'a'],
      expected: { rcode: 'NOERROR', answers: ['sip2.pbx.example.com. 60 IN A 10.0.0.2'], authority: [], additional: [] },
    },
    {
      why: 'SRV carries its targets’ A records as additional data (RFC 2782)',
      q: ['_sip._udp.pbx.example.com', 'SRV'],
      expected: {
        rcode: 'NOERROR',
        answers: ['_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.', '_sip._udp.pbx.example.com. 300 IN SRV 20 50 5060 sip2.pbx.example.com.'],
        authority: [],
        additional: ['sip1.pbx.example.com. 300 IN A 10.0.0.1', 'sip1.pbx.example.com. 300 IN A 10.0.1.1', 'sip2.pbx.example.com. 60 IN A 10.0.0.2'],
      },
    },
    {
      why: 'NAPTR "s" carries the replacement’s SRV and their A records (RFC 3403 §4.2)',
      q: ['pbx.example.com', 'NAPTR'],
      expected: {
        rcode: 'NOERROR',
        answers: [PBX_ZONE[1]!, PBX_ZONE[2]!],
        authority: [],
        additional: [
          '_sip._tcp.pbx.example.com. 120 IN SRV 10 50 5070 sip2.pbx.example.com.',
          'sip2.pbx.example.com. 60 IN A 10.0.0.2',
          '_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.',
          'sip1.pbx.example.com. 300 IN A 10.0.0.1',
          'sip1.pbx.example.com. 300 IN A 10.0.1.1',
          '_sip._udp.pbx.example.com. 300 IN SRV 20 50 5060 sip2.pbx.example.com.',
        ],
      },
    },
    {
      why: 'CNAME chase: the alias, then the target’s records (RFC 1034 §4.3.2)',
      q: ['alias.pbx.example.com', 'A'],
      expected: {
        rcode: 'NOERROR',
        answers: ['alias.pbx.example.com. 300 IN CNAME sip1.pbx.example.com.', 'sip1.pbx.example.com. 300 IN A 10.0.0.1', 'sip1.pbx.example.com. 300 IN A 10.0.1.1'],
        authority: [],
        additional: [],
      },
    },
    {
      why: 'asking for the CNAME itself does not chase it',
      q: ['alias.pbx.example.com', 'CNAME'],
      expected: { rcode: 'NOERROR', answers: ['alias.pbx.example.com. 300 IN CNAME sip1.pbx.example.com.'], authority: [], additional: [] },
    },
    {
      why: 'a CNAME loop is a server failure',
      q: ['loop1.pbx.example.com', 'A'],
      expected: { rcode: 'SERVFAIL', answers: [], authority: [], additional: [] },
    },
    {
      why: 'NXDOMAIN carries the SOA (RFC 2308 §3)',
      q: ['nope.pbx.example.com', 'A'],
      expected: { rcode: 'NXDOMAIN', answers: [], authority: [SOA], additional: [] },
    },
    {
      why: 'NODATA: the name exists, not with this type — NOERROR, no answer, SOA',
      q: ['sip1.pbx.example.com', 'SRV'],
      expected: { rcode: 'NOERROR', answers: [], authority: [SOA], additional: [] },
    },
    {
      why: 'an empty non-terminal exists (RFC 8020): NODATA, not NXDOMAIN',
      q: ['_udp.pbx.example.com', 'SRV'],
      expected: { rcode: 'NOERROR', answers: [], authority: [SOA], additional: [] },
    },
    {
      why: 'a type we do not model (AAAA) on an existing name: NODATA',
      q: ['sip1.pbx.example.com', 'AAAA'],
      expected: { rcode: 'NOERROR', answers: [], authority: [SOA], additional: [] },
    },
    {
      why: 'a CNAME to a missing name: the chain so far, rcode of the last name (RFC 6604)',
      q: ['dangling.pbx.example.com', 'A'],
      expected: { rcode: 'NXDOMAIN', answers: ['dangling.pbx.example.com. 300 IN CNAME gone.pbx.example.com.'], authority: [SOA], additional: [] },
    },
  ];
  for (const c of cases) {
    it(`${c.q[1]} ${c.q[0]}: ${c.why}`, () => {
      expect(text(zone.answer(...c.q))).to.deep.equal(c.expected);
    });
  }

  it('without an SOA, negative answers carry one synthesized for the common parent, minimum 60 s', () => {
    const z = zoneOf(['_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.', 'sip1.pbx.example.com. 300 IN A 10.0.0.1']);
    const a = z.answer('sip9.pbx.example.com', 'A');
    expect(a.rcode).to.equal('NXDOMAIN');
    expect(a.authority.map(formatRecord)).to.deep.equal([
      `pbx.example.com. ${SYNTHETIC_SOA_MINIMUM} IN SOA ns.pbx.example.com. hostmaster.pbx.example.com. 1 3600 600 86400 ${SYNTHETIC_SOA_MINIMUM}`,
    ]);
  });

  it('with several SOAs, a negative answer carries the closest enclosing one', () => {
    const z = zoneOf([SOA, 'pbx.example.com. 600 IN SOA ns.pbx.example.com. admin.example.com. 7 3600 600 86400 15', 'a.other.example.com. 300 IN A 10.0.0.9']);
    expect(z.answer('x.pbx.example.com', 'A').authority.map((r) => r.name)).to.deep.equal(['pbx.example.com']);
    expect(z.answer('x.other.example.com', 'A').authority.map((r) => r.name)).to.deep.equal(['example.com']);
  });

  it('an empty zone answers NXDOMAIN with a root SOA', () => {
    const a = new Zone([]).answer('pbx.example.com', 'A');
    expect(a.rcode).to.equal('NXDOMAIN');
    expect(a.authority.map(formatRecord)).to.deep.equal(['. 60 IN SOA ns. hostmaster. 1 3600 600 86400 60']);
  });
});
