import { expect } from 'chai';
import { InputError } from '../../sim/core/input-error.js';
import { DnsRecord, formatRecord } from '../../sim/dns/records.js';
import { parseZoneLine } from '../../sim/dns/zone-file.js';

const AT = { file: 'scenarios/pbx.yaml', line: 17, key: 'dns.records[3]' };

describe('parseZoneLine', () => {
  describe('each record type', () => {
    const cases: { line: string; expected: DnsRecord; formatted?: string }[] = [
      {
        line: 'sip1.pbx.example.com. 300 IN A 10.0.0.1',
        expected: { type: 'A', name: 'sip1.pbx.example.com', ttl: 300, address: '10.0.0.1' },
      },
      {
        line: 'Alias.PBX.example.com. 60 in cname SIP1.pbx.example.com.',
        expected: { type: 'CNAME', name: 'alias.pbx.example.com', ttl: 60, target: 'sip1.pbx.example.com' },
        formatted: 'alias.pbx.example.com. 60 IN CNAME sip1.pbx.example.com.',
      },
      {
        line: '_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com.',
        expected: { type: 'SRV', name: '_sip._udp.pbx.example.com', ttl: 300, priority: 10, weight: 50, port: 5060, target: 'sip1.pbx.example.com' },
      },
      {
        line: '_sip._tcp.pbx.example.com. 300 IN SRV 0 0 0 .',
        expected: { type: 'SRV', name: '_sip._tcp.pbx.example.com', ttl: 300, priority: 0, weight: 0, port: 0, target: '' },
      },
      {
        line: 'pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp.pbx.example.com.',
        expected: {
          type: 'NAPTR', name: 'pbx.example.com', ttl: 300, order: 10, preference: 50, flags: 's',
          services: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.pbx.example.com',
        },
      },
      {
        line: 'example.com. 3600 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 60',
        expected: {
          type: 'SOA', name: 'example.com', ttl: 3600, mname: 'ns.example.com', rname: 'admin.example.com',
          serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60,
        },
      },
      {
        line: '  sip2.pbx.example.com.\t0   IN A 255.255.255.255   ; trailing comment',
        expected: { type: 'A', name: 'sip2.pbx.example.com', ttl: 0, address: '255.255.255.255' },
        formatted: 'sip2.pbx.example.com. 0 IN A 255.255.255.255',
      },
    ];
    for (const c of cases) {
      it(`${c.expected.type}: ${c.line.trim()}`, () => {
        const r = parseZoneLine(c.line, AT);
        expect(r).to.deep.equal(c.expected);
        expect(formatRecord(r)).to.equal(c.formatted ?? c.line);
      });
    }
  });

  describe('malformed lines throw InputError with file, line, key and what was expected', () => {
    const cases: [string, string][] = [
      ['sip1.pbx.example.com. 300 IN A', 'expected "<name> <ttl> IN <type> <data…>", found 4 fields'],
      ['', 'found 0 fields'],
      ['sip1.pbx.example.com 300 IN A 10.0.0.1', 'owner name must be fully qualified (end with "."), found "sip1.pbx.example.com"'],
      ['sip1..example.com. 300 IN A 10.0.0.1', 'has an invalid label ""'],
      ['sip1.pbx.example.com. 5m IN A 10.0.0.1', 'TTL must be an integer 0..2147483647, found "5m"'],
      ['sip1.pbx.example.com. -1 IN A 10.0.0.1', 'TTL must be an integer 0..2147483647, found "-1"'],
      ['sip1.pbx.example.com. 2147483648 IN A 10.0.0.1', 'TTL must be an integer 0..2147483647, found 2147483648'],
      ['sip1.pbx.example.com. 300 CH A 10.0.0.1', 'only class IN is supported, found "CH"'],
      ['sip1.pbx.example.com. 300 IN MX 10 mail.example.com.', 'unknown record type "MX" (expected A, CNAME, SRV, NAPTR, SOA)'],
      ['sip1.pbx.example.com. 300 IN A 10.0.0.256', 'A address must be an IPv4 address like 10.0.0.1, found "10.0.0.256"'],
      ['sip1.pbx.example.com. 300 IN A 10.0.1', 'A address must be an IPv4 address like 10.0.0.1, found "10.0.1"'],
      ['sip1.pbx.example.com. 300 IN A 10.0.0.1 10.0.0.2', 'A expects 1 field after the type (address), found 2'],
      ['_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060', 'SRV expects 4 fields after the type (priority weight port target), found 3'],
      ['_sip._udp.pbx.example.com. 300 IN SRV 70000 50 5060 sip1.pbx.example.com.', 'SRV priority must be an integer 0..65535, found 70000'],
      ['_sip._udp.pbx.example.com. 300 IN SRV 10 heavy 5060 sip1.pbx.example.com.', 'SRV weight must be an integer 0..65535, found "heavy"'],
      ['_sip._udp.pbx.example.com. 300 IN SRV 10 50 65536 sip1.pbx.example.com.', 'SRV port must be an integer 0..65535, found 65536'],
      ['_sip._udp.pbx.example.com. 300 IN SRV 10 50 5060 sip1.pbx.example.com', 'SRV target must be fully qualified'],
      ['alias.example.com. 300 IN CNAME .', 'CNAME target must be a domain name, found the root "."'],
      ['pbx.example.com. 300 IN NAPTR 10 50 s "SIP+D2T" "" _sip._tcp.pbx.example.com.', 'NAPTR flags must be a quoted string like "s", found s'],
      ['pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp.pbx.example.com', 'NAPTR replacement must be fully qualified'],
      ['pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2T" _sip._tcp.pbx.example.com.', 'NAPTR expects 6 fields after the type'],
      ['pbx.example.com. 300 IN NAPTR 10 50 "s" "SIP+D2T', 'unterminated quoted string'],
      ['pbx.example.com. 300 IN NAPTR 10 99999 "s" "SIP+D2T" "" x.example.com.', 'NAPTR preference must be an integer 0..65535, found 99999'],
      ['pbx.example.com. 300 IN NAPTR 10 50 "s!" "SIP+D2T" "" x.example.com.', 'NAPTR flags must be letters or digits'],
      ['example.com. 3600 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400', 'SOA expects 7 fields after the type'],
      ['example.com. 3600 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 4294967296', 'SOA minimum must be an integer 0..4294967295'],
    ];
    for (const [line, problem] of cases) {
      it(`rejects ${JSON.stringify(line)}`, () => {
        let err: unknown;
        try {
          parseZoneLine(line, AT);
        } catch (e) {
          err = e;
        }
        expect(err, 'should throw').to.be.instanceOf(InputError);
        const ie = err as InputError;
        expect([ie.file, ie.line, ie.key]).to.deep.equal([AT.file, AT.line, AT.key]);
        expect(ie.message.startsWith('scenarios/pbx.yaml:17: dns.records[3]: '), ie.message).to.equal(true);
        expect(ie.problem).to.contain(problem);
      });
    }
  });
});
