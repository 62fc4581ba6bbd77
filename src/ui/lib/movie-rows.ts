/**
 * Movie rows by index, kept for the session per dataset, so a list that
 * changes on every rating (For You) reads IndexedDB only for the movies it
 * has not shown before. Rows never change while a dataset exists; a deleted
 * dataset's rows go when its id is dropped (or the page reloads).
 */
import { getMovies, type MovieRow, type WrenDb } from '../../store/index.ts';

const MAX = 5_000;

export class MovieRowCache {
  private rows = new Map<string, Map<number, MovieRow>>();

  constructor(private readonly read: typeof getMovies = getMovies) {}

  /** The rows of `indexes` that exist, in the order asked. */
  async get(db: WrenDb, datasetId: string, indexes: readonly number[]): Promise<MovieRow[]> {
    let known = this.rows.get(datasetId);
    if (!known) this.rows.set(datasetId, (known = new Map()));
    const missing = indexes.filter((i) => !known.has(i));
    if (missing.length > 0) {
      if (known.size + missing.length > MAX) known.clear();
      for (const m of await this.read(db, datasetId, missing)) known.set(m.index, m);
    }
    return indexes.flatMap((i) => {
      const m = known.get(i);
      return m ? [m] : [];
    });
  }

  drop(datasetId: string): void {
    this.rows.delete(datasetId);
  }
}

export const movieRows = new MovieRowCache();
