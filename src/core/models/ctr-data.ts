/**
 * The sparrow-ctr protocol's samples as model inputs: one shared feature-
 * column layer, so the CTR models differ only in their structure.
 *
 * Each rating is a sample, labelled 1 when rated ≥ 3.5 stars; ratings up to
 * the 80% time quantile train, later ones test (DESIGN.md, protocol 1).
 * - Categorical fields (embedded by the models): user, movie, the movie's up
 *   to 3 genres, the user's top 5 genres and last 5 liked movies before the
 *   rating (point-in-time). A missing value (-1) maps to an extra padding id,
 *   the last row of the field's table.
 * - Numeric fields, standardized with the training rows' mean and sd: release
 *   year, log(1 + movie rating count), movie average and sd (training period
 *   only), log(1 + user rating count), user average and sd, user average
 *   release year and its sd (the user's previous 100 ratings).
 */
import type { RatingColumns } from '../data/types.ts';
import { featureSet, type FeatureSet } from '../features/samples.ts';
import type { MovieMeta } from '../features/movie-features.ts';
import { userFeatures } from '../features/user-features.ts';

export interface CatField {
  name: string;
  /** Distinct ids, the padding id included (it is `vocab - 1`). */
  vocab: number;
  /** Values per sample (1 for user and movie, 3 or 5 for lists). */
  width: number;
  /** Which table the field looks up: fields that share one (genres, movies) name the same. */
  table: string;
  /** rows × width ids in 0..vocab-1. */
  values: Int32Array;
}

export interface CtrRows {
  rows: number;
  cats: CatField[];
  /** rows × numNames.length, standardized. */
  nums: Float32Array;
  labels: Float32Array;
}

export interface CtrSplit {
  set: FeatureSet;
  numNames: string[];
  /** Vocabulary size of each shared table (padding included). */
  tables: Record<string, number>;
  train: CtrRows;
  test: CtrRows;
}

export const CTR_NUMERIC = [
  'releaseYear',
  'movieRatingCount',
  'movieAvgRating',
  'movieRatingStddev',
  'userRatingCount',
  'userAvgRating',
  'userRatingStddev',
  'userAvgReleaseYear',
  'userReleaseYearStddev',
] as const;

/** Builds the sparrow-ctr train and test rows of a dataset. */
export function sparrowCtrSplit(ratings: RatingColumns, meta: MovieMeta): CtrSplit {
  const set = featureSet(ratings, meta);
  const rows = ratings.user.length;
  const users = ratings.userOffsets.length - 1;
  const movies = meta.year.length;
  let genres = 0;
  for (let i = 0; i < meta.genreList.length; i++) genres = Math.max(genres, meta.genreList[i]! + 1);
  const uf = userFeatures(ratings, meta, 0, rows);
  const mf = set.movies;
  const K = CTR_NUMERIC.length;
  const raw = new Float32Array(rows * K);
  for (let i = 0; i < rows; i++) {
    const m = ratings.movie[i]!;
    const o = i * K;
    raw[o] = mf.releaseYear[m]!;
    raw[o + 1] = Math.log1p(mf.ratingCount[m]!);
    raw[o + 2] = mf.ratingAvg[m]!;
    raw[o + 3] = mf.ratingStd[m]!;
    raw[o + 4] = Math.log1p(uf.count[i]!);
    raw[o + 5] = uf.avgRating[i]!;
    raw[o + 6] = uf.stdRating[i]!;
    raw[o + 7] = uf.avgYear[i]!;
    raw[o + 8] = uf.stdYear[i]!;
  }
  const isTrain = (i: number): boolean => ratings.timestamp[i]! <= set.cutoff;
  // Standardize with the training rows only.
  const mean = new Float64Array(K);
  const sq = new Float64Array(K);
  let n = 0;
  for (let i = 0; i < rows; i++) {
    if (!isTrain(i)) continue;
    n++;
    for (let k = 0; k < K; k++) {
      const x = raw[i * K + k]!;
      mean[k]! += x;
      sq[k]! += x * x;
    }
  }
  const sd = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    mean[k] = n ? mean[k]! / n : 0;
    sd[k] = n ? Math.sqrt(Math.max(0, sq[k]! / n - mean[k]! ** 2)) || 1 : 1;
  }
  const pick = (train: boolean): CtrRows => {
    const idx: number[] = [];
    for (let i = 0; i < rows; i++) if (isTrain(i) === train) idx.push(i);
    const r = idx.length;
    const field = (
      name: string,
      table: string,
      vocab: number,
      width: number,
      get: (i: number, j: number) => number,
    ): CatField => {
      const values = new Int32Array(r * width);
      for (let s = 0; s < r; s++)
        for (let j = 0; j < width; j++) {
          const v = get(idx[s]!, j);
          values[s * width + j] = v < 0 ? vocab - 1 : v;
        }
      return { name, table, vocab, width, values };
    };
    const nums = new Float32Array(r * K);
    const labels = new Float32Array(r);
    for (let s = 0; s < r; s++) {
      const i = idx[s]!;
      for (let k = 0; k < K; k++) nums[s * K + k] = (raw[i * K + k]! - mean[k]!) / sd[k]!;
      labels[s] = ratings.rating[i]! >= set.threshold ? 1 : 0;
    }
    return {
      rows: r,
      cats: [
        field('user', 'user', users + 1, 1, (i) => ratings.user[i]!),
        field('movie', 'movie', movies + 1, 1, (i) => ratings.movie[i]!),
        field(
          'movieGenres',
          'genre',
          genres + 1,
          3,
          (i, j) => mf.genres[ratings.movie[i]! * 3 + j]!,
        ),
        field('userGenres', 'genre', genres + 1, 5, (i, j) => uf.topGenres[i * 5 + j]!),
        field('lastPositives', 'movie', movies + 1, 5, (i, j) => uf.lastPositives[i * 5 + j]!),
      ],
      nums,
      labels,
    };
  };
  return {
    set,
    numNames: [...CTR_NUMERIC],
    tables: { user: users + 1, movie: movies + 1, genre: genres + 1 },
    train: pick(true),
    test: pick(false),
  };
}
