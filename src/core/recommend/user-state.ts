/**
 * Your real-time features (the Flink role in SparrowRecSys): every rating
 * updates them at once — counts and average, likes and dislikes per genre,
 * the recent liked movies, and the user vector (the mean of the liked
 * movies' embedding vectors, as `userVectors` computes it for dataset users).
 * A re-rating first takes back what the old rating added, so the state after
 * any sequence of updates equals the state built from the final ratings.
 */
import { genresOf, type Catalog } from './catalog.ts';
import { LIKED, type HistoryEntry } from './profile.ts';

/** An embedding's vectors as the pipeline reads them (unit rows; `rowOf[movie]` or -1). */
export interface MovieVectors {
  dim: number;
  items: Int32Array;
  vectors: Float32Array;
  rowOf: Int32Array;
}

/** Movie index → vector row (-1 where a movie has none). */
export function rowIndex(items: Int32Array): Int32Array {
  let max = -1;
  for (let i = 0; i < items.length; i++) if (items[i]! > max) max = items[i]!;
  const rowOf = new Int32Array(max + 1).fill(-1);
  for (let r = 0; r < items.length; r++) rowOf[items[r]!] = r;
  return rowOf;
}

/** An embedding's stored rows as the pipeline reads them. */
export function movieVectors(items: Int32Array, vectors: Float32Array): MovieVectors {
  const n = items.length;
  return { dim: n > 0 ? vectors.length / n : 0, items, vectors, rowOf: rowIndex(items) };
}

export class UserState {
  /** Your current rating of each movie you rated. */
  readonly ratings = new Map<number, HistoryEntry>();
  /** Liked movies per genre, and disliked (below 3 stars) per genre. */
  readonly genreLikes: Float64Array;
  readonly genreDislikes: Float64Array;
  /** Bumped by every change, so rankers can cache what they derive from the state. */
  version = 0;
  private sum = 0;
  private vectorSum: Float64Array | null;
  private vectorCount = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly embedding: MovieVectors | null = null,
  ) {
    this.genreLikes = new Float64Array(catalog.genres.length);
    this.genreDislikes = new Float64Array(catalog.genres.length);
    this.vectorSum = embedding ? new Float64Array(embedding.dim) : null;
  }

  static from(
    catalog: Catalog,
    embedding: MovieVectors | null,
    history: readonly HistoryEntry[],
  ): UserState {
    const s = new UserState(catalog, embedding);
    for (const h of history) s.rate(h);
    return s;
  }

  get count(): number {
    return this.ratings.size;
  }

  get average(): number {
    return this.ratings.size ? this.sum / this.ratings.size : 0;
  }

  /** Adds or replaces a rating. */
  rate(entry: HistoryEntry): void {
    this.unrate(entry.movie);
    this.ratings.set(entry.movie, entry);
    this.apply(entry, 1);
  }

  /** Takes a rating back. */
  unrate(movie: number): void {
    const old = this.ratings.get(movie);
    if (!old) return;
    this.ratings.delete(movie);
    this.apply(old, -1);
  }

  private apply(e: HistoryEntry, sign: 1 | -1): void {
    this.version++;
    this.sum += sign * e.rating;
    const liked = e.rating >= LIKED;
    const disliked = e.rating < 3;
    for (const g of genresOf(this.catalog, e.movie)) {
      if (liked) this.genreLikes[g]! += sign;
      if (disliked) this.genreDislikes[g]! += sign;
    }
    const row = this.embedding ? (this.embedding.rowOf[e.movie] ?? -1) : -1;
    if (liked && row >= 0 && this.vectorSum) {
      const { dim, vectors } = this.embedding!;
      for (let k = 0; k < dim; k++) this.vectorSum[k]! += sign * vectors[row * dim + k]!;
      this.vectorCount += sign;
    }
  }

  /** Liked movies, most recent first (ties: the higher movie index first). */
  positives(limit = Infinity): number[] {
    const liked = [...this.ratings.values()].filter((e) => e.rating >= LIKED);
    liked.sort((a, b) => b.at - a.at || b.movie - a.movie);
    return liked.slice(0, limit).map((e) => e.movie);
  }

  /** Genres by net preference (likes − dislikes), best first; only those with more likes. */
  topGenres(limit = 3): { genre: number; weight: number }[] {
    const out: { genre: number; weight: number }[] = [];
    for (let g = 0; g < this.genreLikes.length; g++) {
      const w = this.genreLikes[g]! - this.genreDislikes[g]!;
      if (w > 0) out.push({ genre: g, weight: w });
    }
    return out.sort((a, b) => b.weight - a.weight || a.genre - b.genre).slice(0, limit);
  }

  /** The unit-length mean of your liked movies' vectors; null without any. */
  vector(): Float32Array | null {
    if (!this.vectorSum || this.vectorCount <= 0) return null;
    let norm = 0;
    for (const x of this.vectorSum) norm += x * x;
    if (norm < 1e-12) return null;
    const scale = 1 / Math.sqrt(norm);
    return Float32Array.from(this.vectorSum, (x) => x * scale);
  }

  /** Movie indexes you rated, oldest first (what history-based models read). */
  history(): HistoryEntry[] {
    return [...this.ratings.values()].sort((a, b) => a.at - b.at || a.movie - b.movie);
  }
}
