/**
 * The personal ranker: what For You uses by default once the automatic build
 * has trained its model (EASE on the liked ratings of everyone in the
 * dataset). It scores the whole catalogue from your liked movies and blends
 * three things, with weights chosen on a validation split of new users
 * (`bench/new-user.ts --tune`, README "How the defaults were chosen"):
 *
 * - the model's score, divided by its best score for you (so it reads the
 *   same whatever the model's scale);
 * - a popularity prior, likes ÷ the most likes (the likes the model was
 *   trained on; log(1 + likes) is the other shape tried), whose weight falls
 *   as you like more movies (`popularity` ÷ likedᵈᵉᶜᵃʸ): with one liked
 *   movie, what everyone likes is the best guess; with twenty, yours is;
 * - your genres: the share of your liked movies in the movie's best-matching
 *   genre, raised to `sharpness` and weighted by `genre`, so five horror
 *   films make horror the first thing you see.
 *
 * It also retrieves: its top movies over the whole catalogue are the
 * pipeline's 'model' channel, each with the liked movie that contributed
 * most to it (a true "because you liked").
 */
import { evaluateNewUsers, newUserSplit, positivesOf, scoreList } from '../eval/new-user.ts';
import type { InteractionData } from '../eval/protocols.ts';
import { Ease } from '../models/ease.ts';
import type { HistoryModel } from '../models/history-model.ts';
import type { FitOptions } from '../models/types.ts';
import { topK } from '../eval/metrics.ts';
import { genreLookup, type Catalog } from './catalog.ts';
import type { Candidate } from './channels.ts';
import type { RankInput, Ranker } from './rankers.ts';
import type { UserState } from './user-state.ts';

export interface PersonalParams {
  /** Weight of the popularity prior with one liked movie. */
  popularity: number;
  /** How fast the prior fades: its weight is popularity ÷ liked^decay. */
  decay: number;
  /** Weight of your genre share. */
  genre: number;
  /**
   * The share is raised to this power (default 1): above 1, a clear taste
   * (all your liked movies in one genre) counts fully while a mixed one
   * counts little, so following a clear taste costs mixed tastes less.
   */
  sharpness?: number;
  /** The prior's shape: log(1 + likes) or likes, each over its largest value. */
  prior?: 'log' | 'linear';
}

/**
 * Chosen on validation new users of ml-latest-small (five splits of the test
 * split's training users, seeds 2–6), never on the test users: the best mean
 * NDCG@10 over k = 1…20 among the weights whose taste-probe in-genre share is
 * at least 0.7 (bench/results/new-user-tune.jsonl; `npm run bench:new-user -- --tune`).
 */
export const PERSONAL_PARAMS: PersonalParams = {
  popularity: 6,
  decay: 1,
  genre: 2,
  sharpness: 3,
  prior: 'linear',
};

/** Where the automatic build's search for EASE's λ starts (the references' λ). */
export const PERSONAL_LAMBDA = 400;
/** Each step of the search multiplies or divides λ by this. */
const LAMBDA_STEP = 2.5;
/** At most this many validation fits in the search. */
const LAMBDA_TRIES = 5;

export interface PersonalFitOptions {
  /** EASE's λ; absent: chosen on validation new users when `catalog` is given, else 400. */
  lambda?: number;
  /** The catalogue (genres) the personal blend reads: needed to choose λ. */
  catalog?: Catalog;
  /** The largest matrix side EASE inverts (ease.ts). */
  maxDim?: number;
}

/**
 * The automatic build's model: EASE on the liked ratings (≥ 3.5 stars) of
 * `data`. Where both the users and the movies exceed `maxDim`, EASE keeps a
 * column only for the `maxDim` most-liked movies (ease.ts), so its inverse
 * stays within a tab's memory and time; the others score below them.
 *
 * λ is chosen like every default here, on validation new users: a seeded 20%
 * of `data`'s users become new, EASE is fitted on the rest, and the personal
 * blend's mean NDCG@10 over k = 1, 3, 5, 10, 20 (new-user-k) decides —
 * starting at 400 and stepping ×2.5 up (or ÷2.5 down) while it improves.
 * Denser datasets (ml-100k's fewer users with more ratings each) move it
 * further up than ml-latest-small.
 */
export async function fitPersonalModel(
  data: InteractionData,
  opts: FitOptions = {},
  fit: PersonalFitOptions = {},
): Promise<Ease> {
  const maxDim = fit.maxDim ?? 4000;
  const lambda =
    fit.lambda ??
    (fit.catalog ? await chooseLambda(data, fit.catalog, maxDim, opts) : PERSONAL_LAMBDA);
  const model = new Ease({ lambda, maxDim });
  await model.fit(positivesOf(data), opts);
  return model;
}

async function chooseLambda(
  data: InteractionData,
  catalog: Catalog,
  maxDim: number,
  opts: FitOptions,
): Promise<number> {
  const val = newUserSplit(data, 1);
  if (val.users.length < 10) return PERSONAL_LAMBDA;
  const positives = positivesOf(val.data);
  const tried = new Map<number, number>();
  const at = async (lambda: number): Promise<number> => {
    const known = tried.get(lambda);
    if (known !== undefined) return known;
    const stage = `choosing λ on validation new users: ${Math.round(lambda)}`;
    const m = new Ease({ lambda, maxDim });
    await m.fit(positives, {
      signal: opts.signal,
      onProgress: (p) => opts.onProgress?.({ ...p, stage }),
      pool: opts.pool,
      threads: opts.threads,
    });
    const prior = popularityPrior(m.itemCounts(), PERSONAL_PARAMS.prior);
    const list = scoreList(
      (h, out) =>
        personalScores(
          m,
          prior,
          catalog,
          h.map((x) => x.movie),
          PERSONAL_PARAMS,
          out,
        ),
      val.catalogue,
    );
    const rows = evaluateNewUsers(val, list, genreLookup(catalog));
    const mean = rows.reduce((s, r) => s + r.ndcg, 0) / rows.length;
    tried.set(lambda, mean);
    return mean;
  };
  let best = PERSONAL_LAMBDA;
  const step = (await at(best * LAMBDA_STEP)) > (await at(best)) ? LAMBDA_STEP : 1 / LAMBDA_STEP;
  while (tried.size < LAMBDA_TRIES && (await at(best * step)) > (await at(best))) best *= step;
  return best;
}

/** How many recent liked movies are looked at for a movie's "because you liked". */
const EXPLAIN_FROM = 8;

/** The popularity prior's shape, 0…1: log(1 + likes) (or likes) over its largest value. */
export function popularityPrior(
  likes: ArrayLike<number>,
  shape: PersonalParams['prior'] = 'log',
): Float32Array {
  const f = shape === 'linear' ? (x: number): number => x : Math.log1p;
  let most = 0;
  for (let m = 0; m < likes.length; m++) most = Math.max(most, likes[m]!);
  const top = most > 0 ? f(most) : 1;
  return Float32Array.from(likes, (x) => f(x) / top);
}

/**
 * Scores every movie for a set of liked movies into `out` (length: the
 * catalogue); `prior` is `popularityPrior` of the likes the model saw.
 */
export function personalScores(
  model: Pick<HistoryModel, 'scoreHistory'>,
  prior: Float32Array,
  catalog: Catalog,
  liked: readonly number[],
  params: PersonalParams,
  out: Float32Array,
): void {
  const n = catalog.count;
  model.scoreHistory(liked, null, out);
  let best = 0;
  for (let m = 0; m < n; m++) if (out[m]! > best) best = out[m]!;
  const scale = best > 0 ? 1 / best : 0;
  const w = liked.length ? params.popularity / Math.pow(liked.length, params.decay) : 0;
  const share = new Float64Array(catalog.genres.length);
  const { genreOf, genreOffsets } = catalog;
  for (const m of liked)
    for (let j = genreOffsets[m]!; j < genreOffsets[m + 1]!; j++)
      share[genreOf[j]!]! += 1 / liked.length;
  const g = params.genre;
  const sharp = params.sharpness ?? 1;
  if (sharp !== 1) for (let k = 0; k < share.length; k++) share[k] = Math.pow(share[k]!, sharp);
  for (let m = 0; m < n; m++) {
    let a = 0;
    for (let j = genreOffsets[m]!; j < genreOffsets[m + 1]!; j++)
      a = Math.max(a, share[genreOf[j]!]!);
    out[m] = out[m]! * scale + w * (prior[m] ?? 0) + g * a;
  }
}

/**
 * The personal ranker over a fitted history model (EASE or ItemKNN). `title`
 * names it for the page, e.g. "EASE, built automatically".
 */
export function personalRanker(
  model: HistoryModel,
  catalog: Catalog,
  title: string,
  params: PersonalParams = PERSONAL_PARAMS,
): Ranker {
  const prior = popularityPrior(model.itemCounts(), params.prior);
  let cached: { state: UserState; version: number; scores: Float32Array } | null = null;
  const scoresFor = (state: UserState): Float32Array => {
    if (cached?.state !== state || cached.version !== state.version) {
      const scores = new Float32Array(catalog.count);
      personalScores(model, prior, catalog, state.positives(), params, scores);
      cached = { state, version: state.version, scores };
    }
    return cached.scores;
  };
  /** Per movie of `movies`, the recent liked movie that adds most to its model score (undefined: none adds anything). */
  const viaOf = (state: UserState, movies: Int32Array): (number | undefined)[] => {
    const via: (number | undefined)[] = new Array<number | undefined>(movies.length);
    const best = new Float32Array(movies.length);
    const row = new Float32Array(movies.length);
    for (const h of state.positives(EXPLAIN_FROM)) {
      model.scoreHistory([h], movies, row);
      for (let j = 0; j < row.length; j++)
        if (row[j]! > best[j]!) {
          best[j] = row[j]!;
          via[j] = h;
        }
    }
    return via;
  };
  return {
    name: 'personal',
    title,
    minLiked: 1,
    channel: 'model',
    score({ state }: RankInput, candidates: readonly Candidate[], out: Float32Array) {
      const s = scoresFor(state);
      candidates.forEach((c, j) => (out[j] = s[c.movie]!));
    },
    retrieve({ state }, n, seen) {
      const s = scoresFor(state);
      const open = new Float32Array(s.length);
      for (let m = 0; m < s.length; m++)
        open[m] = seen(m) || !(catalog.ratingCount[m]! > 0) ? NaN : s[m]!;
      const top = topK(open, n);
      const movies = Array.from(top);
      return { movies, scores: movies.map((m) => s[m]!), via: viaOf(state, top) };
    },
  };
}
