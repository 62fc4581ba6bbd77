/**
 * The orchestrator (trainEmbedding, embeddingCorpus) on generated and on
 * planted-structure ratings, and the measured engine probe with fake engines.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import type { Dataset, RatingColumns } from '../../../src/core/data/types.ts';
import {
  embedInput,
  embeddingCorpus,
  trainEmbedding,
  type EmbedInput,
  type EmbedMethod,
  type EmbedProgress,
  type EmbedSettings,
  type EmbeddingResult,
} from '../../../src/core/embeddings/embed.ts';
import {
  fastestEngine,
  probeCorpus,
  probeEngines,
  type EngineSpec,
} from '../../../src/core/embeddings/engines.ts';
import type { Kernel, KernelFactory } from '../../../src/core/embeddings/sgns-driver.ts';
import { jsKernel } from '../../../src/core/embeddings/sgns-cpu.ts';
import { GENSIM_REFERENCE } from '../../../src/core/embeddings/sgns.ts';
import { wasmKernel } from '../../../src/core/embeddings/sgns-wasm.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { nextItemSplit } from '../../../src/core/eval/next-item.ts';
import { sequenceAt, sequenceCount } from '../../../src/core/features/sequences.ts';
import { Random } from '../../../src/core/random.ts';
import { seqs } from './helpers.ts';

/** Small, quick settings, all spelled out (the defaults may be retuned): few epochs and walks. */
const QUICK: EmbedSettings = {
  ...GENSIM_REFERENCE,
  dim: 16,
  epochs: 4,
  method: 'item2vec',
  numWalks: 3000,
  walkLength: 10,
  walkStart: 'frequency',
  p: 1,
  q: 1,
};
const METHODS: EmbedMethod[] = ['item2vec', 'deepwalk', 'node2vec'];

/** QUICK for a method; Node2vec gets a real bias (with p = q = 1 it is DeepWalk). */
const quick = (method: EmbedMethod): EmbedSettings =>
  method === 'node2vec' ? { ...QUICK, method, p: 0.5, q: 2 } : { ...QUICK, method };

function inputOf(ds: Dataset): EmbedInput {
  return embedInput(ds.ratings, ds.movies, ds.genres);
}

/**
 * 400 users, each of whom likes one of 4 clusters of 25 movies and rates 15
 * of them (all ≥ 4 stars, one a day); a movie's only genre is its cluster.
 * The held-out movie is in the query's cluster, so the embedding can find it
 * and popularity (about uniform) cannot.
 */
function plantedInput(seed: number): EmbedInput {
  const rng = new Random(seed);
  const rows: [number, number][] = [];
  for (let u = 0; u < 400; u++) {
    const c = rng.int(4);
    const picks = rng.shuffle(Array.from({ length: 25 }, (_, i) => c * 25 + i)).slice(0, 15);
    for (const m of picks) rows.push([u, m]);
  }
  const n = rows.length;
  const ratings: RatingColumns = {
    user: Int32Array.from(rows, (r) => r[0]),
    movie: Int32Array.from(rows, (r) => r[1]),
    rating: new Uint8Array(n).fill(8),
    timestamp: Uint32Array.from(rows, (_, i) => 1_000_000 + (i % 15) * 86_400),
    userOffsets: Int32Array.from({ length: 401 }, (_, u) => u * 15),
  };
  const offsets = Int32Array.from({ length: 101 }, (_, m) => m);
  const list = Int8Array.from({ length: 100 }, (_, m) => Math.floor(m / 25));
  return { ratings, movieCount: 100, genres: { offsets, list } };
}

/** Checks what every result must satisfy, whatever the data. */
function expectSane(r: EmbeddingResult, input: EmbedInput): void {
  const n = r.items.length;
  expect(n).toBeGreaterThan(1);
  for (let i = 0; i < n; i++) {
    expect(r.items[i]!).toBeGreaterThanOrEqual(0);
    expect(r.items[i]!).toBeLessThan(input.movieCount);
    if (i > 0) expect(r.items[i]!).toBeGreaterThan(r.items[i - 1]!);
  }
  expect(r.vectors.length).toBe(n * r.dim);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < r.dim; k++) s += r.vectors[i * r.dim + k]! ** 2;
    worst = Math.max(worst, Math.abs(Math.sqrt(s) - 1));
  }
  expect(worst).toBeLessThan(1e-5);
  expect(r.map.length).toBe(2 * n);
  expect(r.map.every(Number.isFinite)).toBe(true);
  const m = r.metrics;
  for (const [key, value] of Object.entries(m)) {
    expect(Number.isFinite(value), key).toBe(true);
    expect(value, key).toBeGreaterThanOrEqual(0);
  }
  for (const v of [m.hr10, m.ndcg10, m.popularityHr10, m.popularityNdcg10]) {
    expect(v).toBeLessThanOrEqual(1);
  }
  expect(m.ndcg10).toBeLessThanOrEqual(m.hr10);
  expect(m.popularityNdcg10).toBeLessThanOrEqual(m.popularityHr10);
  expect(m.genreCoherence).toBeLessThanOrEqual(1);
  expect(m.genreCoherenceRandom).toBeLessThanOrEqual(1);
  expect(m.users).toBe(nextItemSplit(input.ratings).users.length);
  expect(m.annRecall10).toBeGreaterThanOrEqual(0.95);
  expect(r.hnsw?.count).toBe(n);
  expect(r.losses.length).toBeGreaterThan(0);
  expect(r.losses.every(Number.isFinite)).toBe(true);
  expect(r.seconds).toBeGreaterThanOrEqual(r.trainSeconds);
}

/** Stages in order, each reported with `done` never going backwards and never above `total`. */
function expectOrderedProgress(events: EmbedProgress[], method: EmbedMethod): void {
  const order = ['walks', 'train', 'evaluate', 'index', 'map'];
  const stages = events.map((e) => e.stage).filter((s, i, a) => i === 0 || a[i - 1] !== s);
  expect(stages).toEqual(method === 'item2vec' ? order.slice(1) : order);
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1]!, events[i]!];
    if (a.stage === b.stage) expect(b.done).toBeGreaterThanOrEqual(a.done);
  }
  for (const e of events) expect(e.done).toBeLessThanOrEqual(e.total);
  const train = events.filter((e) => e.stage === 'train');
  expect(train.at(-1)!.done).toBe(train.at(-1)!.total);
}

describe('trainEmbedding on generated ratings', () => {
  const ds = generateDataset({ ratings: 20_000, seed: 7 });
  const input = inputOf(ds);

  it.each(METHODS)('%s: vectors, map, index and metrics are in range', async (method) => {
    const events: EmbedProgress[] = [];
    const r = await trainEmbedding(input, quick(method), {
      kernel: wasmKernel,
      onProgress: (p) => events.push(p),
    });
    expectSane(r, input);
    expectOrderedProgress(events, method);
    expect(r.engine).toBe('wasm-simd');
    expect(r.settings.method).toBe(method);
    const split = nextItemSplit(input.ratings);
    if (method === 'item2vec') {
      expect(r.metrics.corpusTokens).toBe(split.train.items.length);
      expect(r.items.length).toBe(new Set(split.train.items).size);
    } else {
      expect(r.metrics.corpusTokens).toBeGreaterThan(QUICK.numWalks);
      expect(r.metrics.corpusTokens).toBeLessThanOrEqual(QUICK.numWalks * QUICK.walkLength);
    }
  });

  it('trains only, when asked: no index, no metrics, no map', async () => {
    const r = await trainEmbedding(input, QUICK, { kernel: wasmKernel, trainOnly: true });
    expect(r.hnsw).toBeNull();
    expect(r.metrics.hr10).toBe(0);
    expect(r.metrics.annRecall10).toBe(0);
    expect(r.metrics.corpusTokens).toBeGreaterThan(0);
    expect(r.map.every((x) => x === 0)).toBe(true);
    expect(r.vectors.length).toBe(r.items.length * QUICK.dim);
  });

  it('gives the same vectors with the JS and the WebAssembly kernel', async () => {
    const s = { ...QUICK, epochs: 1 };
    const a = await trainEmbedding(input, s, { kernel: jsKernel, trainOnly: true });
    const b = await trainEmbedding(input, s, { kernel: wasmKernel, trainOnly: true });
    expect(Array.from(b.items)).toEqual(Array.from(a.items));
    let diff = 0;
    for (let i = 0; i < a.vectors.length; i++)
      diff = Math.max(diff, Math.abs(a.vectors[i]! - b.vectors[i]!));
    expect(diff).toBeLessThan(1e-3);
  });

  it.each<[string, EmbedProgress['stage']]>([
    ['item2vec', 'train'],
    ['deepwalk', 'walks'],
    ['item2vec', 'index'],
  ])('%s: aborting in stage %s throws cancelled', async (method, stage) => {
    const ctl = new AbortController();
    const run = trainEmbedding(
      input,
      { ...QUICK, method: method as EmbedMethod },
      {
        kernel: wasmKernel,
        signal: ctl.signal,
        onProgress: (p) => {
          if (p.stage === stage) ctl.abort();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(WrenError);
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('trainEmbedding on planted clusters', () => {
  const input = plantedInput(1);

  it.each(METHODS)('%s beats popularity and maps genres together', async (method) => {
    const s = { ...quick(method), epochs: 5 };
    const r = await trainEmbedding(input, s, { kernel: wasmKernel });
    expectSane(r, input);
    const m = r.metrics;
    expect(m.users).toBe(400);
    // Popularity ranks ~11 unseen cluster movies among ~86 candidates; the embedding ranks them first.
    expect(m.popularityHr10).toBeLessThan(0.3);
    expect(m.hr10).toBeGreaterThan(0.6);
    expect(m.hr10).toBeGreaterThanOrEqual(m.popularityHr10 + 0.3);
    expect(m.ndcg10).toBeGreaterThan(m.popularityNdcg10);
    expect(m.genreCoherence).toBeGreaterThan(0.9);
    expect(m.genreCoherenceRandom).toBeLessThan(0.4);
  });
});

describe('embeddingCorpus', () => {
  const train = nextItemSplit(plantedInput(2).ratings).train;

  it('is the sequences themselves for item2vec', async () => {
    expect(await embeddingCorpus(train, 100, QUICK)).toBe(train);
  });

  it.each<EmbedMethod>(['deepwalk', 'node2vec'])(
    '%s: numWalks walks of at most walkLength over the items of the sequences',
    async (method) => {
      const walks = await embeddingCorpus(train, 100, { ...quick(method), numWalks: 500 });
      expect(sequenceCount(walks)).toBe(500);
      const known = new Set(train.items);
      for (let i = 0; i < 500; i++) {
        const w = sequenceAt(walks, i);
        expect(w.length).toBeGreaterThan(0);
        expect(w.length).toBeLessThanOrEqual(QUICK.walkLength);
        for (const m of w) expect(known.has(m)).toBe(true);
      }
    },
  );
});

/** A fake engine: `msPerSentence` of busy work per sentence, or unavailable, or failing. */
function fakeEngine(
  name: string,
  opts: { msPerSentence?: number; available?: boolean; failAt?: 'activate' | 'kernel' | 'train' },
): EngineSpec & { disposed: () => number } {
  let disposed = 0;
  const kernel: KernelFactory = (input): Kernel => {
    if (opts.failAt === 'kernel') throw new Error(`${name}: no kernel`);
    return {
      engine: name,
      trainSentences(s0, s1, processed) {
        if (opts.failAt === 'train') throw new Error(`${name}: train failed`);
        for (let s = s0; s < s1; s++) {
          const until = performance.now() + (opts.msPerSentence ?? 0);
          while (performance.now() < until);
          processed += input.offsets[s + 1]! - input.offsets[s]!;
        }
        return processed;
      },
      takeLoss: () => 0,
      vectors: () => input.syn0.slice(),
      dispose: () => void disposed++,
    };
  };
  return {
    name,
    activate: async () => {
      if (opts.failAt === 'activate') throw new Error(`${name}: no adapter`);
      return opts.available ?? true;
    },
    kernel,
    disposed: () => disposed,
  };
}

describe('probeEngines', () => {
  const corpus = seqs(Array.from({ length: 50 }, (_, s) => [s % 10, (s + 1) % 10, (s + 2) % 10]));

  it('orders engines fastest first and reports why the others did not run', async () => {
    const slow = fakeEngine('slow', { msPerSentence: 2 });
    const broken = fakeEngine('broken', { failAt: 'kernel' });
    const fast = fakeEngine('fast', {});
    const absent = fakeEngine('absent', { available: false });
    const crashing = fakeEngine('crashing', { failAt: 'train' });
    const noAdapter = fakeEngine('no-adapter', { failAt: 'activate' });
    const engines = [slow, broken, fast, absent, crashing, noAdapter];
    const measures = await probeEngines(engines, corpus, 10, QUICK, 60);
    expect(measures.map((m) => m.engine)).toEqual([
      'fast',
      'slow',
      'broken',
      'absent',
      'crashing',
      'no-adapter',
    ]);
    const by = Object.fromEntries(measures.map((m) => [m.engine, m]));
    expect(by.fast!.tokensPerSecond!).toBeGreaterThan(10 * by.slow!.tokensPerSecond!);
    // 3 tokens every 2 ms at best.
    expect(by.slow!.tokensPerSecond!).toBeLessThanOrEqual(1500);
    expect(by.slow!.tokensPerSecond!).toBeGreaterThan(300);
    expect(by.slow!.startSeconds).toBeGreaterThanOrEqual(0.002);
    expect(by.broken).toMatchObject({ tokensPerSecond: null, error: 'broken: no kernel' });
    expect(by.absent).toMatchObject({
      tokensPerSecond: null,
      error: 'unavailable',
      startSeconds: 0,
    });
    expect(by.crashing).toMatchObject({ tokensPerSecond: null, error: 'crashing: train failed' });
    expect(by['no-adapter']).toMatchObject({
      tokensPerSecond: null,
      error: 'no-adapter: no adapter',
    });
    expect(by.fast!.error).toBeUndefined();
    // Every kernel that was made was disposed, failing ones too.
    expect([slow, fast, crashing].map((e) => e.disposed())).toEqual([1, 1, 1]);
    expect(fastestEngine(measures, engines)).toBe(fast);
  });

  it('fastestEngine throws backend when no engine ran', async () => {
    const engines = [fakeEngine('absent', { available: false })];
    const measures = await probeEngines(engines, corpus, 10, QUICK, 20);
    expect(() => fastestEngine(measures, engines)).toThrow(
      expect.objectContaining({ code: 'backend' }),
    );
  });

  it('measures the real kernels on the same corpus', async () => {
    const engines: EngineSpec[] = [
      { name: 'js', activate: async () => true, kernel: jsKernel },
      { name: 'wasm-simd', activate: async () => true, kernel: wasmKernel },
    ];
    const big = nextItemSplit(plantedInput(3).ratings).train;
    const measures = await probeEngines(engines, big, 100, QUICK, 150);
    for (const m of measures) {
      expect(m.error).toBeUndefined();
      expect(m.tokensPerSecond!).toBeGreaterThan(1000);
    }
    expect(fastestEngine(measures, engines).name).toBe(measures[0]!.engine);
  });
});

describe('probeCorpus', () => {
  const c = seqs([
    [1, 2, 3, 4, 5],
    [6, 7, 8, 9, 10],
    [11, 12, 13, 14, 15],
  ]);

  it('takes whole sequences up to the token budget, at least one, at most all', () => {
    expect(Array.from(probeCorpus(c, 12).items)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Array.from(probeCorpus(c, 12).offsets)).toEqual([0, 5, 10]);
    expect(Array.from(probeCorpus(c, 2).items)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(probeCorpus(c, 100).items)).toHaveLength(15);
  });
});
