/**
 * App state: the open database, the active dataset, the dataset list, the
 * running import and caches for Home and search. Large data lives in
 * `$state.raw` (replaced, never mutated in place).
 */
import type { Progress } from '../core/data/types.ts';
import { movieRows } from './lib/movie-rows.ts';
import { afterFirstContent, contentShown } from './lib/startup.ts';
import { WrenError } from '../core/errors.ts';
import { buildSearchIndex, type SearchIndex } from '../core/search.ts';
import {
  WrenDb,
  cleanupAbandonedImports,
  cleanupFeatureChunks,
  cleanupOrphans,
  requestPersistence,
  deleteDataset,
  getActiveDataset,
  getIdMap,
  getMovies,
  listDatasets,
  setActiveDataset,
  type DatasetRow,
  type MovieRow,
} from '../store/index.ts';
import { importLockName, type ImportRequest, type ImportSummary } from '../../workers/protocol.ts';
import { startImport, type ImportJob } from './lib/importer.ts';
import { isLockHeld } from './lib/locks.ts';
import { onWipe } from './lib/wipe.ts';
import { featuresLockName } from '../../workers/embed-protocol.ts';
import { homeIndexes, orderGenres } from './lib/home.ts';
import { ProgressMeter, type ProgressView } from './lib/progress.ts';
import { ALL_GENRES, genreHref } from './lib/routes.ts';

/** The one database connection of the main thread. */
export const db = new WrenDb();

export type ImportStatus =
  | { state: 'idle' }
  | { state: 'running'; request: ImportRequest; view: ProgressView | null; cancelling: boolean }
  | { state: 'failed'; request: ImportRequest; error: WrenError }
  | { state: 'cancelled' }
  | { state: 'done'; summary: ImportSummary }
  /** "Delete everything" in another tab; `stopped`: an import of this tab was stopped by it. */
  | { state: 'deleted-elsewhere'; stopped: boolean };

export interface HomeRow {
  /** "top-rated", "most-rated" or "genre-<name>". */
  key: string;
  title: string;
  seeAll: string;
  movies: MovieRow[];
  /** Why each movie is in the row (For You), by movie index. */
  reasons?: Record<number, string>;
}

export interface SearchData {
  datasetId: string;
  index: SearchIndex;
  titles: string[];
}

class AppState {
  /** False until the first read of the database finished. */
  ready = $state(false);
  /** Set when the database cannot be opened at all. */
  fatal = $state<string | null>(null);
  dataset = $state.raw<DatasetRow | null>(null);
  datasets = $state.raw<DatasetRow[]>([]);
  importStatus = $state.raw<ImportStatus>({ state: 'idle' });
  home = $state.raw<{ datasetId: string; rows: HomeRow[] } | null>(null);
  search = $state.raw<SearchData | null>(null);

  private job: ImportJob | null = null;
  /** Set when another tab deletes everything: nothing this tab shows is stored any more. */
  private deletedElsewhere = false;

  constructor() {
    onWipe((m) => {
      if (m.type === 'deleting') {
        this.deletedElsewhere = true;
        // Stop the import now: it removes its own rows and lets go of its lock before the delete.
        if (this.job) this.job.cancel();
      }
      this.importStatus = {
        state: 'deleted-elsewhere',
        stopped:
          this.job !== null ||
          (this.importStatus.state === 'deleted-elsewhere' && this.importStatus.stopped),
      };
    });
  }
  private searchBuild: { datasetId: string; promise: Promise<SearchData | null> } | null = null;

  get importing(): boolean {
    return this.importStatus.state === 'running';
  }

  /**
   * Start-up: show the active dataset first and tidy up abandoned imports;
   * the scans for orphan rows and stray feature chunks wait until the first
   * page has shown its content and the page is idle (lib/startup.ts), as on a
   * large dataset they competed with Home's reads.
   */
  async init(): Promise<void> {
    try {
      this.dataset = await getActiveDataset(db);
    } catch (e) {
      this.fatal = `This browser did not let Wren open its storage (${errorText(e)}). Private windows sometimes block it.`;
    }
    this.ready = true;
    if (this.fatal) return;
    if (!this.dataset) contentShown();
    try {
      await cleanupAbandonedImports(db, (id) => isLockHeld(importLockName(id)));
    } catch (e) {
      console.warn('Wren: could not remove an abandoned import:', e);
    }
    await this.refreshDatasets();
    await afterFirstContent();
    try {
      // Rows of no dataset (a job that wrote after its dataset was deleted) and a dangling active key.
      const orphans = await cleanupOrphans(db);
      if (orphans.length > 0) console.info('Wren: removed rows of deleted datasets:', orphans);
      await cleanupFeatureChunks(db, (key) => isLockHeld(featuresLockName(key)));
    } catch (e) {
      console.warn('Wren: could not remove orphan rows:', e);
    }
  }

  async refreshDatasets(): Promise<void> {
    this.datasets = await listDatasets(db);
  }

  /** Makes dataset `id` the active one. */
  async activate(id: string): Promise<void> {
    await setActiveDataset(db, id);
    this.setDataset(await getActiveDataset(db));
  }

  /** Deletes dataset `id`; when it was the active one, the newest other becomes active. */
  async remove(id: string): Promise<void> {
    await deleteDataset(db, id);
    movieRows.drop(id);
    if (this.dataset?.id === id) this.setDataset(await getActiveDataset(db));
    await this.refreshDatasets();
  }

  private setDataset(ds: DatasetRow | null): void {
    if (ds?.id !== this.dataset?.id) {
      this.home = null;
      this.search = null;
      this.searchBuild = null;
    }
    this.dataset = ds;
  }

  /** Starts an import unless one is running. The active dataset stays until it succeeds. */
  runImport(request: ImportRequest): void {
    if (this.job) return;
    const meter = new ProgressMeter();
    let latest: Progress | null = null;
    let frame = 0;
    const paint = (): void => {
      frame = 0;
      const s = this.importStatus;
      if (s.state === 'running' && latest) {
        this.importStatus = { ...s, view: meter.update(latest, performance.now()) };
      }
    };
    this.importStatus = { state: 'running', request, view: null, cancelling: false };
    const job = startImport(request, (p) => {
      latest = p;
      // Progress may arrive faster than frames: show the latest once per frame.
      if (!frame) frame = requestAnimationFrame(paint);
    });
    this.job = job;
    job.done.then(
      async (summary) => {
        cancelAnimationFrame(frame);
        this.job = null;
        if (this.deletedElsewhere) return this.stoppedByDelete();
        this.setDataset(await getActiveDataset(db));
        await this.refreshDatasets();
        this.importStatus = { state: 'done', summary };
        // Ask once there is data worth keeping; browsers decide without a prompt or show one.
        void requestPersistence().catch(() => false);
      },
      async (e: unknown) => {
        cancelAnimationFrame(frame);
        this.job = null;
        if (this.deletedElsewhere) return this.stoppedByDelete();
        const error = WrenError.from(e);
        this.importStatus =
          error.code === 'cancelled' ? { state: 'cancelled' } : { state: 'failed', request, error };
        // A worker terminated mid-write leaves rows behind; its lock is gone, so clean them now.
        await cleanupAbandonedImports(db, (id) => isLockHeld(importLockName(id))).catch(() => []);
        // A full disk may have cost the active dataset (the error says so): show what is left.
        this.setDataset(await getActiveDataset(db).catch(() => null));
        await this.refreshDatasets();
      },
    );
  }

  /** An import ended after another tab deleted everything: say so, never "Imported". */
  private stoppedByDelete(): void {
    this.importStatus = { state: 'deleted-elsewhere', stopped: true };
    this.setDataset(null);
    this.datasets = [];
  }

  cancelImport(): void {
    const s = this.importStatus;
    if (!this.job || s.state !== 'running') return;
    this.importStatus = { ...s, cancelling: true };
    this.job.cancel();
  }

  dismissImport(): void {
    if (this.importStatus.state !== 'running') this.importStatus = { state: 'idle' };
  }

  /** The Home rows of the active dataset (one bulk read, cached). */
  async loadHome(ds: DatasetRow): Promise<HomeRow[]> {
    if (this.home?.datasetId === ds.id) return this.home.rows;
    const { topRated, mostRated, byGenre } = ds.home;
    const movies = await getMovies(db, ds.id, homeIndexes(ds.home));
    const byIndex = new Map(movies.map((m) => [m.index, m]));
    const pick = (list: number[]): MovieRow[] =>
      list.map((i) => byIndex.get(i)).filter((m): m is MovieRow => m !== undefined);
    const rows: HomeRow[] = [
      {
        key: 'top-rated',
        title: 'Top rated',
        seeAll: genreHref(ALL_GENRES, 'rating'),
        movies: pick(topRated),
      },
      {
        key: 'most-rated',
        title: 'Most rated',
        seeAll: genreHref(ALL_GENRES, 'count'),
        movies: pick(mostRated),
      },
    ];
    for (const g of orderGenres(ds.home)) {
      const list = pick(byGenre[g] ?? []);
      if (list.length > 0)
        rows.push({ key: `genre-${g}`, title: g, seeAll: genreHref(g), movies: list });
    }
    if (this.dataset?.id === ds.id) this.home = { datasetId: ds.id, rows };
    return rows;
  }

  /** Number of movies in each genre of `ds` (precomputed at import). */
  genreCounts(ds: DatasetRow): Promise<Map<string, number>> {
    return Promise.resolve(new Map(ds.genres.map((g) => [g, ds.home.genreSizes[g] ?? 0])));
  }

  /** Builds (once per dataset) and returns the title search index of the active dataset. */
  ensureSearch(): Promise<SearchData | null> {
    const ds = this.dataset;
    if (!ds) return Promise.resolve(null);
    if (this.search?.datasetId === ds.id) return Promise.resolve(this.search);
    if (this.searchBuild?.datasetId === ds.id) return this.searchBuild.promise;
    const promise = getIdMap(db, ds.id).then((map) => {
      if (!map) return null;
      const data = {
        datasetId: ds.id,
        index: buildSearchIndex(map.titles, map.ratingCounts),
        titles: map.titles,
      };
      if (this.dataset?.id === ds.id) this.search = data;
      return data;
    });
    this.searchBuild = { datasetId: ds.id, promise };
    return promise;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export const app = new AppState();
