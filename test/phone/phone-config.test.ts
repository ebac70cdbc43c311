import { expect } from 'chai';
import { inputError } from '../helpers/expect-input-error.js';
import { CFG_HEADER, CfgEntry, parseCfg } from '../../sim/phone/cfg-file.js';
import { PHONE_KEYS } from '../../sim/phone/phone-keys.js';
import { buildPhoneConfig } from '../../sim/phone/phone-config.js';
import { cfgRules } from '../../sim/phone/options/dns.js';

/** A .cfg file's text: the header, then one line per argument. */
function cfgText(...lines: string[]): string {
  return [CFG_HEADER, ...lines].join('\n');
}

function cfg(file: string, ...lines: string[]): Map<string, CfgEntry> {
  return parseCfg(cfgText(...lines), file);
}

const ACCOUNT = ['account.1.enable = 1', 'account.1.user_name = 1000', 'account.1.sip_server.1.address = 10.0.0.1'];

describe('phone configuration', () => {
  describe('parseCfg', () => {
    it('reads key = value lines, skipping comments and blank lines, with file and line of each', () => {
      const entries = cfg('0015651234.cfg', '# account', '', 'account.1.enable=1', 'account.1.label =  Front desk  ');
      expect([...entries.values()]).to.deep.equal([
        { key: 'account.1.enable', value: '1', file: '0015651234.cfg', line: 4 },
        { key: 'account.1.label', value: 'Front desk', file: '0015651234.cfg', line: 5 },
      ]);
    });

    it('accepts CRLF line ends and a UTF-8 BOM before the header', () => {
      const entries = parseCfg(`\uFEFF${CFG_HEADER}\r\naccount.1.enable = 1\r\n`, 'a.cfg');
      expect(entries.get('account.1.enable')).to.deep.equal({ key: 'account.1.enable', value: '1', file: 'a.cfg', line: 2 });
    });

    it('a key given twice: the later line wins', () => {
      const entries = cfg('a.cfg', 'sip.timer_t1 = 1', 'sip.timer_t1 = 2');
      expect(entries.get('sip.timer_t1')).to.include({ value: '2', line: 3 });
    });

    it('rejects a file without the header at line 1, saying what was expected and found', () => {
      const e = inputError(() => parseCfg('account.1.enable = 1\n', 'y000000000044.cfg'));
      expect([e.file, e.line, e.key]).to.deep.equal(['y000000000044.cfg', 1, undefined]);
      expect(e.message).to.equal(
        'y000000000044.cfg:1: expected the header line "#!version:1.0.0.1" (the phone rejects files without it), found "account.1.enable = 1"',
      );
    });

    it('rejects an empty file at line 1', () => {
      expect(inputError(() => parseCfg('', 'empty.cfg')).line).to.equal(1);
    });

    it('rejects a line without "=" at its own line number', () => {
      const e = inputError(() => parseCfg(cfgText('account.1.enable = 1', '# fine', 'account.1.user_name 1000'), 'p.cfg'));
      expect([e.file, e.line]).to.deep.equal(['p.cfg', 4]);
      expect(e.message).to.equal('p.cfg:4: expected "key = value", found "account.1.user_name 1000"');
    });

    it('rejects a line starting with "=" (no key) and a key with spaces', () => {
      expect(inputError(() => parseCfg(cfgText('= 1'), 'p.cfg')).line).to.equal(2);
      const e = inputError(() => parseCfg(cfgText('', 'account 1.enable = 1'), 'p.cfg'));
      expect([e.line, e.key]).to.deep.equal([3, 'account 1.enable']);
    });
  });

  describe('buildPhoneConfig', () => {
    it('fills the documented defaults', () => {
      const c = buildPhoneConfig([cfg('mac.cfg', ...ACCOUNT)]);
      expect(c.timers).to.deep.equal({ t1: 500_000, t2: 4_000_000, t4: 5_000_000 });
      expect(c.surgePrevention).to.equal(0);
      expect(c.warnings).to.deep.equal([]);
      expect(c.accounts).to.have.length(1);
      const a = c.accounts[0]!;
      expect({ ...a }).to.deep.equal({
        index: 1,
        userName: '1000',
        displayName: '',
        servers: [{
          index: 1, address: '10.0.0.1', port: 5060, transport: 0, expires: 3600, retryCounts: 3, inviteRetryCounts: 3,
          failbackMode: 0, failbackTimeout: 3_600_000_000, registerOnEnable: false, onlySignalWithRegistered: false, failbackSubscribe: false, naptrBuild: 0,
        }],
        proxies: [],
        proxyFallbackInterval: 3_600_000_000,
        fallback: { type: 0, timeout: 120_000_000, withRegFail: false },
        features: [],
        subscribeExpiresOverlap: -1,
        regFailRetryInterval: 30_000_000,
        regBackoff: { base: 0, max: 60_000_000 },
        registerExpiresOverlap: -1,
        skipRedundantFailoverAddr: true,
        dnsCacheType: 1,
        staticCachePri: 0,
      });
      expect(c.staticDns).to.deep.equal([]);
    });

    it('converts decimal seconds to µs (T1 = 0.75 s, T2 = 2.5 s, T4 = 60 s)', () => {
      const c = buildPhoneConfig([cfg('common.cfg', 'sip.timer_t1 = 0.75', 'sip.timer_t2 = 2.5', 'sip.timer_t4 = 60')]);
      expect(c.timers).to.deep.equal({ t1: 750_000, t2: 2_500_000, t4: 60_000_000 });
    });

    it('later sources win: common file, then <MAC>.cfg, then scenario settings', () => {
      const common = cfg('y000000000044.cfg', 'sip.timer_t1 = 1', 'account.1.sip_server.1.expires = 1800', 'sip.timer_t2 = 8');
      const mac = cfg('0015651234.cfg', ...ACCOUNT, 'account.1.sip_server.1.expires = 600');
      const scenario = cfg('scenario.yaml', 'sip.timer_t1 = 2');
      const c = buildPhoneConfig([common, mac, scenario]);
      expect(c.timers).to.deep.equal({ t1: 2_000_000, t2: 8_000_000, t4: 5_000_000 });
      expect(c.accounts[0]!.servers[0]!.expires).to.equal(600);
      expect(c.entries.get('account.1.sip_server.1.expires')).to.include({ file: '0015651234.cfg', value: '600' });
    });

    it('an empty value means the default, even over an earlier source', () => {
      const common = cfg('common.cfg', 'account.1.sip_server.1.expires = 1800', 'sip.timer_t1 = 2');
      const mac = cfg('mac.cfg', ...ACCOUNT, 'account.1.sip_server.1.expires =', 'sip.timer_t1 =', 'account.1.sip_server.1.retry_counts = ');
      const c = buildPhoneConfig([common, mac]);
      expect(c.accounts[0]!.servers[0]).to.include({ expires: 3600, retryCounts: 3 });
      expect(c.timers.t1).to.equal(500_000);
    });

    it('lists both servers in order, leaving a blank address out; port 0 is kept (server location picks the port)', () => {
      const c = buildPhoneConfig([
        cfg('mac.cfg', ...ACCOUNT, 'account.1.sip_server.2.address = 10.0.0.2', 'account.1.sip_server.2.port = 0', 'account.1.sip_server.1.port = 5070'),
      ]);
      expect(c.accounts[0]!.servers.map((s) => [s.index, s.address, s.port])).to.deep.equal([
        [1, '10.0.0.1', 5070],
        [2, '10.0.0.2', 0],
      ]);
      const only2 = buildPhoneConfig([cfg('mac.cfg', 'account.1.enable = 1', 'account.1.sip_server.2.address = 10.0.0.2')]);
      expect(only2.accounts[0]!.servers.map((s) => s.index)).to.deep.equal([2]);
    });

    describe('out-of-range values: InputError naming file, line, key and what was expected', () => {
      const table: { line: string; key: string; message: string }[] = [
        { line: 'account.1.sip_server.1.retry_counts = 21', key: 'account.1.sip_server.1.retry_counts', message: 'expected an integer from 0 to 20, found "21"' },
        { line: 'account.1.sip_server.1.retry_counts = -1', key: 'account.1.sip_server.1.retry_counts', message: 'expected an integer from 0 to 20, found "-1"' },
        { line: 'account.1.sip_server.1.retry_counts = three', key: 'account.1.sip_server.1.retry_counts', message: 'expected an integer from 0 to 20, found "three"' },
        { line: 'sip.timer_t1 = 0.4', key: 'sip.timer_t1', message: 'expected a number from 0.5 to 10, found "0.4"' },
        { line: 'sip.timer_t2 = 41', key: 'sip.timer_t2', message: 'expected a number from 2 to 40, found "41"' },
        {
          line: 'account.1.sip_server.1.transport_type = 5',
          key: 'account.1.sip_server.1.transport_type',
          message: 'expected one of 0 (UDP), 1 (TCP), 2 (TLS), 3 (DNS-NAPTR), found "5"',
        },
        { line: 'account.1.sip_server.1.expires = 29', key: 'account.1.sip_server.1.expires', message: 'expected an integer from 30 to 2147483647, found "29"' },
        { line: 'account.1.enable = yes', key: 'account.1.enable', message: 'expected one of 0 (disabled), 1 (enabled), found "yes"' },
        { line: 'account.17.enable = 1', key: 'account.17.enable', message: 'account number 17 is outside 1..16' },
        { line: 'account.0.enable = 1', key: 'account.0.enable', message: 'account number 0 is outside 1..16' },
        { line: 'account.1.sip_server.3.address = 10.0.0.3', key: 'account.1.sip_server.3.address', message: 'server number 3 is outside 1..2' },
      ];
      for (const row of table) {
        it(row.line, () => {
          // The bad line is line 5: header, two lines of account, a comment, then it.
          const mac = cfg('0015651234.cfg', 'account.1.enable = 1', 'account.1.sip_server.1.address = 10.0.0.1', '# next', row.line);
          const e = inputError(() => buildPhoneConfig([mac]));
          expect([e.file, e.line, e.key, e.problem]).to.deep.equal(['0015651234.cfg', 5, row.key, row.message]);
          expect(e.message).to.equal(`0015651234.cfg:5: ${row.key}: ${row.message}`);
        });
      }

      it('validates a key in the file that set it (common file, its own line)', () => {
        const common = cfg('y000000000044.cfg', 'sip.timer_t4 = 2');
        const e = inputError(() => buildPhoneConfig([common, cfg('mac.cfg', ...ACCOUNT)]));
        expect([e.file, e.line, e.key]).to.deep.equal(['y000000000044.cfg', 2, 'sip.timer_t4']);
      });
    });

    it('unknown keys produce one warning each at their file:line, and are otherwise ignored', () => {
      const c = buildPhoneConfig([cfg('mac.cfg', ...ACCOUNT, 'features.dnd.enable = 1', 'account.1.codec.1.enable = 1'), cfg('common.cfg', 'lcd.contrast = 6')]);
      expect(c.warnings).to.deep.equal([
        { file: 'mac.cfg', line: 5, message: 'features.dnd.enable: key not modelled by sipsim (ignored)' },
        { file: 'mac.cfg', line: 6, message: 'account.1.codec.1.enable: key not modelled by sipsim (ignored)' },
        { file: 'common.cfg', line: 2, message: 'lcd.contrast: key not modelled by sipsim (ignored)' },
      ]);
      expect(c.accounts).to.have.length(1);
    });

    it('every key of the reference table is simulated now (known gaps of the fact sheet listed): setting one off its default warns of nothing; a bad value is still an error', () => {
      // Every fact-sheet key is simulated (or accepted with a stated no-effect reason).
      expect(PHONE_KEYS.filter((k) => !k.modelled).map((k) => k.pattern)).to.deep.equal([]);
      const c = buildPhoneConfig([cfg('mac.cfg', ...ACCOUNT, 'account.1.sip_server.1.register_on_enable = 1', 'account.1.reg_failed_retry_min_time = 10')]);
      expect(c.warnings).to.deep.equal([]);
      const e = inputError(() => buildPhoneConfig([cfg('mac.cfg', ...ACCOUNT, 'account.1.sip_server.1.failback_mode = 4')]));
      expect(e.key).to.equal('account.1.sip_server.1.failback_mode');
    });

    it('failback_timeout: 1..59 act as 60 s, 0 stays 0 (never), others as given', () => {
      const timeout = (v: string): number => buildPhoneConfig([cfg('mac.cfg', ...ACCOUNT, `account.1.sip_server.1.failback_timeout = ${v}`)]).accounts[0]!.servers[0]!.failbackTimeout;
      expect([timeout('0'), timeout('1'), timeout('59'), timeout('60'), timeout('61'), timeout('65535')]).to.deep.equal([0, 60e6, 60e6, 60e6, 61e6, 65535e6]);
    });

    it('failback_timeout under model option failbackTimeoutRange = asIs (AMB-09, older text): 1..59 taken as given; 0 still never', () => {
      const timeout = (v: string): number =>
        buildPhoneConfig([cfg('mac.cfg', ...ACCOUNT, `account.1.sip_server.1.failback_timeout = ${v}`)], cfgRules({ failbackTimeoutRange: 'asIs' })).accounts[0]!.servers[0]!.failbackTimeout;
      expect([timeout('0'), timeout('1'), timeout('30'), timeout('59'), timeout('60')]).to.deep.equal([0, 1e6, 30e6, 59e6, 60e6]);
    });

    describe('server addresses and transports', () => {
      it('a domain name is kept for DNS server location (RFC 3263)', () => {
        const mac = cfg('mac.cfg', 'account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com', 'account.1.sip_server.1.port = 0');
        expect(buildPhoneConfig([mac]).accounts[0]!.servers.map((s) => [s.address, s.port])).to.deep.equal([['pbx.example.com', 0]]);
      });

      it('an address that is neither IPv4 nor a domain name is an InputError at its line', () => {
        const mac = cfg('mac.cfg', 'account.1.enable = 1', 'account.1.sip_server.1.address = pbx..example.com');
        const e = inputError(() => buildPhoneConfig([mac]));
        expect([e.file, e.line, e.key]).to.deep.equal(['mac.cfg', 3, 'account.1.sip_server.1.address']);
        expect(e.problem).to.equal('expected an IPv4 address or a domain name, found "pbx..example.com"');
      });

      for (const t of [0, 1, 2, 3]) {
        it(`transport_type ${t} is taken as given`, () => {
          const mac = cfg('mac.cfg', ...ACCOUNT, `account.1.sip_server.1.transport_type = ${t}`);
          expect(buildPhoneConfig([mac]).accounts[0]!.servers[0]!.transport).to.equal(t);
        });
      }
    });

    it('a disabled account is not simulated, whatever its servers', () => {
      const c = buildPhoneConfig([cfg('mac.cfg', 'account.1.enable = 0', 'account.1.sip_server.1.address = 10.0.0.1')]);
      expect(c.accounts).to.deep.equal([]);
    });

    it('every enabled account is simulated; one without a server is warned about', () => {
      const c = buildPhoneConfig([cfg('mac.cfg', 'account.1.enable = 1', 'account.2.enable = 1', 'account.2.sip_server.1.address = 10.0.0.2', 'account.3.sip_server.1.address = 10.0.0.3')]);
      expect(c.accounts.map((a) => [a.index, a.servers.length])).to.deep.equal([[1, 0], [2, 1]]);
      expect(c.warnings).to.deep.equal([{ file: 'mac.cfg', line: 2, message: 'account 1 is enabled but has no sip_server address: it will not register' }]);
    });
  });
});

describe('outbound proxies (account.X.outbound_proxy*)', () => {
  const parse = (...lines: string[]) => buildPhoneConfig([parseCfg([CFG_HEADER, 'account.1.enable = 1', 'account.1.sip_server.1.address = pbx.example.com', ...lines].join('\n'), 'p.cfg')]);

  it('disabled by default: no proxies, the server keys as they are', () => {
    const a = parse('account.1.outbound_proxy.1.address = 10.0.0.5', 'account.1.outbound_proxy.1.retry_counts = 1').accounts[0]!;
    expect(a.proxies).to.deep.equal([]);
    expect(a.servers[0]!.retryCounts).to.equal(3);
  });

  it('enabled: proxies in order; -1 inherits sip_server.Y, other values override it', () => {
    const a = parse(
      'account.1.outbound_proxy_enable = 1', 'account.1.outbound_proxy.1.address = 10.0.0.5', 'account.1.outbound_proxy.2.address = op2.example.com',
      'account.1.outbound_proxy.2.port = 0', 'account.1.outbound_proxy.1.retry_counts = 1', 'account.1.outbound_proxy.1.failback_mode = -1',
      'account.1.sip_server.1.failback_mode = 2',
    ).accounts[0]!;
    expect(a.proxies).to.deep.equal([{ index: 1, address: '10.0.0.5', port: 5060 }, { index: 2, address: 'op2.example.com', port: 0 }]);
    expect([a.servers[0]!.retryCounts, a.servers[0]!.failbackMode, a.servers[0]!.inviteRetryCounts]).to.deep.equal([1, 2, 3]);
  });

  it('enabled without an address: a warning; a bad address or value: file:line errors', () => {
    expect(parse('account.1.outbound_proxy_enable = 1').warnings).to.deep.equal([{ file: 'p.cfg', line: 4, message: 'account 1 enables its outbound proxy but names none: requests go to the servers directly' }]);
    expect(() => parse('account.1.outbound_proxy_enable = 1', 'account.1.outbound_proxy.1.address = not..valid')).to.throw('p.cfg:5: account.1.outbound_proxy.1.address: expected an IPv4 address or a domain name');
    expect(() => parse('account.1.outbound_proxy.1.invite_retry_counts = 0')).to.throw(/^p\.cfg:4: account\.1\.outbound_proxy\.1\.invite_retry_counts: expected one of 1 \(1\), .*10 \(10\), -1 \(inherit\), found "0"$/);
  });
});
