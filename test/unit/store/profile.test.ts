import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WrenError } from '../../../src/core/errors.ts';
import {
  emptyProfile,
  type Profile,
  type ProfileMovie,
  type ProfileRating,
} from '../../../src/core/recommend/profile.ts';
import {
  ProfileDb,
  WrenDb,
  deleteDataset,
  deleteEverything,
  getActiveDataset,
  listDatasets,
  loadProfile,
  mergeProfile,
  rateMovie,
  readRatings,
  replaceProfile,
  setMark,
  unrateMovie,
  writeDataset,
} from '../../../src/store/index.ts';
import { tinyDataset } from './tiny.ts';

let db: ProfileDb;
let n = 0;
beforeEach(async () => {
  db = new ProfileDb(`profile-test-${n++}`);
  await db.open();
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  await db.delete();
});

const toyStory: ProfileMovie = { movieId: 1, title: 'Toy Story (1995)', ids: 'movielens' };
const heat: ProfileMovie = { movieId: 5, title: 'Heat (1995)', ids: 'movielens' };
const jumanji: ProfileMovie = { movieId: 2, title: 'Jumanji (1995)', ids: 'movielens' };
/** ml-100k numbers its movies itself: its movie 1 is another row than MovieLens movie 1. */
const heat100k: ProfileMovie = { movieId: 1, title: 'Heat (1995)', ids: 'ml-100k' };

const rated = (m: ProfileMovie, rating: number, at: number): ProfileRating => ({
  ...m,
  rating,
  at,
});

describe('ratings', () => {
  it('rates, re-rates (replacing) and unrates', async () => {
    await rateMovie(db, toyStory, 4, 100);
    await rateMovie(db, heat100k, 3, 150);
    await rateMovie(db, { ...toyStory, title: 'Toy Story (1995) ' }, 2.5, 200);
    expect((await loadProfile(db)).ratings).toEqual([
      rated(heat100k, 3, 150),
      rated({ ...toyStory, title: 'Toy Story (1995) ' }, 2.5, 200),
    ]);
    await unrateMovie(db, toyStory);
    await unrateMovie(db, jumanji); // not rated: nothing to do
    expect((await loadProfile(db)).ratings).toEqual([rated(heat100k, 3, 150)]);
  });

  it('lists ratings oldest first, not in key order', async () => {
    await rateMovie(db, toyStory, 4, 300);
    await rateMovie(db, jumanji, 1, 100);
    await rateMovie(db, heat, 5, 200);
    const p = await loadProfile(db);
    expect(p.ratings.map((r) => r.movieId)).toEqual([2, 5, 1]);
  });

  it('rejects an invalid rating with a RangeError and stores nothing', async () => {
    for (const bad of [0, 7, 3.3, NaN]) {
      await expect(rateMovie(db, toyStory, bad)).rejects.toThrow(RangeError);
    }
    expect(await loadProfile(db)).toEqual(emptyProfile());
  });

  it('stores only the profile fields of what it is given', async () => {
    const row = { ...heat, rating: 1, at: 1, kind: 'x', genres: ['Action'] } as ProfileMovie;
    await rateMovie(db, row, 4, 10);
    await setMark(db, 'watchlist', row, true, 20);
    const p = await loadProfile(db);
    expect(p.ratings).toEqual([rated(heat, 4, 10)]);
    expect(p.watchlist).toEqual([{ ...heat, at: 20 }]);
  });

  it('stamps a rating with the current time by default', async () => {
    const before = Date.now();
    await rateMovie(db, heat, 4);
    const at = (await loadProfile(db)).ratings[0]!.at;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('marks', () => {
  it('sets and clears each kind on its own, leaving ratings alone', async () => {
    await rateMovie(db, heat, 2, 10);
    await setMark(db, 'not-interested', heat, true, 20);
    await setMark(db, 'watchlist', toyStory, true, 30);
    await setMark(db, 'watchlist', heat100k, true, 25);
    let p = await loadProfile(db);
    expect(p.ratings).toEqual([rated(heat, 2, 10)]);
    expect(p.notInterested).toEqual([{ ...heat, at: 20 }]);
    expect(p.watchlist).toEqual([
      { ...heat100k, at: 25 },
      { ...toyStory, at: 30 },
    ]);

    await setMark(db, 'not-interested', heat, false);
    await setMark(db, 'watchlist', toyStory, true, 40); // again: only the time changes
    await setMark(db, 'watchlist', jumanji, false); // not marked: nothing to do
    p = await loadProfile(db);
    expect(p.ratings).toEqual([rated(heat, 2, 10)]);
    expect(p.notInterested).toEqual([]);
    expect(p.watchlist).toEqual([
      { ...heat100k, at: 25 },
      { ...toyStory, at: 40 },
    ]);
  });
});

describe('replaceProfile and mergeProfile', () => {
  /** What is stored before each import. */
  async function seed(): Promise<void> {
    await rateMovie(db, toyStory, 3, 100);
    await rateMovie(db, heat, 4, 300);
    await rateMovie(db, jumanji, 1, 50);
    await setMark(db, 'watchlist', heat100k, true, 100);
    await setMark(db, 'not-interested', jumanji, true, 60);
  }

  const incoming: Profile = {
    ratings: [
      rated(toyStory, 5, 200), // newer than the stored 3 at 100
      rated(heat, 1, 200), // older than the stored 4 at 300
      rated(heat100k, 2, 10), // new
    ],
    notInterested: [{ ...toyStory, at: 5 }],
    watchlist: [{ ...heat100k, title: 'Heat (renamed)', at: 50 }], // older than the stored mark
  };

  it('replace makes the given profile the whole profile', async () => {
    await seed();
    await replaceProfile(db, incoming);
    expect(await loadProfile(db)).toEqual({
      ratings: [rated(heat100k, 2, 10), rated(toyStory, 5, 200), rated(heat, 1, 200)],
      notInterested: [{ ...toyStory, at: 5 }],
      watchlist: [{ ...heat100k, title: 'Heat (renamed)', at: 50 }],
    });
  });

  it('replace keeps the later of duplicate entries', async () => {
    await replaceProfile(db, {
      ratings: [rated(heat, 4, 20), rated(heat, 2, 10)],
      notInterested: [],
      watchlist: [
        { ...heat, title: 'new', at: 9 },
        { ...heat, title: 'old', at: 8 },
      ],
    });
    const p = await loadProfile(db);
    expect(p.ratings).toEqual([rated(heat, 4, 20)]);
    expect(p.watchlist).toEqual([{ ...heat, title: 'new', at: 9 }]);
  });

  it('merge keeps per movie the later entry and removes nothing', async () => {
    await seed();
    await mergeProfile(db, incoming);
    expect(await loadProfile(db)).toEqual({
      ratings: [
        rated(heat100k, 2, 10),
        rated(jumanji, 1, 50),
        rated(toyStory, 5, 200),
        rated(heat, 4, 300),
      ],
      notInterested: [
        { ...toyStory, at: 5 },
        { ...jumanji, at: 60 },
      ],
      watchlist: [{ ...heat100k, at: 100 }],
    });
  });

  it('merging the same profile twice changes nothing the second time', async () => {
    await seed();
    await mergeProfile(db, incoming);
    const once = await loadProfile(db);
    await mergeProfile(db, incoming);
    expect(await loadProfile(db)).toEqual(once);
  });

  it('replace is all or nothing: an invalid entry leaves the old profile', async () => {
    await seed();
    const before = await loadProfile(db);
    const bad = { ...incoming, ratings: [...incoming.ratings, rated(jumanji, 9, 1)] };
    await expect(replaceProfile(db, bad)).rejects.toThrow(RangeError);
    await expect(mergeProfile(db, bad)).rejects.toThrow(RangeError);
    expect(await loadProfile(db)).toEqual(before);
  });

  it('replace is all or nothing: a failed write after the clear rolls back', async () => {
    await seed();
    const before = await loadProfile(db);
    // Ratings are cleared and rewritten by the time the marks fail.
    vi.spyOn(db.marks, 'bulkPut').mockRejectedValue(new Error('disk on fire'));
    await expect(replaceProfile(db, incoming)).rejects.toThrow('disk on fire');
    await expect(mergeProfile(db, incoming)).rejects.toThrow('disk on fire');
    vi.restoreAllMocks();
    expect(await loadProfile(db)).toEqual(before);
  });

  it('a full disk gives the quota WrenError and changes nothing', async () => {
    await seed();
    const before = await loadProfile(db);
    const full = new DOMException('full', 'QuotaExceededError');
    vi.spyOn(db.marks, 'bulkPut').mockRejectedValue(full);
    const e: unknown = await replaceProfile(db, incoming).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WrenError);
    expect((e as WrenError).code).toBe('quota');
    vi.restoreAllMocks();
    expect(await loadProfile(db)).toEqual(before);
  });
});

describe('apart from datasets', () => {
  it('profile writes leave the datasets database alone, and dataset writes the profile', async () => {
    const wren = new WrenDb(`wren-test-${n++}`);
    try {
      const id = await writeDataset(wren, tinyDataset(), { source: 't' });
      const ratings = await readRatings(wren, id);
      await rateMovie(db, toyStory, 4, 1);
      await setMark(db, 'watchlist', heat, true, 2);
      await replaceProfile(db, incomingOf(heat));
      await mergeProfile(db, incomingOf(jumanji));
      expect((await listDatasets(wren)).map((d) => d.id)).toEqual([id]);
      expect((await getActiveDataset(wren))?.id).toBe(id);
      expect(await readRatings(wren, id)).toEqual(ratings);

      const profile = await loadProfile(db);
      await writeDataset(wren, tinyDataset('second'), { source: 't2' });
      await deleteDataset(wren, id);
      expect(await loadProfile(db)).toEqual(profile);
    } finally {
      await wren.delete();
    }
  });
});

const incomingOf = (m: ProfileMovie): Profile => ({
  ratings: [rated(m, 3, 5)],
  notInterested: [],
  watchlist: [],
});

describe('deleteEverything', () => {
  /** The default databases, as the app opens them, with something in each. */
  async function fill(): Promise<[WrenDb, ProfileDb]> {
    const wren = new WrenDb();
    const profile = new ProfileDb();
    await writeDataset(wren, tinyDataset(), { source: 't' });
    await rateMovie(profile, toyStory, 4, 1);
    expect(await Dexie.exists('wren')).toBe(true);
    expect(await Dexie.exists('wren-profile')).toBe(true);
    return [wren, profile];
  }

  it('closes the open connections and deletes both databases', async () => {
    const [wren, profile] = await fill();
    await deleteEverything(wren, profile);
    expect(await Dexie.exists('wren')).toBe(false);
    expect(await Dexie.exists('wren-profile')).toBe(false);
    expect(wren.isOpen()).toBe(false);
    expect(profile.isOpen()).toBe(false);
    // Opened again, they are empty.
    const [wren2, profile2] = [new WrenDb(), new ProfileDb()];
    expect(await listDatasets(wren2)).toEqual([]);
    expect(await loadProfile(profile2)).toEqual(emptyProfile());
    await deleteEverything(wren2, profile2);
  });

  it('clears local and session storage, even where one refuses', async () => {
    const local = { clear: vi.fn() };
    const session = {
      clear: vi.fn(() => {
        throw new DOMException('blocked', 'SecurityError');
      }),
    };
    vi.stubGlobal('localStorage', local);
    vi.stubGlobal('sessionStorage', session);
    const [wren, profile] = await fill();
    await deleteEverything(wren, profile);
    expect(local.clear).toHaveBeenCalledOnce();
    expect(session.clear).toHaveBeenCalledOnce();
    expect(await Dexie.exists('wren')).toBe(false);
    expect(await Dexie.exists('wren-profile')).toBe(false);
  });
});
