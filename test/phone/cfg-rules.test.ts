import { expect } from 'chai';
import { inputError } from '../helpers/expect-input-error.js';
import { formatWarning } from '../../sim/core/warning.js';
import { CFG_HEADER, CfgEntry, parseCfg } from '../../sim/phone/cfg-file.js';
import { cfgRules, type CfgRules } from '../../sim/phone/options/dns.js';
import { buildPhoneConfig, PhoneConfig } from '../../sim/phone/phone-config.js';

/** AMB-27 `configParsing` and AMB-28 `retryCountsRange`: every reading, default ★ and alternatives. */

function cfg(file: string, ...lines: string[]): Map<string, CfgEntry> {
  return parseCfg([CFG_HEADER, ...lines].join('\n'), file);
}

const ACCOUNT = ['account.1.enable = 1', 'account.1.sip_server.1.address = 10.0.0.1'];

function build(sources: Map<string, CfgEntry>[], rules: Partial<CfgRules> = {}): PhoneConfig {
  return buildPhoneConfig(sources, cfgRules(rules));
}

function warnings(c: PhoneConfig): string[] {
  return c.warnings.map(formatWarning);
}

describe('.cfg reading rules (AMB-27 configParsing, AMB-28 retryCountsRange)', () => {
  it('the defaults are the fact sheet ★ readings', () => {
    expect(cfgRules()).to.deep.equal({
      configDuplicateKey: 'lastWins', configBlankValue: 'keepDefault', configWrongFile: 'acceptAnywhere',
      configLegacyKeys: 'acceptWithWarning', configOutOfRange: 'reject', retryCountsRange: '0..20', failbackTimeoutRange: 'sixtyMinimum',
    });
  });

  describe('configDuplicateKey', () => {
    const file = (): Map<string, CfgEntry> => cfg('a.cfg', ...ACCOUNT, 'sip.timer_t1 = 1', 'sip.timer_t1 = 2', 'sip.timer_t1 = 3');
    it('lastWins (★): the last line counts; a warning names every line', () => {
      const c = build([file()]);
      expect(c.timers.t1).to.equal(3_000_000);
      expect(c.entries.get('sip.timer_t1')).to.include({ value: '3', line: 6 });
      expect(warnings(c)).to.deep.equal(['a.cfg:6: sip.timer_t1: set 3 times in this file (lines 4, 5, 6); line 6 wins (model option configDuplicateKey=lastWins)']);
    });
    it('firstWins: the first line counts', () => {
      const c = build([file()], { configDuplicateKey: 'firstWins' });
      expect(c.timers.t1).to.equal(1_000_000);
      expect(c.entries.get('sip.timer_t1')).to.include({ value: '1', line: 4 });
      expect(warnings(c)).to.deep.equal(['a.cfg:4: sip.timer_t1: set 3 times in this file (lines 4, 5, 6); line 4 wins (model option configDuplicateKey=firstWins)']);
    });
    it('across files the later file wins under both readings, without a warning (MAC wins ★)', () => {
      for (const configDuplicateKey of ['lastWins', 'firstWins'] as const) {
        const c = build([cfg('common.cfg', 'sip.timer_t1 = 1'), cfg('mac.cfg', ...ACCOUNT, 'sip.timer_t1 = 2')], { configDuplicateKey });
        expect(c.timers.t1, configDuplicateKey).to.equal(2_000_000);
        expect(c.warnings).to.deep.equal([]);
      }
    });
    it('firstWins: a bad first line is the one refused, at its own line', () => {
      const e = inputError(() => build([cfg('a.cfg', ...ACCOUNT, 'sip.timer_t1 = 99', 'sip.timer_t1 = 1')], { configDuplicateKey: 'firstWins' }));
      expect([e.file, e.line, e.key]).to.deep.equal(['a.cfg', 4, 'sip.timer_t1']);
    });
  });

  describe('configBlankValue and %NULL%', () => {
    const common = (): Map<string, CfgEntry> => cfg('common.cfg', 'account.1.sip_server.1.expires = 600', 'account.1.label = Desk');
    it('keepDefault (★): `k =` gives the documented default, over an earlier file', () => {
      const c = build([common(), cfg('mac.cfg', ...ACCOUNT, 'account.1.sip_server.1.expires =', 'account.1.label =')]);
      expect(c.accounts[0]!.servers[0]!.expires).to.equal(3600);
      expect(c.entries.get('account.1.label')!.value).to.equal('');
      expect(c.warnings).to.deep.equal([]);
    });
    it('setEmpty: a text key becomes blank; a number key cannot be blank — refused with file:line:key', () => {
      const c = build([common(), cfg('mac.cfg', ...ACCOUNT, 'account.1.label =')], { configBlankValue: 'setEmpty' });
      expect(c.entries.get('account.1.label')!.value).to.equal('');
      const e = inputError(() => build([common(), cfg('mac.cfg', ...ACCOUNT, 'account.1.sip_server.1.expires =')], { configBlankValue: 'setEmpty' }));
      expect(e.message).to.equal('mac.cfg:4: account.1.sip_server.1.expires: blank value: with model option configBlankValue=setEmpty it sets the key empty, and this key needs an integer from 30 to 2147483647 (write %NULL% or leave the line out for the default 3600)');
    });
    it('%NULL% empties a key under both readings: text keys blank, numbers and choices their default (no longer taken literally)', () => {
      for (const configBlankValue of ['keepDefault', 'setEmpty'] as const) {
        const c = build([common(), cfg('mac.cfg', ...ACCOUNT, 'account.1.label = %NULL%', 'account.1.sip_server.1.expires = %NULL%', 'account.1.sip_server.2.address = %NULL%', 'account.1.sip_server.1.transport_type = %NULL%')], { configBlankValue });
        expect(c.entries.get('account.1.label'), configBlankValue).to.include({ value: '', note: '%NULL%', line: 4 });
        expect(c.accounts[0]!.servers.map((s) => [s.address, s.expires, s.transport])).to.deep.equal([['10.0.0.1', 3600, 0]]);
        expect(c.warnings).to.deep.equal([]);
      }
    });
  });

  describe('configWrongFile (vendor file names only)', () => {
    const mac = (): Map<string, CfgEntry> => cfg('00156574b150.cfg', ...ACCOUNT, 'sip.timer_t1 = 1');
    const common = (): Map<string, CfgEntry> => cfg('y000000000028.cfg', 'account.1.sip_server.1.expires = 600');
    it('acceptAnywhere (★): sip.timer_t1 in <MAC>.cfg and account keys in the common file are read, silently', () => {
      const c = build([common(), mac()]);
      expect([c.timers.t1, c.accounts[0]!.servers[0]!.expires]).to.deep.equal([1_000_000, 600]);
      expect(c.warnings).to.deep.equal([]);
    });
    it('warn: read, with a warning at each such line', () => {
      const c = build([common(), mac()], { configWrongFile: 'warn' });
      expect(c.timers.t1).to.equal(1_000_000);
      expect(warnings(c)).to.deep.equal([
        'y000000000028.cfg:2: account.1.sip_server.1.expires: a per-device key belongs in <MAC>.cfg, found in a common file (model option configWrongFile=warn); accepted',
        '00156574b150.cfg:4: sip.timer_t1: a common key belongs in the common file y0000000000xx.cfg, found in a <MAC>.cfg (model option configWrongFile=warn); accepted',
      ]);
    });
    it('reject: exit-2 error naming file:line:key', () => {
      const e = inputError(() => build([mac()], { configWrongFile: 'reject' }));
      expect(e.message).to.equal('00156574b150.cfg:4: sip.timer_t1: a common key belongs in the common file y0000000000xx.cfg, found in a <MAC>.cfg (model option configWrongFile=reject)');
    });
    it('files not named the vendor\'s way (alice.cfg, common.cfg) are never checked', () => {
      const c = build([cfg('common.cfg', 'account.1.sip_server.1.expires = 600'), cfg('alice.cfg', ...ACCOUNT, 'sip.timer_t1 = 1')], { configWrongFile: 'reject' });
      expect(c.timers.t1).to.equal(1_000_000);
    });
  });

  describe('configLegacyKeys', () => {
    const legacy = (): Map<string, CfgEntry> => cfg('old.cfg',
      'account.1.enable = 1', 'account.1.sip_server_host = pbx.example.com', 'account.1.sip_server_port = 5070', 'account.1.transport = 1',
      'account.1.outbound_proxy_enable = 1', 'account.1.outbound_host = 10.0.0.9', 'account.1.outbound_port = 5080',
      'account.1.advanced.timer_t1 = 1', 'account.1.advanced.timer_t2 = 8', 'account.1.advanced.timer_t4 = 10');
    it('acceptWithWarning (★): each legacy key is read as the current key, with a warning, and is no "not modelled" key', () => {
      const c = build([legacy()]);
      const a = c.accounts[0]!;
      expect(a.servers.map((s) => [s.index, s.address, s.port, s.transport])).to.deep.equal([[1, 'pbx.example.com', 5070, 1]]);
      expect(a.proxies).to.deep.equal([{ index: 1, address: '10.0.0.9', port: 5080 }]);
      expect(c.timers).to.deep.equal({ t1: 1_000_000, t2: 8_000_000, t4: 10_000_000 });
      expect(c.entries.get('account.1.sip_server.2.transport_type')).to.include({ value: '1', line: 5, note: 'legacy key account.1.transport' });
      const w = warnings(c);
      expect(w).to.have.length(8);
      expect(w[0]).to.equal('old.cfg:3: account.1.sip_server_host: legacy key (V70–V72 firmware), read as account.1.sip_server.1.address (model option configLegacyKeys=acceptWithWarning)');
      expect(w.join('\n')).to.not.include('not modelled');
    });
    it('acceptWithWarning: a current key set anywhere wins over the legacy form', () => {
      const c = build([cfg('common.cfg', 'account.1.sip_server.1.address = 10.0.0.1'), cfg('old.cfg', 'account.1.enable = 1', 'account.1.sip_server_host = 10.0.0.7')]);
      expect(c.accounts[0]!.servers[0]!.address).to.equal('10.0.0.1');
      expect(warnings(c)[1]).to.equal('old.cfg:3: account.1.sip_server_host: ignored — account.1.sip_server.1.address is set at common.cfg:2');
    });
    it('acceptWithWarning: a legacy value is validated against the current key\'s range', () => {
      const e = inputError(() => build([cfg('old.cfg', 'account.1.enable = 1', 'account.1.advanced.timer_t1 = 0.1')]));
      expect(e.message).to.equal('old.cfg:3: sip.timer_t1: expected a number from 0.5 to 10, found "0.1"');
    });
    it('reject: exit-2 error naming the current key', () => {
      const e = inputError(() => build([legacy()], { configLegacyKeys: 'reject' }));
      expect(e.message).to.equal('old.cfg:3: account.1.sip_server_host: legacy key (V70–V72 firmware): write account.1.sip_server.1.address instead (model option configLegacyKeys=reject)');
    });
  });

  describe('configOutOfRange', () => {
    it('reject (★): exit-2 error with file:line:key and the range', () => {
      const e = inputError(() => build([cfg('a.cfg', ...ACCOUNT, 'account.1.sip_server.1.expires = 10')]));
      expect(e.message).to.equal('a.cfg:4: account.1.sip_server.1.expires: expected an integer from 30 to 2147483647, found "10"');
    });
    it('clampWithWarning: the nearest bound, with a warning; not-a-number and unlisted choices are still refused', () => {
      const c = build([cfg('a.cfg', ...ACCOUNT, 'account.1.sip_server.1.expires = 10', 'sip.timer_t4 = 100', 'account.1.sip_server.1.failback_timeout = 70000')], { configOutOfRange: 'clampWithWarning' });
      expect([c.accounts[0]!.servers[0]!.expires, c.timers.t4, c.accounts[0]!.servers[0]!.failbackTimeout]).to.deep.equal([30, 60_000_000, 65535_000_000]);
      expect(warnings(c)).to.deep.equal([
        'a.cfg:4: account.1.sip_server.1.expires: 10 is outside 30..2147483647, clamped to 30 (model option configOutOfRange=clampWithWarning)',
        'a.cfg:5: sip.timer_t4: 100 is outside 2.5..60, clamped to 60 (model option configOutOfRange=clampWithWarning)',
        'a.cfg:6: account.1.sip_server.1.failback_timeout: 70000 is outside 0..65535, clamped to 65535 (model option configOutOfRange=clampWithWarning)',
      ]);
      expect(c.entries.get('sip.timer_t4')).to.include({ value: '60', note: 'clamped from 100' });
      for (const bad of ['sip.timer_t1 = fast', 'account.1.sip_server.1.transport_type = 7', 'account.1.sip_server.1.expires = 1.5']) {
        expect(inputError(() => build([cfg('a.cfg', ...ACCOUNT, bad)], { configOutOfRange: 'clampWithWarning' })).line, bad).to.equal(4);
      }
    });
    it('failback_timeout 1..59 ⇒ 60 is the vendor\'s rule under both readings, with no warning', () => {
      for (const configOutOfRange of ['reject', 'clampWithWarning'] as const) {
        const c = build([cfg('a.cfg', ...ACCOUNT, 'account.1.sip_server.1.failback_timeout = 5')], { configOutOfRange });
        expect(c.accounts[0]!.servers[0]!.failbackTimeout, configOutOfRange).to.equal(60_000_000);
        expect(c.warnings).to.deep.equal([]);
      }
    });
  });

  describe('retryCountsRange (AMB-28)', () => {
    const lines = [...ACCOUNT, 'account.1.sip_server.1.retry_counts = 100', 'account.1.outbound_proxy_enable = 1', 'account.1.outbound_proxy.1.address = 10.0.0.9', 'account.1.outbound_proxy.1.retry_counts = 65535'];
    it('0..20 (★): 100 is refused with the range', () => {
      expect(inputError(() => build([cfg('a.cfg', ...lines)])).message).to.equal('a.cfg:4: account.1.sip_server.1.retry_counts: expected an integer from 0 to 20, found "100"');
    });
    it('0..65535 (older T4X guide): server and proxy retry counts up to 65535 are read as set', () => {
      const c = build([cfg('a.cfg', ...lines)], { retryCountsRange: '0..65535' });
      // With a proxy, proxy 1's own count (not -1) is server 1's failover count.
      expect(c.accounts[0]!.servers[0]!.retryCounts).to.equal(65535);
      expect(c.entries.get('account.1.sip_server.1.retry_counts')!.value).to.equal('100');
      expect(inputError(() => build([cfg('a.cfg', ...ACCOUNT, 'account.1.sip_server.1.retry_counts = 65536')], { retryCountsRange: '0..65535' })).line).to.equal(4);
    });
    it('clampWithWarning follows the chosen range', () => {
      const c = build([cfg('a.cfg', ...ACCOUNT, 'account.1.sip_server.1.retry_counts = 100')], { configOutOfRange: 'clampWithWarning' });
      expect(c.accounts[0]!.servers[0]!.retryCounts).to.equal(20);
    });
  });
});
