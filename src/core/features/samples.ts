/**
 * Samples for the sparrow-ctr protocol: one per rating, labelled positive
 * when rating ≥ 3.5 stars, split by time, with the movie features of the
 * training period. User features come per row range (user-features.ts).
 */
import type { RatingColumns } from '../data/types.ts';
import { movieFeatures, type MovieFeatures, type MovieMeta } from './movie-features.ts';
import { POSITIVE_HALF_STARS } from './sequences.ts';
import { TRAIN_QUANTILE, timeSplitCutoff } from './split.ts';

/** One label per rating row: 1 when rating ≥ threshold half stars, else 0. */
export function labels(ratings: RatingColumns, threshold = POSITIVE_HALF_STARS): Uint8Array {
  const { rating } = ratings;
  const out = new Uint8Array(rating.length);
  for (let i = 0; i < rating.length; i++) out[i] = rating[i]! >= threshold ? 1 : 0;
  return out;
}

/** What a sparrow-ctr run trains and tests on, summed up. */
export interface FeatureSet {
  /** Ratings with timestamp ≤ cutoff train; later ones test. */
  cutoff: number;
  /** The timestamp quantile the cutoff was taken at. */
  quantile: number;
  /** Positive label threshold in half stars. */
  threshold: number;
  /** From training-period ratings only. */
  movies: MovieFeatures;
  rows: number;
  trainRows: number;
  testRows: number;
  /** Share of positive labels among the training rows (0 when there are none). */
  trainPositiveRate: number;
  /** Share of positive labels among the test rows (0 when there are none). */
  testPositiveRate: number;
}

export interface FeatureSetOptions {
  /** Default 0.8. */
  quantile?: number;
  /** Default 7 half stars (3.5 stars). */
  threshold?: number;
}

/**
 * The time split, the movie features and the train/test counts in three
 * passes over the ratings. Throws WrenError 'invalid-data' when there are
 * no ratings (see timeSplitCutoff).
 */
export function featureSet(
  ratings: RatingColumns,
  meta: MovieMeta,
  opts: FeatureSetOptions = {},
): FeatureSet {
  const quantile = opts.quantile ?? TRAIN_QUANTILE;
  const threshold = opts.threshold ?? POSITIVE_HALF_STARS;
  const cutoff = timeSplitCutoff(ratings.timestamp, quantile);
  const movies = movieFeatures(ratings, meta, { cutoff });
  const { rating, timestamp } = ratings;
  let trainRows = 0;
  let trainPos = 0;
  let testPos = 0;
  for (let i = 0; i < rating.length; i++) {
    const pos = rating[i]! >= threshold ? 1 : 0;
    if (timestamp[i]! <= cutoff) {
      trainRows++;
      trainPos += pos;
    } else testPos += pos;
  }
  const rows = rating.length;
  const testRows = rows - trainRows;
  return {
    cutoff,
    quantile,
    threshold,
    movies,
    rows,
    trainRows,
    testRows,
    trainPositiveRate: trainRows > 0 ? trainPos / trainRows : 0,
    testPositiveRate: testRows > 0 ? testPos / testRows : 0,
  };
}
