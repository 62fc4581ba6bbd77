import { describe, expect, it } from 'vitest';
import { AliasTable, Random } from '../../../src/core/random.ts';

function draws(rng: Random, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

/** Pearson's chi-square statistic of observed counts against expected counts. */
function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  let x = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i] as number;
    x += ((observed[i] as number) - e) ** 2 / e;
  }
  return x;
}

describe('Random', () => {
  it('repeats the same sequence for the same seed and stream', () => {
    expect(draws(new Random(42), 100)).toEqual(draws(new Random(42), 100));
    expect(draws(new Random(42, 3), 100)).toEqual(draws(new Random(42, 3), 100));
  });

  it('gives unrelated sequences for nearby seeds, streams and large seeds', () => {
    const a = draws(new Random(1), 50);
    for (const other of [new Random(2), new Random(1, 1), new Random(2 ** 32 + 1), new Random(0.5)])
      expect(draws(other, 50)).not.toEqual(a);
  });

  it('starts from pinned values: changing the generator changes every synthetic dataset', () => {
    const r = new Random(1);
    expect([r.uint32(), r.uint32(), r.uint32()]).toEqual([1130556604, 2591592147, 3014952990]);
    const s = new Random(1, 7);
    expect([s.uint32(), s.uint32()]).toEqual([569031797, 3158974842]);
  });

  it('rejects seeds that are not finite', () => {
    expect(() => new Random(Number.NaN)).toThrow(RangeError);
    expect(() => new Random(Infinity)).toThrow(RangeError);
  });

  it('next() stays in [0, 1) and is uniform over 20 bins', () => {
    const r = new Random(7);
    const bins = new Array<number>(20).fill(0);
    const n = 200_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      else bins[Math.floor(x * 20)]! += 1;
    }
    expect(outside).toBe(0);
    // 19 degrees of freedom: the 99.9% quantile is 43.8.
    expect(chiSquare(bins, new Array<number>(20).fill(n / 20))).toBeLessThan(43.8);
  });

  it('int(n) covers 0..n-1 uniformly, for small and large n', () => {
    const r = new Random(11);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]! += 1;
    expect(chiSquare(counts, new Array<number>(7).fill(10_000))).toBeLessThan(22.5); // df 6, 99.9%
    let max = 0;
    let sum = 0;
    const big = 50_000_000;
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.int(big);
      if (!(Number.isInteger(x) && x >= 0 && x < big)) bad++;
      max = Math.max(max, x);
      sum += x;
    }
    expect(bad).toBe(0);
    expect(max).toBeGreaterThan(big * 0.999);
    expect(sum / 100_000 / big).toBeCloseTo(0.5, 2);
  });

  it('normal() has mean 0 and standard deviation 1', () => {
    const r = new Random(3);
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(1, 1);
  });

  it('exponential() has mean 1', () => {
    const r = new Random(5);
    let s = 0;
    for (let i = 0; i < 100_000; i++) s += r.exponential();
    expect(s / 100_000).toBeCloseTo(1, 1);
  });

  it('shuffle permutes in place, reproducibly, and moves every position around', () => {
    const a = Int32Array.from({ length: 1000 }, (_, i) => i);
    const b = Array.from({ length: 1000 }, (_, i) => i);
    new Random(9).shuffle(a);
    new Random(9).shuffle(b);
    expect(Array.from(a)).toEqual(b);
    expect([...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(b.filter((x, i) => x === i).length).toBeLessThan(10);
    // Position 0 ends up uniformly anywhere.
    const where = new Array<number>(4).fill(0);
    const r = new Random(1);
    for (let t = 0; t < 40_000; t++) where[r.shuffle([0, 1, 2, 3]).indexOf(0)]! += 1;
    expect(chiSquare(where, [10_000, 10_000, 10_000, 10_000])).toBeLessThan(16.3); // df 3
  });

  it('pick chooses among the items and throws on an empty array', () => {
    const r = new Random(2);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(r.pick(['a', 'b', 'c']));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});

describe('AliasTable', () => {
  it('draws indexes in proportion to their weights', () => {
    const weights = [1, 0, 3, 6, 0.5, 9.5];
    const total = weights.reduce((a, b) => a + b, 0);
    const table = new AliasTable(weights);
    const r = new Random(21);
    const n = 200_000;
    const counts = new Array<number>(weights.length).fill(0);
    for (let i = 0; i < n; i++) counts[table.sample(r)]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[4]).toBeGreaterThan(0);
    const positive = weights.flatMap((w, i) => (w > 0 ? [i] : []));
    const chi = chiSquare(
      positive.map((i) => counts[i] as number),
      positive.map((i) => (n * (weights[i] as number)) / total),
    );
    expect(chi).toBeLessThan(18.5); // df 4, 99.9%
  });

  it('never draws a zero weight, even among many tiny ones', () => {
    const weights = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 0 : 1e-9 * (i + 1)));
    const table = new AliasTable(weights);
    const r = new Random(4);
    let zeros = 0;
    for (let i = 0; i < 50_000; i++) if (table.sample(r) % 3 === 0) zeros++;
    expect(zeros).toBe(0);
  });

  it('rejects empty, negative, non-finite and all-zero weights', () => {
    expect(() => new AliasTable([])).toThrow(RangeError);
    expect(() => new AliasTable([1, -1])).toThrow(RangeError);
    expect(() => new AliasTable([1, Number.NaN])).toThrow(RangeError);
    expect(() => new AliasTable([1, Infinity])).toThrow(RangeError);
    expect(() => new AliasTable([0, 0])).toThrow(RangeError);
  });
});
