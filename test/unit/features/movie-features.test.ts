import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import type { Movie } from '../../../src/core/data/types.ts';
import { WrenError } from '../../../src/core/errors.ts';
import {
  movieFeatures,
  movieMetaFromMovies,
  sampleStd,
} from '../../../src/core/features/movie-features.ts';
import { timeSplitCutoff } from '../../../src/core/features/split.ts';
import { tiny } from './helpers.ts';

const close = (xs: Float32Array, want: number[]) => {
  expect(xs).toHaveLength(want.length);
  want.forEach((w, i) => expect(xs[i]).toBeCloseTo(w, 5));
};

describe('movieFeatures', () => {
  it('computes count, average and sample stddev (stars) from the training period', () => {
    const { ratings, meta } = tiny();
    const cutoff = timeSplitCutoff(ratings.timestamp);
    expect(cutoff).toBe(300);
    const f = movieFeatures(ratings, meta, { cutoff });
    expect(Array.from(f.releaseYear)).toEqual([1995, 2000, 0, 2010]);
    expect(Array.from(f.genres)).toEqual([0, 1, -1, 2, -1, -1, 1, 2, 3, -1, -1, -1]);
    // m0: 4★ (4.5★ at t400 is test); m1: 2★, 3★; m2: 5★; m3: 3.5★, 1★.
    expect(Array.from(f.ratingCount)).toEqual([1, 2, 1, 2]);
    close(f.ratingAvg, [4, 2.5, 5, 2.25]);
    close(f.ratingStd, [0, Math.SQRT1_2, 0, Math.sqrt(3.125)]);
  });

  it('does not change when a test-period rating changes', () => {
    const { ratings, meta } = tiny();
    const before = movieFeatures(ratings, meta, { cutoff: 300 });
    ratings.rating[5] = 1; // u1's m0 at t400, after the cutoff
    const after = movieFeatures(ratings, meta, { cutoff: 300 });
    expect(after).toEqual(before);
    // …while with every rating counted it does change.
    const all = movieFeatures(ratings, meta, { cutoff: Infinity });
    expect(all.ratingCount[0]).toBe(2);
    expect(all.ratingAvg[0]).toBeCloseTo(2.25, 5);
    ratings.rating[0] = 2; // a training-period rating of m0 does count
    expect(movieFeatures(ratings, meta, { cutoff: 300 }).ratingAvg[0]).toBeCloseTo(1, 5);
  });

  it('gives zeros to movies without training ratings', () => {
    const { ratings, meta } = tiny();
    const f = movieFeatures(ratings, meta, { cutoff: 99 });
    expect(Array.from(f.ratingCount)).toEqual([0, 0, 0, 1]);
    close(f.ratingAvg, [0, 0, 0, 1]);
    close(f.ratingStd, [0, 0, 0, 0]);
  });

  it('agrees with direct per-movie statistics on generated data', () => {
    const ds = generateDataset({ ratings: 5000, seed: 2 });
    const meta = movieMetaFromMovies(ds.movies, ds.genres);
    const cutoff = timeSplitCutoff(ds.ratings.timestamp);
    const f = movieFeatures(ds.ratings, meta, { cutoff });
    const per = new Map<number, number[]>();
    for (let i = 0; i < ds.ratings.movie.length; i++) {
      if (ds.ratings.timestamp[i]! > cutoff) continue;
      const m = ds.ratings.movie[i]!;
      per.set(m, [...(per.get(m) ?? []), ds.ratings.rating[i]! / 2]);
    }
    for (let m = 0; m < ds.movies.length; m++) {
      const xs = per.get(m) ?? [];
      expect(f.ratingCount[m]).toBe(xs.length);
      const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      const sd =
        xs.length > 1
          ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1))
          : 0;
      expect(f.ratingAvg[m]).toBeCloseTo(mean, 5);
      expect(f.ratingStd[m]).toBeCloseTo(sd, 5);
      expect(f.releaseYear[m]).toBe(ds.movies[m]!.year);
    }
  });

  it('rejects a rating of a movie outside the metadata', () => {
    const { ratings, meta } = tiny();
    ratings.movie[2] = 9;
    expect(() => movieFeatures(ratings, meta, { cutoff: 300 })).toThrow(WrenError);
  });
});

describe('movieMetaFromMovies', () => {
  const movie = (index: number, year: number | null, genres: string[]): Movie => ({
    index,
    movieId: index + 1,
    title: `M${index}`,
    year,
    genres,
    imdbId: null,
    tmdbId: null,
    ratingCount: 0,
    ratingAvg: 0,
    histogram: [],
  });
  const G = ['Action', 'Comedy', 'Drama', 'Horror'];

  it('places movies by index, keeps genre order, the first three, and every genre', () => {
    const meta = movieMetaFromMovies(
      [
        movie(1, null, ['Horror', 'Unknown', 'Action', 'Comedy', 'Drama']),
        movie(0, 1995, ['Drama']),
        movie(2, 2001, []),
      ],
      G,
    );
    expect(Array.from(meta.year)).toEqual([1995, 0, 2001]);
    expect(Array.from(meta.genres)).toEqual([2, -1, -1, 3, 0, 1, -1, -1, -1]);
    expect(Array.from(meta.genreOffsets)).toEqual([0, 1, 5, 5]);
    expect(Array.from(meta.genreList)).toEqual([2, 3, 0, 1, 2]);
  });

  it('rejects repeated indexes and more than 127 genres', () => {
    expect(() => movieMetaFromMovies([movie(0, 1, []), movie(0, 1, [])], G)).toThrow(WrenError);
    const many = Array.from({ length: 128 }, (_, i) => `g${i}`);
    expect(() => movieMetaFromMovies([movie(0, 1, [])], many)).toThrow(/at most 127/);
  });
});

describe('sampleStd', () => {
  it('is the n − 1 standard deviation, 0 below two values', () => {
    expect(sampleStd(1, 5, 25)).toBe(0);
    expect(sampleStd(2, 6, 20)).toBeCloseTo(Math.SQRT2, 12); // 2, 4
    expect(sampleStd(3, 6, 12)).toBe(0); // 2, 2, 2
  });
});
