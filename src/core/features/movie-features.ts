/**
 * Movie features as in SparrowRecSys (`addMovieFeatures`): release year, the
 * first three genres, and rating count, average and standard deviation —
 * computed here from the training period only, so that no test-period
 * rating leaks into them.
 */
import type { Movie, RatingColumns } from '../data/types.ts';
import { WrenError } from '../errors.ts';

/** Genres stored per movie in `MovieMeta.genres` and `MovieFeatures.genres`. */
export const MOVIE_GENRES = 3;

/** The most genres a dataset may have (genre indexes are Int8). */
export const MAX_GENRES = 127;

/**
 * Per-movie metadata as typed arrays, indexed by movie index.
 * `genreList[genreOffsets[m]] … genreList[genreOffsets[m + 1] - 1]` are all of
 * movie m's genres, in the movie's own order; `genres` keeps the first three.
 */
export interface MovieMeta {
  /** Release year, 0 when unknown. */
  year: Int16Array;
  /** 3 per movie: indexes into the dataset's genre list, -1 padding. */
  genres: Int8Array;
  /** movies + 1 offsets into `genreList`. */
  genreOffsets: Int32Array;
  /** Every genre of every movie, movie after movie. */
  genreList: Int8Array;
}

export interface MovieFeatures {
  /** Release year, 0 when unknown. */
  releaseYear: Int16Array;
  /** movieGenre1..3: 3 per movie, -1 padding. */
  genres: Int8Array;
  /** Training-period ratings of the movie. */
  ratingCount: Int32Array;
  /** Their mean, in stars (0 when unrated). */
  ratingAvg: Float32Array;
  /** Their sample standard deviation (n − 1, as Spark's `stddev`), in stars; 0 when fewer than 2. */
  ratingStd: Float32Array;
}

/** Number of movies described by `meta`. */
export const movieCount = (meta: MovieMeta): number => meta.year.length;

/**
 * Builds `MovieMeta` from movie rows (placed by `Movie.index`) and the
 * dataset's genre list. Genre names not in `genres` are left out; a year
 * outside 1..32767 counts as unknown. Throws WrenError 'invalid-data' when
 * there are more than 127 genres or a movie index is out of range.
 */
export function movieMetaFromMovies(
  movies: readonly Movie[],
  genres: readonly string[],
): MovieMeta {
  if (genres.length > MAX_GENRES) {
    throw new WrenError(
      'invalid-data',
      `Expected at most ${MAX_GENRES} genres, found ${genres.length}.`,
    );
  }
  const M = movies.length;
  const byName = new Map(genres.map((g, i) => [g, i]));
  const own: number[][] = new Array<number[]>(M);
  const year = new Int16Array(M);
  let total = 0;
  for (const movie of movies) {
    const m = movie.index;
    if (!Number.isInteger(m) || m < 0 || m >= M || own[m] !== undefined) {
      throw new WrenError(
        'invalid-data',
        `Expected movie indexes 0..${M - 1} once each, found ${m}.`,
      );
    }
    const y = movie.year;
    year[m] = y !== null && Number.isInteger(y) && y >= 1 && y <= 32767 ? y : 0;
    const list: number[] = [];
    for (const name of movie.genres) {
      const g = byName.get(name);
      if (g !== undefined && !list.includes(g)) list.push(g);
    }
    own[m] = list;
    total += list.length;
  }
  const first = new Int8Array(M * MOVIE_GENRES).fill(-1);
  const genreOffsets = new Int32Array(M + 1);
  const genreList = new Int8Array(total);
  let k = 0;
  for (let m = 0; m < M; m++) {
    const list = own[m] ?? [];
    for (let j = 0; j < list.length; j++) {
      if (j < MOVIE_GENRES) first[m * MOVIE_GENRES + j] = list[j]!;
      genreList[k++] = list[j]!;
    }
    genreOffsets[m + 1] = k;
  }
  return { year, genres: first, genreOffsets, genreList };
}

/**
 * Movie features from the ratings with timestamp ≤ `cutoff` (pass Infinity
 * to use every rating). One pass over the ratings; sums are exact integers
 * of half stars, so the statistics carry no rounding error before the final
 * Float32. Throws WrenError 'invalid-data' on a movie index outside `meta`.
 */
export function movieFeatures(
  ratings: RatingColumns,
  meta: MovieMeta,
  opts: { cutoff: number },
): MovieFeatures {
  const M = movieCount(meta);
  const { cutoff } = opts;
  const count = new Int32Array(M);
  const sum = new Float64Array(M);
  const sumSq = new Float64Array(M);
  const { movie, rating, timestamp } = ratings;
  for (let i = 0, n = movie.length; i < n; i++) {
    if (timestamp[i]! > cutoff) continue;
    const m = movie[i]!;
    if (m >= M || m < 0) {
      throw new WrenError('invalid-data', `Rating ${i} names movie ${m}; expected 0..${M - 1}.`);
    }
    const r = rating[i]!;
    count[m]!++;
    sum[m]! += r;
    sumSq[m]! += r * r;
  }
  const ratingAvg = new Float32Array(M);
  const ratingStd = new Float32Array(M);
  for (let m = 0; m < M; m++) {
    const n = count[m]!;
    if (n === 0) continue;
    ratingAvg[m] = sum[m]! / n / 2;
    ratingStd[m] = sampleStd(n, sum[m]!, sumSq[m]!) / 2;
  }
  return {
    releaseYear: meta.year.slice(),
    genres: meta.genres.slice(),
    ratingCount: count,
    ratingAvg,
    ratingStd,
  };
}

/**
 * Sample standard deviation from n, Σx and Σx² of integers (exact while
 * n·Σx² stays below 2^53); 0 when n < 2.
 */
export function sampleStd(n: number, sum: number, sumSq: number): number {
  if (n < 2) return 0;
  const v = (n * sumSq - sum * sum) / (n * (n - 1));
  return v > 0 ? Math.sqrt(v) : 0;
}
