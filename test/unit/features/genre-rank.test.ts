import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenreRanking } from '../../../src/core/features/genre-rank.ts';

/** Top k by count descending, then index; only positive counts; -1 padding. */
function sortedTop(count: number[], k: number): number[] {
  const top = count
    .map((c, g) => [c, g] as const)
    .filter(([c]) => c > 0)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, g]) => g);
  return [...top, ...Array<number>(k - top.length).fill(-1)];
}

const top = (r: GenreRanking, k = 5): number[] => {
  const out = new Int8Array(k + 2).fill(99);
  r.writeTop(out, 1, k);
  expect([out[0], out[k + 1]]).toEqual([99, 99]); // writes only its k slots
  return Array.from(out.subarray(1, k + 1));
};

describe('GenreRanking', () => {
  it('ranks by count, breaks ties by genre index, and leaves zero counts out', () => {
    const r = new GenreRanking(7);
    expect(top(r)).toEqual([-1, -1, -1, -1, -1]);
    for (const g of [6, 3, 3, 5, 1, 6]) r.increment(g);
    expect(top(r)).toEqual([3, 6, 1, 5, -1]);
    r.decrement(3);
    expect(top(r)).toEqual([6, 1, 3, 5, -1]);
    for (const g of [0, 2, 4]) r.increment(g);
    expect(top(r)).toEqual([6, 0, 1, 2, 3]);
    r.reset();
    r.increment(4);
    expect(top(r, 2)).toEqual([4, -1]);
  });

  it('matches sorting after any sequence of steps that keeps counts ≥ 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.nat(11), fc.boolean()), { maxLength: 200 }),
        (G, steps) => {
          const r = new GenreRanking(G);
          const count = Array<number>(G).fill(0);
          for (const [x, up] of steps) {
            const g = x % G;
            if (up) {
              r.increment(g);
              count[g]!++;
            } else if (count[g]! > 0) {
              r.decrement(g);
              count[g]!--;
            }
            expect(top(r)).toEqual(sortedTop(count, 5));
          }
          expect(Array.from(r.count)).toEqual(count);
        },
      ),
    );
  });
});
