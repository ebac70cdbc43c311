// chai 6 ships no .d.ts and @types/chai is not installed yet; harmless once it is.
// @ts-ignore TS7016
import { expect } from 'chai';
import fc from 'fast-check';
import { US_PER_MS, US_PER_S, formatDuration, formatInstant, formatSeconds, ms, parseDuration, sec } from '../../sim/core/time.js';

describe('time helpers', () => {
  it('ms() and sec() convert to integer µs, rounding', () => {
    expect([US_PER_MS, US_PER_S]).to.deep.equal([1000, 1_000_000]);
    expect([ms(1), ms(1.5), ms(0.0004), ms(0.0006), sec(32), sec(1.5), sec(0.1 + 0.2)]).to.deep.equal([
      1000, 1500, 0, 1, 32_000_000, 1_500_000, 300_000,
    ]);
  });

  describe('parseDuration', () => {
    it('parses the documented forms into integer µs', () => {
      const inputs = ['500ms', '32s', '1m30s', '2h', '1.5s', '0', '250us', '250µs', '0s', '1ms', '1m', '1s500ms', '1h1m1s1ms1us', '0.5ms'];
      expect(inputs.map((s) => [s, parseDuration(s)])).to.deep.equal([
        ['500ms', 500_000],
        ['32s', 32_000_000],
        ['1m30s', 90_000_000],
        ['2h', 7_200_000_000],
        ['1.5s', 1_500_000],
        ['0', 0],
        ['250us', 250],
        ['250µs', 250],
        ['0s', 0],
        ['1ms', 1_000], // 'ms' wins over 'm' followed by garbage 's'
        ['1m', 60_000_000],
        ['1s500ms', 1_500_000],
        ['1h1m1s1ms1us', 3_661_001_001],
        ['0.5ms', 500],
      ]);
    });

    it('rounds sub-µs fractions to the nearest integer µs', () => {
      expect(['0.4us', '0.5us', '1.0004ms', '0.1s'].map((s) => [s, parseDuration(s)])).to.deep.equal([
        ['0.4us', 0],
        ['0.5us', 1],
        ['1.0004ms', 1000],
        ['0.1s', 100_000],
      ]);
    });

    it('trims surrounding whitespace but rejects embedded spaces', () => {
      expect([' 5s ', '\t1m30s\n', '5 s', '1m 30s', ' '].map((s) => [s, parseDuration(s)])).to.deep.equal([
        [' 5s ', 5_000_000],
        ['\t1m30s\n', 90_000_000],
        ['5 s', undefined],
        ['1m 30s', undefined],
        [' ', undefined],
      ]);
    });

    it('rejects non-durations with undefined', () => {
      const bad = ['abc', '-5s', '10', '', '5', '00', 's', '.5s', '1.s', '1.5', '5x', '5sec', '5S', '1e3s', '+5s', '5s5', '1m30', '5ss', 'μs', '5μs' /* Greek mu, not micro sign */, 'NaNs', 'Infinitys'];
      expect(bad.map((s) => [s, parseDuration(s)])).to.deep.equal(bad.map((s) => [s, undefined]));
    });

    it('never returns NaN (random strings from a duration-like alphabet and arbitrary text)', () => {
      const alphabet = fc.constantFrom('0', '1', '5', '9', '.', 'u', 'µ', 'm', 's', 'h', ' ', '-', 'e', 'x');
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 20 }), fc.string({ maxLength: 20 })), (text) => {
          const r = parseDuration(text);
          expect(Number.isNaN(r), JSON.stringify(text)).to.equal(false);
          if (r !== undefined) {
            expect(Number.isInteger(r)).to.equal(true);
            expect(r).to.be.at.least(0);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('round-trips formatDuration for whole-millisecond durations', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (msCount) => {
          const t = msCount * 1000;
          expect(parseDuration(formatDuration(t)), formatDuration(t)).to.equal(t);
        }),
        { numRuns: 2000 },
      );
    });

    it('returns undefined (not Infinity / unsafe integers) for out-of-range durations', () => {
      expect(parseDuration('9'.repeat(400) + 's')).to.equal(undefined);
      expect(parseDuration('99999999999h')).to.equal(undefined);
    });
  });

  describe('formatInstant (the ladder\'s time column)', () => {
    it('keeps every microsecond in the summary\'s units, minutes kept when hours are shown', () => {
      const ts = [0, 10_000, 62_345_678, 3_600_000_000 + 5_000_000, 44_262_842_971, 60_000_000];
      expect(ts.map(formatInstant)).to.deep.equal(['0.000000s', '0.010000s', '1m2.345678s', '1h0m5.000000s', '12h17m42.842971s', '1m0.000000s']);
    });

    it('reads back with parseDuration, so a row\'s time can be pasted into --from', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 400 * 3_600_000_000 }), (t) => {
          expect(parseDuration(formatInstant(t)), formatInstant(t)).to.equal(t);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('formatSeconds', () => {
    it('prints seconds with exactly 6 decimals', () => {
      const ts = [31_500_000, 0, 1, 500, 999_999, 1_000_000, 3_600_000_001, -1_500, -31_500_000];
      expect(ts.map((t) => [t, formatSeconds(t)])).to.deep.equal([
        [31_500_000, '31.500000'],
        [0, '0.000000'],
        [1, '0.000001'],
        [500, '0.000500'],
        [999_999, '0.999999'],
        [1_000_000, '1.000000'],
        [3_600_000_001, '3600.000001'],
        [-1_500, '-0.001500'],
        [-31_500_000, '-31.500000'],
      ]);
    });

    it('is exact for any safe integer (digits without the dot give back t)', () => {
      fc.assert(
        fc.property(fc.maxSafeInteger().filter((t) => t !== 0).chain((t) => fc.constantFrom(t, -t, t % 1e12)), (t) => {
          const s = formatSeconds(t);
          expect(s).to.match(/^-?\d+\.\d{6}$/);
          expect(BigInt(s.replace('.', ''))).to.equal(BigInt(t));
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('formatDuration', () => {
    it('prints the compact human form', () => {
      const ts = [0, 1, 500, 1_500, 999_999, 1_000_000, 31_500_000, 90_500_000, 3_600_000_000, 3_660_000_000, 7_384_250_000, 86_400_000_000, -1_500, -90_500_000];
      expect(ts.map((t) => [t, formatDuration(t)])).to.deep.equal([
        [0, '0s'],
        [1, '0.001ms'],
        [500, '0.5ms'],
        [1_500, '1.5ms'],
        [999_999, '999.999ms'],
        [1_000_000, '1s'],
        [31_500_000, '31.5s'],
        [90_500_000, '1m30.5s'],
        [3_600_000_000, '1h'],
        [3_660_000_000, '1h1m'],
        [7_384_250_000, '2h3m4.25s'],
        [86_400_000_000, '24h'],
        [-1_500, '-1.5ms'],
        [-90_500_000, '-1m30.5s'],
      ]);
    });

    it('does not print a zero seconds component or "60s" for sub-ms remainders', () => {
      const ts = [3_600_000_001, 60_000_100, 59_999_999];
      expect(ts.map((t) => [t, formatDuration(t)])).to.deep.equal([
        [3_600_000_001, '1h'],
        [60_000_100, '1m'],
        [59_999_999, '1m'],
      ]);
    });
  });
});
