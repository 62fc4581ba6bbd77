/**
 * Vectors trained elsewhere (gensim, Spark, an earlier Wren export), read
 * from word2vec text and evaluated exactly as a trained embedding is: the
 * same next-item split, candidates, popularity baseline, genre coherence,
 * HNSW index and 2-D map.
 */
import { throwIfAborted } from '../errors.ts';
import { nextItemSplit } from '../eval/next-item.ts';
import type { HnswIndex } from './ann.ts';
import {
  DEFAULT_EMBED_SETTINGS,
  evaluateEmbedding,
  type EmbedInput,
  type EmbedMetrics,
  type EmbedProgress,
} from './embed.ts';
import type { Word2vecVectors } from './word2vec-text.ts';

/** Where imported vectors came from and how they matched the dataset. */
export interface VectorsSource {
  /** The file's name. */
  file: string;
  /** Vectors in the file. */
  fileVectors: number;
  /** Vectors whose id is not a movie of the dataset: skipped. */
  unknownIds: number;
  /** Movies of the dataset without a vector: never candidates, as a trained embedding's unseen movies. */
  missing: number;
}

export interface ImportedEmbedding {
  source: VectorsSource;
  dim: number;
  /** Movie index of each row, ascending. */
  items: Int32Array;
  /** Unit-length rows. */
  vectors: Float32Array;
  map: Float32Array;
  hnsw: HnswIndex;
  metrics: EmbedMetrics;
  /** Seed of the evaluation's samples (genre coherence queries, index, map). */
  seed: number;
  seconds: number;
}

/**
 * Unit-length copies of the rows. A row already of unit length as float32
 * allows (within 1e-6, as every row Wren stores) is kept bit for bit, so an
 * exported embedding comes back exactly as it was; normalising it again
 * could move its last bits.
 */
export function unitRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let o = 0; o < vectors.length; o += dim) {
    let n = 0;
    for (let k = 0; k < dim; k++) n += vectors[o + k]! * vectors[o + k]!;
    if (Math.abs(n - 1) <= 1e-6) {
      out.set(vectors.subarray(o, o + dim), o);
      continue;
    }
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let k = 0; k < dim; k++) out[o + k] = vectors[o + k]! * inv;
  }
  return out;
}

/** Evaluates vectors read from a file on the dataset, as trainEmbedding evaluates its own. */
export async function evaluateImported(
  input: EmbedInput,
  read: Word2vecVectors,
  opts: {
    file: string;
    seed?: number;
    signal?: AbortSignal;
    onProgress?: (p: EmbedProgress) => void;
  },
): Promise<ImportedEmbedding> {
  const t0 = performance.now();
  const seed = opts.seed ?? DEFAULT_EMBED_SETTINGS.seed;
  const { dim, items } = read;
  const rowOf = new Int32Array(input.movieCount).fill(-1);
  for (let r = 0; r < items.length; r++) rowOf[items[r]!] = r;
  const vectors = unitRows(read.vectors, dim);
  const split = nextItemSplit(input.ratings);
  throwIfAborted(opts.signal);
  const { metrics, hnsw, map } = await evaluateEmbedding(
    input,
    split,
    { items, rowOf, vectors, dim },
    { seed, signal: opts.signal, onProgress: opts.onProgress },
  );
  return {
    source: {
      file: opts.file,
      fileVectors: read.fileVectors,
      unknownIds: read.unknownIds,
      missing: read.missing,
    },
    dim,
    items,
    vectors,
    map,
    hnsw,
    metrics,
    seed,
    seconds: (performance.now() - t0) / 1000,
  };
}
