/**
 * The recommendation pipeline, recall → rank → re-rank, for one person:
 *
 * 1. recall: the channels (channels.ts) propose candidates, leaving out what
 *    you rated or marked "not interested";
 * 2. rank: with no ratings, the channels' fused order over popular, top-rated
 *    and genre candidates (cold start); with fewer liked movies than
 *    `minForModel`, the fused order of every channel; then the chosen ranker;
 * 3. re-rank: diversity and freshness (rerank.ts).
 *
 * Every recommendation keeps the channels that found it, so the page can say
 * why it is there, and each stage is timed.
 */
import { displayTitle } from '../search.ts';
import type { Catalog } from './catalog.ts';
import {
  DEFAULT_SIZES,
  mergeRecall,
  type Candidate,
  type ChannelName,
  type ChannelSizes,
  type Hit,
} from './channels.ts';
import { fusionRanker, type RankInput, type Ranker } from './rankers.ts';
import { rerank } from './rerank.ts';
import type { MovieVectors } from './user-state.ts';

export interface PipelineContext {
  catalog: Catalog;
  embedding: MovieVectors | null;
  /** The chosen ranker; null: fusion only. */
  ranker: Ranker | null;
}

export interface PipelineOptions {
  k: number;
  sizes: ChannelSizes;
  diversity: number;
  freshness: number;
  /** Liked movies needed before the ranker takes over from fusion (a ranker's own `minLiked` wins). */
  minForModel: number;
  /**
   * Movies with fewer ratings than this are never recommended ("hidden gems"
   * turns it to 0): a handful of ratings says little, and models trust them too much.
   */
  minRatings: number;
  /** Movies to leave out besides the rated and not-interested ones (replays: held-out users' training items). */
  exclude?: (movie: number) => boolean;
}

export const DEFAULT_PIPELINE: PipelineOptions = {
  k: 20,
  sizes: DEFAULT_SIZES,
  // MMR cost accuracy and taste alike on validation new users (README, How the defaults were chosen).
  diversity: 0,
  freshness: 0,
  minForModel: 5,
  minRatings: 10,
};

/** Which ranking the pipeline used. */
export type PipelineStage = 'cold' | 'fusion' | 'model';

export interface Recommendation {
  movie: number;
  /** The ranker's score (fusion: the RRF sum). */
  score: number;
  /** Position after ranking, before re-ranking (0 = best). */
  rankedAt: number;
  hits: Hit[];
}

export interface PipelineResult {
  items: Recommendation[];
  stage: PipelineStage;
  ranker: string;
  /** Candidates each channel proposed, and after merging. */
  perChannel: Record<ChannelName, number>;
  candidates: number;
  ms: { recall: number; rank: number; rerank: number; total: number };
}

const COLD: ChannelName[] = ['popular', 'top-rated', 'genre'];

export function recommend(
  ctx: PipelineContext,
  input: RankInput,
  opts: PipelineOptions = DEFAULT_PIPELINE,
  notInterested: ReadonlySet<number> = new Set(),
): PipelineResult {
  const t0 = performance.now();
  const { state } = input;
  const counts = ctx.catalog.ratingCount;
  const minRatings = opts.minRatings ?? 0;
  const seen = (m: number): boolean =>
    state.ratings.has(m) ||
    notInterested.has(m) ||
    counts[m]! < minRatings ||
    (opts.exclude?.(m) ?? false);
  const liked = state.positives().length;
  const stage: PipelineStage =
    state.count === 0
      ? 'cold'
      : !ctx.ranker || liked < (ctx.ranker.minLiked ?? opts.minForModel)
        ? 'fusion'
        : 'model';
  // The ranker's own retrieval (two-tower, personal) only when it ranks.
  const base = stage === 'model' ? opts.sizes : { ...opts.sizes, tower: 0, model: 0, next: 0 };
  const sizes =
    stage === 'cold'
      ? (Object.fromEntries(
          Object.entries(base).map(([ch, n]) => [ch, COLD.includes(ch as ChannelName) ? n : 0]),
        ) as ChannelSizes)
      : base;
  const { candidates, perChannel } = mergeRecall(ctx, state, sizes, seen, input.user);
  const t1 = performance.now();
  const ranker = stage === 'model' ? ctx.ranker! : fusionRanker;
  const scores = new Float32Array(candidates.length);
  ranker.score(input, candidates, scores);
  const order = candidates.map((_, j) => j).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const t2 = performance.now();
  // Cold start has no taste to follow: spread the list over genres at least this much.
  const diversity = stage === 'cold' ? Math.max(0.5, opts.diversity) : opts.diversity;
  const ranked = order.map((j) => candidates[j]!.movie);
  const picked = rerank(ctx.catalog, ranked, { k: opts.k, diversity, freshness: opts.freshness });
  const items = picked.map((p) => recommendation(candidates[order[p]!]!, scores[order[p]!]!, p));
  const t3 = performance.now();
  return {
    items,
    stage,
    ranker: ranker.name,
    perChannel,
    candidates: candidates.length,
    ms: { recall: t1 - t0, rank: t2 - t1, rerank: t3 - t2, total: t3 - t0 },
  };
}

function recommendation(c: Candidate, score: number, rankedAt: number): Recommendation {
  return { movie: c.movie, score, rankedAt, hits: c.hits };
}

/** Why a movie is recommended, strongest reason first: "because you liked", your genres, taste, top rated, popular. */
export function mainReason(hits: readonly Hit[]): Hit | undefined {
  const order: ChannelName[] = [
    'model',
    'next',
    'because',
    'genre',
    'embedding',
    'tower',
    'top-rated',
    'popular',
  ];
  return [...hits].sort(
    (a, b) => order.indexOf(a.channel) - order.indexOf(b.channel) || a.rank - b.rank,
  )[0];
}

/** A hit as a sentence for a card or a listing: "Because you liked Heat" (or "they", for a dataset user). */
export function reasonText(c: Catalog, hit: Hit | undefined, who: 'you' | 'they' = 'you'): string {
  const their = who === 'you' ? 'your' : 'their';
  switch (hit?.channel) {
    case 'because':
      return `Because ${who} liked ${displayTitle(c.titles[hit.via!]!)}`;
    case 'model':
      return hit.via === undefined
        ? `Liked by people with ${their} taste`
        : `People who liked ${displayTitle(c.titles[hit.via]!)} liked it too`;
    case 'next':
      return hit.via === undefined
        ? `What people watch after ${their} latest movies`
        : `People who watched ${displayTitle(c.titles[hit.via]!)} watched it next`;
    case 'genre':
      return `Among the best in ${c.genres[hit.via!]}, one of ${their} genres`;
    case 'embedding':
      return `Close to ${their} taste`;
    case 'tower':
      return `Retrieved for ${who === 'you' ? 'you' : 'them'} by the two-tower model`;
    case 'top-rated':
      return 'Highly rated by everyone';
    default:
      return 'Popular with everyone';
  }
}
