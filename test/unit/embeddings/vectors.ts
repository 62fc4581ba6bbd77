/**
 * Seeded test vectors: points scattered around random cluster centres on the
 * unit sphere, the shape item embeddings have (movies gather by genre).
 */
import { Random } from '../../../src/core/random.ts';

export interface Clustered {
  /** Unit-length rows. */
  vectors: Float32Array;
  /** Each row's cluster. */
  labels: Int32Array;
}

/**
 * `n` unit vectors of `dim`: a centre drawn per cluster, then each point =
 * centre + `spread` × a Gaussian of unit expected length, normalised. With
 * spread 1 two points of a cluster have a cosine of about 0.5.
 */
export function clusteredVectors(
  n: number,
  dim: number,
  opts: { clusters?: number; spread?: number; seed?: number } = {},
): Clustered {
  const clusters = opts.clusters ?? 100;
  const spread = opts.spread ?? 1;
  const rng = new Random(opts.seed ?? 1, 21);
  const centres = new Float64Array(clusters * dim);
  for (let c = 0; c < clusters; c++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += (centres[c * dim + j] = rng.normal()) ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) centres[c * dim + j]! /= norm;
  }
  const vectors = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const scale = spread / Math.sqrt(dim);
  for (let i = 0; i < n; i++) {
    const c = rng.int(clusters);
    labels[i] = c;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const x = centres[c * dim + j]! + scale * rng.normal();
      vectors[i * dim + j] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) vectors[i * dim + j]! /= norm;
  }
  return { vectors, labels };
}
