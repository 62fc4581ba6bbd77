/**
 * The sparrow-ctr time split (DESIGN.md, protocol 1): ratings at or before
 * the 80% timestamp quantile train, later ones test.
 */
import { WrenError } from '../errors.ts';

/** The share of ratings, by time, that the sparrow-ctr protocol trains on. */
export const TRAIN_QUANTILE = 0.8;

/**
 * The `quantile` timestamp quantile: the smallest timestamp t such that at
 * least `quantile × n` ratings have a timestamp ≤ t — the value of rank
 * ⌈quantile × n⌉ (1-based) in sorted order, as Spark's exact `approxQuantile`
 * (relative error 0) returns it. Ratings with timestamp ≤ cutoff train.
 *
 * O(n): two 16-bit radix-histogram passes, no sort and no copy.
 * Throws WrenError 'invalid-data' when there are no timestamps and
 * 'invalid-settings' when quantile is outside (0, 1].
 */
export function timeSplitCutoff(timestamps: Uint32Array, quantile = TRAIN_QUANTILE): number {
  const n = timestamps.length;
  if (!(quantile > 0 && quantile <= 1)) {
    throw new WrenError('invalid-settings', `quantile must be in (0, 1], got ${quantile}`);
  }
  if (n === 0) throw new WrenError('invalid-data', 'Expected ratings to split, found none.');
  // 0-based rank of the answer in sorted order.
  const rank = Math.min(n, Math.max(1, Math.ceil(quantile * n))) - 1;

  const hist = new Uint32Array(65536);
  for (let i = 0; i < n; i++) hist[timestamps[i]! >>> 16]!++;
  let high = 0;
  let below = 0;
  while (below + hist[high]! <= rank) below += hist[high++]!;

  hist.fill(0);
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!;
    if (t >>> 16 === high) hist[t & 0xffff]!++;
  }
  let low = 0;
  while (below + hist[low]! <= rank) below += hist[low++]!;
  return high * 65536 + low;
}

/** Whether a rating at `timestamp` belongs to the training period. */
export const isTrain = (timestamp: number, cutoff: number): boolean => timestamp <= cutoff;

/** How many ratings have a timestamp ≤ cutoff (the training rows). */
export function countTrain(timestamps: Uint32Array, cutoff: number): number {
  let k = 0;
  for (let i = 0; i < timestamps.length; i++) if (timestamps[i]! <= cutoff) k++;
  return k;
}
