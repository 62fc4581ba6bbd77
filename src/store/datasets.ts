/** Dataset-level reads and housekeeping: list, active, delete, abandoned imports. */
import Dexie from 'dexie';
import { WrenError } from '../core/errors.ts';
import { datasetTables, type DatasetRow, type WrenDb } from './db.ts';

const ACTIVE = 'activeDatasetId';

/**
 * Throws 'not-found' unless the dataset is stored and ready. Inside a write
 * transaction that includes `db.datasets`, a background job finishing after
 * its dataset was deleted writes nothing.
 */
export async function requireReady(db: WrenDb, datasetId: string): Promise<void> {
  if ((await db.datasets.get(datasetId))?.status !== 'ready')
    throw new WrenError('not-found', 'That dataset is not here any more.');
}

/** All datasets, oldest first (importing ones included, with their status). */
export function listDatasets(db: WrenDb): Promise<DatasetRow[]> {
  return db.datasets.orderBy('createdAt').toArray();
}

/** The active dataset if it is ready; otherwise the newest ready one; else null. */
export async function getActiveDataset(db: WrenDb): Promise<DatasetRow | null> {
  const kv = await db.kv.get(ACTIVE);
  if (typeof kv?.value === 'string') {
    const row = await db.datasets.get(kv.value);
    if (row?.status === 'ready') return row;
  }
  const ready = await db.datasets.where('status').equals('ready').sortBy('createdAt');
  return ready.at(-1) ?? null;
}

export async function setActiveDataset(db: WrenDb, id: string): Promise<void> {
  const row = await db.datasets.get(id);
  if (row?.status !== 'ready') throw new Error(`Dataset ${id} is not ready.`);
  await db.kv.put({ key: ACTIVE, value: id });
}

/** Removes a dataset and every row that belongs to it, in one transaction. */
export async function deleteDataset(db: WrenDb, id: string): Promise<void> {
  await db.transaction('rw', [db.datasets, db.kv, ...datasetTables(db)], async () => {
    const all = [
      [id, Dexie.minKey],
      [id, Dexie.maxKey],
    ] as const;
    await db.movies
      .where('[datasetId+index]')
      .between(...all)
      .delete();
    await db.users.delete(id);
    await db.tags
      .where('[datasetId+movie]')
      .between(...all)
      .delete();
    await db.ratingChunks
      .where('[datasetId+chunk]')
      .between(...all)
      .delete();
    await db.idMaps.delete(id);
    await db.featureSets.delete(id);
    await db.featureChunks
      .where('[datasetId+chunk]')
      .between(...all)
      .delete();
    // Chunks of a feature set being computed (or left by a killed recompute): see featureChunksKey.
    await db.featureChunks
      .where('[datasetId+chunk]')
      .between([stagingPrefix(id), Dexie.minKey], [stagingEnd(id), Dexie.minKey])
      .delete();
    await db.embeddings.where('datasetId').equals(id).delete();
    await db.embeddingData.where('datasetId').equals(id).delete();
    await db.models.where('datasetId').equals(id).delete();
    await db.modelData.where('datasetId').equals(id).delete();
    await db.datasets.delete(id);
    await db.kv.delete(`embedding:${id}`);
    const kv = await db.kv.get(ACTIVE);
    if (kv?.value === id) await db.kv.delete(ACTIVE);
  });
}

/** Feature chunks being written under a new key start with this (see featureChunksKey). */
export const stagingPrefix = (datasetId: string): string => `${datasetId}\u0002`;
const stagingEnd = (datasetId: string): string => `${datasetId}\u0003`;

/** The dataset a featureChunks key belongs to (a staging key names its dataset first). */
export const ownerOfChunksKey = (key: string): string => key.split('\u0002')[0]!;

/** The distinct dataset ids of the rows of a table whose key starts with (or is) the dataset id. */
async function datasetIdsOf(db: WrenDb): Promise<Set<string>> {
  const ids = new Set<string>();
  const add = (k: unknown): void => {
    const id = Array.isArray(k) ? k[0] : k;
    if (typeof id === 'string') ids.add(ownerOfChunksKey(id));
  };
  for (const t of [db.ratingChunks, db.users, db.idMaps, db.featureSets, db.featureChunks])
    (await t.toCollection().primaryKeys()).forEach(add);
  // Many rows per dataset: step from one dataset's range to the next instead of reading every key.
  for (const t of [db.movies, db.tags]) {
    let first = await t.orderBy(':id').first();
    while (first) {
      const id = first.datasetId;
      ids.add(id);
      first = await t.where(':id').above([id, Dexie.maxKey]).first();
    }
  }
  for (const t of [db.embeddings, db.embeddingData, db.models, db.modelData])
    (await t.orderBy('datasetId').uniqueKeys()).forEach(add);
  return ids;
}

/**
 * Start-up clean-up of what belongs to nothing: every row of a dataset id
 * without a dataset row (left by a job that wrote after its dataset was
 * deleted, or by a deleted database that a worker opened again), and the
 * active-dataset key when it names no dataset. Returns the ids removed.
 */
export async function cleanupOrphans(db: WrenDb): Promise<string[]> {
  const known = new Set((await db.datasets.toCollection().primaryKeys()) as string[]);
  const orphans = [...(await datasetIdsOf(db))].filter((id) => !known.has(id));
  for (const id of orphans) await deleteDataset(db, id);
  await db.transaction('rw', db.datasets, db.kv, async () => {
    const kv = await db.kv.get(ACTIVE);
    if (kv && (typeof kv.value !== 'string' || !(await db.datasets.get(kv.value))))
      await db.kv.delete(ACTIVE);
  });
  return orphans;
}

/**
 * Deletes datasets left in 'importing' by an import that is no longer
 * running (a closed tab, a crash). `isRunning` tells which ids are still live.
 * Returns the ids removed.
 */
export async function cleanupAbandonedImports(
  db: WrenDb,
  isRunning: (id: string) => boolean | Promise<boolean>,
): Promise<string[]> {
  const stale = await db.datasets.where('status').equals('importing').toArray();
  const removed: string[] = [];
  for (const row of stale) {
    if (await isRunning(row.id)) continue;
    await deleteDataset(db, row.id);
    removed.push(row.id);
  }
  return removed;
}
