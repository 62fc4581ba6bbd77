/**
 * A trained sparrow-ctr model (LR … DIN, DIEN) ranking For You candidates
 * from your real-time features: each candidate becomes one CTR row — the
 * same fields and numerics the model was trained on (ctr-data.ts), built
 * from your UserState instead of a dataset user's rating history — and the
 * model's probability of a like is the score.
 *
 * - user: you are not a dataset user, so you get the user table's padding
 *   id (the row no training sample used); a dataset user keeps their id;
 * - movie, its genres and its numerics: what the split computed from the
 *   training period (kept in the saved model, `CtrServing`);
 * - your top genres (UserState.topGenres, mapped by name into the split's
 *   genre vocabulary) and your last liked movies, most recent first as
 *   lastPositives lists them (DIEN reads them in that order);
 * - your numerics over your latest USER_WINDOW ratings, as userFeatures
 *   computes a dataset user's, standardized with the training mean and sd.
 */
import {
  CTR_NUMERIC,
  MOVIE_NUMERIC,
  standardize,
  userNumerics,
  type CatField,
  type CtrRows,
} from '../models/ctr-data.ts';
import type { CtrModel } from '../models/ctr.ts';
import { LAST_POSITIVES, TOP_GENRES, USER_WINDOW } from '../features/user-features.ts';
import { sampleStd } from '../features/movie-features.ts';
import { WrenError } from '../errors.ts';
import type { Catalog } from './catalog.ts';
import type { Candidate } from './channels.ts';
import { LIKED } from './profile.ts';
import type { Ranker } from './rankers.ts';
import type { UserState } from './user-state.ts';

/** Your side of a CTR row: ids per user field and the raw user numerics. */
interface UserSide {
  user: number;
  genres: Int32Array;
  positives: Int32Array;
  nums: Float32Array;
}

/**
 * The CTR rows of one person and `movies`. `genreNames` is the split's genre vocabulary (the
 * dataset's genre list the model was trained with); the catalog's genres map into it by name.
 */
export function ctrRows(
  model: CtrModel,
  catalog: Catalog,
  genreNames: readonly string[],
  state: UserState,
  movies: ArrayLike<number>,
  user?: number,
): CtrRows {
  const layout = model.fieldLayout;
  const serving = model.serving;
  if (!layout || !serving)
    throw new WrenError('invalid-data', 'This CTR model has no serving data; train it again.');
  const side = userSide(layout.cats, catalog, genreNames, state, user);
  const n = movies.length;
  const { movieGenres, movieNums } = serving;
  // Movies the split knew (a candidate past them gets the padding ids and missing numerics).
  const M = movieNums.length / MOVIE_NUMERIC;
  const known = (m: number): boolean => m >= 0 && m < M;
  const cats: CatField[] = layout.cats.map((f) => {
    const pad = f.vocab - 1;
    const values = new Int32Array(n * f.width).fill(pad);
    for (let j = 0; j < n; j++) {
      const o = j * f.width;
      const m = movies[j]!;
      if (f.name === 'user') values[o] = side.user;
      else if (f.name === 'movie') values[o] = known(m) && m < pad ? m : pad;
      else if (f.name === 'movieGenres' && known(m))
        for (let k = 0; k < Math.min(3, f.width); k++) values[o + k] = movieGenres[m * 3 + k]!;
      else if (f.name === 'userGenres') values.set(side.genres.subarray(0, f.width), o);
      else if (f.name === 'lastPositives') values.set(side.positives.subarray(0, f.width), o);
    }
    return { ...f, values };
  });
  const K = CTR_NUMERIC.length;
  const nums = new Float32Array(n * K).fill(NaN);
  for (let j = 0; j < n; j++) {
    const m = movies[j]!;
    if (known(m)) nums.set(movieNums.subarray(m * MOVIE_NUMERIC, (m + 1) * MOVIE_NUMERIC), j * K);
    nums.set(side.nums, j * K + MOVIE_NUMERIC);
  }
  standardize(nums, serving.mean, serving.sd);
  return {
    rows: n,
    cats,
    nums,
    labels: new Float32Array(n),
    times: new Uint32Array(n),
  };
}

function userSide(
  cats: readonly { name: string; vocab: number; width: number }[],
  catalog: Catalog,
  genreNames: readonly string[],
  state: UserState,
  user: number | undefined,
): UserSide {
  const vocab = (name: string): number => cats.find((c) => c.name === name)?.vocab ?? 1;
  const userPad = vocab('user') - 1;
  const genrePad = vocab('userGenres') - 1;
  const moviePad = vocab('lastPositives') - 1;
  // Your latest USER_WINDOW ratings, oldest first (ties as userFeatures orders a user's rows).
  const window = state.history().slice(-USER_WINDOW);
  let sum = 0;
  let sumSq = 0;
  let years = 0;
  let ySum = 0;
  let ySq = 0;
  for (const h of window) {
    // Half stars, as userFeatures sums them: integer sums, no rounding.
    const r = Math.round(h.rating * 2);
    sum += r;
    sumSq += r * r;
    const y = catalog.year[h.movie] ?? 0;
    if (y > 0) {
      years++;
      ySum += y;
      ySq += y * y;
    }
  }
  const count = window.length;
  const nums = new Float32Array(CTR_NUMERIC.length - MOVIE_NUMERIC);
  userNumerics(
    {
      count,
      avgRating: count ? sum / count / 2 : 0,
      stdRating: sampleStd(count, sum, sumSq) / 2,
      avgYear: years ? ySum / years : 0,
      stdYear: sampleStd(years, ySum, ySq),
    },
    nums,
    0,
  );
  // The window's liked movies, most recent first (lastPositives' order: DIEN reads a sequence).
  const positives = new Int32Array(LAST_POSITIVES).fill(moviePad);
  let p = 0;
  for (let i = window.length - 1; i >= 0 && p < LAST_POSITIVES; i--) {
    const h = window[i]!;
    if (h.rating >= LIKED && h.movie >= 0 && h.movie < moviePad) positives[p++] = h.movie;
  }
  const byName = new Map(genreNames.map((g, i) => [g, i]));
  const genres = new Int32Array(TOP_GENRES).fill(genrePad);
  let k = 0;
  for (const { genre } of state.topGenres(TOP_GENRES)) {
    const g = byName.get(catalog.genres[genre]!);
    if (g !== undefined && g < genrePad) genres[k++] = g;
  }
  return {
    // You are not a dataset user: the padding id, a row no training sample looked up.
    user: user !== undefined && user >= 0 && user < userPad ? user : userPad,
    genres,
    positives,
    nums,
  };
}

/** A CTR model as a For You ranker: the predicted probability that you like each candidate. */
export function ctrRanker(
  model: CtrModel,
  catalog: Catalog,
  genreNames: readonly string[],
  title: string,
): Ranker {
  const names = model.fieldLayout?.numNames ?? [];
  if (!model.serving || names.join() !== CTR_NUMERIC.join())
    throw new WrenError('invalid-data', `${title} was not trained on the sparrow-ctr features.`);
  return {
    name: model.kind,
    title,
    score({ state, user }, candidates: readonly Candidate[], out) {
      if (!candidates.length) return;
      const movies = Int32Array.from(candidates, (c) => c.movie);
      out.set(model.predict(ctrRows(model, catalog, genreNames, state, movies, user)));
    },
  };
}
