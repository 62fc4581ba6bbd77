/**
 * Your predicted rating of a movie, in stars — what SparrowRecSys' movie
 * page hard-codes as "5.0". A baseline plus neighbourhood model (Koren,
 * "Factorization meets the neighborhood", KDD 2008, §2.1–2.2), with item2vec
 * cosines as the similarities instead of learned weights:
 *
 *   r̂(i) = b_i + b_u + Σ_j s_ij (r_j − b_j − b_u) / (Σ_j s_ij + λ)
 *
 * - b_i: the movie's Bayesian average (the catalogue's `score`; the mean of
 *   every rating for a movie nobody rated);
 * - b_u: how far above or below the movies' baselines you rate, shrunk to 0
 *   for a short history (`userShrink` pseudo-ratings);
 * - j: the `k` movies you rated that are most similar to i (positive
 *   cosines only), so a movie close to ones you rated above their average
 *   moves up; `simShrink` (λ) keeps a few weak neighbours from moving it far.
 *
 * Without an embedding it is the baseline b_i + b_u. The movie itself is
 * left out of your history, so a movie you rated gets the prediction you
 * would have seen before rating it.
 */
import type { RatingColumns } from '../data/types.ts';
import type { InteractionData } from '../eval/protocols.ts';
import { Random } from '../random.ts';
import type { Catalog } from './catalog.ts';
import type { HistoryEntry } from './profile.ts';
import type { MovieVectors } from './user-state.ts';

export interface PredictOptions {
  /** Neighbours used. */
  k: number;
  userShrink: number;
  simShrink: number;
  /** The rating scale, stars. */
  min: number;
  max: number;
}

export const DEFAULT_PREDICT: PredictOptions = {
  k: 20,
  userShrink: 5,
  simShrink: 1,
  min: 0.5,
  max: 5,
};

export interface RatingNeighbour {
  movie: number;
  similarity: number;
  /** Your rating of it. */
  rating: number;
}

export interface Prediction {
  /** The prediction, clamped to the scale (not rounded). */
  rating: number;
  /** b_i. */
  movieBaseline: number;
  /** b_u. */
  yourOffset: number;
  /** The neighbours' pull, in stars. */
  neighbourPull: number;
  /** Most similar first. */
  neighbours: RatingNeighbour[];
}

/** b_i: the movie's Bayesian average, or the mean rating for a movie nobody rated. */
export function movieBaseline(c: Catalog, movie: number): number {
  return c.ratingCount[movie]! > 0 ? c.score[movie]! : c.mean;
}

function cosine(e: MovieVectors, a: number, b: number): number {
  const ra = e.rowOf[a] ?? -1;
  const rb = e.rowOf[b] ?? -1;
  if (ra < 0 || rb < 0) return 0;
  const { dim, vectors } = e;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < dim; k++) {
    const x = vectors[ra * dim + k]!;
    const y = vectors[rb * dim + k]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Predicts your rating of `movie` from your other ratings. */
export function predictRating(
  c: Catalog,
  embedding: MovieVectors | null,
  history: Iterable<HistoryEntry>,
  movie: number,
  options: Partial<PredictOptions> = {},
): Prediction {
  const o = { ...DEFAULT_PREDICT, ...options };
  const others = [...history].filter((h) => h.movie !== movie);
  let offset = 0;
  for (const h of others) offset += h.rating - movieBaseline(c, h.movie);
  const yourOffset = offset / (others.length + o.userShrink);
  const bi = movieBaseline(c, movie);
  const neighbours: RatingNeighbour[] = [];
  if (embedding) {
    for (const h of others) {
      const similarity = cosine(embedding, movie, h.movie);
      if (similarity > 0) neighbours.push({ movie: h.movie, similarity, rating: h.rating });
    }
    neighbours.sort((a, b) => b.similarity - a.similarity || a.movie - b.movie);
    neighbours.length = Math.min(neighbours.length, o.k);
  }
  let num = 0;
  let den = o.simShrink;
  for (const n of neighbours) {
    num += n.similarity * (n.rating - movieBaseline(c, n.movie) - yourOffset);
    den += n.similarity;
  }
  const neighbourPull = num / den;
  const raw = bi + yourOffset + neighbourPull;
  return {
    rating: Math.min(o.max, Math.max(o.min, raw)),
    movieBaseline: bi,
    yourOffset,
    neighbourPull,
    neighbours,
  };
}

/** Root mean squared and mean absolute error of predictions against true ratings. */
export function ratingErrors(pairs: readonly { predicted: number; actual: number }[]): {
  rmse: number;
  mae: number;
  n: number;
} {
  let se = 0;
  let ae = 0;
  for (const p of pairs) {
    const d = p.predicted - p.actual;
    se += d * d;
    ae += Math.abs(d);
  }
  const n = pairs.length;
  return n ? { rmse: Math.sqrt(se / n), mae: ae / n, n } : { rmse: NaN, mae: NaN, n: 0 };
}

export interface HeldOutRating {
  user: number;
  movie: number;
  /** Stars. */
  rating: number;
}

/**
 * A rating-prediction split: a seeded random `share` of each user's ratings
 * held out (users with fewer than `minRatings` keep them all for training),
 * the rest as training interactions in time order.
 */
export function ratingHoldout(
  ratings: RatingColumns,
  itemCount: number,
  opts: { share?: number; seed?: number; minRatings?: number } = {},
): { train: InteractionData; test: HeldOutRating[] } {
  const share = opts.share ?? 0.2;
  const rng = new Random(opts.seed ?? 1, 41);
  const off = ratings.userOffsets;
  const users = off.length - 1;
  const keep = new Uint8Array(ratings.movie.length).fill(1);
  const test: HeldOutRating[] = [];
  for (let u = 0; u < users; u++) {
    const n = off[u + 1]! - off[u]!;
    if (n < (opts.minRatings ?? 5)) continue;
    for (let i = off[u]!; i < off[u + 1]!; i++)
      if (rng.chance(share)) {
        keep[i] = 0;
        test.push({ user: u, movie: ratings.movie[i]!, rating: ratings.rating[i]! / 2 });
      }
  }
  const offsets = new Int32Array(users + 1);
  const kept: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = off[u]!; i < off[u + 1]!; i++) if (keep[i]) kept.push(i);
    offsets[u + 1] = kept.length;
  }
  const pick = <T extends Int32Array | Uint8Array | Uint32Array>(
    a: T,
    make: (n: number) => T,
  ): T => {
    const out = make(kept.length);
    kept.forEach((i, j) => (out[j] = a[i]!));
    return out;
  };
  const catalogue = new Uint8Array(itemCount);
  for (let i = 0; i < ratings.movie.length; i++) catalogue[ratings.movie[i]!] = 1;
  return {
    train: {
      userCount: users,
      itemCount,
      train: { offsets, items: pick(ratings.movie, (n) => new Int32Array(n)) },
      trainRatings: pick(ratings.rating, (n) => new Uint8Array(n)),
      trainTimes: pick(ratings.timestamp, (n) => new Uint32Array(n)),
      catalogue,
    },
    test,
  };
}
