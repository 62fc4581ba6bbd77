/**
 * The training loop shared by the CPU skip-gram kernels (plain JS in
 * sgns-cpu.ts, WebAssembly SIMD in sgns-wasm.ts): vocabulary, tables,
 * learning-rate schedule, time slices, progress, the loss curve and cancel.
 * A kernel only runs sentences.
 */
import { throwIfAborted } from '../errors.ts';
import type { Sequences } from '../features/sequences.ts';
import { Random } from '../random.ts';
import {
  buildVocabulary,
  keepProbabilities,
  negativeTable,
  validateSgnsSettings,
  yieldToEventLoop,
  type ItemVectors,
  type SgnsSettings,
  type TrainOptions,
  type Vocabulary,
} from './sgns.ts';

export interface TrainResult extends ItemVectors {
  /** Mean loss per progress report, in order (the loss curve). */
  losses: number[];
  seconds: number;
  tokensPerSecond: number;
  /** Which kernel ran: 'js', 'wasm-simd', 'wasm-threads' or a tfjs backend name. */
  engine: string;
  /** Threads that trained (1 unless the kernel has a team). */
  threads: number;
}

export const MAX_EXP = 6;
export const SIG_TABLE = 4096;
export const SIG_SCALE = SIG_TABLE / (2 * MAX_EXP);

/** sigmoid(f) and the losses -log σ(f), -log(1 - σ(f)) at the centre of each bucket of [-8, 8). */
export function sigmoidTables(): {
  sigmoid: Float32Array;
  lossPos: Float32Array;
  lossNeg: Float32Array;
} {
  const sigmoid = new Float32Array(SIG_TABLE);
  const lossPos = new Float32Array(SIG_TABLE);
  const lossNeg = new Float32Array(SIG_TABLE);
  for (let i = 0; i < SIG_TABLE; i++) {
    const f = (i + 0.5) / SIG_SCALE - MAX_EXP;
    sigmoid[i] = 1 / (1 + Math.exp(-f));
    lossPos[i] = Math.log1p(Math.exp(-f));
    lossNeg[i] = Math.log1p(Math.exp(f));
  }
  return { sigmoid, lossPos, lossNeg };
}

/** Everything a kernel needs, prepared once. The corpus is mapped to vocabulary rows. */
export interface KernelInput {
  settings: SgnsSettings;
  vocab: Vocabulary;
  rows: Int32Array;
  offsets: Int32Array;
  keep: Float32Array;
  table: Int32Array;
  /** Initial input vectors (uniform ±0.5/dim, as word2vec). */
  syn0: Float32Array;
  /** A 32-bit seed for the kernel's own generator. */
  seed: number;
  /** The longest sentence, in tokens (the size of a kernel's sentence buffer). */
  longest: number;
}

/** The kernels' generator: xorshift32, as cheap as word2vec's LCG and exact in JS. */
export class XorShift32 {
  private x: number;
  constructor(seed: number) {
    this.x = seed | 1;
  }
  /** A uniform unsigned 32-bit integer. */
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    return x >>> 0;
  }
}

/**
 * word2vec's pair stream for sentences [s0, s1), shared by the JS and tfjs
 * kernels (the WebAssembly kernel does the same in wasm/sgns.ts): subsample
 * each sentence, shrink the window at random per position, and call
 * `pair(word, context, alpha)` for every centre/context pair. Returns the
 * tokens processed so far.
 */
export function forEachPair(
  input: KernelInput,
  buf: Int32Array,
  rng: XorShift32,
  s0: number,
  s1: number,
  processed: number,
  total: number,
  pair: (word: number, context: number, alpha: number) => void,
): number {
  const { rows, offsets, keep } = input;
  const { window, learningRate: lr0, minLearningRate: lrMin } = input.settings;
  for (let si = s0; si < s1; si++) {
    const start = offsets[si]!;
    const end = offsets[si + 1]!;
    const alpha = Math.fround(Math.max(lrMin, lr0 - ((lr0 - lrMin) * processed) / total));
    processed += end - start;
    let len = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const kp = keep[r]!;
      if (kp < 1 && kp < (rng.next() >>> 8) / 16777216) continue;
      buf[len++] = r;
    }
    for (let i = 0; i < len; i++) {
      const b = rng.next() % window;
      const hi = Math.min(len, i + window + 1 - b);
      for (let j = Math.max(0, i - window + b); j < hi; j++) {
        if (j !== i) pair(buf[i]!, buf[j]!, alpha);
      }
    }
  }
  return processed;
}

/**
 * Helper threads that train the other shares of the corpus on the same
 * vectors while the calling thread trains `own` (sgns-team.ts).
 */
export interface Team {
  readonly threads: number;
  /** The sentences [s0, s1) the calling thread trains. */
  readonly own: readonly [number, number];
  /** Starts the helpers on their shares for `epochs` passes over `total` tokens in all. */
  start(epochs: number, total: number): void;
  /** Tokens processed by every thread so far. */
  tokens(): number;
  /** Adds the calling thread's tokens to the count. */
  add(tokens: number): void;
  /** The helpers' mean sampled loss since the last call; null when they reported none. */
  takeLoss(): number | null;
  /** Asks the helpers to stop after their current batch. */
  stop(): void;
  /** Resolves when every helper has finished or stopped; rejects when one failed. */
  done(): Promise<void>;
}

export interface Kernel {
  readonly engine: string;
  /** Present when the kernel trains on several threads. */
  readonly team?: Team;
  /** Trains sentences [s0, s1); returns the tokens processed so far. */
  trainSentences(s0: number, s1: number, processed: number, total: number): number;
  /** Mean sampled loss since the last call. */
  takeLoss(): number;
  /** The trained input vectors (a copy the caller owns). */
  vectors(): Float32Array;
  dispose(): void;
}

export type KernelFactory = (input: KernelInput) => Kernel | Promise<Kernel>;

/** Prepares the kernel input for a corpus: vocabulary, tables and initial vectors. */
export function prepareKernelInput(
  corpus: Sequences,
  itemCount: number,
  settings: SgnsSettings,
): KernelInput {
  validateSgnsSettings(settings);
  const vocab = buildVocabulary(corpus, itemCount);
  const rng = new Random(settings.seed);
  const { dim } = settings;
  const syn0 = new Float32Array(vocab.items.length * dim);
  for (let i = 0; i < syn0.length; i++) syn0[i] = (rng.next() - 0.5) / dim;
  const rows = new Int32Array(corpus.items.length);
  for (let i = 0; i < rows.length; i++) rows[i] = vocab.rowOf[corpus.items[i]!]!;
  let longest = 0;
  for (let i = 0; i + 1 < corpus.offsets.length; i++)
    longest = Math.max(longest, corpus.offsets[i + 1]! - corpus.offsets[i]!);
  return {
    longest,
    settings,
    vocab,
    rows,
    offsets: corpus.offsets,
    keep: keepProbabilities(vocab, settings.subsample),
    table: negativeTable(vocab, settings.negativeExponent),
    syn0,
    seed: rng.uint32(),
  };
}

/**
 * Runs `epochs` passes of a kernel over the corpus in time slices of
 * `sliceMs`, yielding to the event loop between slices so a worker can
 * receive cancel; reports progress and collects the loss curve.
 */
export async function runKernel(
  corpus: Sequences,
  itemCount: number,
  settings: SgnsSettings,
  makeKernel: KernelFactory,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const t0 = performance.now();
  const input = prepareKernelInput(corpus, itemCount, settings);
  const kernel = await makeKernel(input);
  const team = kernel.team;
  try {
    const sentences = corpus.offsets.length - 1;
    const total = input.vocab.tokens * settings.epochs;
    const sliceMs = opts.sliceMs ?? 200;
    const losses: number[] = [];
    // With a team, this thread trains its own share and the helpers the rest.
    const [first, last] = team ? team.own : [0, sentences];
    team?.start(settings.epochs, total);
    let processed = 0;
    let lastReport = performance.now();
    let lastProcessed = 0;
    const report = async (epoch: number): Promise<void> => {
      const now = performance.now();
      const own = kernel.takeLoss();
      const theirs = team?.takeLoss() ?? null;
      const loss = theirs === null ? own : own > 0 ? (own + theirs) / 2 : theirs;
      losses.push(loss);
      opts.onProgress?.({
        stage: 'train',
        done: Math.min(processed, total),
        total,
        epoch,
        loss,
        tokensPerSecond: ((processed - lastProcessed) * 1000) / Math.max(1, now - lastReport),
      });
      lastReport = now;
      lastProcessed = processed;
      await yieldToEventLoop();
      throwIfAborted(opts.signal);
    };
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      let s = first;
      let step = 16;
      while (s < last) {
        const sliceStart = performance.now();
        const end = Math.min(last, s + step);
        if (team) {
          const before = team.tokens();
          team.add(kernel.trainSentences(s, end, before, total) - before);
          processed = team.tokens();
        } else {
          processed = kernel.trainSentences(s, end, processed, total);
        }
        s = end;
        // Aim the next batch of sentences at about a tenth of a slice.
        const took = performance.now() - sliceStart;
        step = Math.max(
          1,
          Math.min(1 << 16, Math.round((step * sliceMs) / 10 / Math.max(took, 0.05))),
        );
        const now = performance.now();
        if (now - lastReport >= sliceMs || (!team && epoch === settings.epochs - 1 && s === last))
          await report(epoch);
      }
    }
    if (team) {
      // The helpers finish their shares; report while they do, so cancel still works.
      let finished = false;
      const done = team.done().finally(() => (finished = true));
      while (!finished) {
        await Promise.race([done, new Promise((r) => setTimeout(r, sliceMs))]);
        processed = team.tokens();
        if (!finished) await report(settings.epochs - 1);
      }
      await done;
      processed = team.tokens();
      await report(settings.epochs - 1);
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      dim: settings.dim,
      vocab: input.vocab,
      vectors: kernel.vectors(),
      losses,
      seconds,
      tokensPerSecond: total / seconds,
      engine: kernel.engine,
      threads: team?.threads ?? 1,
    };
  } finally {
    kernel.dispose();
  }
}

/** A trainer over one kernel: `runKernel` with `makeKernel` fixed. */
export const trainerWith =
  (makeKernel: KernelFactory) =>
  (
    corpus: Sequences,
    itemCount: number,
    settings: SgnsSettings,
    opts: TrainOptions = {},
  ): Promise<TrainResult> =>
    runKernel(corpus, itemCount, settings, makeKernel, opts);
