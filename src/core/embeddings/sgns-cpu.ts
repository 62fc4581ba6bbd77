/**
 * The plain-JS skip-gram kernel: word2vec's algorithm (one pair at a time,
 * plain SGD) as loops over Float32Arrays. The reference the WebAssembly
 * kernel is tested against, and the fallback where WebAssembly SIMD is
 * missing.
 */
import type { Sequences } from '../features/sequences.ts';
import {
  MAX_EXP,
  SIG_SCALE,
  runKernel,
  sigmoidTables,
  type Kernel,
  type KernelInput,
  type TrainResult,
} from './sgns-driver.ts';
import type { SgnsSettings, TrainOptions } from './sgns.ts';

export function jsKernel(input: KernelInput): Kernel {
  const { dim, window, negatives } = input.settings;
  const { rows, offsets, keep, table } = input;
  const { sigmoid, lossPos, lossNeg } = sigmoidTables();
  const syn0 = input.syn0.slice();
  const syn1 = new Float32Array(syn0.length);
  const neu1e = new Float64Array(dim);
  const tableMask = table.length - 1;
  let longest = 0;
  for (let i = 0; i + 1 < offsets.length; i++)
    longest = Math.max(longest, offsets[i + 1]! - offsets[i]!);
  const buf = new Int32Array(longest);
  const lr0 = input.settings.learningRate;
  const lrMin = input.settings.minLearningRate;
  let x = input.seed | 1;
  let lossSum = 0;
  let lossCount = 0;
  let pairs = 0;

  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };

  return {
    engine: 'js',
    trainSentences(s0, s1, processed, total) {
      for (let si = s0; si < s1; si++) {
        const start = offsets[si]!;
        const end = offsets[si + 1]!;
        const alpha = Math.fround(Math.max(lrMin, lr0 - ((lr0 - lrMin) * processed) / total));
        processed += end - start;
        let len = 0;
        for (let i = start; i < end; i++) {
          const r = rows[i]!;
          const kp = keep[r]!;
          if (kp < 1 && kp < (next() >>> 8) / 16777216) continue;
          buf[len++] = r;
        }
        for (let i = 0; i < len; i++) {
          const word = buf[i]!;
          const b = next() % window;
          const lo = Math.max(0, i - window + b);
          const hi = Math.min(len, i + window + 1 - b);
          for (let j = lo; j < hi; j++) {
            if (j === i) continue;
            const l1 = buf[j]! * dim;
            for (let k = 0; k < dim; k++) neu1e[k] = 0;
            for (let d = 0; d <= negatives; d++) {
              let target = word;
              let label = 1;
              if (d > 0) {
                target = table[next() & tableMask]!;
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
          }
        }
      }
      return processed;
    },
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
export function trainSgnsCpu(
  corpus: Sequences,
  itemCount: number,
  settings: SgnsSettings,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  return runKernel(corpus, itemCount, settings, jsKernel, opts);
}
