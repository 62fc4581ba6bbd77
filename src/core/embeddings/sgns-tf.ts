/**
 * The tfjs skip-gram kernel, batched for a GPU: pairs and negatives are drawn
 * in JS exactly as the CPU kernels draw them, then a batch of `batchSize`
 * centre/context pairs is one step of gathers, an element-wise product and
 * two scatter-adds on the backend in use. The gradient is written by hand
 * (no autodiff), so no `unsortedSegmentSum` is needed — the wasm backend
 * lacks it (tfjs #8082) — and only one dense table add runs per step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Sequences } from '../features/sequences.ts';
import {
  XorShift32,
  forEachPair,
  runKernel,
  type Kernel,
  type KernelInput,
  type TrainResult,
} from './sgns-driver.ts';
import type { SgnsSettings, TrainOptions } from './sgns.ts';

/** Pairs per step: large enough to keep a GPU busy, small enough that frequent items are not over-stepped. */
export const DEFAULT_TF_BATCH = 2048;

export function tfKernel(input: KernelInput, batchSize = DEFAULT_TF_BATCH): Kernel {
  const { dim, negatives } = input.settings;
  const { table, vocab } = input;
  const n = vocab.items.length;
  const k1 = negatives + 1;
  const [syn0, syn1] = tf.tidy(() => [
    tf.variable(tf.tensor2d(input.syn0, [Math.max(1, n), dim])),
    tf.variable(tf.zeros([Math.max(1, n), dim])),
  ]);
  const ctx = new Int32Array(batchSize);
  const tgt = new Int32Array(batchSize * k1);
  const mask = new Float32Array(batchSize * k1);
  const labels = new Float32Array(batchSize * k1);
  for (let b = 0; b < batchSize; b++) labels[b * k1] = 1;
  const labelsT = tf.tensor2d(labels, [batchSize, k1]);
  const tableMask = table.length - 1;
  const buf = new Int32Array(input.longest);
  const rng = new XorShift32(input.seed);
  let fill = 0;
  let alpha = input.settings.learningRate;
  let lossSum = 0;
  let lossCount = 0;
  let steps = 0;

  const step = (): void => {
    if (fill === 0) return;
    for (let b = fill; b < batchSize; b++) mask.fill(0, b * k1, (b + 1) * k1);
    const withLoss = (steps++ & 7) === 0;
    const loss = tf.tidy((): tf.Scalar | undefined => {
      const c = tf.tensor1d(ctx, 'int32');
      const t = tf.tensor1d(tgt, 'int32');
      const m = tf.tensor2d(mask, [batchSize, k1]);
      const inV = tf.gather(syn0, c); // [B, d]
      const outV = tf.gather(syn1, t).reshape([batchSize, k1, dim]); // [B, K+1, d]
      const f = tf.sum(tf.mul(tf.expandDims(inV, 1), outV), 2); // [B, K+1]
      const sig = tf.sigmoid(f);
      const g = tf.mul(tf.mul(tf.sub(labelsT, sig), m), alpha); // [B, K+1]
      const g3 = tf.expandDims(g, 2);
      const gIn = tf.sum(tf.mul(g3, outV), 1); // [B, d]
      const gOut = tf.mul(g3, tf.expandDims(inV, 1)).reshape([batchSize * k1, dim]);
      syn1.assign(tf.add(syn1, tf.scatterND(tf.expandDims(t, 1), gOut, syn1.shape)));
      syn0.assign(tf.add(syn0, tf.scatterND(tf.expandDims(c, 1), gIn, syn0.shape)));
      if (!withLoss) return undefined;
      // -log σ(f) for positives, -log(1-σ(f)) = -log σ(-f) for negatives, over real pairs.
      const signed = tf.mul(f, tf.sub(tf.mul(labelsT, 2), 1));
      return tf.div(tf.sum(tf.mul(tf.neg(tf.logSigmoid(signed)), m)), tf.sum(m));
    });
    if (loss) {
      lossSum += loss.dataSync()[0]!;
      lossCount++;
      loss.dispose();
    }
    fill = 0;
  };

  return {
    engine: `tfjs-${tf.getBackend()}`,
    trainSentences(s0, s1, processed, total) {
      const done = forEachPair(input, buf, rng, s0, s1, processed, total, (word, context, a) => {
        alpha = a;
        ctx[fill] = context;
        const o = fill * k1;
        tgt[o] = word;
        mask[o] = 1;
        for (let d = 1; d <= negatives; d++) {
          const target = table[rng.next() & tableMask]!;
          tgt[o + d] = target;
          mask[o + d] = target === word ? 0 : 1;
        }
        if (++fill === batchSize) step();
      });
      step();
      return done;
    },
    takeLoss() {
      const m = lossCount > 0 ? lossSum / lossCount : 0;
      lossSum = 0;
      lossCount = 0;
      return m;
    },
    vectors: () => Float32Array.from(syn0.dataSync()),
    dispose() {
      syn0.dispose();
      syn1.dispose();
      labelsT.dispose();
    },
  };
}

/** Trains item vectors with tfjs on its current backend. */
export function trainSgnsTf(
  corpus: Sequences,
  itemCount: number,
  settings: SgnsSettings,
  opts: TrainOptions & { batchSize?: number } = {},
): Promise<TrainResult> {
  return runKernel(corpus, itemCount, settings, (input) => tfKernel(input, opts.batchSize), opts);
}
