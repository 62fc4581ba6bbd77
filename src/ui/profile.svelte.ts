/**
 * Your profile on the page: ratings, "not interested" and the watchlist
 * (stored in their own database, ProfileDb), and the For You list the
 * recommendations worker keeps in step with them. A rating is written to
 * IndexedDB and sent to the worker as one change; the time from the click to
 * the new list is measured and shown.
 */
import type { Movie } from '../core/data/types.ts';
import { WrenError } from '../core/errors.ts';
import { DEFAULT_PIPELINE } from '../core/recommend/pipeline.ts';
import {
  readProfileFile,
  serializeProfile,
  type ProfileFileLike,
} from '../core/recommend/profile-file.ts';
import {
  emptyProfile,
  idFamily,
  titleKey,
  type Profile,
  type ProfileMark,
  type ProfileRating,
  type ProfileMovie,
} from '../core/recommend/profile.ts';
import {
  ProfileDb,
  chosenEmbedding,
  deleteEverything,
  listModels,
  loadProfile,
  mergeProfile,
  restoreProfileIfLost,
  rateMovie,
  replaceProfile,
  setMark,
  unrateMovie,
  type DatasetRow,
  type MarkKind,
} from '../store/index.ts';
import type {
  DatasetUserView,
  ForYouOptions,
  ForYouResult,
  MovieForYou,
  ProfileChange,
  YourHistory,
} from '../../workers/recommend-protocol.ts';
import {
  changeForYou,
  configureForYou,
  datasetUser,
  explainMovie,
  openForYou,
  yourHistory,
} from './lib/recommender.ts';
import { OPTIONS_KEY, readOptions } from './lib/for-you.ts';
import { announceWipe, waitForImports } from './lib/wipe.ts';
import { app, db } from './state.svelte.ts';

export const profileDb = new ProfileDb();

function storedOptions(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(OPTIONS_KEY);
  } catch {
    return null;
  }
}

/** How many liked movies onboarding asks for. */
export const WANTED = 5;

const idKey = (m: ProfileMovie): string => `${m.ids}:${m.movieId}`;

/** Finds your entry for a movie: by id in the same id family, else by title. */
class Lookup<T extends ProfileMovie & { at: number }> {
  private byId = new Map<string, T>();
  private byTitle = new Map<string, T>();
  constructor(list: readonly T[]) {
    for (const x of list) {
      this.byId.set(idKey(x), x);
      this.byTitle.set(titleKey(x.title), x);
    }
  }
  get(m: ProfileMovie): T | undefined {
    return this.byId.get(idKey(m)) ?? this.byTitle.get(titleKey(m.title));
  }
}

class ProfileState {
  profile = $state.raw<Profile>(emptyProfile());
  loaded = $state(false);
  forYou = $state.raw<ForYouResult | null>(null);
  /** The dataset the list is for. */
  forYouDataset = $state<string | null>(null);
  error = $state<string | null>(null);
  options = $state.raw<ForYouOptions>(
    readOptions(storedOptions(), {
      k: DEFAULT_PIPELINE.k,
      diversity: DEFAULT_PIPELINE.diversity,
      freshness: DEFAULT_PIPELINE.freshness,
      sizes: DEFAULT_PIPELINE.sizes,
      minRatings: DEFAULT_PIPELINE.minRatings,
    }),
  );
  /** Milliseconds from your last rating to the new list on screen. */
  lastUpdateMs = $state<number | null>(null);
  private ratings = $state.raw(new Lookup<ProfileRating>([]));
  private marks = $state.raw<Record<MarkKind, Lookup<ProfileMark>>>({
    'not-interested': new Lookup([]),
    watchlist: new Lookup([]),
  });
  private opening: Promise<void> | null = null;
  /** Counts opens: a rating whose write outlived an open must open again (the new session missed it). */
  private opened = 0;
  /** What the open list was built from besides your profile (see sourcesOf). */
  private sources: string | null = null;

  /** The chosen embedding and the stored models of a dataset, as one key. */
  private async sourcesOf(ds: DatasetRow): Promise<string> {
    const [emb, models] = await Promise.all([chosenEmbedding(db, ds.id), listModels(db, ds.id)]);
    return [emb?.id ?? '', ...models.map((m) => m.id)].join('|');
  }

  private initing: Promise<void> | null = null;

  /** Entries restored from the profile's copy at start-up (the database was found empty). */
  restored = $state(0);

  /**
   * Reads the profile (once; later calls wait for the same read). An empty
   * profile database with a non-empty copy (a browser that wiped IndexedDB)
   * is restored from the copy first.
   */
  init(): Promise<void> {
    this.initing ??= this.restore()
      .then(() => loadProfile(profileDb))
      .then(
        (p) => {
          this.set(p);
          this.loaded = true;
        },
        (e: unknown) => {
          this.error = `Could not read your profile: ${WrenError.from(e).message}`;
          this.loaded = true;
        },
      );
    return this.initing;
  }

  private async restore(): Promise<void> {
    try {
      this.restored = await restoreProfileIfLost(profileDb);
      if (this.restored > 0)
        console.info(`Wren: restored ${this.restored} profile entries from their copy.`);
    } catch (e) {
      console.warn('Wren: could not restore your profile from its copy:', e);
    }
  }

  private set(p: Profile): void {
    this.profile = p;
    this.ratings = new Lookup(p.ratings);
    this.marks = {
      'not-interested': new Lookup(p.notInterested),
      watchlist: new Lookup(p.watchlist),
    };
  }

  private reload = async (): Promise<void> => this.set(await loadProfile(profileDb));

  /** The profile name of a dataset's movie. */
  movieOf(ds: DatasetRow, m: Movie): ProfileMovie {
    return { movieId: m.movieId, title: m.title, ids: idFamily(ds.format) };
  }

  ratingOf(ds: DatasetRow, m: Movie): number | null {
    return this.ratings.get(this.movieOf(ds, m))?.rating ?? null;
  }

  marked(kind: MarkKind, ds: DatasetRow, m: Movie): boolean {
    return this.marks[kind].get(this.movieOf(ds, m)) !== undefined;
  }

  /** Liked movies (3.5 stars and up) in the profile, any dataset. */
  get liked(): number {
    return this.profile.ratings.filter((r) => r.rating >= 3.5).length;
  }

  /** Opens (or re-opens) the For You list for a dataset. */
  async open(ds: DatasetRow, force = false): Promise<void> {
    // A new embedding or model since the last open: the worker must read them (e.g. after the Lab).
    const sources = await this.sourcesOf(ds).catch(() => null);
    if (!force && this.forYouDataset === ds.id && this.opening && sources === this.sources)
      return this.opening;
    this.sources = sources;
    this.forYouDataset = ds.id;
    const sent = this.profile;
    this.opened++;
    this.opening = openForYou(ds.id, $state.snapshot(sent) as Profile, this.options).then(
      (r) => {
        if (this.forYouDataset !== ds.id) return;
        // A rating written while the worker was opening may have gone to the old session: open again.
        if (this.profile !== sent) return this.open(ds, true);
        this.forYou = r;
        this.error = null;
      },
      (e: unknown) => {
        this.error = WrenError.from(e).message;
      },
    );
    return this.opening;
  }

  private async apply(ds: DatasetRow, change: ProfileChange, t0: number): Promise<void> {
    if (this.forYouDataset !== ds.id) return this.open(ds);
    try {
      this.forYou = await changeForYou(change);
      this.lastUpdateMs = performance.now() - t0;
      this.error = null;
    } catch (e) {
      this.error = WrenError.from(e).message;
    }
  }

  /**
   * Your rating of a movie (null takes it back). The profile write starts
   * first, so a tab closed right after still keeps the rating; the new list
   * does not wait for it. A failed write (a full disk) takes the list's
   * change back and says why: nothing half-done.
   */
  async rate(ds: DatasetRow, m: Movie, rating: number | null): Promise<void> {
    const t0 = performance.now();
    const movie = this.movieOf(ds, m);
    const at = Date.now();
    const before = this.ratings.get(movie);
    const writing = this.write(() =>
      rating === null ? unrateMovie(profileDb, movie) : rateMovie(profileDb, movie, rating, at),
    );
    const change: ProfileChange =
      rating === null
        ? { kind: 'unrate', movie: m.index }
        : { kind: 'rate', movie: m.index, rating, at };
    // The list follows at once only when this dataset's list is open; opening it reads the written profile.
    const opened = this.opened;
    const listed = this.forYouDataset === ds.id ? this.apply(ds, change, t0) : null;
    const written = await writing;
    if (written) {
      if (!listed) return this.apply(ds, change, t0);
      await listed;
      // An open (e.g. the automatic build's) started meanwhile read the profile before this write.
      if (this.opened !== opened) await this.open(ds, true);
      return;
    }
    if (!listed) return;
    await listed;
    const why = this.error;
    const undo: ProfileChange = before
      ? { kind: 'rate', movie: m.index, rating: before.rating, at: before.at }
      : { kind: 'unrate', movie: m.index };
    await this.apply(ds, undo, performance.now());
    this.error = why;
  }

  async mark(ds: DatasetRow, kind: MarkKind, m: Movie, on: boolean): Promise<void> {
    const t0 = performance.now();
    if (!(await this.write(() => setMark(profileDb, kind, this.movieOf(ds, m), on)))) return;
    if (kind === 'not-interested')
      await this.apply(ds, { kind: 'not-interested', movie: m.index, on }, t0);
  }

  /** One profile write, then the profile read back; false (with the reason shown) when it failed. */
  private async write(run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      await this.reload();
      return true;
    } catch (e) {
      this.error = `Your profile was not changed: ${WrenError.from(e).message}`;
      return false;
    }
  }

  /** Opens the dataset for recommendations if it is not open yet (reading the profile first). */
  private async ready(ds: DatasetRow): Promise<void> {
    await this.init();
    await this.open(ds);
    if (this.error && !this.forYou) throw new WrenError('not-found', this.error);
  }

  /** A movie as it concerns you: predicted rating, your nearest rated movies, "because you liked". */
  async explain(ds: DatasetRow, movie: number): Promise<MovieForYou> {
    await this.ready(ds);
    return explainMovie(movie);
  }

  /** Your ratings as matched to a dataset, oldest first. */
  async history(ds: DatasetRow): Promise<YourHistory> {
    await this.ready(ds);
    return yourHistory();
  }

  /** A dataset user through each channel and ranker. */
  async datasetUser(ds: DatasetRow, userId: number, k = 10): Promise<DatasetUserView> {
    await this.ready(ds);
    return datasetUser(userId, k);
  }

  async configure(options: Partial<ForYouOptions>): Promise<void> {
    this.options = { ...this.options, ...options };
    try {
      localStorage.setItem(OPTIONS_KEY, JSON.stringify(this.options));
    } catch {
      // Storage refused (private mode, full): the settings hold for this visit.
    }
    if (!this.forYouDataset) return;
    try {
      this.forYou = await configureForYou(this.options);
    } catch (e) {
      this.error = WrenError.from(e).message;
    }
  }

  exportFile(): string {
    return serializeProfile(this.profile);
  }

  /** Reads a profile file (its size checked before it is read); nothing changes when it is not valid. */
  async importFile(
    file: ProfileFileLike,
    mode: 'merge' | 'replace',
    ds: DatasetRow | null,
  ): Promise<number> {
    const incoming = await readProfileFile(file);
    await (mode === 'merge' ? mergeProfile : replaceProfile)(profileDb, incoming);
    await this.reload();
    if (ds) await this.open(ds, true);
    return incoming.ratings.length;
  }

  /** Deletes every dataset, model and your profile; the page reloads empty. */
  async deleteEverything(): Promise<void> {
    // Other tabs stop their imports first (and this tab its own); they hear again once it is done.
    announceWipe({ type: 'deleting' });
    app.cancelImport();
    await waitForImports();
    await deleteEverything(db, profileDb);
    announceWipe({ type: 'deleted' });
    location.hash = '#/';
    location.reload();
  }
}

export const you = new ProfileState();
