import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { evaluateSplit, ncfLooSplit, validationLoo } from '../../../src/core/eval/protocols.ts';
import { NeuralCf } from '../../../src/core/models/neural-cf.ts';
import { EmbeddingTable } from '../../../src/core/train/embedding-table.ts';
import { DenseParams } from '../../../src/core/train/embedding-table.ts';
import { SparseTrainer } from '../../../src/core/train/sparse-trainer.ts';

const ds = generateDataset({
  ratings: 6_000,
  users: 120,
  movies: 250,
  seed: 3,
  demographics: false,
});
const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length, negatives: 50 });
const small = {
  epochs: 3,
  factors: 4,
  mlpEmbedding: 8,
  mlpLayers: 2,
  batchSize: 64,
  learningRate: 0.005,
};

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('SparseTrainer', () => {
  it('samples the configured negatives among items the user never had, and every positive once', async () => {
    const seen: { u: number; i: number; y: number }[] = [];
    class Spy extends SparseTrainer {
      override trainBatch(users: Int32Array, items: Int32Array, labels: Float32Array): number {
        for (let j = 0; j < users.length; j++)
          seen.push({ u: users[j]!, i: items[j]!, y: labels[j]! });
        return 0;
      }
    }
    const table = new EmbeddingTable(1, 1);
    const net = {
      lookups: [{ table, by: 'user' as const }],
      dense: new DenseParams([], () => new Float32Array(0)),
      logits: () => tf.zeros([1]) as tf.Tensor1D,
    };
    await new Spy(tf, net, {
      epochs: 1,
      batchSize: 100,
      negatives: 3,
      learningRate: 0.001,
      l2: 0,
      seed: 1,
    }).fit(split.data);
    const { train } = split.data;
    expect(seen.length).toBe(train.items.length * 4);
    const history = (u: number): Set<number> =>
      new Set(train.items.subarray(train.offsets[u]!, train.offsets[u + 1]!));
    const positives = seen.filter((s) => s.y === 1);
    expect(positives.length).toBe(train.items.length);
    for (const s of seen) expect(history(s.u).has(s.i)).toBe(s.y === 1);
    // Shuffled: the first batch mixes users.
    expect(new Set(seen.slice(0, 100).map((s) => s.u)).size).toBeGreaterThan(20);
  });

  it('lowers the loss, leaks no tensors, and is reproducible for a seed', async () => {
    const before = tf.memory().numTensors;
    const a = new NeuralCf('neumf', { ...small, seed: 7 });
    await a.fit(split.data);
    const out = new Float32Array(ds.movies.length);
    a.score(0, null, out);
    expect(tf.memory().numTensors).toBe(before);
    const losses = a.epochLog.map((r) => r.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.05);
    const b = new NeuralCf('neumf', { ...small, seed: 7 });
    await b.fit(split.data);
    expect(b.save().arrays).toEqual(a.save().arrays);
    const c = new NeuralCf('neumf', { ...small, seed: 8 });
    await c.fit(split.data);
    expect(c.save().arrays.itemMlp).not.toEqual(a.save().arrays.itemMlp);
  });

  it('validates after every epoch and keeps the best epoch’s weights', async () => {
    const m = new NeuralCf('gmf', { ...small, epochs: 6, learningRate: 0.05, patience: 2 });
    await m.fit(split.data);
    const log = m.epochLog;
    for (const r of log) {
      expect(r.valHr).toBeGreaterThanOrEqual(0);
      expect(r.valNdcg).toBeLessThanOrEqual(r.valHr!);
    }
    const best = Math.max(...log.map((r) => r.valNdcg!));
    const val = validationLoo(split.data, 1);
    const again = evaluateSplit(val, (u, items, out) => m.score(u, items, out));
    expect(again.ndcg).toBeCloseTo(best, 10);
    // Stopped by patience, or ran out of epochs with the best among the last two.
    const bestAt = m.bestEpoch();
    expect(log.length === 6 || log.length - bestAt === 2).toBe(true);
  });

  it('NeuMF pre-training starts from GMF and MLP trained alone, half of each', async () => {
    const cfg = { ...small, epochs: 2, validate: 0 };
    const gmf = new NeuralCf('gmf', cfg);
    await gmf.fit(split.data);
    const mlp = new NeuralCf('mlp', cfg);
    await mlp.fit(split.data);
    // A fine-tuning rate of 0 leaves the combined start as it is.
    const neumf = new NeuralCf('neumf', { ...cfg, pretrain: 1, finetuneScale: 0 });
    const stages = new Set<string>();
    await neumf.fit(split.data, { onProgress: (p) => stages.add(p.stage.split(',')[0]!) });
    expect([...stages]).toEqual(expect.arrayContaining(['GMF pre-training', 'MLP pre-training']));
    const items = Int32Array.from({ length: 50 }, (_, i) => i * 3);
    const [a, b, c] = [new Float32Array(50), new Float32Array(50), new Float32Array(50)];
    for (const u of [0, 5, 60]) {
      gmf.score(u, items, a);
      mlp.score(u, items, b);
      neumf.score(u, items, c);
      for (let j = 0; j < 50; j++) expect(c[j]).toBeCloseTo(0.5 * (a[j]! + b[j]!), 5);
    }
  });

  it('trains alike on the wasm and cpu backends (two-tower: GMF, MLP and NeuMF train without tfjs)', async () => {
    const run = async (backend: string): Promise<number[]> => {
      expect(await tf.setBackend(backend)).toBe(true);
      const m = new NeuralCf('two-tower', { ...small, epochs: 2 });
      await m.fit(split.data);
      return m.epochLog.map((r) => r.loss);
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (let i = 0; i < cpu.length; i++) expect(wasm[i]).toBeCloseTo(cpu[i]!, 3);
  });

  it('stops on cancel with the signal’s reason', async () => {
    const ctrl = new AbortController();
    const m = new NeuralCf('mlp', { ...small, epochs: 50 });
    const p = m.fit(split.data, {
      signal: ctrl.signal,
      onProgress: (q) => {
        if (q.done > 0) ctrl.abort(new Error('cancelled by test'));
      },
    });
    await expect(p).rejects.toThrow('cancelled by test');
    expect(m.epochLog).toEqual([]);
  });
});
