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
 * most to it (a true "because you liked"). The list functions at the end
 * serve the blend alone and For You's whole pipeline to the new-user
 * protocols.
 */
import { topK } from '../eval/metrics.ts';
import { scoreList, type ListFn } from '../eval/new-user.ts';
import type { HistoryModel } from '../models/history-model.ts';
import type { Catalog } from './catalog.ts';
import type { Candidate } from './channels.ts';
import { DEFAULT_PIPELINE, recommend, type PipelineOptions } from './pipeline.ts';
import type { RankInput, Ranker } from './rankers.ts';
import { UserState, type MovieVectors } from './user-state.ts';

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

/** For You's default pipeline over a fitted personal model, as a list function over the `ranked` movies. */
export function pipelineList(
  model: HistoryModel,
  catalog: Catalog,
  embedding: MovieVectors | null,
  ranked: Uint8Array,
  params: PersonalParams = PERSONAL_PARAMS,
  pipeline: Partial<PipelineOptions> = {},
): ListFn {
  const ranker = personalRanker(model, catalog, 'personal', params);
  const ctx = { catalog, embedding, ranker };
  const base = { ...DEFAULT_PIPELINE, ...pipeline };
  const notRanked = (m: number): boolean => !ranked[m];
  return (h, n) => {
    const state = UserState.from(catalog, embedding, h);
    return recommend(ctx, { state }, { ...base, k: n, exclude: notRanked }).items.map(
      (x) => x.movie,
    );
  };
}

/** The personal blend alone (no recall stage) over the `ranked` movies, as a list function: what the automatic build's λ search scores. */
export function personalList(
  model: HistoryModel,
  catalog: Catalog,
  ranked: Uint8Array,
  params: PersonalParams = PERSONAL_PARAMS,
): ListFn {
  const prior = popularityPrior(model.itemCounts(), params.prior);
  return scoreList(
    (h, out) =>
      personalScores(
        model,
        prior,
        catalog,
        h.map((x) => x.movie),
        params,
        out,
      ),
    ranked,
  );
}
