/**
 * What a failed import left of the stored data. A write that fills the disk
 * can make the browser wipe the origin's IndexedDB (measured in Chromium:
 * every database, the profile's too), so "nothing was changed" is checked
 * before it is said: the datasets that were ready before the import must
 * still have all their rows, and the profile its entries. A profile found
 * empty is restored from its copy (profile-copy.ts).
 */
import Dexie from 'dexie';
import type { ProfileDb } from './profile.ts';
import { loadProfile, restoreProfileIfLost } from './profile.ts';
import { profileEntries } from './profile-copy.ts';
import type { WrenDb } from './db.ts';
import { deleteDataset } from './datasets.ts';

export interface StoredSnapshot {
  datasets: { id: string; name: string; chunkCount: number; movies: number }[];
  /** Ratings and marks in the profile. */
  profile: number;
}

export interface Aftermath {
  /** Datasets that were ready before and are gone (or broken, and removed) now. */
  lost: { id: string; name: string }[];
  /** Profile entries before the import. */
  profileBefore: number;
  /** Profile entries missing after it (before any restore). */
  profileMissing: number;
  /** Entries restored from the copy. */
  profileRestored: number;
}

/** What is stored now: the ready datasets and the size of the profile. */
export async function snapshotStored(db: WrenDb, profileDb: ProfileDb): Promise<StoredSnapshot> {
  const rows = await db.datasets.where('status').equals('ready').toArray();
  const profile = profileEntries(await loadProfile(profileDb));
  return {
    datasets: rows.map((r) => ({
      id: r.id,
      name: r.name,
      chunkCount: r.chunkCount,
      movies: r.counts.movies,
    })),
    profile,
  };
}

const range = (id: string): [unknown[], unknown[]] => [
  [id, Dexie.minKey],
  [id, Dexie.maxKey],
];

/** Whether every row of a dataset that was ready is still there. */
async function intact(db: WrenDb, d: StoredSnapshot['datasets'][number]): Promise<boolean> {
  const row = await db.datasets.get(d.id);
  if (row?.status !== 'ready') return false;
  const [chunks, movies, idMaps, users] = await Promise.all([
    db.ratingChunks
      .where('[datasetId+chunk]')
      .between(...range(d.id))
      .count(),
    db.movies
      .where('[datasetId+index]')
      .between(...range(d.id))
      .count(),
    db.idMaps.where('datasetId').equals(d.id).count(),
    db.users.where('datasetId').equals(d.id).count(),
  ]);
  return chunks === d.chunkCount && movies === d.movies && idMaps === 1 && users === 1;
}

/**
 * Compares what is stored with `before`: broken datasets are removed (so the
 * app does not open half a dataset), an emptied profile is restored from its
 * copy.
 */
export async function checkStored(
  db: WrenDb,
  profileDb: ProfileDb,
  before: StoredSnapshot,
): Promise<Aftermath> {
  const lost: Aftermath['lost'] = [];
  for (const d of before.datasets) {
    if (await intact(db, d)) continue;
    lost.push({ id: d.id, name: d.name });
    await deleteDataset(db, d.id);
  }
  const now = profileEntries(await loadProfile(profileDb));
  const profileMissing = Math.max(0, before.profile - now);
  const profileRestored = profileMissing > 0 ? await restoreProfileIfLost(profileDb) : 0;
  return { lost, profileBefore: before.profile, profileMissing, profileRestored };
}
