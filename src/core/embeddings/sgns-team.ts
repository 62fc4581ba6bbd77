/**
 * Skip-gram on several threads at once (Hogwild, as word2vec and gensim do):
 * the vectors live in one WebAssembly memory shared by every thread, each
 * thread runs the SIMD kernel (wasm/sgns.ts, compiled for shared memory) over
 * its own share of the sentences, and all of them write to the vectors
 * without locks. The learning rate follows the tokens processed by all
 * threads together. The calling thread trains the first share itself
 * (through sgns-driver's runKernel, which yields to its event loop and
 * reports progress); helper threads from a pool train the others.
 *
 * With several threads each one gathers a sentence's changes in rows of its
 * own and adds them to the shared rows when the sentence ends (delayed
 * updates, wasm/sgns.ts): written after every pair, popular movies' rows
 * bounced between the cores' caches and two threads ran slower than one on
 * ml-1m-shaped data.
 *
 * Needs SharedArrayBuffer: in a browser, a cross-origin isolated page.
 * Results are not bit-for-bit repeatable across runs (threads interleave);
 * one thread is (sgns-wasm.ts).
 */
import { WrenError } from '../errors.ts';
import { sharedMemorySupported, type ThreadPool } from '../parallel/pool.ts';
import { SGNS_SHARED_WASM_BASE64 } from './sgns-shared-wasm.generated.ts';
import {
  sigmoidTables,
  XorShift32,
  type Kernel,
  type KernelFactory,
  type Team,
} from './sgns-driver.ts';
import type { SgnsExports } from './sgns-wasm.ts';

/** What a helper thread is sent for its share of the sentences. */
export interface SgnsHelperTask {
  task: 'sgns';
  memory: WebAssembly.Memory;
  /** The arguments of the kernel's setup(), with this thread's own scratch rows and seed. */
  setup: number[];
  /** The arguments of setupDelayed(): this thread's own delta rows and flush interval (empty: updates go straight to the shared rows). */
  delayed: number[];
  s0: number;
  s1: number;
  epochs: number;
  total: number;
  lr0: number;
  lrMin: number;
  /** Int32 stop flag at 0, then a Float64 triple per thread from byte 8: tokens, loss sum, loss reports. */
  control: SharedArrayBuffer;
  index: number;
  threads: number;
}

function kernelBytes(): Uint8Array<ArrayBuffer> {
  const bin = atob(SGNS_SHARED_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

let compiled: Promise<WebAssembly.Module> | null = null;
const sharedModule = (): Promise<WebAssembly.Module> =>
  (compiled ??= WebAssembly.compile(kernelBytes()));

/**
 * Each helper thread compiles the (1.5 KB) kernel itself rather than
 * receiving the caller's compiled module: measured in node, a module sent to
 * a worker thread stayed on V8's baseline tier there and ran at half speed.
 */
let helperModule: WebAssembly.Module | null = null;

const abort = (): never => {
  throw new WrenError('internal', 'The WebAssembly trainer aborted.');
};

/** Splits sentences [0, n) into `parts` runs of about equal tokens; returns the cut points (parts + 1). */
export function shareSentences(offsets: Int32Array, parts: number): number[] {
  const n = offsets.length - 1;
  const tokens = offsets[n]! - offsets[0]!;
  const cuts = [0];
  let s = 0;
  for (let p = 1; p < parts; p++) {
    const goal = offsets[0]! + (tokens * p) / parts;
    while (s < n && offsets[s + 1]! <= goal) s++;
    cuts.push(Math.max(cuts[p - 1]!, s));
  }
  cuts.push(n);
  return cuts;
}

const slotsOf = (control: SharedArrayBuffer, threads: number): Float64Array =>
  new Float64Array(control, 8, threads * 3);

function sumTokens(slots: Float64Array, threads: number): number {
  let t = 0;
  for (let i = 0; i < threads; i++) t += slots[i * 3]!;
  return t;
}

/**
 * A helper thread's work: `epochs` passes over its sentences, in batches of
 * about 20 ms, until done or told to stop. Returns its tokens.
 */
export function runSgnsHelper(t: SgnsHelperTask): number {
  helperModule ??= new WebAssembly.Module(kernelBytes());
  const instance = new WebAssembly.Instance(helperModule, { env: { memory: t.memory, abort } });
  const w = instance.exports as unknown as SgnsExports;
  w.setup(...t.setup);
  if (t.delayed.length) w.setupDelayed(...(t.delayed as [number, number, number, number, number]));
  const stop = new Int32Array(t.control, 0, 1);
  const slots = slotsOf(t.control, t.threads);
  const me = t.index * 3;
  let step = 16;
  for (let epoch = 0; epoch < t.epochs; epoch++) {
    let s = t.s0;
    while (s < t.s1) {
      if (Atomics.load(stop, 0) !== 0) return slots[me]!;
      const end = Math.min(t.s1, s + step);
      const global = sumTokens(slots, t.threads);
      const t0 = performance.now();
      const after = w.trainSentences(s, end, global, t.total, t.lr0, t.lrMin);
      slots[me] = slots[me]! + (after - global);
      const loss = w.takeLoss();
      if (loss > 0) {
        slots[me + 1] = slots[me + 1]! + loss;
        slots[me + 2] = slots[me + 2]! + 1;
      }
      const took = performance.now() - t0;
      step = Math.max(1, Math.min(1 << 16, Math.round((step * 20) / Math.max(took, 0.05))));
      s = end;
    }
  }
  return slots[me]!;
}

/**
 * The SIMD kernel on `threads` threads: this one and `threads - 1` helpers
 * from `pool`. With one thread it is the plain kernel's algorithm on shared
 * memory.
 */
export function teamWasmKernel(pool: ThreadPool, threads: number): KernelFactory {
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new WrenError(
      'invalid-settings',
      'The number of training threads is a whole number ≥ 1.',
    );
  if (threads - 1 > pool.size)
    throw new WrenError(
      'invalid-settings',
      `This pool has ${pool.size} helper threads, not ${threads - 1}.`,
    );
  return async (input): Promise<Kernel> => {
    if (!sharedMemorySupported())
      throw new WrenError(
        'backend',
        'Training on several threads needs shared memory, which this page does not have (it is not cross-origin isolated).',
      );
    const module = await sharedModule();
    const { dim, window, negatives } = input.settings;
    const { rows, offsets, keep, table, longest } = input;
    const tables = sigmoidTables();
    const f = input.syn0.length * 4;
    const sizes = [
      f, // syn0
      f, // syn1
      table.length * 4,
      keep.length * 4,
      rows.length * 4,
      offsets.length * 4,
      tables.sigmoid.length * 4,
      tables.lossPos.length * 4,
      tables.lossNeg.length * 4,
    ];
    const shared = sizes.length;
    // Each thread's scratch: neu, buf and, with more than one thread, the delayed-update buffers.
    const rowsCount = input.syn0.length / dim;
    const own =
      threads > 1 ? [dim * 4, longest * 4, f, f, rowsCount, rowsCount * 4] : [dim * 4, longest * 4];
    for (let i = 0; i < threads; i++) sizes.push(...own);
    const at: number[] = [];
    let end = 65536;
    for (const [i, s] of sizes.entries()) {
      at.push(end);
      // Each thread's scratch rows on pages of their own: no cache line written by two threads.
      end += i >= shared ? Math.ceil(s / 4096) * 4096 : Math.ceil(s / 16) * 16;
    }
    const pages = Math.ceil(end / 65536);
    if (pages > 65536)
      throw new WrenError('too-large', 'This corpus does not fit in 4 GiB of WebAssembly memory.');
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const mem = memory.buffer;
    new Float32Array(mem, at[0], input.syn0.length).set(input.syn0);
    new Int32Array(mem, at[2], table.length).set(table);
    new Float32Array(mem, at[3], keep.length).set(keep);
    new Int32Array(mem, at[4], rows.length).set(rows);
    new Int32Array(mem, at[5], offsets.length).set(offsets);
    new Float32Array(mem, at[6], tables.sigmoid.length).set(tables.sigmoid);
    new Float32Array(mem, at[7], tables.lossPos.length).set(tables.lossPos);
    new Float32Array(mem, at[8], tables.lossNeg.length).set(tables.lossNeg);
    const seeds = new XorShift32(input.seed >>> 0);
    const setupOf = (i: number): number[] => [
      dim,
      window,
      negatives,
      table.length - 1,
      i === 0 ? input.seed >>> 0 : seeds.next(),
      at[0]!, // syn0
      at[1]!, // syn1
      at[2]!, // table
      at[3]!, // keep
      at[4]!, // corpus
      at[5]!, // offsets
      at[shared + own.length * i]!, // neu
      at[shared + own.length * i + 1]!, // buf
      at[6]!,
      at[7]!,
      at[8]!,
    ];
    const setups = Array.from({ length: threads }, (_, i) => setupOf(i));
    // Each thread shares its changes at least 64 times an epoch, and at most every 2,000 tokens.
    const flushTokens = Math.max(1, Math.min(2000, Math.round(rows.length / (threads * 64))));
    const delayedOf = (i: number): number[] =>
      threads > 1
        ? [...[2, 3, 4, 5].map((j) => at[shared + own.length * i + j]!), flushTokens]
        : [];
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
    const w = instance.exports as unknown as SgnsExports;
    w.setup(...setups[0]!);
    if (threads > 1) w.setupDelayed(...(delayedOf(0) as [number, number, number, number, number]));

    const control = new SharedArrayBuffer(8 + threads * 24);
    const stop = new Int32Array(control, 0, 1);
    const slots = slotsOf(control, threads);
    const cuts = shareSentences(offsets, threads);
    const lr0 = input.settings.learningRate;
    const lrMin = input.settings.minLearningRate;
    let helpers: Promise<unknown> | null = null;
    const seen = new Float64Array(2 * threads);

    const team: Team = {
      threads,
      own: [cuts[0]!, cuts[1]!],
      start(epochs, total) {
        if (helpers) throw new WrenError('internal', 'This team has started already.');
        const runs: Promise<number>[] = [];
        for (let i = 1; i < threads; i++) {
          const task: SgnsHelperTask = {
            task: 'sgns',
            memory,
            setup: setups[i]!,
            delayed: delayedOf(i),
            s0: cuts[i]!,
            s1: cuts[i + 1]!,
            epochs,
            total,
            lr0,
            lrMin,
            control,
            index: i,
            threads,
          };
          runs.push(
            pool.run<number>(task as unknown as { task: string } & Record<string, unknown>),
          );
        }
        helpers = Promise.all(runs).catch((e: unknown) => {
          Atomics.store(stop, 0, 1);
          throw e;
        });
        // A failure is reported by done(); never as an unhandled rejection meanwhile.
        helpers.catch(() => undefined);
      },
      tokens: () => sumTokens(slots, threads),
      add(tokens) {
        slots[0] = slots[0]! + tokens;
      },
      takeLoss() {
        // The helpers only add to their sums; this thread remembers what it has seen.
        let sum = 0;
        let n = 0;
        for (let i = 1; i < threads; i++) {
          sum += slots[i * 3 + 1]! - seen[2 * i]!;
          n += slots[i * 3 + 2]! - seen[2 * i + 1]!;
          seen[2 * i] = slots[i * 3 + 1]!;
          seen[2 * i + 1] = slots[i * 3 + 2]!;
        }
        return n > 0 ? sum / n : null;
      },
      stop() {
        Atomics.store(stop, 0, 1);
      },
      async done() {
        await helpers;
      },
    };

    return {
      engine: 'wasm-threads',
      team,
      trainSentences: (s0, s1, processed, total) =>
        w.trainSentences(s0, s1, processed, total, lr0, lrMin),
      takeLoss: () => w.takeLoss(),
      vectors: () => new Float32Array(memory.buffer, at[0], input.syn0.length).slice(),
      dispose: () => team.stop(),
    };
  };
}
