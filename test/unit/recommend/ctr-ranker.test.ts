import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureSet } from '../../../src/core/features/samples.ts';
import {
  CTR_NUMERIC,
  type CatField,
  type CtrRows,
  type CtrSplit,
} from '../../../src/core/models/ctr-data.ts';
import { CtrModel, type CtrKind } from '../../../src/core/models/ctr.ts';
import { CTR_MODELS } from '../../../src/core/models/ctr-info.ts';
import { Random } from '../../../src/core/random.ts';
import { buildCatalog } from '../../../src/core/recommend/catalog.ts';
import type { Candidate } from '../../../src/core/recommend/channels.ts';
import { ctrRanker, ctrRows } from '../../../src/core/recommend/ctr-ranker.ts';
import { UserState } from '../../../src/core/recommend/user-state.ts';

/** The dataset's genre list (the split's vocabulary): movie m is Action when m is odd. */
const GENRES = ['Action', 'Comedy'];
const MOVIES = 40;
const USERS = 50;
const genreOf = (m: number): number => (m + 1) % 2;
const K = CTR_NUMERIC.length;

/**
 * Rows where a user's last 1–5 liked movies are all of one genre, which is also their top genre,
 * and the label is whether the candidate shares it (10% flipped). Numerics carry nothing.
 */
function plantedSplit(): CtrSplit {
  const rng = new Random(11);
  const rows = (n: number): CtrRows => {
    const user = new Int32Array(n);
    const movie = new Int32Array(n);
    const movieGenres = new Int32Array(n * 3).fill(GENRES.length);
    const userGenres = new Int32Array(n * 5).fill(GENRES.length);
    const last = new Int32Array(n * 5).fill(MOVIES);
    const labels = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      user[r] = rng.int(USERS);
      movie[r] = rng.int(MOVIES);
      movieGenres[r * 3] = genreOf(movie[r]!);
      const g = rng.int(2);
      userGenres[r * 5] = g;
      const length = 1 + rng.int(5);
      for (let j = 0; j < length; j++) last[r * 5 + j] = 2 * rng.int(MOVIES / 2) + (1 - g);
      const match = genreOf(movie[r]!) === g;
      labels[r] = (rng.uniform(0, 1) < 0.1 ? !match : match) ? 1 : 0;
    }
    const field = (name: string, table: string, vocab: number, values: Int32Array): CatField => ({
      name,
      table,
      vocab,
      width: values.length / n,
      values,
    });
    return {
      rows: n,
      cats: [
        field('user', 'user', USERS + 1, user),
        field('movie', 'movie', MOVIES + 1, movie),
        field('movieGenres', 'genre', GENRES.length + 1, movieGenres),
        field('userGenres', 'genre', GENRES.length + 1, userGenres),
        field('lastPositives', 'movie', MOVIES + 1, last),
      ],
      nums: new Float32Array(n * K),
      labels,
      times: Uint32Array.from({ length: n }, (_, i) => i),
    };
  };
  return {
    set: {} as FeatureSet,
    numNames: [...CTR_NUMERIC],
    tables: { user: USERS + 1, movie: MOVIES + 1, genre: GENRES.length + 1 },
    // Numerics were 0 in training; a wide sd keeps yours near 0 too.
    serving: {
      mean: new Float32Array(K),
      sd: new Float32Array(K).fill(1000),
      movieNums: new Float32Array(MOVIES * 4),
      movieGenres: Int32Array.from({ length: MOVIES * 3 }, (_, i) =>
        i % 3 === 0 ? genreOf(i / 3) : GENRES.length,
      ),
    },
    train: rows(8000),
    test: rows(10),
  };
}

// The catalog meets Comedy first (movie 0), so its genre order differs from the split's.
const catalog = buildCatalog(
  Array.from({ length: MOVIES }, (_, m) => ({
    index: m,
    movieId: m + 1,
    title: `Movie ${m}`,
    year: 1990 + (m % 10),
    genres: [GENRES[genreOf(m)]!],
    ratingCount: 10,
    ratingAvg: 3.5,
  })),
);

/** You, having liked three movies of a genre (index into GENRES) and disliked one of the other. */
function liking(genre: number): UserState {
  const of = (g: number): number[] =>
    Array.from({ length: MOVIES }, (_, m) => m).filter((m) => genreOf(m) === g);
  const s = new UserState(catalog);
  of(1 - genre)
    .slice(0, 1)
    .forEach((movie) => s.rate({ movie, rating: 1, at: 0 }));
  of(genre)
    .slice(0, 3)
    .forEach((movie, i) => s.rate({ movie, rating: 5, at: i + 1 }));
  return s;
}

const split = plantedSplit();
const models = new Map<CtrKind, CtrModel>();

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  for (const kind of ['din', 'dien'] as const) {
    const config = { ...CTR_MODELS.find((c) => c.name === kind)!.defaults, learningRate: 0.01 };
    const m = new CtrModel(kind, { ...config, epochs: 3 });
    await m.fit(split);
    // Served as the worker serves it: from the stored arrays.
    models.set(kind, CtrModel.load(structuredClone(m.save())));
  }
}, 120_000);

describe('CTR rows from your profile', () => {
  it('gives you the padding user, your recent likes most recent first, your genres by name', () => {
    const state = liking(0);
    const rows = ctrRows(models.get('din')!, catalog, GENRES, state, [1, 2]);
    const field = (name: string): CatField => rows.cats.find((c) => c.name === name)!;
    expect([...field('user').values]).toEqual([USERS, USERS]);
    expect([...field('movie').values]).toEqual([1, 2]);
    // Movie 1 is Action (0 in the split's vocabulary), movie 2 Comedy.
    expect([...field('movieGenres').values]).toEqual([0, 2, 2, 1, 2, 2]);
    expect([...field('lastPositives').values.subarray(0, 5)]).toEqual([
      ...state.positives(5),
      MOVIES,
      MOVIES,
    ]);
    // Action is catalog genre 1 but split genre 0.
    expect(catalog.genres).toEqual(['Comedy', 'Action']);
    expect([...field('userGenres').values.subarray(0, 5)]).toEqual([0, 2, 2, 2, 2]);
    // Your 4 ratings: log(1 + 4) standardized with the wide sd; no missing numerics.
    expect(rows.nums[4]).toBeCloseTo(Math.log1p(4) / 1000, 6);
    expect(rows.nums.every((x) => Number.isFinite(x))).toBe(true);
    // A dataset user keeps their own row.
    const theirs = ctrRows(models.get('din')!, catalog, GENRES, state, [1], 7);
    expect(theirs.cats[0]!.values[0]).toBe(7);
  });
});

describe('the CTR ranker', () => {
  const candidates: Candidate[] = Array.from({ length: MOVIES }, (_, movie) => ({
    movie,
    hits: [],
  }));
  /** Share of (liked genre, other genre) candidate pairs ordered right. */
  const ordered = (scores: Float32Array, genre: number): number => {
    let right = 0;
    let pairs = 0;
    for (let a = 0; a < MOVIES; a++)
      for (let b = 0; b < MOVIES; b++)
        if (genreOf(a) === genre && genreOf(b) !== genre) {
          pairs++;
          right += scores[a]! > scores[b]! ? 1 : 0;
        }
    return right / pairs;
  };

  it.each(['din', 'dien'] as const)(
    '%s ranks the genre of your recent likes first, and the other genre for the other taste',
    (kind) => {
      const ranker = ctrRanker(models.get(kind)!, catalog, GENRES, 'T');
      expect(ranker.name).toBe(kind);
      for (const genre of [0, 1]) {
        const out = new Float32Array(MOVIES);
        const before = tf.memory().numTensors;
        ranker.score({ state: liking(genre) }, candidates, out);
        expect(tf.memory().numTensors).toBe(before);
        expect(ordered(out, genre)).toBeGreaterThan(0.9);
      }
    },
  );

  it('scores 300 candidates in milliseconds', () => {
    const many: Candidate[] = Array.from({ length: 300 }, (_, j) => ({
      movie: j % MOVIES,
      hits: [],
    }));
    const out = new Float32Array(many.length);
    for (const kind of ['din', 'dien'] as const) {
      const ranker = ctrRanker(models.get(kind)!, catalog, GENRES, kind);
      const state = liking(0);
      ranker.score({ state }, many, out);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        ranker.score({ state }, many, out);
        times.push(performance.now() - t0);
      }
      const median = times.sort((a, b) => a - b)[2]!;
      console.log(`${kind}: 300 candidates in ${median.toFixed(1)} ms (median of 5, wasm)`);
      expect(median).toBeLessThan(1000);
    }
  });

  it('refuses a model without serving data', () => {
    const m = new CtrModel('lr');
    expect(() => ctrRanker(m, catalog, GENRES, 'LR')).toThrow(/sparrow-ctr/);
  });
});
