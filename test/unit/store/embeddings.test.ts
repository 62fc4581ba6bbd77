/**
 * Embeddings and feature sets in the store (schema version 2): round trips
 * of typed arrays, the chosen embedding, deletes, incomplete feature sets,
 * and the upgrade of a version-1 database.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_EMBED_SETTINGS,
  type EmbedSettings,
  type EmbeddingResult,
} from '../../../src/core/embeddings/embed.ts';
import { buildHnsw, hnswSearch } from '../../../src/core/embeddings/ann.ts';
import { normalizeRows } from '../../../src/core/embeddings/topk.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { featureSet, movieMetaFromMovies, userFeatures } from '../../../src/core/features/index.ts';
import { Random } from '../../../src/core/random.ts';
import {
  WrenDb,
  chooseEmbedding,
  chosenEmbedding,
  deleteDataset,
  deleteEmbedding,
  deleteFeatureSet,
  embeddingName,
  finishFeatureSet,
  getActiveDataset,
  getEmbeddingData,
  getFeatureChunk,
  getFeatureSet,
  listDatasets,
  listEmbeddings,
  putFeatureChunk,
  readRatings,
  saveEmbedding,
  writeDataset,
  type DatasetRow,
} from '../../../src/store/index.ts';
import { tinyDataset } from './tiny.ts';

let db: WrenDb;
let n = 0;
beforeEach(async () => {
  db = new WrenDb(`emb-test-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

/** A small embedding result with a real HNSW index. */
async function fakeResult(
  seed: number,
  settings: Partial<EmbedSettings> = {},
): Promise<EmbeddingResult> {
  const dim = 4;
  const count = 30;
  const rng = new Random(seed);
  const raw = Float32Array.from({ length: count * dim }, () => rng.normal());
  const vectors = normalizeRows(raw, dim);
  return {
    settings: { ...DEFAULT_EMBED_SETTINGS, dim, epochs: 10, ...settings },
    engine: 'wasm-simd',
    threads: 1,
    dim,
    items: Int32Array.from({ length: count }, (_, i) => 3 * i + 1),
    vectors,
    map: Float32Array.from({ length: count * 2 }, () => rng.uniform(-1, 1)),
    hnsw: await buildHnsw(vectors, dim, { seed, M: 4 }),
    losses: [0.69, 0.5, 0.41],
    metrics: {
      hr10: 0.06,
      ndcg10: 0.03,
      popularityHr10: 0.04,
      popularityNdcg10: 0.02,
      users: 608,
      genreCoherence: 0.7,
      genreCoherenceRandom: 0.4,
      annRecall10: 0.99,
      annQueryMs: 0.1,
      exactQueryMs: 0.3,
      corpusTokens: 48_000,
    },
    seconds: 3,
    trainSeconds: 2,
    tokensPerSecond: 250_000,
  };
}

/** Saves with a fixed clock, so "newest" is well defined. */
async function saveAt(time: number, datasetId: string, r: EmbeddingResult) {
  const spy = vi.spyOn(Date, 'now').mockReturnValue(time);
  try {
    return await saveEmbedding(db, datasetId, r);
  } finally {
    spy.mockRestore();
  }
}

describe('embeddings', () => {
  it('save → list → chosen → data round-trips the typed arrays and the index', async () => {
    const r = await fakeResult(1);
    const row = await saveAt(1000, 'ds1', r);
    expect(row).toMatchObject({
      datasetId: 'ds1',
      name: 'Item2Vec 4d · 10 epochs',
      createdAt: 1000,
      engine: 'wasm-simd',
      dim: 4,
      count: 30,
      metrics: r.metrics,
      losses: r.losses,
      settings: r.settings,
    });
    expect(await listEmbeddings(db, 'ds1')).toEqual([row]);
    expect(await chosenEmbedding(db, 'ds1')).toEqual(row);
    const data = (await getEmbeddingData(db, row.id))!;
    expect(data.items).toBeInstanceOf(Int32Array);
    expect(data.vectors).toBeInstanceOf(Float32Array);
    expect(data.map).toBeInstanceOf(Float32Array);
    expect(data.items).toEqual(r.items);
    expect(data.vectors).toEqual(r.vectors);
    expect(data.map).toEqual(r.map);
    // The index is stored without its own copy of the vectors, and works once they are put back.
    const { vectors: _v, ...index } = r.hnsw!;
    expect(data.hnsw).toEqual(index);
    expect(data.hnsw).not.toHaveProperty('vectors');
    expect(data.hnsw!.links0).toBeInstanceOf(Int32Array);
    const restored = { ...data.hnsw!, vectors: data.vectors };
    const q = r.vectors.subarray(8, 12);
    expect(hnswSearch(restored, q, 5)).toEqual(hnswSearch(r.hnsw!, q, 5));
  });

  it('stores an embedding trained without an index', async () => {
    const r = { ...(await fakeResult(2)), hnsw: null };
    const row = await saveEmbedding(db, 'ds1', r);
    expect((await getEmbeddingData(db, row.id))!.hnsw).toBeNull();
  });

  it('names embeddings by method, size and epochs', async () => {
    expect(embeddingName(await fakeResult(1, { method: 'deepwalk', epochs: 3 }))).toBe(
      'DeepWalk 4d · 3 epochs',
    );
    expect(embeddingName(await fakeResult(1, { method: 'node2vec', p: 0.5, q: 2 }))).toBe(
      'Node2vec 4d · 10 epochs · p 0.5 q 2',
    );
  });

  it('the last saved or chosen one is chosen; deletes fall back to the newest', async () => {
    const a = await saveAt(1000, 'ds1', await fakeResult(1));
    const b = await saveAt(2000, 'ds1', await fakeResult(2));
    const c = await saveAt(3000, 'ds1', await fakeResult(3));
    const other = await saveAt(4000, 'ds2', await fakeResult(4));
    expect((await listEmbeddings(db, 'ds1')).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect((await chosenEmbedding(db, 'ds1'))?.id).toBe(c.id);
    expect((await chosenEmbedding(db, 'ds2'))?.id).toBe(other.id);

    await chooseEmbedding(db, 'ds1', a.id);
    expect((await chosenEmbedding(db, 'ds1'))?.id).toBe(a.id);
    // Deleting one that is not chosen keeps the choice.
    await deleteEmbedding(db, b.id);
    expect((await chosenEmbedding(db, 'ds1'))?.id).toBe(a.id);
    expect(await getEmbeddingData(db, b.id)).toBeUndefined();
    // Deleting the chosen one falls back to the newest left.
    await deleteEmbedding(db, a.id);
    expect((await chosenEmbedding(db, 'ds1'))?.id).toBe(c.id);
    expect(await db.kv.get('embedding:ds1')).toBeUndefined();
    expect((await chosenEmbedding(db, 'ds2'))?.id).toBe(other.id);

    await expect(chooseEmbedding(db, 'ds1', 'no-such-id')).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(chooseEmbedding(db, 'ds1', 'no-such-id')).rejects.toBeInstanceOf(WrenError);
    await deleteEmbedding(db, c.id);
    expect(await chosenEmbedding(db, 'ds1')).toBeUndefined();
    expect(await listEmbeddings(db, 'ds1')).toEqual([]);
    // Deleting what is not there is not an error.
    await deleteEmbedding(db, c.id);
  });

  it('a failed save leaves neither the description nor the vectors', async () => {
    const spy = vi
      .spyOn(db.embeddingData, 'add')
      .mockRejectedValueOnce(
        new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
      );
    const err = await saveEmbedding(db, 'ds1', await fakeResult(1)).catch((e: unknown) => e);
    spy.mockRestore();
    expect(err).toBeInstanceOf(WrenError);
    expect((err as WrenError).code).toBe('quota');
    expect(await db.embeddings.count()).toBe(0);
    expect(await db.embeddingData.count()).toBe(0);
    expect(await chosenEmbedding(db, 'ds1')).toBeUndefined();
  });
});

/** The tiny dataset's feature set and the user features of its 9 rating rows. */
function features() {
  const ds = tinyDataset();
  const meta = movieMetaFromMovies(ds.movies, ds.genres);
  return {
    set: featureSet(ds.ratings, meta),
    chunk0: userFeatures(ds.ratings, meta, 0, 5),
    chunk1: userFeatures(ds.ratings, meta, 5, 9),
  };
}

describe('feature sets', () => {
  const meta = { seconds: 0.5, chunkSize: 5, chunkCount: 2 };
  // finishFeatureSet writes only for a stored, ready dataset.
  beforeEach(async () => {
    for (const id of ['ds1', 'ds2'])
      await db.datasets.add({ id, status: 'ready', createdAt: 0 } as DatasetRow);
  });

  it('a set without finishFeatureSet is not returned; finished, it round-trips', async () => {
    const f = features();
    await putFeatureChunk(db, 'ds1', 0, f.chunk0);
    await putFeatureChunk(db, 'ds1', 1, f.chunk1);
    expect(await getFeatureSet(db, 'ds1')).toBeUndefined();
    const back = (await getFeatureChunk(db, 'ds1', 1))!;
    expect(back.start).toBe(5);
    expect(back.avgRating).toBeInstanceOf(Float32Array);
    expect(back.lastPositives).toEqual(f.chunk1.lastPositives);
    expect(back.topGenres).toEqual(f.chunk1.topGenres);
    expect(back.count).toEqual(f.chunk1.count);

    const row = await finishFeatureSet(db, 'ds1', f.set, meta);
    const got = (await getFeatureSet(db, 'ds1'))!;
    expect(got).toEqual(row);
    expect(got).toMatchObject({ ...meta, datasetId: 'ds1', rows: 9, cutoff: f.set.cutoff });
    expect(got.movies.ratingAvg).toBeInstanceOf(Float32Array);
    expect(got.movies.ratingCount).toEqual(f.set.movies.ratingCount);
  });

  it('deleteFeatureSet removes the set and its chunks, for that dataset only', async () => {
    const f = features();
    for (const id of ['ds1', 'ds2']) {
      await putFeatureChunk(db, id, 0, f.chunk0);
      await putFeatureChunk(db, id, 1, f.chunk1);
      await finishFeatureSet(db, id, f.set, meta);
    }
    await deleteFeatureSet(db, 'ds1');
    expect(await getFeatureSet(db, 'ds1')).toBeUndefined();
    expect(await getFeatureChunk(db, 'ds1', 0)).toBeUndefined();
    expect(await getFeatureChunk(db, 'ds1', 1)).toBeUndefined();
    expect(await getFeatureSet(db, 'ds2')).toBeDefined();
    expect(await db.featureChunks.count()).toBe(2);
  });
});

describe('deleteDataset', () => {
  it("removes the dataset's embeddings, feature set and feature chunks, and only those", async () => {
    const a = await writeDataset(db, tinyDataset('a'), { source: 'a' });
    const b = await writeDataset(db, tinyDataset('b'), { source: 'b' });
    const f = features();
    for (const id of [a, b]) {
      await saveEmbedding(db, id, await fakeResult(1));
      await saveEmbedding(db, id, await fakeResult(2));
      await putFeatureChunk(db, id, 0, f.chunk0);
      await putFeatureChunk(db, id, 1, f.chunk1);
      await finishFeatureSet(db, id, f.set, { seconds: 1, chunkSize: 5, chunkCount: 2 });
    }
    await deleteDataset(db, a);
    expect(await listEmbeddings(db, a)).toEqual([]);
    expect(await chosenEmbedding(db, a)).toBeUndefined();
    expect(await db.embeddingData.where('datasetId').equals(a).count()).toBe(0);
    expect(await getFeatureSet(db, a)).toBeUndefined();
    expect(await getFeatureChunk(db, a, 0)).toBeUndefined();
    // b keeps everything.
    expect(await listEmbeddings(db, b)).toHaveLength(2);
    expect(await db.embeddingData.count()).toBe(2);
    expect(await db.featureChunks.count()).toBe(2);
    expect(await getFeatureSet(db, b)).toBeDefined();
    expect((await chosenEmbedding(db, b))?.datasetId).toBe(b);
  });
});

describe('schema upgrade', () => {
  it('a version-1 database opens at the current version with its rows kept', async () => {
    const name = `emb-test-v1-${n++}`;
    const v1 = new Dexie(name);
    // Version 1 exactly as released (issue 2).
    v1.version(1).stores({
      datasets: 'id, status, createdAt',
      movies: '[datasetId+index], *genreKeys',
      users: 'datasetId',
      tags: '[datasetId+movie]',
      ratingChunks: '[datasetId+chunk]',
      idMaps: 'datasetId',
      kv: 'key',
    });
    await v1.open();
    // Write a real dataset through a v2 handle's code path, using the v1 tables only.
    const ds = tinyDataset('old');
    const tmp = new WrenDb(`emb-test-src-${n++}`);
    const id = await writeDataset(tmp, ds, { source: 'old.zip' });
    for (const table of ['datasets', 'movies', 'users', 'tags', 'ratingChunks', 'idMaps', 'kv']) {
      await v1.table(table).bulkPut(await tmp.table(table).toArray());
    }
    await tmp.delete();
    expect(v1.verno).toBe(1);
    v1.close();

    const up = new WrenDb(name);
    try {
      await up.open();
      expect(up.verno).toBe(3);
      expect((await listDatasets(up)).map((d) => d.id)).toEqual([id]);
      expect((await getActiveDataset(up))?.id).toBe(id);
      expect(Array.from((await readRatings(up, id)).movie)).toEqual(Array.from(ds.ratings.movie));
      // The new tables exist, empty and writable.
      expect(await listEmbeddings(up, id)).toEqual([]);
      expect(await getFeatureSet(up, id)).toBeUndefined();
      const row = await saveEmbedding(up, id, await fakeResult(5));
      expect((await chosenEmbedding(up, id))?.id).toBe(row.id);
      await deleteDataset(up, id);
      expect(await up.embeddings.count()).toBe(0);
    } finally {
      await up.delete();
    }
  });
});
