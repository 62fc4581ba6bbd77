/**
 * Per-user scoring split across node worker threads (parallel-eval.ts): the
 * helpers load the model from its shared saved arrays and score their run of
 * users; the metrics and every user's figures are exactly one thread's, on
 * ncf-loo and on full-rank; a model that needs tfjs stays on this thread; a
 * failing helper fails the evaluation with its message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodePool } from '../../../src/cli/node-pool.ts';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateModel } from '../../../src/core/eval/parallel-eval.ts';
import { evaluateSplit, makeSplit } from '../../../src/core/eval/protocols.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { ItemKnn } from '../../../src/core/models/item-knn.ts';
import { NeuralCf } from '../../../src/core/models/neural-cf.ts';
import { brokenPool } from '../parallel/broken-pool.ts';
import { counting } from '../parallel/counting-pool.ts';

const pool = nodePool(1);
afterAll(() => pool.close());

const ds = generateDataset({
  ratings: 12_000,
  users: 200,
  movies: 300,
  seed: 6,
  demographics: false,
});

describe('evaluateModel on two threads', () => {
  for (const protocol of ['ncf-loo', 'full-rank'] as const)
    for (const make of [() => new Ease({ lambda: 50 }), () => new ItemKnn()])
      it(`${protocol}, ${make().model}: the same metrics and per-user figures as one thread`, async () => {
        const split = makeSplit(ds.ratings, protocol, 1, { itemCount: ds.movies.length });
        const model = make();
        await model.fit(split.data);
        const one: unknown[] = [];
        const two: unknown[] = [];
        const serial = evaluateSplit(split, (u, items, out) => model.score(u, items, out), {
          onUser: (u, m) => one.push([u, m]),
        });
        const spy = counting(pool);
        const parallel = await evaluateModel(split, model, {
          pool: spy.pool,
          threads: 2,
          onUser: (u, m) => two.push([u, m]),
        });
        expect(spy.tasks).toEqual(['evaluate']);
        expect(parallel).toEqual(serial);
        expect(two).toEqual(one);
        expect(serial.users).toBeGreaterThan(50);
      });

  it('a model that scores with tfjs is evaluated on this thread', async () => {
    const split = makeSplit(ds.ratings, 'ncf-loo', 1, { itemCount: ds.movies.length });
    const model = new NeuralCf('gmf', { epochs: 1, validate: 0, factors: 4 });
    await model.fit(split.data);
    const spy = counting(pool);
    const m = await evaluateModel(split, model, { pool: spy.pool, threads: 2 });
    expect(spy.tasks).toEqual([]);
    expect(m).toEqual(evaluateSplit(split, (u, items, out) => model.score(u, items, out)));
  });

  it('a helper that fails fails the evaluation with its message', async () => {
    const split = makeSplit(ds.ratings, 'ncf-loo', 1, { itemCount: ds.movies.length });
    const model = new Ease({ lambda: 50 });
    await model.fit(split.data);
    await expect(
      evaluateModel(split, model, { pool: brokenPool('helper crashed'), threads: 2 }),
    ).rejects.toThrow('helper crashed');
  });
});
