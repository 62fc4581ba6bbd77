/**
 * The Models page's model files (src/core/models/model-file.ts): a stored model written as
 * safetensors with what it is in the metadata, read back against the dataset's movies with
 * the title saying it was imported, whether its users are the dataset's, and the refusals a
 * person sees (too big, not .safetensors, cut short, another dataset's movies).
 */
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { ncfLooSplit } from '../../../src/core/eval/protocols.ts';
import { modelInfo, loadModel } from '../../../src/core/models/index.ts';
import {
  importModelFile,
  MAX_MODEL_FILE_BYTES,
  modelFileBytes,
  modelFileProblem,
} from '../../../src/core/models/model-file.ts';
import { decodeSafetensors } from '../../../src/core/models/safetensors.ts';
import type { HistoryModel } from '../../../src/core/models/history-model.ts';

const ds = generateDataset({
  ratings: 6000,
  users: 100,
  movies: 200,
  seed: 3,
  demographics: false,
});
const ids = { movieIds: ds.movies.map((m) => m.movieId), userIds: ds.users.map((u) => u.userId) };
const INFO = {
  dataset: 'generated',
  title: 'EASE',
  protocol: 'ncf-loo',
  seed: 1,
  metrics: { hr: 0.5, ndcg: 0.3 },
};

async function trainedEase(): Promise<HistoryModel> {
  const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });
  const info = modelInfo('ease')!;
  const model = (await info.create(info.defaults)) as unknown as HistoryModel;
  await model.fit(split.data);
  return model;
}

describe('model files', () => {
  it('refuses a file over 1 GB, an empty one and one not named .safetensors, before reading it', () => {
    expect(modelFileProblem('m.safetensors', 10)).toBeNull();
    expect(modelFileProblem('m.safetensors', MAX_MODEL_FILE_BYTES + 1)).toBe(
      'm.safetensors is 1.0 GB; Wren imports model files of at most 1 GB.',
    );
    expect(modelFileProblem('m.safetensors', 3 * 1024 ** 3)).toMatch(/is 3\.0 GB/);
    expect(modelFileProblem('m.safetensors', 0)).toBe('m.safetensors is empty.');
    expect(modelFileProblem('m.json', 10)).toMatch(/^m\.json is not a \.safetensors file/);
  });

  it('writes a stored model with what it is, and imports it back with the same scores', async () => {
    const model = await trainedEase();
    const bytes = modelFileBytes(model.save(), ids, INFO);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toMatchObject({
      format: 'wren-model',
      model: 'ease',
      dataset: 'generated',
      title: 'EASE',
      protocol: 'ncf-loo',
      seed: '1',
      userCount: '100',
      itemCount: '200',
    });
    expect(JSON.parse(metadata.metrics!)).toEqual(INFO.metrics);
    expect(Object.keys(tensors)).toEqual(expect.arrayContaining(['movieIds', 'userIds', 'active']));

    const got = importModelFile(bytes, 'ease.safetensors', ids);
    expect(got.title).toBe('EASE (imported from ease.safetensors)');
    expect(got.model).toBe('ease');
    expect(got.importedFrom).toBe('ease.safetensors');
    expect(got.usersMatch).toBe(true);
    expect(got.missing).toBe(0);
    const back = (await loadModel(got.saved)) as HistoryModel;
    const a = new Float32Array(200);
    const b = new Float32Array(200);
    model.scoreHistory([1, 5, 9], null, a);
    back.scoreHistory([1, 5, 9], null, b);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('says when the file’s users are not the dataset’s, and writes an imported model’s source', async () => {
    const model = await trainedEase();
    const shuffled = { ...ids, userIds: [...ids.userIds].reverse() };
    const bytes = modelFileBytes(model.save(), shuffled, {
      ...INFO,
      importedFrom: 'x.safetensors',
    });
    expect(decodeSafetensors(bytes).metadata.importedFrom).toBe('x.safetensors');
    expect(importModelFile(bytes, 'x.safetensors', ids).usersMatch).toBe(false);
  });

  it('refuses a file cut short and one of another dataset’s movies, naming the problem', async () => {
    const bytes = modelFileBytes((await trainedEase()).save(), ids, INFO);
    expect(() => importModelFile(bytes.subarray(0, 100), 'cut.safetensors', ids)).toThrow(
      /cut short/,
    );
    const other = { ...ids, movieIds: ids.movieIds.map((id) => id + 1_000_000) };
    expect(() => importModelFile(bytes, 'other.safetensors', other)).toThrow(
      /scores 200 movies this dataset does not have/,
    );
  });

  it('refuses to write a CTR model', () => {
    const saved = { model: 'deepfm', config: {}, userCount: 0, itemCount: 0, arrays: {} };
    expect(() => modelFileBytes(saved, ids, INFO)).toThrow(/only ranking models download/);
  });
});
