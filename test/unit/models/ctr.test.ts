/**
 * The CTR models' contract and their parts: sparrow-ctr's rows; every model
 * learns the planted tastes (ROC-AUC 0.05 above ranking by each movie's
 * share of liked ratings), learns nothing from shuffled labels, predicts the
 * same after save and load, leaves no tfjs tensors, and stops when cancelled
 * in the middle of its fit; DIN and DIEN read the history's order; Wide&Deep's
 * crossed feature; user id dropout.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateCtr } from '../../../src/core/eval/ctr.ts';
import { rocAuc } from '../../../src/core/eval/metrics.ts';
import { movieMetaFromMovies } from '../../../src/core/features/movie-features.ts';
import {
  CTR_NUMERIC,
  selectRows,
  sparrowCtrSplit,
  type CatField,
  type CtrRows,
  type CtrSplit,
} from '../../../src/core/models/ctr-data.ts';
import {
  CROSS_BUCKETS,
  crossBucket,
  CTR_DEFAULTS,
  CtrModel,
  type CtrKind,
} from '../../../src/core/models/ctr.ts';
import { CTR_MODELS } from '../../../src/core/models/ctr-info.ts';
import type { SavedModel } from '../../../src/core/models/types.ts';
import { Random } from '../../../src/core/random.ts';
import { cancelMidFit } from './cancel-mid-fit.ts';

const ds = generateDataset({
  ratings: 30_000,
  users: 200,
  movies: 400,
  seed: 9,
  demographics: false,
});
const meta = movieMetaFromMovies(ds.movies, ds.genres);
const split = sparrowCtrSplit(ds.ratings, meta);

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('sparrow-ctr rows', () => {
  it('split every rating by time into train and test with the right labels', () => {
    expect(split.train.rows + split.test.rows).toBe(ds.ratings.user.length);
    expect(split.train.rows).toBe(split.set.trainRows);
    const pos = split.train.labels.reduce((a, b) => a + b, 0) / split.train.rows;
    expect(pos).toBeCloseTo(split.set.trainPositiveRate, 10);
  });

  it('standardizes numeric features on the training rows and maps missing ids to padding', () => {
    const K = CTR_NUMERIC.length;
    for (let k = 0; k < K; k++) {
      let m = 0;
      for (let r = 0; r < split.train.rows; r++) m += split.train.nums[r * K + k]!;
      expect(Math.abs(m / split.train.rows)).toBeLessThan(1e-3);
    }
    const last = split.train.cats.find((c) => c.name === 'lastPositives')!;
    expect(last.width).toBe(5);
    expect(Math.max(...last.values)).toBeLessThan(last.vocab);
    // A user's first rating has no earlier liked movie: all padding.
    expect([...last.values.subarray(0, 5)]).toEqual(Array(5).fill(last.vocab - 1));
    expect(split.tables.movie).toBe(ds.movies.length + 1);
  });
});

/** ROC-AUC of ranking the test rows by their movie's share of liked ratings in training. */
function popularityShare(): number {
  const movies = split.train.cats[1]!;
  const liked = new Float64Array(movies.vocab);
  const seen = new Float64Array(movies.vocab);
  for (let r = 0; r < split.train.rows; r++) {
    seen[movies.values[r]!]!++;
    liked[movies.values[r]!]! += split.train.labels[r]!;
  }
  const test = split.test.cats[1]!;
  const p = Float32Array.from({ length: split.test.rows }, (_, r) => {
    const m = test.values[r]!;
    return seen[m]! ? liked[m]! / seen[m]! : 0;
  });
  return evaluateCtr(split.test.labels, p).metrics.rocAuc;
}
const popularityAuc = popularityShare();

describe('CTR models', () => {
  const shuffled = (s: CtrSplit): CtrSplit => {
    const labels = new Random(3).shuffle(s.train.labels.slice());
    return { ...s, train: { ...s.train, labels } };
  };

  it.each(['lr', 'fm', 'emb-mlp', 'wide-deep', 'deepfm', 'din', 'dien'] as const)(
    '%s learns the planted tastes; shuffled labels learn nothing',
    async (kind) => {
      const before = tf.memory().numTensors;
      const config = { ...CTR_MODELS.find((c) => c.name === kind)!.defaults, epochs: 2 };
      const m = new CtrModel(kind, config);
      await m.fit(split);
      const auc = evaluateCtr(split.test.labels, m.predict(split.test)).metrics.rocAuc;
      expect(auc).toBeGreaterThan(0.6);
      // Clearly better than popularity: each movie's share of liked ratings in training.
      expect(auc).toBeGreaterThan(popularityAuc + 0.05);
      // The same probabilities after save and load (through a structured clone, as IndexedDB gives it back).
      const loaded = CtrModel.load(structuredClone(m.save()));
      expect([...loaded.predict(split.test)]).toEqual([...m.predict(split.test)]);
      const control = new CtrModel(kind, config);
      await control.fit(shuffled(split));
      const chance = evaluateCtr(split.test.labels, control.predict(split.test)).metrics.rocAuc;
      expect(Math.abs(chance - 0.5)).toBeLessThan(0.06);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});

describe('cancelling a CTR model', () => {
  it.each(['lr', 'fm', 'emb-mlp', 'wide-deep', 'deepfm', 'din', 'dien'] as const)(
    '%s stops in the middle of its fit',
    async (kind) => {
      const before = tf.memory().numTensors;
      const config = { ...CTR_MODELS.find((c) => c.name === kind)!.defaults, epochs: 2 };
      const m = new CtrModel(kind, config);
      const cut = await cancelMidFit((opts) => m.fit(split, opts));
      expect(cut.error).toEqual(new Error('stop'));
      expect(cut.at).toBeLessThan(0.5);
      expect(cut.after).toBeLessThanOrEqual(1);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});

/**
 * Rows labelled by whether the candidate movie is in the group (movie mod 4) of the user's most
 * recent liked movie; the 0–4 earlier liked movies are noise. Also the best test ROC-AUC of any
 * model blind to the history's order: given the history as a set, the most recent is any of its
 * movies alike, so the label's probability is the share of them in the candidate's group.
 */
function recencySplit(): { split: CtrSplit; ceiling: number } {
  const movies = 24;
  const rng = new Random(5);
  const rows = (n: number): { data: CtrRows; blind: Float32Array } => {
    const movie = new Int32Array(n);
    const last = new Int32Array(n * 5).fill(movies);
    const labels = new Float32Array(n);
    const blind = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      movie[r] = rng.int(movies);
      const length = 1 + rng.int(5);
      let same = 0;
      for (let j = 0; j < length; j++) {
        last[r * 5 + j] = rng.int(movies);
        same += last[r * 5 + j]! % 4 === movie[r]! % 4 ? 1 : 0;
      }
      labels[r] = last[r * 5]! % 4 === movie[r]! % 4 ? 1 : 0;
      blind[r] = same / length;
    }
    const field = (name: string, table: string, vocab: number, values: Int32Array): CatField => ({
      name,
      table,
      vocab,
      width: values.length / n,
      values,
    });
    const cats = [
      field('user', 'user', 2, new Int32Array(n)),
      field('movie', 'movie', movies + 1, movie),
      field('lastPositives', 'movie', movies + 1, last),
    ];
    const nums = Float32Array.from({ length: n }, () => rng.normal());
    const times = Uint32Array.from({ length: n }, (_, i) => i);
    return { data: { rows: n, cats, nums, labels, times }, blind };
  };
  const train = rows(16_000);
  const test = rows(4_000);
  return {
    split: {
      set: split.set,
      numNames: ['noise'],
      tables: { user: 2, movie: movies + 1 },
      train: train.data,
      test: test.data,
    },
    ceiling: rocAuc(test.data.labels, test.blind),
  };
}

describe('the order of the history', () => {
  const recency = recencySplit();
  const config = { ...CTR_MODELS.find((c) => c.name === 'dien')!.defaults, learningRate: 0.01 };

  it.each(['dien', 'wide-deep'] as const)(
    '%s learns what the most recent liked movie says, beyond any order-blind model',
    async (kind) => {
      const before = tf.memory().numTensors;
      const m = new CtrModel(kind, config);
      await m.fit(recency.split);
      const auc = rocAuc(recency.split.test.labels, m.predict(recency.split.test));
      expect(auc).toBeGreaterThan(recency.ceiling);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('saves DIEN’s GRU and AUGRU weights and Wide&Deep’s cross table', async () => {
    const saved = async (kind: CtrKind): Promise<SavedModel['arrays']> => {
      const m = new CtrModel(kind, { ...config, epochs: 1 });
      await m.fit(recency.split);
      return m.save().arrays;
    };
    const mlp = await saved('emb-mlp');
    const dien = await saved('dien');
    const wide = await saved('wide-deep');
    const d = CTR_DEFAULTS.dim;
    // Per GRU: W_x [d, 3d], U [d, 2d], U_n [d, d], b [1, 3d]; W_a [d, d] between them.
    expect(dien.dense!.length - mlp.dense!.length).toBe(2 * (6 * d * d + 3 * d) + d * d);
    expect(mlp['table:cross']).toBeUndefined();
    expect(wide['table:cross']!.length).toBe(CROSS_BUCKETS + 1);
  });
});

describe('Wide&Deep’s crossed feature', () => {
  it('hashes movie × last liked movie into the buckets, the same way every time', () => {
    const padding = 1000;
    const buckets = new Set<number>();
    for (let movie = 0; movie < 40; movie++)
      for (let last = 0; last < 25; last++) {
        const b = crossBucket(movie, last, padding);
        expect(Number.isInteger(b) && b >= 0 && b < CROSS_BUCKETS).toBe(true);
        buckets.add(b);
      }
    // 1,000 pairs in 10,000 buckets: a uniform hash leaves about 50 pairs sharing a bucket.
    expect(buckets.size).toBeGreaterThan(900);
    expect(crossBucket(2, 1, padding)).not.toBe(crossBucket(1, 2, padding));
    // Saved models depend on the buckets.
    expect(crossBucket(1, 2, padding)).toBe(6093);
  });

  it('puts "no liked movie" into the padding bucket, the table’s last row', () => {
    expect(crossBucket(7, 1000, 1000)).toBe(CROSS_BUCKETS);
    expect(crossBucket(0, 1000, 1000)).toBe(CROSS_BUCKETS);
  });
});

describe('saving and loading a CTR model', () => {
  it.each(['lr', 'wide-deep', 'din', 'dien'] as const)(
    '%s predicts the same probabilities after save and load, and keeps the serving data',
    async (kind) => {
      const config = { ...CTR_MODELS.find((c) => c.name === kind)!.defaults, epochs: 1 };
      const m = new CtrModel(kind, config);
      await m.fit(split);
      const before = tf.memory().numTensors;
      const saved = m.save();
      expect(saved.arrays['norm:mean']!.length).toBe(CTR_NUMERIC.length);
      expect(saved.arrays['norm:sd']!.length).toBe(CTR_NUMERIC.length);
      expect(saved.arrays['movie:nums']!.length).toBe(ds.movies.length * 4);
      // Through a copy, as IndexedDB's structured clone gives it back.
      const loaded = CtrModel.load(structuredClone(saved));
      expect(loaded.kind).toBe(kind);
      expect(loaded.config.epochs).toBe(1);
      expect(loaded.serving!.mean).toEqual(split.serving!.mean);
      expect(loaded.serving!.sd).toEqual(split.serving!.sd);
      expect([...loaded.predict(split.test)]).toEqual([...m.predict(split.test)]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('keeps the standardization the split used', () => {
    const K = CTR_NUMERIC.length;
    const { mean, sd } = split.serving!;
    // Row 1000's movie-side numerics, standardized again from the kept movie features.
    const r = 1000;
    const movie = split.train.cats[1]!.values[r]!;
    for (let k = 0; k < 4; k++) {
      const x = split.serving!.movieNums[movie * 4 + k]!;
      const z = Number.isNaN(x) ? 0 : (x - mean[k]!) / sd[k]!;
      expect(split.train.nums[r * K + k]).toBeCloseTo(z, 4);
    }
  });

  it('refuses a save that is not a CTR model', () => {
    expect(() =>
      CtrModel.load({ model: 'gmf', config: {}, userCount: 0, itemCount: 0, arrays: {} }),
    ).toThrow(/not a CTR model/);
  });
});

describe('user id dropout', () => {
  // Train on the users below 100 only, so the others are users training never saw, as most users
  // of sparrow-ctr's test period are.
  const users = split.train.cats.find((c) => c.name === 'user')!;
  const keep: number[] = [];
  for (let r = 0; r < split.train.rows; r++) if (users.values[r]! < 100) keep.push(r);
  const partial: CtrSplit = { ...split, train: selectRows(split.train, keep) };
  const padding = users.vocab - 1;
  /** The first 200 test rows, all as user `u`. */
  const asUser = (u: number): CtrRows => {
    const rows = selectRows(
      split.test,
      Array.from({ length: 200 }, (_, i) => i),
    );
    rows.cats.find((c) => c.name === 'user')!.values.fill(u);
    return rows;
  };

  it('reads a user that training never touched as the padding user, which the dropout trained', async () => {
    const m = new CtrModel('lr', { ...CTR_DEFAULTS, epochs: 1, userDropout: 0.5 });
    await m.fit(partial);
    const pad = m.predict(asUser(padding));
    expect([...m.predict(asUser(150))]).toEqual([...pad]);
    // A user it trained keeps their own weight.
    expect([...m.predict(asUser(7))]).not.toEqual([...pad]);
    // And so after save → load.
    expect([...CtrModel.load(m.save()).predict(asUser(150))]).toEqual([...pad]);
  });

  it('leaves unseen users at their own untrained rows without dropout', async () => {
    const m = new CtrModel('lr', { ...CTR_DEFAULTS, epochs: 1, userDropout: 0 });
    await m.fit(partial);
    expect([...m.predict(asUser(150))]).not.toEqual([...m.predict(asUser(padding))]);
  });

  it('with a share of 1 makes the user id no input at all', async () => {
    const m = new CtrModel('fm', { ...CTR_DEFAULTS, epochs: 1, userDropout: 1 });
    await m.fit(partial);
    const pad = [...m.predict(asUser(padding))];
    for (const u of [0, 7, 99, 150]) expect([...m.predict(asUser(u))]).toEqual(pad);
  });
});
