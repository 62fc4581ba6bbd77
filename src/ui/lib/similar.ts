/**
 * Similar movies from a stored embedding: the exact cosine top-k on the main
 * thread (unit rows: 62k × 16 takes about a millisecond), and what a movie
 * page needs kept in memory so that moving between movie pages reads
 * IndexedDB for the shown rows it has not seen only: loaded vectors (by
 * embedding id), the chosen embedding and each movie's rating count (by
 * dataset), and a small LRU of movie rows.
 */
import { exactTopK } from '../../core/embeddings/topk.ts';
import { movieVectors } from '../../core/recommend/user-state.ts';
import type { EmbeddingDataRow, EmbeddingRow } from '../../store/db.ts';

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
 * Rows of `e` whose movie has fewer than `minRatings` ratings (non-zero =
 * left out). `counts` is the rating count of each movie index; a movie past
 * its end counts as unrated.
 */
export function rareRows(e: LoadedEmbedding, counts: Int32Array, minRatings: number): Uint8Array {
  const mask = new Uint8Array(e.items.length);
  for (let r = 0; r < mask.length; r++) {
    const m = e.items[r]!;
    mask[r] = m >= 0 && m < counts.length && counts[m]! >= minRatings ? 0 : 1;
  }
  return mask;
}

/** rareRows per loaded embedding, for the last counts and minimum asked. */
const masks = new WeakMap<
  LoadedEmbedding,
  { counts: Int32Array; minRatings: number; mask: Uint8Array }
>();

/**
 * The `k` movies most similar to movie `index` that have at least
 * `minRatings` ratings, best first; null when the movie has no vector.
 * `counts` is the rating count of each movie index, so no movie row is read:
 * the rare movies are left out of one pass over the vectors (their mask is
 * kept per embedding), which returns fewer than `k` only when fewer
 * well-rated movies have vectors. The movie itself may be rare: only its
 * neighbours are filtered.
 */
export function wellRatedSimilar(
  e: LoadedEmbedding,
  index: number,
  k: number,
  counts: Int32Array,
  minRatings = MIN_SIMILAR_RATINGS,
): Neighbour[] | null {
  if (!hasVector(e, index) || e.dim === 0) return null;
  let m = masks.get(e);
  if (!m || m.counts !== counts || m.minRatings !== minRatings) {
    m = { counts, minRatings, mask: rareRows(e, counts, minRatings) };
    masks.set(e, m);
  }
  const mask = m.mask;
  const row = e.rowOf[index]!;
  const query = e.vectors.subarray(row * e.dim, (row + 1) * e.dim);
  const top = exactTopK(e.vectors, e.dim, query, k, (r) => r === row || mask[r] !== 0);
  return Array.from(top.index, (r, i) => ({ index: e.items[r]!, score: top.score[i]! }));
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

/**
 * Movie rows by (dataset, index), the `max` most recently used: the rows of
 * similar movies, so that moving between pages of one neighbourhood reads
 * nothing. Rows of a dataset never change while its id lives (a new import
 * is a new id).
 */
export class MovieRowCache<M extends { index: number }> {
  private rows = new Map<string, M>();

  constructor(private readonly max = 600) {}

  /**
   * The rows of `indexes` in the order asked (missing ones left out), the
   * ones not held read by one call of `read` (which may leave some out).
   */
  async get(
    datasetId: string,
    indexes: readonly number[],
    read: (indexes: number[]) => Promise<M[]>,
  ): Promise<M[]> {
    const key = (i: number): string => `${datasetId}\u0001${i}`;
    const missing = indexes.filter((i) => !this.rows.has(key(i)));
    const got = new Map<number, M>();
    if (missing.length > 0) for (const m of await read(missing)) got.set(m.index, m);
    const out: M[] = [];
    for (const i of indexes) {
      const k = key(i);
      const m = this.rows.get(k) ?? got.get(i);
      if (m === undefined) continue;
      this.rows.delete(k);
      this.rows.set(k, m);
      out.push(m);
    }
    for (const k of this.rows.keys()) {
      if (this.rows.size <= this.max) break;
      this.rows.delete(k);
    }
    return out;
  }

  /**
   * Reads the rows of `indexes` not held, and keeps them as the least
   * recently used (they never push out rows a page used), as many as fit.
   * Resolves to whether the cache is now full.
   */
  async warm(
    datasetId: string,
    indexes: readonly number[],
    read: (indexes: number[]) => Promise<M[]>,
  ): Promise<boolean> {
    const room = this.max - this.rows.size;
    const missing = indexes
      .filter((i) => !this.rows.has(`${datasetId}\u0001${i}`))
      .slice(0, Math.max(0, room));
    if (missing.length === 0) return room <= 0;
    const got = await read(missing);
    const held = [...this.rows];
    this.rows = new Map(got.map((m) => [`${datasetId}\u0001${m.index}`, m]));
    for (const [k, m] of held) {
      this.rows.delete(k);
      this.rows.set(k, m);
    }
    for (const k of this.rows.keys()) {
      if (this.rows.size <= this.max) break;
      this.rows.delete(k);
    }
    return this.rows.size >= this.max;
  }

  /** Drops every row. */
  clear(): void {
    this.rows.clear();
  }

  get size(): number {
    return this.rows.size;
  }
}

/** What SimilarFinder reads from the store. */
export interface SimilarReads<M extends { index: number }> {
  /** The embedding chosen for the dataset (chosenEmbedding). */
  chosen(datasetId: string): Promise<EmbeddingRow | undefined>;
  /** An embedding's vectors. */
  vectors(id: string): Promise<EmbeddingDataRow | undefined>;
  /** The rating count of each movie index of the dataset. */
  ratingCounts(datasetId: string): Promise<Int32Array | undefined>;
  /** Movie rows by index, in the order asked (missing ones left out). */
  movies(datasetId: string, indexes: number[]): Promise<M[]>;
}

export type SimilarResult<M> =
  | { s: 'none' }
  | { s: 'no-vector'; emb: EmbeddingRow }
  | {
      s: 'ready';
      emb: EmbeddingRow;
      items: { movie: M; score: number }[];
      /** The search alone (top-k with the rating filter), ms: no read. */
      searchMs: number;
    };

export interface SimilarFinderOptions {
  /** Movie rows held (LRU). */
  rowsMax?: number;
  /**
   * After a dataset's first list, the rows of its this many most-rated
   * listable movies are read in the background (most lists are made of
   * them), as far as the row cache has room; 0: none.
   */
  warmRows?: number;
  /** Rows read by each step of the warm-up (WARM_CHUNK). */
  warmChunk?: number;
  /** Runs the warm-up when the page is idle (requestIdleCallback); absent: no warm-up. */
  idle?: (task: () => void) => void;
  /** Told when a dataset's warm-up has read every row it meant to (or the cache is full). */
  onWarm?: (datasetId: string) => void;
}

/**
 * Similar movies for movie pages, with what they read kept in memory: the
 * chosen embedding per dataset (until `forgetChoice`: call it whenever the
 * choice may have changed, an embedding was stored or deleted), its vectors
 * (an EmbeddingCache), the rating counts per dataset and an LRU of movie
 * rows, warmed once per dataset with the most-rated movies' rows. Once a
 * dataset's first page has read these, a page reads only the rows it shows
 * that are not held (none on a page whose neighbours are all well known or
 * shown lately). Nothing is kept of a failed read, nor that a dataset has no
 * embedding.
 */
export class SimilarFinder<M extends { index: number }> {
  private chosen = new Map<string, Promise<EmbeddingRow | undefined>>();
  private counts = new Map<string, Promise<Int32Array | undefined>>();
  private warmed = new Set<string>();
  readonly rows: MovieRowCache<M>;
  private readonly warmRows: number;
  private readonly idle: ((task: () => void) => void) | undefined;
  private readonly onWarm: ((datasetId: string) => void) | undefined;
  private readonly warmChunk: number;

  constructor(
    private readonly reads: SimilarReads<M>,
    private readonly embeddings = new EmbeddingCache(),
    opts: SimilarFinderOptions = {},
  ) {
    this.rows = new MovieRowCache<M>(opts.rowsMax ?? 600);
    this.warmRows = opts.warmRows ?? 0;
    this.idle = opts.idle;
    this.onWarm = opts.onWarm;
    this.warmChunk = opts.warmChunk ?? WARM_CHUNK;
  }

  /** The `k` movies most similar to movie `index` with at least `minRatings` ratings, with their rows. */
  async find(
    datasetId: string,
    index: number,
    k: number,
    minRatings = MIN_SIMILAR_RATINGS,
  ): Promise<SimilarResult<M>> {
    const emb = await this.chosenOf(datasetId);
    if (!emb) return { s: 'none' };
    const [data, counts] = await Promise.all([
      this.embeddings.get(emb.id, () => this.reads.vectors(emb.id)),
      this.countsOf(datasetId),
    ]);
    if (!data) return { s: 'none' };
    const t0 = performance.now();
    const near = wellRatedSimilar(data, index, k, counts, minRatings);
    const searchMs = performance.now() - t0;
    if (!near) return { s: 'no-vector', emb };
    const movies = await this.rows.get(
      datasetId,
      near.map((n) => n.index),
      (ix) => this.reads.movies(datasetId, ix),
    );
    const byIndex = new Map(movies.map((m) => [m.index, m]));
    const items = near.flatMap((n) => {
      const movie = byIndex.get(n.index);
      return movie ? [{ movie, score: n.score }] : [];
    });
    this.warm(datasetId, data, counts, minRatings);
    return { s: 'ready', emb, items, searchMs };
  }

  /**
   * Once per dataset, when idle: the rows of the most-rated movies with at
   * least `minRatings`, `warmChunk` at a time (each read when the page is
   * idle again, so that a page's own read never waits behind a long one);
   * then a few searches, so that the engine has compiled the top-k loop
   * before a page waits on it (the first runs over 62k vectors took 20–100
   * ms), and `onWarm`.
   */
  private warm(
    datasetId: string,
    data: LoadedEmbedding,
    counts: Int32Array,
    minRatings: number,
  ): void {
    const idle = this.idle;
    if (!idle || this.warmRows <= 0 || this.warmed.has(datasetId)) return;
    this.warmed.add(datasetId);
    let ix: number[] | null = null;
    let at = 0;
    const done = (): void => {
      for (const i of (ix ?? []).slice(0, WARM_SEARCHES))
        wellRatedSimilar(data, i, 12, counts, minRatings);
      this.onWarm?.(datasetId);
    };
    const step = (): void => {
      if (!this.warmed.has(datasetId)) return;
      ix ??= mostRated(counts, minRatings, this.warmRows);
      const chunk = ix.slice(at, (at += this.warmChunk));
      if (chunk.length === 0) {
        done();
        return;
      }
      this.rows
        .warm(datasetId, chunk, (missing) => this.reads.movies(datasetId, missing))
        .then(
          (full) => {
            if (!full) idle(step);
            else idle(done);
          },
          () => this.warmed.delete(datasetId),
        );
    };
    idle(step);
  }

  /** Reads the chosen embedding again next time (the choice, or the embeddings stored, changed). */
  forgetChoice(): void {
    this.chosen.clear();
  }

  /** Drops everything held of datasets (e.g. after a dataset was deleted); vectors stay in their cache. */
  forgetDatasets(): void {
    this.chosen.clear();
    this.counts.clear();
    this.rows.clear();
    this.warmed.clear();
  }

  private chosenOf(datasetId: string): Promise<EmbeddingRow | undefined> {
    return cached(this.chosen, datasetId, () => this.reads.chosen(datasetId));
  }

  private async countsOf(datasetId: string): Promise<Int32Array> {
    const counts = await cached(this.counts, datasetId, () => this.reads.ratingCounts(datasetId));
    if (!counts)
      throw new Error('This dataset has no rating counts stored (an incomplete import).');
    return counts;
  }
}

/** Rows read by each step of SimilarFinder's warm-up. */
export const WARM_CHUNK = 250;
/** Searches run at the end of the warm-up (see SimilarFinder.warm). */
const WARM_SEARCHES = 20;

/** The (at most) `n` movie indexes with the most ratings, at least `minRatings`, most first. */
export function mostRated(counts: Int32Array, minRatings: number, n: number): number[] {
  const ix: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! >= minRatings) ix.push(i);
  ix.sort((a, b) => counts[b]! - counts[a]! || a - b);
  return ix.slice(0, n);
}

/**
 * `map`'s promise for `key`, or `read()`'s, kept while it is the entry: one
 * read for concurrent askers; an undefined result or a failure is not kept.
 */
function cached<T>(
  map: Map<string, Promise<T | undefined>>,
  key: string,
  read: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const hit = map.get(key);
  if (hit) return hit;
  const drop = (): void => {
    if (map.get(key) === p) map.delete(key);
  };
  const p = read().then(
    (v) => {
      if (v === undefined) drop();
      return v;
    },
    (e: unknown) => {
      drop();
      throw e;
    },
  );
  map.set(key, p);
  return p;
}
