/**
 * Neural collaborative filtering (He et al., WWW 2017): GMF (the element-wise
 * product of user and item factors), MLP (a tower over the concatenated user
 * and item embeddings) and NeuMF (both, joined in one output layer), trained
 * on implicit feedback with sampled negatives; and a two-tower model (user
 * and movie towers joined only by a dot product, so movie vectors can be
 * computed once and searched, as retrieval does — Yi et al., RecSys 2019).
 *
 * Embedding tables are {@link EmbeddingTable}s updated sparsely. GMF, MLP and
 * NeuMF train with a plain-JS step (src/core/train/ncf-kernel.ts), on several
 * threads where a pool is given; two-tower's dense layers run in tfjs on the
 * active backend (src/core/train/sparse-trainer.ts). Scoring runs in tfjs.
 */
import { settingsOf } from './config-check.ts';
import * as tf from '@tensorflow/tfjs';
import { evaluateSplit, validationLoo, type InteractionData } from '../eval/protocols.ts';
import { Random } from '../random.ts';
import { DenseParams, EmbeddingTable, glorot } from '../train/embedding-table.ts';
import {
  SparseTrainer,
  type EpochReport,
  type SparseNetwork,
  type TrainSettings,
} from '../train/sparse-trainer.ts';
import type { NcfArrays, NcfShape } from '../train/ncf-kernel.ts';
import { NcfTrainer, ncfShape, type NcfEngine } from '../train/ncf-trainer.ts';
import {
  mlpTowerSizes,
  NCF_SETTINGS,
  TWO_TOWER_LAYERS,
  type NcfConfig,
} from './neural-cf-config.ts';
import { bestEpochOf, type FitOptions, type Recommender, type SavedModel } from './types.ts';

export type { NcfConfig } from './neural-cf-config.ts';
export type NcfVariant = 'gmf' | 'mlp' | 'neumf' | 'two-tower';

export interface FoldInOptions {
  steps?: number;
  /** Sampled movies per liked one. */
  negatives?: number;
  learningRate?: number;
  /** Pull towards the mean trained user. */
  l2?: number;
  seed?: number;
}

/**
 * A folded-in user: for GMF and two-tower the weights of their linear user
 * side; for MLP and NeuMF one row per user table, in the network's lookup order.
 */
export type FoldedUser =
  { kind: 'linear'; w: Float32Array } | { kind: 'rows'; rows: Float32Array[] };

/**
 * Logistic regression in place on `w` (rows of `x` are features, a fixed
 * bias), by Adam on the full batch, with L2 towards the starting `w`.
 */
function fitLogistic(
  w: Float32Array,
  x: Float32Array,
  labels: readonly number[],
  bias: number,
  opts: FoldInOptions,
): void {
  const { steps = 60, learningRate = 0.05, l2 = 0.01 } = opts;
  const d = w.length;
  const n = labels.length;
  const w0 = w.slice();
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  const g = new Float64Array(d);
  for (let s = 1; s <= steps; s++) {
    g.fill(0);
    for (let r = 0; r < n; r++) {
      let z = bias;
      for (let k = 0; k < d; k++) z += w[k]! * x[r * d + k]!;
      const err = 1 / (1 + Math.exp(-z)) - labels[r]!;
      for (let k = 0; k < d; k++) g[k]! += (err * x[r * d + k]!) / n;
    }
    for (let k = 0; k < d; k++) {
      const gk = g[k]! + 2 * l2 * (w[k]! - w0[k]!);
      m[k] = 0.9 * m[k]! + 0.1 * gk;
      v[k] = 0.999 * v[k]! + 0.001 * gk * gk;
      const mh = m[k]! / (1 - 0.9 ** s);
      const vh = v[k]! / (1 - 0.999 ** s);
      w[k]! -= (learningRate * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
}

/** A linear variant's user side: where users start, each movie's features, the bias. */
interface LinearSide {
  start: Float32Array;
  bias: number;
  features: (items: Int32Array) => Float32Array;
}

/** The mean row of a table. */
function meanRow(t: EmbeddingTable): Float32Array {
  const out = new Float64Array(t.dim);
  for (let r = 0; r < t.rows; r++)
    for (let k = 0; k < t.dim; k++) out[k]! += t.weights[r * t.dim + k]!;
  return Float32Array.from(out, (x) => x / Math.max(1, t.rows));
}

/** Two-tower: each side's embedding through its own tower, scored by a dot product. */
const TOWER = TWO_TOWER_LAYERS;

export class NeuralCf implements Recommender {
  readonly model: NcfVariant;
  readonly config: NcfConfig;
  private tables: Record<string, EmbeddingTable> = {};
  private dense = new DenseParams([], () => new Float32Array(0));
  private userCount = 0;
  private itemCount = 0;
  /** Epoch reports of the last fit. */
  epochLog: EpochReport[] = [];
  /** GMF, MLP and NeuMF train in WebAssembly (or plain JS), two-tower's dense part in tfjs (undefined). */
  engine: NcfEngine | undefined = undefined;
  /** Threads the last fit trained on. */
  threads = 1;

  /** Movies the model scores (its item table's rows). */
  get movieCount(): number {
    return this.itemCount;
  }
  /** GMF and two-tower fold-in: the user side, built on first use after training (see linearSide). */
  private side: LinearSide | null = null;

  constructor(variant: NcfVariant, config: Partial<NcfConfig> = {}, stored = false) {
    this.model = variant;
    this.config = settingsOf(variant, NCF_SETTINGS, config, stored);
  }

  /** Hidden sizes of the MLP tower: 2e → e → e/2 … (mlpLayers of them). */
  private towerSizes(): number[] {
    return mlpTowerSizes(this.config);
  }

  /** Fresh weights (or the given ones) for this many users and movies. */
  build(userCount: number, itemCount: number, weights?: SavedModel['arrays']): void {
    const { factors, mlpEmbedding, seed } = this.config;
    this.userCount = userCount;
    this.itemCount = itemCount;
    this.side = null;
    const table = (name: string, rows: number, dim: number, s: number): EmbeddingTable =>
      new EmbeddingTable(rows, dim, {
        seed: seed * 16 + s,
        initStd: 0.01,
        weights: weights?.[name] as Float32Array | undefined,
      });
    this.tables = {};
    if (this.model === 'gmf' || this.model === 'neumf') {
      this.tables.userGmf = table('userGmf', userCount, factors, 1);
      this.tables.itemGmf = table('itemGmf', itemCount, factors, 2);
    }
    if (this.model !== 'gmf') {
      // MLP and NeuMF towers read these; two-tower too, one per side.
      this.tables.userMlp = table('userMlp', userCount, mlpEmbedding, 3);
      this.tables.itemMlp = table('itemMlp', itemCount, mlpEmbedding, 4);
    }
    const rng = new Random(seed, 0x4e4346);
    const shapes: [number, number][] = [];
    if (this.model === 'two-tower') {
      for (let side = 0; side < 2; side++) {
        const sizes = [mlpEmbedding, ...TOWER];
        for (let i = 1; i < sizes.length; i++)
          shapes.push([sizes[i - 1]!, sizes[i]!], [1, sizes[i]!]);
      }
      shapes.push([1, 1]);
    } else {
      if (this.model !== 'gmf') {
        const sizes = this.towerSizes();
        for (let i = 1; i < sizes.length; i++)
          shapes.push([sizes[i - 1]!, sizes[i]!], [1, sizes[i]!]);
      }
      const joined =
        (this.model !== 'mlp' ? factors : 0) +
        (this.model !== 'gmf' ? this.towerSizes().at(-1)! : 0);
      shapes.push([joined, 1], [1, 1]);
    }
    this.dense = new DenseParams(shapes, (j, r, c) => {
      const saved = weights?.[`dense${j}`] as Float32Array | undefined;
      if (saved) return saved;
      return r === 1 ? new Float32Array(c) : glorot(rng, r, c);
    });
  }

  /** The network as tfjs runs it: for scoring, for two-tower's training, and as the kernels' reference in tests. */
  network(): SparseNetwork {
    const t = this.tables;
    const lookups =
      this.model === 'gmf'
        ? [
            { table: t.userGmf!, by: 'user' as const },
            { table: t.itemGmf!, by: 'item' as const },
          ]
        : this.model === 'mlp' || this.model === 'two-tower'
          ? [
              { table: t.userMlp!, by: 'user' as const },
              { table: t.itemMlp!, by: 'item' as const },
            ]
          : [
              { table: t.userGmf!, by: 'user' as const },
              { table: t.itemGmf!, by: 'item' as const },
              { table: t.userMlp!, by: 'user' as const },
              { table: t.itemMlp!, by: 'item' as const },
            ];
    const variant = this.model;
    return {
      lookups,
      dense: this.dense,
      logits: (rows, dense) => {
        if (variant === 'two-tower') {
          const layers = TOWER.length;
          const tower = (x: tf.Tensor2D, from: number): tf.Tensor2D => {
            let h = x;
            for (let l = 0; l < layers; l++) {
              h = tf.add(
                tf.matMul(h, dense[from + 2 * l] as tf.Tensor2D),
                dense[from + 2 * l + 1]!,
              );
              if (l + 1 < layers) h = tf.relu(h);
            }
            return h;
          };
          const u = tower(rows[0]!, 0);
          const i = tower(rows[1]!, 2 * layers);
          return tf.add(tf.sum(tf.mul(u, i), 1, true), dense[4 * layers]!).reshape([-1]);
        }
        const parts: tf.Tensor2D[] = [];
        let r = 0;
        if (variant !== 'mlp') {
          parts.push(tf.mul(rows[0]!, rows[1]!));
          r = 2;
        }
        let w = 0;
        if (variant !== 'gmf') {
          let h: tf.Tensor2D = tf.concat([rows[r]!, rows[r + 1]!], 1);
          for (; w + 2 < dense.length; w += 2)
            h = tf.relu(tf.add(tf.matMul(h, dense[w] as tf.Tensor2D), dense[w + 1]!));
          parts.push(h);
        }
        const joined = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
        return tf.add(tf.matMul(joined, dense[w] as tf.Tensor2D), dense[w + 1]!).reshape([-1]);
      },
    };
  }

  async fit(data: InteractionData, opts: FitOptions = {}): Promise<void> {
    if (this.model === 'neumf' && this.config.pretrain) {
      await this.pretrain(data, opts);
      await this.train(data, opts, this.config.learningRate * this.config.finetuneScale);
      return;
    }
    this.build(data.userCount, data.itemCount);
    await this.train(data, opts, this.config.learningRate);
  }

  /**
   * He et al.'s pre-training: GMF and MLP are trained alone (with their own
   * validation), and NeuMF starts from their embeddings and tower, its output
   * layer being half of each one's.
   */
  private async pretrain(data: InteractionData, opts: FitOptions): Promise<void> {
    const sub = { ...this.config, pretrain: 0 };
    const parts: Record<string, SavedModel['arrays']> = {};
    for (const variant of ['gmf', 'mlp'] as const) {
      const m = new NeuralCf(variant, sub);
      const label = variant === 'gmf' ? 'GMF' : 'MLP';
      await m.fit(data, {
        signal: opts.signal,
        pool: opts.pool,
        threads: opts.threads,
        onProgress: (p) => opts.onProgress?.({ ...p, stage: `${label} pre-training, ${p.stage}` }),
      });
      parts[variant] = m.save().arrays;
    }
    const g = parts.gmf!;
    const m = parts.mlp!;
    const tower = 2 * this.config.mlpLayers;
    const w: SavedModel['arrays'] = {
      userGmf: g.userGmf!,
      itemGmf: g.itemGmf!,
      userMlp: m.userMlp!,
      itemMlp: m.itemMlp!,
    };
    for (let j = 0; j < tower; j++) w[`dense${j}`] = m[`dense${j}`]!;
    const half = (a: Float32Array | Int32Array): number[] => Array.from(a, (x) => 0.5 * x);
    w[`dense${tower}`] = Float32Array.from([...half(g.dense0!), ...half(m[`dense${tower}`]!)]);
    w[`dense${tower + 1}`] = Float32Array.from([
      0.5 * (g.dense1![0]! + m[`dense${tower + 1}`]![0]!),
    ]);
    this.build(data.userCount, data.itemCount, w);
  }

  /** Trains the built network, validating after each epoch and keeping the best one. */
  private async train(
    data: InteractionData,
    opts: FitOptions,
    learningRate: number,
  ): Promise<void> {
    const { validate, patience, seed } = this.config;
    const val = validate ? validationLoo(data, seed) : null;
    const settings = { ...this.config, learningRate };
    const trainer =
      this.model === 'two-tower'
        ? new SparseTrainer(tf, this.network(), settings)
        : this.ncfTrainer(settings);
    let best = -Infinity;
    let bestWeights: Float32Array[] | null = null;
    let since = 0;
    this.epochLog = [];
    await trainer.fit(val ? val.data : data, {
      ...opts,
      onEpoch: (r) => {
        let go = true;
        if (val) {
          const m = evaluateSplit(val, (u, items, out) => this.score(u, items, out));
          r.valHr = m.hr;
          r.valNdcg = m.ndcg;
          if (m.ndcg! > best) {
            best = m.ndcg!;
            bestWeights = this.weightArrays().map((w) => w.slice());
            since = 0;
          } else if (++since >= patience) go = false;
        }
        this.epochLog.push(r);
        opts.onEpoch?.(r);
        return go;
      },
    });
    this.engine = trainer instanceof NcfTrainer ? trainer.engine : undefined;
    this.threads = trainer instanceof NcfTrainer ? trainer.threads : 1;
    if (bestWeights) this.weightArrays().forEach((w, j) => w.set(bestWeights![j]!));
  }

  /** The kernels' trainer over this model's arrays (GMF, MLP and NeuMF); `force` 'js' takes the plain-JS step. */
  ncfTrainer(settings: TrainSettings, force?: NcfEngine): NcfTrainer {
    return new NcfTrainer(this.shape(), this.ncfArrays(), this.tableRows(), settings, force);
  }

  /** GMF, MLP and NeuMF as the kernels see them. */
  private shape(): NcfShape {
    return ncfShape(
      this.model === 'mlp' ? 0 : this.config.factors,
      this.model === 'gmf' ? [] : this.towerSizes(),
    );
  }

  /** The tables in lookup order and the dense weights, with their Adam moments. */
  private ncfArrays(): NcfArrays {
    return {
      tables: this.network().lookups.map(({ table: t }) => ({ w: t.weights, m: t.m, v: t.v })),
      dense: { w: this.dense.weights, m: this.dense.m, v: this.dense.v },
    };
  }

  private tableRows(): number[] {
    return this.network().lookups.map(({ table }) => table.rows);
  }

  /** Every trained array, tables then dense weights (views, in a fixed order). */
  private weightArrays(): Float32Array[] {
    return [...Object.values(this.tables).map((t) => t.weights), this.dense.weights];
  }

  /** The epoch whose weights the model kept (the best validation NDCG@10, or the last). */
  bestEpoch(): number {
    return bestEpochOf(this.epochLog);
  }

  /** Scores pairs in chunks; `out[j]` gets the logit of (users[j], items[j]). */
  scorePairs(users: Int32Array, items: Int32Array, out: Float32Array): void {
    const net = this.network();
    const chunk = 8192;
    for (let from = 0; from < users.length; from += chunk) {
      const to = Math.min(users.length, from + chunk);
      const u = users.subarray(from, to);
      const it = items.subarray(from, to);
      tf.tidy(() => {
        const rows = net.lookups.map((l) =>
          tf.tensor2d(l.table.gather(l.by === 'user' ? u : it), [to - from, l.table.dim]),
        );
        const dense = this.dense.shapes.map(([r, c], j) => tf.tensor2d(this.dense.view(j), [r, c]));
        out.set(net.logits(rows, dense).dataSync(), from);
      });
    }
  }

  score(user: number, items: Int32Array | null, out: Float32Array): void {
    const list = items ?? Int32Array.from({ length: this.itemCount }, (_, m) => m);
    this.scorePairs(new Int32Array(list.length).fill(user), list, out);
  }

  /**
   * Fold-in: a user for someone the model never saw, from the movies they
   * liked, every trained weight frozen. The liked movies are positives and
   * `negatives` sampled movies each are negatives; the fit is binary
   * cross-entropy plus L2 towards the mean trained user.
   *
   * GMF and two-tower are linear in the user side (GMF: p · (h ⊙ q); two-
   * tower: the user tower's output u · the movie tower's output), so they
   * fold in as a small logistic regression in plain JS — a few ms. MLP and
   * NeuMF are not: their user rows are fitted through tfjs' autodiff, which
   * costs a few hundred ms (the "quick fine-tune").
   */
  foldIn(liked: ArrayLike<number>, opts: FoldInOptions = {}): FoldedUser {
    const { negatives = 4, seed = 1 } = opts;
    const rng = new Random(seed, 0x464f4c44);
    const pos = new Set(Array.from(liked));
    const items: number[] = [...pos];
    const labels: number[] = items.map(() => 1);
    for (let n = 0; n < pos.size * negatives; n++) {
      let m = rng.int(this.itemCount);
      for (let t = 0; pos.has(m) && t < 20; t++) m = rng.int(this.itemCount);
      items.push(m);
      labels.push(0);
    }
    const ids = Int32Array.from(items);
    if (this.model === 'gmf' || this.model === 'two-tower') {
      const side = this.linearSide();
      const w = side.start.slice();
      if (ids.length) fitLogistic(w, side.features(ids), labels, side.bias, opts);
      return { kind: 'linear', w };
    }
    return { kind: 'rows', rows: this.foldInRows(ids, labels, opts) };
  }

  /**
   * The user side of a linear variant, computed once per trained model: it
   * is read on every scoring of a folded-in user (GMF's mean user row alone
   * walks the whole user table).
   */
  private linearSide(): LinearSide {
    this.side ??= this.model === 'gmf' ? this.gmfSide() : this.towerSide();
    return this.side;
  }

  private gmfSide(): LinearSide {
    const q = this.tables.itemGmf!;
    const h = this.dense.view(0);
    return {
      start: meanRow(this.tables.userGmf!),
      bias: this.dense.view(1)[0]!,
      features: (items) => {
        const d = q.dim;
        const x = q.gather(items);
        for (let r = 0; r < items.length; r++) for (let k = 0; k < d; k++) x[r * d + k]! *= h[k]!;
        return x;
      },
    };
  }

  private towerSide(): LinearSide {
    const { users, items: z, dim } = this.towers();
    return {
      start: users,
      bias: this.dense.view(4 * TOWER.length)[0]!,
      features: (items) => {
        const x = new Float32Array(items.length * dim);
        items.forEach((m, r) => x.set(z.subarray(m * dim, (m + 1) * dim), r * dim));
        return x;
      },
    };
  }

  /** Two-tower: every movie's tower output, and the mean trained user's (computed once). */
  private towers(): { users: Float32Array; items: Float32Array; dim: number } {
    const layers = TOWER.length;
    const dim = TOWER.at(-1)!;
    const run = (x: Float32Array, rows: number, from: number): Float32Array =>
      tf.tidy(() => {
        let h: tf.Tensor2D = tf.tensor2d(x, [rows, this.config.mlpEmbedding]);
        for (let l = 0; l < layers; l++) {
          const [r, c] = this.dense.shapes[from + 2 * l]!;
          h = tf.add(
            tf.matMul(h, tf.tensor2d(this.dense.view(from + 2 * l), [r, c])),
            tf.tensor2d(this.dense.view(from + 2 * l + 1), [1, c]),
          );
          if (l + 1 < layers) h = tf.relu(h);
        }
        return h.dataSync() as Float32Array;
      });
    return {
      users: run(meanRow(this.tables.userMlp!), 1, 0),
      items: run(this.tables.itemMlp!.weights, this.itemCount, 2 * layers),
      dim,
    };
  }

  /** MLP and NeuMF: the user rows (one per user table) fitted by Adam through tfjs. */
  private foldInRows(ids: Int32Array, labels: number[], opts: FoldInOptions): Float32Array[] {
    const { steps = 20, learningRate = 0.05, l2 = 0.01 } = opts;
    const net = this.network();
    const users = net.lookups.filter((l) => l.by === 'user');
    const start = users.map((l) => meanRow(l.table));
    const B = ids.length;
    if (B === 0) return start;
    const vars = start.map((r, j) =>
      tf.tidy(() => tf.variable(tf.tensor2d(r, [1, users[j]!.table.dim]))),
    );
    // Plain tensor creations (no intermediates to tidy), disposed in `finally`.
    const fixed = {
      items: net.lookups.map((l) =>
        l.by === 'item' ? tf.tensor2d(l.table.gather(ids), [B, l.table.dim]) : null,
      ),
      dense: this.dense.shapes.map(([r, c], j) => tf.tensor2d(this.dense.view(j), [r, c])),
      labels: tf.tensor1d(labels),
      start: start.map((r) => tf.tensor2d(r, [1, r.length])),
    };
    const optimizer = tf.train.adam(learningRate);
    try {
      for (let s = 0; s < steps; s++) {
        optimizer.minimize(
          () => {
            let u = 0;
            const rows = fixed.items.map((t) => t ?? tf.tile(vars[u++]!, [B, 1]));
            const logits = net.logits(rows as tf.Tensor2D[], fixed.dense as tf.Tensor2D[]);
            const reg = tf.addN(vars.map((v, j) => tf.sum(tf.square(tf.sub(v, fixed.start[j]!)))));
            return tf.add(tf.losses.sigmoidCrossEntropy(fixed.labels, logits), tf.mul(l2, reg));
          },
          false,
          vars,
        );
      }
      return vars.map((v) => v.dataSync() as Float32Array);
    } finally {
      optimizer.dispose();
      tf.dispose([...vars, ...fixed.dense, fixed.labels, ...fixed.start]);
      tf.dispose(fixed.items.filter((t): t is tf.Tensor2D => t !== null));
    }
  }

  /** Logits of `items` for a folded-in user. */
  scoreFolded(user: FoldedUser, items: Int32Array, out: Float32Array): void {
    const B = items.length;
    if (B === 0) return;
    if (user.kind === 'linear') {
      const side = this.linearSide();
      const x = side.features(items);
      const d = user.w.length;
      for (let r = 0; r < B; r++) {
        let z = side.bias;
        for (let k = 0; k < d; k++) z += user.w[k]! * x[r * d + k]!;
        out[r] = z;
      }
      return;
    }
    const net = this.network();
    tf.tidy(() => {
      let u = 0;
      const rows = net.lookups.map((l) =>
        l.by === 'item'
          ? tf.tensor2d(l.table.gather(items), [B, l.table.dim])
          : tf.tile(tf.tensor2d(user.rows[u++]!, [1, l.table.dim]), [B, 1]),
      );
      const dense = this.dense.shapes.map(([r, c], j) => tf.tensor2d(this.dense.view(j), [r, c]));
      out.set(net.logits(rows as tf.Tensor2D[], dense).dataSync());
    });
  }

  save(): SavedModel {
    const arrays: SavedModel['arrays'] = {};
    for (const [name, t] of Object.entries(this.tables)) arrays[name] = t.weights;
    this.dense.shapes.forEach((_, j) => (arrays[`dense${j}`] = this.dense.view(j).slice()));
    return {
      model: this.model,
      config: this.config,
      userCount: this.userCount,
      itemCount: this.itemCount,
      arrays,
    };
  }

  /**
   * Training samples per second of NeuMF steps (batch 256, random rows of a
   * 1,000 × 5,000 table) on the active tfjs backend: the probe that picks a
   * backend. Runs for about `ms` after two warm-up steps.
   */
  static measureSpeed(ms = 1500): number {
    const m = new NeuralCf('neumf');
    m.build(1000, 5000);
    const trainer = new SparseTrainer(tf, m.network(), m.config);
    const rng = new Random(1, 0x505242);
    const b = m.config.batchSize;
    const users = new Int32Array(b);
    const items = new Int32Array(b);
    const labels = new Float32Array(b);
    const step = (): void => {
      for (let j = 0; j < b; j++) {
        users[j] = rng.int(1000);
        items[j] = rng.int(5000);
        labels[j] = j % 5 === 0 ? 1 : 0;
      }
      trainer.trainBatch(users, items, labels);
    };
    step();
    step();
    const t0 = performance.now();
    let n = 0;
    while (n < 3 || performance.now() - t0 < ms) {
      step();
      n++;
    }
    return (n * b * 1000) / (performance.now() - t0);
  }

  /**
   * The GMF/MLP/NeuMF kernel's speed: one epoch of NeuMF (default shape,
   * 4 negatives per positive) over random interactions of 1,000 users with
   * 60 of 5,000 movies each, on `threads` threads where a pool is given.
   */
  static async measureKernel(
    opts: Pick<FitOptions, 'pool' | 'threads'> = {},
  ): Promise<{ samplesPerSecond: number; engine: NcfEngine; threads: number }> {
    const users = 1000;
    const per = 60;
    const rng = new Random(1, 0x4b524e);
    const items = new Int32Array(users * per);
    for (let i = 0; i < items.length; i++) items[i] = rng.int(5000);
    const data: InteractionData = {
      userCount: users,
      itemCount: 5000,
      train: { offsets: Int32Array.from({ length: users + 1 }, (_, u) => u * per), items },
      trainRatings: new Uint8Array(items.length).fill(8),
      trainTimes: new Uint32Array(items.length),
      catalogue: new Uint8Array(5000).fill(1),
    };
    const m = new NeuralCf('neumf', { epochs: 1, validate: 0 });
    m.build(users, 5000);
    const trainer = m.ncfTrainer(m.config);
    const [r] = await trainer.fit(data, opts);
    return {
      samplesPerSecond: r!.samples / r!.seconds,
      engine: trainer.engine,
      threads: trainer.threads,
    };
  }

  static load(s: SavedModel): NeuralCf {
    const m = new NeuralCf(s.model as NcfVariant, s.config as NcfConfig, true);
    m.build(s.userCount, s.itemCount, s.arrays);
    return m;
  }
}
