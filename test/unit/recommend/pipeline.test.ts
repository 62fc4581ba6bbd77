/**
 * The recommendation pipeline on a hand-made catalogue with planted tastes:
 * two genres whose movies sit in two directions of an embedding. Real-time
 * features follow every rating exactly; each channel proposes what it
 * should and never what you rated; re-ranking trades order for variety;
 * the pipeline moves from cold start to fusion to the ranker as ratings come.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCatalog, genresOf, type CatalogMovie } from '../../../src/core/recommend/catalog.ts';
import { mergeRecall, recallChannel } from '../../../src/core/recommend/channels.ts';
import {
  DEFAULT_PIPELINE,
  mainReason,
  recommend,
  type PipelineContext,
} from '../../../src/core/recommend/pipeline.ts';
import { embeddingRanker } from '../../../src/core/recommend/rankers.ts';
import { genreSimilarity, rerank } from '../../../src/core/recommend/rerank.ts';
import { UserState, type MovieVectors } from '../../../src/core/recommend/user-state.ts';
import { userVectors } from '../../../src/core/embeddings/user-vectors.ts';
import { Random } from '../../../src/core/random.ts';

const N = 200;
/** Movies 0–99 are Drama, 100–199 Comedy; every tenth is also Romance. Lower indexes are more rated. */
const movies: CatalogMovie[] = Array.from({ length: N }, (_, i) => ({
  index: i,
  movieId: 1000 + i,
  title: `Movie ${i} (${1950 + (i % 70)})`,
  year: 1950 + (i % 70),
  genres: [i < 100 ? 'Drama' : 'Comedy', ...(i % 10 === 0 ? ['Romance'] : [])],
  ratingCount: 1000 - 4 * (i % 100) - (i >= 100 ? 1 : 0),
  ratingAvg: 3 + ((i * 7) % 20) / 10,
}));
const catalog = buildCatalog(movies);

/** Unit vectors: Drama near axis 0, Comedy near axis 1, with seeded noise. */
function plantedVectors(): MovieVectors {
  const dim = 8;
  const rng = new Random(3, 1);
  const vectors = new Float32Array(N * dim);
  for (let m = 0; m < N; m++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      const x = (k === (m < 100 ? 0 : 1) ? 3 : 0) + rng.uniform(-1, 1);
      vectors[m * dim + k] = x;
      norm += x * x;
    }
    for (let k = 0; k < dim; k++) vectors[m * dim + k]! /= Math.sqrt(norm);
  }
  const items = Int32Array.from({ length: N }, (_, m) => m);
  return { dim, items, vectors, rowOf: items.slice() };
}
const embedding = plantedVectors();
const ctx: PipelineContext = { catalog, embedding, ranker: embeddingRanker(embedding) };

const stateOf = (ratings: [number, number][]): UserState =>
  UserState.from(
    catalog,
    embedding,
    ratings.map(([movie, rating], i) => ({ movie, rating, at: 1000 + i })),
  );

describe('catalog', () => {
  it('lists popular, top rated and per-genre movies in their orders', () => {
    expect(catalog.popular[0]).toBe(0);
    expect(catalog.popular[1]).toBe(100);
    for (let i = 1; i < catalog.topRated.length; i++)
      expect(catalog.score[catalog.topRated[i]!]).toBeLessThanOrEqual(
        catalog.score[catalog.topRated[i - 1]!]!,
      );
    const drama = catalog.genres.indexOf('Drama');
    expect(catalog.byGenre[drama]!.length).toBe(100);
    expect([...catalog.byGenre[drama]!].every((m) => m < 100)).toBe(true);
    expect([...genresOf(catalog, 10)].map((g) => catalog.genres[g])).toEqual(['Drama', 'Romance']);
  });
});

describe('real-time features', () => {
  it('after any sequence of ratings, re-ratings and removals equal the features built from the final ratings', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 30 }),
            fc.integer({ min: 0, max: 10 }).map((h) => h / 2),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const live = new UserState(catalog, embedding);
          const final = new Map<number, number>();
          ops.forEach(([movie, r], i) => {
            if (r === 0) {
              live.unrate(movie);
              final.delete(movie);
            } else {
              live.rate({ movie, rating: r, at: i });
              final.set(movie, i);
            }
          });
          const rebuilt = UserState.from(
            catalog,
            embedding,
            [...final.keys()].map((movie) => live.ratings.get(movie)!),
          );
          expect(live.count).toBe(final.size);
          expect(live.average).toBeCloseTo(rebuilt.average, 9);
          expect([...live.genreLikes]).toEqual([...rebuilt.genreLikes]);
          expect([...live.genreDislikes]).toEqual([...rebuilt.genreDislikes]);
          expect(live.positives()).toEqual(rebuilt.positives());
          const a = live.vector();
          const b = rebuilt.vector();
          expect(a === null).toBe(b === null);
          if (a && b) for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k]!, 5);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("the user vector is the unit mean of the liked movies' vectors, as for dataset users", () => {
    const s = stateOf([
      [3, 5],
      [40, 4],
      [150, 2],
      [7, 3.5],
    ]);
    const ref = userVectors(
      { offsets: Int32Array.of(0, 3), items: Int32Array.of(3, 40, 7) },
      embedding.vectors,
      embedding.dim,
      embedding.rowOf,
    );
    const v = s.vector()!;
    for (let k = 0; k < embedding.dim; k++) expect(v[k]).toBeCloseTo(ref.vectors[k]!, 5);
  });

  it('ranks genres by likes minus dislikes and lists recent liked movies first', () => {
    const s = stateOf([
      [1, 5],
      [2, 4.5],
      [150, 1],
      [151, 2],
      [152, 5],
    ]);
    expect(s.topGenres().map((g) => catalog.genres[g.genre])).toEqual(['Drama']);
    expect(s.positives()).toEqual([152, 2, 1]);
  });
});

describe('recall channels', () => {
  const s = stateOf([
    [1, 5],
    [5, 4.5],
    [12, 4],
  ]);
  const seen = (m: number): boolean => s.ratings.has(m);

  it.each(['popular', 'top-rated', 'genre', 'embedding', 'because'] as const)(
    '%s proposes distinct movies, never one you rated',
    (ch) => {
      const { movies: found, hits } = recallChannel({ catalog, embedding }, s, ch, 30, seen);
      expect(found.length).toBeGreaterThan(0);
      expect(found.length).toBeLessThanOrEqual(30);
      expect(new Set(found).size).toBe(found.length);
      expect(found.some(seen)).toBe(false);
      hits.forEach((h, i) => expect(h.rank).toBe(i));
    },
  );

  it('genre, embedding and because follow a Drama taste', () => {
    for (const ch of ['genre', 'embedding', 'because'] as const) {
      const { movies: found } = recallChannel({ catalog, embedding }, s, ch, 30, seen);
      expect(found.filter((m) => m < 100).length / found.length).toBeGreaterThan(0.9);
    }
    const { hits } = recallChannel({ catalog, embedding }, s, 'because', 30, seen);
    expect(hits.every((h) => h.via !== undefined && s.ratings.has(h.via))).toBe(true);
  });

  it('merging keeps each movie once with every channel that found it', () => {
    const { candidates, perChannel } = mergeRecall(
      { catalog, embedding },
      s,
      DEFAULT_PIPELINE.sizes,
      seen,
    );
    expect(new Set(candidates.map((c) => c.movie)).size).toBe(candidates.length);
    const hits = candidates.reduce((n, c) => n + c.hits.length, 0);
    expect(hits).toBe(Object.values(perChannel).reduce((a, b) => a + b, 0));
    expect(candidates.some((c) => c.hits.length > 1)).toBe(true);
  });
});

describe('re-ranking', () => {
  const ranked = Array.from({ length: 40 }, (_, i) => i); // all Drama, ten Romance among them

  it('keeps the order without diversity or freshness', () => {
    expect(rerank(catalog, ranked, { k: 10, diversity: 0, freshness: 0 })).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
  });

  it('with diversity, brings movies of other genres up', () => {
    const mixed = [...ranked.slice(0, 20), 100, 101, 102];
    const picked = rerank(catalog, mixed, { k: 5, diversity: 0.7, freshness: 0 }).map(
      (p) => mixed[p]!,
    );
    expect(picked.some((m) => m >= 100)).toBe(true);
    expect(picked[0]).toBe(0);
    const plain = rerank(catalog, mixed, { k: 5, diversity: 0, freshness: 0 }).map(
      (p) => mixed[p]!,
    );
    expect(plain.some((m) => m >= 100)).toBe(false);
  });

  it('with freshness, moves newer movies up', () => {
    const old = rerank(catalog, ranked, { k: 10, diversity: 0, freshness: 0 });
    const fresh = rerank(catalog, ranked, { k: 10, diversity: 0, freshness: 2 });
    const meanYear = (ps: number[]): number =>
      ps.reduce((s, p) => s + catalog.year[ranked[p]!]!, 0) / ps.length;
    expect(meanYear(fresh)).toBeGreaterThan(meanYear(old));
  });

  it('genre similarity is Jaccard', () => {
    expect(genreSimilarity(catalog, 1, 2)).toBe(1);
    expect(genreSimilarity(catalog, 10, 1)).toBe(0.5);
    expect(genreSimilarity(catalog, 1, 101)).toBe(0);
  });
});

describe('pipeline', () => {
  it('cold start: no ratings gives popular and top-rated movies across genres, fused', () => {
    const r = recommend(ctx, { state: stateOf([]) });
    expect(r.stage).toBe('cold');
    expect(r.perChannel.embedding).toBe(0);
    expect(r.items).toHaveLength(20);
    const comedy = r.items.filter((x) => x.movie >= 100).length;
    expect(comedy).toBeGreaterThan(2);
    expect(comedy).toBeLessThan(18);
  });

  it('uses fusion until enough liked movies, then the ranker', () => {
    const few = recommend(ctx, {
      state: stateOf([
        [0, 5],
        [3, 4],
      ]),
    });
    expect(few.stage).toBe('fusion');
    const many = recommend(ctx, {
      state: stateOf(Array.from({ length: 6 }, (_, i) => [i * 3, 4.5] as [number, number])),
    });
    expect(many.stage).toBe('model');
    expect(many.ranker).toBe('embedding');
    expect(many.items.filter((x) => x.movie < 100).length).toBeGreaterThan(14);
  });

  it('never recommends rated or not-interested movies, and every item has a reason', () => {
    const s = stateOf(Array.from({ length: 8 }, (_, i) => [i, 5] as [number, number]));
    const not = new Set([8, 9, 10, 11, 12]);
    const r = recommend(ctx, { state: s }, { ...DEFAULT_PIPELINE, k: 50 }, not);
    for (const x of r.items) {
      expect(s.ratings.has(x.movie)).toBe(false);
      expect(not.has(x.movie)).toBe(false);
      expect(mainReason(x.hits)).toBeDefined();
    }
    expect(r.ms.total).toBeGreaterThanOrEqual(r.ms.recall);
  });

  it('a new rating changes the list', () => {
    const s = stateOf([
      [0, 5],
      [1, 5],
    ]);
    const before = recommend(ctx, { state: s }).items.map((x) => x.movie);
    s.rate({ movie: 150, rating: 5, at: 5000 });
    s.rate({ movie: 151, rating: 5, at: 5001 });
    const after = recommend(ctx, { state: s }).items.map((x) => x.movie);
    expect(after).not.toEqual(before);
    expect(after.filter((m) => m >= 100).length).toBeGreaterThan(
      before.filter((m) => m >= 100).length,
    );
  });
});
