/**
 * A sequence model ranking For You: it reads your ratings in the order you
 * made them (not the order of movie ids), retrieves for the 'next' channel,
 * and gives each pick the recent movie whose removal lowers it most.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ncfLooSplit } from '../../../src/core/eval/protocols.ts';
import { SequentialModel } from '../../../src/core/models/sequential.ts';
import { buildCatalog } from '../../../src/core/recommend/catalog.ts';
import {
  DEFAULT_PIPELINE,
  reasonText,
  recommend,
  mainReason,
} from '../../../src/core/recommend/pipeline.ts';
import { rankerFor } from '../../../src/core/recommend/rankers.ts';
import { UserState } from '../../../src/core/recommend/user-state.ts';
import { cycleRatings } from '../models/cycle-data.ts';

const ITEMS = 120;
const catalog = buildCatalog(
  Array.from({ length: ITEMS }, (_, index) => ({
    index,
    movieId: index + 1,
    title: `Movie ${index}`,
    year: 2000,
    genres: ['Drama'],
    ratingCount: 50,
    ratingAvg: 4,
  })),
);
let model: SequentialModel;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  const split = ncfLooSplit(cycleRatings(400, ITEMS, 5), 1, { itemCount: ITEMS });
  model = new SequentialModel('sasrec', {
    dim: 16,
    maxLen: 10,
    blocks: 1,
    dropout: 0,
    negatives: 32,
    epochs: 20,
    batchSize: 64,
    learningRate: 0.01,
  });
  await model.fit(split.data);
}, 120_000);

/** You, having rated `movies` in this order. */
const you = (movies: number[]): UserState =>
  UserState.from(
    catalog,
    null,
    movies.map((movie, i) => ({ movie, rating: 4.5, at: 1000 + i })),
  );

describe('a sequence model in For You', () => {
  it('recommends what follows your latest ratings in time order, with a reason from your recent ones', () => {
    const ranker = rankerFor(model, 'SASRec');
    expect(ranker.channel).toBe('next');
    const forward = you([30, 31, 32, 33]);
    const found = ranker.retrieve!({ state: forward }, 5, (m) => forward.ratings.has(m));
    expect(found.movies[0]).toBe(34);
    expect([30, 31, 32, 33]).toContain(found.via![0]);
    // The same movies in another order point elsewhere: after two runs, what follows the later one.
    const runs = (first: number[], second: number[]): number => {
      const state = you([...first, ...second]);
      return ranker.retrieve!({ state }, 5, (m) => state.ratings.has(m)).movies[0]!;
    };
    expect(runs([50, 51, 52, 53], [30, 31, 32, 33])).toBe(34);
    expect(runs([30, 31, 32, 33], [50, 51, 52, 53])).toBe(54);

    const list = recommend(
      { catalog, embedding: null, ranker },
      { state: forward },
      { ...DEFAULT_PIPELINE, minRatings: 0 },
    );
    expect(list.stage).toBe('model');
    expect(list.items[0]!.movie).toBe(34);
    expect(reasonText(catalog, mainReason(list.items[0]!.hits))).toMatch(
      /^People who watched Movie 3[0-3] watched it next$/,
    );
  });
});
