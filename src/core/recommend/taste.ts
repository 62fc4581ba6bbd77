/**
 * Your taste, as the Your Taste page and the dataset-user view draw it: how
 * much you like each genre, how that moved as your ratings came in, and where
 * you sit on the movie map.
 */
import { exactTopK } from '../embeddings/topk.ts';
import { LIKED } from './profile.ts';

/** One rating with what the taste views read of its movie. */
export interface TasteEntry {
  rating: number;
  /** Any increasing time (ms or s). */
  at: number;
  genres: readonly string[];
}

export interface GenreTaste {
  genre: string;
  rated: number;
  liked: number;
  /** Your average rating of the genre's movies. */
  average: number;
}

/** Per genre: how many you rated and liked, and your average; most liked first (ties: more rated, then name). */
export function genreTaste(entries: readonly TasteEntry[]): GenreTaste[] {
  const by = new Map<string, { rated: number; liked: number; sum: number }>();
  for (const e of entries)
    for (const g of e.genres) {
      const t = by.get(g) ?? { rated: 0, liked: 0, sum: 0 };
      t.rated++;
      t.sum += e.rating;
      if (e.rating >= LIKED) t.liked++;
      by.set(g, t);
    }
  return [...by]
    .map(([genre, t]) => ({ genre, rated: t.rated, liked: t.liked, average: t.sum / t.rated }))
    .sort(
      (a, b) =>
        b.liked - a.liked ||
        b.rated - a.rated ||
        (a.genre < b.genre ? -1 : a.genre > b.genre ? 1 : 0),
    );
}

export interface TasteSlice {
  /** Time of the slice's first and last rating. */
  from: number;
  to: number;
  /** Ratings in the slice. */
  rated: number;
  /** Liked movies per genre of `genres` (the timeline's genre order); the last entry counts every other genre. */
  liked: number[];
}

export interface TasteTimeline {
  /** The most liked genres overall, at most `top`; "Other" stands for the rest. */
  genres: string[];
  slices: TasteSlice[];
}

/**
 * Your ratings in time order cut into at most `slices` runs of equal size,
 * with the liked movies of each run counted per genre (a movie counts once
 * for each of its genres): how your taste moved as you rated.
 */
export function tasteTimeline(entries: readonly TasteEntry[], slices = 6, top = 6): TasteTimeline {
  const genres = genreTaste(entries)
    .filter((g) => g.liked > 0)
    .slice(0, top)
    .map((g) => g.genre);
  const col = new Map(genres.map((g, i) => [g, i]));
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  const n = Math.min(slices, sorted.length);
  const out: TasteSlice[] = [];
  for (let s = 0; s < n; s++) {
    const part = sorted.slice(
      Math.floor((s * sorted.length) / n),
      Math.floor(((s + 1) * sorted.length) / n),
    );
    const liked = new Array<number>(genres.length + 1).fill(0);
    for (const e of part) {
      if (e.rating < LIKED) continue;
      for (const g of e.genres) liked[col.get(g) ?? genres.length]!++;
    }
    out.push({ from: part[0]!.at, to: part[part.length - 1]!.at, rated: part.length, liked });
  }
  return { genres, slices: out };
}

/**
 * Where a taste vector sits on the movie map: the mean map position of the
 * `k` movies nearest to it in the embedding (as UMAP places a new point
 * among its neighbours). `vectors` are unit rows, `map` two numbers a row.
 */
export function mapPosition(
  vectors: Float32Array,
  dim: number,
  map: Float32Array,
  taste: Float32Array,
  k = 10,
): [number, number] | null {
  const top = exactTopK(vectors, dim, taste, k);
  if (top.index.length === 0) return null;
  let x = 0;
  let y = 0;
  for (const r of top.index) {
    x += map[2 * r]!;
    y += map[2 * r + 1]!;
  }
  return [x / top.index.length, y / top.index.length];
}

/** The unit-length mean of the rows of `rows` (liked movies' vectors); null without any. */
export function meanDirection(
  vectors: Float32Array,
  dim: number,
  rows: readonly number[],
): Float32Array | null {
  if (rows.length === 0) return null;
  const v = new Float64Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) v[j]! += vectors[r * dim + j]!;
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm < 1e-12) return null;
  const s = 1 / Math.sqrt(norm);
  return Float32Array.from(v, (x) => x * s);
}
