/**
 * bench/sequential: SASRec and GRU4Rec on every protocol they fit, beside
 * EASE (the best shallow model) with a paired bootstrap over users, and
 * SASRec's training speed beside PyTorch on the same batches.
 *
 *   npm run bench:sequential [-- --cases ncf-loo:ml-latest-small,full-rank:ml-latest-small,next-item:ml-latest-small,new-user-k:ml-latest-small]
 *                            [-- --models sasrec,gru4rec] [-- --seed 1] [-- --set maxLen=200]
 *                            [-- --ml1m <ml-1m.zip>]   (adds ncf-loo:ml-1m)
 *   npm run bench:sequential -- --only speed [-- --steps 30]
 *   npm run build && npm run bench:sequential -- --only speed --browser
 *
 * Quality (seed 1): ncf-loo (HR@10, NDCG@10 over 100 candidates), full-rank
 * (Recall@10, NDCG@10 over every movie), next-item (the embeddings'
 * protocol: each user's last liked movie held out, every other movie a
 * candidate; the sequence models read the user's liked movies in order and
 * train on the same corpus as Item2Vec), new-user-k (k = 1, 3, 5, 10, 20
 * liked movies in time order; beside For You's default pipeline). Each row
 * carries the model's difference from EASE (or the pipeline) per user with a
 * 95% bootstrap interval.
 *
 * Speed: SASRec's training step (tfjs wasm + the WebAssembly attention, as
 * the browser's worker runs it) on windows of ml-latest-small, and the same
 * batches through bench/sasrec_torch.py on one CPU thread (Debian's
 * python3-torch with OpenBLAS, both installed here when missing), and the
 * time to score every movie for one user at ml-1m's 3,706 movies. With
 * --browser, the built app in headless Chromium also trains SASRec (its
 * defaults, one epoch, wasm backend) on the Models page, in the app's models
 * worker, and its training positions per second are set beside PyTorch's
 * from the same run.
 *
 * Appends JSON lines to bench/results/sequential.jsonl.
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
import type { Dataset } from '../src/core/data/types.ts';
import {
  evaluateNewUsers,
  newUserSplit,
  pairedDifference,
  scoreList,
} from '../src/core/eval/new-user.ts';
import { evaluateNextItem, nextItemSplit, popularityScorer } from '../src/core/eval/next-item.ts';
import {
  cataloguePool,
  evaluateSplit,
  holdoutSplit,
  ncfLooSplit,
  type InteractionData,
  type RankingSplit,
} from '../src/core/eval/protocols.ts';
import { fastAttention } from '../src/core/models/attention-op.ts';
import { Ease } from '../src/core/models/ease.ts';
import {
  denseShapes,
  sequentialDefaults,
  type SequentialKind,
} from '../src/core/models/sequential-config.ts';
import { encodeSequence, scoreFromState } from '../src/core/models/sequential-forward.ts';
import { SequentialModel } from '../src/core/models/sequential.ts';
import { Random } from '../src/core/random.ts';
import { genreLookup } from '../src/core/recommend/catalog.ts';
import { listsFor } from '../src/core/recommend/new-user-eval.ts';
import { interactionsOf, trainingCatalog } from '../src/core/recommend/offline.ts';
import { DenseParams, EmbeddingTable } from '../src/core/train/embedding-table.ts';
import { fillBatch, SequenceTrainer, trainingWindows } from '../src/core/train/sequence-trainer.ts';
import { DATASETS, root } from '../test/e2e/harness.ts';
import { parseSettings } from './settings.ts';

const RESULTS = join(root, 'bench/results');
const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    cases: {
      type: 'string',
      default:
        'ncf-loo:ml-latest-small,full-rank:ml-latest-small,next-item:ml-latest-small,new-user-k:ml-latest-small',
    },
    models: { type: 'string', default: 'sasrec,gru4rec' },
    ml1m: { type: 'string' },
    only: { type: 'string' },
    steps: { type: 'string', default: '30' },
    set: { type: 'string', multiple: true },
    browser: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const overrides = parseSettings(values.set);
const kinds = values.models!.split(',') as SequentialKind[];
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const interval = (d: { mean: number; lo: number; hi: number }) => ({
  mean: r4(d.mean),
  lo: r4(d.lo),
  hi: r4(d.hi),
});

function record(r: Record<string, unknown>): void {
  const line = { ...r, node: process.version, date: new Date().toISOString() };
  console.log(JSON.stringify(line));
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, 'sequential.jsonl'), JSON.stringify(line) + '\n');
}

async function load(name: string): Promise<Dataset> {
  const path = name === 'ml-1m' ? values.ml1m : join(DATASETS, `${name}.zip`);
  if (!path || !existsSync(path)) throw new Error(`${name}: no archive (${path ?? 'pass --ml1m'})`);
  return importMovieLens(await nodeInput(path), {});
}

async function fitSequential(
  kind: SequentialKind,
  data: InteractionData,
): Promise<{ model: SequentialModel; seconds: number }> {
  const model = new SequentialModel(kind, { ...overrides, seed });
  const t0 = performance.now();
  await model.fit(data, {
    onEpoch: (r) =>
      console.error(
        `  ${kind} epoch ${r.epoch}: loss ${r.loss.toFixed(3)}, ${r.seconds.toFixed(1)} s` +
          (r.valHr === undefined ? '' : `, val HR@10 ${r.valHr.toFixed(4)}`),
      ),
  });
  return { model, seconds: (performance.now() - t0) / 1000 };
}

/** Per-user figures of one scorer on a ranking split. */
function perUser(
  split: RankingSplit,
  score: (u: number, items: Int32Array | null, out: Float32Array) => void,
): { metrics: Record<string, number>; ndcg: Map<number, number>; hit: Map<number, number> } {
  const ndcg = new Map<number, number>();
  const hit = new Map<number, number>();
  const metrics = evaluateSplit(split, score, {
    onUser: (u, m) => {
      ndcg.set(u, m.ndcg);
      hit.set(u, m.hit);
    },
  });
  return { metrics, ndcg, hit };
}

const paired = (a: Map<number, number>, b: Map<number, number>) => {
  const users = [...a.keys()].filter((u) => b.has(u));
  return interval(
    pairedDifference(
      users.map((u) => a.get(u)!),
      users.map((u) => b.get(u)!),
      seed,
    ),
  );
};

function configOf(kind: SequentialKind): Record<string, number> {
  return { ...sequentialDefaults(kind), ...overrides, seed };
}

async function rankingCase(protocol: 'ncf-loo' | 'full-rank', label: string): Promise<void> {
  const ds = await load(label);
  const split =
    protocol === 'ncf-loo'
      ? ncfLooSplit(ds.ratings, seed, { itemCount: ds.movies.length })
      : holdoutSplit(ds.ratings, 'full-rank', seed, { itemCount: ds.movies.length });
  const ease = new Ease();
  let t0 = performance.now();
  await ease.fit(split.data);
  const easeSeconds = (performance.now() - t0) / 1000;
  const base = perUser(split, (u, i, o) => ease.score(u, i, o));
  record({
    suite: 'sequential',
    protocol,
    dataset: label,
    model: 'ease',
    config: ease.config,
    seed,
    metrics: Object.fromEntries(Object.entries(base.metrics).map(([k, v]) => [k, r4(v)])),
    fitSeconds: r4(easeSeconds),
  });
  for (const kind of kinds) {
    const { model, seconds } = await fitSequential(kind, split.data);
    t0 = performance.now();
    const mine = perUser(split, (u, i, o) => model.score(u, i, o));
    record({
      suite: 'sequential',
      protocol,
      dataset: label,
      model: kind,
      config: configOf(kind),
      seed,
      metrics: Object.fromEntries(Object.entries(mine.metrics).map(([k, v]) => [k, r4(v)])),
      versusEase: { ndcg: paired(mine.ndcg, base.ndcg), hit: paired(mine.hit, base.hit) },
      epochs: model.epochLog.length,
      bestEpoch: model.bestEpoch(),
      fitSeconds: r4(seconds),
      evalSeconds: r4((performance.now() - t0) / 1000),
      backend: `tfjs ${tf.getBackend()} + WebAssembly attention`,
    });
  }
}

/** next-item: trained on the liked movies of every user less each one's last; scored from the user's liked sequence. */
async function nextItemCase(label: string): Promise<void> {
  const ds = await load(label);
  const split = nextItemSplit(ds.ratings);
  const itemCount = ds.movies.length;
  const data: InteractionData = {
    userCount: split.train.offsets.length - 1,
    itemCount,
    train: split.train,
    trainRatings: new Uint8Array(split.train.items.length),
    trainTimes: new Uint32Array(split.train.items.length),
    catalogue: Uint8Array.from({ length: itemCount }, () => 1),
  };
  // The embeddings' candidates: every movie of the training corpus (those with a vector).
  const rowOf = new Int32Array(itemCount).fill(-1);
  const counts: number[] = [];
  for (const m of split.train.items) {
    if (rowOf[m]! < 0) rowOf[m] = counts.push(0) - 1;
    counts[rowOf[m]!]!++;
  }
  const pop = popularityScorer(counts, rowOf);
  const base = new Map<number, number>();
  const popular = evaluateNextItem(split, itemCount, pop, 10, (e, hit) => base.set(e, hit));
  record({
    suite: 'sequential',
    protocol: 'next-item',
    dataset: label,
    model: 'popularity',
    seed,
    metrics: { hr: r4(popular.hr), ndcg: r4(popular.ndcg) },
  });
  const scores = new Float32Array(itemCount);
  for (const kind of kinds) {
    const { model, seconds } = await fitSequential(kind, data);
    const hits = new Map<number, number>();
    const m = evaluateNextItem(
      split,
      itemCount,
      (_query, into, e) => {
        model.score(split.users[e]!, null, scores);
        for (let i = 0; i < itemCount; i++) into[i] = rowOf[i]! < 0 ? NaN : scores[i]!;
      },
      10,
      (e, hit) => hits.set(e, hit),
    );
    record({
      suite: 'sequential',
      protocol: 'next-item',
      dataset: label,
      model: kind,
      config: configOf(kind),
      seed,
      metrics: { hr: r4(m.hr), ndcg: r4(m.ndcg), users: m.users },
      versusPopularity: { hit: paired(hits, base) },
      fitSeconds: r4(seconds),
    });
  }
}

/** new-user-k: a new person's first k liked movies in time order, beside For You's default pipeline and EASE. */
async function newUserCase(label: string): Promise<void> {
  const ds = await load(label);
  const all = interactionsOf(ds.ratings, ds.movies.length);
  const split = newUserSplit(all, seed);
  const catalog = trainingCatalog(ds.movies, split.data);
  const lists = await listsFor(split.data, split.positives, catalog, split.catalogue, {
    rankers: ['pipeline', 'ease'],
  });
  const genres = genreLookup(catalog);
  const rows = Object.fromEntries(
    Object.entries(lists).map(([name, list]) => [name, evaluateNewUsers(split, list!, genres)]),
  );
  for (const kind of kinds) {
    const { model, seconds } = await fitSequential(kind, split.data);
    const list = scoreList(
      (h, out) =>
        model.scoreHistory(
          h.map((x) => x.movie),
          null,
          out,
        ),
      split.catalogue,
    );
    const mine = evaluateNewUsers(split, list, genres);
    mine.forEach((row, j) => {
      const versus: Record<string, unknown> = {};
      for (const [name, other] of Object.entries(rows))
        versus[name] = {
          ndcg: r4(other[j]!.ndcg),
          difference: interval(pairedDifference(row.perUser!, other[j]!.perUser!, seed)),
        };
      record({
        suite: 'sequential',
        protocol: 'new-user-k',
        dataset: label,
        model: kind,
        k: row.k,
        seed,
        metrics: { ndcg: r4(row.ndcg), recall: r4(row.recall), users: row.users },
        versus,
        fitSeconds: r4(seconds),
      });
    });
  }
}

function ensureTorch(): boolean {
  const has = (): boolean => {
    try {
      execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  try {
    // OpenBLAS: Debian's torch calls the system BLAS, and the reference BLAS is ~6× slower.
    execSync('apt-get install -y -qq python3-torch libopenblas0-pthread', { stdio: 'ignore' });
  } catch {
    console.error('could not install python3-torch / OpenBLAS with apt-get');
  }
  return has();
}

/** SASRec's step here and in PyTorch on the same batches; scoring time at ml-1m's size. */
async function speed(): Promise<void> {
  const ds = await load('ml-latest-small');
  const split = ncfLooSplit(ds.ratings, seed, { itemCount: ds.movies.length });
  const c = { ...sequentialDefaults('sasrec'), ...overrides, seed };
  const items = ds.movies.length;
  const steps = Number(values.steps);
  const rng = new Random(seed, 0x535044);
  const windows = trainingWindows(split.data.train, c.maxLen);
  rng.shuffle(windows);
  // As the trainer draws them: every movie of the catalogue when as many are asked for (the full softmax).
  const pool = cataloguePool(split.data.catalogue);
  const full = c.negatives <= 0 || c.negatives >= pool.length;
  const batches = Array.from({ length: steps }, (_, s) => {
    const negs = full
      ? pool
      : Int32Array.from({ length: c.negatives }, () => pool[rng.int(pool.length)]!);
    const from = (s * c.batchSize) % Math.max(1, windows.length - c.batchSize);
    return fillBatch(
      split.data.train,
      windows.slice(from, from + c.batchSize),
      c.maxLen,
      items,
      negs,
    );
  });
  const table = new EmbeddingTable(items + 1, c.dim, { seed, initStd: 1 / Math.sqrt(c.dim) });
  const shapes = denseShapes('sasrec', c);
  const dense = new DenseParams(
    shapes.map((s) => s.shape),
    (_j, r, cols) => Float32Array.from({ length: r * cols }, () => rng.normal() * 0.05),
  );
  const trainer = new SequenceTrainer(tf, 'sasrec', c, table, dense, {
    attention: (await fastAttention(tf, c.dim)) ?? undefined,
  });
  const warm = 3;
  let t0 = 0;
  let positions = 0;
  batches.forEach((b, s) => {
    if (s === warm) t0 = performance.now();
    trainer.trainBatch(b);
    if (s >= warm) positions += b.mask.reduce((x, y) => x + y, 0);
  });
  const seconds = (performance.now() - t0) / 1000;
  const wren = {
    msPerStep: r4((seconds * 1000) / (steps - warm)),
    sequencesPerSecond: Math.round(((steps - warm) * c.batchSize) / seconds),
    positionsPerSecond: Math.round(positions / seconds),
  };
  let torch: Record<string, unknown> | null = null;
  if (ensureTorch()) {
    const tmp = mkdtempSync(join(tmpdir(), 'wren-seq-'));
    const path = join(tmp, 'batches.bin');
    const per = 2 * c.batchSize * c.maxLen + batches[0]!.negatives.length;
    const all = new Int32Array(steps * per);
    batches.forEach((b, s) => {
      all.set(b.inputs, s * per);
      all.set(b.targets, s * per + b.inputs.length);
      all.set(b.negatives, s * per + 2 * b.inputs.length);
    });
    writeFileSync(path, all);
    torch = JSON.parse(
      execFileSync(
        PYTHON,
        [
          join(root, 'bench/sasrec_torch.py'),
          path,
          String(items),
          String(steps),
          String(c.batchSize),
          String(c.maxLen),
          String(batches[0]!.negatives.length),
          String(c.dim),
          String(c.blocks),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          // One thread: torch's own setting does not reach OpenBLAS' pthread pool.
          env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
        },
      ).toString(),
    ) as Record<string, unknown>;
  }
  const torchRate = torch ? (torch.sequences_per_s as number) : null;
  if (values.browser) await browserTraining(c, torch);
  record({
    suite: 'sequential-speed',
    name: 'sasrec-train-step',
    dataset: 'ml-latest-small',
    config: {
      dim: c.dim,
      maxLen: c.maxLen,
      blocks: c.blocks,
      batchSize: c.batchSize,
      negatives: batches[0]!.negatives.length,
    },
    backend: `tfjs ${tf.getBackend()} + WebAssembly attention, node ${process.version}`,
    wren,
    pytorch: torch,
    ratio: torchRate ? r4(wren.sequencesPerSecond / torchRate) : null,
  });
  // Scoring every movie for one user at ml-1m's 3,706 movies, from a 50-movie history.
  const n = 3706;
  const w = {
    kind: 'sasrec' as const,
    config: c,
    items: Float32Array.from({ length: (n + 1) * c.dim }, () => rng.normal() * 0.1),
    dense: shapes.map(({ shape: [r, cols] }) =>
      Float32Array.from({ length: r * cols }, () => rng.normal() * 0.1),
    ),
  };
  const history = Array.from({ length: 200 }, () => rng.int(n));
  const out = new Float32Array(n);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    scoreFromState(w, encodeSequence(w, history), null, out, n);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  record({
    suite: 'sequential-speed',
    name: 'sasrec-score-all',
    movies: n,
    history: Math.min(history.length, c.maxLen),
    config: { dim: c.dim, maxLen: c.maxLen, blocks: c.blocks },
    p50Ms: r4(times[100]!),
    p95Ms: r4(times[190]!),
    engine: 'plain JS',
  });
}

/**
 * SASRec trained in the built app's models worker (headless Chromium, wasm
 * backend, one epoch at the app's defaults): its positions per training
 * second (the stored epoch log, validation excluded) beside PyTorch's.
 */
async function browserTraining(
  c: ReturnType<typeof sequentialDefaults>,
  torch: Record<string, unknown> | null,
): Promise<void> {
  const { smallArchive } = await import('../test/e2e/fixtures.ts');
  const { openWithDataset } = await import('../test/e2e/harness.ts');
  const small = await smallArchive();
  const { server, browser, page } = await openWithDataset(small.path, {
    timeout: 120_000,
    autoBuild: false,
  });
  try {
    await page.goto(`${server.url}#/models`);
    for (const box of await page.locator('[data-testid^="model-"][type="checkbox"]').all())
      await box.setChecked((await box.getAttribute('data-testid')) === 'model-sasrec');
    await page.getByTestId('models-epochs').fill('1');
    await page.getByTestId('models-backend').selectOption('wasm');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 1_800_000 });
    const row = await page.evaluate(
      () =>
        new Promise<{
          config: Record<string, number>;
          epochLog: { samples: number; seconds: number }[];
          backend: string;
        }>((resolve, reject) => {
          const open = indexedDB.open('wren');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('models').objectStore('models').getAll();
            get.onerror = () => reject(get.error);
            get.onsuccess = () => resolve(get.result.find((r) => r.model === 'sasrec'));
          };
        }),
    );
    const samples = row.epochLog.reduce((a, r) => a + r.samples, 0);
    const seconds = row.epochLog.reduce((a, r) => a + r.seconds, 0);
    const positionsPerSecond = Math.round(samples / seconds);
    const torchRate = torch ? (torch.positions_per_s as number) : null;
    const same = (['dim', 'maxLen', 'blocks', 'batchSize', 'negatives'] as const).every(
      (k) => row.config[k] === c[k],
    );
    record({
      suite: 'sequential-speed',
      name: 'sasrec-train-browser',
      dataset: small.genuine ? 'ml-latest-small' : 'generated-ml-latest-small',
      config: row.config,
      backend: `${row.backend} in the app's models worker, headless Chromium`,
      wren: { epochSeconds: r4(seconds), positions: samples, positionsPerSecond },
      pytorch: torch && {
        positionsPerSecond: Math.round(torchRate!),
        msPerStep: torch.ms_per_step,
      },
      sameShapeAsPytorch: same,
      ratio: torchRate && same ? r4(positionsPerSecond / torchRate) : null,
    });
  } finally {
    await browser.close();
    server.stop();
  }
}

await tf.setBackend('wasm');
if (values.only !== 'speed') {
  const cases = values.cases!.split(',');
  if (values.ml1m) cases.push('ncf-loo:ml-1m');
  for (const c of cases) {
    const [protocol, label] = c.split(':') as [string, string];
    console.error(`${protocol} on ${label}`);
    if (protocol === 'ncf-loo' || protocol === 'full-rank') await rankingCase(protocol, label);
    else if (protocol === 'next-item') await nextItemCase(label);
    else if (protocol === 'new-user-k') await newUserCase(label);
    else throw new Error(`unknown case ${c}`);
  }
}
if (values.only !== 'quality') await speed();
