/**
 * The personal ranker (For You's default after the automatic build) on
 * hand-made data: it follows a clear genre taste where the model alone does
 * not, its popularity prior fades as you like more movies, its retrieval
 * never offers what you rated and says which liked movie led to each pick,
 * and the pipeline never recommends a rare movie unless asked for hidden gems.
 */
import { describe, expect, it } from 'vitest';
import type { InteractionData } from '../../../src/core/eval/protocols.ts';
import { buildCatalog, type CatalogMovie } from '../../../src/core/recommend/catalog.ts';
import { fitPersonalModel } from '../../../src/core/recommend/personal.ts';
import {
  personalRanker,
  personalScores,
  PERSONAL_PARAMS,
  popularityPrior,
} from '../../../src/core/recommend/personal-ranker.ts';
import { DEFAULT_PIPELINE, recommend } from '../../../src/core/recommend/pipeline.ts';
import { UserState } from '../../../src/core/recommend/user-state.ts';
import { Random } from '../../../src/core/random.ts';

const N = 60;
/** Movies 0–29 Horror, 30–59 Comedy; 0–9 and 30–39 very popular; 29 and 59 rated twice. */
const genreOf = (m: number): string => (m < 30 ? 'Horror' : 'Comedy');

/** 200 users: most like popular movies of both genres; a horror crowd likes 0–28. */
function ratings(): InteractionData {
  const rng = new Random(5, 2);
  const offsets = [0];
  const items: number[] = [];
  for (let u = 0; u < 200; u++) {
    const mine = new Set<number>();
    for (let j = 0; j < 6; j++) mine.add(rng.int(10) + (rng.chance(0.5) ? 0 : 30));
    if (u % 4 === 0) for (let j = 0; j < 6; j++) mine.add(10 + rng.int(19));
    if (u % 4 === 1) for (let j = 0; j < 6; j++) mine.add(40 + rng.int(19));
    if (u < 2) mine.add(29).add(59);
    items.push(...mine);
    offsets.push(items.length);
  }
  const catalogue = new Uint8Array(N).fill(1);
  return {
    userCount: 200,
    itemCount: N,
    train: { offsets: Int32Array.from(offsets), items: Int32Array.from(items) },
    trainRatings: new Uint8Array(items.length).fill(9),
    trainTimes: Uint32Array.from(items, (_, i) => i),
    catalogue,
  };
}
const data = ratings();
const counts = new Int32Array(N);
for (const m of data.train.items) counts[m]!++;
const movies: CatalogMovie[] = Array.from({ length: N }, (_, i) => ({
  index: i,
  movieId: i + 1,
  title: `Movie ${i} (2000)`,
  year: 2000,
  genres: [genreOf(i)],
  ratingCount: counts[i]!,
  ratingAvg: 4,
}));
const catalog = buildCatalog(movies);
const model = await fitPersonalModel(data);
const liked = (ms: number[]): UserState =>
  UserState.from(
    catalog,
    null,
    ms.map((movie, at) => ({ movie, rating: 5, at })),
  );

const top = (scores: Float32Array, n: number, skip: number[]): number[] =>
  Array.from(scores.keys())
    .filter((m) => !skip.includes(m))
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, n);

describe('personalScores', () => {
  const persona = [0, 1, 2, 3, 4];
  it('puts the liked genre first where the model alone mixes genres', () => {
    const alone = new Float32Array(N);
    model.scoreHistory(persona, null, alone);
    const blended = new Float32Array(N);
    personalScores(
      model,
      popularityPrior(model.itemCounts()),
      catalog,
      persona,
      PERSONAL_PARAMS,
      blended,
    );
    const horror = (ms: number[]): number => ms.filter((m) => m < 30).length;
    expect(horror(top(blended, 10, persona))).toBe(10);
    expect(horror(top(blended, 10, persona))).toBeGreaterThan(horror(top(alone, 10, persona)));
  });

  it('leans on popularity with one liked movie, less with many', () => {
    const params = { ...PERSONAL_PARAMS, genre: 0 };
    const share = (history: number[]): number => {
      const s = new Float32Array(N);
      personalScores(model, popularityPrior(model.itemCounts()), catalog, history, params, s);
      return top(s, 10, history).filter((m) => m % 30 < 10).length;
    };
    const many = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
    expect(share([12])).toBeGreaterThan(share(many));
  });
});

describe('personalRanker', () => {
  const ranker = personalRanker(model, catalog, 'EASE, built automatically');

  it('retrieves over the whole catalogue, never what is seen, with a liked movie behind each', () => {
    const state = liked([0, 1, 12]);
    const found = ranker.retrieve!({ state }, 20, (m) => state.ratings.has(m));
    expect(found.movies).toHaveLength(20);
    for (const m of found.movies) expect(state.ratings.has(m)).toBe(false);
    for (const v of found.via!) if (v !== undefined) expect([0, 1, 12]).toContain(v);
    expect(found.via!.filter((v) => v !== undefined).length).toBeGreaterThan(10);
  });

  it('ranks For You from the first liked movie, and not rare movies unless asked', () => {
    const state = liked([10, 11, 12, 13, 14]);
    const ctx = { catalog, embedding: null, ranker };
    const r = recommend(ctx, { state }, { ...DEFAULT_PIPELINE, k: 40 });
    expect(r.stage).toBe('model');
    expect(r.items.map((x) => x.movie)).not.toContain(29);
    expect(r.items.slice(0, 10).every((x) => genreOf(x.movie) === 'Horror')).toBe(true);
    expect(r.items[0]!.hits.some((h) => h.channel === 'model')).toBe(true);
    const gems = recommend(ctx, { state }, { ...DEFAULT_PIPELINE, k: 40, minRatings: 0 });
    expect(gems.items.map((x) => x.movie)).toContain(29);
    expect(recommend(ctx, { state: liked([10]) }, DEFAULT_PIPELINE).stage).toBe('model');
  });
});
