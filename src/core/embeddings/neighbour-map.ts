/**
 * A 2-D map that keeps neighbours together, in the manner of UMAP and
 * LargeVis: start from the PCA layout, then pull every point towards its
 * nearest neighbours (by cosine in the original space) and push it away
 * from a few points drawn at random, with a learning rate that falls to
 * zero. The similarity in the map is the Cauchy kernel 1 / (1 + d²) (UMAP
 * with a = b = 1), which needs no `Math.pow` in the inner loop.
 */
import { throwIfAborted } from '../errors.ts';
import type { ProgressFn } from '../data/types.ts';
import { Random } from '../random.ts';
import { pca2d } from './projection.ts';
import { buildHnsw } from './hnsw.ts';
import { hnswSearch } from './hnsw-search.ts';
import { exactTopKBatch, normalizeRows } from './topk.ts';

export interface NeighbourMapOptions {
  /** Default 1. */
  seed?: number;
  /** Neighbours each point is pulled towards. Default 10. */
  neighbours?: number;
  /** Passes over the neighbour edges. Default 100 (more changed nothing measurable on clustered data). */
  epochs?: number;
  /** Random points each point is pushed from, per edge. Default 5. */
  negatives?: number;
  /** Starting layout (2 values a point; rescaled so the largest coordinate is 10); default the PCA layout. */
  init?: Float32Array;
  /**
   * Neighbours already found: row i's at `knn[i·neighbours …]`, -1 for none.
   * Default: exact cosine search up to `exactKnnRows` rows, HNSW above.
   */
  knn?: Int32Array;
  /** Largest row count whose neighbours are found by exact search (default `EXACT_KNN_ROWS`). */
  exactKnnRows?: number;
  signal?: AbortSignal;
  /** Told `{stage: 'neighbours'}` (rows) while searching, then `{stage: 'map'}` (epochs). */
  onProgress?: ProgressFn;
  /** Milliseconds of work between yields to the event loop. Default 100. */
  sliceMs?: number;
}

/** Above this many rows the neighbours come from an HNSW index (about 3× faster at 20k rows). */
export const EXACT_KNN_ROWS = 8000;
/** Layout coordinates are scaled so that the largest is this (UMAP's 10). */
const EXTENT = 10;
const CLIP = 4;

/** Returns the map as Float32Array(2n): point i at (out[2i], out[2i + 1]). Deterministic for a seed. */
export async function neighbourMap2d(
  vectors: Float32Array,
  dim: number,
  opts: NeighbourMapOptions = {},
): Promise<Float32Array> {
  const n = vectors.length / dim;
  const k = Math.min(opts.neighbours ?? 10, Math.max(0, n - 1));
  const epochs = opts.epochs ?? 100;
  const negatives = opts.negatives ?? 5;
  const sliceMs = opts.sliceMs ?? 100;
  const { signal, onProgress } = opts;
  let last = performance.now();
  const pause = async (): Promise<void> => {
    if (performance.now() - last < sliceMs) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    throwIfAborted(signal);
    last = performance.now();
  };
  throwIfAborted(signal);
  const y = Float32Array.from(opts.init ?? pca2d(vectors, dim, { seed: opts.seed ?? 1 }).coords);
  if (y.length !== 2 * n)
    throw new RangeError(`neighbourMap2d: init has ${y.length} values, not ${2 * n}`);
  let extent = 0;
  for (let i = 0; i < y.length; i++) extent = Math.max(extent, Math.abs(y[i]!));
  for (let i = 0; i < y.length; i++) y[i] = extent > 0 ? (y[i]! * EXTENT) / extent : 0;
  if (k === 0) return y;

  const knn =
    opts.knn ??
    (await nearest(
      vectors,
      dim,
      k,
      onProgress,
      pause,
      signal,
      opts.seed ?? 1,
      opts.exactKnnRows ?? EXACT_KNN_ROWS,
    ));
  const rng = new Random(opts.seed ?? 1, 17);
  let x = rng.uint32() | 1; // xorshift32 state for the negative draws
  for (let e = 0; e < epochs; e++) {
    const alpha = 1 - e / epochs;
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const j = knn[i * k + t]!;
        if (j < 0 || j === i) continue;
        // Attraction along the edge i–j moves both ends.
        let dx = y[2 * i]! - y[2 * j]!;
        let dy = y[2 * i + 1]! - y[2 * j + 1]!;
        let g = -2 / (1 + dx * dx + dy * dy);
        let gx = clip(g * dx) * alpha;
        let gy = clip(g * dy) * alpha;
        y[2 * i]! += gx;
        y[2 * i + 1]! += gy;
        y[2 * j]! -= gx;
        y[2 * j + 1]! -= gy;
        for (let s = 0; s < negatives; s++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          const r = (x >>> 0) % n;
          if (r === i) continue;
          dx = y[2 * i]! - y[2 * r]!;
          dy = y[2 * i + 1]! - y[2 * r + 1]!;
          const d2 = dx * dx + dy * dy;
          g = 2 / ((0.001 + d2) * (1 + d2));
          gx = clip(g * dx) * alpha;
          gy = clip(g * dy) * alpha;
          y[2 * i]! += gx;
          y[2 * i + 1]! += gy;
        }
      }
    }
    onProgress?.({ stage: 'map', done: e + 1, total: epochs });
    await pause();
  }
  throwIfAborted(signal);
  return y;
}

function clip(v: number): number {
  return v > CLIP ? CLIP : v < -CLIP ? -CLIP : v;
}

/**
 * Each row's k nearest other rows by cosine (exact, or by HNSW above
 * `exactRows` rows), in chunks so progress and cancel get through.
 */
async function nearest(
  vectors: Float32Array,
  dim: number,
  k: number,
  onProgress: ProgressFn | undefined,
  pause: () => Promise<void>,
  signal: AbortSignal | undefined,
  seed: number,
  exactRows: number,
): Promise<Int32Array> {
  const unit = normalizeRows(vectors, dim);
  const n = vectors.length / dim;
  const out = new Int32Array(n * k).fill(-1);
  if (n > exactRows) {
    const index = await buildHnsw(unit, dim, { M: 12, efConstruction: 64, seed, signal });
    for (let i = 0; i < n; i++) {
      const r = hnswSearch(index, unit.subarray(i * dim, (i + 1) * dim), k, 48, (j) => j === i);
      out.set(r.index, i * k);
      if ((i & 1023) === 1023 || i === n - 1) {
        onProgress?.({ stage: 'neighbours', done: i + 1, total: n });
        await pause();
      }
    }
    return out;
  }
  const CHUNK = 256;
  for (let q0 = 0; q0 < n; q0 += CHUNK) {
    const nq = Math.min(CHUNK, n - q0);
    const self = {
      offsets: Int32Array.from({ length: nq + 1 }, (_, i) => i),
      items: new Int32Array(nq),
    };
    for (let i = 0; i < nq; i++) self.items[i] = q0 + i;
    const r = exactTopKBatch(unit, dim, unit.subarray(q0 * dim, (q0 + nq) * dim), k, {
      perQuery: self,
    });
    out.set(r.index, q0 * k);
    onProgress?.({ stage: 'neighbours', done: q0 + nq, total: n });
    await pause();
  }
  return out;
}
