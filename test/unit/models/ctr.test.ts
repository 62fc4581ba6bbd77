import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateCtr } from '../../../src/core/eval/ctr.ts';
import { movieMetaFromMovies } from '../../../src/core/features/movie-features.ts';
import { CTR_NUMERIC, sparrowCtrSplit, type CtrSplit } from '../../../src/core/models/ctr-data.ts';
import { CtrModel } from '../../../src/core/models/ctr.ts';
import { CTR_MODELS } from '../../../src/core/models/ctr-info.ts';
import { Random } from '../../../src/core/random.ts';

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

describe('CTR models', () => {
  const shuffled = (s: CtrSplit): CtrSplit => {
    const labels = new Random(3).shuffle(s.train.labels.slice());
    return { ...s, train: { ...s.train, labels } };
  };

  it.each(['lr', 'fm', 'emb-mlp', 'wide-deep', 'deepfm', 'din'] as const)(
    '%s learns the planted tastes; shuffled labels learn nothing',
    async (kind) => {
      const before = tf.memory().numTensors;
      const config = { ...CTR_MODELS.find((c) => c.name === kind)!.defaults, epochs: 2 };
      const m = new CtrModel(kind, config);
      await m.fit(split);
      const auc = evaluateCtr(split.test.labels, m.predict(split.test)).metrics.rocAuc;
      expect(auc).toBeGreaterThan(0.6);
      const control = new CtrModel(kind, config);
      await control.fit(shuffled(split));
      const chance = evaluateCtr(split.test.labels, control.predict(split.test)).metrics.rocAuc;
      expect(Math.abs(chance - 0.5)).toBeLessThan(0.06);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
