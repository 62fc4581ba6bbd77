/**
 * The NCF kernels (ncf-kernel.ts in plain JS, wasm/ncf.ts in WebAssembly
 * SIMD) against the tfjs trainer they replace, on the same network
 * (NeuralCf's own), the same samples and the same Adam: after an epoch every
 * weight agrees to float rounding. Then the kernel on several node worker
 * threads (Hogwild): the helpers really train their share, the Adam step
 * counts every batch, the model learns as one thread's does, cancel stops
 * the helpers, and a failing helper fails the fit with its message.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePool } from '../../../src/cli/node-pool.ts';
import type { ThreadPool } from '../../../src/core/parallel/pool.ts';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateSplit, ncfLooSplit } from '../../../src/core/eval/protocols.ts';
import { NeuralCf, type NcfVariant } from '../../../src/core/models/neural-cf.ts';
import { shareBatches } from '../../../src/core/train/ncf-trainer.ts';
import { SparseTrainer, type TrainSettings } from '../../../src/core/train/sparse-trainer.ts';
import { brokenPool } from '../parallel/broken-pool.ts';

const ds = generateDataset({
  ratings: 6_000,
  users: 120,
  movies: 250,
  seed: 3,
  demographics: false,
});
const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length, negatives: 50 });
const { data } = split;
const config = { factors: 6, mlpEmbedding: 10, mlpLayers: 3, validate: 0, seed: 2 };
const settings: TrainSettings = {
  epochs: 1,
  batchSize: 64,
  negatives: 4,
  learningRate: 0.01,
  l2: 0.001,
  seed: 5,
};

const pool = nodePool(1);
afterAll(() => pool.close());
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

function fresh(variant: NcfVariant): NeuralCf {
  const m = new NeuralCf(variant, config);
  m.build(data.userCount, data.itemCount);
  return m;
}

function maxDiff(a: NeuralCf, b: NeuralCf): { diff: number; moved: number } {
  const x = a.save().arrays;
  const y = b.save().arrays;
  const start = fresh(a.model).save().arrays;
  let diff = 0;
  let moved = 0;
  for (const k of Object.keys(x)) {
    expect(y[k]!.length).toBe(x[k]!.length);
    for (let i = 0; i < x[k]!.length; i++) {
      diff = Math.max(diff, Math.abs(x[k]![i]! - y[k]![i]!));
      moved = Math.max(moved, Math.abs(x[k]![i]! - start[k]![i]!));
    }
  }
  return { diff, moved };
}

describe('NCF kernels', () => {
  for (const variant of ['gmf', 'mlp', 'neumf'] as const)
    it(`${variant}: the SIMD and plain-JS steps take the tfjs trainer's steps`, async () => {
      const ref = fresh(variant);
      const refLog = await new SparseTrainer(tf, ref.network(), settings).fit(data);
      for (const force of [undefined, 'js'] as const) {
        const m = fresh(variant);
        const trainer = m.ncfTrainer(settings, force);
        const log = await trainer.fit(data);
        expect(trainer.engine).toBe(force ?? 'wasm-simd');
        const { diff, moved } = maxDiff(m, ref);
        // The weights moved far more than the two trainers differ.
        expect(moved).toBeGreaterThan(0.05);
        expect(diff).toBeLessThan(2e-4);
        expect(log[0]!.loss).toBeCloseTo(refLog[0]!.loss, 4);
      }
    });

  it('the tower may have widths that are not multiples of four', async () => {
    const odd = { ...config, mlpEmbedding: 7, factors: 5, mlpLayers: 2 };
    const ref = new NeuralCf('neumf', odd);
    ref.build(data.userCount, data.itemCount);
    await new SparseTrainer(tf, ref.network(), settings).fit(data);
    const m = new NeuralCf('neumf', odd);
    m.build(data.userCount, data.itemCount);
    await m.ncfTrainer(settings).fit(data);
    const a = m.save().arrays;
    const b = ref.save().arrays;
    for (const k of Object.keys(a))
      for (let i = 0; i < a[k]!.length; i++)
        expect(Math.abs(a[k]![i]! - b[k]![i]!)).toBeLessThan(2e-4);
  });

  it('cuts an epoch into runs of whole batches', () => {
    expect(shareBatches(1000, 64, 2)).toEqual([0, 512, 1000]);
    expect(shareBatches(100, 64, 3)).toEqual([0, 64, 64, 100]);
    const cuts = shareBatches(10_000, 256, 4);
    for (const c of cuts.slice(1, -1)) expect(c % 256).toBe(0);
    expect(cuts.at(-1)).toBe(10_000);
  });
});

describe('NCF kernel on two threads', () => {
  it('the helper trains its half, every batch counts once, and the model learns as on one thread', async () => {
    const hr: number[] = [];
    for (const threads of [1, 2]) {
      const m = new NeuralCf('neumf', { ...config, epochs: 6 });
      m.build(data.userCount, data.itemCount);
      const trainer = m.ncfTrainer({ ...settings, epochs: 6 });
      await trainer.fit(data, { pool, threads });
      expect(trainer.threads).toBe(threads);
      const batches = Math.ceil((data.train.items.length * 5) / settings.batchSize);
      expect(trainer.shares.reduce((a, b) => a + b, 0)).toBe(batches);
      if (threads === 2) expect(Math.min(...trainer.shares)).toBeGreaterThan(batches / 3);
      hr.push(evaluateSplit(split, (u, items, out) => m.score(u, items, out)).hr!);
    }
    // Both learn (untrained weights score near chance), and two threads lose little.
    expect(hr[0]!).toBeGreaterThan(0.3);
    expect(hr[1]!).toBeGreaterThan(hr[0]! - 0.1);
  });

  it('NeuralCf.fit uses the pool and says so', async () => {
    const m = new NeuralCf('gmf', { ...config, epochs: 1 });
    await m.fit(data, { pool, threads: 2 });
    expect(m.engine).toBe('wasm-simd');
    expect(m.threads).toBe(2);
  });

  it('cancel in the middle of an epoch stops the helper too', async () => {
    const big = generateDataset({
      ratings: 60_000,
      users: 600,
      movies: 900,
      seed: 4,
      demographics: false,
    });
    const bigSplit = ncfLooSplit(big.ratings, 1, { itemCount: big.movies.length, negatives: 50 });
    const m = new NeuralCf('neumf', { ...config, epochs: 50, validate: 0 });
    const ctl = new AbortController();
    let ticks = 0;
    // Every helper task's end, and the fit's, in the order they come.
    const order: string[] = [];
    const spy: ThreadPool = {
      size: pool.size,
      run: <T>(task: { task: string } & Record<string, unknown>) =>
        pool.run<T>(task).finally(() => order.push('helper')),
      warm: () => pool.warm(),
      close: () => undefined,
    };
    const run = m.fit(bigSplit.data, {
      pool: spy,
      threads: 2,
      signal: ctl.signal,
      onProgress: () => {
        if (++ticks === 3) ctl.abort();
      },
    });
    await expect(run.finally(() => order.push('fit'))).rejects.toMatchObject({
      name: 'AbortError',
    });
    // Stopped in the first epoch, and the helper had stopped before the fit said so.
    expect(order).toEqual(['helper', 'fit']);
  });

  it('a helper that fails fails the fit with its message', async () => {
    const m = new NeuralCf('neumf', { ...config, epochs: 2 });
    await expect(m.fit(data, { pool: brokenPool('helper crashed'), threads: 2 })).rejects.toThrow(
      'helper crashed',
    );
  });
});
