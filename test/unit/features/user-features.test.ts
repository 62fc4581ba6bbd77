import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import type { Progress, RatingColumns } from '../../../src/core/data/types.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { movieMetaFromMovies, type MovieMeta } from '../../../src/core/features/movie-features.ts';
import {
  userFeatureChunks,
  userFeatures,
  type UserFeatureColumns,
} from '../../../src/core/features/user-features.ts';
import { columns, expectMatchesNaive, meta, rowOf, tiny, type Row } from './helpers.ts';

const all = (r: RatingColumns, m: MovieMeta, opts = {}) =>
  userFeatures(r, m, 0, r.user.length, opts);
const none = [-1, -1, -1, -1, -1];
const FIELDS = ['count', 'avgRating', 'stdRating', 'avgYear', 'stdYear'] as const;

type Numbers = ArrayLike<number>;
/** The first index where two arrays differ (or their lengths do), -1 when equal. */
function firstDiff(a: Numbers, b: Numbers): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('userFeatures on the tiny dataset (hand-computed)', () => {
  const { ratings, meta: mm } = tiny();
  const f = all(ratings, mm);
  const row = (i: number) => rowOf(f, i);

  it('gives an empty window to each user’s first row', () => {
    for (const i of [0, 4, 6]) {
      expect(row(i)).toEqual({
        count: 0,
        avgRating: 0,
        stdRating: 0,
        avgYear: 0,
        stdYear: 0,
        lastPositives: none,
        topGenres: none,
      });
    }
  });

  it('row 1 sees row 0 only (strictly before: not its own rating)', () => {
    expect(row(1)).toEqual({
      count: 1,
      avgRating: 4,
      stdRating: 0,
      avgYear: 1995,
      stdYear: 0,
      lastPositives: [0, -1, -1, -1, -1],
      topGenres: [0, 1, -1, -1, -1],
    });
  });

  it('row 2 sees row 1 with the same timestamp (row order, as rowsBetween(-100, -1))', () => {
    const r = row(2);
    expect(r.count).toBe(2);
    expect(r.avgRating).toBeCloseTo(3, 6); // 4★, 2★
    expect(r.stdRating).toBeCloseTo(Math.SQRT2, 6);
    expect(r.avgYear).toBeCloseTo(1997.5, 6);
    expect(r.stdYear).toBeCloseTo(Math.sqrt(12.5), 5);
    expect(r.lastPositives).toEqual([0, -1, -1, -1, -1]); // m1 at 2★ is not positive
    expect(r.topGenres).toEqual([0, 1, -1, -1, -1]); // m1's Drama is not counted
  });

  it('row 3: positives most recent first, every genre of m2, ties by genre index, unknown years left out', () => {
    const r = row(3);
    expect(r.count).toBe(3);
    expect(r.avgRating).toBeCloseTo(11 / 3, 5); // 4★, 2★, 5★
    expect(r.stdRating).toBeCloseTo(Math.sqrt(7 / 3), 5);
    expect(r.avgYear).toBeCloseTo(1997.5, 6); // m2 has no year
    expect(r.stdYear).toBeCloseTo(Math.sqrt(12.5), 5);
    expect(r.lastPositives).toEqual([2, 0, -1, -1, -1]);
    // Action: m0 + m2 (its 4th genre) = 2, Comedy 2, Drama 1, Horror 1.
    expect(r.topGenres).toEqual([0, 1, 2, 3, -1]);
  });

  it('does not carry one user’s window into the next user', () => {
    expect(row(5)).toEqual({
      count: 1,
      avgRating: 3,
      stdRating: 0,
      avgYear: 2000,
      stdYear: 0,
      lastPositives: none,
      topGenres: none,
    });
  });

  it("counts the genres of every window movie with genresFrom: 'all'", () => {
    const a = all(ratings, mm, { genresFrom: 'all' });
    expect(rowOf(a, 2).topGenres).toEqual([0, 1, 2, -1, -1]);
    expect(rowOf(a, 3).topGenres).toEqual([0, 1, 2, 3, -1]); // Action, Comedy, Drama 2 each; Horror 1
    expect(rowOf(a, 5).topGenres).toEqual([2, -1, -1, -1, -1]);
  });
});

describe('the 100-rating window', () => {
  // One user with 150 ratings: row j rates movie j with (j % 10) + 1 half stars; movie j is from 1900 + j.
  const rows: Row[] = Array.from({ length: 150 }, (_, j) => [j, (j % 10) + 1, 1000 + j]);
  const years = Array.from({ length: 150 }, (_, j) => 1900 + j);
  const genres = Array.from({ length: 150 }, (_, j) => [j % 3]);
  const mm = meta(years, genres);

  it('row 120 sees rows 20..119', () => {
    const r = rowOf(all(columns([rows]), mm), 120);
    expect(r.count).toBe(100);
    expect(r.avgRating).toBeCloseTo(2.75, 5); // 0.5★ … 5★, ten of each
    expect(r.stdRating).toBeCloseTo(Math.sqrt((8.25 * 100) / 99 / 4), 5);
    expect(r.avgYear).toBeCloseTo(1969.5, 4); // 1920 … 2019
    expect(r.stdYear).toBeCloseTo(Math.sqrt((100 * 101) / 12), 3);
    expect(r.lastPositives).toEqual([119, 118, 117, 116, 109]);
    // Positives j ≡ 6..9 (mod 10) in 20..119 have genre j % 3: counts 13, 13, 14.
    const counts = [0, 0, 0];
    for (let j = 20; j < 120; j++) if (j % 10 >= 6) counts[j % 3]!++;
    expect(counts).toEqual([13, 13, 14]);
    expect(r.topGenres).toEqual([2, 0, 1, -1, -1]);
  });

  it('row 120 changes with row 20 but not with row 19; rows 99, 100, 149 have 99, 100, 100', () => {
    const base = all(columns([rows]), mm);
    expect([base.count[99], base.count[100], base.count[149]]).toEqual([99, 100, 100]);
    const at120 = (change: number) => {
      const changed = rows.map((r, j): Row => (j === change ? [r[0], 5, r[2]] : r));
      return rowOf(all(columns([changed]), mm), 120);
    };
    expect(at120(19)).toEqual(rowOf(base, 120));
    expect(at120(20).avgRating).not.toBeCloseTo(rowOf(base, 120).avgRating, 5);
    expect(at120(119).avgRating).not.toBeCloseTo(rowOf(base, 120).avgRating, 5);
    expect(at120(120)).toEqual(rowOf(base, 120)); // its own rating never counts
  });

  it('drops positives that left the window, even when fewer than five remain', () => {
    // 5 positives at rows 0..4 (genre j % 3), then 110 negatives: row 105 sees rows 5..104.
    const r: Row[] = Array.from({ length: 115 }, (_, j) => [j, j < 5 ? 9 : 3, j]);
    const f = all(columns([r]), mm);
    expect(rowOf(f, 100).lastPositives).toEqual([4, 3, 2, 1, 0]); // rows 0..99
    expect(rowOf(f, 101).lastPositives).toEqual([4, 3, 2, 1, -1]); // rows 1..100
    expect(rowOf(f, 104).lastPositives).toEqual([4, -1, -1, -1, -1]);
    expect(rowOf(f, 105).lastPositives).toEqual(none);
    expect(rowOf(f, 103).topGenres).toEqual([0, 1, -1, -1, -1]); // positives 3, 4 left: genres 0, 1
    expect(rowOf(f, 104).topGenres).toEqual([1, -1, -1, -1, -1]);
    expect(rowOf(f, 105).topGenres).toEqual(none);
  });

  it('honours a smaller window', () => {
    const f = userFeatures(columns([rows]), mm, 0, 150, { window: 3 });
    expect(rowOf(f, 10).count).toBe(3);
    expect(rowOf(f, 10).avgRating).toBeCloseTo((8 + 9 + 10) / 3 / 2, 5);
    expect(rowOf(f, 10).lastPositives).toEqual([9, 8, 7, -1, -1]);
  });
});

describe('userFeatures on generated data', () => {
  let ratings: RatingColumns;
  let mm: MovieMeta;
  let whole: UserFeatureColumns;
  beforeAll(() => {
    const ds = generateDataset({ ratings: 6000, users: 30, seed: 5 });
    ratings = ds.ratings;
    mm = movieMetaFromMovies(ds.movies, ds.genres);
    whole = all(ratings, mm);
  });

  it('users have more than 100 ratings, so the window slides', () => {
    let longest = 0;
    for (let u = 0; u + 1 < ratings.userOffsets.length; u++)
      longest = Math.max(longest, ratings.userOffsets[u + 1]! - ratings.userOffsets[u]!);
    expect(longest).toBeGreaterThan(250);
  });

  it('matches the direct per-row computation, for both genre sources', () => {
    expectMatchesNaive(ratings, mm, whole);
    expectMatchesNaive(ratings, mm, all(ratings, mm, { genresFrom: 'all' }), {
      genresFrom: 'all',
    });
  });

  it('any row range equals the same rows of the whole computation', () => {
    const n = ratings.user.length;
    fc.assert(
      fc.property(fc.nat(n), fc.nat(n), (a, b) => {
        const [s, e] = a <= b ? [a, b] : [b, a];
        const part = userFeatures(ratings, mm, s, e);
        expect(part.start).toBe(s);
        for (const f of FIELDS) expect(firstDiff(part[f], whole[f].subarray(s, e)), f).toBe(-1);
        expect(firstDiff(part.lastPositives, whole.lastPositives.subarray(s * 5, e * 5))).toBe(-1);
        expect(firstDiff(part.topGenres, whole.topGenres.subarray(s * 5, e * 5))).toBe(-1);
      }),
      { numRuns: 100 },
    );
  });

  it('chunks of any size put together equal the whole computation', async () => {
    const n = ratings.user.length;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: n + 10 }), async (size) => {
        const got: UserFeatureColumns[] = [];
        const chunks = await userFeatureChunks(ratings, mm, {
          chunkSize: size,
          onChunk: (c, cols) => {
            expect(c).toBe(got.length);
            expect(cols.start).toBe(c * size);
            got.push(cols);
          },
        });
        expect(chunks).toBe(Math.ceil(n / size));
        const join = <K extends keyof Omit<UserFeatureColumns, 'start'>>(f: K, per: number) => {
          const out = new Float64Array(n * per);
          let at = 0;
          for (const g of got) {
            out.set(g[f], at);
            at += g[f].length;
          }
          expect(at).toBe(n * per);
          return out;
        };
        for (const f of FIELDS) expect(firstDiff(join(f, 1), whole[f]), f).toBe(-1);
        expect(firstDiff(join('lastPositives', 5), whole.lastPositives)).toBe(-1);
        expect(firstDiff(join('topGenres', 5), whole.topGenres)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  it('reports features progress that never goes backwards and ends at the total', async () => {
    const seen: Progress[] = [];
    await userFeatureChunks(ratings, mm, {
      chunkSize: 1000,
      onChunk: () => {},
      onProgress: (p) => seen.push(p),
    });
    const n = ratings.user.length;
    expect(seen[0]).toEqual({ stage: 'features', done: 0, total: n });
    expect(seen.at(-1)).toEqual({ stage: 'features', done: n, total: n });
    expect(seen).toHaveLength(Math.ceil(n / 1000) + 1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThan(seen[i - 1]!.done);
  });

  it('stops with a cancelled error when aborted between chunks, and awaits async chunk writers', async () => {
    const ac = new AbortController();
    const done: number[] = [];
    const run = userFeatureChunks(ratings, mm, {
      chunkSize: 1000,
      onChunk: async (c) => {
        await new Promise((r) => setTimeout(r, 1));
        done.push(c);
        if (c === 1) ac.abort();
      },
      signal: ac.signal,
    });
    await expect(run).rejects.toMatchObject({ name: 'WrenError', code: 'cancelled' });
    expect(done).toEqual([0, 1]);
  });
});

describe('userFeatures input checks', () => {
  const { ratings, meta: mm } = tiny();
  it('rejects bad ranges, windows and chunk sizes', async () => {
    expect(() => userFeatures(ratings, mm, 3, 2)).toThrow(WrenError);
    expect(() => userFeatures(ratings, mm, 0, 8)).toThrow(WrenError);
    expect(() => userFeatures(ratings, mm, 0, 7, { window: 256 })).toThrow(/window/);
    await expect(
      userFeatureChunks(ratings, mm, { chunkSize: 0, onChunk: () => {} }),
    ).rejects.toMatchObject({ code: 'invalid-settings' });
  });

  it('an empty range gives empty columns', () => {
    const f = userFeatures(ratings, mm, 4, 4);
    expect([f.start, f.count.length, f.lastPositives.length]).toEqual([4, 0, 0]);
  });
});
