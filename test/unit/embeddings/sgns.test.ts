/**
 * The skip-gram trainers: shared pieces (settings, vocabulary, subsampling,
 * negative table), the three kernels (plain JS, WebAssembly SIMD, tfjs) on a
 * corpus with planted clusters, determinism, the loss curve, progress and
 * cancel, tensor leaks, and the committed wasm against its source.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { WrenError } from '../../../src/core/errors.ts';
import { jsKernel, trainSgnsCpu } from '../../../src/core/embeddings/sgns-cpu.ts';
import {
  prepareKernelInput,
  runKernel,
  type KernelFactory,
  type TrainResult,
} from '../../../src/core/embeddings/sgns-driver.ts';
import { tfKernel, trainSgnsTf } from '../../../src/core/embeddings/sgns-tf.ts';
import { trainSgnsWasm, wasmKernel } from '../../../src/core/embeddings/sgns-wasm.ts';
import {
  GENSIM_REFERENCE,
  buildVocabulary,
  keepProbabilities,
  negativeTable,
  validateSgnsSettings,
  type SgnsSettings,
  type TrainOptions,
  type TrainProgress,
  type Vocabulary,
} from '../../../src/core/embeddings/sgns.ts';
import { exactTopK, normalizeRows } from '../../../src/core/embeddings/topk.ts';
import type { Sequences } from '../../../src/core/features/sequences.ts';
import { Random } from '../../../src/core/random.ts';
import { seqs } from './helpers.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const CLUSTERS = 4;
const PER_CLUSTER = 25;
const ITEMS = CLUSTERS * PER_CLUSTER;
const clusterOf = (item: number): number => Math.floor(item / PER_CLUSTER);

/** `count` sequences of `length` items, each drawn (with repeats) from one cluster of 25 items. */
function plantedCorpus(seed: number, count = 300, length = 20): Sequences {
  const rng = new Random(seed);
  const lists: number[][] = [];
  for (let s = 0; s < count; s++) {
    const c = rng.int(CLUSTERS);
    lists.push(Array.from({ length }, () => c * PER_CLUSTER + rng.int(PER_CLUSTER)));
  }
  return seqs(lists);
}

/** The same tokens shuffled across every sequence: item frequencies stay, co-occurrence goes. */
function shuffledCorpus(c: Sequences, seed: number): Sequences {
  return { offsets: c.offsets, items: new Random(seed).shuffle(c.items.slice()) };
}

/** Share of items whose top-5 cosine neighbours (self excluded) are mostly (≥ 3) from their own cluster. */
function clusterPurity(r: Pick<TrainResult, 'vectors' | 'dim' | 'vocab'>): number {
  const { dim } = r;
  const unit = normalizeRows(r.vectors, dim);
  const items = r.vocab.items;
  let good = 0;
  for (let row = 0; row < items.length; row++) {
    const q = unit.subarray(row * dim, (row + 1) * dim);
    const top = exactTopK(unit, dim, q, 5, (x) => x === row);
    let same = 0;
    for (const j of top.index) if (clusterOf(items[j]!) === clusterOf(items[row]!)) same++;
    if (same >= 3) good++;
  }
  return good / items.length;
}

/** Pearson correlation of the cosines of every pair of rows of two embeddings of the same vocabulary. */
function pairwiseCosineCorrelation(a: Float32Array, b: Float32Array, dim: number): number {
  const ua = normalizeRows(a, dim);
  const ub = normalizeRows(b, dim);
  const n = a.length / dim;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let x = 0;
      let y = 0;
      for (let k = 0; k < dim; k++) {
        x += ua[i * dim + k]! * ua[j * dim + k]!;
        y += ub[i * dim + k]! * ub[j * dim + k]!;
      }
      xs.push(x);
      ys.push(y);
    }
  }
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

const PLANTED: SgnsSettings = { ...GENSIM_REFERENCE, dim: 16, epochs: 3 };

type Trainer = (c: Sequences, n: number, s: SgnsSettings, o?: TrainOptions) => Promise<TrainResult>;

/** The tfjs kernel on the tfjs wasm backend, with a batch small enough for 100 items. */
const trainTfWasm: Trainer = async (c, n, s, o) => {
  expect(await tf.setBackend('wasm')).toBe(true);
  return trainSgnsTf(c, n, s, { ...o, batchSize: 256 });
};

const TRAINERS: [string, Trainer][] = [
  ['js', trainSgnsCpu],
  ['wasm-simd', trainSgnsWasm],
  ['tfjs-wasm', trainTfWasm],
];

describe('validateSgnsSettings', () => {
  it('accepts the reference settings and the edges of every range', () => {
    expect(() => validateSgnsSettings(GENSIM_REFERENCE)).not.toThrow();
    const edges: Partial<SgnsSettings>[] = [
      { dim: 2 },
      { dim: 512 },
      { window: 100 },
      { negatives: 50 },
      { epochs: 1 },
      { learningRate: 1, minLearningRate: 1 },
      { minLearningRate: 0 },
      { subsample: 0 },
      { negativeExponent: -1 },
      { negativeExponent: 2 },
      { seed: -7 },
    ];
    for (const e of edges)
      expect(() => validateSgnsSettings({ ...GENSIM_REFERENCE, ...e })).not.toThrow();
  });

  it.each<[string, Partial<SgnsSettings>]>([
    ['dim 1', { dim: 1 }],
    ['dim 513', { dim: 513 }],
    ['dim 2.5', { dim: 2.5 }],
    ['window 0', { window: 0 }],
    ['window 101', { window: 101 }],
    ['negatives 0', { negatives: 0 }],
    ['negatives 51', { negatives: 51 }],
    ['epochs 0', { epochs: 0 }],
    ['epochs NaN', { epochs: NaN }],
    ['learningRate 0', { learningRate: 0 }],
    ['learningRate 1.5', { learningRate: 1.5 }],
    ['learningRate NaN', { learningRate: NaN }],
    ['minLearningRate above learningRate', { learningRate: 0.01, minLearningRate: 0.02 }],
    ['minLearningRate negative', { minLearningRate: -0.001 }],
    ['subsample 1', { subsample: 1 }],
    ['subsample negative', { subsample: -1e-3 }],
    ['negativeExponent 2.5', { negativeExponent: 2.5 }],
    ['negativeExponent -1.5', { negativeExponent: -1.5 }],
    ['seed 1.5', { seed: 1.5 }],
  ])('rejects %s with invalid-settings', (_name, bad) => {
    const s = { ...GENSIM_REFERENCE, ...bad };
    expect(() => validateSgnsSettings(s)).toThrow(WrenError);
    try {
      validateSgnsSettings(s);
    } catch (e) {
      expect((e as WrenError).code).toBe('invalid-settings');
      expect((e as WrenError).message).toMatch(/got /);
    }
  });

  it('is checked before training starts', async () => {
    await expect(
      trainSgnsCpu(plantedCorpus(1, 5), ITEMS, { ...PLANTED, dim: 0 }),
    ).rejects.toMatchObject({ code: 'invalid-settings' });
  });
});

describe('buildVocabulary', () => {
  it('keeps the items that occur, in item order, with their counts and rows', () => {
    const v = buildVocabulary(seqs([[4, 1, 4], [], [6, 4]]), 8);
    expect(Array.from(v.items)).toEqual([1, 4, 6]);
    expect(Array.from(v.counts)).toEqual([1, 3, 1]);
    expect(Array.from(v.rowOf)).toEqual([-1, 0, -1, -1, 1, -1, 2, -1]);
    expect(v.tokens).toBe(5);
  });

  it.each([[-1], [8], [100]])('rejects item %i outside 0..7 with invalid-data', (bad) => {
    expect(() => buildVocabulary(seqs([[1, bad]]), 8)).toThrow(
      expect.objectContaining({ code: 'invalid-data' }),
    );
  });
});

/** A vocabulary with the given counts for items 0..n-1. */
function vocabOf(counts: number[]): Vocabulary {
  return buildVocabulary(seqs(counts.map((c, i) => new Array<number>(c).fill(i))), counts.length);
}

describe('keepProbabilities', () => {
  it("matches gensim's (sqrt(c/t) + 1) · t/c with t = sample · tokens, capped at 1", () => {
    // tokens 1011, sample 1e-3 → t = 1.011 (values worked out by hand).
    const keep = keepProbabilities(vocabOf([1000, 10, 1]), 1e-3);
    expect(keep[0]).toBeCloseTo((Math.sqrt(1000 / 1.011) + 1) * (1.011 / 1000), 6);
    expect(keep[0]).toBeCloseTo(0.032807, 5);
    expect(keep[1]).toBeCloseTo(0.419062, 5);
    expect(keep[2]).toBe(1); // (√0.989 + 1) · 1.011 ≈ 2.02 → capped
  });

  it('keeps everything when subsampling is off', () => {
    expect(Array.from(keepProbabilities(vocabOf([1000, 10, 1]), 0))).toEqual([1, 1, 1]);
  });
});

describe('negativeTable', () => {
  const counts = [1, 3, 10, 50, 200, 7];
  const v = vocabOf(counts);
  it.each([[0.75], [1], [0], [-0.5]])('gives row r a share ∝ count^%f', (exponent) => {
    const len = 1 << 16;
    const table = negativeTable(v, exponent, len);
    expect(table.length).toBe(len);
    const seen = new Float64Array(counts.length);
    for (const r of table) seen[r]!++;
    const w = counts.map((c) => c ** exponent);
    const total = w.reduce((a, b) => a + b, 0);
    for (let r = 0; r < counts.length; r++) {
      expect(Math.abs(seen[r]! / len - w[r]! / total)).toBeLessThan(2 / len);
    }
    // Rows appear in order (the table is a cumulative walk).
    let ordered = true;
    for (let i = 1; i < len; i++) ordered &&= table[i]! >= table[i - 1]!;
    expect(ordered).toBe(true);
  });

  it('defaults to a power-of-two size of at least 2^20', () => {
    const t = negativeTable(v, 0.75);
    expect(t.length).toBe(1 << 20);
  });
});

describe('kernels on planted clusters', () => {
  const corpus = plantedCorpus(1);
  const control = shuffledCorpus(corpus, 2);

  it.each(TRAINERS)(
    '%s: top-5 neighbours share the cluster for ≥ 90% of items; not on a shuffled corpus',
    async (_name, train) => {
      const r = await train(corpus, ITEMS, PLANTED);
      expect(r.vocab.items.length).toBe(ITEMS);
      expect(r.vectors.length).toBe(ITEMS * PLANTED.dim);
      expect(r.vectors.every(Number.isFinite)).toBe(true);
      expect(clusterPurity(r)).toBeGreaterThanOrEqual(0.9);
      const c = await train(control, ITEMS, PLANTED);
      expect(clusterPurity(c)).toBeLessThan(0.5);
    },
  );
});

describe('determinism', () => {
  const corpus = plantedCorpus(3, 60);
  const s: SgnsSettings = { ...PLANTED, epochs: 1 };

  it.each<[string, Trainer]>([
    ['js', trainSgnsCpu],
    ['wasm-simd', trainSgnsWasm],
  ])('%s: the same seed gives identical vectors, another seed different ones', async (_n, t) => {
    const a = await t(corpus, ITEMS, s);
    const b = await t(corpus, ITEMS, s);
    expect(b.vectors).toEqual(a.vectors);
    const c = await t(corpus, ITEMS, { ...s, seed: 2 });
    expect(maxAbsDiff(a.vectors, c.vectors)).toBeGreaterThan(0.01);
  });

  it('js and wasm agree to float precision after one short sentence', async () => {
    const tiny = seqs([[0, 1, 2, 3, 4, 5, 6, 7]]);
    const a = await trainSgnsCpu(tiny, 8, { ...s, subsample: 0 });
    const b = await trainSgnsWasm(tiny, 8, { ...s, subsample: 0 });
    const init = prepareKernelInput(tiny, 8, { ...s, subsample: 0 }).syn0;
    // Training moved the vectors, and both kernels moved them the same way.
    expect(maxAbsDiff(a.vectors, init)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(a.vectors, b.vectors)).toBeLessThan(1e-6);
  });

  it('js and wasm follow the same random stream (pairwise cosines correlate > 0.999; another seed does not)', async () => {
    // Random sequences: no structure, so the vectors are shaped by the random stream alone.
    const rng = new Random(11);
    const noise = seqs(
      Array.from({ length: 40 }, () => Array.from({ length: 15 }, () => rng.int(40))),
    );
    const js = await trainSgnsCpu(noise, 40, s);
    const wasm = await trainSgnsWasm(noise, 40, s);
    const other = await trainSgnsCpu(noise, 40, { ...s, seed: 9 });
    const same = pairwiseCosineCorrelation(js.vectors, wasm.vectors, s.dim);
    const diff = pairwiseCosineCorrelation(js.vectors, other.vectors, s.dim);
    expect(same).toBeGreaterThan(0.999);
    expect(diff).toBeLessThan(0.8);
    // Measured: the two stay within a few 1e-6 of each other, even over several epochs.
    expect(maxAbsDiff(js.vectors, wasm.vectors)).toBeLessThan(1e-4);
    const a = await trainSgnsCpu(corpus, ITEMS, PLANTED);
    const b = await trainSgnsWasm(corpus, ITEMS, PLANTED);
    expect(maxAbsDiff(a.vectors, b.vectors)).toBeLessThan(1e-3);
  });
});

describe('the training loop', () => {
  const corpus = plantedCorpus(4);
  const s: SgnsSettings = { ...PLANTED, epochs: 6 };

  it.each<[string, Trainer]>([
    ['js', trainSgnsCpu],
    ['wasm-simd', trainSgnsWasm],
  ])(
    '%s: the loss falls; progress never goes backwards and ends at the total',
    async (engine, t) => {
      const events: TrainProgress[] = [];
      const r = await t(corpus, ITEMS, s, { sliceMs: 1, onProgress: (p) => events.push(p) });
      const total = corpus.items.length * s.epochs;
      expect(events.length).toBeGreaterThan(2);
      for (let i = 1; i < events.length; i++) {
        expect(events[i]!.done).toBeGreaterThanOrEqual(events[i - 1]!.done);
        expect(events[i]!.epoch).toBeGreaterThanOrEqual(events[i - 1]!.epoch);
      }
      for (const e of events) {
        expect(e.stage).toBe('train');
        expect(e.total).toBe(total);
        expect(Number.isFinite(e.tokensPerSecond)).toBe(true);
      }
      expect(events.at(-1)!.done).toBe(total);
      expect(events.at(-1)!.epoch).toBe(s.epochs - 1);
      expect(r.losses).toEqual(events.map((e) => e.loss));
      // A report that sampled no pair reads 0; compare the ones that did.
      const losses = r.losses.filter((l) => l > 0);
      expect(losses[0]!).toBeGreaterThan(losses.at(-1)!);
      // Robust to noise in single reports: the first quarter's mean beats the last quarter's.
      const q = Math.max(1, Math.floor(losses.length / 4));
      const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
      expect(mean(losses.slice(0, q))).toBeGreaterThan(mean(losses.slice(-q)));
      expect(r.engine).toBe(engine);
      expect(r.tokensPerSecond).toBeGreaterThan(0);
    },
  );

  it.each<[string, Trainer]>(TRAINERS)(
    '%s: aborting on the first progress report throws cancelled',
    async (_n, t) => {
      const ctl = new AbortController();
      let reports = 0;
      const run = t(corpus, ITEMS, s, {
        sliceMs: 1,
        signal: ctl.signal,
        onProgress: () => {
          reports++;
          ctl.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(WrenError);
      await expect(run).rejects.toMatchObject({ code: 'cancelled' });
      expect(reports).toBe(1);
    },
  );

  it('disposes the kernel when training fails or is cancelled', async () => {
    let disposed = 0;
    const failing: KernelFactory = (input) => {
      const k = jsKernel(input);
      return {
        ...k,
        trainSentences: () => {
          throw new Error('kernel broke');
        },
        dispose: () => void disposed++,
      };
    };
    await expect(runKernel(corpus, ITEMS, s, failing)).rejects.toThrow('kernel broke');
    expect(disposed).toBe(1);
  });
});

describe('tfjs kernel', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it.each([['wasm'], ['cpu']])('leaks no tensors on the %s backend', async (backend) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const tiny = plantedCorpus(5, 20, 10);
    const s = { ...PLANTED, epochs: 1 };
    const before = tf.memory().numTensors;
    const r = await trainSgnsTf(tiny, ITEMS, s, { batchSize: 64 });
    expect(r.engine).toBe(`tfjs-${backend}`);
    expect(r.losses.length).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    // The kernel itself holds its tables until disposed, then nothing.
    const k = tfKernel(prepareKernelInput(tiny, ITEMS, s), 64);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    k.trainSentences(0, 5, 0, tiny.items.length);
    expect(k.vectors().length).toBe(r.vectors.length);
    k.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a loss near log 2 at first (syn1 starts at zero) and ends at the total', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const c = plantedCorpus(6, 40);
    const events: TrainProgress[] = [];
    const r = await trainSgnsTf(
      c,
      ITEMS,
      { ...PLANTED, epochs: 2 },
      {
        batchSize: 64,
        sliceMs: 1,
        onProgress: (p) => events.push(p),
      },
    );
    // syn1 starts at zero, so the first sampled loss is log 2 (σ(0) = ½).
    expect(events[0]!.loss).toBeGreaterThan(0.6);
    expect(events[0]!.loss).toBeLessThan(Math.LN2 + 1e-3);
    expect(events.at(-1)!.done).toBe(c.items.length * 2);
    expect(r.vocab.items.length).toBe(new Set(c.items).size);
    expect(r.vectors.every(Number.isFinite)).toBe(true);
  });
});

describe('the wasm kernel build', () => {
  it('is present and the committed wasm matches its source (build-wasm --check)', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
        cwd: repoRoot,
        stdio: 'pipe',
      }),
    ).not.toThrow();
    // Compiling every kernel takes about 25 s of CPU: over a minute on a loaded 2-core machine.
  }, 180_000);

  it('the kernel factory reports its engine', async () => {
    const k = await wasmKernel(prepareKernelInput(seqs([[0, 1, 2]]), 3, PLANTED));
    expect(k.engine).toBe('wasm-simd');
    expect(k.trainSentences(0, 1, 0, 3)).toBe(3);
    k.dispose();
  });
});
