/**
 * Your profile in IndexedDB: ratings and marks in a database of their own
 * ('wren-profile'), so importing or deleting a dataset can never touch them.
 * Rows are keyed by id family and MovieLens id, so rating a movie again
 * replaces the rating. Every write is one transaction.
 */
import Dexie, { type Table } from 'dexie';
import { latestPerMovie } from '../core/recommend/profile-file.ts';
import {
  validRating,
  type IdFamily,
  type Profile,
  type ProfileMark,
  type ProfileMovie,
  type ProfileRating,
} from '../core/recommend/profile.ts';
import { WrenDb, stayClosedWhenDeleted } from './db.ts';
import { isQuotaError, storageError } from './write.ts';
import {
  profileEntries,
  readProfileCopy,
  saveProfileCopy,
  type KeyValueStorage,
} from './profile-copy.ts';

export type MarkKind = 'not-interested' | 'watchlist';

export interface MarkRow extends ProfileMark {
  kind: MarkKind;
}

export class ProfileDb extends Dexie {
  ratings!: Table<ProfileRating, [IdFamily, number]>;
  marks!: Table<MarkRow, [MarkKind, IdFamily, number]>;

  constructor(name = 'wren-profile') {
    super(name);
    this.version(1).stores({
      ratings: '[ids+movieId]',
      marks: '[kind+ids+movieId]',
    });
    stayClosedWhenDeleted(this);
  }
}

/** The whole profile, ratings and marks oldest first. */
export async function loadProfile(db: ProfileDb): Promise<Profile> {
  const [ratings, marks] = await db.transaction('r', db.ratings, db.marks, () =>
    Promise.all([db.ratings.toArray(), db.marks.toArray()]),
  );
  const byAt = (a: ProfileMark, b: ProfileMark): number => a.at - b.at;
  const ofKind = (kind: MarkKind): ProfileMark[] =>
    marks
      .filter((m) => m.kind === kind)
      .map(markOf)
      .sort(byAt);
  return {
    ratings: ratings.sort(byAt),
    notInterested: ofKind('not-interested'),
    watchlist: ofKind('watchlist'),
  };
}

/** Rates a movie (a new rating replaces the old); RangeError unless 0.5 … 5 in half steps. */
export async function rateMovie(
  db: ProfileDb,
  movie: ProfileMovie,
  rating: number,
  at = Date.now(),
): Promise<void> {
  const row = ratingRow({ ...movie, rating, at });
  await writing(db, () => db.ratings.put(row));
}

export async function unrateMovie(db: ProfileDb, movie: ProfileMovie): Promise<void> {
  await writing(db, () => db.ratings.delete([movie.ids, movie.movieId]));
}

/** Sets or clears a mark. Marks leave ratings alone: "not interested" hides, it does not unrate. */
export async function setMark(
  db: ProfileDb,
  kind: MarkKind,
  movie: ProfileMovie,
  on: boolean,
  at = Date.now(),
): Promise<void> {
  await writing(db, async () => {
    if (on) await db.marks.put({ kind, ...markOf({ ...movie, at }) });
    else await db.marks.delete([kind, movie.ids, movie.movieId]);
  });
}

/** Makes `profile` the whole profile (an import that replaces); all or nothing. */
export async function replaceProfile(db: ProfileDb, profile: Profile): Promise<void> {
  await writing(db, () =>
    db.transaction('rw', db.ratings, db.marks, async () => {
      await db.ratings.clear();
      await db.marks.clear();
      await db.ratings.bulkPut(latestPerMovie(profile.ratings).map(ratingRow));
      await db.marks.bulkPut(markRows(profile));
    }),
  );
}

/**
 * Adds `profile` to the stored one (an import that merges); all or nothing.
 * Per movie the entry with the later `at` wins, for ratings and for each kind
 * of mark. Nothing is removed: a file cannot say that a mark was cleared.
 */
export async function mergeProfile(db: ProfileDb, profile: Profile): Promise<void> {
  const ratings = latestPerMovie(profile.ratings).map(ratingRow);
  const marks = markRows(profile);
  await writing(db, () =>
    db.transaction('rw', db.ratings, db.marks, async () => {
      const oldRatings = await db.ratings.bulkGet(ratings.map((r) => [r.ids, r.movieId]));
      await db.ratings.bulkPut(ratings.filter((r, i) => newer(r, oldRatings[i])));
      const oldMarks = await db.marks.bulkGet(marks.map((m) => [m.kind, m.ids, m.movieId]));
      await db.marks.bulkPut(marks.filter((m, i) => newer(m, oldMarks[i])));
    }),
  );
}

/**
 * Deletes everything Wren stored on this device: the datasets database
 * ('wren', with its models and embeddings), the profile database and local
 * and session storage. The service worker's app shell cache is kept, so the
 * app still opens offline, empty. Pass the connections this page holds: they
 * are closed first, since an open connection holds a delete back until it
 * closes. They stay closed; reload the app to start afresh.
 */
export async function deleteEverything(...open: (WrenDb | ProfileDb)[]): Promise<void> {
  for (const db of open) db.close();
  await Dexie.delete(new WrenDb().name);
  await Dexie.delete(new ProfileDb().name);
  for (const name of ['localStorage', 'sessionStorage'] as const) {
    // Absent in node and workers; reading it throws where the browser blocks storage.
    try {
      (globalThis as Partial<Record<typeof name, KeyValueStorage>>)[name]?.clear();
    } catch {
      // Nothing stored there can be cleared either.
    }
  }
}

/** A rating as stored: the profile fields only, checked. */
function ratingRow(r: ProfileRating): ProfileRating {
  if (!validRating(r.rating))
    throw new RangeError(`Rating ${r.rating} is not 0.5–5 in half steps (${r.title}).`);
  return { ...markOf(r), rating: r.rating };
}

function markOf(m: ProfileMark): ProfileMark {
  return { movieId: m.movieId, title: m.title, ids: m.ids, at: m.at };
}

function markRows(profile: Profile): MarkRow[] {
  const rows = (kind: MarkKind, xs: ProfileMark[]): MarkRow[] =>
    latestPerMovie(xs).map((m) => ({ kind, ...markOf(m) }));
  return [
    ...rows('not-interested', profile.notInterested),
    ...rows('watchlist', profile.watchlist),
  ];
}

/** Whether an incoming entry beats the stored one (ties go to the incoming). */
const newer = (x: ProfileMark, old: ProfileMark | undefined): boolean => !old || x.at >= old.at;

/**
 * Runs a write, turning a full disk into the 'quota' WrenError with its
 * advice; after a write that went in, the copy outside IndexedDB is renewed.
 */
async function writing<T>(db: ProfileDb, write: () => Promise<T>): Promise<T> {
  let out: T;
  try {
    out = await write();
  } catch (e) {
    throw isQuotaError(e) ? storageError(e) : e;
  }
  await copyProfile(db);
  return out;
}

/** Renews the copy from what the database holds now (a failed read leaves the old copy). */
export async function copyProfile(db: ProfileDb): Promise<void> {
  try {
    saveProfileCopy(await loadProfile(db));
  } catch (e) {
    console.warn('Wren: could not read your profile to copy it:', e);
  }
}

/**
 * Restores the profile from its copy when the database is empty (a browser
 * that wiped IndexedDB, e.g. when the disk filled) and the copy is not.
 * Returns the number of entries restored (0 when nothing needed restoring).
 */
export async function restoreProfileIfLost(db: ProfileDb): Promise<number> {
  const stored = await loadProfile(db);
  if (profileEntries(stored) > 0) return 0;
  const copy = readProfileCopy();
  if (!copy || profileEntries(copy) === 0) return 0;
  await replaceProfile(db, copy);
  return profileEntries(copy);
}
