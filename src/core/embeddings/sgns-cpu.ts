/**
 * The plain-JS skip-gram kernel: word2vec's algorithm (one pair at a time,
 * plain SGD) as loops over Float32Arrays. The reference the WebAssembly
 * kernel is tested against, and the fallback where WebAssembly SIMD is
 * missing.
 */
import {
  MAX_EXP,
  SIG_SCALE,
  XorShift32,
  forEachPair,
  trainerWith,
  sigmoidTables,
  type Kernel,
  type KernelInput,
} from './sgns-driver.ts';

export function jsKernel(input: KernelInput): Kernel {
  const { dim, negatives } = input.settings;
  const { table } = input;
  const { sigmoid, lossPos, lossNeg } = sigmoidTables();
  const syn0 = input.syn0.slice();
  const syn1 = new Float32Array(syn0.length);
  const neu1e = new Float64Array(dim);
  const tableMask = table.length - 1;
  const buf = new Int32Array(input.longest);
  const rng = new XorShift32(input.seed);
  let lossSum = 0;
  let lossCount = 0;
  let pairs = 0;

  /** One centre/context pair with its negatives (plain SGD, as word2vec). */
  const pair = (word: number, context: number, alpha: number): void => {
    const l1 = context * dim;
    for (let k = 0; k < dim; k++) neu1e[k] = 0;
    for (let d = 0; d <= negatives; d++) {
      let target = word;
      let label = 1;
      if (d > 0) {
        target = table[rng.next() & tableMask]!;
        if (target === word) continue;
        label = 0;
      }
      const l2 = target * dim;
      let f = 0;
      for (let k = 0; k < dim; k++) f += syn0[l1 + k]! * syn1[l2 + k]!;
      // Saturated pairs are skipped, as gensim does.
      if (f >= MAX_EXP || f <= -MAX_EXP) continue;
      const t = ((f + MAX_EXP) * SIG_SCALE) | 0;
      if ((++pairs & 7) === 0) {
        lossSum += label === 1 ? lossPos[t]! : lossNeg[t]!;
        lossCount++;
      }
      const g = (label - sigmoid[t]!) * alpha;
      for (let k = 0; k < dim; k++) {
        neu1e[k]! += g * syn1[l2 + k]!;
        syn1[l2 + k]! += g * syn0[l1 + k]!;
      }
    }
    for (let k = 0; k < dim; k++) syn0[l1 + k]! += neu1e[k]!;
  };

  return {
    engine: 'js',
    trainSentences: (s0, s1, processed, total) =>
      forEachPair(input, buf, rng, s0, s1, processed, total, pair),
    takeLoss() {
      const m = lossCount > 0 ? lossSum / lossCount : 0;
      lossSum = 0;
      lossCount = 0;
      return m;
    },
    vectors: () => syn0,
    dispose: () => undefined,
  };
}

/** Trains item vectors with the plain-JS kernel. */
export const trainSgnsCpu = trainerWith(jsKernel);
