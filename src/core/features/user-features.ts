/**
 * Point-in-time user features as in SparrowRecSys (`addUserFeatures`): for
 * each rating row, statistics of the same user's previous ratings — at most
 * the previous 100 rows, never the row itself (Spark's
 * `rowsBetween(-100, -1)` over the user's ratings ordered by time; rows with
 * equal timestamps keep the stored order, by movie index).
 *
 * One sliding-window sweep: each row is added once and dropped once, so the
 * cost is O(rows), whatever the window. Any row range can be computed on its
 * own; a range that starts inside a user's ratings first rebuilds the window
 * from that user's earlier rows.
 */
import type { ProgressFn, RatingColumns } from '../data/types.ts';
import { WrenError, throwIfAborted } from '../errors.ts';
import { GenreRanking } from './genre-rank.ts';
import { sampleStd, type MovieMeta } from './movie-features.ts';
import { POSITIVE_HALF_STARS } from './sequences.ts';

/** SparrowRecSys' window: the previous 100 ratings. */
export const USER_WINDOW = 100;
/** userRatedMovie1..5 and userGenre1..5. */
export const LAST_POSITIVES = 5;
export const TOP_GENRES = 5;
/** Rows per chunk, the same as the store's rating chunks (src/store/write.ts CHUNK_SIZE). */
export const FEATURE_CHUNK_ROWS = 131_072;

export interface UserFeatureOptions {
  /** Previous ratings the features look at, 1..255. Default 100. */
  window?: number;
  /** Half stars at or above which a rating is positive. Default 7 (3.5 stars). */
  threshold?: number;
  /**
   * Which window movies the top genres count: 'positives' (default) as
   * SparrowRecSys does (`collect_list(when(label === 1, genres))`), or 'all'.
   * Every genre of a movie counts, not only its first three.
   */
  genresFrom?: 'positives' | 'all';
}

/** User features for the rows `start … start + count.length - 1`, one entry (or 5) per row. */
export interface UserFeatureColumns {
  /** The first row. */
  start: number;
  /** userRatingCount: ratings in the window, 0..window. */
  count: Uint8Array;
  /** userAvgRating in stars; 0 for an empty window. */
  avgRating: Float32Array;
  /** userRatingStddev in stars, sample (n − 1); 0 with fewer than 2 ratings. */
  stdRating: Float32Array;
  /** userAvgReleaseYear over window movies with a known year; 0 when none. */
  avgYear: Float32Array;
  /** userReleaseYearStddev, sample (n − 1) over the same movies; 0 with fewer than 2. */
  stdYear: Float32Array;
  /** userRatedMovie1..5: the window's last five positive movies, most recent first; -1 padding. */
  lastPositives: Int32Array;
  /** userGenre1..5: the window's five most counted genres (ties: lower genre index first); -1 padding. */
  topGenres: Int8Array;
}

/** Features of row `start + k` of a chunk: `cols.count[k]` etc. */
export function userFeatures(
  ratings: RatingColumns,
  meta: MovieMeta,
  start: number,
  end: number,
  opts: UserFeatureOptions = {},
): UserFeatureColumns {
  const W = opts.window ?? USER_WINDOW;
  const T = opts.threshold ?? POSITIVE_HALF_STARS;
  const positivesOnly = (opts.genresFrom ?? 'positives') === 'positives';
  const rows = ratings.user.length;
  if (!Number.isInteger(W) || W < 1 || W > 255) {
    throw new WrenError('invalid-settings', `window must be 1..255, got ${W}`);
  }
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end < start ||
    end > rows
  ) {
    throw new WrenError(
      'invalid-settings',
      `Expected 0 ≤ start ≤ end ≤ ${rows}, got ${start}, ${end}.`,
    );
  }
  const { user, movie, rating, userOffsets } = ratings;
  const { year, genreOffsets, genreList } = meta;
  const M = year.length;
  let G = 0;
  for (let k = 0; k < genreList.length; k++) G = Math.max(G, genreList[k]! + 1);

  const n = end - start;
  const out: UserFeatureColumns = {
    start,
    count: new Uint8Array(n),
    avgRating: new Float32Array(n),
    stdRating: new Float32Array(n),
    avgYear: new Float32Array(n),
    stdYear: new Float32Array(n),
    lastPositives: new Int32Array(n * LAST_POSITIVES).fill(-1),
    topGenres: new Int8Array(n * TOP_GENRES).fill(-1),
  };

  // Window state for the current user: rows lo … i-1. The sums live in a
  // typed array: closure variables holding large doubles would be boxed.
  const acc = new Float64Array(6); // count, Σr, Σr², count with year, Σy, Σy²
  const genres = new GenreRanking(G);
  const ring = new Int32Array(LAST_POSITIVES); // rows of the latest positives
  const flags = new Int32Array(2); // ring head, ring size
  const HEAD = 0, SIZE = 1; // prettier-ignore

  // Adds (sign 1) or drops (sign -1) row j; positives enter the ring only when added.
  const update = (j: number, sign: number): void => {
    const m = movie[j]!;
    if (m < 0 || m >= M) {
      throw new WrenError('invalid-data', `Rating ${j} names movie ${m}; expected 0..${M - 1}.`);
    }
    const r = rating[j]!;
    acc[0]! += sign;
    acc[1]! += sign * r;
    acc[2]! += sign * r * r;
    const y = year[m]!;
    if (y !== 0) {
      acc[3]! += sign;
      acc[4]! += sign * y;
      acc[5]! += sign * y * y;
    }
    const positive = r >= T;
    if (positive && sign > 0) {
      const head = (flags[HEAD]! + 1) % LAST_POSITIVES;
      flags[HEAD] = head;
      ring[head] = j;
      if (flags[SIZE]! < LAST_POSITIVES) flags[SIZE]!++;
    }
    if (positive || !positivesOnly) {
      const to = genreOffsets[m + 1]!;
      if (sign > 0) for (let k = genreOffsets[m]!; k < to; k++) genres.increment(genreList[k]!);
      else for (let k = genreOffsets[m]!; k < to; k++) genres.decrement(genreList[k]!);
    }
  };

  const { count, avgRating, stdRating, avgYear, stdYear, lastPositives, topGenres } = out;
  let u = -1;
  let lo = 0;
  for (let i = start; i < end; i++) {
    const ui = user[i]!;
    if (ui !== u) {
      u = ui;
      const first = userOffsets[u]!;
      if (!(first <= i && i < userOffsets[u + 1]!)) {
        throw new WrenError('invalid-data', `Row ${i} of user ${u} lies outside userOffsets.`);
      }
      acc.fill(0);
      genres.reset();
      flags[SIZE] = 0;
      lo = Math.max(first, i - W);
      for (let j = lo; j < i; j++) update(j, 1);
    }

    const k = i - start;
    const n = acc[0]!;
    count[k] = n;
    if (n > 0) {
      avgRating[k] = acc[1]! / n / 2;
      stdRating[k] = sampleStd(n, acc[1]!, acc[2]!) / 2;
    }
    const nY = acc[3]!;
    if (nY > 0) {
      avgYear[k] = acc[4]! / nY;
      stdYear[k] = sampleStd(nY, acc[4]!, acc[5]!);
    }
    const head = flags[HEAD]!;
    for (let p = 0, size = flags[SIZE]!; p < size; p++) {
      const row = ring[(head - p + LAST_POSITIVES) % LAST_POSITIVES]!;
      if (row < lo) break;
      lastPositives[k * LAST_POSITIVES + p] = movie[row]!;
    }
    genres.writeTop(topGenres, k * TOP_GENRES, TOP_GENRES);

    update(i, 1);
    if (i + 1 - lo > W) update(lo++, -1);
  }
  return out;
}

export interface UserFeatureChunkOptions extends UserFeatureOptions {
  /** Rows per chunk. Default 131,072 (the store's rating chunk). */
  chunkSize?: number;
  /** Told each chunk in order; awaited before the next one is computed. */
  onChunk: (chunkIndex: number, cols: UserFeatureColumns) => void | Promise<void>;
  /** `{stage: 'features', done, total}` in rows: once at 0, then after each chunk. */
  onProgress?: ProgressFn;
  /** Checked before each chunk; aborting throws WrenError 'cancelled'. */
  signal?: AbortSignal;
  /** Milliseconds of work between yields to the event loop (so a worker sees cancel). Default 50. */
  sliceMs?: number;
}

/**
 * Computes the user features of every rating row, chunk by chunk: chunk c
 * holds rows `c × chunkSize … min(rows, (c + 1) × chunkSize) - 1`.
 * Resolves to the number of chunks.
 */
export async function userFeatureChunks(
  ratings: RatingColumns,
  meta: MovieMeta,
  opts: UserFeatureChunkOptions,
): Promise<number> {
  const size = opts.chunkSize ?? FEATURE_CHUNK_ROWS;
  if (!Number.isInteger(size) || size < 1) {
    throw new WrenError('invalid-settings', `chunkSize must be a positive integer, got ${size}`);
  }
  const { signal, onProgress } = opts;
  const sliceMs = opts.sliceMs ?? 50;
  const total = ratings.user.length;
  const chunks = Math.ceil(total / size);
  throwIfAborted(signal);
  onProgress?.({ stage: 'features', done: 0, total });
  let sliceStart = performance.now();
  for (let c = 0; c < chunks; c++) {
    throwIfAborted(signal);
    const end = Math.min(total, (c + 1) * size);
    await opts.onChunk(c, userFeatures(ratings, meta, c * size, end, opts));
    onProgress?.({ stage: 'features', done: end, total });
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    }
  }
  return chunks;
}
