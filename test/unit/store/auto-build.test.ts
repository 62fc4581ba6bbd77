/**
 * What the automatic build stores: the personal model as the models worker
 * saves it (read from the store, fitted, saved, loaded back scoring the
 * same), nothing for a dataset deleted meanwhile, and the default embedding
 * marked `auto` without taking "similar movies" from one a person chose.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import {
  DEFAULT_EMBED_SETTINGS,
  type EmbeddingResult,
} from '../../../src/core/embeddings/embed.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { loadModel } from '../../../src/core/models/index.ts';
import { interactionsOf } from '../../../src/core/recommend/offline.ts';
import { fitPersonalModel } from '../../../src/core/recommend/personal.ts';
import {
  WrenDb,
  chooseEmbedding,
  chosenEmbedding,
  deleteDataset,
  deleteEmbedding,
  getModelData,
  listEmbeddings,
  listModels,
  readRatings,
  saveEmbedding,
  saveModel,
  writeDataset,
} from '../../../src/store/index.ts';
import { buildPlan } from '../../../src/ui/lib/auto-build.ts';
import { tinyDataset } from './tiny.ts';

let db: WrenDb;
let n = 0;
beforeEach(async () => {
  db = new WrenDb(`auto-build-test-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const personalRow = (datasetId: string) => ({
  datasetId,
  model: 'ease',
  title: 'EASE, built automatically',
  protocol: 'personal' as const,
  auto: true,
  seed: 1,
  config: {},
  metrics: {},
  epochLog: [],
  backend: 'js',
  fitSeconds: 1,
  evalSeconds: 0,
  samplesPerSecond: 1,
});

function embedding(seed: number): EmbeddingResult {
  const dim = 2;
  const items = Int32Array.from([0, 1, 2]);
  return {
    settings: { ...DEFAULT_EMBED_SETTINGS, dim },
    engine: 'js',
    threads: 1,
    dim,
    items,
    vectors: Float32Array.from([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2].map((x) => x * seed)),
    map: new Float32Array(6),
    hnsw: null,
    losses: [0.7],
    metrics: {
      hr10: 0,
      ndcg10: 0,
      popularityHr10: 0,
      popularityNdcg10: 0,
      users: 3,
      genreCoherence: 0,
      genreCoherenceRandom: 0,
      annRecall10: 1,
      annQueryMs: 0,
      exactQueryMs: 0,
      corpusTokens: 9,
    },
    seconds: 1,
    trainSeconds: 1,
    tokensPerSecond: 9,
  };
}

describe('the personal model, as the models worker stores it', () => {
  it('fits on every stored rating, saves marked auto and loads back scoring the same', async () => {
    const ds = generateDataset({
      ratings: 6_000,
      users: 80,
      movies: 200,
      seed: 3,
      demographics: false,
    });
    const id = await writeDataset(db, ds, { source: 'generated' });
    expect(buildPlan(await listModels(db, id), await listEmbeddings(db, id)).ranker).toBe(true);
    const data = interactionsOf(await readRatings(db, id), ds.movies.length);
    const seen: string[] = [];
    const model = await fitPersonalModel(data, { onProgress: (p) => seen.push(p.stage) });
    expect(seen.length).toBeGreaterThan(0);
    const row = await saveModel(db, { ...personalRow(id), config: model.config }, model, {
      requireDataset: true,
    });
    expect(row.protocol).toBe('personal');
    expect(row.auto).toBe(true);
    expect(buildPlan(await listModels(db, id), []).ranker).toBe(false);
    const back = await loadModel((await getModelData(db, row.id))!.saved);
    const history = [0, 5, 9];
    const a = new Float32Array(ds.movies.length);
    const b = new Float32Array(ds.movies.length);
    model.scoreHistory(history, null, a);
    (back as typeof model).scoreHistory(history, null, b);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('stores nothing for a dataset deleted before the save', async () => {
    const id = await writeDataset(db, tinyDataset('gone'), { source: 'a' });
    await deleteDataset(db, id);
    const err = await saveModel(
      db,
      personalRow(id),
      { save: () => ({}) as never },
      {
        requireDataset: true,
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrenError);
    expect((err as WrenError).code).toBe('not-found');
    expect(await db.models.count()).toBe(0);
    expect(await db.modelData.count()).toBe(0);
  });

  it('a cancelled fit throws before anything could be saved', async () => {
    const ds = generateDataset({ ratings: 3_000, users: 40, movies: 100, seed: 4 });
    const data = interactionsOf(ds.ratings, ds.movies.length);
    const controller = new AbortController();
    controller.abort(new WrenError('cancelled', 'Cancelled.'));
    await expect(fitPersonalModel(data, { signal: controller.signal })).rejects.toThrow();
  });
});

describe('the default embedding', () => {
  /** Saves with a fixed clock, so "newest" is well defined. */
  async function saveAt(time: number, datasetId: string, r: EmbeddingResult, auto: boolean) {
    const spy = vi.spyOn(Date, 'now').mockReturnValue(time);
    try {
      return await saveEmbedding(db, datasetId, r, { auto });
    } finally {
      spy.mockRestore();
    }
  }

  it('is marked auto and chosen when it is the first', async () => {
    const id = await writeDataset(db, tinyDataset(), { source: 'a' });
    const row = await saveAt(1000, id, embedding(1), true);
    expect(row.auto).toBe(true);
    expect((await chosenEmbedding(db, id))?.id).toBe(row.id);
    // A person's embedding is not marked.
    expect((await saveAt(2000, id, embedding(1), false)).auto).toBeUndefined();
  });

  it('leaves similar movies on the one a person trained or chose meanwhile', async () => {
    const id = await writeDataset(db, tinyDataset(), { source: 'a' });
    const older = await saveAt(1000, id, embedding(1), false);
    const mine = await saveAt(2000, id, embedding(1), false);
    await chooseEmbedding(db, id, older.id);
    await saveAt(3000, id, embedding(1), true);
    expect((await chosenEmbedding(db, id))?.id).toBe(older.id);
    // With no choice stored, similar movies use the newest: an automatic one saved later keeps it so.
    await deleteEmbedding(db, older.id);
    await db.embeddings.delete((await listEmbeddings(db, id)).find((r) => r.auto)!.id);
    expect((await chosenEmbedding(db, id))?.id).toBe(mine.id);
    await saveAt(4000, id, embedding(1), true);
    expect((await chosenEmbedding(db, id))?.id).toBe(mine.id);
  });

  it('stores nothing for a dataset deleted meanwhile', async () => {
    const id = await writeDataset(db, tinyDataset(), { source: 'a' });
    await deleteDataset(db, id);
    const err = await saveAt(1000, id, embedding(1), true).catch((e: unknown) => e);
    expect((err as WrenError).code).toBe('not-found');
    expect(await db.embeddings.count()).toBe(0);
    expect(await db.embeddingData.count()).toBe(0);
  });
});
