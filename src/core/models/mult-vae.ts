/**
 * Mult-VAE (Liang, Krishnan, Hoffman & Jebara, Variational Autoencoders for
 * Collaborative Filtering, WWW 2018): a user's training movies as one
 * multi-hot row, L2-normalised (and half dropped in training), encoded by
 * [I → 600 → 2 × 200] (tanh) into a Gaussian q(z | x), one z drawn by the
 * reparameterisation trick, decoded by [200 → 600 → I] into a softmax over
 * every movie; the loss is the multinomial log-likelihood of the row plus β ×
 * the KL divergence from N(0, I), β annealed from 0 up to 0.2.
 *
 * The first layer reads a sparse row (a user rated ~2% of the catalogue), so
 * it runs in JS over the rated movies only, forward and backward; tfjs
 * (`tf.valueAndGrads`) runs the rest of the network on the active backend, and
 * Adam updates every weight in JS (see src/core/train/sparse-trainer.ts for
 * why). A user scores as the decoder's logits for the mean z of their whole
 * training row, so the model keeps each user's training movies.
 */
import { settingsOf } from './config-check.ts';
import * as tf from '@tensorflow/tfjs';
import { evaluateSplit, validationLoo, type InteractionData } from '../eval/protocols.ts';
import type { Sequences } from '../features/sequences.ts';
import { Random } from '../random.ts';
import { ADAM_DEFAULTS, DenseParams, glorot } from '../train/embedding-table.ts';
import { sortedHistories } from '../train/sparse-trainer.ts';
import { MULT_VAE_SETTINGS, type MultVaeConfig } from './mult-vae-config.ts';
import {
  bestEpochOf,
  checkAbort,
  pick,
  type EpochLogEntry,
  type FitOptions,
  type Recommender,
  type SavedModel,
} from './types.ts';

export type { MultVaeConfig } from './mult-vae-config.ts';

/** Parameter order: W1 (I × H), b1, W2 (H × 2L), b2, W3 (L × H), b3, W4 (H × I), b4. */
const W1 = 0;

/** At most this many floats of cached score rows (16 MiB). */
const CACHE_FLOATS = 1 << 22;

export class MultVae implements Recommender {
  readonly model = 'mult-vae';
  readonly config: MultVaeConfig;
  private params = new DenseParams([], () => new Float32Array(0));
  private userCount = 0;
  private itemCount = 0;
  /** The rows users are scored from: their distinct training movies. */
  private history: Sequences = { offsets: new Int32Array(1), items: new Int32Array(0) };
  epochLog: EpochLogEntry[] = [];
  /** Bumped whenever the weights or the history change; the score cache is only valid within one. */
  private version = 0;
  private cache: { version: number; from: number; to: number; rows: Float32Array } = {
    version: -1,
    from: 0,
    to: 0,
    rows: new Float32Array(0),
  };

  constructor(config: Partial<MultVaeConfig> = {}, stored = false) {
    this.config = settingsOf('Mult-VAE', MULT_VAE_SETTINGS, config, stored);
  }

  private build(userCount: number, itemCount: number, weights?: SavedModel['arrays']): void {
    const { hidden: H, latent: L, seed } = this.config;
    this.userCount = userCount;
    this.itemCount = itemCount;
    const I = itemCount;
    const rng = new Random(seed, 0x564145); // "VAE"
    const shapes: [number, number][] = [
      [I, H],
      [1, H],
      [H, 2 * L],
      [1, 2 * L],
      [L, H],
      [1, H],
      [H, I],
      [1, I],
    ];
    // The paper's initialisation: Xavier weights, biases N(0, 0.001²).
    this.params = new DenseParams(
      shapes,
      DenseParams.orSaved(weights, (_, r, c) =>
        r === 1 ? Float32Array.from({ length: c }, () => 0.001 * rng.normal()) : glorot(rng, r, c),
      ),
    );
    this.version++;
  }

  private setHistory(h: Sequences): void {
    this.history = h;
    this.version++;
  }

  /**
   * The first layer's pre-activation for `users` (rows of [users.length × H]):
   * the sum of W1's rows of each user's movies, each weighted by its input
   * value — 1/√n, times 1/(1 − p) for kept movies and 0 for dropped ones when
   * `drop` gives a dropout generator. `inputs` gets the value of each movie in
   * history order (what the backward pass multiplies by).
   */
  private firstLayer(
    users: Int32Array,
    drop: { rng: Random; p: number } | null,
    inputs: Float32Array,
  ): Float32Array {
    const H = this.config.hidden;
    const w = this.params.view(W1);
    const { offsets, items } = this.history;
    const out = new Float32Array(users.length * H);
    let k = 0;
    for (let b = 0; b < users.length; b++) {
      const u = users[b]!;
      const from = offsets[u]!;
      const to = offsets[u + 1]!;
      const base = 1 / Math.sqrt(Math.max(1, to - from));
      const o = b * H;
      for (let i = from; i < to; i++) {
        const v = drop ? (drop.rng.chance(drop.p) ? 0 : base / (1 - drop.p)) : base;
        inputs[k++] = v;
        if (v === 0) continue;
        const r = items[i]! * H;
        for (let h = 0; h < H; h++) out[o + h]! += v * w[r + h]!;
      }
    }
    return out;
  }

  /** Training movies of `users`, summed: the rows of their multi-hot targets, [n × I]. */
  private targets(users: Int32Array): Float32Array {
    const I = this.itemCount;
    const { offsets, items } = this.history;
    const x = new Float32Array(users.length * I);
    users.forEach((u, b) => {
      for (let i = offsets[u]!; i < offsets[u + 1]!; i++) x[b * I + items[i]!] = 1;
    });
    return x;
  }

  /** The network's dense weights (all but W1) as tensors. */
  private weightTensors(): tf.Tensor2D[] {
    return this.params.shapes
      .slice(1)
      .map(([r, c], j) => tf.tensor2d(this.params.view(j + 1), [r, c]));
  }

  /** Logits from the first layer's pre-activation; `eps` draws z, otherwise z is the mean. */
  private decode(
    pre: tf.Tensor2D,
    w: tf.Tensor[],
    eps: tf.Tensor2D | null,
  ): { logits: tf.Tensor2D; mu: tf.Tensor2D; logvar: tf.Tensor2D } {
    const L = this.config.latent;
    const [b1, w2, b2, w3, b3, w4, b4] = w as tf.Tensor2D[];
    const h = tf.tanh(tf.add(pre, b1!));
    const q = tf.add(tf.matMul(h, w2!), b2!);
    const mu = tf.slice(q, [0, 0], [-1, L]) as tf.Tensor2D;
    const logvar = tf.slice(q, [0, L], [-1, L]) as tf.Tensor2D;
    const z = eps ? (tf.add(mu, tf.mul(eps, tf.exp(tf.mul(0.5, logvar)))) as tf.Tensor2D) : mu;
    const d = tf.tanh(tf.add(tf.matMul(z, w3!), b3!));
    return { logits: tf.add(tf.matMul(d, w4!), b4!), mu, logvar };
  }

  /** One step on a batch of users; returns its loss (negative ELBO with β). */
  private trainStep(
    users: Int32Array,
    beta: number,
    rng: Random,
    step: number,
    grads: Float32Array,
  ): number {
    const { hidden: H, latent: L, dropout, learningRate } = this.config;
    const { offsets, items } = this.history;
    const B = users.length;
    let n = 0;
    for (const u of users) n += offsets[u + 1]! - offsets[u]!;
    const inputs = new Float32Array(n);
    const pre = this.firstLayer(users, { rng, p: dropout }, inputs);
    const noise = Float32Array.from({ length: B * L }, () => rng.normal());
    const x = this.targets(users);
    let loss = 0;
    let dense: Float32Array[] = [];
    // Results leave tidy through closure variables (see SparseTrainer.trainStep).
    tf.tidy(() => {
      const xt = tf.tensor2d(x, [B, this.itemCount]);
      const eps = tf.tensor2d(noise, [B, L]);
      const f = (...args: tf.Tensor[]): tf.Scalar => {
        const { logits, mu, logvar } = this.decode(args[0] as tf.Tensor2D, args.slice(1), eps);
        const ll = tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), xt), 1));
        const kl = tf.mean(
          tf.sum(tf.mul(0.5, tf.sub(tf.add(tf.sub(tf.exp(logvar), logvar), tf.square(mu)), 1)), 1),
        );
        return tf.add(tf.neg(ll), tf.mul(beta, kl)) as tf.Scalar;
      };
      const out = tf.valueAndGrads(f)([tf.tensor2d(pre, [B, H]), ...this.weightTensors()]);
      loss = out.value.dataSync()[0]!;
      dense = out.grads.map((g) => g.dataSync() as Float32Array);
    });
    // W1's gradient: each rated movie's row gets its input value times its user's gradient.
    const g1 = dense[0]!;
    grads.fill(0);
    let k = 0;
    for (let b = 0; b < B; b++) {
      const u = users[b]!;
      for (let i = offsets[u]!; i < offsets[u + 1]!; i++) {
        const v = inputs[k++]!;
        if (v === 0) continue;
        const r = items[i]! * H;
        for (let h = 0; h < H; h++) grads[r + h]! += v * g1[b * H + h]!;
      }
    }
    this.params.applyAdam([grads, ...dense.slice(1)], step, { ...ADAM_DEFAULTS, learningRate });
    this.version++;
    return loss;
  }

  async fit(data: InteractionData, opts: FitOptions = {}): Promise<void> {
    const { epochs, batchSize, annealCap, annealEpochs, validate, validateEvery, patience, seed } =
      this.config;
    checkAbort(opts.signal);
    this.build(data.userCount, data.itemCount);
    const full = sortedHistories(data.train, data.userCount);
    const val = validate ? validationLoo(data, seed) : null;
    const trainHist = val ? sortedHistories(val.data.train, data.userCount) : full;
    this.setHistory(trainHist);
    const users = Int32Array.from({ length: data.userCount }, (_, u) => u).filter(
      (u) => trainHist.offsets[u + 1]! > trainHist.offsets[u]!,
    );
    const rng = new Random(seed, 0x545241);
    const grads = new Float32Array(this.itemCount * this.config.hidden);
    const stepsPerEpoch = Math.max(1, Math.ceil(users.length / batchSize));
    const annealSteps = Math.max(1, annealEpochs * stepsPerEpoch);
    const total = epochs * users.length;
    let step = 0;
    let best = -Infinity;
    let bestWeights: Float32Array | null = null;
    let since = 0;
    this.epochLog = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      rng.shuffle(users);
      let lossSum = 0;
      for (let b = 0; b < users.length; b += batchSize) {
        checkAbort(opts.signal);
        const beta = Math.min(annealCap, (annealCap * step) / annealSteps);
        const batch = users.subarray(b, Math.min(users.length, b + batchSize));
        lossSum += this.trainStep(batch, beta, rng, ++step, grads);
        opts.onProgress?.({
          stage: `epoch ${epoch + 1}/${epochs}`,
          done: epoch * users.length + b + batch.length,
          total,
          loss: lossSum / Math.ceil((b + 1) / batchSize),
        });
        await new Promise((r) => setTimeout(r, 0));
      }
      const r: EpochLogEntry = {
        epoch: epoch + 1,
        loss: lossSum / stepsPerEpoch,
        seconds: (performance.now() - t0) / 1000,
        samples: users.length,
      };
      let go = true;
      if (val && ((epoch + 1) % validateEvery === 0 || epoch + 1 === epochs)) {
        const m = evaluateSplit(val, (u, items, out) => this.score(u, items, out));
        r.valHr = m.hr;
        r.valNdcg = m.ndcg;
        if (m.ndcg! > best) {
          best = m.ndcg!;
          bestWeights = this.params.weights.slice();
          since = 0;
        } else if (++since >= patience) go = false;
      }
      this.epochLog.push(r);
      opts.onEpoch?.(r);
      if (!go) break;
    }
    if (bestWeights) this.params.weights.set(bestWeights);
    this.setHistory(full);
    opts.onProgress?.({ stage: 'done', done: total, total });
  }

  /** The epoch whose weights the model kept (the best validation NDCG@10, or the last). */
  bestEpoch(): number {
    return bestEpochOf(this.epochLog);
  }

  /** Full score rows ([users.length × I]) from the mean z of each user's training row. */
  scoreRows(users: Int32Array): Float32Array {
    const B = users.length;
    const pre = this.firstLayer(users, null, new Float32Array(this.history.items.length));
    return tf.tidy(() => {
      const { logits } = this.decode(
        tf.tensor2d(pre, [B, this.config.hidden]),
        this.weightTensors(),
        null,
      );
      return logits.dataSync() as Float32Array;
    });
  }

  /**
   * Scores from an explicit history (For You: your liked movies), exactly as
   * `score` scores a user from their training row: the encoder's input is the
   * distinct movies, each 1/√n, and z is its mean.
   */
  scoreHistory(history: ArrayLike<number>, items: Int32Array | null, out: Float32Array): void {
    const H = this.config.hidden;
    const w = this.params.view(W1);
    const movies = [...new Set(Array.from(history))].filter((m) => m >= 0 && m < this.itemCount);
    const pre = new Float32Array(H);
    const v = 1 / Math.sqrt(Math.max(1, movies.length));
    for (const m of movies) for (let h = 0; h < H; h++) pre[h]! += v * w[m * H + h]!;
    const row = tf.tidy(() => {
      const { logits } = this.decode(tf.tensor2d(pre, [1, H]), this.weightTensors(), null);
      return logits.dataSync() as Float32Array;
    });
    pick(row, items, out);
  }

  /**
   * Scores from a cached block of consecutive users' rows, computed together
   * (evaluation walks users in order, so a block costs one batched pass).
   */
  score(user: number, items: Int32Array | null, out: Float32Array): void {
    const I = this.itemCount;
    const c = this.cache;
    if (c.version !== this.version || user < c.from || user >= c.to) {
      const n = Math.max(1, Math.min(256, Math.floor(CACHE_FLOATS / Math.max(1, I))));
      const to = Math.min(Math.max(this.userCount, user + 1), user + n);
      c.rows = this.scoreRows(Int32Array.from({ length: to - user }, (_, j) => user + j));
      c.from = user;
      c.to = to;
      c.version = this.version;
    }
    pick(c.rows.subarray((user - c.from) * I, (user - c.from + 1) * I), items, out);
  }

  save(): SavedModel {
    const arrays: SavedModel['arrays'] = {
      historyOffsets: this.history.offsets,
      historyItems: this.history.items,
    };
    Object.assign(arrays, this.params.toArrays());
    return {
      model: this.model,
      config: this.config,
      userCount: this.userCount,
      itemCount: this.itemCount,
      arrays,
    };
  }

  static load(s: SavedModel): MultVae {
    const m = new MultVae(s.config as MultVaeConfig, true);
    m.build(s.userCount, s.itemCount, s.arrays);
    m.setHistory({
      offsets: s.arrays.historyOffsets as Int32Array,
      items: s.arrays.historyItems as Int32Array,
    });
    return m;
  }
}
