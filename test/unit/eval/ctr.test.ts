import { describe, expect, it } from 'vitest';
import { groupAuc, pairedAucBootstrap } from '../../../src/core/eval/ctr.ts';
import { rocAuc } from '../../../src/core/eval/metrics.ts';
import { Random } from '../../../src/core/random.ts';

describe('group AUC', () => {
  it('weights each group’s AUC by its rows', () => {
    // Group 1 (4 rows) ordered perfectly, group 2 (2 rows) backwards: (4·1 + 2·0) / 6.
    const labels = [1, 1, 0, 0, 1, 0];
    const scores = [0.9, 0.8, 0.2, 0.1, 0.3, 0.7];
    const groups = [1, 1, 1, 1, 2, 2];
    expect(groupAuc(labels, scores, groups)).toBeCloseTo(4 / 6, 12);
  });

  it('skips groups with one label only, and is NaN when every group has one', () => {
    const labels = [1, 0, 1, 1, 0, 0];
    const scores = [0.9, 0.1, 0.5, 0.4, 0.3, 0.2];
    const groups = [1, 1, 2, 2, 3, 3];
    expect(groupAuc(labels, scores, groups)).toBe(1);
    expect(groupAuc([1, 1, 0], [0.1, 0.2, 0.3], [1, 1, 2])).toBeNaN();
  });

  it('ignores how groups are told apart, unlike the global AUC', () => {
    // Within each group the order is perfect, but group 2's scores all sit below group 1's.
    const labels = [1, 0, 1, 0];
    const scores = [0.9, 0.8, 0.2, 0.1];
    const groups = [1, 1, 2, 2];
    expect(groupAuc(labels, scores, groups)).toBe(1);
    expect(rocAuc(labels, scores)).toBe(0.75);
  });
});

describe('paired bootstrap of an AUC difference', () => {
  const rng = new Random(5);
  const n = 2000;
  const groups = Int32Array.from({ length: n }, (_, i) => i % 100);
  const labels = Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
  const noisy = (signal: number): Float32Array =>
    Float32Array.from(labels, (l) => l * signal + rng.normal());

  it('finds no difference between a model and itself', () => {
    const a = noisy(1);
    const d = pairedAucBootstrap(labels, a, a, groups, { rounds: 50 });
    expect([d.diff, d.lo, d.hi]).toEqual([0, 0, 0]);
  });

  it('puts a clearly better model’s interval above zero and a tie’s around it', () => {
    const weak = noisy(0.5);
    const strong = noisy(2);
    const better = pairedAucBootstrap(labels, weak, strong, groups, { rounds: 200 });
    expect(better.diff).toBeGreaterThan(0.1);
    expect(better.lo).toBeGreaterThan(0);
    expect(better.lo).toBeLessThanOrEqual(better.diff);
    expect(better.hi).toBeGreaterThanOrEqual(better.diff);
    const tie = pairedAucBootstrap(labels, noisy(1), noisy(1), groups, { rounds: 200 });
    expect(tie.lo).toBeLessThan(0);
    expect(tie.hi).toBeGreaterThan(0);
  });

  it('is the same for the same seed', () => {
    const a = noisy(1);
    const b = noisy(1.2);
    const once = pairedAucBootstrap(labels, a, b, groups, { rounds: 40, seed: 3 });
    expect(pairedAucBootstrap(labels, a, b, groups, { rounds: 40, seed: 3 })).toEqual(once);
  });

  it('resamples whole groups: one group’s rows move together', () => {
    // Only group 0 separates the models: its rows are all in or all out of a resample, so the
    // interval is wide, where resampling rows one by one would make it narrow.
    const g = Int32Array.from({ length: 400 }, (_, i) => (i < 200 ? 0 : 1 + (i % 10)));
    const l = Float32Array.from({ length: 400 }, (_, i) => i % 2);
    const a = Float32Array.from({ length: 400 }, () => rng.next());
    const b = Float32Array.from(a, (x, i) => (i < 200 ? l[i]! + x : x));
    const d = pairedAucBootstrap(l, a, b, g, { rounds: 200 });
    expect(d.hi - d.lo).toBeGreaterThan(0.3);
  });
});
