/**
 * The predicted rating (baseline + item2vec neighbourhood) on a hand-made
 * catalogue: Drama near one axis of the embedding, Comedy near another.
 * Each part of the formula is checked against the value worked out by hand,
 * and a taste planted in the ratings must move the prediction the right way.
 */
import { describe, expect, it } from 'vitest';
import { buildCatalog, type CatalogMovie } from '../../../src/core/recommend/catalog.ts';
import {
  DEFAULT_PREDICT,
  movieBaseline,
  predictRating,
  ratingErrors,
  ratingHoldout,
} from '../../../src/core/recommend/predict.ts';
import type { HistoryEntry } from '../../../src/core/recommend/profile.ts';
import type { MovieVectors } from '../../../src/core/recommend/user-state.ts';
import type { RatingColumns } from '../../../src/core/data/types.ts';

const N = 40;
/** 0–19 Drama, 20–39 Comedy; movie 39 nobody rated. */
const movies: CatalogMovie[] = Array.from({ length: N }, (_, i) => ({
  index: i,
  movieId: i + 1,
  title: `Movie ${i} (2000)`,
  year: 2000,
  genres: [i < 20 ? 'Drama' : 'Comedy'],
  ratingCount: i === 39 ? 0 : 50,
  ratingAvg: i === 39 ? 0 : 3 + (i % 5) / 5,
}));
const catalog = buildCatalog(movies);

/** Drama along axis 0, Comedy along axis 1, each tilted a little by its index. */
const embedding: MovieVectors = (() => {
  const dim = 2;
  const vectors = new Float32Array(N * dim);
  for (let m = 0; m < N; m++) {
    const t = (m % 20) / 200;
    vectors[m * 2] = m < 20 ? 1 : t;
    vectors[m * 2 + 1] = m < 20 ? t : 1;
  }
  const items = Int32Array.from({ length: N }, (_, m) => m);
  return { dim, items, vectors, rowOf: items.slice() };
})();

const rated = (pairs: [number, number][]): HistoryEntry[] =>
  pairs.map(([movie, rating], at) => ({ movie, rating, at }));

describe('predictRating', () => {
  it('is the movie baseline with no history, and the mean of all ratings for a movie nobody rated', () => {
    const p = predictRating(catalog, embedding, [], 3);
    expect(p.rating).toBeCloseTo(catalog.score[3]!, 6);
    expect(p.yourOffset).toBe(0);
    expect(p.neighbours).toEqual([]);
    expect(movieBaseline(catalog, 39)).toBeCloseTo(catalog.mean, 6);
    // Every rated movie has 50 ratings: the mean is the plain mean of the averages.
    const avgs = movies.filter((m) => m.ratingCount > 0).map((m) => m.ratingAvg);
    expect(catalog.mean).toBeCloseTo(avgs.reduce((a, b) => a + b, 0) / avgs.length, 6);
  });

  it('shrinks your offset toward 0: n ratings one star above their baselines give n / (n + 5)', () => {
    const h = [0, 1, 2, 20, 21].map((m) => ({
      movie: m,
      rating: movieBaseline(catalog, m) + 1,
      at: m,
    }));
    const p = predictRating(catalog, null, h, 30);
    expect(p.yourOffset).toBeCloseTo(5 / (5 + DEFAULT_PREDICT.userShrink), 6);
    expect(p.rating).toBeCloseTo(movieBaseline(catalog, 30) + p.yourOffset, 6);
    expect(p.neighbourPull).toBe(0);
  });

  it('follows the movies most like it: Drama above their baselines lifts a Drama, Comedy below sinks a Comedy', () => {
    // Zero net offset: Drama +1.5 and Comedy −1.5 around their baselines.
    const h = [
      ...[0, 1, 2, 3].map((m) => ({ movie: m, rating: movieBaseline(catalog, m) + 1.5, at: m })),
      ...[20, 21, 22, 23].map((m) => ({
        movie: m,
        rating: movieBaseline(catalog, m) - 1.5,
        at: m,
      })),
    ];
    const drama = predictRating(catalog, embedding, h, 10);
    const comedy = predictRating(catalog, embedding, h, 30);
    expect(drama.yourOffset).toBeCloseTo(0, 6);
    expect(drama.rating).toBeGreaterThan(movieBaseline(catalog, 10) + 0.5);
    expect(comedy.rating).toBeLessThan(movieBaseline(catalog, 30) - 0.5);
    // The most similar neighbours come first, and they are of the same genre.
    expect(drama.neighbours.slice(0, 4).map((n) => n.movie < 20)).toEqual([true, true, true, true]);
    for (let i = 1; i < drama.neighbours.length; i++)
      expect(drama.neighbours[i - 1]!.similarity).toBeGreaterThanOrEqual(
        drama.neighbours[i]!.similarity,
      );
    // The pull by hand: Σ s·(r − b − b_u) / (Σ s + λ).
    let num = 0;
    let den = DEFAULT_PREDICT.simShrink;
    for (const n of drama.neighbours) {
      num += n.similarity * (n.rating - movieBaseline(catalog, n.movie) - drama.yourOffset);
      den += n.similarity;
    }
    expect(drama.neighbourPull).toBeCloseTo(num / den, 6);
  });

  it('leaves the movie itself out of your history, keeps at most k neighbours and stays on the scale', () => {
    const h = rated([
      [5, 0.5],
      [6, 5],
      [7, 5],
      [8, 5],
      [9, 5],
    ]);
    const p = predictRating(catalog, embedding, h, 5);
    expect(p.neighbours.some((n) => n.movie === 5)).toBe(false);
    expect(predictRating(catalog, embedding, h, 6, { k: 2 }).neighbours).toHaveLength(2);
    const high = predictRating(
      catalog,
      embedding,
      rated([
        [0, 5],
        [1, 5],
        [2, 5],
        [3, 5],
      ]),
      4,
      {
        userShrink: 0,
        simShrink: 0,
      },
    );
    expect(high.rating).toBeLessThanOrEqual(5);
    const low = predictRating(
      catalog,
      embedding,
      rated([
        [0, 0.5],
        [1, 0.5],
      ]),
      4,
      {
        userShrink: 0,
        simShrink: 0,
      },
    );
    expect(low.rating).toBeGreaterThanOrEqual(0.5);
  });
});

describe('ratingErrors', () => {
  it('computes RMSE and MAE by hand, and NaN for nothing', () => {
    const e = ratingErrors([
      { predicted: 3, actual: 4 },
      { predicted: 5, actual: 2 },
    ]);
    expect(e.rmse).toBeCloseTo(Math.sqrt((1 + 9) / 2), 9);
    expect(e.mae).toBeCloseTo(2, 9);
    expect(e.n).toBe(2);
    expect(ratingErrors([]).rmse).toBeNaN();
  });
});

describe('ratingHoldout', () => {
  // Three users with 20, 3 and 10 ratings.
  const sizes = [20, 3, 10];
  const userOffsets = Int32Array.from([0, 20, 23, 33]);
  const n = 33;
  const ratings: RatingColumns = {
    user: Int32Array.from({ length: n }, (_, i) => (i < 20 ? 0 : i < 23 ? 1 : 2)),
    movie: Int32Array.from({ length: n }, (_, i) => i % N),
    rating: Uint8Array.from({ length: n }, (_, i) => 1 + (i % 10)),
    timestamp: Uint32Array.from({ length: n }, (_, i) => 1000 + i),
    userOffsets,
  };

  it('splits each user’s ratings into disjoint training and held-out parts, the same for a seed', () => {
    const a = ratingHoldout(ratings, N, { seed: 7, share: 0.3 });
    const b = ratingHoldout(ratings, N, { seed: 7, share: 0.3 });
    expect(a.test).toEqual(b.test);
    for (let u = 0; u < 3; u++) {
      const train = a.train.train.offsets[u + 1]! - a.train.train.offsets[u]!;
      const test = a.test.filter((t) => t.user === u).length;
      expect(train + test).toBe(sizes[u]);
      const heldMovies = new Set(a.test.filter((t) => t.user === u).map((t) => t.movie));
      for (let i = a.train.train.offsets[u]!; i < a.train.train.offsets[u + 1]!; i++)
        expect(heldMovies.has(a.train.train.items[i]!)).toBe(false);
    }
    // Fewer than 5 ratings: all kept for training.
    expect(a.test.some((t) => t.user === 1)).toBe(false);
    expect(a.test.length).toBeGreaterThan(0);
    // Ratings come back in stars, times in order.
    for (const t of a.test) expect(t.rating * 2).toBe(1 + (ratings.movie.indexOf(t.movie) % 10));
    const times = a.train.trainTimes;
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
  });
});
