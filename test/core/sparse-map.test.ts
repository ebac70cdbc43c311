// @ts-ignore TS7016
import { expect } from 'chai';
import { noEntries, withEntry, withoutEntry } from '../../sim/core/sparse-map.js';

describe('sparse maps (NO_ENTRIES until the first entry)', () => {
  it('keeps entries like a Map and returns to the shared empty map when emptied', () => {
    const start = noEntries<string, number>();
    let m = withEntry(start, 'a', 1);
    expect(m).to.not.equal(start);
    m = withEntry(m, 'b', 2);
    expect([...m]).to.deep.equal([['a', 1], ['b', 2]]);
    m = withoutEntry(m, 'a');
    expect(m.get('b')).to.equal(2);
    m = withoutEntry(m, 'b');
    expect(m).to.equal(noEntries<string, number>());
    expect(m.size).to.equal(0);
  });

  it('two owners never share entries through the empty map', () => {
    const a = withEntry(noEntries<string, number>(), 'x', 1);
    const b = noEntries<string, number>();
    expect(b.has('x')).to.equal(false);
    expect(a.get('x')).to.equal(1);
  });

  it('refuses a direct set on the shared empty map (a bug that would leak entries between owners)', () => {
    expect(() => noEntries<string, number>().set('x', 1)).to.throw(/NO_ENTRIES is shared/);
    expect(noEntries<string, number>().size).to.equal(0);
  });
});
