/**
 * Similar movies from a stored embedding: a small module-level cache of
 * loaded vectors (keyed by embedding id, so moving between movie pages reads
 * IndexedDB once) and the exact cosine top-k on the main thread (unit rows:
 * 62k × 64 takes a few ms).
 */
import { exactTopK } from '../../core/embeddings/topk.ts';
import { movieVectors } from '../../core/recommend/user-state.ts';
import type { EmbeddingDataRow } from '../../store/db.ts';

/** An embedding's vectors with the movie index → row lookup. */
export interface LoadedEmbedding {
  id: string;
  dim: number;
  items: Int32Array;
  vectors: Float32Array;
  map: Float32Array;
  /** Row of each movie index, -1 for movies without a vector. */
  rowOf: Int32Array;
}

export interface Neighbour {
  /** Movie index. */
  index: number;
  /** Cosine similarity. */
  score: number;
}

/** Wraps a stored data row for queries. */
export function loadedEmbedding(row: EmbeddingDataRow): LoadedEmbedding {
  return { id: row.id, map: row.map, ...movieVectors(row.items, row.vectors) };
}

/** Whether movie `index` has a vector. */
export const hasVector = (e: LoadedEmbedding, index: number): boolean =>
  index >= 0 && index < e.rowOf.length && e.rowOf[index]! >= 0;

/**
 * The `k` movies most similar to movie `index` by cosine, best first, the
 * movie itself left out; null when the movie has no vector.
 */
export function similarMovies(e: LoadedEmbedding, index: number, k: number): Neighbour[] | null {
  if (!hasVector(e, index) || e.dim === 0) return null;
  const row = e.rowOf[index]!;
  const query = e.vectors.subarray(row * e.dim, (row + 1) * e.dim);
  const top = exactTopK(e.vectors, e.dim, query, k, (r) => r === row);
  return Array.from(top.index, (r, i) => ({ index: e.items[r]!, score: top.score[i]! }));
}

/** Movies with fewer ratings than this are never shown as similar: their vectors rest on too little. */
export const MIN_SIMILAR_RATINGS = 10;

/**
 * The `k` movies most similar to movie `index` that have at least
 * `minRatings` ratings, best first, with their rows; null when the movie has
 * no vector. `rows` reads movie rows by index (they carry `ratingCount`); the
 * search asks for a few times `k` neighbours and widens until `k` are kept or
 * every movie has been looked at. The movie itself may be rare: only its
 * neighbours are filtered.
 */
export async function wellRatedSimilar<M extends { index: number; ratingCount: number }>(
  e: LoadedEmbedding,
  index: number,
  k: number,
  rows: (indexes: number[]) => Promise<M[]>,
  minRatings = MIN_SIMILAR_RATINGS,
): Promise<{ movie: M; score: number }[] | null> {
  const all = e.items.length - 1;
  let ask = Math.min(all, k * 3);
  const byIndex = new Map<number, M>();
  for (;;) {
    const near = similarMovies(e, index, ask);
    if (!near) return null;
    const missing = near.map((n) => n.index).filter((i) => !byIndex.has(i));
    if (missing.length > 0) for (const m of await rows(missing)) byIndex.set(m.index, m);
    const kept = near.flatMap((n) => {
      const movie = byIndex.get(n.index);
      return movie && movie.ratingCount >= minRatings ? [{ movie, score: n.score }] : [];
    });
    if (kept.length >= k || ask >= all) return kept.slice(0, k);
    ask = Math.min(all, ask * 4);
  }
}

/** A cosine score as shown: two decimals ("0.83"). */
export const formatScore = (s: number): string => s.toFixed(2);

/**
 * Loaded embeddings by id. The promise is cached, so concurrent readers
 * share one read; a failed or empty read is not kept. Holds at most `max`
 * (the least recently used goes first: 62k × 64 floats are 16 MB).
 */
export class EmbeddingCache {
  private entries = new Map<string, Promise<LoadedEmbedding | null>>();

  constructor(private readonly max = 4) {}

  get(
    id: string,
    read: () => Promise<EmbeddingDataRow | undefined>,
  ): Promise<LoadedEmbedding | null> {
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const p = read().then(
      (row) => {
        if (!row) this.forget(id, p);
        return row ? loadedEmbedding(row) : null;
      },
      (e: unknown) => {
        this.forget(id, p);
        throw e;
      },
    );
    this.entries.set(id, p);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return p;
  }

  /** Drops one embedding (after a delete), or all. */
  forget(id?: string, only?: Promise<LoadedEmbedding | null>): void {
    if (id === undefined) this.entries.clear();
    else if (!only || this.entries.get(id) === only) this.entries.delete(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }
}

/** The app's one cache. */
export const embeddingCache = new EmbeddingCache();
