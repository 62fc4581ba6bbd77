/**
 * Trains GMF, MLP and NeuMF with the WebAssembly SIMD step (wasm/ncf.ts;
 * where the engine has no SIMD, the plain-JS step of ncf-kernel.ts), on one
 * thread or on several at once (Hogwild, as the skip-gram team does): the
 * tables, the dense weights and their Adam moments are copied into the
 * kernel's memory (shared between threads) for the fit and back after each
 * epoch; each thread trains its own run of each epoch's shuffled batches
 * against them without locks, and the Adam step counts every thread's
 * batches. The calling thread trains the first run itself (and reports
 * progress); helper threads from a pool train the others.
 *
 * No thread holds an epoch's samples: each fills a buffer of one chunk of
 * batches at a time from the epoch's sample source (the positives, the drawn
 * negatives and the shuffled order, one copy in the shared memory; see
 * EpochSamples), which gives the same samples in the same batches as
 * materialising the epoch did.
 *
 * One thread gives the same numbers on every run; several do not (threads
 * interleave). bench/models.ts --only speed measures both, and their quality.
 */
import { WrenError } from '../errors.ts';
import type { InteractionData } from '../eval/protocols.ts';
import { sharedMemorySupported, type ThreadPool } from '../parallel/pool.ts';
import { ADAM_DEFAULTS, type AdamSettings } from './embedding-table.ts';
import { NcfKernel, type NcfArrays, type NcfShape } from './ncf-kernel.ts';
import {
  bufferViews,
  copyArrays,
  NCF_WASM_MAX_LAYERS,
  ncfLayout,
  ncfModule,
  ncfSharedModule,
  sourceViews,
  wasmBatch,
  writeNcfInput,
  type NcfExports,
  type SourceLayout,
} from './ncf-wasm.ts';
import {
  EpochSamples,
  fillSamples,
  fitEpochs,
  sampleLengths,
  type EpochOptions,
  type EpochReport,
  type TrainSettings,
} from './sparse-trainer.ts';

/** Batches in a thread's buffer of samples (and between two progress ticks on the calling thread). */
export const CHUNK_BATCHES = 64;

/** What a helper thread is sent for its run of an epoch's batches. */
export interface NcfHelperTask {
  task: 'ncf';
  /** The kernel's shared memory, holding the arrays, the epoch's sample source and this thread's descriptor and buffer. */
  memory: WebAssembly.Memory;
  desc: number;
  batchSize: number;
  /** Where the sample source lies, and the negatives per positive. */
  source: SourceLayout;
  negatives: number;
  /** This thread's buffer (users, items, labels) of `chunk` samples. */
  buffer: [number, number, number];
  chunk: number;
  /** Its samples: [from, to). */
  from: number;
  to: number;
  adam: AdamSettings;
  /** Int32: [stop flag, Adam step, samples done]; then a Float64 loss sum and batch count per thread from byte 16. */
  control: ArrayBufferLike;
  index: number;
}

const STOP = 0;
const STEP = 1;
const DONE = 2;

const abort = (): never => {
  throw new WrenError('internal', 'The WebAssembly trainer aborted.');
};

/** One batch: samples [from, to) at global Adam step `step`; returns its mean loss. */
type Batch = (from: number, to: number, step: number) => number;

/** Trains [from, to) of the buffer in batches, stopping when the stop flag is set; returns [loss sum, batches]. */
function trainRun(
  batch: Batch,
  batchSize: number,
  counters: Int32Array,
  from: number,
  to: number,
): [number, number] {
  let loss = 0;
  let batches = 0;
  for (let b = from; b < to; b += batchSize) {
    if (Atomics.load(counters, STOP) !== 0) break;
    const end = Math.min(to, b + batchSize);
    loss += batch(b, end, Atomics.add(counters, STEP, 1) + 1);
    batches++;
    Atomics.add(counters, DONE, end - b);
  }
  return [loss, batches];
}

export async function runNcfHelper(t: NcfHelperTask): Promise<number> {
  const module = await ncfSharedModule();
  if (!module) throw new Error('this engine has no WebAssembly SIMD');
  const instance = new WebAssembly.Instance(module, { env: { memory: t.memory, abort } });
  const w = instance.exports as unknown as NcfExports;
  w.setup(t.desc);
  const counters = new Int32Array(t.control, 0, 3);
  const batch: Batch = (from, to, step) => wasmBatch(w, from, to, step, t.adam);
  const source = { negatives: t.negatives, ...sourceViews(t.memory.buffer, t.source) };
  const { users, items, labels } = bufferViews(t.memory.buffer, t.buffer, t.chunk);
  let loss = 0;
  let batches = 0;
  for (let b = t.from; b < t.to; b += t.chunk) {
    if (Atomics.load(counters, STOP) !== 0) break;
    const n = Math.min(t.chunk, t.to - b);
    fillSamples(source, b, b + n, users, items, labels);
    const [sum, k] = trainRun(batch, t.batchSize, counters, 0, n);
    loss += sum;
    batches += k;
  }
  const slots = new Float64Array(t.control, 16);
  slots[2 * t.index] = loss;
  slots[2 * t.index + 1] = batches;
  return batches;
}

/** Splits `total` samples into `parts` runs of whole batches; returns the cut points. */
export function shareBatches(total: number, batchSize: number, parts: number): number[] {
  const batches = Math.ceil(total / batchSize);
  const cuts = [0];
  for (let i = 1; i <= parts; i++)
    cuts.push(Math.min(total, Math.round((batches * i) / parts) * batchSize));
  return cuts;
}

/** What trains: the WebAssembly SIMD kernel or, where the engine has none, the plain-JS one. */
export type NcfEngine = 'wasm-simd' | 'js';

export class NcfTrainer {
  private step = 0;
  /** What ran the last fit, and on how many threads. */
  engine: NcfEngine = 'js';
  threads = 1;
  /** Batches each thread trained in the last epoch. */
  shares: number[] = [];

  constructor(
    private readonly shape: NcfShape,
    /** The model's own arrays, trained in place (copied into the kernel's memory and back after each epoch). */
    private readonly arrays: NcfArrays,
    private readonly tableRows: number[],
    private readonly settings: TrainSettings,
    /** 'js' forces the plain-JS kernel (tests compare the two). */
    private readonly force?: NcfEngine,
  ) {}

  private adam(): AdamSettings {
    return { ...ADAM_DEFAULTS, learningRate: this.settings.learningRate, l2: this.settings.l2 };
  }

  /**
   * Trains for the configured epochs, on `threads` threads when a pool,
   * shared memory and WebAssembly SIMD are there (else on this one); calls
   * `onEpoch` after each, with the model's arrays up to date (it may stop
   * early by returning false).
   */
  async fit(
    data: InteractionData,
    opts: EpochOptions & { pool?: ThreadPool; threads?: number } = {},
  ): Promise<EpochReport[]> {
    const threads = Math.min(opts.threads ?? 1, (opts.pool?.size ?? 0) + 1);
    const simd = this.force !== 'js' && this.shape.tower.length - 1 <= NCF_WASM_MAX_LAYERS;
    if (simd && threads > 1 && opts.pool && sharedMemorySupported()) {
      const module = await ncfSharedModule();
      if (module) return this.fitWasm(data, opts, module, threads, opts.pool);
    }
    const module = simd ? await ncfModule() : null;
    if (module) return this.fitWasm(data, opts, module, 1);
    this.engine = 'js';
    this.threads = 1;
    const { batchSize } = this.settings;
    const kernel = new NcfKernel(this.shape, this.arrays, this.tableRows, batchSize);
    const adam = this.adam();
    const chunk = CHUNK_BATCHES * batchSize;
    const users = new Int32Array(chunk);
    const items = new Int32Array(chunk);
    const labels = new Float32Array(chunk);
    return fitEpochs(data, this.settings, opts, async (samples, tick) => {
      const { total } = samples;
      let loss = 0;
      let batches = 0;
      for (let c = 0; c < total; c += chunk) {
        const n = Math.min(chunk, total - c);
        samples.fill(c, c + n, users, items, labels);
        for (let b = 0; b < n; b += batchSize) {
          const end = Math.min(n, b + batchSize);
          loss += kernel.trainBatch(users, items, labels, b, end, ++this.step, adam);
          batches++;
        }
        await tick(c + n, loss / batches);
      }
      return loss / Math.max(1, batches);
    });
  }

  /** The SIMD kernel on this thread and, with `pool`, `threads − 1` helpers, all on one memory. */
  private async fitWasm(
    data: InteractionData,
    opts: EpochOptions,
    module: WebAssembly.Module,
    threads: number,
    pool?: ThreadPool,
  ): Promise<EpochReport[]> {
    this.engine = 'wasm-simd';
    this.threads = threads;
    const { batchSize, negatives } = this.settings;
    const chunk = CHUNK_BATCHES * batchSize;
    // Helpers read the sample source from the shared memory; one thread reads it where it is.
    const lengths = pool ? sampleLengths(data, negatives) : undefined;
    const l = ncfLayout(
      this.shape,
      this.arrays,
      this.tableRows,
      chunk,
      batchSize,
      threads,
      lengths,
    );
    const pages = Math.ceil(l.end / 65536);
    if (pages > 65536)
      throw new WrenError('too-large', 'This model does not fit in 4 GiB of WebAssembly memory.');
    let memory: WebAssembly.Memory;
    let w: NcfExports;
    if (pool) {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
      const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
      w = instance.exports as unknown as NcfExports;
    } else {
      const instance = await WebAssembly.instantiate(module, { env: { abort } });
      w = instance.exports as unknown as NcfExports;
      memory = w.memory!;
      const more = pages - memory.buffer.byteLength / 65536;
      if (more > 0) memory.grow(more);
    }
    writeNcfInput(memory.buffer, l, this.arrays);
    const samples = new EpochSamples(
      data,
      this.settings,
      l.source && sourceViews(memory.buffer, l.source),
    );
    const own = bufferViews(memory.buffer, l.buffers[0]!, chunk);
    w.setup(l.descs[0]!);
    const adam = this.adam();
    const batch: Batch = (from, to, step) => wasmBatch(w, from, to, step, adam);
    // Shared only with helpers: a page that is not isolated has no SharedArrayBuffer.
    const control = pool
      ? new SharedArrayBuffer(16 + 16 * threads)
      : new ArrayBuffer(16 + 16 * threads);
    const counters = new Int32Array(control, 0, 3);
    const slots = new Float64Array(control, 16);
    const run = async (
      epoch: EpochSamples,
      tick: (done: number, loss: number) => Promise<void>,
    ): Promise<number> => {
      const cuts = shareBatches(epoch.total, batchSize, threads);
      Atomics.store(counters, STOP, 0);
      Atomics.store(counters, DONE, 0);
      Atomics.store(counters, STEP, this.step);
      slots.fill(0);
      const helpers: Promise<number>[] = [];
      for (let i = 1; i < threads; i++) {
        const task: NcfHelperTask = {
          task: 'ncf',
          memory,
          desc: l.descs[i]!,
          batchSize,
          source: l.source!,
          negatives,
          buffer: l.buffers[i]!,
          chunk,
          from: cuts[i]!,
          to: cuts[i + 1]!,
          adam,
          control,
          index: i,
        };
        helpers.push(
          pool!.run<number>(task as unknown as { task: string } & Record<string, unknown>),
        );
      }
      const team = Promise.all(helpers).catch((e: unknown) => {
        Atomics.store(counters, STOP, 1);
        throw e;
      });
      team.catch(() => undefined);
      let loss = 0;
      let batches = 0;
      try {
        // This thread's run, a buffer of batches at a time with a tick between.
        for (let b = cuts[0]!; b < cuts[1]!; b += chunk) {
          const n = Math.min(chunk, cuts[1]! - b);
          epoch.fill(b, b + n, own.users, own.items, own.labels);
          const [sum, k] = trainRun(batch, batchSize, counters, 0, n);
          loss += sum;
          batches += k;
          if (Atomics.load(counters, STOP) !== 0) break;
          await tick(Atomics.load(counters, DONE), loss / Math.max(1, batches));
        }
      } catch (e) {
        Atomics.store(counters, STOP, 1);
        await team.catch(() => undefined);
        throw e;
      } finally {
        this.step = Atomics.load(counters, STEP);
      }
      await team;
      this.step = Atomics.load(counters, STEP);
      this.shares = [batches];
      for (let i = 1; i < threads; i++) {
        loss += slots[2 * i]!;
        batches += slots[2 * i + 1]!;
        this.shares.push(slots[2 * i + 1]!);
      }
      copyArrays(memory.buffer, l, this.arrays, 'out');
      return loss / Math.max(1, batches);
    };
    return fitEpochs(data, this.settings, opts, run, samples);
  }
}

/** The shape of a GMF, MLP or NeuMF network. */
export function ncfShape(factors: number, tower: number[]): NcfShape {
  if (!(factors > 0 || tower.length > 1))
    throw new WrenError('internal', 'An NCF network has a GMF part, a tower, or both.');
  return { factors, tower };
}
