/** Reads for the UI and for workers: movies, genres, tags, users, ratings. */
import Dexie from 'dexie';
import type { RatingColumns } from '../core/data/types.ts';
import { genreKey, type IdMapRow, type MovieRow, type UserRow, type WrenDb } from './db.ts';

export function getMovie(db: WrenDb, datasetId: string, index: number): Promise<MovieRow | undefined> {
  return db.movies.get([datasetId, index]);
}

/** Movies by index, in the order asked (missing ones left out). */
export async function getMovies(db: WrenDb, datasetId: string, indexes: number[]): Promise<MovieRow[]> {
  const rows = await db.movies.bulkGet(indexes.map((i) => [datasetId, i] as [string, number]));
  return rows.filter((r): r is MovieRow => r !== undefined);
}

export function getMovieByMovieId(
  db: WrenDb,
  datasetId: string,
  movieId: number,
): Promise<MovieRow | undefined> {
  return db.movies.where('[datasetId+movieId]').equals([datasetId, movieId]).first();
}

export type MovieSort = 'count' | 'rating' | 'title' | 'year';

/** Every movie of a genre, sorted; the caller pages through the result. */
export async function moviesByGenre(
  db: WrenDb,
  datasetId: string,
  genre: string,
  sort: MovieSort = 'count',
): Promise<MovieRow[]> {
  const rows = await db.movies.where('genreKeys').equals(genreKey(datasetId, genre)).toArray();
  return sortMovies(rows, sort);
}

export function sortMovies(rows: MovieRow[], sort: MovieSort): MovieRow[] {
  const cmp: Record<MovieSort, (a: MovieRow, b: MovieRow) => number> = {
    count: (a, b) => b.ratingCount - a.ratingCount,
    rating: (a, b) => b.ratingAvg - a.ratingAvg || b.ratingCount - a.ratingCount,
    title: (a, b) => a.title.localeCompare(b.title),
    year: (a, b) => (b.year ?? 0) - (a.year ?? 0),
  };
  return rows.sort((a, b) => cmp[sort](a, b) || a.index - b.index);
}

/** Tags of a movie with how many users applied each, most used first. */
export async function tagsForMovie(
  db: WrenDb,
  datasetId: string,
  movie: number,
): Promise<{ tag: string; count: number }[]> {
  const rows = await db.tags.where('[datasetId+movie]').equals([datasetId, movie]).toArray();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.tag, (counts.get(r.tag) ?? 0) + 1);
  return [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count);
}

export function getUser(db: WrenDb, datasetId: string, index: number): Promise<UserRow | undefined> {
  return db.users.get([datasetId, index]);
}

/** Titles and id maps of a dataset (one row: used by search and by workers). */
export function getIdMap(db: WrenDb, datasetId: string): Promise<IdMapRow | undefined> {
  return db.idMaps.get(datasetId);
}

/** Reads every rating chunk back into one set of columns. */
export async function readRatings(db: WrenDb, datasetId: string): Promise<RatingColumns> {
  const [ds, map] = await Promise.all([db.datasets.get(datasetId), db.idMaps.get(datasetId)]);
  if (!ds || !map) throw new Error(`Dataset ${datasetId} not found.`);
  const n = ds.counts.ratings;
  const out: RatingColumns = {
    user: new Int32Array(n),
    movie: new Int32Array(n),
    rating: new Uint8Array(n),
    timestamp: new Uint32Array(n),
    userOffsets: map.userOffsets,
  };
  await db.ratingChunks
    .where('[datasetId+chunk]')
    .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
    .each((c) => {
      const at = c.chunk * ds.chunkSize;
      out.user.set(c.user, at);
      out.movie.set(c.movie, at);
      out.rating.set(c.rating, at);
      out.timestamp.set(c.timestamp, at);
    });
  return out;
}
