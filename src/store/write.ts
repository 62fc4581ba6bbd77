/**
 * Writing a parsed dataset atomically: rows go in under a new id with status
 * 'importing'; the status flips to 'ready' (and the dataset becomes active)
 * only when everything is in. On any failure the new rows are removed and the
 * previously active dataset is untouched.
 */
import type { Dataset, ProgressFn } from '../core/data/types.ts';
import { computeHomeLists } from '../core/data/home.ts';
import {
  STORAGE_FULL_MESSAGE,
  WrenError,
  isStorageFullError,
  throwIfAborted,
} from '../core/errors.ts';
import {
  genreKey,
  type DatasetRow,
  type MovieTagsRow,
  type RatingChunkRow,
  type UserColumnsRow,
  type WrenDb,
} from './db.ts';
import { deleteDataset } from './datasets.ts';

export const CHUNK_SIZE = 131_072;
const ROW_BATCH = 5_000;

export interface WriteOptions {
  source: string;
  /** performance.now() when the import began, so importSeconds covers parsing and saving. */
  startedAt?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Called with the new id before anything is written (e.g. to hold a lock). */
  onId?: (id: string) => void;
}

export function newDatasetId(): string {
  return `ds-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/**
 * True for the errors IndexedDB raises when the disk or the origin's quota is
 * full (every shape: see isStorageFullError). In the store an `AbortError`
 * is an aborted IndexedDB transaction, never a cancel (a cancel throws the
 * 'cancelled' WrenError), so it counts as a failed write.
 */
export function isQuotaError(e: unknown): boolean {
  return !(e instanceof WrenError) && isStorageFullError(e, true);
}

/** Writes `ds` under a new id and makes it the active dataset; returns the id. */
export async function writeDataset(db: WrenDb, ds: Dataset, opts: WriteOptions): Promise<string> {
  const id = newDatasetId();
  opts.onId?.(id);
  const { ratings } = ds;
  const n = ratings.user.length;
  const chunkCount = Math.ceil(n / CHUNK_SIZE);
  const rowTotal = ds.movies.length;
  const total = n + rowTotal;
  let done = 0;
  const report = (): void => opts.onProgress?.({ stage: 'store', done, total });

  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const t = ratings.timestamp[i]!;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const startedAt = opts.startedAt ?? performance.now();
  const hasDemographics = ds.users.some((u) => u.gender !== null || u.age !== null);
  const row: DatasetRow = {
    id,
    name: ds.name,
    format: ds.format,
    status: 'importing',
    createdAt: Date.now(),
    source: opts.source,
    counts: { ratings: n, users: ds.users.length, movies: ds.movies.length, tags: ds.tags.length },
    genres: ds.genres,
    minRating: ds.minRating,
    maxRating: ds.maxRating,
    skipped: ds.skipped,
    chunkSize: CHUNK_SIZE,
    chunkCount,
    hasDemographics,
    firstRating: n > 0 ? lo : 0,
    lastRating: hi,
    home: computeHomeLists(ds),
    importSeconds: 0,
  };

  try {
    await db.datasets.add(row);
    report();
    for (let c = 0; c < chunkCount; c += 4) {
      throwIfAborted(opts.signal);
      const rows: RatingChunkRow[] = [];
      for (let k = c; k < Math.min(chunkCount, c + 4); k++) {
        const a = k * CHUNK_SIZE;
        const b = Math.min(n, a + CHUNK_SIZE);
        // slice() copies, so each stored chunk owns exactly its bytes.
        rows.push({
          datasetId: id,
          chunk: k,
          user: ratings.user.slice(a, b),
          movie: ratings.movie.slice(a, b),
          rating: ratings.rating.slice(a, b),
          timestamp: ratings.timestamp.slice(a, b),
        });
        done += b - a;
      }
      await stillHere(db, id, () => db.ratingChunks.bulkPut(rows));
      report();
    }
    const movieRows = ds.movies.map((m) => ({
      ...m,
      datasetId: id,
      genreKeys: m.genres.map((g) => genreKey(id, g)),
    }));
    await putInBatches(
      movieRows,
      (b) => stillHere(db, id, () => db.movies.bulkPut(b)),
      opts,
      (k) => ((done += k), report()),
    );
    await stillHere(db, id, () => db.users.put(userColumns(id, ds, hasDemographics)));
    await putInBatches(
      movieTags(id, ds),
      (b) => stillHere(db, id, () => db.tags.bulkPut(b)),
      opts,
      () => undefined,
    );
    const idMap = {
      datasetId: id,
      movieIds: Int32Array.from(ds.movies, (m) => m.movieId),
      userIds: Int32Array.from(ds.users, (u) => u.userId),
      userOffsets: ratings.userOffsets,
      titles: ds.movies.map((m) => m.title),
      ratingCounts: Int32Array.from(ds.movies, (m) => m.ratingCount),
    };
    await stillHere(db, id, () => db.idMaps.put(idMap));
    throwIfAborted(opts.signal);
    await db.transaction('rw', db.datasets, db.kv, async () => {
      // Deleted meanwhile (another tab): the active key must not point at nothing.
      await requireImporting(db, id);
      await db.datasets.update(id, {
        status: 'ready',
        importSeconds: (performance.now() - startedAt) / 1000,
      });
      await db.kv.put({ key: 'activeDatasetId', value: id });
    });
    done = total;
    report();
    return id;
  } catch (e) {
    await deleteDataset(db, id).catch(() => undefined);
    // A cancel that interrupted a write shows as an aborted transaction: still a cancel.
    if (opts.signal?.aborted) throw new WrenError('cancelled', 'Cancelled.');
    throw storageError(e);
  }
}

export const DELETED_DURING_IMPORT = 'The dataset was deleted while it was being imported.';

/** Throws 'not-found' unless the dataset row `id` is still there, importing. */
async function requireImporting(db: WrenDb, id: string): Promise<void> {
  if ((await db.datasets.get(id))?.status !== 'importing')
    throw new WrenError('not-found', DELETED_DURING_IMPORT);
}

/**
 * Runs one write of an import in a transaction that first checks the
 * dataset row is still there: rows are never written for a dataset deleted
 * meanwhile (by another tab), so nothing is left that belongs to no dataset.
 */
function stillHere(db: WrenDb, id: string, write: () => Promise<unknown>): Promise<unknown> {
  const tables = [db.datasets, db.ratingChunks, db.movies, db.users, db.tags, db.idMaps];
  return db.transaction('rw', tables, async () => {
    await requireImporting(db, id);
    await write();
  });
}

/** A failed write as a WrenError: 'quota' with the one "storage is full" message and what to free. */
export function storageError(e: unknown): WrenError {
  if (isQuotaError(e)) return new WrenError('quota', STORAGE_FULL_MESSAGE);
  return WrenError.from(e);
}

function userColumns(datasetId: string, ds: Dataset, demographics: boolean): UserColumnsRow {
  const u = ds.users;
  return {
    datasetId,
    userIds: Int32Array.from(u, (x) => x.userId),
    ratingCount: Int32Array.from(u, (x) => x.ratingCount),
    ratingAvg: Float32Array.from(u, (x) => x.ratingAvg),
    gender: demographics ? u.map((x) => x.gender) : null,
    age: demographics ? u.map((x) => x.age) : null,
    occupation: demographics ? u.map((x) => x.occupation) : null,
    zip: demographics ? u.map((x) => x.zip) : null,
  };
}

/** Tags grouped per movie, each distinct tag (case kept) with its count, most used first. */
export function movieTags(datasetId: string, ds: Dataset): MovieTagsRow[] {
  const byMovie = new Map<number, Map<string, number>>();
  for (const t of ds.tags) {
    let m = byMovie.get(t.movie);
    if (!m) byMovie.set(t.movie, (m = new Map()));
    m.set(t.tag, (m.get(t.tag) ?? 0) + 1);
  }
  return [...byMovie].map(([movie, m]) => ({
    datasetId,
    movie,
    tags: [...m]
      .map(([tag, count]) => ({ tag, count }))
      .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag)),
  }));
}

async function putInBatches<T>(
  rows: T[],
  put: (batch: T[]) => Promise<unknown>,
  opts: WriteOptions,
  advance: (k: number) => void,
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROW_BATCH) {
    throwIfAborted(opts.signal);
    const batch = rows.slice(i, i + ROW_BATCH);
    await put(batch);
    advance(batch.length);
  }
}
