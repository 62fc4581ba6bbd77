/**
 * bench/linalg: the inverse of a symmetric positive definite matrix that EASE
 * needs (src/core/models/linalg.ts), in node.
 *
 *   npm run bench:linalg [-- --sizes 610,943,1682,3706] [-- --repeats 3]
 *                        [-- --variants sweep,blocked-js,blocked-wasm,tfjs-f32]
 *                        [-- --block 64] [-- --ease [-- --threads N]] [-- --ease-eval [-- --threads N]]
 *
 * Matrices: Gram-like, XᵀX + 400·I for a sparse 0/1 X of 6,040 rows whose
 * columns have Zipf-like popularity (4.5 % dense on average, as ml-1m); n =
 * 610, 943, 1,682, 3,706 are the sides EASE inverts on ml-latest-small,
 * ml-100k (dual and primal) and ml-1m. Variants:
 *
 * - sweep: the unblocked sweep operator (`invertSpdBySweep`, the inverse
 *   before blocking), run once per size; it is the reference for the errors;
 * - blocked-js / blocked-wasm: `invertSpdInPlace` with its products in plain
 *   JS or WebAssembly SIMD (float64);
 * - blocked-wasm-threads[-N]: the same on N threads (every core by default),
 *   the products split by row panels (node worker threads, started and
 *   answering before the first timed run);
 * - tfjs-f32: the same block sweep with tfjs matrix products on the wasm
 *   backend, float32 (option c; a prototype that lives only here).
 *
 * Each variant's time is the median of `repeats` runs (wall clock; also the
 * process's CPU seconds, less disturbed by other work on a shared machine);
 * GFLOP/s counts n³ per inverse (wall clock). Errors: the largest |entry − sweep's entry| (absolute, and over
 * the largest |entry|), and the largest |A·A⁻¹ − I| over 64 sampled rows.
 *
 * `--ease`: EASE fitted (λ = 400, one 3,706² inverse) on generated data of
 * ml-1m's shape (6,040 users × 3,706 movies, 1,000,209 ratings; ncf-loo,
 * seed 1), as bench/models.ts generates it, on one thread and on --threads
 * (default: every core, at least 2), in turn, `repeats` times.
 * `--ease-eval`: the full-rank evaluation of one such EASE (every movie
 * scored for every user) on one thread and on --threads, in turn.
 *
 * Appends JSON lines to bench/results/linalg.jsonl (DESIGN.md's format).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { nodePool } from '../src/cli/node-pool.ts';
import type { ThreadPool } from '../src/core/parallel/pool.ts';
import { generateDataset } from '../src/core/data/synthetic.ts';
import { evaluateSplit, makeSplit, type ProtocolMetrics } from '../src/core/eval/protocols.ts';
import { evaluateModel } from '../src/core/eval/parallel-eval.ts';
import { Ease } from '../src/core/models/ease.ts';
import { invertSpdBySweep, invertSpdInPlace, spdWasmSupported } from '../src/core/models/linalg.ts';
import { Random } from '../src/core/random.ts';
import { ML_1M_SHAPE } from './shapes.ts';

const RESULTS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'bench/results');
const LAMBDA = 400;

const peakMemoryMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const round = (x: number, digits: number): number => Number(x.toPrecision(digits));

function record(r: Record<string, unknown>): void {
  const line = { ...r, node: process.version, date: new Date().toISOString() };
  console.log(JSON.stringify(line));
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, 'linalg.jsonl'), JSON.stringify(line) + '\n');
}

/** XᵀX + λI for a 6,040 × n sparse 0/1 X with popularity ∝ (j + 10)^−0.8, 4.5 % dense. */
export function gramLike(n: number, seed = 1): Float64Array {
  const rows = 6040;
  const rng = new Random(seed, 7);
  const w = Float64Array.from({ length: n }, (_, j) => (j + 10) ** -0.8);
  const scale = (0.045 * n) / w.reduce((s, x) => s + x, 0);
  const p = w.map((x) => Math.min(0.9, x * scale));
  const g = new Float64Array(n * n);
  const cols: number[] = [];
  for (let u = 0; u < rows; u++) {
    cols.length = 0;
    for (let j = 0; j < n; j++) if (rng.next() < p[j]!) cols.push(j);
    for (const a of cols) {
      const row = a * n;
      for (const b of cols) g[row + b]!++;
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += LAMBDA;
  return g;
}

/**
 * Option (c): the block sweep of linalg.ts with its products as tfjs
 * matMuls on the wasm backend, in float32 (full n×n updates: tfjs has no
 * triangular product). P⁻¹ of each block comes from the float64 sweep.
 */
export async function invertSpdTfjs(a: Float64Array, n: number, nb = 128): Promise<Float64Array> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
  const full = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) full[i * n + j] = full[j * n + i] = a[i * n + j]!;
  let m: Tensor = tf.tensor2d(full, [n, n]);
  for (let k0 = 0; k0 < n; k0 += nb) {
    const k1 = Math.min(n, k0 + nb);
    const kb = k1 - k0;
    const p = Float64Array.from(m.slice([k0, k0], [kb, kb]).dataSync());
    await invertSpdBySweep(p, kb); // P⁻¹
    const next = tf.tidy(() => {
      const pinv = tf.tensor2d(Float32Array.from(p), [kb, kb]);
      const c = m.slice([0, k0], [n, kb]);
      const w = tf.matMul(c, pinv);
      // An explicit transpose: matMul's transposeB is ~8× slower on the wasm backend here.
      const b = m.sub(tf.matMul(w, c.transpose()));
      const cols = tf.concat([b.slice([0, 0], [n, k0]), w, b.slice([0, k1], [n, n - k1])], 1);
      const wt = w.transpose();
      const row = tf.concat(
        [wt.slice([0, 0], [kb, k0]), pinv.neg(), wt.slice([0, k1], [kb, n - k1])],
        1,
      );
      return tf.concat([cols.slice([0, 0], [k0, n]), row, cols.slice([k1, 0], [n - k1, n])], 0);
    });
    m.dispose();
    m = next;
  }
  const out = Float64Array.from(m.dataSync(), (v) => -v);
  m.dispose();
  return out;
}

/** Largest |A·X − I| over 64 sampled rows of A. */
function residual(a: Float64Array, x: Float64Array, n: number): number {
  const rng = new Random(3, 1);
  let worst = 0;
  const row = new Float64Array(n);
  for (let s = 0; s < Math.min(64, n); s++) {
    const i = n <= 64 ? s : Math.floor(rng.next() * n);
    row.fill(0);
    for (let k = 0; k < n; k++) {
      const aik = a[Math.min(i, k) * n + Math.max(i, k)]!; // upper triangle
      if (aik === 0) continue;
      for (let j = 0, o = k * n; j < n; j++) row[j]! += aik * x[o + j]!;
    }
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(row[j]! - (i === j ? 1 : 0)));
  }
  return worst;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const threadsOf = (variant: string): number =>
  Number(variant.split('-')[3] ?? Math.max(2, availableParallelism()));

/** Node worker-thread pools, started (and their threads answering) before any timed run. */
const pools = new Map<number, ThreadPool>();
async function warmPool(size: number): Promise<ThreadPool> {
  let pool = pools.get(size);
  if (!pool) {
    pool = nodePool(size);
    pools.set(size, pool);
    await pool.warm();
  }
  return pool;
}

async function run(
  variant: string,
  g: Float64Array,
  n: number,
  block: number | undefined,
): Promise<Float64Array> {
  if (variant === 'tfjs-f32') return invertSpdTfjs(g, n, block);
  const a = Float64Array.from(g);
  if (variant === 'sweep') await invertSpdBySweep(a, n);
  else if (variant === 'blocked-js')
    await invertSpdInPlace(a, n, undefined, { kernel: 'js', block });
  else if (variant === 'blocked-wasm')
    await invertSpdInPlace(a, n, undefined, { kernel: 'wasm', block });
  else if (variant.startsWith('blocked-wasm-threads')) {
    // blocked-wasm-threads-N: the block products on N threads (default every core, at least 2).
    const threads = threadsOf(variant);
    const pool = await warmPool(threads - 1);
    await invertSpdInPlace(a, n, undefined, { kernel: 'wasm', block, pool, threads });
  } else throw new Error(`unknown variant ${variant}`);
  return a;
}

async function inverses(sizes: number[], variants: string[], repeats: number, block?: number) {
  for (const n of sizes) {
    const g = gramLike(n);
    let reference: Float64Array | null = null;
    for (const variant of variants) {
      const times: number[] = [];
      const cpu: number[] = [];
      let x: Float64Array = new Float64Array(0);
      const reps = variant === 'sweep' ? 1 : repeats;
      if (variant.startsWith('blocked-wasm-threads')) await warmPool(threadsOf(variant) - 1);
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        x = await run(variant, g, n, block);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e6);
        times.push((performance.now() - t0) / 1000);
        console.error(`${variant} n=${n}: ${times.at(-1)!.toFixed(2)} s`);
      }
      if (variant === 'sweep') reference = x;
      let maxAbsError: number | null = null;
      let maxRelError: number | null = null;
      if (reference) {
        let e = 0;
        let big = 0;
        for (let i = 0; i < n * n; i++) {
          e = Math.max(e, Math.abs(x[i]! - reference[i]!));
          big = Math.max(big, Math.abs(reference[i]!));
        }
        maxAbsError = round(e, 3);
        maxRelError = round(e / big, 3);
      }
      const seconds = median(times);
      record({
        suite: 'linalg',
        name: variant === 'sweep' ? 'spd-inverse-sweep' : `spd-inverse-${variant}`,
        dataset: `gram-like-${n}`,
        backend: variant.startsWith('blocked-wasm')
          ? variant.replace('blocked-wasm', 'wasm-simd')
          : variant === 'tfjs-f32'
            ? 'tfjs-wasm'
            : 'js',
        metrics: {
          n,
          block: variant === 'sweep' ? 1 : (block ?? 'default'),
          precision: variant === 'tfjs-f32' ? 'float32' : 'float64',
          gflops: round(n ** 3 / seconds / 1e9, 3),
          runs: times.map((t) => round(t, 4)),
          cpuSeconds: round(median(cpu), 4),
          maxAbsError,
          maxRelError,
          residual: round(residual(g, x, n), 3),
        },
        seconds: round(seconds, 4),
        samplesPerSecond: null,
        peakMemoryMB: peakMemoryMB(),
      });
    }
  }
}

/**
 * EASE with λ = 400 on ml-1m's generated shape (one 3,706² inverse), on one
 * thread and on `threads` threads (the inverse's block products split by
 * rows), taken in turn `repeats` times; the medians, and whether both give
 * the same model.
 */
async function easeMl1m(threads: number, repeats: number): Promise<void> {
  const ds = generateDataset(ML_1M_SHAPE);
  const split = makeSplit(ds.ratings, 'ncf-loo', 1, { itemCount: ds.movies.length });
  const pool = nodePool(threads - 1);
  const times: Record<number, number[]> = { 1: [], [threads]: [] };
  const metrics: Record<number, { hr: number; ndcg: number }> = {};
  let model = new Ease({ lambda: LAMBDA });
  try {
    // Threads started (and their modules loaded) before the clock runs, as in a page that trained before.
    await pool.warm();
    for (let r = 0; r < repeats; r++)
      for (const t of [1, threads]) {
        model = new Ease({ lambda: LAMBDA });
        const t0 = performance.now();
        await model.fit(split.data, { pool, threads: t });
        times[t]!.push((performance.now() - t0) / 1000);
        console.error(`EASE fit, ${t} thread(s): ${times[t]!.at(-1)!.toFixed(2)} s`);
        const m = evaluateSplit(split, (u, items, out) => model.score(u, items, out));
        metrics[t] = { hr: round(m.hr!, 4), ndcg: round(m.ndcg!, 4) };
      }
  } finally {
    pool.close();
  }
  for (const t of [1, threads]) {
    const seconds = median(times[t]!);
    record({
      suite: 'linalg',
      name: t === 1 ? 'ease-fit-lambda400' : `ease-fit-lambda400-${t}-threads`,
      dataset: 'generated-ml-1m',
      backend: (await spdWasmSupported()) ? (t === 1 ? 'wasm-simd' : `wasm-simd ×${t}`) : 'js',
      metrics: {
        protocol: 'ncf-loo',
        seed: 1,
        ...metrics[t],
        threads: t,
        runs: times[t]!.map((x) => round(x, 4)),
        ...(t > 1 && {
          speedupOverOneThread: round(median(times[1]!) / seconds, 4),
          sameModelAsOneThread:
            metrics[t]!.hr === metrics[1]!.hr && metrics[t]!.ndcg === metrics[1]!.ndcg,
        }),
        modelled: model.modelled,
        formulation: model.formulation,
        config: model.config,
      },
      seconds: round(seconds, 4),
      samplesPerSecond: Math.round(split.data.train.items.length / seconds),
      peakMemoryMB: peakMemoryMB(),
    });
  }
}

/**
 * `--ease-eval`: full-rank evaluation (every movie scored for each of 6,040
 * users) of one EASE fitted on ml-1m-shaped generated data, on 1 and on N
 * threads in turn; the metrics must be equal.
 */
async function easeEval(threads: number, repeats: number): Promise<void> {
  const ds = generateDataset(ML_1M_SHAPE);
  const split = makeSplit(ds.ratings, 'full-rank', 1, { itemCount: ds.movies.length });
  const pool = nodePool(threads - 1);
  const times: Record<number, number[]> = { 1: [], [threads]: [] };
  const metrics: Record<number, ProtocolMetrics> = {};
  try {
    await pool.warm();
    const model = new Ease({ lambda: LAMBDA });
    await model.fit(split.data, { pool, threads });
    for (let r = 0; r < repeats; r++)
      for (const t of [1, threads]) {
        const t0 = performance.now();
        metrics[t] = await evaluateModel(split, model, { pool, threads: t });
        times[t]!.push((performance.now() - t0) / 1000);
        console.error(`full-rank evaluation, ${t} thread(s): ${times[t]!.at(-1)!.toFixed(2)} s`);
      }
  } finally {
    pool.close();
  }
  for (const t of [1, threads]) {
    const seconds = median(times[t]!);
    record({
      suite: 'linalg',
      name: t === 1 ? 'ease-full-rank-eval' : `ease-full-rank-eval-${t}-threads`,
      dataset: 'generated-ml-1m',
      backend: t === 1 ? 'js' : `js ×${t}`,
      metrics: {
        protocol: 'full-rank',
        users: metrics[t]!.users,
        ndcg: round(metrics[t]!.ndcg!, 4),
        threads: t,
        runs: times[t]!.map((x) => round(x, 4)),
        ...(t > 1 && {
          speedupOverOneThread: round(median(times[1]!) / seconds, 4),
          sameMetricsAsOneThread: JSON.stringify(metrics[t]) === JSON.stringify(metrics[1]),
        }),
      },
      seconds: round(seconds, 4),
      samplesPerSecond: null,
      peakMemoryMB: peakMemoryMB(),
    });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '610,943,1682,3706' },
      variants: { type: 'string', default: 'sweep,blocked-js,blocked-wasm,tfjs-f32' },
      repeats: { type: 'string', default: '3' },
      block: { type: 'string' },
      ease: { type: 'boolean', default: false },
      'ease-eval': { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  });
  if (values['ease-eval'])
    return easeEval(
      Number(values.threads ?? Math.max(2, availableParallelism())),
      Number(values.repeats),
    );
  if (values.ease)
    return easeMl1m(
      Number(values.threads ?? Math.max(2, availableParallelism())),
      Number(values.repeats),
    );
  await inverses(
    values.sizes.split(',').map(Number),
    values.variants.split(','),
    Number(values.repeats),
    values.block === undefined ? undefined : Number(values.block),
  );
  for (const p of pools.values()) p.close();
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
