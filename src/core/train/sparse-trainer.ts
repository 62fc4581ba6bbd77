/**
 * The training loop shared by the neural models on implicit feedback: each
 * epoch takes every training interaction as a positive plus `negatives`
 * sampled items the user never interacted with (He et al. 2017), shuffles
 * them with the seed, and runs mini-batches of binary cross-entropy.
 *
 * A step is split so that its cost follows the rows a batch touches:
 * embedding rows are gathered from {@link EmbeddingTable}s in plain typed
 * arrays, the model's dense part runs in tfjs on whatever backend is active
 * (`tf.valueAndGrads` over the gathered rows and the dense weights, uploaded
 * as small tensors), and the gradients come back to Adam in JS: lazy Adam for
 * the rows a batch touched, plain Adam for the dense weights. No tfjs op ever
 * sees a whole table, and tfjs runs no optimizer ops (measured: tfjs' Adam
 * was about ten ops per variable per step).
 */
import type * as TF from '@tensorflow/tfjs';
import { cataloguePool, type InteractionData } from '../eval/protocols.ts';
import { Random } from '../random.ts';
import { checkAbort, type EpochLogEntry, type FitOptions } from '../models/types.ts';
import { ADAM_DEFAULTS, type DenseParams, type EmbeddingTable } from './embedding-table.ts';

export type Tf = typeof TF;

/** One embedding input of the network: a table looked up by user or by item index. */
export interface Lookup {
  table: EmbeddingTable;
  /** For implicit feedback: which index of a (user, item) pair looks it up. */
  by?: 'user' | 'item';
}

export interface SparseNetwork {
  lookups: Lookup[];
  /** The dense weights, trained by Adam in JS. */
  dense: DenseParams;
  /**
   * Logits for a batch, from the gathered rows (one [batch, dim] tensor per
   * lookup, in order) and the dense weights (as passed, in order).
   */
  logits(rows: TF.Tensor2D[], dense: TF.Tensor[], numeric?: TF.Tensor2D): TF.Tensor1D;
}

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  negatives: number;
  learningRate: number;
  /** L2 penalty on the embedding rows a batch touches. */
  l2: number;
  seed: number;
}

/** One finished epoch: its mean loss, time, samples and (where the model validates) validation metrics. */
export type EpochReport = EpochLogEntry;

/** For each user, a bitmap-free membership test: sorted distinct training items. */
function sortedHistories(data: InteractionData): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(data.userCount + 1);
  const parts: Int32Array[] = [];
  let n = 0;
  for (let u = 0; u < data.userCount; u++) {
    const h = Int32Array.from(
      new Set(data.train.items.subarray(data.train.offsets[u]!, data.train.offsets[u + 1]!)),
    ).sort();
    parts.push(h);
    n += h.length;
    offsets[u + 1] = n;
  }
  const items = new Int32Array(n);
  parts.forEach((p, u) => items.set(p, offsets[u]!));
  return { offsets, items };
}

function contains(items: Int32Array, from: number, to: number, x: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = items[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export class SparseTrainer {
  private step = 0;
  private readonly lossAndGrads: (xs: TF.Tensor[]) => { value: TF.Scalar; grads: TF.Tensor[] };

  constructor(
    private readonly tf: Tf,
    private readonly net: SparseNetwork,
    private readonly settings: TrainSettings,
  ) {
    const k = net.lookups.length;
    const d = net.dense.shapes.length;
    // Binary cross-entropy on logits with its gradient written out: (σ(x) − y) / n.
    const bce = tf.customGrad((...args) => {
      const [x, y, save] = args as [TF.Tensor1D, TF.Tensor1D, TF.GradSaveFunc];
      save([x, y]);
      const value = tf.mean(
        tf.sub(tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x))))), tf.mul(x, y)),
      ) as TF.Scalar;
      return {
        value,
        gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
          const [sx, sy] = saved as [TF.Tensor1D, TF.Tensor1D];
          return [tf.mul(dy, tf.div(tf.sub(tf.sigmoid(sx), sy), sx.shape[0])), tf.zerosLike(sy)];
        },
      };
    });
    // xs = [rows…, dense…, labels, numeric?]; grads come back for every x (only rows' and dense's are used).
    this.lossAndGrads = (xs) =>
      tf.valueAndGrads((...args: TF.Tensor[]) => {
        const logits = net.logits(
          args.slice(0, k) as TF.Tensor2D[],
          args.slice(k, k + d),
          args[k + d + 1] as TF.Tensor2D | undefined,
        );
        return bce(logits, args[k + d]!) as TF.Scalar;
      })(xs);
  }

  /** One mini-batch of (user, item) pairs; returns its mean loss. */
  trainBatch(users: Int32Array, items: Int32Array, labels: Float32Array): number {
    return this.trainStep(
      this.net.lookups.map((l) => (l.by === 'user' ? users : items)),
      labels,
    );
  }

  /**
   * One mini-batch given the rows each lookup gathers (`idx[j]` for lookup j,
   * any length) and, optionally, numeric inputs (labels.length × width).
   */
  trainStep(
    idx: Int32Array[],
    labels: Float32Array,
    numeric?: { values: Float32Array; width: number },
  ): number {
    const tf = this.tf;
    const { lookups, dense } = this.net;
    this.step++;
    // Results leave tidy through closure variables: tidy walks whatever it returns, element by
    // element for typed arrays (measured: 40% of a step when the gradients were returned).
    let loss = 0;
    let grads: Float32Array[] = [];
    tf.tidy(() => {
      const rows = lookups.map((l, j) =>
        tf.tensor2d(l.table.gather(idx[j]!), [idx[j]!.length, l.table.dim]),
      );
      const weights = dense.shapes.map(([r, c], j) => tf.tensor2d(dense.view(j), [r, c]));
      const xs = [...rows, ...weights, tf.tensor1d(labels)];
      if (numeric) xs.push(tf.tensor2d(numeric.values, [labels.length, numeric.width]));
      const out = this.lossAndGrads(xs);
      loss = out.value.dataSync()[0]!;
      grads = out.grads
        .slice(0, lookups.length + dense.shapes.length)
        .map((g) => g.dataSync() as Float32Array);
    });
    const adam = {
      ...ADAM_DEFAULTS,
      learningRate: this.settings.learningRate,
      l2: this.settings.l2,
    };
    lookups.forEach((l, j) => l.table.applyAdam(idx[j]!, grads[j]!, this.step, adam));
    dense.applyAdam(grads.slice(lookups.length), this.step, adam);
    return loss;
  }

  /** Trains for the configured epochs; calls `onEpoch` after each (it may stop early by returning false). */
  async fit(
    data: InteractionData,
    opts: Omit<FitOptions, 'onEpoch'> & { onEpoch?: (r: EpochReport) => boolean | void } = {},
  ): Promise<EpochReport[]> {
    const { epochs, batchSize, negatives, seed } = this.settings;
    const hist = sortedHistories(data);
    const pool = cataloguePool(data.catalogue);
    const positives = data.train.items.length;
    const per = 1 + negatives;
    const total = positives * per;
    const users = new Int32Array(total);
    const items = new Int32Array(total);
    const labels = new Float32Array(total);
    const order = new Int32Array(total);
    const bu = new Int32Array(batchSize);
    const bi = new Int32Array(batchSize);
    const bl = new Float32Array(batchSize);
    const rng = new Random(seed, 0x545241);
    const reports: EpochReport[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      let s = 0;
      for (let u = 0; u < data.userCount; u++) {
        const from = hist.offsets[u]!;
        const to = hist.offsets[u + 1]!;
        const full = to - from >= pool.length;
        for (let i = data.train.offsets[u]!; i < data.train.offsets[u + 1]!; i++) {
          users[s] = u;
          items[s] = data.train.items[i]!;
          labels[s++] = 1;
          for (let k = 0; k < negatives; k++) {
            let m = pool[rng.int(pool.length)]!;
            while (!full && contains(hist.items, from, to, m)) m = pool[rng.int(pool.length)]!;
            users[s] = u;
            items[s] = m;
            labels[s++] = 0;
          }
        }
      }
      for (let i = 0; i < total; i++) order[i] = i;
      rng.shuffle(order);
      let lossSum = 0;
      let batches = 0;
      for (let b = 0; b < total; b += batchSize) {
        const n = Math.min(batchSize, total - b);
        const su = n === batchSize ? bu : bu.subarray(0, n);
        const si = n === batchSize ? bi : bi.subarray(0, n);
        const sl = n === batchSize ? bl : bl.subarray(0, n);
        for (let j = 0; j < n; j++) {
          const o = order[b + j]!;
          su[j] = users[o]!;
          si[j] = items[o]!;
          sl[j] = labels[o]!;
        }
        lossSum += this.trainBatch(su, si, sl);
        batches++;
        if (batches % 64 === 0) {
          checkAbort(opts.signal);
          opts.onProgress?.({
            stage: `epoch ${epoch + 1}/${epochs}`,
            done: epoch * total + b + n,
            total: epochs * total,
            loss: lossSum / batches,
          });
          await new Promise((r) => setTimeout(r, 0));
        }
      }
      const report = {
        epoch: epoch + 1,
        loss: lossSum / Math.max(1, batches),
        seconds: (performance.now() - t0) / 1000,
        samples: total,
      };
      reports.push(report);
      opts.onProgress?.({
        stage: `epoch ${epoch + 1}/${epochs}`,
        done: (epoch + 1) * total,
        total: epochs * total,
        loss: report.loss,
      });
      if (opts.onEpoch?.(report) === false) break;
    }
    return reports;
  }
}
