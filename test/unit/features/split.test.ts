import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { countTrain, isTrain, timeSplitCutoff } from '../../../src/core/features/split.ts';

/** The value of 1-based rank ceil(q·n) in sorted order. */
function byRank(ts: number[], q: number): number {
  const sorted = [...ts].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * ts.length)) - 1]!;
}

describe('timeSplitCutoff', () => {
  it('takes the value of rank ceil(0.8 n): 8 of 1..10, 6th smallest of 7', () => {
    expect(timeSplitCutoff(Uint32Array.from([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]))).toBe(8);
    expect(timeSplitCutoff(Uint32Array.from([100, 200, 200, 300, 150, 400, 50]))).toBe(300);
    expect(timeSplitCutoff(Uint32Array.from([5, 1, 3]), 1)).toBe(5);
    expect(timeSplitCutoff(Uint32Array.from([5, 1, 3]), 0.01)).toBe(1);
    expect(timeSplitCutoff(Uint32Array.from([42]))).toBe(42);
  });

  it('keeps at least the quantile share at or before the cutoff, and less before it', () => {
    const ts = Uint32Array.from([7, 7, 7, 7, 7, 1, 1, 9, 9, 9]);
    const cut = timeSplitCutoff(ts, 0.5);
    expect(cut).toBe(7);
    expect(countTrain(ts, cut)).toBe(7);
    expect(countTrain(ts, cut - 1)).toBeLessThan(5);
  });

  it('finds values that differ only in the low or only in the high 16 bits', () => {
    const ts = Uint32Array.from([0x10000, 0xffff, 0x1ffff, 0xffffffff, 0x10001]);
    expect(timeSplitCutoff(ts, 0.4)).toBe(0x10000);
    expect(timeSplitCutoff(ts, 0.6)).toBe(0x10001);
    expect(timeSplitCutoff(ts, 1)).toBe(0xffffffff);
  });

  it('matches sorting for any timestamps and quantile', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.nat(0xffffffff), fc.integer({ min: 828124615, max: 828124615 + 300 })),
          { minLength: 1, maxLength: 300 },
        ),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        (ts, q) => {
          expect(timeSplitCutoff(Uint32Array.from(ts), q)).toBe(byRank(ts, q));
        },
      ),
    );
  });

  it('matches sorting on generated ratings', () => {
    const ds = generateDataset({ ratings: 20_000, seed: 3 });
    const ts = ds.ratings.timestamp;
    const cut = timeSplitCutoff(ts);
    expect(cut).toBe(byRank(Array.from(ts), 0.8));
    expect(countTrain(ts, cut)).toBeGreaterThanOrEqual(16_000);
  });

  it('rejects an empty input and a quantile outside (0, 1]', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof WrenError ? e.code : 'other';
      }
      return 'none';
    };
    expect(err(() => timeSplitCutoff(new Uint32Array(0)))).toBe('invalid-data');
    expect(err(() => timeSplitCutoff(Uint32Array.from([1]), 0))).toBe('invalid-settings');
    expect(err(() => timeSplitCutoff(Uint32Array.from([1]), 1.5))).toBe('invalid-settings');
    expect(err(() => timeSplitCutoff(Uint32Array.from([1]), NaN))).toBe('invalid-settings');
  });
});

describe('isTrain', () => {
  it('puts the cutoff itself in training and anything later in test', () => {
    expect([isTrain(299, 300), isTrain(300, 300), isTrain(301, 300)]).toEqual([true, true, false]);
  });
});
