/**
 * bench/models: every model on the ranking protocols of DESIGN.md, side by
 * side with a Python reference (numpy/scipy: TopPop, ItemKNN, PureSVD) fitted
 * on the identical split and scored by the same rules.
 *
 *   npm run bench:models [-- --only quality|speed] [-- --seed 1] [-- --rounds 2]
 *                        [-- --cases ncf-loo:ml-latest-small,msr-100k:ml-100k]
 *                        [-- --models popularity,itemknn] [-- --ml1m <ml-1m.zip|dir>] [-- --skip-reference]
 *                        [-- --set key=value …]   (settings for every model trained)
 *
 * quality: neural models train with their defaults on the tfjs wasm backend.
 * speed: NeuMF training throughput (samples/s, one epoch of ml-latest-small's
 * ncf-loo training set with 4 negatives per positive, batch 256) with Wren's
 * WebAssembly kernel on 1 and 2 threads, beside the same network in PyTorch
 * on 1 and 2 CPU threads (bench/neumf_torch.py; Debian's python3-torch,
 * installed here when missing), in turns in one run; and HR@10 on 1 and 2 threads.
 *
 * Cases (protocol:dataset): ncf-loo on ml-latest-small, msr-100k on ml-100k,
 * full-rank on ml-latest-small (add sparrow-ctr:ml-latest-small or ctr-random:ml-100k for the CTR
 * models: logistic regression always trains there, and every other model's ROC-AUC difference from
 * it comes with a 95% interval from a bootstrap over test users); with --ml1m, ncf-loo and
 * full-rank on ml-1m, and ctr-random on ml-1m too unless --cases names no ctr-random case.
 * Genuine archives come from ../shared/datasets (WREN_DATASETS); a missing
 * one is replaced by generated data of the same shape, and the record says so.
 * Appends JSON lines to bench/results/models.jsonl (DESIGN.md's format).
 */
import { execFileSync, execSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { nodeInput } from '../src/cli/node-input.ts';
import { importMovieLens } from '../src/core/data/import.ts';
import { generateDataset } from '../src/core/data/synthetic.ts';
import type { Dataset } from '../src/core/data/types.ts';
import {
  evaluateSplit,
  makeSplit,
  type InteractionData,
  type ProtocolName,
  type RankingSplit,
} from '../src/core/eval/protocols.ts';
import { compareCtr, evaluateCtr } from '../src/core/eval/ctr.ts';
import { movieMetaFromMovies } from '../src/core/features/movie-features.ts';
import { CtrModel } from '../src/core/models/ctr.ts';
import { rowUsers, sparrowCtrSplit } from '../src/core/models/ctr-data.ts';
import { CTR_MODELS, ctrRandomConfig, type CtrProtocol } from '../src/core/models/ctr-info.ts';
import { ctrRandomSplit } from '../src/core/models/ctr-random.ts';
import { MODELS } from '../src/core/models/index.ts';
import { NCF_DEFAULTS } from '../src/core/models/neural-cf-config.ts';
import { NeuralCf } from '../src/core/models/neural-cf.ts';
import { nodePool } from '../src/cli/node-pool.ts';
import type { ThreadPool } from '../src/core/parallel/pool.ts';
import type { NcfEngine } from '../src/core/train/ncf-trainer.ts';
import { SparseTrainer, type EpochReport } from '../src/core/train/sparse-trainer.ts';
import { scoreAllMs } from '../src/core/models/score-time.ts';
import { DATASETS, root } from '../test/e2e/harness.ts';
import { parseSettings } from './settings.ts';
import { ML_1M_SHAPE } from './shapes.ts';

const RESULTS = join(root, 'bench/results');
const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    cases: { type: 'string' },
    models: { type: 'string' },
    ml1m: { type: 'string' },
    'skip-reference': { type: 'boolean', default: false },
    only: { type: 'string' },
    /** Speed: rounds of the kernel and PyTorch runs (medians over them). */
    rounds: { type: 'string' },
    /** Settings for every model trained, e.g. `--set userDropout=0 --set lambda=400`. */
    set: { type: 'string', multiple: true },
  },
});
const overrides = parseSettings(values.set);
const seed = Number(values.seed);
const DEFAULT_CASES = 'ncf-loo:ml-latest-small,msr-100k:ml-100k,full-rank:ml-latest-small';
const tmp = mkdtempSync(join(tmpdir(), 'wren-models-'));

function record(r: Record<string, unknown>): void {
  const line = { ...r, node: process.version, date: new Date().toISOString() };
  console.log(JSON.stringify(line));
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, 'models.jsonl'), JSON.stringify(line) + '\n');
}

function referenceAvailable(): boolean {
  if (values['skip-reference']) return false;
  const has = (): boolean => {
    try {
      execFileSync(PYTHON, ['-c', 'import numpy, scipy.sparse'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return true;
  try {
    console.error('installing python3-scipy (the reference) with apt-get…');
    execSync('apt-get install -y -qq python3-scipy', { stdio: 'ignore' });
  } catch {
    console.error('could not install python3-scipy: reference rows are skipped');
  }
  return has();
}

const GENERATED: Record<string, Parameters<typeof generateDataset>[0]> = {
  'ml-latest-small': { ratings: 100_836, users: 610, movies: 9_742, seed: 1 },
  'ml-100k': { ratings: 100_000, users: 943, movies: 1_682, seed: 1, halfStars: false },
  'ml-1m': ML_1M_SHAPE,
};

async function loadDataset(name: string): Promise<{ ds: Dataset; label: string }> {
  const path = name === 'ml-1m' ? values.ml1m : join(DATASETS, `${name}.zip`);
  if (path && existsSync(path))
    return { ds: await importMovieLens(await nodeInput(path), {}), label: name };
  console.error(`${name} not found: using generated data of its shape (figures not comparable)`);
  return { ds: generateDataset(GENERATED[name]!), label: `generated-${name}` };
}

/** The split as the Python reference reads it. */
function writeSplit(split: RankingSplit): string {
  const { data } = split;
  const pairs = (s: { offsets: Int32Array; items: Int32Array }): [number[], number[]] => {
    const us: number[] = [];
    for (let u = 0; u + 1 < s.offsets.length; u++)
      for (let i = s.offsets[u]!; i < s.offsets[u + 1]!; i++) us.push(u);
    return [us, [...s.items]];
  };
  const [trainUsers, trainItems] = pairs(data.train);
  const out: Record<string, unknown> = {
    protocol: split.protocol,
    userCount: data.userCount,
    itemCount: data.itemCount,
    trainUsers,
    trainItems,
    catalogue: [...data.catalogue],
  };
  if (split.protocol === 'ncf-loo') {
    out.users = [...split.users];
    out.candidates = [...split.candidates];
    out.candidatesPerUser = split.candidatesPerUser;
  } else {
    [out.testUsers, out.testItems] = pairs(split.test);
    [out.validUsers, out.validItems] = pairs(split.valid);
  }
  const path = join(tmp, 'split.json');
  writeFileSync(path, JSON.stringify(out));
  return path;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const rounded = (m: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, r4(v)]));

async function quality(): Promise<void> {
  const cases = (values.cases ?? DEFAULT_CASES)
    .split(',')
    .map((c) => c.split(':') as [ProtocolName | CtrProtocol, string]);
  if (values.ml1m) cases.push(['ncf-loo', 'ml-1m'], ['full-rank', 'ml-1m']);
  if (values.ml1m && (!values.cases || cases.some(([p]) => p === 'ctr-random')))
    cases.push(['ctr-random', 'ml-1m']);
  const chosen = values.models?.split(',');
  const models = MODELS.filter((m) => !chosen || chosen.includes(m.name));
  const hasReference = referenceAvailable();
  await tf.setBackend('wasm');
  const cache = new Map<string, { ds: Dataset; label: string }>();
  for (const [protocol, name] of cases) {
    if (!cache.has(name)) cache.set(name, await loadDataset(name));
    const { ds, label } = cache.get(name)!;
    if (protocol === 'sparrow-ctr' || protocol === 'ctr-random') {
      await ctrQuality(ds, label, chosen, protocol);
      continue;
    }
    const split = makeSplit(ds.ratings, protocol, seed, { itemCount: ds.movies.length });
    // The reference fits EASE at the λ Wren chose on validation (400 when EASE did not run).
    let easeLambda = 400;
    for (const info of models) {
      const model = await info.create({ ...info.defaults, ...overrides });
      const rss0 = process.memoryUsage().rss;
      const t0 = performance.now();
      await model.fit(split.data);
      const fitSeconds = (performance.now() - t0) / 1000;
      if (info.name === 'ease') easeLambda = model.config.lambda as number;
      const t1 = performance.now();
      const metrics = evaluateSplit(split, (u, items, out) => model.score(u, items, out));
      record({
        suite: 'models-quality',
        name: info.name,
        dataset: label,
        backend: info.neural ? `tfjs-${tf.getBackend()}` : (model.engine ?? 'js'),
        metrics: {
          protocol,
          seed,
          ...rounded(metrics),
          config: model.config,
          evalSeconds: r4((performance.now() - t1) / 1000),
        },
        seconds: r4(fitSeconds),
        samplesPerSecond: Math.round(split.data.train.items.length / fitSeconds),
        peakMemoryMB: Math.round(Math.max(rss0, process.memoryUsage().rss) / 2 ** 20),
      });
    }
    if (hasReference) {
      const path = writeSplit(split);
      const cfg = { neighbours: 100, shrink: 0, factors: 20, seed, lambda: easeLambda };
      const out = execFileSync(
        PYTHON,
        [join(root, 'bench/models_ref.py'), path, JSON.stringify(cfg)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 24,
        },
      ).toString();
      const ref = JSON.parse(out) as Record<string, Record<string, number>>;
      for (const [model, m] of Object.entries(ref)) {
        const { fitSeconds, ...metrics } = m;
        record({
          suite: 'models-quality',
          name: `${model}-reference`,
          dataset: label,
          backend: 'python reference (numpy/scipy)',
          metrics: { protocol, seed, ...rounded(metrics as Record<string, number>), config: cfg },
          seconds: r4(fitSeconds!),
          samplesPerSecond: null,
          peakMemoryMB: null,
        });
      }
    }
  }
}

/**
 * The CTR models on sparrow-ctr (the later 20% of ratings by time) or ctr-random (RecBole's random
 * 8:1:1 split, seeded by --seed, with each model's defaults under CTR_RANDOM_SETTINGS): logloss,
 * accuracy, ROC-AUC, PR-AUC, GAUC and the ROC-AUC difference from logistic regression.
 */
async function ctrQuality(
  ds: Dataset,
  label: string,
  chosen: string[] | undefined,
  protocol: CtrProtocol,
): Promise<void> {
  const meta = movieMetaFromMovies(ds.movies, ds.genres);
  const t0 = performance.now();
  const split =
    protocol === 'ctr-random'
      ? ctrRandomSplit(ds.ratings, meta, ds.users, seed)
      : sparrowCtrSplit(ds.ratings, meta);
  const splitSeconds = (performance.now() - t0) / 1000;
  const random = 'info' in split ? split.info : null;
  const { labels } = split.test;
  const users = rowUsers(split.test);
  // Logistic regression first: every other model's ROC-AUC is compared with it, user by user.
  let lr: Float32Array | null = null;
  const models = CTR_MODELS.filter((m) => !chosen || chosen.includes(m.name) || m.name === 'lr');
  for (const info of models) {
    const config = random
      ? { ...ctrRandomConfig(info, seed), ...overrides }
      : { ...info.defaults, ...overrides };
    const model = new CtrModel(info.name, config);
    const t1 = performance.now();
    await model.fit(split);
    const fitSeconds = (performance.now() - t1) / 1000;
    const probs = model.predict(split.test);
    if (info.name === 'lr') lr = probs;
    const test = compareCtr(labels, probs, users, info.name === 'lr' ? null : lr);
    const train = evaluateCtr(split.train.labels, model.predict(split.train)).metrics;
    const samples = model.epochLog.reduce((a, e) => a + e.samples, 0);
    record({
      suite: 'models-quality',
      name: info.name,
      dataset: label,
      backend: `tfjs-${tf.getBackend()}`,
      metrics: {
        protocol,
        ...(random && {
          seed,
          rows: { train: split.train.rows, valid: split.valid!.rows, test: split.test.rows },
          dropped3Stars: random.dropped,
          fields: random.fields,
          splitSeconds: r4(splitSeconds),
        }),
        ...rounded({ ...test.metrics }),
        groupAuc: r4(test.groupAuc),
        ...(test.vsLr && {
          rocAucVsLr: r4(test.vsLr.diff),
          rocAucVsLrCi95: [r4(test.vsLr.lo), r4(test.vsLr.hi)],
        }),
        trainRocAuc: r4(train.rocAuc),
        config: model.config,
        epochLosses: model.epochLog.map((e) => r4(e.loss)),
        epochValidation: model.epochLog.map((e) => [r4(e.valLogloss ?? NaN), r4(e.valAuc ?? NaN)]),
      },
      seconds: r4(fitSeconds),
      samplesPerSecond: Math.round(samples / fitSeconds),
      peakMemoryMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
  }
}

function torchAvailable(): boolean {
  const has = (): boolean => {
    try {
      execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const blas = existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread');
  if (has() && blas) return true;
  try {
    // OpenBLAS: Debian's torch calls the system BLAS, and the reference BLAS is ~6× slower.
    console.error('installing python3-torch and OpenBLAS (the reference) with apt-get…');
    execSync('apt-get install -y -qq python3-torch libopenblas0-pthread', { stdio: 'ignore' });
  } catch {
    console.error('could not install python3-torch: the PyTorch row is skipped');
  }
  return has();
}

/** One epoch of NeuMF (defaults, no validation) with the kernel; its report and what ran it. */
async function kernelEpoch(
  data: InteractionData,
  threads: number,
  force?: NcfEngine,
): Promise<{ h: EpochReport; model: NeuralCf; engine: string; threads: number }> {
  const model = new NeuralCf('neumf', { ...NCF_DEFAULTS, epochs: 1, validate: 0 });
  model.build(data.userCount, data.itemCount);
  const trainer = model.ncfTrainer(model.config, force);
  const [h] = await trainer.fit(data, threads > 1 ? { pool: pool(threads), threads } : {});
  return { h: h!, model, engine: trainer.engine, threads: trainer.threads };
}

let helpers: ThreadPool | null = null;
function pool(threads: number): ThreadPool {
  if (!helpers || helpers.size !== threads - 1) {
    helpers?.close();
    helpers = nodePool(threads - 1);
  }
  return helpers;
}

/** The (user, item, label) stream PyTorch trains on: every positive and 4 unseen movies each, shuffled. */
function torchSamples(data: InteractionData): string {
  const { train } = data;
  const n = train.items.length * 5;
  const cols = new Int32Array(3 * n);
  let rng = seed * 2654435761;
  const next = (k: number): number => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    return rng % k;
  };
  let s = 0;
  for (let u = 0; u < data.userCount; u++) {
    const seen = new Set(train.items.subarray(train.offsets[u]!, train.offsets[u + 1]!));
    for (let i = train.offsets[u]!; i < train.offsets[u + 1]!; i++) {
      cols[s] = u;
      cols[n + s] = train.items[i]!;
      cols[2 * n + s++] = 1;
      for (let k = 0; k < 4; k++) {
        let m = next(data.itemCount);
        while (seen.has(m) || !data.catalogue[m]) m = next(data.itemCount);
        cols[s] = u;
        cols[n + s] = m;
        cols[2 * n + s++] = 0;
      }
    }
  }
  for (let i = n - 1; i > 0; i--) {
    const j = next(i + 1);
    for (const c of [0, n, 2 * n]) [cols[c + i], cols[c + j]] = [cols[c + j]!, cols[c + i]!];
  }
  const path = join(tmp, 'samples.bin');
  writeFileSync(path, cols);
  return path;
}

/**
 * NeuMF training speed: one epoch of ml-latest-small's ncf-loo training set
 * (4 negatives per positive, batch 256) with Wren's kernel on 1 and on 2
 * threads (and the plain-JS fallback, and the tfjs sparse trainer it
 * replaced), beside PyTorch on 1 and 2 threads, taken in turn in one run;
 * then HR@10 of NeuMF with its defaults on 1 and 2 threads over three seeds.
 */
async function speed(): Promise<void> {
  const { ds, label } = await loadDataset('ml-latest-small');
  const split = makeSplit(ds.ratings, 'ncf-loo', seed, { itemCount: ds.movies.length });
  const { data } = split;
  const torch = torchAvailable() ? torchSamples(data) : null;
  // The kernel trains without tfjs; the trained model scores with it.
  await tf.setBackend('wasm');
  const rows = Number(values.rounds ?? 2);
  const perSecond: Record<string, number[]> = {};
  const note = (name: string, sps: number): void => void (perSecond[name] ??= []).push(sps);
  await pool(2).warm();
  for (let round = 0; round < rows; round++) {
    for (const [threads, force] of [
      [1, undefined],
      [2, undefined],
      [1, 'js'],
    ] as const) {
      const r = await kernelEpoch(data, threads, force);
      const name = `${r.engine}-${r.threads}`;
      note(name, r.h.samples / r.h.seconds);
      const users = Array.from({ length: 20 }, (_, i) => i * 30);
      record({
        suite: 'models-speed',
        name: 'neumf-train-1-epoch',
        dataset: label,
        backend: `${r.engine} kernel, ${r.threads} thread${r.threads > 1 ? 's' : ''}`,
        metrics: {
          samples: r.h.samples,
          batchSize: 256,
          loss: r4(r.h.loss),
          users: data.userCount,
          items: data.itemCount,
          threads: r.threads,
          round,
          scoreAllMs: r4(scoreAllMs(r.model, data.itemCount, users)),
        },
        seconds: r4(r.h.seconds),
        samplesPerSecond: Math.round(r.h.samples / r.h.seconds),
        peakMemoryMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      });
    }
    if (!torch) continue;
    for (const threads of [1, 2]) {
      const out = execFileSync(
        PYTHON,
        [
          join(root, 'bench/neumf_torch.py'),
          torch,
          String(data.userCount),
          String(data.itemCount),
          '256',
          String(threads),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          // torch's own setting does not reach OpenBLAS' pthread pool.
          env: {
            ...process.env,
            OPENBLAS_NUM_THREADS: String(threads),
            OMP_NUM_THREADS: String(threads),
          },
        },
      ).toString();
      const t = JSON.parse(out) as {
        samples: number;
        seconds: number;
        samplesPerSecond: number;
        meanLoss: number;
        torch: string;
        threads: number;
      };
      note(`torch-${threads}`, t.samplesPerSecond);
      record({
        suite: 'models-speed',
        name: 'neumf-train-1-epoch',
        dataset: label,
        backend: `pytorch ${t.torch} (python3-torch), ${t.threads} thread${t.threads > 1 ? 's' : ''}`,
        metrics: { samples: t.samples, batchSize: 256, loss: r4(t.meanLoss), threads, round },
        seconds: r4(t.seconds),
        samplesPerSecond: Math.round(t.samplesPerSecond),
        peakMemoryMB: null,
      });
    }
  }
  // The tfjs sparse trainer NeuMF trained with before the kernel (one epoch, wasm backend).
  const before = new NeuralCf('neumf', { ...NCF_DEFAULTS, epochs: 1, validate: 0 });
  before.build(data.userCount, data.itemCount);
  const [h] = await new SparseTrainer(tf, before.network(), before.config).fit(data);
  note('tfjs-wasm-1', h!.samples / h!.seconds);
  record({
    suite: 'models-speed',
    name: 'neumf-train-1-epoch',
    dataset: label,
    backend: 'tfjs-wasm sparse trainer (before the kernel), 1 thread',
    metrics: { samples: h!.samples, batchSize: 256, loss: r4(h!.loss), threads: 1 },
    seconds: r4(h!.seconds),
    samplesPerSecond: Math.round(h!.samples / h!.seconds),
    peakMemoryMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  });
  const median = (xs: number[] = []): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[(s.length - 1) >> 1]! : NaN;
  };
  const ratios: Record<string, number> = {};
  for (const [a, b] of <[string, string][]>[
    ['wasm-simd-1', 'torch-1'],
    ['wasm-simd-2', 'torch-2'],
    ['wasm-simd-2', 'wasm-simd-1'],
    ['torch-2', 'torch-1'],
    ['wasm-simd-1', 'tfjs-wasm-1'],
  ])
    ratios[`${a} / ${b}`] = r4(median(perSecond[a]) / median(perSecond[b]));
  // Quality on two threads: Hogwild must not cost HR@10 beyond seed noise.
  const quality: Record<string, number[]> = {};
  for (const threads of [1, 2])
    for (const s of [1, 2, 3]) {
      const m = new NeuralCf('neumf', { ...NCF_DEFAULTS, seed: s });
      await m.fit(data, threads > 1 ? { pool: pool(threads), threads } : {});
      const r = evaluateSplit(split, (u, items, out) => m.score(u, items, out));
      (quality[`hr10-${threads}`] ??= []).push(r4(r.hr!));
      (quality[`ndcg10-${threads}`] ??= []).push(r4(r.ndcg!));
    }
  record({
    suite: 'models-speed',
    name: 'neumf-threads-summary',
    dataset: label,
    backend: 'wasm-simd kernel',
    metrics: {
      medianSamplesPerSecond: Object.fromEntries(
        Object.entries(perSecond).map(([k, v]) => [k, Math.round(median(v))]),
      ),
      ratios,
      ...quality,
      qualitySeeds: [1, 2, 3],
    },
    seconds: null,
    samplesPerSecond: null,
    peakMemoryMB: null,
  });
  helpers?.close();
}

if (values.only !== 'speed') await quality();
if (values.only !== 'quality') await speed();
