/**
 * Genre coherence of an embedding: the share of each movie's ten nearest
 * neighbours that share at least one genre with it, next to the same share
 * for random pairs (what a map without meaning would score).
 */
import { Random } from '../random.ts';
import { exactTopKBatch } from '../embeddings/topk.ts';

export interface GenreSets {
  offsets: Int32Array;
  list: Int8Array;
}

function shareGenre(g: GenreSets, a: number, b: number): boolean {
  for (let i = g.offsets[a]!; i < g.offsets[a + 1]!; i++) {
    for (let j = g.offsets[b]!; j < g.offsets[b + 1]!; j++)
      if (g.list[i] === g.list[j]) return true;
  }
  return false;
}

/**
 * @param vectors unit rows, row r belonging to movie `items[r]`
 * @param opts.queries how many rows to use as queries (default: up to 2,000, drawn with the seed)
 */
export function genreCoherence(
  vectors: Float32Array,
  dim: number,
  items: Int32Array,
  genres: GenreSets,
  opts: { k?: number; queries?: number; seed?: number } = {},
): { coherence: number; random: number } {
  const n = items.length;
  const k = opts.k ?? 10;
  if (n < 2) return { coherence: 0, random: 0 };
  const rng = new Random(opts.seed ?? 1, 5);
  const count = Math.min(n, opts.queries ?? 2000);
  const rows = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)).subarray(0, count);
  const queries = new Float32Array(count * dim);
  const selfOffsets = new Int32Array(count + 1);
  for (let q = 0; q < count; q++) {
    queries.set(vectors.subarray(rows[q]! * dim, (rows[q]! + 1) * dim), q * dim);
    selfOffsets[q + 1] = q + 1;
  }
  const top = exactTopKBatch(vectors, dim, queries, k, {
    perQuery: { offsets: selfOffsets, items: rows.slice() },
  });
  let same = 0;
  let total = 0;
  let randomSame = 0;
  for (let q = 0; q < count; q++) {
    const m = items[rows[q]!]!;
    for (let t = 0; t < k; t++) {
      const r = top.index[q * k + t]!;
      if (r < 0) continue;
      total++;
      if (shareGenre(genres, m, items[r]!)) same++;
      let other = rng.int(n - 1);
      if (other >= rows[q]!) other++;
      if (shareGenre(genres, m, items[other]!)) randomSame++;
    }
  }
  return { coherence: total ? same / total : 0, random: total ? randomSame / total : 0 };
}
