import { expect } from 'chai';
import fc from 'fast-check';
import type { Located } from '../../sim/dns/server-locator.js';
import { redundancyKey, skipRedundant } from '../../sim/phone/skip-redundant.js';

const at = (ip: string, port: number, transport: Located['transport'] = 'udp', name = ip): Located => ({ ip, port, transport, name });
const ids = (l: readonly Located[]): string[] => l.map((s) => redundancyKey(s, 'ip:port:transport'));

describe('B9 skipRedundant (model option skipRedundantAddr, AMB-32)', () => {
  const list = [at('10.0.0.1', 5060), at('10.0.0.1', 5070), at('10.0.0.1', 5060, 'tcp'), at('10.0.0.2', 5060), at('10.0.0.2', 5060)];
  it("'ip' (default): one entry per IP — the same IP on another port or transport is skipped", () => {
    const r = skipRedundant(list, (s) => s, 'ip');
    expect(ids(r.kept)).to.deep.equal(['10.0.0.1:5060:udp', '10.0.0.2:5060:udp']);
    expect(r.skipped.map((d) => [redundancyKey(d.entry, 'ip:port:transport'), redundancyKey(d.sameAs, 'ip:port:transport')])).to.deep.equal([
      ['10.0.0.1:5070:udp', '10.0.0.1:5060:udp'],
      ['10.0.0.1:5060:tcp', '10.0.0.1:5060:udp'],
      ['10.0.0.2:5060:udp', '10.0.0.2:5060:udp'],
    ]);
  });
  it("'ip:port': another port is kept, another transport on the same port is not", () => {
    expect(ids(skipRedundant(list, (s) => s, 'ip:port').kept)).to.deep.equal(['10.0.0.1:5060:udp', '10.0.0.1:5070:udp', '10.0.0.2:5060:udp']);
  });
  it("'ip:port:transport': only exact repeats are skipped", () => {
    expect(ids(skipRedundant(list, (s) => s, 'ip:port:transport').kept)).to.deep.equal(['10.0.0.1:5060:udp', '10.0.0.1:5070:udp', '10.0.0.1:5060:tcp', '10.0.0.2:5060:udp']);
  });
  it('invariant: kept keeps order, has no repeats, and kept + skipped is the whole list', () => {
    const entry = fc.record({ ip: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'), port: fc.constantFrom(5060, 5070), transport: fc.constantFrom('udp' as const, 'tcp' as const) })
      .map((e) => at(e.ip, e.port, e.transport));
    fc.assert(fc.property(fc.array(entry, { maxLength: 12 }), fc.constantFrom('ip' as const, 'ip:port' as const, 'ip:port:transport' as const), (l, by) => {
      const { kept, skipped } = skipRedundant(l, (s) => s, by);
      const keys = kept.map((s) => redundancyKey(s, by));
      expect(new Set(keys).size).to.equal(keys.length);
      expect(kept.length + skipped.length).to.equal(l.length);
      expect(kept).to.deep.equal(l.filter((s) => kept.includes(s)));
      for (const d of skipped) expect(redundancyKey(d.entry, by)).to.equal(redundancyKey(d.sameAs, by));
    }));
  });
});
