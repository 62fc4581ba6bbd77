/**
 * Multi-channel recall (SparrowRecSys' candidate generation): each channel
 * proposes movies for a user on its own terms, and `mergeRecall` joins them
 * into one deduplicated candidate list in which every movie keeps the
 * channels that found it, their scores and reasons.
 *
 * - popular: the most rated movies;
 * - top-rated: the highest Bayesian averages;
 * - genre: the best movies of your favourite genres, in proportion to how
 *   much you like each;
 * - embedding: the nearest movies to your user vector (cosine);
 * - because: the nearest movies to each of your recent liked movies;
 * - tower: a two-tower model's own retrieval (your folded-in user vector
 *   against every movie tower output), when that model ranks;
 * - model: the personal ranker's own retrieval over the whole catalogue
 *   (personal-ranker.ts), each movie with the liked movie that adds most to it;
 * - next: a sequence model's (SASRec, GRU4Rec) own retrieval: what people
 *   watched after movies like your latest ones, each with the recent movie
 *   that leads to it most.
 */
import { exactTopK } from '../embeddings/topk.ts';
import type { Catalog } from './catalog.ts';
import type { MovieVectors, UserState } from './user-state.ts';

export type ChannelName =
  'popular' | 'top-rated' | 'genre' | 'embedding' | 'because' | 'tower' | 'model' | 'next';

export const CHANNELS: readonly ChannelName[] = [
  'model',
  'next',
  'because',
  'embedding',
  'tower',
  'genre',
  'top-rated',
  'popular',
];

export const CHANNEL_TITLES: Record<ChannelName, string> = {
  popular: 'Popular',
  'top-rated': 'Top rated',
  genre: 'Your genres',
  embedding: 'Close to your taste',
  because: 'Because you liked',
  tower: 'Two-tower retrieval',
  model: 'Learned from everyone’s ratings',
  next: 'Watched next',
};

/** How one channel found a movie. */
export interface Hit {
  channel: ChannelName;
  /** 0 = the channel's best. */
  rank: number;
  /** The channel's own score (cosine, stars or rating count). */
  score: number;
  /** genre: the genre index; because and model: the liked movie it comes from. */
  via?: number;
}

export interface Candidate {
  movie: number;
  hits: Hit[];
}

/** A model that can retrieve from the whole catalogue itself (two-tower, the personal ranker). */
export interface Retriever {
  /** The best `n` movies not seen, best first, with their scores (and the liked movie behind each). */
  retrieve(
    input: { state: UserState; user?: number },
    n: number,
    seen: (movie: number) => boolean,
  ): { movies: number[]; scores: number[]; via?: (number | undefined)[] };
  /** The channel its retrieval feeds (default 'tower'). */
  channel?: 'tower' | 'model' | 'next';
}

export interface RecallContext {
  catalog: Catalog;
  embedding: MovieVectors | null;
  /** The ranker in force, when it can retrieve (the 'tower' channel); absent or null: no such channel. */
  ranker?: Partial<Retriever> | null;
}

/** Channel sizes (0 turns a channel off). */
export type ChannelSizes = Record<ChannelName, number>;

export const DEFAULT_SIZES: ChannelSizes = {
  popular: 50,
  'top-rated': 50,
  genre: 100,
  embedding: 100,
  because: 100,
  tower: 100,
  model: 200,
  next: 200,
};

/** How many recent liked movies the "because" channel starts from. */
const SEEDS = 5;

/** Movies a channel must not propose (rated or not interested). */
export type Seen = (movie: number) => boolean;

/** The first `n` movies of `list` that are not seen. */
function take(list: Int32Array, n: number, seen: Seen): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length && out.length < n; i++) if (!seen(list[i]!)) out.push(list[i]!);
  return out;
}

/** One channel's movies, best first, and how it found each (`hits[i]` is `movies[i]`'s). */
export interface ChannelResult {
  movies: number[];
  hits: Hit[];
}

/** Runs one channel. */
export function recallChannel(
  ctx: RecallContext,
  state: UserState,
  channel: ChannelName,
  n: number,
  seen: Seen,
  user?: number,
): ChannelResult {
  const movies: number[] = [];
  const hits: Hit[] = [];
  const add = (movie: number, score: number, via?: number): void => {
    hits.push({ channel, rank: movies.length, score, ...(via === undefined ? {} : { via }) });
    movies.push(movie);
  };
  const c = ctx.catalog;
  if (n <= 0) return { movies, hits };
  if (channel === 'popular') for (const m of take(c.popular, n, seen)) add(m, c.ratingCount[m]!);
  else if (channel === 'top-rated') for (const m of take(c.topRated, n, seen)) add(m, c.score[m]!);
  else if (channel === 'tower' || channel === 'model' || channel === 'next') {
    const r = ctx.ranker;
    const found =
      (r?.channel ?? 'tower') === channel ? r?.retrieve?.({ state, user }, n, seen) : undefined;
    found?.movies.forEach((m, i) => add(m, found.scores[i]!, found.via?.[i]));
  } else if (channel === 'genre') {
    const top = state.topGenres(3);
    const total = top.reduce((s, g) => s + g.weight, 0);
    const picked = new Set<number>();
    // Share n by preference; a movie in two of your genres counts once.
    for (const { genre, weight } of top) {
      const share = Math.min(n - movies.length, Math.max(1, Math.round((n * weight) / total)));
      for (const m of take(c.byGenre[genre]!, share, (x) => seen(x) || picked.has(x))) {
        picked.add(m);
        add(m, c.score[m]!, genre);
      }
    }
  } else if (ctx.embedding) {
    const e = ctx.embedding;
    const skip = (row: number): boolean => seen(e.items[row]!);
    if (channel === 'embedding') {
      const v = state.vector();
      if (v) {
        const top = exactTopK(e.vectors, e.dim, v, n, skip);
        top.index.forEach((r, i) => add(e.items[r]!, top.score[i]!));
      }
    } else {
      const seeds = state.positives(SEEDS).filter((m) => (e.rowOf[m] ?? -1) >= 0);
      const per = seeds.length ? Math.ceil(n / seeds.length) : 0;
      const picked = new Set<number>();
      for (const s of seeds) {
        const row = e.rowOf[s]!;
        const q = e.vectors.subarray(row * e.dim, (row + 1) * e.dim);
        const top = exactTopK(e.vectors, e.dim, q, per, (r) => skip(r) || r === row);
        top.index.forEach((r, i) => {
          const m = e.items[r]!;
          if (picked.has(m) || movies.length >= n) return;
          picked.add(m);
          add(m, top.score[i]!, s);
        });
      }
    }
  }
  return { movies, hits };
}

/** Every channel with a size, merged: each movie once, with all its hits, in order of first appearance. */
export function mergeRecall(
  ctx: RecallContext,
  state: UserState,
  sizes: ChannelSizes,
  seen: Seen,
  user?: number,
): { candidates: Candidate[]; perChannel: Record<ChannelName, number> } {
  const byMovie = new Map<number, Candidate>();
  const perChannel = {} as Record<ChannelName, number>;
  for (const ch of CHANNELS) {
    const { movies, hits } = recallChannel(ctx, state, ch, sizes[ch], seen, user);
    perChannel[ch] = hits.length;
    hits.forEach((h, i) => {
      const m = movies[i]!;
      const cand = byMovie.get(m);
      if (cand) cand.hits.push(h);
      else byMovie.set(m, { movie: m, hits: [h] });
    });
  }
  return { candidates: [...byMovie.values()], perChannel };
}
