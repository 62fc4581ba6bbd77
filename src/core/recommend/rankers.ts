/**
 * Ranking the recalled candidates. A ranker scores movies for one person —
 * you (from your ratings alone) or a dataset user (who may have a trained
 * row in the model) — and the pipeline orders candidates by that score.
 *
 * - fusion: reciprocal-rank fusion of the channels' own orders (no model;
 *   what the pipeline uses until there is enough signal);
 * - embedding: cosine between your user vector and each movie's vector;
 * - history models (ItemKNN, PureSVD, EASE, Mult-VAE): scored from your
 *   liked movies, as they score any user;
 * - neural models (GMF, MLP, NeuMF, two-tower): a trained dataset user
 *   keeps their row; you get a folded-in row (NeuralCf.foldIn), computed
 *   again only when your ratings change. Two-tower also retrieves: its top
 *   movies over the whole catalogue feed the pipeline's 'tower' channel.
 * - sequence models (SASRec, GRU4Rec): scored from every movie you rated,
 *   in the order you rated them; their own retrieval feeds the 'next'
 *   channel, each pick with the recent movie whose removal lowers it most.
 */
import { topK } from '../eval/metrics.ts';
import type { HistoryModel } from '../models/history-model.ts';
import { MODELS, modelInfo } from '../models/index.ts';
import type { FoldedUser, NeuralCf } from '../models/neural-cf.ts';
import type { SequentialModel } from '../models/sequential.ts';
import type { Recommender } from '../models/types.ts';
import type { Candidate, Retriever } from './channels.ts';
import type { MovieVectors, UserState } from './user-state.ts';

export interface RankInput {
  state: UserState;
  /** The dataset user's index when ranking for one; undefined for you. */
  user?: number;
}

export interface Ranker {
  /** 'fusion', 'embedding' or a model's registry name. */
  readonly name: string;
  readonly title: string;
  /** Fills `out[j]` for `candidates[j]`; higher is better. */
  score(input: RankInput, candidates: readonly Candidate[], out: Float32Array): void;
  /** Liked movies this ranker needs before it takes over from fusion (default: the pipeline's `minForModel`). */
  readonly minLiked?: number;
  /** Rankers that can search the whole catalogue themselves feed the 'tower' (two-tower) or 'model' channel. */
  retrieve?: Retriever['retrieve'];
  readonly channel?: Retriever['channel'];
  /** The trained model it scores with (rankerFor's rankers), so a helper thread can load it again. */
  readonly model?: Recommender;
}

/** RRF's constant: how fast a channel's lower ranks fade (Cormack et al. use 60). */
const RRF_K = 60;

export const fusionRanker: Ranker = {
  name: 'fusion',
  title: 'Channel fusion',
  score(_input, candidates, out) {
    candidates.forEach((c, j) => {
      let s = 0;
      for (const h of c.hits) s += 1 / (RRF_K + h.rank);
      out[j] = s;
    });
  },
};

/** Cosine between the user vector and each candidate's vector (-1 without one). */
export function embeddingRanker(e: MovieVectors): Ranker {
  return {
    name: 'embedding',
    title: 'Embedding similarity',
    score({ state }, candidates, out) {
      const v = state.vector();
      candidates.forEach((c, j) => {
        const row = e.rowOf[c.movie] ?? -1;
        if (!v || row < 0) {
          out[j] = -1;
          return;
        }
        let dot = 0;
        for (let k = 0; k < e.dim; k++) dot += v[k]! * e.vectors[row * e.dim + k]!;
        out[j] = dot;
      });
    },
  };
}

const moviesOf = (candidates: readonly Candidate[]): Int32Array =>
  Int32Array.from(candidates, (c) => c.movie);

/** A history model (ItemKNN, PureSVD, EASE) scoring from the liked movies (all rated ones when none is liked). */
export function historyRanker(model: HistoryModel, title: string): Ranker {
  return {
    name: model.model,
    title,
    score({ state }, candidates, out) {
      const liked = state.positives();
      const history = liked.length ? liked : state.history().map((h) => h.movie);
      model.scoreHistory(history, moviesOf(candidates), out);
    },
  };
}

/** Any model by the user's trained row (popularity, or a neural model for dataset users). */
function userScores(
  model: Recommender,
  user: number,
  candidates: readonly Candidate[],
  out: Float32Array,
): void {
  model.score(user, moviesOf(candidates), out);
}

/** A neural model: dataset users by their trained row, you by a folded-in row. */
export function neuralRanker(model: NeuralCf, title: string): Ranker {
  let cached: { version: number; state: UserState; folded: FoldedUser } | null = null;
  const scoreMovies = ({ state, user }: RankInput, movies: Int32Array, out: Float32Array): void => {
    if (user !== undefined) return model.score(user, movies, out);
    if (cached?.state !== state || cached.version !== state.version) {
      const liked = state.positives();
      cached = { state, version: state.version, folded: model.foldIn(liked) };
    }
    model.scoreFolded(cached.folded, movies, out);
  };
  let every: Int32Array | null = null;
  return {
    name: model.model,
    title,
    score: (input, candidates, out) => scoreMovies(input, moviesOf(candidates), out),
    // A retrieval model (two-tower): a dot product against every movie's tower output.
    ...(modelInfo(model.model)?.retrieves === 'tower' && {
      retrieve(input: RankInput, n: number, seen: (movie: number) => boolean) {
        every ??= Int32Array.from({ length: model.movieCount }, (_, m) => m);
        const out = new Float32Array(every.length);
        scoreMovies(input, every, out);
        const open = Array.from(every).filter((m) => !seen(m));
        open.sort((a, b) => out[b]! - out[a]! || a - b);
        const movies = open.slice(0, n);
        return { movies, scores: movies.map((m) => out[m]!) };
      },
    }),
  };
}

/** How many of your latest movies a sequence model's reasons are sought among. */
const NEXT_EXPLAIN = 8;

/**
 * A sequence model: you by your rated movies in time order, a dataset user
 * by their training sequence. It retrieves its own top movies for the 'next'
 * channel; each pick's reason is the recent movie whose removal from the
 * sequence lowers its score most (a true reason: the model's own arithmetic).
 */
export function sequenceRanker(model: SequentialModel, title: string): Ranker {
  const sequenceOf = ({ state, user }: RankInput): number[] =>
    user !== undefined ? Array.from(model.historyOf(user)) : state.history().map((h) => h.movie);
  let cached: { state: UserState; version: number; user?: number; scores: Float32Array } | null =
    null;
  const scoresFor = (input: RankInput): Float32Array => {
    const { state, user } = input;
    if (cached?.state !== state || cached.version !== state.version || cached.user !== user) {
      const scores = new Float32Array(model.movieCount);
      model.scoreHistory(sequenceOf(input), null, scores);
      cached = { state, version: state.version, user, scores };
    }
    return cached.scores;
  };
  return {
    name: model.model,
    title,
    minLiked: 1,
    channel: 'next',
    score(input, candidates, out) {
      const s = scoresFor(input);
      candidates.forEach((c, j) => (out[j] = s[c.movie] ?? -Infinity));
    },
    retrieve(input, n, seen) {
      const s = scoresFor(input);
      const open = Float32Array.from(s, (x, m) => (seen(m) ? NaN : x));
      const picks = topK(open, n);
      const movies = Array.from(picks);
      const seq = sequenceOf(input);
      const best = new Float32Array(picks.length);
      const via: (number | undefined)[] = new Array<number | undefined>(picks.length);
      const without = new Float32Array(picks.length);
      for (let i = Math.max(0, seq.length - NEXT_EXPLAIN); i < seq.length; i++) {
        model.scoreHistory([...seq.slice(0, i), ...seq.slice(i + 1)], picks, without);
        for (let j = 0; j < picks.length; j++) {
          const drop = s[picks[j]!]! - without[j]!;
          if (drop > best[j]!) {
            best[j] = drop;
            via[j] = seq[i];
          }
        }
      }
      return { movies, scores: movies.map((m) => s[m]!), via };
    },
  };
}

/** Popularity: the model's own scores (the same for everyone). */
export function modelRanker(model: Recommender, title: string): Ranker {
  return {
    name: model.model,
    title,
    score: (_input, candidates, out) => userScores(model, 0, candidates, out),
  };
}

/**
 * Models that can rank for the pipeline: every model of the ranking registry
 * (`rankerFor` picks how each ranks a person; the model contract checks that
 * each one's ranking follows the person's history, popularity aside).
 */
export const RANKABLE: readonly string[] = MODELS.map((m) => m.name);

/** The ranker of a loaded model, by how its registry entry says it ranks a new person. */
export function rankerFor(model: Recommender, title: string): Ranker {
  const by = modelInfo(model.model)?.ranksBy;
  const ranker =
    by === 'sequence'
      ? sequenceRanker(model as SequentialModel, title)
      : by === 'history'
        ? historyRanker(model as HistoryModel, title)
        : by === 'fold-in'
          ? neuralRanker(model as NeuralCf, title)
          : modelRanker(model, title);
  return { ...ranker, model };
}
