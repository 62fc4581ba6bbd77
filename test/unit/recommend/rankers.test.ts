/**
 * Rankers for someone the models never saw: a neural model's folded-in user
 * row and a history model's scores from a history alone should rank a
 * dataset user's held-out movie about as well as the trained row does —
 * and clearly better than chance — without leaking tensors.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateSplit, ncfLooSplit } from '../../../src/core/eval/protocols.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { ItemKnn } from '../../../src/core/models/item-knn.ts';
import { NeuralCf, type NcfVariant } from '../../../src/core/models/neural-cf.ts';
import { buildCatalog } from '../../../src/core/recommend/catalog.ts';
import { DEFAULT_PIPELINE, recommend } from '../../../src/core/recommend/pipeline.ts';
import type { Candidate } from '../../../src/core/recommend/channels.ts';
import {
  historyRanker,
  neuralRanker,
  rankerFor,
  type Ranker,
} from '../../../src/core/recommend/rankers.ts';
import { UserState } from '../../../src/core/recommend/user-state.ts';

const ds = generateDataset({
  ratings: 40_000,
  users: 300,
  movies: 600,
  seed: 11,
  demographics: false,
});
const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });
const catalog = buildCatalog(ds.movies);
/** The first `n` evaluated users. */
const first = (n: number): typeof split => ({ ...split, users: split.users.subarray(0, n) });
const sub = first(120);

/** A dataset user's training ratings as a profile state (as if they were you). */
function stateOf(user: number): UserState {
  const { train, trainRatings, trainTimes } = split.data;
  const history = [];
  for (let i = train.offsets[user]!; i < train.offsets[user + 1]!; i++)
    history.push({ movie: train.items[i]!, rating: trainRatings[i]! / 2, at: trainTimes[i]! });
  return UserState.from(catalog, null, history);
}

/** HR@10 of a ranker scoring each user from their state alone (no user index). */
function hrAsNewUser(ranker: Ranker, users = sub): number {
  return evaluateSplit(users, (u, items, out) => {
    const cands: Candidate[] = Array.from(items!, (movie) => ({ movie, hits: [] }));
    ranker.score({ state: stateOf(u) }, cands, out);
  }).hr!;
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('fold-in', () => {
  it.each(['gmf', 'two-tower', 'neumf'] as NcfVariant[])(
    '%s: a folded-in user ranks their held-out movie nearly as well as their trained row',
    async (variant) => {
      const model = new NeuralCf(variant, { epochs: 3, validate: 0 });
      await model.fit(split.data);
      // NeuMF folds in through tfjs (a few hundred ms a user): fewer users.
      const users = variant === 'neumf' ? first(40) : sub;
      const trained = evaluateSplit(users, (u, items, out) => model.score(u, items, out)).hr!;
      const before = tf.memory().numTensors;
      const folded = hrAsNewUser(neuralRanker(model, variant), users);
      expect(tf.memory().numTensors).toBe(before);
      // Chance is 0.1 (10 of 100 candidates).
      expect(folded).toBeGreaterThan(0.2);
      expect(folded).toBeGreaterThan(trained - 0.1);
    },
  );

  it('caches the folded row until the ratings change', async () => {
    const model = new NeuralCf('gmf', { epochs: 1, validate: 0 });
    await model.fit(split.data);
    const ranker = neuralRanker(model, 'GMF');
    const state = stateOf(0);
    const cands: Candidate[] = [{ movie: 1, hits: [] }];
    const out = new Float32Array(1);
    let calls = 0;
    const fold = model.foldIn.bind(model);
    model.foldIn = (liked, opts) => {
      calls++;
      return fold(liked, opts);
    };
    ranker.score({ state }, cands, out);
    ranker.score({ state }, cands, out);
    expect(calls).toBe(1);
    state.rate({ movie: 5, rating: 5, at: 2 ** 31 });
    ranker.score({ state }, cands, out);
    expect(calls).toBe(2);
  });
});

describe('history ranker', () => {
  it('ItemKNN from a history alone scores as the model scores its training users', async () => {
    const model = new ItemKnn({ neighbours: 50 });
    await model.fit(split.data);
    // Every rating of the synthetic users is a positive here only if ≥ 3.5 stars; the ranker
    // reads liked movies, the model its whole training history: both beat chance clearly.
    const trained = evaluateSplit(sub, (u, items, out) => model.score(u, items, out)).hr!;
    const fromHistory = hrAsNewUser(historyRanker(model, 'ItemKNN'));
    expect(trained).toBeGreaterThan(0.2);
    expect(fromHistory).toBeGreaterThan(0.2);
  });

  it('EASE ranks a new person from their history (rankerFor picks its history ranker)', async () => {
    const model = new Ease({ lambda: 100 });
    await model.fit(split.data);
    const ranker = rankerFor(model, 'EASE');
    const trained = evaluateSplit(sub, (u, items, out) => model.score(u, items, out)).hr!;
    expect(trained).toBeGreaterThan(0.2);
    expect(hrAsNewUser(ranker)).toBeGreaterThan(0.2);
  });
});

describe('two-tower retrieval', () => {
  it('retrieves its own best unseen movies over the whole catalogue, and feeds the pipeline’s tower channel only when it ranks', async () => {
    const model = new NeuralCf('two-tower', { epochs: 2, validate: 0 });
    await model.fit(split.data);
    const ranker = neuralRanker(model, 'Two-tower');
    const state = stateOf(3);
    const seen = (m: number): boolean => state.ratings.has(m) || m % 7 === 0;
    const got = ranker.retrieve!({ state }, 25, seen);
    // The same as scoring every movie and keeping the best 25 that are not seen.
    const all: Candidate[] = Array.from({ length: ds.movies.length }, (_, movie) => ({
      movie,
      hits: [],
    }));
    const out = new Float32Array(all.length);
    ranker.score({ state }, all, out);
    const expected = all
      .map((c) => c.movie)
      .filter((m) => !seen(m))
      .sort((a, b) => out[b]! - out[a]! || a - b)
      .slice(0, 25);
    expect(got.movies).toEqual(expected);
    expect(got.scores).toEqual(expected.map((m) => out[m]!));
    // A dataset user by their trained row: the model's own scores.
    const theirs = ranker.retrieve!({ state, user: 3 }, 5, seen);
    const trained = new Float32Array(all.length);
    model.score(3, null, trained);
    for (let i = 1; i < theirs.movies.length; i++)
      expect(trained[theirs.movies[i - 1]!]!).toBeGreaterThanOrEqual(trained[theirs.movies[i]!]!);
    // In the pipeline: with enough liked movies the tower channel proposes; before that it is off.
    const ctx = { catalog, embedding: null, ranker };
    const r = recommend(ctx, { state }, DEFAULT_PIPELINE);
    expect(state.positives().length).toBeGreaterThanOrEqual(DEFAULT_PIPELINE.minForModel);
    expect(r.stage).toBe('model');
    expect(r.perChannel.tower).toBe(DEFAULT_PIPELINE.sizes.tower);
    const few = UserState.from(catalog, null, state.history().slice(0, 2));
    expect(recommend(ctx, { state: few }, DEFAULT_PIPELINE).perChannel.tower).toBe(0);
    // No other ranker retrieves.
    expect(historyRanker(new ItemKnn({}), 'ItemKNN').retrieve).toBeUndefined();
  });
});
