/**
 * Rows that belong to nothing, and the feature-set swap: start-up clean-up
 * removes rows of a dataset id without a dataset row and a dangling active
 * key; an import stops when its dataset row is deleted under it; "Compute
 * again" writes the new feature set under a new key and swaps it in at the
 * end, so the old set stays readable until then (and after a failure).
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { featureSet, movieMetaFromMovies, userFeatures } from '../../../src/core/features/index.ts';
import { WrenError } from '../../../src/core/errors.ts';
import {
  WrenDb,
  chunksKeyOf,
  cleanupFeatureChunks,
  cleanupOrphans,
  deleteDataset,
  deleteFeatureChunks,
  finishFeatureSet,
  getActiveDataset,
  getFeatureChunk,
  getFeatureSet,
  newFeatureChunksKey,
  putFeatureChunk,
  writeDataset,
} from '../../../src/store/index.ts';
import { tinyDataset } from './tiny.ts';

let db: WrenDb;
let n = 0;
beforeEach(async () => {
  db = new WrenDb(`orphans-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

/** Rows of every dataset table whose dataset id is `id`. */
async function rowsOf(id: string): Promise<number> {
  const range = [
    [id, Dexie.minKey],
    [id, Dexie.maxKey],
  ] as const;
  return (
    (await db.movies
      .where('[datasetId+index]')
      .between(...range)
      .count()) +
    (await db.tags
      .where('[datasetId+movie]')
      .between(...range)
      .count()) +
    (await db.ratingChunks
      .where('[datasetId+chunk]')
      .between(...range)
      .count()) +
    (await db.featureChunks
      .where('[datasetId+chunk]')
      .between(...range)
      .count()) +
    (await db.users.where('datasetId').equals(id).count()) +
    (await db.idMaps.where('datasetId').equals(id).count()) +
    (await db.featureSets.where('datasetId').equals(id).count()) +
    (await db.embeddings.where('datasetId').equals(id).count()) +
    (await db.models.where('datasetId').equals(id).count())
  );
}

function features(start = 0) {
  const ds = tinyDataset();
  const meta = movieMetaFromMovies(ds.movies, ds.genres);
  return {
    set: featureSet(ds.ratings, meta),
    chunk0: userFeatures(ds.ratings, meta, start, 5),
    chunk1: userFeatures(ds.ratings, meta, 5, 9),
  };
}
const META = { seconds: 0.5, chunkSize: 5, chunkCount: 2 };

describe('cleanupOrphans (start-up)', () => {
  it('removes every row of a dataset id that has no dataset row, and only those', async () => {
    const kept = await writeDataset(db, tinyDataset('kept'), { source: 'a' });
    const gone = await writeDataset(db, tinyDataset('gone'), { source: 'b' });
    // What a worker writing after "Delete everything" left: rows without their dataset row.
    await db.datasets.delete(gone);
    await db.models.add({ id: `${gone}:m`, datasetId: gone } as never);
    expect(await rowsOf(gone)).toBeGreaterThan(0);
    const removed = await cleanupOrphans(db);
    expect(removed).toEqual([gone]);
    expect(await rowsOf(gone)).toBe(0);
    const keptRows = await rowsOf(kept);
    expect(keptRows).toBeGreaterThan(0);
    expect((await getActiveDataset(db))?.id).toBe(kept);
    // Nothing more on a second run.
    expect(await cleanupOrphans(db)).toEqual([]);
    expect(await rowsOf(kept)).toBe(keptRows);
  });

  it('clears an active-dataset key that names no dataset', async () => {
    const id = await writeDataset(db, tinyDataset(), { source: 'a' });
    await db.datasets.delete(id);
    expect((await db.kv.get('activeDatasetId'))?.value).toBe(id);
    await cleanupOrphans(db);
    expect(await db.kv.get('activeDatasetId')).toBeUndefined();
    expect(await getActiveDataset(db)).toBeNull();
    expect(await db.ratingChunks.count()).toBe(0);
    expect(await db.movies.count()).toBe(0);
  });

  it('keeps an active key that names a stored dataset', async () => {
    const id = await writeDataset(db, tinyDataset(), { source: 'a' });
    await cleanupOrphans(db);
    expect((await db.kv.get('activeDatasetId'))?.value).toBe(id);
  });
});

describe('an import whose dataset row is deleted under it', () => {
  it('stops, writes nothing more and does not set the active key', async () => {
    let id = '';
    let writes = 0;
    const run = writeDataset(db, tinyDataset(), {
      source: 'a',
      onId: (x) => (id = x),
      // The first progress report comes right after the dataset row went in.
      onProgress: () => {
        if (writes++ === 0) void db.datasets.delete(id);
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'not-found' });
    expect(await rowsOf(id)).toBe(0);
    expect(await db.datasets.count()).toBe(0);
    expect(await db.kv.get('activeDatasetId')).toBeUndefined();
  });
});

describe('feature set recompute (swap)', () => {
  let ds = '';
  beforeEach(async () => {
    ds = await writeDataset(db, tinyDataset(), { source: 'a' });
  });

  async function firstSet(): Promise<string> {
    const key = newFeatureChunksKey(ds);
    const f = features();
    await putFeatureChunk(db, key, 0, f.chunk0);
    await putFeatureChunk(db, key, 1, f.chunk1);
    await finishFeatureSet(db, ds, f.set, META, key);
    return key;
  }

  it('the old set stays readable while the new one is written; after the swap only the new one is left', async () => {
    const oldKey = await firstSet();
    const old = (await getFeatureSet(db, ds))!;
    const oldChunk = (await getFeatureChunk(db, ds, 0))!;
    expect(oldChunk.start).toBe(0);

    const newKey = newFeatureChunksKey(ds);
    expect(newKey).not.toBe(oldKey);
    const f = features(1);
    await putFeatureChunk(db, newKey, 0, f.chunk0);
    // Mid-write: the old set and its chunks are what readers get.
    expect(await getFeatureSet(db, ds)).toEqual(old);
    expect((await getFeatureChunk(db, ds, 0))!.start).toBe(0);
    expect(await getFeatureChunk(db, ds, 1)).toBeDefined();

    await putFeatureChunk(db, newKey, 1, f.chunk1);
    const row = await finishFeatureSet(db, ds, f.set, { ...META, seconds: 2 }, newKey);
    expect(chunksKeyOf(row)).toBe(newKey);
    expect((await getFeatureSet(db, ds))!.seconds).toBe(2);
    expect((await getFeatureChunk(db, ds, 0))!.start).toBe(1);
    // Only the new set's two chunks remain: the old ones went with the swap.
    const keys = (await db.featureChunks.toCollection().primaryKeys()).map((k) => k[0]);
    expect(keys).toEqual([newKey, newKey]);
    expect(await cleanupFeatureChunks(db, () => false)).toEqual([]);
  });

  it('a recompute that fails (or is killed) mid-write leaves the old set whole; clean-up removes its chunks', async () => {
    await firstSet();
    const old = (await getFeatureSet(db, ds))!;
    const killedKey = newFeatureChunksKey(ds);
    await putFeatureChunk(db, killedKey, 0, features(2).chunk0);
    // A tab killed here: no swap. The old set is still complete and readable.
    expect(await getFeatureSet(db, ds)).toEqual(old);
    expect((await getFeatureChunk(db, ds, 0))!.start).toBe(0);
    expect(await getFeatureChunk(db, ds, 1)).toBeDefined();
    expect(await db.featureChunks.count()).toBe(3);

    // A running job's key (its lock is held) is left alone…
    expect(await cleanupFeatureChunks(db, (k) => k === killedKey)).toEqual([]);
    expect(await db.featureChunks.count()).toBe(3);
    // …an abandoned one is removed; the old set keeps its chunks.
    expect(await cleanupFeatureChunks(db, () => false)).toEqual([killedKey]);
    expect(await db.featureChunks.count()).toBe(2);
    expect(await getFeatureSet(db, ds)).toEqual(old);
    expect((await getFeatureChunk(db, ds, 1))!.start).toBe(5);
  });

  it('a failed write removes only its own chunks (deleteFeatureChunks)', async () => {
    await firstSet();
    const key = newFeatureChunksKey(ds);
    await putFeatureChunk(db, key, 0, features().chunk0);
    await deleteFeatureChunks(db, key);
    expect(await db.featureChunks.count()).toBe(2);
    expect(await getFeatureChunk(db, ds, 0)).toBeDefined();
  });

  it('the swap writes nothing when the dataset was deleted meanwhile', async () => {
    const key = newFeatureChunksKey(ds);
    const f = features();
    await putFeatureChunk(db, key, 0, f.chunk0);
    await deleteDataset(db, ds);
    // deleteDataset removes the chunks of a set still being computed too.
    expect(await db.featureChunks.count()).toBe(0);
    await expect(finishFeatureSet(db, ds, f.set, META, key)).rejects.toBeInstanceOf(WrenError);
    expect(await db.featureSets.count()).toBe(0);
  });

  it('start-up removes the staged chunks of a dataset without a dataset row', async () => {
    const key = newFeatureChunksKey(ds);
    await putFeatureChunk(db, key, 0, features().chunk0);
    await db.datasets.delete(ds);
    expect(await cleanupOrphans(db)).toEqual([ds]);
    expect(await db.featureChunks.count()).toBe(0);
  });
});
