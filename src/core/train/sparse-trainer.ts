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
import type { Sequences } from '../features/sequences.ts';
import {
  checkAbort,
  type EpochLogEntry,
  type FitOptions,
  type FitProgress,
} from '../models/types.ts';
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

/**
 * Each user's distinct training items, sorted (CSR): a bitmap-free membership test for the
 * negative sampler, and Mult-VAE's rows.
 */
export function sortedHistories(train: Sequences, userCount: number): Sequences {
  // Each user's run sorted and its repeats dropped in place, in one array (no per-user garbage).
  const offsets = new Int32Array(userCount + 1);
  const all = train.items.slice(0, train.offsets[userCount]);
  let n = 0;
  for (let u = 0; u < userCount; u++) {
    const from = train.offsets[u]!;
    const to = train.offsets[u + 1]!;
    const run = all.subarray(from, to).sort();
    for (let i = 0; i < run.length; i++) if (i === 0 || run[i] !== run[i - 1]) all[n++] = run[i]!;
    offsets[u + 1] = n;
  }
  return { offsets, items: n === all.length ? all : all.slice(0, n) };
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

/**
 * Where an epoch's samples come from, as plain arrays (a helper thread reads them from shared
 * memory): sample `s` of the epoch is `order[s]` of the unshuffled list, in which every training
 * interaction `p` (user by user, as `offsets` cuts `positives`) is followed by its `negatives`
 * sampled movies `drawn[p · negatives …]`.
 */
export interface SampleSource {
  negatives: number;
  /** The users' offsets into `positives` (userCount + 1). */
  offsets: Int32Array;
  /** The training interactions' movies, user by user. */
  positives: Int32Array;
  /** The sampled negatives, `negatives` per interaction (2 bytes each where movie indexes fit). */
  drawn: Int32Array | Uint16Array;
  /** The epoch's shuffled order of the unshuffled samples. */
  order: Int32Array;
}

/** The lengths of a {@link SampleSource}'s arrays for `data` and `negatives`; `narrow`: `drawn` is a Uint16Array. */
export function sampleLengths(
  data: Pick<InteractionData, 'userCount' | 'itemCount' | 'train'>,
  negatives: number,
): { offsets: number; positives: number; drawn: number; order: number; narrow: boolean } {
  const p = data.train.items.length;
  return {
    offsets: data.userCount + 1,
    positives: p,
    drawn: p * negatives,
    order: p * (1 + negatives),
    narrow: data.itemCount <= 65536,
  };
}

/**
 * Writes samples [from, to) of the epoch into `users`, `items` and `labels` from index `at`:
 * the same samples, in the same order, as materialising the whole epoch would give.
 */
export function fillSamples(
  src: SampleSource,
  from: number,
  to: number,
  users: Int32Array,
  items: Int32Array,
  labels: Float32Array,
  at = 0,
): void {
  const { negatives, offsets, positives, drawn, order } = src;
  const per = 1 + negatives;
  const last = offsets.length - 2;
  for (let s = from, j = at; s < to; s++, j++) {
    const o = order[s]!;
    const p = (o / per) | 0;
    const k = o - p * per;
    // The user: the last one whose offset is ≤ p (a search without branches to mispredict).
    let lo = 0;
    for (let n = last + 1; n > 1;) {
      const half = n >> 1;
      lo = offsets[lo + half]! <= p ? lo + half : lo;
      n -= half;
    }
    users[j] = lo;
    items[j] = k === 0 ? positives[p]! : drawn[p * negatives + k - 1]!;
    labels[j] = k === 0 ? 1 : 0;
  }
}

/**
 * Each epoch's samples: every training interaction as a positive and
 * `negatives` sampled movies the user never had, shuffled with the seed.
 * `next()` draws an epoch's negatives and order; `fill` writes any run of its
 * samples into a buffer, so that no trainer holds the whole epoch's samples
 * (4 bytes per sample for the order and 4 per negative are kept).
 */
export class EpochSamples {
  readonly total: number;
  /** Where the samples come from (in `store`'s arrays where one was given). */
  readonly source: SampleSource;
  private readonly hist: { offsets: Int32Array; items: Int32Array };
  private readonly pool: Int32Array;
  private readonly rng: Random;

  /**
   * `store`, where given, holds the source's arrays (of {@link sampleLengths}; the kernel's
   * shared memory, for helper threads to read): the positives and offsets are copied into it.
   */
  constructor(
    private readonly data: InteractionData,
    private readonly settings: Pick<TrainSettings, 'negatives' | 'seed'>,
    store?: Omit<SampleSource, 'negatives'>,
  ) {
    this.hist = sortedHistories(data.train, data.userCount);
    this.pool = cataloguePool(data.catalogue);
    const { negatives } = settings;
    const n = sampleLengths(data, negatives);
    this.total = n.order;
    if (store) {
      store.offsets.set(data.train.offsets.subarray(0, n.offsets));
      store.positives.set(data.train.items);
    }
    this.source = {
      negatives,
      offsets: store?.offsets ?? data.train.offsets,
      positives: store?.positives ?? data.train.items,
      drawn: store?.drawn ?? (n.narrow ? new Uint16Array(n.drawn) : new Int32Array(n.drawn)),
      order: store?.order ?? new Int32Array(n.order),
    };
    this.rng = new Random(settings.seed, 0x545241);
  }

  /** Draws the next epoch's negatives and order. */
  next(): void {
    const { data, hist, pool, rng } = this;
    const { drawn, order } = this.source;
    const { negatives } = this.settings;
    let d = 0;
    for (let u = 0; u < data.userCount; u++) {
      const from = hist.offsets[u]!;
      const to = hist.offsets[u + 1]!;
      const full = to - from >= pool.length;
      for (let i = data.train.offsets[u]!; i < data.train.offsets[u + 1]!; i++) {
        for (let k = 0; k < negatives; k++) {
          let m = pool[rng.int(pool.length)]!;
          while (!full && contains(hist.items, from, to, m)) m = pool[rng.int(pool.length)]!;
          drawn[d++] = m;
        }
      }
    }
    for (let i = 0; i < this.total; i++) order[i] = i;
    rng.shuffle(order);
  }

  /** Writes samples [from, to) of the epoch into the arrays from index `at` (see {@link fillSamples}). */
  fill(
    from: number,
    to: number,
    users: Int32Array,
    items: Int32Array,
    labels: Float32Array,
    at = 0,
  ): void {
    fillSamples(this.source, from, to, users, items, labels, at);
  }
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
  fit(data: InteractionData, opts: EpochOptions = {}): Promise<EpochReport[]> {
    const { batchSize } = this.settings;
    const users = new Int32Array(batchSize);
    const items = new Int32Array(batchSize);
    const labels = new Float32Array(batchSize);
    return fitEpochs(data, this.settings, opts, async (samples, tick) => {
      const { total } = samples;
      let lossSum = 0;
      let batches = 0;
      for (let b = 0; b < total; b += batchSize) {
        const n = Math.min(batchSize, total - b);
        samples.fill(b, b + n, users, items, labels);
        lossSum += this.trainBatch(
          users.subarray(0, n),
          items.subarray(0, n),
          labels.subarray(0, n),
        );
        if (++batches % 64 === 0) await tick(b + n, lossSum / batches);
      }
      return lossSum / Math.max(1, batches);
    });
  }
}

export type EpochOptions = Omit<FitOptions, 'onEpoch'> & {
  onEpoch?: (r: EpochReport) => boolean | void;
};

/**
 * One epoch's batches over `samples` (drawn afresh for it; a runner fills its
 * batches from them as it goes); resolves to the mean batch loss. `tick(done, loss)` reports progress, throws when cancelled and
 * yields to the event loop: call it every few dozen batches.
 */
export type EpochRunner = (
  samples: EpochSamples,
  tick: (done: number, loss: number) => Promise<void>,
) => Promise<number>;

/**
 * Between two batches of a fit: stops if the fit was cancelled, reports progress, and lets the
 * event loop run (a worker's messages, a page's repaint).
 */
export async function betweenBatches(
  opts: Pick<FitOptions, 'signal' | 'onProgress'>,
  progress: FitProgress,
): Promise<void> {
  checkAbort(opts.signal);
  opts.onProgress?.(progress);
  await new Promise((r) => setTimeout(r, 0));
}

/**
 * The epoch loop of both trainers (this one and ncf-trainer.ts): fresh
 * samples each epoch, progress, reports, `onEpoch` (which may stop early).
 * `samples` (for `data` and `settings`) may be given, built over the arrays
 * the runner's threads read.
 */
export async function fitEpochs(
  data: InteractionData,
  settings: Pick<TrainSettings, 'epochs' | 'negatives' | 'seed'>,
  opts: EpochOptions,
  run: EpochRunner,
  samples = new EpochSamples(data, settings),
): Promise<EpochReport[]> {
  const { epochs } = settings;
  const total = samples.total;
  const reports: EpochReport[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    samples.next();
    const stage = `epoch ${epoch + 1}/${epochs}`;
    const loss = await run(samples, (done, loss) =>
      betweenBatches(opts, { stage, done: epoch * total + done, total: epochs * total, loss }),
    );
    const report = {
      epoch: epoch + 1,
      loss,
      seconds: (performance.now() - t0) / 1000,
      samples: total,
    };
    reports.push(report);
    opts.onProgress?.({ stage, done: (epoch + 1) * total, total: epochs * total, loss });
    if (opts.onEpoch?.(report) === false) break;
  }
  return reports;
}
