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
  /** Each row's rating time. */
  times: Uint32Array;
}

/** What serving needs besides the weights (what the split computed from the training period). */
export interface CtrServing {
  /** Per numeric feature: the training rows' mean and sd it was standardized with. */
  mean: Float32Array;
  sd: Float32Array;
  /**
   * Per movie: the raw movie-side numerics (release year, log(1 + rating count), average, sd; NaN
   * where missing, as in training), MOVIE_NUMERIC per movie.
   */
  movieNums: Float32Array;
  /** Per movie: its 3 genre ids in the split's genre vocabulary (the padding id where fewer). */
  movieGenres: Int32Array;
}

/** The movie-side numerics, first in CTR_NUMERIC. */
export const MOVIE_NUMERIC = 4;

/** A user's statistics over their window of ratings (user-features.ts's columns for one row). */
export interface UserWindowStats {
  /** Ratings in the window. */
  count: number;
  /** In stars; any value when count is 0. */
  avgRating: number;
  stdRating: number;
  /** Over the window's movies with a known year; 0 when none. */
  avgYear: number;
  stdYear: number;
}

/**
 * The raw user-side numerics (NaN where missing) into `out[o … o + 4]`, the way the split computes
 * them: log(1 + count), average, sd, average release year, its sd.
 */
export function userNumerics(u: UserWindowStats, out: Float32Array, o: number): void {
  const miss = (ok: boolean, x: number): number => (ok ? x : NaN);
  out[o] = Math.log1p(u.count);
  out[o + 1] = miss(u.count > 0, u.avgRating);
  out[o + 2] = miss(u.count > 1, u.stdRating);
  out[o + 3] = miss(u.avgYear > 0, u.avgYear);
  out[o + 4] = miss(u.stdYear > 0 || u.count > 1, u.stdYear);
}

/** Standardizes raw numerics in place: (x − mean) / sd, missing (NaN) → 0 (the training mean). */
export function standardize(x: Float32Array, mean: ArrayLike<number>, sd: ArrayLike<number>): void {
  const K = mean.length;
  for (let i = 0; i < x.length; i++) {
    const k = i % K;
    x[i] = Number.isNaN(x[i]!) ? 0 : (x[i]! - mean[k]!) / sd[k]!;
  }
}

/** What a CTR model trains on, whatever the protocol (sparrow-ctr here, ctr-random in ctr-random.ts). */
export interface CtrData {
  numNames: string[];
  /** The standardization and movie-side features, for serving (sparrowCtrSplit fills it). */
  serving?: CtrServing;
  /** Vocabulary size of each shared table (padding included). */
  tables: Record<string, number>;
  train: CtrRows;
  /** The protocol's own validation rows; without them, fitting carves them from `train`. */
  valid?: CtrRows;
  test: CtrRows;
}

/** Each row's user id (its `user` field): the groups of GAUC and of the paired bootstrap. */
export function rowUsers(rows: CtrRows): Int32Array {
  const field = rows.cats.find((c) => c.name === 'user');
  if (!field) throw new Error('These CTR rows have no user field.');
  return field.values;
}

export interface CtrSplit extends CtrData {
  set: FeatureSet;
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
  // Missing values (no training ratings of the movie, an empty user window, an unknown year) are
  // NaN here and the training mean after standardization (0): SparrowRecSys fills them with 0,
  // which sits far out on the scale (an average rating of 0 stars) and gave confident wrong
  // predictions for new users.
  const miss = (ok: boolean, x: number): number => (ok ? x : NaN);
  const movieNums = new Float32Array(movies * MOVIE_NUMERIC);
  const movieGenres = new Int32Array(movies * 3);
  for (let m = 0; m < movies; m++) {
    const o = m * MOVIE_NUMERIC;
    movieNums[o] = miss(mf.releaseYear[m]! > 0, mf.releaseYear[m]!);
    movieNums[o + 1] = Math.log1p(mf.ratingCount[m]!);
    movieNums[o + 2] = miss(mf.ratingCount[m]! > 0, mf.ratingAvg[m]!);
    movieNums[o + 3] = miss(mf.ratingCount[m]! > 1, mf.ratingStd[m]!);
    for (let j = 0; j < 3; j++) {
      const g = mf.genres[m * 3 + j]!;
      movieGenres[m * 3 + j] = g < 0 ? genres : g;
    }
  }
  for (let i = 0; i < rows; i++) {
    const m = ratings.movie[i]!;
    const o = i * K;
    raw.set(movieNums.subarray(m * MOVIE_NUMERIC, (m + 1) * MOVIE_NUMERIC), o);
    userNumerics(
      {
        count: uf.count[i]!,
        avgRating: uf.avgRating[i]!,
        stdRating: uf.stdRating[i]!,
        avgYear: uf.avgYear[i]!,
        stdYear: uf.stdYear[i]!,
      },
      raw,
      o + MOVIE_NUMERIC,
    );
  }
  const isTrain = (i: number): boolean => ratings.timestamp[i]! <= set.cutoff;
  // Standardize with the training rows only.
  const mean = new Float64Array(K);
  const sq = new Float64Array(K);
  const n = new Float64Array(K);
  for (let i = 0; i < rows; i++) {
    if (!isTrain(i)) continue;
    for (let k = 0; k < K; k++) {
      const x = raw[i * K + k]!;
      if (Number.isNaN(x)) continue;
      n[k]!++;
      mean[k]! += x;
      sq[k]! += x * x;
    }
  }
  const sd = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    mean[k] = n[k] ? mean[k]! / n[k]! : 0;
    sd[k] = n[k] ? Math.sqrt(Math.max(0, sq[k]! / n[k]! - mean[k]! ** 2)) || 1 : 1;
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
    const times = new Uint32Array(r);
    for (let s = 0; s < r; s++) {
      const i = idx[s]!;
      for (let k = 0; k < K; k++) {
        const x = raw[i * K + k]!;
        nums[s * K + k] = Number.isNaN(x) ? 0 : (x - mean[k]!) / sd[k]!;
      }
      labels[s] = ratings.rating[i]! >= set.threshold ? 1 : 0;
      times[s] = ratings.timestamp[i]!;
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
      times,
    };
  };
  return {
    set,
    numNames: [...CTR_NUMERIC],
    serving: {
      mean: Float32Array.from(mean),
      sd: Float32Array.from(sd),
      movieNums,
      movieGenres,
    },
    tables: { user: users + 1, movie: movies + 1, genre: genres + 1 },
    train: pick(true),
    test: pick(false),
  };
}

/** The rows `idx` of a set of rows (in that order). */
export function selectRows(data: CtrRows, idx: ArrayLike<number>): CtrRows {
  const n = idx.length;
  const K = data.rows ? data.nums.length / data.rows : 0;
  const nums = new Float32Array(n * K);
  const labels = new Float32Array(n);
  const times = new Uint32Array(n);
  for (let s = 0; s < n; s++) {
    const r = idx[s]!;
    nums.set(data.nums.subarray(r * K, r * K + K), s * K);
    labels[s] = data.labels[r]!;
    times[s] = data.times[r]!;
  }
  const cats = data.cats.map((f) => {
    const values = new Int32Array(n * f.width);
    for (let s = 0; s < n; s++)
      values.set(f.values.subarray(idx[s]! * f.width, (idx[s]! + 1) * f.width), s * f.width);
    return { ...f, values };
  });
  return { rows: n, cats, nums, labels, times };
}

/**
 * A validation split carved from the training rows alone, as the test is
 * carved from all of them: the latest `share` of training rows by time.
 */
export function ctrValidation(train: CtrRows, share = 0.1): { fit: CtrRows; valid: CtrRows } {
  const order = Array.from({ length: train.rows }, (_, i) => i).sort(
    (a, b) => train.times[a]! - train.times[b]! || a - b,
  );
  const cut = Math.round(train.rows * (1 - share));
  return {
    fit: selectRows(train, order.slice(0, cut)),
    valid: selectRows(train, order.slice(cut)),
  };
}
