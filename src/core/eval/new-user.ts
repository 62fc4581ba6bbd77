/**
 * The protocols that measure what the person holding the device sees
 * (DESIGN.md 6 and 7):
 *
 * - **new-user-k**: a seeded 20% of the users are new: nothing trains on any
 *   of their ratings. Each new user reveals the first k movies they liked
 *   (≥ 3.5 stars) in time order (ties by movie index); every movie they
 *   liked later is the target; every movie somebody liked, minus the
 *   revealed ones, is ranked. Recall@10 (hits ÷ min(10, targets)), NDCG@10
 *   and Steck's miscalibration (RecSys 2018: KL divergence from the genre
 *   distribution of the revealed movies to that of the top 10).
 * - **taste probe**: for each genre with at least 100 movies, a new person
 *   likes that genre's 5 most-rated movies; the share of the top 10 in the
 *   genre, and the share with fewer than 10 ratings.
 *
 * A list function stands for whatever recommends: a model's scores over the
 * catalogue (`scoreList`) or the whole For You pipeline.
 */
import { POSITIVE_HALF_STARS } from '../features/sequences.ts';
import type { HistoryEntry } from '../recommend/profile.ts';
import { Random } from '../random.ts';
import { topK } from './metrics.ts';
import type { InteractionData } from './protocols.ts';

export const NEW_USER_KS: readonly number[] = [1, 3, 5, 10, 20];
/** Fewer ratings than this make a movie "rare" in the taste probe. */
export const RARE_RATINGS = 10;

export interface NewUserSplit {
  seed: number;
  /** Every rating of the users who are not new (new users' rows are empty). */
  data: InteractionData;
  /** The same, only the liked ratings. */
  positives: InteractionData;
  /** The new users (dataset user indexes, ascending). */
  users: Int32Array;
  /** Per new user (parallel to `users`): their liked movies in time order, as revealed history. */
  liked: HistoryEntry[][];
  /** 1 for the movies that are ranked: those somebody (new or not) liked. */
  catalogue: Uint8Array;
}

/** The liked ratings of `data` only (`data` itself where every rating is liked). */
export function positivesOf(data: InteractionData): InteractionData {
  const { offsets, items } = data.train;
  const ratings = data.trainRatings;
  let n = 0;
  for (let i = 0; i < ratings.length; i++) if (ratings[i]! >= POSITIVE_HALF_STARS) n++;
  if (n === items.length) return data;
  // Typed arrays counted first: a list of every kept index took 8 bytes a rating more and was slower.
  const outOffsets = new Int32Array(offsets.length);
  const outItems = new Int32Array(n);
  const outRatings = new Uint8Array(n);
  const outTimes = new Uint32Array(n);
  let o = 0;
  for (let u = 0; u + 1 < offsets.length; u++) {
    for (let i = offsets[u]!; i < offsets[u + 1]!; i++)
      if (ratings[i]! >= POSITIVE_HALF_STARS) {
        outItems[o] = items[i]!;
        outRatings[o] = ratings[i]!;
        outTimes[o++] = data.trainTimes[i]!;
      }
    outOffsets[u + 1] = o;
  }
  return {
    ...data,
    train: { offsets: outOffsets, items: outItems },
    trainRatings: outRatings,
    trainTimes: outTimes,
  };
}

/**
 * The new users of {@link newUserSplit}: a seeded `share` of the users with
 * ratings, at most `most` of them (the first of the same seeded order, so
 * below the cap the cap changes nothing), ascending.
 */
export function chooseNewUsers(
  data: InteractionData,
  seed = 1,
  share = 0.2,
  most = Infinity,
): Int32Array {
  const { offsets } = data.train;
  const withRatings: number[] = [];
  for (let u = 0; u < data.userCount; u++) if (offsets[u + 1]! > offsets[u]!) withRatings.push(u);
  const rng = new Random(seed, 7);
  rng.shuffle(withRatings);
  const n = Math.min(most, Math.floor(withRatings.length * share));
  return Int32Array.from(withRatings.slice(0, n)).sort();
}

/**
 * Splits `data` (every rating, each user's in time order) into the users who
 * stay and a seeded `share` of new ones, chosen among users with ratings (so
 * a training split can be split again for validation); or into the stayers
 * and `users` (ascending), where the new users were chosen already
 * ({@link chooseNewUsers}).
 */
export function newUserSplit(
  data: InteractionData,
  seed = 1,
  share = 0.2,
  users: Int32Array = chooseNewUsers(data, seed, share),
): NewUserSplit {
  const { offsets, items } = data.train;
  const isNew = new Uint8Array(data.userCount);
  for (const u of users) isNew[u] = 1;
  let kept = 0;
  for (let u = 0; u < data.userCount; u++) if (!isNew[u]) kept += offsets[u + 1]! - offsets[u]!;
  const outOffsets = new Int32Array(offsets.length);
  const keptItems = new Int32Array(kept);
  const keptRatings = new Uint8Array(kept);
  const keptTimes = new Uint32Array(kept);
  let o = 0;
  const catalogue = new Uint8Array(data.itemCount);
  const liked: HistoryEntry[][] = [];
  for (let u = 0; u < data.userCount; u++) {
    const mine: HistoryEntry[] = [];
    for (let i = offsets[u]!; i < offsets[u + 1]!; i++) {
      const r = data.trainRatings[i]!;
      if (r >= POSITIVE_HALF_STARS) catalogue[items[i]!] = 1;
      if (!isNew[u]) {
        keptItems[o] = items[i]!;
        keptRatings[o] = r;
        keptTimes[o++] = data.trainTimes[i]!;
      } else if (r >= POSITIVE_HALF_STARS)
        mine.push({ movie: items[i]!, rating: r / 2, at: data.trainTimes[i]! });
    }
    if (isNew[u]) liked.push(mine);
    outOffsets[u + 1] = o;
  }
  const train: InteractionData = {
    userCount: data.userCount,
    itemCount: data.itemCount,
    train: { offsets: outOffsets, items: keptItems },
    trainRatings: keptRatings,
    trainTimes: keptTimes,
    catalogue: data.catalogue,
  };
  return { seed, data: train, positives: positivesOf(train), users, liked, catalogue };
}

/** A recommender as the protocols see it: the top `n` movies for a revealed history, best first. */
export type ListFn = (revealed: readonly HistoryEntry[], n: number) => ArrayLike<number>;

/** A scorer over the whole catalogue as a list function: the best `n` of the ranked movies, revealed ones left out. */
export function scoreList(
  score: (revealed: readonly HistoryEntry[], out: Float32Array) => void,
  catalogue: Uint8Array,
): ListFn {
  const out = new Float32Array(catalogue.length);
  return (revealed, n) => {
    score(revealed, out);
    for (let m = 0; m < out.length; m++) if (!catalogue[m]) out[m] = NaN;
    for (const h of revealed) out[h.movie] = NaN;
    return topK(out, n);
  };
}

/** Genre distribution of a set of movies, each movie's weight shared equally among its genres (Steck 2018). */
export interface GenreLookup {
  genreCount: number;
  genresOf(movie: number): ArrayLike<number>;
}

function genreDistribution(movies: ArrayLike<number>, g: GenreLookup): Float64Array {
  const p = new Float64Array(g.genreCount);
  let total = 0;
  for (let i = 0; i < movies.length; i++) {
    const gs = g.genresOf(movies[i]!);
    if (!gs.length) continue;
    for (let j = 0; j < gs.length; j++) p[gs[j]!]! += 1 / gs.length;
    total++;
  }
  if (total) for (let j = 0; j < p.length; j++) p[j]! /= total;
  return p;
}

/**
 * Steck's miscalibration: KL(p ‖ q̃) where p is the genre distribution of
 * what the person liked, q that of the list, and q̃ = (1 − α) q + α p with
 * α = 0.01 so a genre missing from the list costs a finite amount.
 */
export function miscalibration(
  liked: ArrayLike<number>,
  list: ArrayLike<number>,
  g: GenreLookup,
  alpha = 0.01,
): number {
  const p = genreDistribution(liked, g);
  const q = genreDistribution(list, g);
  let kl = 0;
  for (let j = 0; j < p.length; j++) {
    if (p[j]! <= 0) continue;
    kl += p[j]! * Math.log(p[j]! / ((1 - alpha) * q[j]! + alpha * p[j]!));
  }
  return kl;
}

export interface NewUserMetrics {
  k: number;
  users: number;
  recall: number;
  ndcg: number;
  miscalibration: number;
  /** Each evaluated user's NDCG@10, in the order of `split.users` (for paired comparisons). */
  perUser: Float64Array;
}

export interface NewUserOptions {
  ks?: readonly number[];
  /** The list's length (10). */
  at?: number;
  /** Only these new users (positions into `split.users`): a validation subset. */
  only?: ArrayLike<number>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Per new user and k: evaluated (0 or 1: they liked more than k movies), recall, NDCG, miscalibration. */
export const NEW_USER_FIELDS = 4;

/**
 * Serves new users [from, to) of `who` (positions into `split.users`) for
 * each k, writing their figures into `out` (NEW_USER_FIELDS per k, one block
 * of ks per user). Threads can each take a run of users.
 */
export function newUserRows(
  split: Pick<NewUserSplit, 'liked'>,
  list: ListFn,
  genres: GenreLookup,
  ks: readonly number[],
  who: readonly number[],
  from: number,
  to: number,
  out: Float64Array,
  opts: {
    at?: number;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
    stop?: () => boolean;
  } = {},
): void {
  const at = opts.at ?? 10;
  const total = (to - from) * ks.length;
  let done = 0;
  for (let e = from; e < to; e++) {
    if (opts.stop?.()) return;
    const h = split.liked[who[e]!]!;
    ks.forEach((k, j) => {
      if (opts.signal?.aborted) throw opts.signal.reason;
      done++;
      const o = (e * ks.length + j) * NEW_USER_FIELDS;
      if (h.length <= k) {
        out.fill(0, o, o + NEW_USER_FIELDS);
        return;
      }
      const revealed = h.slice(0, k);
      const target = new Set<number>();
      for (let i = k; i < h.length; i++) target.add(h[i]!.movie);
      const top = Array.from(list(revealed, at)).slice(0, at);
      const ideal = Math.min(at, target.size);
      let hits = 0;
      let dcg = 0;
      top.forEach((m, p) => {
        if (target.has(m)) {
          hits++;
          dcg += 1 / Math.log2(p + 2);
        }
      });
      let idcg = 0;
      for (let p = 0; p < ideal; p++) idcg += 1 / Math.log2(p + 2);
      const mis = miscalibration(
        revealed.map((x) => x.movie),
        top,
        genres,
      );
      out.set([1, hits / ideal, dcg / idcg, mis], o);
      if (opts.onProgress && (done & 63) === 0) opts.onProgress(done, total);
    });
  }
}

/** new-user-k's metrics for each k from every user's figures, summed in user order (so any split across threads gives the same numbers). */
export function newUserMetrics(
  ks: readonly number[],
  users: number,
  out: Float64Array,
): NewUserMetrics[] {
  return ks.map((k, j) => {
    let n = 0;
    let recall = 0;
    let ndcg = 0;
    let mis = 0;
    const perUser: number[] = [];
    for (let e = 0; e < users; e++) {
      const o = (e * ks.length + j) * NEW_USER_FIELDS;
      if (!out[o]) continue;
      n++;
      recall += out[o + 1]!;
      ndcg += out[o + 2]!;
      perUser.push(out[o + 2]!);
      mis += out[o + 3]!;
    }
    const mean = (x: number): number => (n ? x / n : 0);
    return {
      k,
      users: n,
      recall: mean(recall),
      ndcg: mean(ndcg),
      miscalibration: mean(mis),
      perUser: Float64Array.from(perUser),
    };
  });
}

/** The new users evaluated: `only`, or every one. */
export const newUsersOf = (split: NewUserSplit, only?: ArrayLike<number>): number[] =>
  only ? Array.from(only) : split.liked.map((_, i) => i);

/** One recommender on new-user-k, for each k. */
export function evaluateNewUsers(
  split: NewUserSplit,
  list: ListFn,
  genres: GenreLookup,
  opts: NewUserOptions = {},
): NewUserMetrics[] {
  const ks = opts.ks ?? NEW_USER_KS;
  const who = newUsersOf(split, opts.only);
  const out = new Float64Array(who.length * ks.length * NEW_USER_FIELDS);
  newUserRows(split, list, genres, ks, who, 0, who.length, out, opts);
  return newUserMetrics(ks, who.length, out);
}

/**
 * The mean of `a − b` over paired users with a 95% interval from a seeded
 * bootstrap over users (percentile method).
 */
export function pairedDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  seed = 1,
  resamples = 2000,
): { mean: number; lo: number; hi: number } {
  const n = a.length;
  if (n !== b.length) throw new RangeError('paired samples differ in length');
  const d = Float64Array.from({ length: n }, (_, i) => a[i]! - b[i]!);
  const mean = n ? d.reduce((x, y) => x + y, 0) / n : 0;
  const rng = new Random(seed, 11);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[rng.int(n)]!;
    means[r] = n ? sum / n : 0;
  }
  means.sort();
  return {
    mean,
    lo: means[Math.floor(0.025 * (resamples - 1))]!,
    hi: means[Math.ceil(0.975 * (resamples - 1))]!,
  };
}

/** Which genres the taste probe asks about, and each one's persona. */
export interface ProbePersona {
  genre: number;
  /** The genre's most-rated movies, most rated first. */
  movies: number[];
}

/**
 * The taste probe's personas: every genre with at least `minMovies` rated
 * movies (names in `skip` left out), liking its `size` most-rated movies.
 */
export function probePersonas(
  ratingCount: ArrayLike<number>,
  genres: GenreLookup & { names: readonly string[] },
  size = 5,
  minMovies = 100,
  skip: readonly string[] = ['(no genres listed)'],
): ProbePersona[] {
  const members: number[][] = genres.names.map(() => []);
  for (let m = 0; m < ratingCount.length; m++) {
    if (!(ratingCount[m]! > 0)) continue;
    const gs = genres.genresOf(m);
    for (let j = 0; j < gs.length; j++) members[gs[j]!]!.push(m);
  }
  const out: ProbePersona[] = [];
  members.forEach((ms, g) => {
    if (ms.length < minMovies || skip.includes(genres.names[g]!)) return;
    const movies = [...ms]
      .sort((a, b) => ratingCount[b]! - ratingCount[a]! || a - b)
      .slice(0, size);
    out.push({ genre: g, movies });
  });
  return out.sort((a, b) => genres.names[a.genre]!.localeCompare(genres.names[b.genre]!));
}

export interface ProbeResult {
  genres: number;
  /** Mean share of the top 10 in the persona's genre. */
  inGenre: number;
  /** Mean share of the top 10 with fewer than `rare` ratings. */
  rare: number;
  /** Per genre: its name and in-genre share. */
  perGenre: { genre: string; inGenre: number; rare: number }[];
}

/** One recommender on the taste probe: each persona rates its movies 5 stars, a second apart. */
export function tasteProbe(
  personas: readonly ProbePersona[],
  list: ListFn,
  ratingCount: ArrayLike<number>,
  genres: GenreLookup & { names: readonly string[] },
  opts: { at?: number; rare?: number } = {},
): ProbeResult {
  const at = opts.at ?? 10;
  const rareBelow = opts.rare ?? RARE_RATINGS;
  const perGenre = personas.map(({ genre, movies }) => {
    const revealed = movies.map((movie, i) => ({ movie, rating: 5, at: i + 1 }));
    const top = Array.from(list(revealed, at)).slice(0, at);
    let inGenre = 0;
    let rare = 0;
    for (const m of top) {
      if (Array.from(genres.genresOf(m)).includes(genre)) inGenre++;
      if (ratingCount[m]! < rareBelow) rare++;
    }
    return { genre: genres.names[genre]!, inGenre: inGenre / at, rare: rare / at };
  });
  const mean = (f: (x: (typeof perGenre)[number]) => number): number =>
    perGenre.length ? perGenre.reduce((s, x) => s + f(x), 0) / perGenre.length : 0;
  return {
    genres: perGenre.length,
    inGenre: mean((x) => x.inGenre),
    rare: mean((x) => x.rare),
    perGenre,
  };
}
