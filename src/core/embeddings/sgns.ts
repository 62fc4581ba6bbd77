/**
 * Skip-gram with negative sampling (word2vec, Mikolov et al. 2013) over item
 * sequences — Item2Vec (Barkan & Koenigstein 2016). This module holds what
 * every trainer shares: settings, the vocabulary, subsampling and the
 * negative-sampling table. The trainers are sgns-cpu.ts (typed arrays) and
 * sgns-tf.ts (tfjs, batched for a GPU).
 */
import { WrenError } from '../errors.ts';
import type { Sequences } from '../features/sequences.ts';

export interface SgnsSettings {
  /** Vector size. */
  dim: number;
  /** Maximum distance between a centre item and a context item (shrunk at random per position, as word2vec). */
  window: number;
  /** Negative samples per positive pair. */
  negatives: number;
  /** Passes over the corpus. */
  epochs: number;
  /** Learning rate at the start, decayed linearly to `minLearningRate`. */
  learningRate: number;
  minLearningRate: number;
  /** Subsampling threshold of frequent items (word2vec's `sample`; 0 = off). */
  subsample: number;
  /** Exponent of the unigram distribution negatives are drawn from (0.75 in word2vec). */
  negativeExponent: number;
  seed: number;
}

/** The settings of the gensim reference run (DESIGN.md, next-item protocol). */
export const GENSIM_REFERENCE: SgnsSettings = {
  dim: 32,
  window: 5,
  negatives: 5,
  epochs: 10,
  learningRate: 0.025,
  minLearningRate: 0.0001,
  subsample: 1e-3,
  negativeExponent: 0.75,
  seed: 1,
};

/** SparrowRecSys' Item2Vec settings (Embedding.scala: vector size 10, window 5, 10 iterations). */
export const SPARROW_DEFAULTS: SgnsSettings = { ...GENSIM_REFERENCE, dim: 10 };

/** Checks settings on entry; messages say what was expected and what was found. */
export function validateSgnsSettings(s: SgnsSettings): void {
  const bad = (what: string, v: unknown): never => {
    throw new WrenError('invalid-settings', `${what} (got ${String(v)}).`);
  };
  if (!Number.isInteger(s.dim) || s.dim < 2 || s.dim > 512) bad('Dimensions must be 2–512', s.dim);
  if (!Number.isInteger(s.window) || s.window < 1 || s.window > 100)
    bad('Window must be 1–100', s.window);
  if (!Number.isInteger(s.negatives) || s.negatives < 1 || s.negatives > 50)
    bad('Negatives must be 1–50', s.negatives);
  if (!Number.isInteger(s.epochs) || s.epochs < 1 || s.epochs > 1000)
    bad('Epochs must be 1–1000', s.epochs);
  if (!(s.learningRate > 0 && s.learningRate <= 1))
    bad('Learning rate must be in (0, 1]', s.learningRate);
  if (!(s.minLearningRate >= 0 && s.minLearningRate <= s.learningRate))
    bad('Final learning rate must be between 0 and the learning rate', s.minLearningRate);
  if (!(s.subsample >= 0 && s.subsample < 1)) bad('Subsampling must be in [0, 1)', s.subsample);
  if (!(s.negativeExponent >= -1 && s.negativeExponent <= 2))
    bad('Negative-sampling exponent must be −1 to 2', s.negativeExponent);
  if (!Number.isInteger(s.seed)) bad('Seed must be an integer', s.seed);
}

/**
 * The vocabulary: the items that occur in the corpus (min count 1). Row r of
 * the vectors belongs to item `items[r]`; `rowOf[item]` is -1 for items
 * without a vector.
 */
export interface Vocabulary {
  items: Int32Array;
  counts: Float64Array;
  rowOf: Int32Array;
  /** Tokens in the corpus. */
  tokens: number;
}

/** Builds the vocabulary of `corpus` over item indexes `0..itemCount-1`, in item order. */
export function buildVocabulary(corpus: Sequences, itemCount: number): Vocabulary {
  const raw = new Float64Array(itemCount);
  for (let i = 0; i < corpus.items.length; i++) {
    const it = corpus.items[i]!;
    if (it < 0 || it >= itemCount)
      throw new WrenError('invalid-data', `Item ${it} is outside 0..${itemCount - 1}.`);
    raw[it]!++;
  }
  let n = 0;
  for (let i = 0; i < itemCount; i++) if (raw[i]! > 0) n++;
  const items = new Int32Array(n);
  const counts = new Float64Array(n);
  const rowOf = new Int32Array(itemCount).fill(-1);
  for (let i = 0, r = 0; i < itemCount; i++) {
    if (raw[i]! > 0) {
      items[r] = i;
      counts[r] = raw[i]!;
      rowOf[i] = r++;
    }
  }
  return { items, counts, rowOf, tokens: corpus.items.length };
}

/**
 * Probability of keeping each vocabulary row when subsampling (word2vec's
 * formula as gensim computes it: (sqrt(c / t) + 1) · t / c with t = sample · tokens).
 */
export function keepProbabilities(vocab: Vocabulary, sample: number): Float32Array {
  const keep = new Float32Array(vocab.items.length).fill(1);
  if (sample <= 0) return keep;
  const t = sample * vocab.tokens;
  for (let r = 0; r < keep.length; r++) {
    const c = vocab.counts[r]!;
    keep[r] = Math.min(1, (Math.sqrt(c / t) + 1) * (t / c));
  }
  return keep;
}

/**
 * A table of vocabulary rows in proportion to count^exponent: a uniform index
 * into it draws a negative (word2vec's unigram table).
 */
export function negativeTable(vocab: Vocabulary, exponent: number, size?: number): Int32Array {
  const n = vocab.items.length;
  // A power of two, so a random 32-bit integer masks into it.
  const len = size ?? Math.min(1 << 24, Math.max(1 << 20, 1 << Math.ceil(Math.log2(n * 64 + 1))));
  const table = new Int32Array(len);
  let total = 0;
  for (let r = 0; r < n; r++) total += Math.pow(vocab.counts[r]!, exponent);
  let r = 0;
  let cum = n > 0 ? Math.pow(vocab.counts[0]!, exponent) / total : 1;
  for (let i = 0; i < len; i++) {
    table[i] = r;
    if ((i + 1) / len > cum && r < n - 1) {
      r++;
      cum += Math.pow(vocab.counts[r]!, exponent) / total;
    }
  }
  return table;
}

/** A trained embedding: unnormalised vectors, one row per vocabulary item. */
export interface ItemVectors {
  dim: number;
  vocab: Vocabulary;
  vectors: Float32Array;
}

/** Progress of a training run: `done`/`total` count tokens over all epochs. */
export interface TrainProgress {
  stage: 'train';
  done: number;
  total: number;
  epoch: number;
  /** Mean negative-sampling loss since the previous report. */
  loss: number;
  tokensPerSecond: number;
}

export interface TrainOptions {
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Milliseconds of work between yields to the event loop (so a worker sees cancel). */
  sliceMs?: number;
}

/** Lets the event loop run (a worker receives its cancel message here). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
