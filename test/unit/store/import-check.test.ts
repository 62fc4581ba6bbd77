/**
 * After a failed import: what is stored is checked against what was there
 * before, an emptied profile comes back from its copy in localStorage, and
 * the words say exactly that.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PROFILE_COPY_KEY,
  ProfileDb,
  WrenDb,
  checkStored,
  loadProfile,
  rateMovie,
  readProfileCopy,
  restoreProfileIfLost,
  setMark,
  snapshotStored,
  unrateMovie,
  writeDataset,
} from '../../../src/store/index.ts';
import { NOTHING_CHANGED, aftermathText } from '../../../src/ui/lib/importer.ts';
import { tinyDataset } from './tiny.ts';

/** localStorage as node lacks it. */
function fakeLocalStorage(): Map<string, string> {
  const m = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
  });
  return m;
}

const heat = { movieId: 5, title: 'Heat (1995)', ids: 'movielens' as const };
let n = 0;
let db: WrenDb;
let profileDb: ProfileDb;
let store: Map<string, string>;

beforeEach(async () => {
  store = fakeLocalStorage();
  db = new WrenDb(`check-${n}`);
  profileDb = new ProfileDb(`check-profile-${n++}`);
  await Promise.all([db.open(), profileDb.open()]);
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all([db.delete(), profileDb.delete()]);
});

/** What Chromium did when the disk filled: both databases emptied (recreated empty). */
async function wipe(): Promise<void> {
  for (const d of [db, profileDb]) {
    d.close();
    await Dexie.delete(d.name);
    await d.open();
  }
}

describe('the profile copy', () => {
  it('follows every profile change and restores an emptied profile', async () => {
    await rateMovie(profileDb, heat, 4, 100);
    await setMark(profileDb, 'watchlist', { ...heat, movieId: 6 }, true, 200);
    expect(readProfileCopy()).toEqual(await loadProfile(profileDb));
    await unrateMovie(profileDb, heat);
    expect(readProfileCopy()?.ratings).toEqual([]);
    await rateMovie(profileDb, heat, 4.5, 300);
    const kept = await loadProfile(profileDb);
    expect(await restoreProfileIfLost(profileDb)).toBe(0);
    await wipe();
    expect((await loadProfile(profileDb)).ratings).toEqual([]);
    expect(await restoreProfileIfLost(profileDb)).toBe(2);
    expect(await loadProfile(profileDb)).toEqual(kept);
  });

  it('a missing or unreadable copy restores nothing', async () => {
    expect(await restoreProfileIfLost(profileDb)).toBe(0);
    store.set(PROFILE_COPY_KEY, '{not json');
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(readProfileCopy()).toBeNull();
    expect(await restoreProfileIfLost(profileDb)).toBe(0);
  });
});

describe('after a failed import', () => {
  it('finds nothing changed when nothing was', async () => {
    await writeDataset(db, tinyDataset('kept'), { source: 't' });
    await rateMovie(profileDb, heat, 4, 100);
    const before = await snapshotStored(db, profileDb);
    const a = await checkStored(db, profileDb, before);
    expect(a).toEqual({ lost: [], profileBefore: 1, profileMissing: 0, profileRestored: 0 });
    expect(aftermathText(a)).toBe(NOTHING_CHANGED);
  });

  it('says what a wipe lost and restores the profile from its copy', async () => {
    const id = await writeDataset(db, tinyDataset('ml-latest-small'), { source: 't' });
    await rateMovie(profileDb, heat, 4, 100);
    const before = await snapshotStored(db, profileDb);
    await wipe();
    const a = await checkStored(db, profileDb, before);
    expect(a).toEqual({
      lost: [{ id, name: 'ml-latest-small' }],
      profileBefore: 1,
      profileMissing: 1,
      profileRestored: 1,
    });
    expect((await loadProfile(profileDb)).ratings.map((r) => r.rating)).toEqual([4]);
    const text = aftermathText(a);
    expect(text).not.toMatch(/nothing was changed/i);
    expect(text).toBe(
      'The browser lost stored data while the disk was full: the dataset “ml-latest-small” is ' +
        'gone, with its models and embeddings. Import it again once there is space. Your ' +
        'profile was lost too and has been restored from its copy (1 rating or mark).',
    );
  });

  it('removes a dataset left with missing rows, and says so', async () => {
    const id = await writeDataset(db, tinyDataset('half'), { source: 't' });
    const before = await snapshotStored(db, profileDb);
    await db.ratingChunks.clear();
    const a = await checkStored(db, profileDb, before);
    expect(a.lost).toEqual([{ id, name: 'half' }]);
    expect(await db.datasets.count()).toBe(0);
    expect(aftermathText(a)).toMatch(/the dataset “half” is gone/);
  });

  it('says so when the profile is gone and there is no copy', async () => {
    await rateMovie(profileDb, heat, 4, 100);
    const before = await snapshotStored(db, profileDb);
    store.clear();
    await wipe();
    const a = await checkStored(db, profileDb, before);
    expect(a.profileRestored).toBe(0);
    expect(aftermathText(a)).toBe(
      'Your datasets are intact. Your profile lost 1 rating or mark, and no copy of it was found.',
    );
  });
});
