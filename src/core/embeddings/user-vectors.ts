/**
 * User vectors from item vectors (SparrowRecSys' `generateUserEmb`): the mean
 * of the vectors of the movies a user liked, optionally weighted towards
 * recent ones — weight 2^(−age / halfLife), where age counts the user's later
 * positives (the most recent has age 0).
 */
import type { Sequences } from '../features/sequences.ts';

export interface UserVectorOptions {
  /** Positives after which a movie's weight halves; Infinity (default) = plain mean. */
  halfLife?: number;
  /** Scale each user vector to unit length (default true). */
  normalize?: boolean;
}

export interface UserVectors {
  dim: number;
  /** `dim` values per sequence (user); zeros where `known[u]` is 0. */
  vectors: Float32Array;
  /** 1 when the user liked at least one movie that has a vector. */
  known: Uint8Array;
}

/**
 * @param sequences each user's positives in time order (positiveSequences)
 * @param itemVectors rows of `dim` values; `rowOf[movie]` is the movie's row or -1
 */
export function userVectors(
  sequences: Sequences,
  itemVectors: Float32Array,
  dim: number,
  rowOf: Int32Array,
  opts: UserVectorOptions = {},
): UserVectors {
  const halfLife = opts.halfLife ?? Infinity;
  if (!(halfLife > 0)) throw new RangeError(`halfLife must be positive (got ${halfLife}).`);
  const users = sequences.offsets.length - 1;
  const vectors = new Float32Array(users * dim);
  const known = new Uint8Array(users);
  const acc = new Float64Array(dim);
  for (let u = 0; u < users; u++) {
    const start = sequences.offsets[u]!;
    const end = sequences.offsets[u + 1]!;
    acc.fill(0);
    let total = 0;
    for (let i = start; i < end; i++) {
      const r = rowOf[sequences.items[i]!] ?? -1;
      if (r < 0) continue;
      const w = halfLife === Infinity ? 1 : Math.pow(2, -(end - 1 - i) / halfLife);
      total += w;
      for (let k = 0; k < dim; k++) acc[k]! += w * itemVectors[r * dim + k]!;
    }
    if (total === 0) continue;
    known[u] = 1;
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += (acc[k]! / total) ** 2;
    const scale =
      opts.normalize === false || norm === 0 ? 1 / total : 1 / (total * Math.sqrt(norm));
    for (let k = 0; k < dim; k++) vectors[u * dim + k] = acc[k]! * scale;
  }
  return { dim, vectors, known };
}
