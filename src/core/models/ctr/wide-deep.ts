/**
 * Wide&Deep (Cheng et al. 2016): the linear part beside the MLP, the linear
 * part with SparrowRecSys' crossed feature, movie × the last liked movie,
 * hashed into a table of its own.
 */
import { CTR_NETWORK } from '../ctr-info.ts';
import { linearPart, mlpPart, type CtrPart, type CtrStructure } from './network.ts';

/** Buckets of Wide&Deep's crossed feature. */
export const CROSS_BUCKETS = CTR_NETWORK.crossBuckets;

/**
 * The bucket of the cross of a candidate movie and the user's most recent liked movie:
 * murmur3's finalizer over movie·K + last, an integer hash, so that every run agrees. No liked
 * movie (`last === padding`) is a bucket of its own, the table's last row.
 */
export function crossBucket(movie: number, last: number, padding: number): number {
  if (last === padding) return CROSS_BUCKETS;
  let h = (Math.imul(movie, 0x9e3779b1) + last) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) % CROSS_BUCKETS;
}

/** The crossed feature: its bucket's weight (linear only: one weight per bucket, plus the padding bucket). */
const crossPart: CtrPart = {
  weights: () => [],
  table: {
    name: 'cross',
    rows: CROSS_BUCKETS + 1,
    dim: 1,
    ids: (data, order, from, out, { movie, history, padding }) => {
      const movies = data.cats[movie]!.values;
      const hist = data.cats[history]!;
      for (let s = 0; s < out.length; s++) {
        const r = order[from + s]!;
        // lastPositives lists the most recent first.
        out[s] = crossBucket(movies[r]!, hist.values[r * hist.width]!, padding);
      }
    },
  },
  terms: (_x, _w, own) => [own!],
};

export const wideDeep: CtrStructure = {
  row: 'weight+factors',
  parts: [linearPart, crossPart, mlpPart],
};
