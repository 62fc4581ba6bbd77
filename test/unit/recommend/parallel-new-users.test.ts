/**
 * new-user-k split across node worker threads (parallel-new-users.ts):
 * helpers rebuild each list function from its spec — a saved EASE alone,
 * the personal blend the automatic build's λ search scores, For You's
 * pipeline — serve their run of new users, and the metrics and every user's
 * figures are exactly one thread's; a list with no spec is served here; the
 * automatic build picks the same λ and the same model on two threads; a
 * failing helper fails the evaluation with its message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodePool } from '../../../src/cli/node-pool.ts';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateNewUsers, newUserSplit, scoreList } from '../../../src/core/eval/new-user.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { genreLookup } from '../../../src/core/recommend/catalog.ts';
import { interactionsOf, trainingCatalog } from '../../../src/core/recommend/offline.ts';
import {
  evaluateNewUsersAcross,
  withSpec,
  type ListSpec,
} from '../../../src/core/recommend/parallel-new-users.ts';
import { fitPersonalModel } from '../../../src/core/recommend/personal.ts';
import {
  PERSONAL_PARAMS,
  personalList,
  pipelineList,
} from '../../../src/core/recommend/personal-ranker.ts';
import { brokenPool } from '../parallel/broken-pool.ts';
import { counting } from '../parallel/counting-pool.ts';

const pool = nodePool(1);
afterAll(() => pool.close());

const ds = generateDataset({ ratings: 15_000, users: 300, movies: 400, seed: 9 });
const all = interactionsOf(ds.ratings, ds.movies.length);
const split = newUserSplit(all, 1);
const catalog = trainingCatalog(ds.movies, split.data);
const ranked = split.catalogue;

/** Settings unlike the personal list's, so the pipeline's lists differ from it. */
const blendOnly = { ...PERSONAL_PARAMS, genre: 0 };

async function lists(): Promise<{ name: string; list: ReturnType<typeof scoreList> }[]> {
  const ease = new Ease({ lambda: 100 });
  await ease.fit(split.positives);
  const liked = (h: readonly { movie: number }[]): number[] => h.map((x) => x.movie);
  const specs: ListSpec[] = [
    { kind: 'history', saved: ease.save(), ranked },
    { kind: 'personal', saved: ease.save(), catalog, ranked, params: PERSONAL_PARAMS },
    {
      kind: 'pipeline',
      saved: ease.save(),
      catalog,
      embedding: null,
      ranked,
      params: blendOnly,
      pipeline: { diversity: 0.3 },
    },
  ];
  return [
    {
      name: 'ease',
      list: withSpec(
        scoreList((h, o) => ease.scoreHistory(liked(h), null, o), ranked),
        specs[0]!,
      ),
    },
    { name: 'personal', list: withSpec(personalList(ease, catalog, ranked), specs[1]!) },
    {
      name: 'pipeline',
      list: withSpec(
        pipelineList(ease, catalog, null, ranked, blendOnly, { diversity: 0.3 }),
        specs[2]!,
      ),
    },
  ];
}

describe('evaluateNewUsersAcross on two threads', () => {
  it('each kind of list: exactly one thread’s metrics and per-user figures', async () => {
    const found = new Set<string>();
    for (const { name, list } of await lists()) {
      const one = evaluateNewUsers(split, list, genreLookup(catalog));
      const spy = counting(pool);
      const two = await evaluateNewUsersAcross(split, list, catalog, {
        pool: spy.pool,
        threads: 2,
      });
      expect(spy.tasks, name).toEqual(['new-users']);
      expect(two, name).toEqual(one);
      expect(one[2]!.users, name).toBeGreaterThan(20);
      found.add(JSON.stringify(one.map((m) => [m.recall, m.ndcg, m.miscalibration])));
    }
    // The three lists differ, so a helper that rebuilt the wrong one would show.
    expect(found.size).toBe(3);
  });

  it('a list with no spec, and a validation subset, are served here alike', async () => {
    const { list } = (await lists())[0]!;
    const bare = (h: Parameters<typeof list>[0], n: number) => list(h, n);
    const only = [0, 2, 4, 6, 8, 10, 12, 14];
    const spy = counting(pool);
    const two = await evaluateNewUsersAcross(split, bare, catalog, {
      pool: spy.pool,
      threads: 2,
      only,
    });
    expect(spy.tasks).toEqual([]);
    expect(two).toEqual(evaluateNewUsers(split, list, genreLookup(catalog), { only }));
  });

  it('the automatic build picks the same λ and model on two threads', async () => {
    const one = await fitPersonalModel(all, {}, { catalog });
    const spy = counting(pool);
    const two = await fitPersonalModel(all, { pool: spy.pool, threads: 2 }, { catalog });
    expect(spy.tasks).toContain('new-users');
    expect(two.config).toEqual(one.config);
    const a = new Float32Array(ds.movies.length);
    const b = new Float32Array(ds.movies.length);
    one.scoreHistory([1, 2, 3], null, a);
    two.scoreHistory([1, 2, 3], null, b);
    expect(b).toEqual(a);
  });

  it('a helper that fails fails the evaluation with its message', async () => {
    const { list } = (await lists())[1]!;
    await expect(
      evaluateNewUsersAcross(split, list, catalog, {
        pool: brokenPool('helper crashed'),
        threads: 2,
      }),
    ).rejects.toThrow('helper crashed');
  });
});
