import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeInput } from '../../../src/cli/node-input.ts';
import { importMovieLens } from '../../../src/core/data/import.ts';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import type { Dataset } from '../../../src/core/data/types.ts';
import { compareCtr, groupAuc } from '../../../src/core/eval/ctr.ts';
import { rocAuc } from '../../../src/core/eval/metrics.ts';
import { movieMetaFromMovies } from '../../../src/core/features/movie-features.ts';
import { CtrModel } from '../../../src/core/models/ctr.ts';
import { CTR_MODELS, CTR_RANDOM_SETTINGS } from '../../../src/core/models/ctr-info.ts';
import {
  ageBucket,
  AGE_CODES,
  ctrRandomSplit,
  splitSizes,
  type CtrRandomSplit,
} from '../../../src/core/models/ctr-random.ts';
import { writeMovieLens } from '../cli-harness.ts';

/** ml-100k-like: whole stars, users with age in years, gender, occupation and zip. */
const ds = generateDataset({ ratings: 12_000, users: 120, movies: 300, seed: 5, halfStars: false });
const meta = movieMetaFromMovies(ds.movies, ds.genres);
const split = ctrRandomSplit(ds.ratings, meta, ds.users, 1);
const parts = ['train', 'valid', 'test'] as const;

const field = (s: CtrRandomSplit, part: (typeof parts)[number], name: string) =>
  s[part].cats.find((c) => c.name === name);

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('ctr-random rows', () => {
  it('drops exactly the 3-star ratings and labels the rest by rating ≥ 4 stars', () => {
    const { rating } = ds.ratings;
    const threes = rating.filter((h) => h === 6).length;
    expect(threes).toBeGreaterThan(0);
    expect(split.info.dropped).toBe(threes);
    let rows = 0;
    for (const p of parts) {
      const src = split.source[p];
      expect(split[p].rows).toBe(src.length);
      rows += src.length;
      src.forEach((i, s) => {
        expect(rating[i]).not.toBe(6);
        expect(split[p].labels[s]).toBe(rating[i]! >= 8 ? 1 : 0);
      });
    }
    expect(rows).toBe(rating.length - threes);
  });

  it('keeps 2.5 and 3.5 stars of a half-star dataset, 3.5 as a negative', () => {
    const half = generateDataset({ ratings: 4_000, seed: 3 });
    const s = ctrRandomSplit(half.ratings, movieMetaFromMovies(half.movies, half.genres), [], 2);
    const seen = new Map<number, number>();
    for (const p of parts)
      s.source[p].forEach((i, k) => seen.set(half.ratings.rating[i]!, s[p].labels[k]!));
    expect(seen.get(6)).toBeUndefined();
    expect(seen.get(5)).toBe(0);
    expect(seen.get(7)).toBe(0);
    expect(seen.get(8)).toBe(1);
    expect(seen.get(9)).toBe(1);
  });

  it('splits 8:1:1 with RecBole’s rounding, no row in two parts', () => {
    expect(splitSizes(1000)).toEqual([800, 100, 100]);
    expect(splitSizes(25)).toEqual([21, 2, 2]);
    expect(splitSizes(19)).toEqual([17, 1, 1]);
    // A part whose share is below one row still gets one.
    expect(splitSizes(5)).toEqual([3, 1, 1]);
    expect(splitSizes(3)).toEqual([1, 1, 1]);
    const kept = split.info.kept;
    expect([split.train.rows, split.valid.rows, split.test.rows]).toEqual([
      kept - 2 * Math.floor(kept / 10),
      Math.floor(kept / 10),
      Math.floor(kept / 10),
    ]);
    const all = new Set<number>();
    for (const p of parts) for (const i of split.source[p]) all.add(i);
    expect(all.size).toBe(kept);
  });

  it('is the same for a seed and differs across seeds', () => {
    const again = ctrRandomSplit(ds.ratings, meta, ds.users, 1);
    for (const p of parts) {
      expect(again.source[p]).toEqual(split.source[p]);
      expect(again[p].cats).toEqual(split[p].cats);
      expect(again[p].nums).toEqual(split[p].nums);
    }
    const other = ctrRandomSplit(ds.ratings, meta, ds.users, 2);
    const test = new Set(split.source.test);
    const shared = [...other.source.test].filter((i) => test.has(i)).length;
    // Two random tenths share about a tenth of their rows.
    expect(shared).toBeLessThan(0.3 * test.size);
    expect(other.test.rows).toBe(split.test.rows);
  });

  it('has user attribute fields where the users have them, and none without', () => {
    expect(split.info.fields).toEqual([
      'user',
      'movie',
      'movieGenres',
      'year',
      'age',
      'gender',
      'occupation',
      'zip',
      'lastPositives',
    ]);
    const gender = field(split, 'test', 'gender')!;
    expect(gender.vocab).toBe(3);
    const age = field(split, 'train', 'age')!;
    expect(age.vocab).toBeLessThanOrEqual(AGE_CODES.length + 1);
    // A row's attributes are its user's.
    const users = field(split, 'train', 'user')!.values;
    const genders = field(split, 'train', 'gender')!.values;
    const byUser = new Map<number, number>();
    users.forEach((u, r) => {
      expect(genders[r]).toBe(byUser.get(u) ?? genders[r]);
      byUser.set(u, genders[r]!);
    });
    expect(new Set(genders).size).toBe(2);
    const noDemo = generateDataset({ ratings: 3_000, seed: 4, demographics: false });
    const m2 = movieMetaFromMovies(noDemo.movies, noDemo.genres);
    const names = ['user', 'movie', 'movieGenres', 'year', 'lastPositives'];
    expect(ctrRandomSplit(noDemo.ratings, m2, noDemo.users, 1).info.fields).toEqual(names);
    expect(ctrRandomSplit(noDemo.ratings, m2, [], 1).info.fields).toEqual(names);
    expect(Object.keys(ctrRandomSplit(noDemo.ratings, m2).tables)).toEqual([
      'user',
      'movie',
      'genre',
      'year',
    ]);
  });

  it('puts ages in years and ml-1m age codes into the same 7 buckets', () => {
    expect(AGE_CODES.map(ageBucket)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([7, 17, 18, 24, 25, 34, 44, 49, 55, 56, 73].map(ageBucket)).toEqual([
      0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 6,
    ]);
  });

  it('gives every genre of a movie, and its year as a token', () => {
    const g = field(split, 'train', 'movieGenres')!;
    const movies = field(split, 'train', 'movie')!.values;
    let most = 0;
    for (let m = 0; m < ds.movies.length; m++) most = Math.max(most, ds.movies[m]!.genres.length);
    expect(g.width).toBe(most);
    for (let r = 0; r < 50; r++) {
      const m = movies[r]!;
      const ids = [...g.values.subarray(r * g.width, (r + 1) * g.width)].filter(
        (x) => x !== g.vocab - 1,
      );
      expect(ids.map((i) => ds.genres[i])).toEqual(ds.movies[m]!.genres);
    }
  });

  it('builds the behaviour sequence from earlier training positives of the same user only', () => {
    const { user, movie, rating } = ds.ratings;
    const trainPos = new Set<number>();
    for (const i of split.source.train) if (rating[i]! >= 8) trainPos.add(i);
    let nonEmpty = 0;
    for (const p of parts) {
      const h = field(split, p, 'lastPositives')!;
      split.source[p].forEach((i, s) => {
        const ids = [...h.values.subarray(s * h.width, (s + 1) * h.width)];
        const real = ids.filter((m) => m !== h.vocab - 1);
        if (real.length) nonEmpty++;
        // The movies of the user's training positives before row i, most recent first.
        const expected: number[] = [];
        for (let j = i - 1; j >= ds.ratings.userOffsets[user[i]!]! && expected.length < 5; j--)
          if (trainPos.has(j)) expected.push(movie[j]!);
        expect(real).toEqual(expected);
      });
    }
    expect(nonEmpty).toBeGreaterThan(split.info.kept / 2);
  });

  it('reads an ml-1m folder (users.dat age codes) into the same fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-ctr-random-'));
    const small = generateDataset({ ratings: 4_000, seed: 8, halfStars: false });
    const folder = writeMovieLens(dir, 'ml-1m-gen', small, 'ml-1m');
    const ml1m: Dataset = await importMovieLens(await nodeInput(folder), {});
    expect(ml1m.format).toBe('ml-dat');
    const s = ctrRandomSplit(
      ml1m.ratings,
      movieMetaFromMovies(ml1m.movies, ml1m.genres),
      ml1m.users,
      1,
    );
    expect(s.info.fields).toContain('occupation');
    const ages = new Set(ml1m.users.map((u) => u.age));
    expect([...ages].every((a) => (AGE_CODES as readonly (number | null)[]).includes(a))).toBe(
      true,
    );
    // The same users' ages in years land in the buckets of their codes.
    const fromYears = ctrRandomSplit(
      small.ratings,
      movieMetaFromMovies(small.movies, small.genres),
      small.users,
      1,
    );
    expect(field(s, 'test', 'age')!.values).toEqual(field(fromYears, 'test', 'age')!.values);
  });
});

describe('CTR models on ctr-random', () => {
  it('train on the split unchanged, validate on its own validation part, keep the best AUC', async () => {
    for (const info of CTR_MODELS.filter((m) => m.name === 'deepfm' || m.name === 'din')) {
      const config = {
        ...info.defaults,
        ...CTR_RANDOM_SETTINGS,
        batchSize: 256,
        learningRate: 0.01,
      };
      const m = new CtrModel(info.name, { ...config, epochs: 3 });
      await m.fit(split);
      expect(m.epochLog.length).toBeGreaterThan(0);
      // All training rows fit: the validation rows are the protocol's, not carved from train.
      expect(m.epochLog[0]!.samples).toBe(split.train.rows);
      const best = Math.max(...m.epochLog.map((e) => e.valAuc!));
      expect(rocAuc(split.valid.labels, m.predict(split.valid))).toBeCloseTo(best, 5);
      const p = m.predict(split.test);
      expect(p.length).toBe(split.test.rows);
      expect(rocAuc(split.test.labels, p)).toBeGreaterThan(0.6);
    }
  });

  it('compareCtr: metrics, GAUC and the bootstrap against LR only when LR is given', () => {
    const labels = split.test.labels;
    const users = field(split, 'test', 'user')!.values;
    const a = Float32Array.from(labels, (l, i) => 0.5 + (l - 0.5) * ((i % 3) / 3));
    const b = Float32Array.from(labels, (l, i) => 0.5 + (l - 0.5) * ((i % 5) / 5));
    const alone = compareCtr(labels, b, users);
    expect(alone.vsLr).toBeUndefined();
    expect(alone.groupAuc).toBeCloseTo(groupAuc(labels, b, users), 12);
    expect(alone.metrics.rows).toBe(labels.length);
    const vs = compareCtr(labels, b, users, a, { rounds: 50 }).vsLr!;
    expect(vs.diff).toBeCloseTo(rocAuc(labels, b) - rocAuc(labels, a), 12);
    expect(vs.lo).toBeLessThanOrEqual(vs.hi);
    expect(vs.rounds).toBe(50);
  });
});
