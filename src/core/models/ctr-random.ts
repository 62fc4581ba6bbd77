/**
 * The ctr-random protocol (DESIGN.md, protocol 8): RecBole's context-aware
 * benchmark split as rows the CTR models of ctr.ts train on unchanged.
 *
 * - Ratings of exactly 3 stars are dropped; the label is rating ≥ 4 stars
 *   (RecBole's `threshold: {rating: 4}`). Half-star datasets keep 2.5 and
 *   3.5 (negative) and 4.5: only whole 3s are dropped, as RecBole reads it.
 * - The kept rows of the whole dataset are shuffled (seeded) and split 8:1:1
 *   into train, validation and test with RecBole's rounding (`split_by_ratio`:
 *   validation and test get ⌊0.1·n⌋ rows each, train the rest).
 * - Fields, every one a token as in RecBole's atomic files: user id, movie id,
 *   the movie's genres (all of them, up to the dataset's most per movie),
 *   release year; and, where the dataset has them (ml-100k, ml-1m), the user's
 *   age (ml-1m's 7 age-code buckets; ml-100k's years are put in the same
 *   buckets), gender, occupation and the first 3 characters of the zip code
 *   (RecBole uses the whole code, nearly one per user). ml-latest-small has no
 *   user attributes: it gets the other fields only.
 * - One numeric feature, the release year standardized on the training rows,
 *   so the models' numeric path stays as on sparrow-ctr.
 * - DIN's and DIEN's behaviour sequence (`lastPositives`, also Wide&Deep's
 *   cross): the user's last 5 positive movies of the training part before the
 *   row (rows of a user in time order, ties by movie), most recent first, so
 *   no validation or test label reaches any row's features.
 */
import type { RatingColumns, User } from '../data/types.ts';
import { WrenError } from '../errors.ts';
import type { MovieMeta } from '../features/movie-features.ts';
import { Random } from '../random.ts';
import type { CatField, CtrData, CtrRows } from './ctr-data.ts';

/** Ratings of exactly this many half stars are dropped (3 stars). */
export const CTR_RANDOM_DROP = 6;
/** Ratings at or above this many half stars are positive (4 stars). */
export const CTR_RANDOM_POSITIVE = 8;
/** Train, validation and test shares (RecBole's `RS: [0.8, 0.1, 0.1]`). */
export const CTR_RANDOM_RATIOS = [0.8, 0.1, 0.1] as const;
/** ml-1m's age codes (users.dat), each the lowest age of its bucket. */
export const AGE_CODES = [1, 18, 25, 35, 45, 50, 56] as const;
/** Liked movies in the behaviour sequence. */
export const CTR_RANDOM_HISTORY = 5;
/** The user attribute fields, in this order, where the dataset has them. */
export const USER_ATTRIBUTES = ['age', 'gender', 'occupation', 'zip'] as const;

/** The bucket (0..6) of an age in years or an ml-1m age code: both land in the same bucket. */
export function ageBucket(age: number): number {
  let b = 0;
  for (let i = 1; i < AGE_CODES.length; i++) if (age >= AGE_CODES[i]!) b = i;
  return b;
}

/**
 * RecBole's `split_by_ratio` sizes of `total` rows: every part but the first gets ⌊ratio · total⌋
 * and the first the rest; a part whose share is below one row gets one, taken from the first.
 */
export function splitSizes(total: number, ratios: readonly number[] = CTR_RANDOM_RATIOS): number[] {
  const sum = ratios.reduce((a, b) => a + b, 0);
  const r = ratios.map((x) => x / sum);
  const cnt = r.map((x) => Math.floor(x * total));
  cnt[0] = total - cnt.slice(1).reduce((a, b) => a + b, 0);
  for (let i = 1; i < r.length; i++) {
    if (cnt[0]! <= 1) break;
    const k = r.length - i;
    if (r[k]! * total > 0 && r[k]! * total < 1) {
      cnt[k]!++;
      cnt[0]!--;
    }
  }
  return cnt;
}

export interface CtrRandomInfo {
  seed: number;
  /** All ratings, the kept ones (not 3 stars), and the 3-star ones dropped. */
  ratings: number;
  kept: number;
  dropped: number;
  /** Share of positive labels in each part. */
  positiveRate: { train: number; valid: number; test: number };
  /** The categorical fields, in order (user attributes only where the dataset has them). */
  fields: string[];
}

export interface CtrRandomSplit extends CtrData {
  valid: CtrRows;
  info: CtrRandomInfo;
  /** Per part, each row's index in the dataset's rating columns. */
  source: { train: Int32Array; valid: Int32Array; test: Int32Array };
}

/** Per user: a token id per attribute (−1 when missing), and each attribute's vocabulary size. */
function userTokens(
  users: readonly User[],
  count: number,
): { name: string; vocab: number; ids: Int32Array }[] {
  const raw: Record<(typeof USER_ATTRIBUTES)[number], (u: User) => string | null> = {
    age: (u) => (u.age === null ? null : String(ageBucket(u.age))),
    gender: (u) => u.gender,
    occupation: (u) => u.occupation?.trim().toLowerCase() || null,
    zip: (u) => u.zip?.trim().slice(0, 3).toUpperCase() || null,
  };
  const out: { name: string; vocab: number; ids: Int32Array }[] = [];
  for (const name of USER_ATTRIBUTES) {
    const values = new Array<string | null>(count).fill(null);
    for (const u of users) if (u.index >= 0 && u.index < count) values[u.index] = raw[name](u);
    // Sorted, so the ids do not depend on the users' order.
    const vocab = [...new Set(values.filter((v): v is string => v !== null))].sort();
    if (!vocab.length) continue;
    if (name === 'age') vocab.sort((a, b) => Number(a) - Number(b));
    const id = new Map(vocab.map((v, i) => [v, i]));
    const ids = Int32Array.from(values, (v) => (v === null ? -1 : id.get(v)!));
    out.push({ name, vocab: vocab.length + 1, ids });
  }
  return out;
}

/**
 * Builds the ctr-random train, validation and test rows of a dataset, shuffled by `seed`.
 * `users` are the dataset's user rows (by `User.index`); pass none for a dataset without them.
 * Throws WrenError 'invalid-data' when fewer than 3 ratings are left after dropping 3 stars.
 */
export function ctrRandomSplit(
  ratings: RatingColumns,
  meta: MovieMeta,
  users: readonly User[] = [],
  seed = 1,
): CtrRandomSplit {
  const n = ratings.user.length;
  const userCount = ratings.userOffsets.length - 1;
  const movies = meta.year.length;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (ratings.rating[i] !== CTR_RANDOM_DROP) kept.push(i);
  if (kept.length < 3)
    throw new WrenError(
      'invalid-data',
      `ctr-random needs at least 3 ratings other than 3 stars; found ${kept.length}.`,
    );
  // The split: a seeded shuffle of the kept rows, cut 8:1:1; each part back in dataset order.
  const order = new Random(seed, 0x43524e).shuffle(Int32Array.from(kept));
  const [nTrain, nValid] = splitSizes(order.length) as [number, number, number];
  const part = (from: number, to: number): Int32Array => order.slice(from, to).sort();
  const source = {
    train: part(0, nTrain),
    valid: part(nTrain, nTrain + nValid),
    test: part(nTrain + nValid, order.length),
  };
  const isTrain = new Uint8Array(n);
  for (const i of source.train) isTrain[i] = 1;
  const label = (i: number): number => (ratings.rating[i]! >= CTR_RANDOM_POSITIVE ? 1 : 0);

  // The behaviour sequence: each row's last liked training movies before it, most recent first.
  const H = CTR_RANDOM_HISTORY;
  const history = new Int32Array(n * H).fill(-1);
  for (let u = 0; u < userCount; u++) {
    const recent: number[] = [];
    for (let i = ratings.userOffsets[u]!; i < ratings.userOffsets[u + 1]!; i++) {
      for (let j = 0; j < recent.length; j++) history[i * H + j] = recent[j]!;
      if (isTrain[i] && label(i)) {
        recent.unshift(ratings.movie[i]!);
        if (recent.length > H) recent.pop();
      }
    }
  }

  // Movie tokens: every genre (padding after the last), the release year as a token.
  let genres = 0;
  let width = 1;
  for (let m = 0; m < movies; m++)
    width = Math.max(width, meta.genreOffsets[m + 1]! - meta.genreOffsets[m]!);
  for (let k = 0; k < meta.genreList.length; k++) genres = Math.max(genres, meta.genreList[k]! + 1);
  const years = [...new Set(Array.from(meta.year).filter((y) => y > 0))].sort((a, b) => a - b);
  const yearId = new Map(years.map((y, i) => [y, i]));
  const attrs = userTokens(users, userCount);

  // The one numeric feature, the release year, standardized on the training rows.
  let sum = 0;
  let sq = 0;
  let count = 0;
  for (const i of source.train) {
    const y = meta.year[ratings.movie[i]!]!;
    if (y <= 0) continue;
    sum += y;
    sq += y * y;
    count++;
  }
  const mean = count ? sum / count : 0;
  const sd = count ? Math.sqrt(Math.max(0, sq / count - mean * mean)) || 1 : 1;

  const rowsOf = (idx: Int32Array): CtrRows => {
    const r = idx.length;
    const field = (
      name: string,
      table: string,
      vocab: number,
      w: number,
      get: (i: number, j: number) => number,
    ): CatField => {
      const values = new Int32Array(r * w);
      for (let s = 0; s < r; s++)
        for (let j = 0; j < w; j++) {
          const v = get(idx[s]!, j);
          values[s * w + j] = v < 0 ? vocab - 1 : v;
        }
      return { name, table, vocab, width: w, values };
    };
    const nums = new Float32Array(r);
    const labels = new Float32Array(r);
    const times = new Uint32Array(r);
    for (let s = 0; s < r; s++) {
      const i = idx[s]!;
      const y = meta.year[ratings.movie[i]!]!;
      nums[s] = y > 0 ? (y - mean) / sd : 0;
      labels[s] = label(i);
      times[s] = ratings.timestamp[i]!;
    }
    const genreOf = (i: number, j: number): number => {
      const m = ratings.movie[i]!;
      const k = meta.genreOffsets[m]! + j;
      return k < meta.genreOffsets[m + 1]! ? meta.genreList[k]! : -1;
    };
    return {
      rows: r,
      cats: [
        field('user', 'user', userCount + 1, 1, (i) => ratings.user[i]!),
        field('movie', 'movie', movies + 1, 1, (i) => ratings.movie[i]!),
        field('movieGenres', 'genre', genres + 1, width, genreOf),
        field('year', 'year', years.length + 1, 1, (i) => {
          const y = meta.year[ratings.movie[i]!]!;
          return y > 0 ? yearId.get(y)! : -1;
        }),
        ...attrs.map((a) => field(a.name, a.name, a.vocab, 1, (i) => a.ids[ratings.user[i]!]!)),
        field('lastPositives', 'movie', movies + 1, H, (i, j) => history[i * H + j]!),
      ],
      nums,
      labels,
      times,
    };
  };
  const train = rowsOf(source.train);
  const valid = rowsOf(source.valid);
  const test = rowsOf(source.test);
  const rate = (d: CtrRows): number => (d.rows ? d.labels.reduce((a, b) => a + b, 0) / d.rows : 0);
  return {
    numNames: ['releaseYear'],
    tables: {
      user: userCount + 1,
      movie: movies + 1,
      genre: genres + 1,
      year: years.length + 1,
      ...Object.fromEntries(attrs.map((a) => [a.name, a.vocab])),
    },
    train,
    valid,
    test,
    source,
    info: {
      seed,
      ratings: n,
      kept: kept.length,
      dropped: n - kept.length,
      positiveRate: { train: rate(train), valid: rate(valid), test: rate(test) },
      fields: train.cats.map((c) => c.name),
    },
  };
}
