/**
 * bench/embed: embedding quality and training speed in node, side by side
 * with gensim's Word2Vec (Debian's python3-gensim, installed here when
 * missing; never a runtime dependency).
 *
 *   npm run bench:embed [-- --seeds 5] [-- --rounds 3] [-- --threads N] [-- --skip-gensim] [-- --only quality|speed|tune] [-- --no-variants]
 *
 * quality: the next-item protocol (DESIGN.md 4) on ml-latest-small (genuine,
 *   from ../shared/datasets; a generated stand-in when absent) — Wren's
 *   Item2Vec with gensim's reference settings and gensim itself on the
 *   identical corpus, seeds 1..N, both evaluated by the same code; then
 *   Wren's defaults, DeepWalk and Node2vec.
 * speed: Item2Vec on generated ml-1m-sized sequences (6,040 users, 3,706
 *   movies, 1,000,209 ratings), 10 epochs, reference settings: the WebAssembly
 *   SIMD kernel on one thread and on --threads threads (default: every core;
 *   Hogwild on shared memory, sgns-team.ts), the JS kernel, tfjs (wasm and
 *   cpu backends) on a slice, and gensim with 1 worker and with --threads.
 *   The quality part also trains on --threads threads, to show the vectors
 *   are as good.
 * tune: a grid (--grid '[{…}]', overrides of Wren's defaults) on a validation split (each user's last training
 *   positive held out again), so the defaults are not fitted to the test.
 * Appends JSON lines to bench/results/embed.jsonl (tune: embed-tune.jsonl), DESIGN.md's format.
 */
import { execFileSync, execSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { nodeInput } from '../src/cli/node-input.ts';
import { nodePool } from '../src/cli/node-pool.ts';
import { teamWasmKernel } from '../src/core/embeddings/sgns-team.ts';
import { importMovieLens } from '../src/core/data/import.ts';
import { generateDataset } from '../src/core/data/synthetic.ts';
import type { Dataset, RatingColumns } from '../src/core/data/types.ts';
import {
  embedInput,
  DEFAULT_EMBED_SETTINGS,
  SPARROW_WALKS,
  defaultSettingsFor,
  trainEmbedding,
  type EmbedSettings,
} from '../src/core/embeddings/embed.ts';
import { probeEngines } from '../src/core/embeddings/engines.ts';
import { jsKernel } from '../src/core/embeddings/sgns-cpu.ts';
import { runKernel } from '../src/core/embeddings/sgns-driver.ts';
import { tfKernel } from '../src/core/embeddings/sgns-tf.ts';
import { wasmKernel } from '../src/core/embeddings/sgns-wasm.ts';
import { GENSIM_REFERENCE, type SgnsSettings } from '../src/core/embeddings/sgns.ts';
import {
  cosineScorer,
  evaluateNextItem,
  nextItemSplit,
  type NextItemSplit,
} from '../src/core/eval/next-item.ts';
import type { Sequences } from '../src/core/features/sequences.ts';
import { DATASETS, root } from '../test/e2e/harness.ts';
import { ML_1M_SHAPE } from './shapes.ts';

const RESULTS = join(root, 'bench/results');
const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    only: { type: 'string' },
    'skip-gensim': { type: 'boolean', default: false },
    grid: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    variants: { type: 'string' },
    threads: { type: 'string' },
    'no-variants': { type: 'boolean', default: false },
  },
});
const threads = Number(values.threads ?? availableParallelism());
if (!(Number.isInteger(threads) && threads >= 2)) throw new Error('--threads is 2 or more');
const pool = nodePool(threads - 1);
const teamKernel = teamWasmKernel(pool, threads);
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
const tmp = mkdtempSync(join(tmpdir(), 'wren-bench-embed-'));

function record(r: Record<string, unknown>): void {
  const line = { ...r, node: process.version, date: new Date().toISOString() };
  console.log(JSON.stringify(line));
  mkdirSync(RESULTS, { recursive: true });
  const file = r.suite === 'embed-tune' ? 'embed-tune.jsonl' : 'embed.jsonl';
  appendFileSync(join(RESULTS, file), JSON.stringify(line) + '\n');
}

function gensimAvailable(): boolean {
  if (values['skip-gensim']) return false;
  const has = (): boolean => {
    try {
      execFileSync(PYTHON, ['-c', 'import gensim'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return true;
  try {
    console.error('installing python3-gensim (the reference) with apt-get…');
    execSync('apt-get install -y -qq python3-gensim', { stdio: 'ignore' });
  } catch {
    console.error('could not install python3-gensim: gensim columns are skipped');
  }
  return has();
}

/** gensim on the corpus; vectors come back as the same shape Wren's do. */
function gensim(corpus: Sequences, itemCount: number, s: SgnsSettings & { workers?: number }) {
  const path = join(tmp, 'corpus.txt');
  const lines: string[] = [];
  for (let u = 0; u + 1 < corpus.offsets.length; u++)
    lines.push(corpus.items.subarray(corpus.offsets[u], corpus.offsets[u + 1]).join(' '));
  writeFileSync(path, lines.join('\n') + '\n');
  const out = join(tmp, 'gensim');
  execFileSync(PYTHON, [join(root, 'bench/gensim_ref.py'), path, out, JSON.stringify(s)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const meta = JSON.parse(readFileSync(out + '.json', 'utf8')) as {
    items: number[];
    dim: number;
    seconds: number;
    tokensPerSecond: number;
    gensim: string;
  };
  const buf = readFileSync(out + '.f32');
  const vectors = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const rowOf = new Int32Array(itemCount).fill(-1);
  meta.items.forEach((m, r) => (rowOf[m] = r));
  return { ...meta, vectors, rowOf };
}

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a: number[]): number => {
  const m = mean(a);
  return Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, a.length - 1));
};
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

async function smallDataset(): Promise<{ ds: Dataset; name: string }> {
  const zip = join(DATASETS, 'ml-latest-small.zip');
  if (existsSync(zip))
    return { ds: await importMovieLens(await nodeInput(zip), {}), name: 'ml-latest-small' };
  console.error('ml-latest-small not found: using a generated stand-in (figures not comparable)');
  return {
    ds: generateDataset({ ratings: 100_836, users: 610, movies: 9_742, seed: 1 }),
    name: 'generated-ml-latest-small',
  };
}

const inputOf = (ds: Dataset) => embedInput(ds.ratings, ds.movies, ds.genres);

async function quality(hasGensim: boolean): Promise<void> {
  const { ds, name } = await smallDataset();
  const split = nextItemSplit(ds.ratings);
  const n = ds.movies.length;
  const wren: { hr: number[]; ndcg: number[]; tps: number[] } = { hr: [], ndcg: [], tps: [] };
  const onlyVariants = values.variants !== undefined;
  const gen: { hr: number[]; ndcg: number[]; tps: number[] } = { hr: [], ndcg: [], tps: [] };
  let popularity = 0;
  for (const seed of onlyVariants ? [] : seeds) {
    const s = { ...GENSIM_REFERENCE, seed };
    const r = await trainEmbedding(
      inputOf(ds),
      { ...DEFAULT_EMBED_SETTINGS, ...s },
      { kernel: wasmKernel },
    );
    wren.hr.push(r.metrics.hr10);
    wren.ndcg.push(r.metrics.ndcg10);
    wren.tps.push(r.tokensPerSecond);
    popularity = r.metrics.popularityHr10;
    if (hasGensim) {
      const g = gensim(split.train, n, s);
      const m = evaluateNextItem(split, n, cosineScorer(g.vectors, g.dim, g.rowOf));
      gen.hr.push(m.hr);
      gen.ndcg.push(m.ndcg);
      gen.tps.push(g.tokensPerSecond);
    }
    console.error(
      `seed ${seed}: wren ${r4(r.metrics.hr10)}${hasGensim ? `, gensim ${r4(gen.hr.at(-1)!)}` : ''}`,
    );
  }
  // The same settings on every thread (Hogwild): the vectors should be as good.
  const team: { hr: number[]; ndcg: number[]; tps: number[] } = { hr: [], ndcg: [], tps: [] };
  for (const seed of onlyVariants ? [] : seeds) {
    const r = await trainEmbedding(
      inputOf(ds),
      { ...DEFAULT_EMBED_SETTINGS, ...GENSIM_REFERENCE, seed },
      { kernel: teamKernel },
    );
    team.hr.push(r.metrics.hr10);
    team.ndcg.push(r.metrics.ndcg10);
    team.tps.push(r.tokensPerSecond);
  }
  if (!onlyVariants)
    record({
      suite: 'embed-quality',
      name: `item2vec-gensim-settings-${threads}-threads`,
      dataset: name,
      backend: `wasm-threads ×${threads}`,
      metrics: {
        protocol: 'next-item',
        seeds: seeds.length,
        threads,
        hr10: r4(mean(team.hr)),
        hr10Sd: r4(sd(team.hr)),
        ndcg10: r4(mean(team.ndcg)),
        oneThreadHr10: r4(mean(wren.hr)),
        oneThreadHr10Sd: r4(sd(wren.hr)),
      },
      seconds: null,
      samplesPerSecond: Math.round(mean(team.tps)),
      peakMemoryMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
  if (!onlyVariants)
    record({
      suite: 'embed-quality',
      name: 'item2vec-gensim-settings',
      dataset: name,
      backend: 'wasm-simd',
      metrics: {
        protocol: 'next-item',
        seeds: seeds.length,
        hr10: r4(mean(wren.hr)),
        hr10Sd: r4(sd(wren.hr)),
        ndcg10: r4(mean(wren.ndcg)),
        popularityHr10: r4(popularity),
        ...(hasGensim && {
          gensimHr10: r4(mean(gen.hr)),
          gensimHr10Sd: r4(sd(gen.hr)),
          gensimNdcg10: r4(mean(gen.ndcg)),
          hrRatioToGensim: r4(mean(wren.hr) / mean(gen.hr)),
          gensimTokensPerSecond: Math.round(mean(gen.tps)),
        }),
      },
      seconds: null,
      samplesPerSecond: Math.round(mean(wren.tps)),
      peakMemoryMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
  const variants: [string, EmbedSettings][] = [
    ['item2vec-wren-defaults', defaultSettingsFor('item2vec')],
    ['deepwalk-wren-defaults', defaultSettingsFor('deepwalk')],
    ['deepwalk-sparrow-walks', { ...defaultSettingsFor('deepwalk'), ...SPARROW_WALKS }],
    ['node2vec-p0.5-q2', { ...defaultSettingsFor('node2vec'), p: 0.5, q: 2 }],
    ['node2vec-p2-q0.5', { ...defaultSettingsFor('node2vec'), p: 2, q: 0.5 }],
  ];
  if (values['no-variants']) return;
  const chosen = values.variants?.split(',');
  for (const [label, over] of variants.filter(([l]) => !chosen || chosen.includes(l))) {
    const runs: Awaited<ReturnType<typeof trainEmbedding>>[] = [];
    for (const seed of seeds) {
      runs.push(await trainEmbedding(inputOf(ds), { ...over, seed }, { kernel: wasmKernel }));
    }
    const m = (f: (r: (typeof runs)[number]) => number): number => r4(mean(runs.map(f)));
    record({
      suite: 'embed-quality',
      name: label,
      dataset: name,
      backend: 'wasm-simd',
      metrics: {
        protocol: 'next-item',
        seeds: seeds.length,
        settings: { ...over, seed: undefined },
        hr10: m((r) => r.metrics.hr10),
        hr10Sd: r4(sd(runs.map((r) => r.metrics.hr10))),
        ndcg10: m((r) => r.metrics.ndcg10),
        popularityHr10: m((r) => r.metrics.popularityHr10),
        genreCoherence: m((r) => r.metrics.genreCoherence),
        genreCoherenceRandom: m((r) => r.metrics.genreCoherenceRandom),
        annRecall10: m((r) => r.metrics.annRecall10),
        annQueryMs: m((r) => r.metrics.annQueryMs),
        exactQueryMs: m((r) => r.metrics.exactQueryMs),
      },
      seconds: m((r) => r.seconds),
      samplesPerSecond: Math.round(mean(runs.map((r) => r.tokensPerSecond))),
      peakMemoryMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
  }
}

async function speed(hasGensim: boolean): Promise<void> {
  const ds = generateDataset(ML_1M_SHAPE);
  const corpus = nextItemSplit(ds.ratings).train;
  const n = ds.movies.length;
  const s = { ...GENSIM_REFERENCE };
  const base = {
    suite: 'embed-speed',
    dataset: `generated-ml-1m (${corpus.items.length.toLocaleString('en')} positives)`,
    peakMemoryMB: 0,
  };
  // The machine is shared and noisy: Wren's kernels and gensim run in turn, `rounds` times, and
  // the medians are reported with every run's figure.
  const rounds = Number(values.rounds);
  const wasmThreads = `wasm-threads-${threads}`;
  const gensimThreads = `gensim-${threads}-workers`;
  const runs: Record<string, number[]> = {
    'wasm-simd': [],
    [wasmThreads]: [],
    js: [],
    gensim: [],
    [gensimThreads]: [],
  };
  for (let round = 0; round < rounds; round++) {
    for (const [engine, kernel] of [
      ['wasm-simd', wasmKernel],
      [wasmThreads, teamKernel],
      ['js', jsKernel],
    ] as const) {
      if (engine === 'js' && round > 0) continue; // one JS run is enough to place it
      runs[engine]!.push((await runKernel(corpus, n, s, kernel)).seconds);
    }
    if (hasGensim) {
      runs.gensim!.push(gensim(corpus, n, s).seconds);
      runs[gensimThreads]!.push(gensim(corpus, n, { ...s, workers: threads }).seconds);
    }
  }
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const tokens = corpus.items.length * s.epochs;
  /** How many times faster than `ref` (gensim's median time over this engine's). */
  const ratio = (ref: string, secs: number[]) =>
    runs[ref]!.length ? r4(median(runs[ref]!) / median(secs)) : undefined;
  for (const [engine, secs] of Object.entries(runs)) {
    if (!secs.length) continue;
    const wren = engine === 'wasm-simd' || engine === wasmThreads;
    record({
      ...base,
      name: `item2vec-10-epochs-${engine}`,
      backend:
        engine === 'gensim'
          ? 'gensim 4.2 (python3-gensim), 1 worker'
          : engine === gensimThreads
            ? `gensim 4.2 (python3-gensim), ${threads} workers`
            : engine,
      metrics: {
        tokens: corpus.items.length,
        epochs: s.epochs,
        runs: secs.map(r4),
        ...(engine === wasmThreads && {
          threads,
          speedupOverOneThread: r4(median(runs['wasm-simd']!) / median(secs)),
        }),
        ...(engine === gensimThreads && {
          speedupOverOneWorker: runs.gensim!.length
            ? r4(median(runs.gensim!) / median(secs))
            : undefined,
        }),
        ...(wren && { ratioToGensim: ratio('gensim', secs) }),
        ...(wren && { ratioToGensimThreads: ratio(gensimThreads, secs) }),
      },
      seconds: r4(median(secs)),
      samplesPerSecond: Math.round(tokens / median(secs)),
      peakMemoryMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
  }
  // tfjs is far slower on a CPU: measured with the engine probe (a slice for a fixed time).
  const engines = ['wasm', 'cpu'].map((b) => ({
    name: `tfjs-${b}`,
    activate: async () => (await tf.setBackend(b)) && tf.getBackend() === b,
    kernel: tfKernel,
  }));
  for (const m of await probeEngines(engines, corpus, n, s, 3000)) {
    record({
      ...base,
      name: `item2vec-probe-${m.engine}`,
      backend: m.engine,
      metrics: { probeSeconds: 3, startSeconds: r4(m.startSeconds), error: m.error },
      seconds: null,
      samplesPerSecond: m.tokensPerSecond && Math.round(m.tokensPerSecond),
    });
  }
}

/** Drops each evaluated user's held-out rating, so the split can be applied again (validation). */
function withoutHeldOut(r: RatingColumns, split: NextItemSplit): RatingColumns {
  const drop = new Set<number>();
  for (let e = 0; e < split.users.length; e++) {
    const u = split.users[e]!;
    for (let i = r.userOffsets[u + 1]! - 1; i >= r.userOffsets[u]!; i--) {
      if (r.movie[i] === split.heldOut[e] && r.rating[i]! >= 7) {
        drop.add(i);
        break;
      }
    }
  }
  const keep = (i: number): boolean => !drop.has(i);
  const idx = Int32Array.from({ length: r.user.length }, (_, i) => i).filter(keep);
  const offsets = new Int32Array(r.userOffsets.length);
  for (const i of idx) offsets[r.user[i]! + 1]!++;
  for (let u = 1; u < offsets.length; u++) offsets[u]! += offsets[u - 1]!;
  return {
    user: Int32Array.from(idx, (i) => r.user[i]!),
    movie: Int32Array.from(idx, (i) => r.movie[i]!),
    rating: Uint8Array.from(idx, (i) => r.rating[i]!),
    timestamp: Uint32Array.from(idx, (i) => r.timestamp[i]!),
    userOffsets: offsets,
  };
}

async function tune(): Promise<void> {
  const { ds, name } = await smallDataset();
  const valRatings = withoutHeldOut(ds.ratings, nextItemSplit(ds.ratings));
  const input = { ...inputOf(ds), ratings: valRatings };
  const grid: Partial<EmbedSettings>[] = values.grid
    ? (JSON.parse(values.grid) as Partial<EmbedSettings>[])
    : [
        {},
        { negativeExponent: 0 },
        { negativeExponent: -0.5 },
        { window: 10 },
        { window: 3 },
        { subsample: 1e-4 },
        { subsample: 0 },
        { epochs: 30 },
        { dim: 64 },
        { learningRate: 0.05 },
        { negatives: 10 },
      ];
  for (const over of grid) {
    const hr: number[] = [];
    for (const seed of seeds) {
      const r = await trainEmbedding(
        input,
        { ...DEFAULT_EMBED_SETTINGS, ...over, seed },
        { kernel: wasmKernel, trainOnly: false },
      );
      hr.push(r.metrics.hr10);
    }
    record({
      suite: 'embed-tune',
      name: JSON.stringify(over),
      dataset: `${name} (validation split)`,
      backend: 'wasm-simd',
      metrics: {
        hr10: r4(mean(hr)),
        hr10Sd: r4(sd(hr)),
        seeds: seeds.length,
        base: 'wren-defaults',
      },
      seconds: null,
      samplesPerSecond: null,
    });
  }
}

const only = values.only;
const hasGensim = only === 'tune' ? false : gensimAvailable();
if (!only || only === 'quality') await quality(hasGensim);
if (!only || only === 'speed') await speed(hasGensim);
if (only === 'tune') await tune();
pool.close();
