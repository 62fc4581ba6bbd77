/**
 * trainRanker (one for the Pipeline page, the CLI and the benches): fusion
 * needs nothing, embedding needs vectors, personal needs the catalog, a
 * registry model is trained with its defaults and the seed, tfjs is loaded
 * before a neural model is built, and an unknown name is refused.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { interactionsOf, trainingCatalog } from '../../../src/core/recommend/offline.ts';
import { trainRanker } from '../../../src/core/recommend/train-ranker.ts';

const ds = generateDataset({
  ratings: 3_000,
  users: 60,
  movies: 120,
  seed: 2,
  demographics: false,
});
const data = interactionsOf(ds.ratings, ds.movies.length);
const catalog = trainingCatalog(ds.movies, data);

describe('trainRanker', () => {
  it('fusion needs no model; embedding needs vectors; personal needs the catalog', async () => {
    const fusion = await trainRanker('fusion', data, { seed: 1 });
    expect(fusion.ranker).toBeNull();
    expect(fusion.title).toBe('Channel fusion');
    await expect(trainRanker('embedding', data, { seed: 1 })).rejects.toThrow(/item2vec/);
    await expect(trainRanker('personal', data, { seed: 1 })).rejects.toThrow(/catalog/);
    const personal = await trainRanker('personal', data, { seed: 1, catalog });
    expect(personal.ranker!.name).toBe('personal');
    expect(personal.model!.model).toBe('ease');
  });

  it('trains a registry model with its defaults and the seed, reporting progress', async () => {
    const stages = new Set<string>();
    const svd = await trainRanker('puresvd', data, {
      seed: 7,
      onProgress: (stage) => stages.add(stage),
    });
    expect(svd.ranker!.name).toBe('puresvd');
    expect(svd.ranker!.model).toBe(svd.model);
    expect(svd.model!.config.seed).toBe(7);
    expect(stages.size).toBeGreaterThan(0);
    await expect(trainRanker('nope', data, { seed: 1 })).rejects.toThrow(/Unknown model "nope"/);
  });

  it('loads tfjs before it builds a neural model, and not for the others', async () => {
    let loads = 0;
    const loadTf = async (): Promise<void> => {
      loads++;
      await tf.setBackend('wasm');
    };
    await trainRanker('itemknn', data, { seed: 1, loadTf });
    expect(loads).toBe(0);
    const gmf = await trainRanker('gmf', data, { seed: 1, loadTf });
    expect(loads).toBe(1);
    expect(gmf.ranker!.name).toBe('gmf');
    gmf.model!.dispose?.();
  });
});
