/**
 * The Dexie database: the only place that knows the IndexedDB schema.
 * Schema versions are never edited once released: add version(n + 1) with an
 * upgrade function and a migration test.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { DatasetFormat, Movie, SkipReport, User } from '../core/data/types.ts';
import type { HomeLists } from '../core/data/home.ts';

export type { HomeLists };

export type DatasetStatus = 'importing' | 'ready';


export interface DatasetRow {
  id: string;
  name: string;
  format: DatasetFormat;
  status: DatasetStatus;
  createdAt: number;
  /** Where it came from: a file name, a URL or "generated". */
  source: string;
  counts: { ratings: number; users: number; movies: number; tags: number };
  genres: string[];
  minRating: number;
  maxRating: number;
  skipped: SkipReport;
  chunkSize: number;
  chunkCount: number;
  /** Ratings time span, Unix seconds. */
  firstRating: number;
  lastRating: number;
  /** Movie indexes precomputed at import so Home renders from one read. */
  home: HomeLists;
  importSeconds: number;
}

export interface MovieRow extends Movie {
  datasetId: string;
  /** `${datasetId}\u0001${genre}`: a multi-entry index scoped to the dataset. */
  genreKeys: string[];
}

export interface UserRow extends User {
  datasetId: string;
}

export interface TagRow {
  id?: number;
  datasetId: string;
  movie: number;
  user: number;
  userId: number;
  tag: string;
  timestamp: number;
}

/** One columnar chunk of ratings (sorted by user, then time). */
export interface RatingChunkRow {
  datasetId: string;
  chunk: number;
  user: Int32Array;
  movie: Int32Array;
  rating: Uint8Array;
  timestamp: Uint32Array;
}

/** Dense index ↔ MovieLens id maps, user offsets into the ratings, and titles for search. */
export interface IdMapRow {
  datasetId: string;
  movieIds: Int32Array;
  userIds: Int32Array;
  userOffsets: Int32Array;
  titles: string[];
  ratingCounts: Int32Array;
}

export interface KvRow {
  key: string;
  value: unknown;
}

export class WrenDb extends Dexie {
  datasets!: EntityTable<DatasetRow, 'id'>;
  movies!: Table<MovieRow, [string, number]>;
  users!: Table<UserRow, [string, number]>;
  tags!: EntityTable<TagRow, 'id'>;
  ratingChunks!: Table<RatingChunkRow, [string, number]>;
  idMaps!: EntityTable<IdMapRow, 'datasetId'>;
  kv!: EntityTable<KvRow, 'key'>;

  constructor(name = 'wren') {
    super(name);
    this.version(1).stores({
      datasets: 'id, status, createdAt',
      movies: '[datasetId+index], [datasetId+movieId], [datasetId+ratingCount], *genreKeys',
      users: '[datasetId+index], [datasetId+userId]',
      tags: '++id, datasetId, [datasetId+movie]',
      ratingChunks: '[datasetId+chunk]',
      idMaps: 'datasetId',
      kv: 'key',
    });
  }
}

export const genreKey = (datasetId: string, genre: string): string => `${datasetId}\u0001${genre}`;

/** All tables that hold rows of one dataset (for deletes). */
export function datasetTables(db: WrenDb): Table[] {
  return [db.movies, db.users, db.tags, db.ratingChunks, db.idMaps];
}
