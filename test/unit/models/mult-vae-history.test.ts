/**
 * Mult-VAE ranks For You: scoring an explicit history (your liked movies)
 * gives exactly what scoring a trained user's row gives, and its ranker reads
 * each person's own history rather than one user's row for everyone.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { ncfLooSplit } from '../../../src/core/eval/protocols.ts';
import { distinctHistories } from '../../../src/core/models/item-knn.ts';
import { MultVae } from '../../../src/core/models/mult-vae.ts';
import { buildCatalog } from '../../../src/core/recommend/catalog.ts';
import { RANKABLE, rankerFor } from '../../../src/core/recommend/rankers.ts';
import { UserState } from '../../../src/core/recommend/user-state.ts';

const ds = generateDataset({
  ratings: 6_000,
  users: 80,
  movies: 200,
  seed: 5,
  demographics: false,
});
const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });
let model: MultVae;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  model = new MultVae({ epochs: 3, hidden: 32, latent: 8, batchSize: 20, validate: 0 });
  await model.fit(split.data);
});

describe('Mult-VAE from a history', () => {
  it('scores a user’s own training history exactly as their trained row', () => {
    const h = distinctHistories(split.data);
    const a = new Float32Array(ds.movies.length);
    const b = new Float32Array(ds.movies.length);
    for (const u of [0, 9, 42]) {
      model.score(u, null, a);
      model.scoreHistory(h.items.subarray(h.offsets[u]!, h.offsets[u + 1]!), null, b);
      for (let m = 0; m < a.length; m++) expect(b[m]).toBeCloseTo(a[m]!, 4);
    }
  });

  it('ranks For You from each person’s liked movies', () => {
    expect(RANKABLE).toContain('mult-vae');
    const catalog = buildCatalog(ds.movies);
    const ranker = rankerFor(model, 'Mult-VAE');
    expect(ranker.name).toBe('mult-vae');
    const candidates = Array.from({ length: ds.movies.length }, (_, movie) => ({
      movie,
      hits: [],
    }));
    const top = (liked: number[]): number => {
      const state = UserState.from(
        catalog,
        null,
        liked.map((movie, at) => ({ movie, rating: 5, at })),
      );
      const out = new Float32Array(candidates.length);
      ranker.score({ state }, candidates, out);
      const want = new Float32Array(ds.movies.length);
      model.scoreHistory(liked, null, want);
      // The ranker reads the liked movies most recent first: the same sums in another order.
      for (let m = 0; m < want.length; m++) expect(out[m]).toBeCloseTo(want[m]!, 5);
      return out.indexOf(Math.max(...out));
    };
    const h = distinctHistories(split.data);
    const mine = (u: number): number[] =>
      Array.from(h.items.subarray(h.offsets[u]!, h.offsets[u + 1]!));
    // Two people with different histories get their own scores, not user 0's.
    const a = new Float32Array(ds.movies.length);
    const b = new Float32Array(ds.movies.length);
    model.scoreHistory(mine(3), null, a);
    model.scoreHistory(mine(60), null, b);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(top(mine(3))).toBeGreaterThanOrEqual(0);
  });
});
