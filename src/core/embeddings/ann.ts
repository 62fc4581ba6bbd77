/**
 * Nearest-neighbour search over item vectors: exact (topk.ts) and
 * approximate (HNSW, hnsw.ts and hnsw-search.ts), and a measure of how much
 * the approximate one misses and how much faster it is.
 */
import { Random } from '../random.ts';
import type { HnswIndex } from './hnsw.ts';
import { hnswSearch } from './hnsw-search.ts';
import { exactTopK } from './topk.ts';

export { buildHnsw, type HnswIndex, type HnswOptions } from './hnsw.ts';
export { hnswSearch } from './hnsw-search.ts';
export {
  exactTopK,
  exactTopKBatch,
  gatherRows,
  normalizeRows,
  type BatchOptions,
  type Exclusion,
  type TopK,
  type TopKBatch,
} from './topk.ts';

export interface RecallOptions {
  /**
   * Query vectors (packed, unit length), or how many rows of `vectors` to
   * draw as queries — each then excludes itself, as a "similar movies" query does.
   */
  queries: number | Float32Array;
  /** Default 10. */
  k?: number;
  /** HNSW candidate list size. Default 64. */
  ef?: number;
  /** Seed of the query draw. Default 1. */
  seed?: number;
}

export interface RecallReport {
  /** Share of the exact top k that HNSW also returned, over all queries. */
  recall: number;
  k: number;
  ef: number;
  queries: number;
  /** Milliseconds per query, exact scan (one query at a time). */
  exactQueryMs: number;
  exactQueryP95Ms: number;
  annQueryMs: number;
  annQueryP95Ms: number;
}

/**
 * Recall@k of `index` against the exact search, and the query times of both
 * (one query at a time, after 20 untimed warm-up queries).
 */
export function annRecall(
  vectors: Float32Array,
  dim: number,
  index: HnswIndex,
  opts: RecallOptions,
): RecallReport {
  const k = opts.k ?? 10;
  const ef = opts.ef ?? 64;
  const n = vectors.length / dim;
  let rows: Int32Array | null = null;
  let qv: Float32Array;
  if (typeof opts.queries === 'number') {
    const rng = new Random(opts.seed ?? 1, 9);
    const count = Math.min(opts.queries, n);
    // A partial Fisher–Yates shuffle: distinct rows.
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(n - i);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    rows = perm.slice(0, count);
    qv = new Float32Array(count * dim);
    for (let i = 0; i < count; i++)
      qv.set(vectors.subarray(rows[i]! * dim, rows[i]! * dim + dim), i * dim);
  } else {
    qv = opts.queries;
  }
  const nq = qv.length / dim;
  const exactMs = new Float64Array(nq);
  const annMs = new Float64Array(nq);
  let hits = 0;
  let wanted = 0;
  const found = new Set<number>();
  // Warm up (the first calls run before the JIT has compiled the loops); not timed.
  for (let i = 0; i < Math.min(nq, 20); i++) {
    const q = qv.subarray(i * dim, (i + 1) * dim);
    exactTopK(vectors, dim, q, k);
    hnswSearch(index, q, k, ef);
  }
  for (let i = 0; i < nq; i++) {
    const q = qv.subarray(i * dim, (i + 1) * dim);
    const self = rows ? rows[i]! : -1;
    const skip = self >= 0 ? (r: number) => r === self : undefined;
    let t = performance.now();
    const exact = exactTopK(vectors, dim, q, k, skip);
    exactMs[i] = performance.now() - t;
    t = performance.now();
    const approx = hnswSearch(index, q, k, ef, skip);
    annMs[i] = performance.now() - t;
    found.clear();
    for (const r of approx.index) found.add(r);
    for (const r of exact.index) if (found.has(r)) hits++;
    wanted += exact.index.length;
  }
  return {
    recall: wanted ? hits / wanted : 1,
    k,
    ef,
    queries: nq,
    exactQueryMs: mean(exactMs),
    exactQueryP95Ms: quantile(exactMs, 0.95),
    annQueryMs: mean(annMs),
    annQueryP95Ms: quantile(annMs, 0.95),
  };
}

function mean(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x;
  return a.length ? s / a.length : 0;
}

function quantile(a: Float64Array, p: number): number {
  if (a.length === 0) return 0;
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
