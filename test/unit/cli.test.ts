/** The command line: `wren import` on generated files, in text and JSON, and on bad input. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { REGISTRY } from '../../src/core/models/index.ts';
import { tempDir, wren, writeMovieLens } from './cli-harness.ts';

let dir: string;
const ds = generateDataset({ ratings: 5_000, seed: 11 });

beforeAll(() => {
  dir = tempDir('wren-cli-');
  writeMovieLens(dir, 'ml-gen', ds);
});

describe('wren models', () => {
  it('lists every registry model with what it can do and each setting’s default, range and doc', async () => {
    const json = await wren('models', '--json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as {
      name: string;
      task: string;
      ranksBy?: string;
      retrieves?: string | null;
      settings: Record<string, { default: number; range: string; doc: string }>;
    }[];
    expect(listed.map((m) => m.name)).toEqual(REGISTRY.map((m) => m.name));
    const tower = listed.find((m) => m.name === 'two-tower')!;
    expect(tower).toMatchObject({ task: 'rank', ranksBy: 'fold-in', retrieves: 'tower' });
    expect(tower.settings.learningRate).toMatchObject({
      default: 0.003,
      range: 'a number above 0',
    });
    expect(listed.find((m) => m.name === 'lr')!.settings.learningRate!.default).toBe(0.01);
    expect(listed.find((m) => m.name === 'popularity')!.settings).toEqual({});
    const text = await wren('models');
    expect(text.stdout).toMatch(/^ease — EASE\n/m);
    expect(text.stdout).toMatch(/^ {4}lambda=0 +a number at least 0\n {8}The L2 weight λ/m);
    // The usage text names every model from the registry, not from a list of its own.
    const help = await wren('--help');
    for (const m of REGISTRY) expect(help.stdout).toContain(m.name);
  });
});

describe('wren import', () => {
  it('prints counts as JSON that match the dataset written', async () => {
    const { code, stdout } = await wren('import', join(dir, 'ml-gen'), '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      ratings: ds.ratings.user.length,
      users: ds.users.length,
      movies: ds.movies.length,
      tags: ds.tags.length,
      skipped: { badRows: 0, unknownMovies: 0, duplicates: 0 },
    });
    expect(out.seconds).toBeGreaterThan(0);
  });

  it('prints a readable summary by default', async () => {
    const { code, stdout } = await wren('import', join(dir, 'ml-gen'));
    expect(code).toBe(0);
    expect(stdout).toContain(`ratings  ${ds.ratings.user.length.toLocaleString('en')}`);
  });

  it('fails with the file and line on a bad row, and skips it with --skip-bad', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'movies.csv'), 'movieId,title,genres\n1,Heat (1995),Action\n');
    writeFileSync(
      join(bad, 'ratings.csv'),
      'userId,movieId,rating,timestamp\n1,1,4.0,1\n1,x,4.0,2\n',
    );
    const strict = await wren('import', bad);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/ratings\.csv line 3/);
    const lenient = await wren('import', bad, '--skip-bad', '5', '--json');
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ ratings: 1, skipped: { badRows: 1 } });
  });

  it('rejects a bad --skip-bad value and unknown commands with usage', async () => {
    expect((await wren('import', dir, '--skip-bad', 'lots')).code).toBe(2);
    const r = await wren('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: wren/);
  });
});

describe('wren embed', () => {
  it('trains each method and prints quality, search and throughput figures as JSON', async () => {
    for (const method of ['item2vec', 'node2vec']) {
      const args = ['embed', '--data', join(dir, 'ml-gen'), '--method', method, '--json'];
      const { code, stdout } = await wren(
        ...args,
        '--epochs',
        '2',
        '--dim',
        '8',
        '--walks',
        '2',
        '--walk-length',
        '10',
      );
      expect(code).toBe(0);
      const out = JSON.parse(stdout) as {
        method: string;
        engine: string;
        settings: { dim: number; epochs: number };
        vectors: number;
        tokensPerSecond: number;
        metrics: Record<string, number>;
      };
      expect(out.method).toBe(method);
      expect(out.engine).toBe('wasm-simd');
      expect(out.settings).toMatchObject({ dim: 8, epochs: 2 });
      expect(out.vectors).toBeGreaterThan(10);
      expect(out.vectors).toBeLessThanOrEqual(ds.movies.length);
      expect(out.tokensPerSecond).toBeGreaterThan(0);
      for (const key of ['hr10', 'ndcg10', 'popularityHr10', 'genreCoherence', 'annRecall10']) {
        expect(out.metrics[key]).toBeGreaterThanOrEqual(0);
        expect(out.metrics[key]).toBeLessThanOrEqual(1);
      }
      expect(out.metrics.ndcg10).toBeLessThanOrEqual(out.metrics.hr10!);
      expect(out.metrics.annRecall10).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('rejects bad settings with the reason, before reading any data', async () => {
    const bad = await wren('embed', '--data', '/nonexistent', '--dim', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Dimensions must be 2–512 \(got 1\)/);
    const method = await wren('embed', '--data', '/nonexistent', '--method', 'lsa');
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/--method takes item2vec, deepwalk, node2vec/);
    const missing = await wren('embed', '--data', join(dir, 'nope'), '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toHaveProperty('error.code');
    const alone = await wren('embed', '--data', '/nonexistent', '--threads', '2');
    expect(alone.stderr).toMatch(/--threads goes with --engine wasm-threads/);
    const one = await wren(
      'embed',
      '--data',
      '/nonexistent',
      '--engine',
      'wasm-threads',
      '--threads',
      '1',
    );
    expect(one.stderr).toMatch(/--threads takes a whole number from 2 to 256; found "1"/);
  });

  it('trains on two threads with --engine wasm-threads and says so', async () => {
    const args = ['embed', '--data', join(dir, 'ml-gen'), '--json', '--epochs', '2', '--dim', '8'];
    const { code, stdout } = await wren(...args, '--engine', 'wasm-threads', '--threads', '2');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      engine: string;
      threads: number;
      metrics: { hr10: number };
    };
    expect(out).toMatchObject({ engine: 'wasm-threads', threads: 2 });
    expect(out.metrics.hr10).toBeGreaterThanOrEqual(0);
  });
});

describe('wren train', () => {
  it('trains on each protocol and prints its metrics as JSON', async () => {
    const expected: Record<string, string[]> = {
      'ncf-loo': ['hr', 'ndcg'],
      'msr-100k': ['ndcg', 'precision', 'recall'],
      'full-rank': ['recall', 'ndcg', 'hit', 'mrr', 'coverage'],
    };
    for (const [protocol, keys] of Object.entries(expected)) {
      const { code, stdout } = await wren(
        'train', '--data', join(dir, 'ml-gen'), '--model', 'puresvd', '--protocol', protocol,
        '--set', 'factors=8', '--json',
      ); // prettier-ignore
      expect(code).toBe(0);
      const out = JSON.parse(stdout) as {
        model: string;
        protocol: string;
        config: Record<string, number>;
        metrics: Record<string, number>;
        trainInteractions: number;
      };
      expect(out).toMatchObject({ model: 'puresvd', protocol, config: { factors: 8 } });
      expect(out.metrics.users).toBeGreaterThan(0);
      for (const key of keys) {
        expect(out.metrics[key]).toBeGreaterThanOrEqual(0);
        expect(out.metrics[key]).toBeLessThanOrEqual(1);
      }
      expect(out.trainInteractions).toBeLessThan(ds.ratings.user.length);
    }
  });

  it('runs ncf-loo and full-rank on an ml-1m archive (::-separated .dat files) as on ml-latest', async () => {
    // The same whole-star ratings written in both layouts must give the same protocol figures.
    const stars = generateDataset({ ratings: 4_000, seed: 12, halfStars: false });
    for (const layout of ['ml-latest', 'ml-1m'] as const)
      writeMovieLens(dir, `stars-${layout}`, stars, layout);
    for (const protocol of ['ncf-loo', 'full-rank']) {
      const train = (layout: string): ReturnType<typeof wren> =>
        wren(
          'train', '--data', join(dir, `stars-${layout}`), '--model', 'ease', '--protocol', protocol,
          '--set', 'lambda=50', '--json',
        ); // prettier-ignore
      const [latest, ml1m] = await Promise.all([train('ml-latest'), train('ml-1m')]);
      expect(ml1m.code).toBe(0);
      const a = JSON.parse(latest.stdout) as { metrics: Record<string, number> };
      const b = JSON.parse(ml1m.stdout) as { metrics: Record<string, number> };
      expect(b.metrics.users).toBe(stars.users.length);
      expect(b.metrics).toEqual(a.metrics);
    }
  });

  it('--threads 2 splits EASE’s fit and the per-user scoring, with one thread’s metrics', async () => {
    const train = (threads: string): ReturnType<typeof wren> =>
      wren(
        'train', '--data', join(dir, 'ml-gen'), '--model', 'ease', '--protocol', 'full-rank',
        '--set', 'lambda=50', '--threads', threads, '--json',
      ); // prettier-ignore
    const [one, two] = [await train('1'), await train('2')];
    expect(two.code).toBe(0);
    const a = JSON.parse(one.stdout) as { metrics: Record<string, number>; threads: number };
    const b = JSON.parse(two.stdout) as { metrics: Record<string, number>; threads: number };
    expect([a.threads, b.threads]).toEqual([1, 2]);
    expect(b.metrics).toEqual(a.metrics);
    const bad = await train('0');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--threads takes a whole number from 1 to 256; found "0"/);
  });

  it('trains a neural model on the tfjs wasm backend and reports samples and epochs', async () => {
    const { code, stdout } = await wren(
      'train', '--data', join(dir, 'ml-gen'), '--model', 'gmf', '--epochs', '2', '--set', 'negatives=2,validate=0', '--json',
    ); // prettier-ignore
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      backend: string;
      trainInteractions: number;
      trainSamples: number;
      epochs: { epoch: number; loss: number; samples: number }[];
      metrics: Record<string, number>;
    };
    expect(out.backend).toBe('wasm');
    expect(out.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(out.trainSamples).toBe(out.trainInteractions * 3 * 2);
    expect(out.epochs[1]!.loss).toBeLessThan(out.epochs[0]!.loss);
    expect(out.metrics.hr).toBeGreaterThanOrEqual(0);
    const bad = await wren(
      'train',
      '--data',
      join(dir, 'ml-gen'),
      '--model',
      'gmf',
      '--backend',
      'webgl',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--backend takes wasm or cpu/);
  });

  it('saves a model and evaluates it again with wren eval, with the same metrics', async () => {
    const file = join(dir, 'knn.wrenmodel');
    const trained = await wren(
      'train', '--data', join(dir, 'ml-gen'), '--model', 'itemknn', '--protocol', 'msr-100k', '--seed', '3',
      '--save', file, '--json',
    ); // prettier-ignore
    expect(trained.code).toBe(0);
    const again = await wren('eval', '--data', join(dir, 'ml-gen'), '--model-file', file, '--json');
    expect(again.code).toBe(0);
    const a = JSON.parse(trained.stdout) as { metrics: Record<string, number> };
    const b = JSON.parse(again.stdout) as {
      protocol: string;
      seed: number;
      metrics: Record<string, number>;
    };
    expect(b).toMatchObject({ protocol: 'msr-100k', seed: 3 });
    expect(b.metrics).toEqual(a.metrics);
    // On two threads: the same metrics.
    const two = await wren(
      'eval', '--data', join(dir, 'ml-gen'), '--model-file', file, '--threads', '2', '--json',
    ); // prettier-ignore
    expect(two.code).toBe(0);
    expect((JSON.parse(two.stdout) as { metrics: unknown }).metrics).toEqual(a.metrics);
    const wrong = await wren(
      'eval',
      '--data',
      join(dir, 'ml-gen'),
      '--model-file',
      join(dir, 'ml-gen', 'ratings.csv'),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not a Wren model file/);
  });

  it('trains a CTR model on sparrow-ctr and prints its classification metrics and curves', async () => {
    const { code, stdout } = await wren(
      'train',
      '--data',
      join(dir, 'ml-gen'),
      '--model',
      'lr',
      '--epochs',
      '1',
      '--json',
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      protocol: string;
      trainRows: number;
      testRows: number;
      metrics: Record<string, number>;
      roc: { fpr: number; tpr: number }[];
    };
    expect(out.protocol).toBe('sparrow-ctr');
    expect(out.trainRows + out.testRows).toBe(ds.ratings.user.length);
    for (const key of ['accuracy', 'rocAuc', 'prAuc']) {
      expect(out.metrics[key]).toBeGreaterThanOrEqual(0);
      expect(out.metrics[key]).toBeLessThanOrEqual(1);
    }
    expect(out.metrics.logloss).toBeGreaterThan(0);
    expect(out.roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(out.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    const mixed = await wren(
      'train',
      '--data',
      join(dir, 'ml-gen'),
      '--model',
      'fm',
      '--protocol',
      'ncf-loo',
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/fm is a CTR model: it trains on --protocol sparrow-ctr/);
  });

  it('rejects an unknown model, protocol or setting with the reason', async () => {
    const model = await wren('train', '--data', '/nonexistent', '--model', 'bert');
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/--model takes popularity, itemknn, puresvd/);
    const protocol = await wren(
      'train',
      '--data',
      '/nonexistent',
      '--model',
      'itemknn',
      '--protocol',
      'auc',
    );
    expect(protocol.stderr).toMatch(/--protocol takes ncf-loo, msr-100k, full-rank, sparrow-ctr/);
    const set = await wren(
      'train',
      '--data',
      '/nonexistent',
      '--model',
      'itemknn',
      '--set',
      'factors=3',
    );
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/key of itemknn: neighbours, shrink/);
    // Values that would stall or poison training are refused before any data is read.
    const batch = await wren(
      'train',
      '--data',
      '/nonexistent',
      '--model',
      'neumf',
      '--set',
      'batchSize=0',
    );
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/batchSize takes a whole number at least 1; found 0/);
    const lr = await wren(
      'train',
      '--data',
      '/nonexistent',
      '--model',
      'lr',
      '--set',
      'learningRate=-0.1',
    );
    expect(lr.stderr).toMatch(/learningRate takes a number above 0; found -0.1/);
    const missing = await wren(
      'eval',
      '--data',
      '/nonexistent',
      '--model-file',
      join(dir, 'no-such.wrenmodel'),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read the model file .*no-such\.wrenmodel \(ENOENT\)/);
  });
});
