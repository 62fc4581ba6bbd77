/**
 * The next-item protocol for embeddings (DESIGN.md, protocol 4): each user
 * with at least two positives holds out the last one; embeddings train on the
 * rest; every movie with a vector, minus those the user rated before the
 * held-out one, is ranked by cosine to the user's last earlier positive.
 */
import type { RatingColumns } from '../data/types.ts';
import { POSITIVE_HALF_STARS, type Sequences } from '../features/sequences.ts';
import { hitNdcgAtRank, rankOfTarget } from './metrics.ts';

export interface NextItemSplit {
  /** The training corpus: every user's positives in time order, less the held-out one. */
  train: Sequences;
  /** Per evaluated user: the user index, the query movie, the held-out movie. */
  users: Int32Array;
  query: Int32Array;
  heldOut: Int32Array;
  /** Per evaluated user: every movie rated before the held-out one (ragged, as Sequences). */
  seen: Sequences;
}

/** Splits the ratings for the next-item protocol. Deterministic: no randomness. */
export function nextItemSplit(
  ratings: RatingColumns,
  threshold: number = POSITIVE_HALF_STARS,
): NextItemSplit {
  const { userOffsets, rating, movie } = ratings;
  const userCount = userOffsets.length - 1;
  const trainOffsets = new Int32Array(userCount + 1);
  const trainItems: number[] = [];
  const users: number[] = [];
  const query: number[] = [];
  const heldOut: number[] = [];
  const seenOffsets: number[] = [0];
  const seenItems: number[] = [];
  for (let u = 0; u < userCount; u++) {
    const start = userOffsets[u]!;
    const end = userOffsets[u + 1]!;
    let last = -1;
    let prev = -1;
    let positives = 0;
    for (let i = start; i < end; i++) {
      if (rating[i]! >= threshold) {
        prev = last;
        last = i;
        positives++;
      }
    }
    const cut = positives >= 2 ? last : end;
    for (let i = start; i < end; i++) {
      if (rating[i]! >= threshold && i !== cut) trainItems.push(movie[i]!);
    }
    trainOffsets[u + 1] = trainItems.length;
    if (positives >= 2) {
      users.push(u);
      query.push(movie[prev]!);
      heldOut.push(movie[last]!);
      for (let i = start; i < last; i++) seenItems.push(movie[i]!);
      seenOffsets.push(seenItems.length);
    }
  }
  return {
    train: { offsets: trainOffsets, items: Int32Array.from(trainItems) },
    users: Int32Array.from(users),
    query: Int32Array.from(query),
    heldOut: Int32Array.from(heldOut),
    seen: { offsets: Int32Array.from(seenOffsets), items: Int32Array.from(seenItems) },
  };
}

export interface RankingMetrics {
  hr: number;
  ndcg: number;
  /** Users evaluated. */
  users: number;
  k: number;
}

/**
 * Scores the split with a scoring function: `score(queryMovie, into)` fills
 * `into[movie]` for every movie (NaN = no vector: not a candidate). The
 * held-out movie's rank is the number of candidates that score strictly
 * higher, plus half of those that tie (so a constant scorer is not lucky).
 */
export function evaluateNextItem(
  split: NextItemSplit,
  itemCount: number,
  score: (query: number, into: Float64Array, e: number) => void,
  k = 10,
  onUser?: (e: number, hit: number, ndcg: number) => void,
): RankingMetrics {
  const scores = new Float64Array(itemCount);
  let hits = 0;
  let ndcg = 0;
  const n = split.users.length;
  for (let e = 0; e < n; e++) {
    score(split.query[e]!, scores, e);
    for (let i = split.seen.offsets[e]!, end = split.seen.offsets[e + 1]!; i < end; i++)
      scores[split.seen.items[i]!] = NaN;
    const rank = rankOfTarget(scores, split.heldOut[e]!, itemCount);
    const r = hitNdcgAtRank(rank, k);
    hits += r.hit;
    ndcg += r.ndcg;
    onUser?.(e, r.hit, r.ndcg);
  }
  return { hr: n ? hits / n : 0, ndcg: n ? ndcg / n : 0, users: n, k };
}

/**
 * A cosine scorer over item vectors (rows indexed by `rowOf[movie]`, -1 =
 * no vector): normalises once, then one dot product per movie per query.
 */
export function cosineScorer(
  vectors: Float32Array,
  dim: number,
  rowOf: Int32Array,
): (query: number, into: Float64Array) => void {
  const rows = vectors.length / dim;
  const unit = new Float64Array(vectors.length);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let k = 0; k < dim; k++) n += vectors[r * dim + k]! ** 2;
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let k = 0; k < dim; k++) unit[r * dim + k] = vectors[r * dim + k]! * inv;
  }
  return (query, into) => {
    const q = rowOf[query] ?? -1;
    for (let m = 0; m < into.length; m++) {
      const r = rowOf[m]!;
      if (r < 0 || q < 0) {
        into[m] = NaN;
        continue;
      }
      let dot = 0;
      const a = q * dim;
      const b = r * dim;
      for (let k = 0; k < dim; k++) dot += unit[a + k]! * unit[b + k]!;
      into[m] = dot;
    }
  };
}

/** The popularity baseline on the same candidates: every movie with a vector, by training count. */
export function popularityScorer(
  counts: ArrayLike<number>,
  rowOf: Int32Array,
): (query: number, into: Float64Array) => void {
  return (_query, into) => {
    for (let m = 0; m < into.length; m++) {
      const r = rowOf[m]!;
      into[m] = r < 0 ? NaN : counts[r]!;
    }
  };
}
