/**
 * Features on the genuine ml-latest-small (../shared/datasets or
 * WREN_DATASETS), when present. The other feature tests cover the same code
 * on generated data.
 */
import { DATASETS, genuine } from '../../genuine.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importMovieLens } from '../../../src/core/data/import.ts';
import { bytesInput } from '../../../src/core/data/sources.ts';
import type { Dataset } from '../../../src/core/data/types.ts';
import {
  featureSet,
  movieMetaFromMovies,
  userFeatureChunks,
  type MovieMeta,
  type UserFeatureColumns,
} from '../../../src/core/features/index.ts';
import { expectMatchesNaive } from './helpers.ts';

const ZIP = path.join(DATASETS, 'ml-latest-small.zip');

describe.skipIf(!genuine('ml-latest-small.zip'))('features on ml-latest-small', () => {
  let ds: Dataset;
  let meta: MovieMeta;
  beforeAll(async () => {
    ds = await importMovieLens(bytesInput('ml-latest-small.zip', readFileSync(ZIP)));
    meta = movieMetaFromMovies(ds.movies, ds.genres);
  });

  it('splits at the 80% timestamp quantile and keeps test ratings out of movie features', () => {
    const fs = featureSet(ds.ratings, meta);
    const sorted = Float64Array.from(ds.ratings.timestamp).sort();
    expect(fs.cutoff).toBe(sorted[Math.ceil(0.8 * 100_836) - 1]);
    expect(fs.trainRows + fs.testRows).toBe(100_836);
    expect(fs.trainRows).toBeGreaterThanOrEqual(80_669);
    const counted = fs.movies.ratingCount.reduce((a, b) => a + b, 0);
    expect(counted).toBe(fs.trainRows);
    expect(fs.trainPositiveRate).toBeGreaterThan(0.4);
    expect(fs.trainPositiveRate).toBeLessThan(0.7);
  });

  it('user features in store-sized chunks match the direct computation on every row', async () => {
    const parts: UserFeatureColumns[] = [];
    await userFeatureChunks(ds.ratings, meta, {
      chunkSize: 131_072 / 4,
      onChunk: (_c, cols) => void parts.push(cols),
    });
    expect(parts).toHaveLength(4);
    for (const p of parts) expectMatchesNaive(ds.ratings, meta, p);
  });
});
