/**
 * The training loop of the sequential models (SASRec, GRU4Rec): each user's
 * training movies in time order are cut into windows of up to maxLen + 1
 * movies (the latest window ends at the latest movie; earlier ones step back
 * by maxLen, so every transition is trained once per epoch), left-padded to
 * maxLen positions. Every position predicts the movie after it, scored
 * against `negatives` movies sampled uniformly per batch and shared by all
 * positions (sampled-softmax cross-entropy).
 *
 * As in sparse-trainer.ts, the movie table stays in a typed array
 * ({@link EmbeddingTable}): a step gathers the rows of its inputs, targets
 * and negatives, tfjs computes the loss and the gradients of those rows and
 * of the dense weights, and lazy Adam in JS updates only the touched rows.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Sequences } from '../features/sequences.ts';
import { Random } from '../random.ts';
import type { FitOptions } from '../models/types.ts';
import type { SequentialConfig, SequentialKind } from '../models/sequential-config.ts';
import {
  batchedAttention,
  encodeBatch,
  layerNorm,
  layerNormOp,
  matMulOp,
  sampledSoftmaxLoss,
  type Attention,
} from '../models/sequential-net.ts';
import { ADAM_DEFAULTS, type DenseParams, type EmbeddingTable } from './embedding-table.ts';
import { betweenBatches, type EpochReport } from './sparse-trainer.ts';

type Tf = typeof TF;

/** One training window: user's movies `from` ≤ i < `to` of the training sequences. */
interface Window {
  user: number;
  from: number;
  to: number;
}

/** Windows of up to maxLen + 1 movies, the latest first per user, for every user with ≥ 2 movies. */
export function trainingWindows(seqs: Sequences, maxLen: number): Window[] {
  const out: Window[] = [];
  for (let u = 0; u + 1 < seqs.offsets.length; u++) {
    const start = seqs.offsets[u]!;
    for (let e = seqs.offsets[u + 1]!; e - start >= 2; e -= maxLen)
      out.push({ user: u, from: Math.max(start, e - maxLen - 1), to: e });
  }
  return out;
}

/** A batch laid out as the network reads it: B windows × L positions, left-padded. */
export interface SequenceBatch {
  B: number;
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 where the position holds a movie (and so a target). */
  mask: Float32Array;
  negatives: Int32Array;
}

/** Fills a batch from windows (`pad` is the padding row's index). */
export function fillBatch(
  seqs: Sequences,
  windows: readonly Window[],
  L: number,
  pad: number,
  negatives: Int32Array,
): SequenceBatch {
  const B = windows.length;
  const inputs = new Int32Array(B * L).fill(pad);
  const targets = new Int32Array(B * L).fill(pad);
  const mask = new Float32Array(B * L);
  windows.forEach((w, b) => {
    const n = w.to - w.from - 1;
    const at = b * L + (L - n);
    for (let t = 0; t < n; t++) {
      inputs[at + t] = seqs.items[w.from + t]!;
      targets[at + t] = seqs.items[w.from + t + 1]!;
      mask[at + t] = 1;
    }
  });
  return { B, inputs, targets, mask, negatives };
}

export class SequenceTrainer {
  private step = 0;
  private readonly rng: Random;
  readonly attention: Attention;
  private readonly mm: (a: TF.Tensor2D, b: TF.Tensor2D) => TF.Tensor2D;
  private readonly ln: (x: TF.Tensor2D, g: TF.Tensor, b: TF.Tensor) => TF.Tensor2D;
  /** Whether tensors live in CPU memory (wasm, cpu), where JS ops on their data are cheap. */
  private readonly onCpu: boolean;

  constructor(
    private readonly tf: Tf,
    private readonly kind: SequentialKind,
    private readonly config: SequentialConfig,
    private readonly table: EmbeddingTable,
    private readonly dense: DenseParams,
    opts: { attention?: Attention } = {},
  ) {
    this.rng = new Random(config.seed, 0x534551); // "SEQ"
    this.attention = opts.attention ?? batchedAttention(tf);
    this.mm = matMulOp(tf);
    this.onCpu = ['wasm', 'cpu'].includes(tf.getBackend());
    this.ln = this.onCpu ? layerNormOp(tf) : (x, g, b) => layerNorm(tf, x, g, b);
  }

  private counts: Int32Array | null = null;

  /** Per position, how often its target is among the batch's sampled negatives. */
  private hits({ targets, mask, negatives }: SequenceBatch): Float32Array {
    const counts = (this.counts ??= new Int32Array(this.table.rows));
    for (let j = 0; j < negatives.length; j++) counts[negatives[j]!]!++;
    const out = new Float32Array(targets.length);
    for (let i = 0; i < targets.length; i++) if (mask[i]) out[i] = counts[targets[i]!]!;
    for (let j = 0; j < negatives.length; j++) counts[negatives[j]!] = 0;
    return out;
  }

  /** One step on a batch; returns its mean loss. */
  trainBatch(batch: SequenceBatch): number {
    const tf = this.tf;
    const { B, inputs, targets, mask, negatives } = batch;
    const { maxLen: L, dim: d, dropout } = this.config;
    const table = this.table;
    const dense = this.dense;
    this.step++;
    let weightSum = 0;
    for (let i = 0; i < mask.length; i++) weightSum += mask[i]!;
    const seed = this.rng.int(0x7fffffff);
    let salt = 0;
    let lossValue = 0;
    let grads: Float32Array[] = [];
    tf.tidy(() => {
      const maskT = tf.tensor2d(mask, [B * L, 1]);
      const ctx = {
        B,
        L,
        mask: maskT,
        keyMask: mask,
        drop: (x: TF.Tensor2D): TF.Tensor2D => {
          if (dropout <= 0) return x;
          if (!this.onCpu) return tf.dropout(x, dropout, undefined, seed + salt++) as TF.Tensor2D;
          // A mask from the seeded generator: cheaper than tfjs' random ops on CPU backends.
          const keep = 1 / (1 - dropout);
          const mask = new Float32Array(x.size);
          for (let i = 0; i < mask.length; i++) mask[i] = this.rng.next() < dropout ? 0 : keep;
          return tf.mul(x, tf.tensor2d(mask, x.shape));
        },
        attention: this.attention,
        mm: this.mm,
        ln: this.ln,
      };
      const loss = sampledSoftmaxLoss(
        tf,
        maskT,
        weightSum,
        tf.tensor2d(this.hits(batch), [B * L, 1]),
      );
      const xs = [
        tf.tensor2d(table.gather(inputs), [B * L, d]),
        tf.tensor2d(table.gather(targets), [B * L, d]),
        tf.tensor2d(table.gather(negatives), [negatives.length, d]),
        ...dense.shapes.map(([r, c], j) => tf.tensor2d(dense.view(j), [r, c])),
      ];
      const out = tf.valueAndGrads((...args: TF.Tensor[]) => {
        const [rows, tgt, neg, ...w] = args as TF.Tensor2D[];
        const h = encodeBatch(tf, this.kind, this.config, rows!, w, ctx);
        return loss(h, tgt!, neg!);
      })(xs);
      lossValue = out.value.dataSync()[0]!;
      grads = out.grads.map((g) => g.dataSync() as Float32Array);
    });
    const adam = { ...ADAM_DEFAULTS, learningRate: this.config.learningRate, l2: this.config.l2 };
    // One lazy-Adam step on every touched movie row: inputs, targets and negatives together.
    const n = inputs.length;
    const idx = new Int32Array(2 * n + negatives.length);
    idx.set(inputs, 0);
    idx.set(targets, n);
    idx.set(negatives, 2 * n);
    const g = new Float32Array(idx.length * d);
    g.set(grads[0]!, 0);
    g.set(grads[1]!, n * d);
    g.set(grads[2]!, 2 * n * d);
    table.applyAdam(idx, g, this.step, adam);
    dense.applyAdam(grads.slice(3), this.step, adam);
    return lossValue;
  }

  /**
   * Trains for the configured epochs on `seqs` (per user, time order);
   * negatives come from `pool`. `onEpoch` may stop training by returning false.
   */
  async fit(
    seqs: Sequences,
    pool: Int32Array,
    opts: Omit<FitOptions, 'onEpoch'> & { onEpoch?: (r: EpochReport) => boolean | void } = {},
  ): Promise<EpochReport[]> {
    const { epochs, batchSize, maxLen: L, negatives } = this.config;
    const pad = this.table.rows - 1;
    const windows = trainingWindows(seqs, L);
    const positions = windows.reduce((s, w) => s + w.to - w.from - 1, 0);
    const reports: EpochReport[] = [];
    // Every movie of the pool, once, when as many are asked for: the full softmax.
    const full = negatives <= 0 || negatives >= pool.length;
    const negs = full ? Int32Array.from(pool) : new Int32Array(negatives);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      this.rng.shuffle(windows);
      let lossSum = 0;
      let batches = 0;
      for (let b = 0; b < windows.length; b += batchSize) {
        if (!full) for (let j = 0; j < negatives; j++) negs[j] = pool[this.rng.int(pool.length)]!;
        const batch = fillBatch(seqs, windows.slice(b, b + batchSize), L, pad, negs);
        lossSum += this.trainBatch(batch);
        batches++;
        await betweenBatches(opts, {
          stage: `epoch ${epoch + 1}/${epochs}`,
          done: epoch * windows.length + Math.min(windows.length, b + batchSize),
          total: epochs * windows.length,
          loss: lossSum / batches,
        });
      }
      const report: EpochReport = {
        epoch: epoch + 1,
        loss: lossSum / Math.max(1, batches),
        seconds: (performance.now() - t0) / 1000,
        samples: positions,
      };
      reports.push(report);
      if (opts.onEpoch?.(report) === false) break;
    }
    return reports;
  }
}
