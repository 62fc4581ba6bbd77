/**
 * Sequences: each user's positively rated movies in time order — the corpus
 * the embeddings train on (SparrowRecSys' `processItemSequence`).
 */
import type { RatingColumns } from '../data/types.ts';

/** Ratings at or above this many half stars are positive (3.5 stars, as SparrowRecSys). */
export const POSITIVE_HALF_STARS = 7;

/**
 * A ragged array of movie-index sequences: sequence s is
 * `items[offsets[s]] … items[offsets[s + 1] - 1]`; `offsets` has one entry more
 * than there are sequences. Sequences may be empty.
 */
export interface Sequences {
  offsets: Int32Array;
  items: Int32Array;
}

/** Number of sequences. */
export const sequenceCount = (s: Sequences): number => s.offsets.length - 1;

/** The items of sequence i (a view, not a copy). */
export function sequenceAt(s: Sequences, i: number): Int32Array {
  return s.items.subarray(s.offsets[i]!, s.offsets[i + 1]!);
}

/**
 * One sequence per user (index = user index): the movies the user rated at
 * or above `threshold` half stars, in time order. Ratings are already sorted
 * by user, time, then movie index (movie indexes follow movieId order), so
 * ties keep movie-id order as the next-item protocol asks.
 */
export function positiveSequences(
  ratings: RatingColumns,
  threshold: number = POSITIVE_HALF_STARS,
): Sequences {
  const users = ratings.userOffsets.length - 1;
  const offsets = new Int32Array(users + 1);
  let n = 0;
  for (let u = 0; u < users; u++) {
    for (let i = ratings.userOffsets[u]!, end = ratings.userOffsets[u + 1]!; i < end; i++) {
      if (ratings.rating[i]! >= threshold) n++;
    }
    offsets[u + 1] = n;
  }
  const items = new Int32Array(n);
  let k = 0;
  for (let i = 0, len = ratings.rating.length; i < len; i++) {
    if (ratings.rating[i]! >= threshold) items[k++] = ratings.movie[i]!;
  }
  return { offsets, items };
}

/** How often each item occurs in the sequences (length `vocabSize`). */
export function itemCounts(s: Sequences, vocabSize: number): Int32Array {
  const counts = new Int32Array(vocabSize);
  for (let i = 0; i < s.items.length; i++) counts[s.items[i]!]!++;
  return counts;
}
