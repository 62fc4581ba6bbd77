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
import { shareByPrefix, sharedMemorySupported, type ThreadPool } from '../parallel/pool.ts';
import { SGNS_SHARED_WASM_BASE64 } from './sgns-shared-wasm.generated.ts';
import { XorShift32, type Kernel, type KernelFactory, type Team } from './sgns-driver.ts';
import { kernelLayout, setupArgs, writeKernelInput, type SgnsExports } from './sgns-wasm.ts';
import { wasmModule } from '../wasm-module.ts';

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

/**
 * The kernel compiled for shared memory. Each thread compiles it itself
 * (the cache is per thread) rather than receiving the caller's module:
 * measured once in node, a module sent to a worker thread ran at about half
 * speed there.
 */
const sharedModule = wasmModule(SGNS_SHARED_WASM_BASE64);

const abort = (): never => {
  throw new WrenError('internal', 'The WebAssembly trainer aborted.');
};

/** Splits sentences [0, n) into `parts` runs of about equal tokens; returns the cut points (parts + 1). */
export const shareSentences = (offsets: Int32Array, parts: number): number[] =>
  shareByPrefix(offsets, parts);

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
export async function runSgnsHelper(t: SgnsHelperTask): Promise<number> {
  const module = await sharedModule();
  if (!module) throw new Error('this engine has no WebAssembly SIMD');
  const instance = new WebAssembly.Instance(module, { env: { memory: t.memory, abort } });
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
    if (!module) throw new WrenError('backend', 'This browser has no WebAssembly SIMD.');
    const { dim } = input.settings;
    const rows = input.rows;
    const f = input.syn0.length * 4;
    // Each thread's scratch: neu, buf and, with more than one thread, the delayed-update
    // buffers (d0, d1, mark, touched), on pages of their own: no cache line written by two threads.
    const vocab = input.syn0.length / dim;
    const scratch =
      threads > 1
        ? [dim * 4, input.longest * 4, f, f, vocab, vocab * 4]
        : [dim * 4, input.longest * 4];
    const l = kernelLayout(input, scratch, threads, 4096);
    const pages = Math.ceil(l.end / 65536);
    if (pages > 65536)
      throw new WrenError('too-large', 'This corpus does not fit in 4 GiB of WebAssembly memory.');
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    writeKernelInput(memory.buffer, l, input);
    const seeds = new XorShift32(input.seed >>> 0);
    const setups = l.scratch.map(([neu, buf], i) =>
      setupArgs(input, l, neu!, buf!, i === 0 ? input.seed : seeds.next()),
    );
    // Each thread shares its changes at least 64 times an epoch, and at most every 2,000 tokens.
    const flushTokens = Math.max(1, Math.min(2000, Math.round(rows.length / (threads * 64))));
    const delayedOf = (i: number): number[] =>
      threads > 1 ? [...l.scratch[i]!.slice(2), flushTokens] : [];
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
    const w = instance.exports as unknown as SgnsExports;
    w.setup(...setups[0]!);
    if (threads > 1) w.setupDelayed(...(delayedOf(0) as [number, number, number, number, number]));

    const control = new SharedArrayBuffer(8 + threads * 24);
    const stop = new Int32Array(control, 0, 1);
    const slots = slotsOf(control, threads);
    const cuts = shareSentences(input.offsets, threads);
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
      vectors: () => new Float32Array(memory.buffer, l.arrays[0], input.syn0.length).slice(),
      dispose: () => team.stop(),
    };
  };
}
