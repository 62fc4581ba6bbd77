/** Trained models in the store (schema version 3): round trip through IndexedDB, list, delete, dataset deletes. */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateSplit, ncfLooSplit } from '../../../src/core/eval/protocols.ts';
import { loadModel, modelInfo } from '../../../src/core/models/index.ts';
import {
  WrenDb,
  deleteDataset,
  deleteModel,
  getModelData,
  listModels,
  saveModel,
  writeDataset,
} from '../../../src/store/index.ts';
import { tinyDataset } from './tiny.ts';

let db: WrenDb;
let n = 0;
beforeEach(async () => {
  db = new WrenDb(`models-test-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

const ds = generateDataset({
  ratings: 8_000,
  users: 100,
  movies: 300,
  seed: 2,
  demographics: false,
});
const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });

async function trained(name: string) {
  const info = modelInfo(name)!;
  const model = await info.create(info.defaults);
  await model.fit(split.data);
  const metrics = evaluateSplit(split, (u, items, out) => model.score(u, items, out));
  return { info, model, metrics };
}

const rowOf = (datasetId: string, name: string, metrics: Record<string, number>) => ({
  datasetId,
  model: name,
  title: name,
  protocol: 'ncf-loo' as const,
  seed: 1,
  config: {},
  metrics,
  epochLog: [],
  backend: 'js',
  fitSeconds: 1,
  evalSeconds: 1,
  samplesPerSecond: 1,
});

describe('models in the store', () => {
  it('scores the same after a round trip through IndexedDB, without retraining', async () => {
    for (const name of ['itemknn', 'puresvd']) {
      const { model, metrics } = await trained(name);
      const row = await saveModel(db, rowOf('d1', name, metrics), model);
      const data = await getModelData(db, row.id);
      const back = await loadModel(data!.saved);
      expect(evaluateSplit(split, (u, items, out) => back.score(u, items, out))).toEqual(metrics);
    }
    const rows = await listModels(db, 'd1');
    expect(rows.map((r) => r.model)).toEqual(['itemknn', 'puresvd']);
    expect(rows[0]!.metrics.hr).toBeGreaterThan(0);
  });

  it('deletes one model, and a dataset’s delete takes its models only', async () => {
    const a = await writeDataset(db, tinyDataset('a'), { source: 'a' });
    const b = await writeDataset(db, tinyDataset('b'), { source: 'b' });
    const { model, metrics } = await trained('popularity');
    const ra = await saveModel(db, rowOf(a, 'popularity', metrics), model);
    await saveModel(db, rowOf(a, 'popularity', metrics), model);
    await saveModel(db, rowOf(b, 'popularity', metrics), model);
    await deleteModel(db, ra.id);
    expect(await listModels(db, a)).toHaveLength(1);
    expect(await getModelData(db, ra.id)).toBeUndefined();
    await deleteDataset(db, a);
    expect(await listModels(db, a)).toEqual([]);
    expect(await listModels(db, b)).toHaveLength(1);
    expect(await db.modelData.count()).toBe(1);
  });
});
