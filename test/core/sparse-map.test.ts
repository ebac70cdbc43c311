// @ts-ignore TS7016
import { expect } from 'chai';
import fc from 'fast-check';
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

  it('removing a key it does not hold leaves a one-entry map as it was', () => {
    let m = withEntry(noEntries<string, number>(), 'a', 1);
    m = withoutEntry(m, 'b');
    expect([...m]).to.deep.equal([['a', 1]]);
    m = withoutEntry(m, 'a');
    expect(m).to.equal(noEntries<string, number>());
  });

  it('any sequence of sets and removals reads like a Map, and is the shared empty map exactly when empty (property)', () => {
    const op = fc.record({ set: fc.boolean(), key: fc.integer({ min: 0, max: 5 }), value: fc.integer() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let m = noEntries<number, number>();
        const ref = new Map<number, number>();
        for (const o of ops) {
          if (o.set) {
            m = withEntry(m, o.key, o.value);
            ref.set(o.key, o.value);
          } else {
            m = withoutEntry(m, o.key);
            ref.delete(o.key);
          }
          expect([...m]).to.deep.equal([...ref]);
          expect(m === noEntries<number, number>()).to.equal(ref.size === 0);
        }
      }),
    );
  });
});
