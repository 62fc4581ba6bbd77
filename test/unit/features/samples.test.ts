import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { WrenError } from '../../../src/core/errors.ts';
import * as features from '../../../src/core/features/index.ts';
import { featureSet, labels } from '../../../src/core/features/samples.ts';
import { columns, tiny } from './helpers.ts';

describe('labels', () => {
  it('is 1 from 3.5 stars (7 half stars) up', () => {
    const r = columns([
      [
        [0, 6, 1],
        [1, 7, 2],
        [2, 10, 3],
        [3, 1, 4],
      ],
    ]);
    expect(Array.from(labels(r))).toEqual([0, 1, 1, 0]);
    expect(Array.from(labels(r, 8))).toEqual([0, 0, 1, 0]);
  });
});

describe('featureSet', () => {
  it('sums up the tiny dataset: cutoff 300, 6 train rows, 1 test row', () => {
    const { ratings, meta } = tiny();
    const fs = featureSet(ratings, meta);
    expect(fs).toMatchObject({
      cutoff: 300,
      quantile: 0.8,
      threshold: 7,
      rows: 7,
      trainRows: 6,
      testRows: 1,
      testPositiveRate: 1, // 4.5★ at t400
    });
    expect(fs.trainPositiveRate).toBeCloseTo(3 / 6, 12); // 4★, 5★, 3.5★ of 4, 2, 5, 3.5, 3, 1
    expect(Array.from(fs.movies.ratingCount)).toEqual([1, 2, 1, 2]);
  });

  it('agrees with labels and the split on generated data', () => {
    const ds = generateDataset({ ratings: 10_000, seed: 9 });
    const meta = features.movieMetaFromMovies(ds.movies, ds.genres);
    const fs = featureSet(ds.ratings, meta, { quantile: 0.7 });
    const y = labels(ds.ratings);
    let train = 0;
    let trainPos = 0;
    let testPos = 0;
    for (let i = 0; i < y.length; i++) {
      if (features.isTrain(ds.ratings.timestamp[i]!, fs.cutoff)) {
        train++;
        trainPos += y[i]!;
      } else testPos += y[i]!;
    }
    expect(fs.trainRows).toBe(train);
    expect(fs.testRows).toBe(10_000 - train);
    expect(train).toBeGreaterThanOrEqual(7000);
    expect(fs.trainPositiveRate).toBeCloseTo(trainPos / train, 12);
    expect(fs.testPositiveRate).toBeCloseTo(testPos / (10_000 - train), 12);
    expect(fs.movies).toEqual(features.movieFeatures(ds.ratings, meta, { cutoff: fs.cutoff }));
  });

  it('rejects an empty dataset', () => {
    const { meta } = tiny();
    expect(() => featureSet(columns([]), meta)).toThrow(WrenError);
  });
});
