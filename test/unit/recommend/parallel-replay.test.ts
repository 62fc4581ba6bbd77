/**
 * The replay split across node worker threads (parallel-replay.ts): helpers
 * rebuild the catalog, the item2vec vectors and each pipeline's ranker from
 * shared arrays, serve their run of users, and the result is exactly one
 * thread's on ncf-loo and full-rank; a pipeline ranked by a model that needs
 * tfjs keeps the replay on this thread; a failing helper fails the replay
 * with its message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodePool } from '../../../src/cli/node-pool.ts';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { DEFAULT_EMBED_SETTINGS } from '../../../src/core/embeddings/embed.ts';
import { jsKernel } from '../../../src/core/embeddings/sgns-cpu.ts';
import { makeSplit, type RankingSplit } from '../../../src/core/eval/protocols.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { ItemKnn } from '../../../src/core/models/item-knn.ts';
import { NeuralCf } from '../../../src/core/models/neural-cf.ts';
import { Popularity } from '../../../src/core/models/popularity.ts';
import { trainingCatalog, trainMovieVectors } from '../../../src/core/recommend/offline.ts';
import { replayAcross } from '../../../src/core/recommend/parallel-replay.ts';
import { embeddingRanker, fusionRanker, rankerFor } from '../../../src/core/recommend/rankers.ts';
import {
  replay,
  type ReplayContext,
  type ReplayVariant,
} from '../../../src/core/recommend/replay.ts';
import { brokenPool } from '../parallel/broken-pool.ts';
import { counting } from '../parallel/counting-pool.ts';

const pool = nodePool(1);
afterAll(() => pool.close());

const ds = generateDataset({
  ratings: 12_000,
  users: 150,
  movies: 400,
  seed: 8,
  demographics: false,
});

async function setup(protocol: 'ncf-loo' | 'full-rank'): Promise<{
  split: RankingSplit;
  ctx: ReplayContext;
  variants: ReplayVariant[];
}> {
  const split = makeSplit(ds.ratings, protocol, 1, { itemCount: ds.movies.length });
  const ctx: ReplayContext = {
    catalog: trainingCatalog(ds.movies, split.data),
    embedding: await trainMovieVectors(split.data, jsKernel, {
      ...DEFAULT_EMBED_SETTINGS,
      dim: 8,
      epochs: 2,
    }),
  };
  const knn = new ItemKnn();
  const ease = new Ease({ lambda: 50 });
  const popularity = new Popularity();
  for (const m of [knn, ease, popularity]) await m.fit(split.data);
  const variants: ReplayVariant[] = [
    { name: 'recall only', ranker: null },
    { name: 'fusion', ranker: fusionRanker },
    { name: 'embedding', ranker: embeddingRanker(ctx.embedding!) },
    { name: 'itemknn', ranker: rankerFor(knn, 'ItemKNN') },
    { name: 'ease', ranker: rankerFor(ease, 'EASE') },
    { name: 'popularity', ranker: rankerFor(popularity, 'Popularity') },
  ];
  return { split, ctx, variants };
}

describe('replayAcross on two threads', () => {
  for (const protocol of ['ncf-loo', 'full-rank'] as const)
    it(`${protocol}: exactly one thread's result, every channel and pipeline`, async () => {
      const { split, ctx, variants } = await setup(protocol);
      const one = replay(split, ctx, { variants });
      const spy = counting(pool);
      const seen: number[] = [];
      const two = await replayAcross(split, ctx, {
        variants,
        pool: spy.pool,
        threads: 2,
        onProgress: (done) => seen.push(done),
      });
      expect(spy.tasks).toEqual(['replay']);
      expect(one.threads).toBe(1);
      expect(two.threads).toBe(2);
      expect({ ...two, threads: 1 }).toEqual(one);
      expect(one.users).toBeGreaterThan(100);
      expect(one.rows.length).toBeGreaterThan(variants.length);
      // The pipelines differ, so a helper that served the wrong ranker would show.
      const ndcg = new Set(one.rows.map((r) => r.metrics.ndcg));
      expect(ndcg.size).toBeGreaterThan(3);
      expect(seen.at(-1)).toBe(one.users);
    });

  it('a user cap replays the same first users on two threads', async () => {
    const { split, ctx, variants } = await setup('ncf-loo');
    const one = replay(split, ctx, { variants, maxUsers: 40 });
    const two = await replayAcross(split, ctx, { variants, maxUsers: 40, pool, threads: 2 });
    expect(two.users).toBe(40);
    expect({ ...two, threads: 1 }).toEqual(one);
  });

  it('a pipeline ranked by a tfjs model replays on this thread', async () => {
    const { split, ctx } = await setup('ncf-loo');
    const gmf = new NeuralCf('gmf', { epochs: 1, validate: 0, factors: 4 });
    await gmf.fit(split.data);
    const variants = [{ name: 'gmf', ranker: rankerFor(gmf, 'GMF') }];
    const spy = counting(pool);
    const r = await replayAcross(split, ctx, { variants, pool: spy.pool, threads: 2 });
    expect(spy.tasks).toEqual([]);
    expect(r).toEqual(replay(split, ctx, { variants }));
  });

  it('a helper that fails fails the replay with its message', async () => {
    const { split, ctx, variants } = await setup('ncf-loo');
    await expect(
      replayAcross(split, ctx, { variants, pool: brokenPool('helper crashed'), threads: 2 }),
    ).rejects.toThrow('helper crashed');
  });
});
