/**
 * Click-through-rate models for the sparrow-ctr protocol, over the shared
 * feature columns of ctr-data.ts: logistic regression, a factorization
 * machine (Rendle 2010), Embedding+MLP (SparrowRecSys' EmbeddingMLP),
 * Wide&Deep (Cheng et al. 2016: the linear part beside the MLP) and DeepFM
 * (Guo et al. 2017: FM and the MLP over the same embeddings), DIN (Zhou
 * et al. 2018: Embedding+MLP where the candidate movie attends over the
 * user's last liked movies instead of averaging them) and DIEN (Zhou et al.
 * 2019: those movies read in time order by a GRU, then by an attention-gated
 * GRU). Wide&Deep's linear part also has SparrowRecSys' crossed feature,
 * movie × the last liked movie, hashed into its own table.
 * They share the tables (one per id space: user, movie, genre) and differ
 * only in what they do with the field vectors. Multi-valued fields (genres,
 * last liked movies) average their values' vectors.
 *
 * Training goes through the sparse path (src/core/train): tables in typed
 * arrays with lazy Adam, tfjs for the batch's gradients.
 */
import { defaultsOf, settingsOf } from './config-check.ts';
import * as tf from '@tensorflow/tfjs';
import { WrenError } from '../errors.ts';
import { Random } from '../random.ts';
import { DenseParams, EmbeddingTable, glorot } from '../train/embedding-table.ts';
import { SparseTrainer, type SparseNetwork } from '../train/sparse-trainer.ts';
import { CTR_NETWORK, CTR_SETTINGS, type CtrConfig } from './ctr-info.ts';
import {
  ctrValidation,
  type CatField,
  type CtrRows,
  type CtrData,
  type CtrServing,
} from './ctr-data.ts';
import { logloss, rocAuc } from '../eval/metrics.ts';
import { checkAbort, type EpochLogEntry, type FitOptions, type SavedModel } from './types.ts';

export type CtrKind = 'lr' | 'fm' | 'emb-mlp' | 'wide-deep' | 'deepfm' | 'din' | 'dien';

export const CTR_KINDS: readonly CtrKind[] = [
  'lr',
  'fm',
  'emb-mlp',
  'wide-deep',
  'deepfm',
  'din',
  'dien',
];

export type { CtrConfig } from './ctr-info.ts';

export const CTR_DEFAULTS: CtrConfig = defaultsOf(CTR_SETTINGS);

const HIDDEN = CTR_NETWORK.hidden;

/** What the network's shape depends on besides the config: the split's tables, fields, numerics. */
export interface CtrLayout {
  /** Vocabulary size of each shared table (padding included). */
  tables: Record<string, number>;
  cats: Pick<CatField, 'name' | 'table' | 'vocab' | 'width'>[];
  numNames: string[];
}

/** Buckets of Wide&Deep's crossed feature. */
export const CROSS_BUCKETS = CTR_NETWORK.crossBuckets;

/**
 * The bucket of the cross of a candidate movie and the user's most recent liked movie:
 * murmur3's finalizer over movie·K + last, an integer hash, so that every run agrees. No liked
 * movie (`last === padding`) is a bucket of its own, the table's last row.
 */
export function crossBucket(movie: number, last: number, padding: number): number {
  if (last === padding) return CROSS_BUCKETS;
  let h = (Math.imul(movie, 0x9e3779b1) + last) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) % CROSS_BUCKETS;
}

/**
 * A GRU's weights, hidden size h = d: W_x [d, 3h] for the update, reset and candidate gates,
 * U [h, 2h] for the first two, U_n [h, h] for the candidate, b [1, 3h].
 */
function gruShapes(d: number): [number, number][] {
  return [
    [d, 3 * d],
    [d, 2 * d],
    [d, d],
    [1, 3 * d],
  ];
}

/**
 * One GRU step (Cho et al. 2014) from the input's projection `xw` = x·W_x + b; `gate` scales
 * the update gate (the AUGRU's attention), so a step with gate 0 keeps the state.
 */
function gruStep(
  xw: tf.Tensor2D,
  h: tf.Tensor2D,
  u: tf.Tensor2D,
  un: tf.Tensor2D,
  gate?: tf.Tensor2D,
): tf.Tensor2D {
  const [xz, xr, xn] = tf.split(xw, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const [hz, hr] = tf.split(tf.matMul(h, u), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const z = tf.sigmoid(tf.add(xz, hz));
  const r = tf.sigmoid(tf.add(xr, hr));
  const n = tf.tanh(tf.add(xn, tf.matMul(tf.mul(r, h), un)));
  // (1 − z) ⊙ h + z ⊙ n
  return tf.add(h, tf.mul(gate ? tf.mul(z, gate) : z, tf.sub(n, h)));
}

/**
 * DIN's pooling: the history's vectors `seq` [B, W, d] weighted by how well each matches the
 * candidate, through the unit [e_j, e_c, e_j − e_c, e_j ⊙ e_c] → 16 → 1; `mask` [B, W] drops
 * padding.
 */
function attentionPool(
  seq: tf.Tensor3D,
  candidate: tf.Tensor2D,
  mask: tf.Tensor2D,
  w: tf.Tensor[],
): tf.Tensor2D {
  const [B, W, d] = seq.shape;
  const cand = tf.tile(tf.expandDims(candidate, 1), [1, W, 1]);
  const unit = tf
    .concat([seq, cand, tf.sub(seq, cand), tf.mul(seq, cand)], 2)
    .reshape([B * W, 4 * d]);
  const hidden = tf.relu(tf.add(tf.matMul(unit, w[0] as tf.Tensor2D), w[1]!));
  const score = tf.add(tf.matMul(hidden, w[2] as tf.Tensor2D), w[3]!).reshape([B, W]);
  const weights = tf.mul(tf.sigmoid(score), mask);
  return tf.div(
    tf.sum(tf.mul(tf.expandDims(weights, 2), seq), 1),
    tf.add(tf.sum(mask, 1, true), 1e-6),
  ) as tf.Tensor2D;
}

/**
 * DIEN's evolved interest: a GRU reads the history oldest to newest (`seq` lists the most recent
 * first, as lastPositives does), keeping its state over padding; an AUGRU reads the GRU's states
 * with its update gate scaled by each state's attention to the candidate (h_t · W_a · e_c,
 * softmax over the valid steps, 0 on padding); the AUGRU's last state stands for the history.
 * `w`: the GRU's weights, W_a, the AUGRU's weights.
 */
function evolvedInterest(
  seq: tf.Tensor3D,
  candidate: tf.Tensor2D,
  mask: tf.Tensor2D,
  w: tf.Tensor[],
): tf.Tensor2D {
  const [B, W, d] = seq.shape;
  const [wx, u, un, b, wa, wx2, u2, un2, b2] = w as tf.Tensor2D[];
  // Oldest first from here on.
  const steps = tf.reverse(seq, 1).reshape([B * W, d]);
  const valid = tf.reverse(mask, 1);
  const at = (x: tf.Tensor2D, t: number, n: number): tf.Tensor2D =>
    tf.slice(x.reshape([B, W, n]), [0, t, 0], [B, 1, n]).reshape([B, n]);
  // Every step's input projections in one product.
  const xw = tf.add(tf.matMul(steps, wx!), b!) as tf.Tensor2D;
  let h = tf.zeros([B, d]) as tf.Tensor2D;
  const states: tf.Tensor2D[] = [];
  for (let t = 0; t < W; t++) {
    const next = gruStep(at(xw, t, 3 * d), h, u!, un!);
    h = tf.add(h, tf.mul(tf.slice(valid, [0, t], [B, 1]), tf.sub(next, h)));
    states.push(h);
  }
  const hs = tf.stack(states, 1).reshape([B * W, d]) as tf.Tensor2D;
  const score = tf.sum(
    tf.mul(tf.matMul(hs, wa!).reshape([B, W, d]), tf.expandDims(candidate, 1)),
    2,
  );
  // Padding steps score −10⁴ before the softmax, so the valid steps share all the weight, and are
  // zeroed after it, which only changes rows with no history at all: their state stays 0.
  const attention: tf.Tensor2D = tf.mul(
    tf.softmax(tf.add(score, tf.mul(tf.sub(valid, 1), 1e4))),
    valid,
  );
  const xw2 = tf.add(tf.matMul(hs, wx2!), b2!) as tf.Tensor2D;
  let g = tf.zeros([B, d]) as tf.Tensor2D;
  for (let t = 0; t < W; t++)
    g = gruStep(at(xw2, t, 3 * d), g, u2!, un2!, tf.slice(attention, [0, t], [B, 1]));
  return g;
}

export class CtrModel {
  readonly kind: CtrKind;
  readonly config: CtrConfig;
  epochLog: EpochLogEntry[] = [];
  private tableNames: string[] = [];
  private tables: EmbeddingTable[] = [];
  private dense = new DenseParams([], () => new Float32Array(0));
  /** Per field: which table, its width, and its offset in that table's batch lookups (per row). */
  private fields: { table: number; width: number; offset: number }[] = [];
  private numCount = 0;
  /** Index of the MLP's first dense weight. */
  private mlpFrom = 0;
  /** DIN and DIEN: the candidate and history fields, and the history's padding id (masked out). */
  private attend: { candidate: number; history: number; padding: number } | null = null;
  /** Index of the linear part's first dense weight (after DIN's or DIEN's history weights). */
  private linFrom = 0;
  /** Wide&Deep: the cross's table, the fields it crosses, and the history's padding id. */
  private cross: { table: number; movie: number; history: number; padding: number } | null = null;
  /** Numeric inputs per row: the numeric features, then (DIN, DIEN) the history mask. */
  private inputWidth = 0;
  private layout: CtrLayout | null = null;
  /** The split's standardization and movie-side features (null when the split had none). */
  serving: CtrServing | null = null;
  /** The id fields whose ids training replaces by padding, and how often (set by build). */
  private drops: { field: number; share: number }[] = [];
  /** While fitting: per table, the rows training has not touched (see untouchedRows). */
  private untouched: Map<number, Uint8Array> | null = null;

  constructor(kind: CtrKind, config: Partial<CtrConfig> = {}, stored = false) {
    this.kind = kind;
    this.config = settingsOf(kind, CTR_SETTINGS, config, stored);
  }

  /**
   * Parts of the network: a linear (wide) part, Wide&Deep's cross in it, FM's pairwise part, an
   * MLP (deep) part, and how the history becomes one vector.
   */
  private parts(): {
    linear: boolean;
    cross: boolean;
    pairwise: boolean;
    mlp: boolean;
    history: 'mean' | 'attention' | 'evolution';
  } {
    const k = this.kind;
    return {
      linear: k === 'lr' || k === 'fm' || k === 'wide-deep' || k === 'deepfm',
      cross: k === 'wide-deep',
      pairwise: k === 'fm' || k === 'deepfm',
      mlp: k !== 'lr' && k !== 'fm',
      history: k === 'din' ? 'attention' : k === 'dien' ? 'evolution' : 'mean',
    };
  }

  /** Table row width: a linear weight (where there is a linear part), then `dim` factors (except LR). */
  private rowDim(): number {
    const { linear } = this.parts();
    if (this.kind === 'lr') return 1;
    return (linear ? 1 : 0) + this.config.dim;
  }

  private build(layout: CtrLayout): void {
    const { seed, dim } = this.config;
    this.layout = {
      tables: { ...layout.tables },
      cats: layout.cats.map(({ name, table, vocab, width }) => ({ name, table, vocab, width })),
      numNames: [...layout.numNames],
    };
    this.tableNames = Object.keys(layout.tables);
    const d = this.rowDim();
    this.tables = this.tableNames.map(
      (name, t) =>
        new EmbeddingTable(layout.tables[name]!, d, { seed: seed * 8 + t, initStd: 0.01 }),
    );
    const perTable = new Map<number, number>();
    this.fields = layout.cats.map((f) => {
      const table = this.tableNames.indexOf(f.table);
      const offset = perTable.get(table) ?? 0;
      perTable.set(table, offset + f.width);
      return { table, width: f.width, offset };
    });
    this.numCount = layout.numNames.length;
    const F = this.fields.length;
    const D = this.numCount;
    const rng = new Random(seed, 0x435452);
    const { linear, cross, pairwise, mlp, history: pooling } = this.parts();
    const names = layout.cats.map((c) => c.name);
    this.drops = [
      { field: names.indexOf('user'), share: this.config.userDropout },
      { field: names.indexOf('movie'), share: this.config.movieDropout },
    ].filter((d) => d.field >= 0 && d.share > 0);
    const movie = names.indexOf('movie');
    const history = names.indexOf('lastPositives');
    const padding = layout.cats[history]!.vocab - 1;
    const shapes: [number, number][] = [];
    this.attend = null;
    this.cross = null;
    this.inputWidth = D;
    if (pooling !== 'mean') {
      this.attend = { candidate: movie, history, padding };
      this.inputWidth = D + layout.cats[history]!.width;
      // DIN's attention unit: [e_j, e_c, e_j − e_c, e_j ⊙ e_c] → 16 → 1; DIEN's GRU, W_a, AUGRU.
      const a = CTR_NETWORK.attention;
      if (pooling === 'attention') shapes.push([4 * dim, a], [1, a], [a, 1], [1, 1]);
      else shapes.push(...gruShapes(dim), [dim, dim], ...gruShapes(dim));
    }
    if (cross) {
      // Linear only: one weight per bucket, plus the padding bucket.
      this.cross = { table: this.tables.length, movie, history, padding };
      this.tables.push(
        new EmbeddingTable(CROSS_BUCKETS + 1, 1, { seed: seed * 8 + this.tables.length }),
      );
      this.tableNames.push('cross');
    }
    this.linFrom = shapes.length;
    if (linear) shapes.push([D, 1], [1, 1]);
    if (pairwise) shapes.push([D, dim]);
    this.mlpFrom = shapes.length;
    if (mlp) {
      const sizes = [F * dim + D, ...HIDDEN, 1];
      for (let i = 1; i < sizes.length; i++)
        shapes.push([sizes[i - 1]!, sizes[i]!], [1, sizes[i]!]);
    }
    this.dense = new DenseParams(shapes, (j, r, c) =>
      r === 1
        ? new Float32Array(c)
        : pairwise && j === 2
          ? glorot(rng, r, c).map((x) => x * 0.1)
          : glorot(rng, r, c),
    );
  }

  private network(): SparseNetwork {
    const kind = this.kind;
    const fields = this.fields;
    const d = this.rowDim();
    return {
      lookups: this.tables.map((table) => ({ table })),
      dense: this.dense,
      logits: (rows, dense, input) => {
        const B = input!.shape[0];
        const D = this.numCount;
        const numeric = this.attend ? (tf.slice(input!, [0, 0], [B, D]) as tf.Tensor2D) : input;
        // Per field: [B, width, d] → mean over the width → [B, d].
        const vecs = fields.map((f) => {
          const perRow = rows[f.table]!.shape[0] / B;
          const block = rows[f.table]!.reshape([B, perRow, d]);
          return tf.mean(tf.slice(block, [0, f.offset, 0], [B, f.width, d]), 1) as tf.Tensor2D;
        });
        const { linear, pairwise, mlp, history: pooling } = this.parts();
        const mlpFrom = this.mlpFrom;
        const lin = this.linFrom;
        const terms: tf.Tensor[] = [];
        const off = linear && kind !== 'lr' ? 1 : 0;
        const factors = kind === 'lr' ? [] : vecs.map((v) => tf.slice(v, [0, off], [B, d - off]));
        if (this.attend) {
          // DIN and DIEN: the history's vectors in order, read against the candidate.
          const { candidate, history } = this.attend;
          const f = fields[history]!;
          const W = f.width;
          const perRow = rows[f.table]!.shape[0] / B;
          const seq = tf.slice(
            rows[f.table]!.reshape([B, perRow, d]),
            [0, f.offset, 0],
            [B, W, d],
          ) as tf.Tensor3D;
          const mask = tf.slice(input!, [0, D], [B, W]);
          const pool = pooling === 'attention' ? attentionPool : evolvedInterest;
          factors[history] = pool(seq, factors[candidate]!, mask, dense.slice(0, lin));
        }
        if (linear) {
          const first = tf.addN(vecs.map((v) => (kind === 'lr' ? v : tf.slice(v, [0, 0], [B, 1]))));
          terms.push(first, tf.matMul(numeric!, dense[lin] as tf.Tensor2D), dense[lin + 1]!);
          // Wide&Deep's cross: its bucket's weight.
          if (this.cross) terms.push(rows[this.cross.table]!);
        }
        if (pairwise) {
          // Numeric fields as vectors: x_k · v_k.
          const numVecs = tf.mul(tf.expandDims(numeric!, 2), tf.expandDims(dense[lin + 2]!, 0)); // [B, D, dim]
          const all = tf.concat([tf.stack(factors, 1), numVecs], 1); // [B, F + D, dim]
          const sum = tf.sum(all, 1);
          terms.push(
            tf.mul(0.5, tf.sum(tf.sub(tf.square(sum), tf.sum(tf.square(all), 1)), 1, true)),
          );
        }
        if (mlp) {
          let h: tf.Tensor2D = tf.concat([...factors, numeric!], 1);
          for (let w = mlpFrom; w < dense.length; w += 2) {
            h = tf.add(tf.matMul(h, dense[w] as tf.Tensor2D), dense[w + 1]!);
            if (w + 2 < dense.length) h = tf.relu(h);
          }
          terms.push(h);
        }
        return terms.reduce((a, b) => tf.add(a, b)).reshape([-1]) as tf.Tensor1D;
      },
    };
  }

  /** The lookups of rows `order[from..to)`: per table, every field's ids, field after field. */
  private batchInputs(
    data: CtrRows,
    order: Int32Array,
    from: number,
    to: number,
    drop?: Random,
  ): { idx: Int32Array[]; nums: Float32Array; labels: Float32Array } {
    const B = to - from;
    const perRow = this.tables.map(() => 0);
    for (const f of this.fields) perRow[f.table]! += f.width;
    if (this.cross) perRow[this.cross.table] = 1;
    // Row-major per table: row s holds every field's ids at the field's offset.
    const idx = perRow.map((w) => new Int32Array(B * w));
    this.fields.forEach((f, fi) => {
      const values = data.cats[fi]!.values;
      const out = idx[f.table]!;
      const w = perRow[f.table]!;
      for (let s = 0; s < B; s++) {
        const r = order[from + s]!;
        for (let j = 0; j < f.width; j++) out[s * w + f.offset + j] = values[r * f.width + j]!;
      }
    });
    if (this.cross) this.crossBuckets(data, order, from, idx[this.cross.table]!);
    if (drop)
      for (const { field, share } of this.drops) {
        const f = this.fields[field]!;
        const w = perRow[f.table]!;
        const padding = this.layout!.cats[field]!.vocab - 1;
        const out = idx[f.table]!;
        for (let s = 0; s < B; s++) if (drop.next() < share) out[s * w + f.offset] = padding;
      }
    // Training marks the rows it touches; prediction reads untouched rows as the padding row.
    for (const [t, mask] of this.untouched ?? []) {
      const out = idx[t]!;
      if (drop) for (let k = 0; k < out.length; k++) mask[out[k]!] = 0;
      else for (let k = 0; k < out.length; k++) if (mask[out[k]!]) out[k] = mask.length - 1;
    }
    const D = this.numCount;
    const X = this.inputWidth;
    const nums = new Float32Array(B * X);
    const labels = new Float32Array(B);
    const hist = this.attend ? data.cats[this.attend.history]! : null;
    for (let s = 0; s < B; s++) {
      const r = order[from + s]!;
      nums.set(data.nums.subarray(r * D, r * D + D), s * X);
      labels[s] = data.labels[r]!;
      if (hist)
        for (let j = 0; j < hist.width; j++)
          nums[s * X + D + j] = hist.values[r * hist.width + j] === this.attend!.padding ? 0 : 1;
    }
    return { idx, nums, labels };
  }

  /** Wide&Deep's cross of rows `order[from..]` into `out`: the movie × the most recent liked movie. */
  private crossBuckets(data: CtrRows, order: Int32Array, from: number, out: Int32Array): void {
    const { movie, history, padding } = this.cross!;
    const movies = data.cats[movie]!.values;
    const hist = data.cats[history]!;
    for (let s = 0; s < out.length; s++) {
      const r = order[from + s]!;
      // lastPositives lists the most recent first.
      out[s] = crossBucket(movies[r]!, hist.values[r * hist.width]!, padding);
    }
  }

  /**
   * Per table of a field with id dropout, which rows training has not touched yet (1): all of them
   * before the first step. Untouched rows read as the padding row, which the dropout trains as an
   * unknown id (most test users of a time split are new), instead of their random start.
   */
  private untouchedRows(): Map<number, Uint8Array> {
    const out = new Map<number, Uint8Array>();
    for (const { field } of this.drops) {
      const t = this.fields[field]!.table;
      out.set(t, new Uint8Array(this.tables[t]!.rows).fill(1));
    }
    return out;
  }

  /** Copies each table's padding row into the rows training never touched, then drops the masks. */
  private bakeUntouched(): void {
    for (const [t, mask] of this.untouched ?? []) {
      const { weights, dim, rows } = this.tables[t]!;
      const pad = weights.slice((rows - 1) * dim, rows * dim);
      for (let r = 0; r < rows - 1; r++) if (mask[r]) weights.set(pad, r * dim);
    }
    this.untouched = null;
  }

  /** The model's field layout (null before fit or load). */
  get fieldLayout(): CtrLayout | null {
    return this.layout;
  }

  async fit(split: CtrData, opts: FitOptions = {}): Promise<void> {
    this.build({ tables: split.tables, cats: split.train.cats, numNames: split.numNames });
    this.serving = split.serving ?? null;
    const trainer = new SparseTrainer(tf, this.network(), {
      ...this.config,
      negatives: 0,
    });
    const { fit: data, valid } = !this.config.validate
      ? { fit: split.train, valid: null }
      : split.valid
        ? { fit: split.train, valid: split.valid }
        : ctrValidation(split.train);
    const byAuc = this.config.validMetric === 1;
    let best = Infinity;
    let bestWeights: Float32Array[] | null = null;
    let since = 0;
    const order = Int32Array.from({ length: data.rows }, (_, i) => i);
    const rng = new Random(this.config.seed, 0x4f5244);
    const drop = new Random(this.config.seed, 0x44524f);
    this.untouched = this.untouchedRows();
    const { epochs, batchSize } = this.config;
    this.epochLog = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      rng.shuffle(order);
      let sum = 0;
      let batches = 0;
      for (let b = 0; b < data.rows; b += batchSize) {
        const to = Math.min(data.rows, b + batchSize);
        const { idx, nums, labels } = this.batchInputs(data, order, b, to, drop);
        sum += trainer.trainStep(idx, labels, { values: nums, width: this.inputWidth });
        batches++;
        if (batches % 64 === 0) {
          checkAbort(opts.signal);
          opts.onProgress?.({
            stage: `epoch ${epoch + 1}/${epochs}`,
            done: epoch * data.rows + to,
            total: epochs * data.rows,
            loss: sum / batches,
          });
          await new Promise((r) => setTimeout(r, 0));
        }
      }
      const r: EpochLogEntry = {
        epoch: epoch + 1,
        loss: sum / Math.max(1, batches),
        seconds: (performance.now() - t0) / 1000,
        samples: data.rows,
      };
      let stop = false;
      if (valid && valid.rows > 0) {
        const p = this.predict(valid);
        r.valLogloss = logloss(valid.labels, p);
        r.valAuc = rocAuc(valid.labels, p);
        const score = byAuc ? -r.valAuc : r.valLogloss;
        if (score < best) {
          best = score;
          bestWeights = this.weights().map((w) => w.slice());
          since = 0;
        } else stop = ++since >= this.config.patience;
      }
      this.epochLog.push(r);
      opts.onEpoch?.(r);
      if (stop) break;
    }
    if (bestWeights) this.weights().forEach((w, j) => w.set(bestWeights![j]!));
    this.bakeUntouched();
  }

  private weights(): Float32Array[] {
    return [...this.tables.map((t) => t.weights), this.dense.weights];
  }

  /**
   * The learned arrays: one table per id space, then the dense weights; with the split's serving
   * data (`norm:mean`, `norm:sd`, `movie:nums`, `movie:genres`) where it had some. The config
   * carries the field layout (`layout`, JSON), so `CtrModel.load` can rebuild the network.
   */
  save(): SavedModel {
    const arrays: SavedModel['arrays'] = {};
    this.tableNames.forEach((name, t) => (arrays[`table:${name}`] = this.tables[t]!.weights));
    arrays.dense = this.dense.weights;
    if (this.serving) {
      arrays['norm:mean'] = this.serving.mean;
      arrays['norm:sd'] = this.serving.sd;
      arrays['movie:nums'] = this.serving.movieNums;
      arrays['movie:genres'] = this.serving.movieGenres;
    }
    return {
      model: this.kind,
      config: { ...this.config, layout: JSON.stringify(this.layout) },
      userCount: this.tables[this.tableNames.indexOf('user')]?.rows ?? 0,
      itemCount: this.tables[this.tableNames.indexOf('movie')]?.rows ?? 0,
      arrays,
    };
  }

  /**
   * A trained model back from `save()`: the same network, weights and serving data, so `predict`
   * gives the same probabilities. Throws WrenError 'invalid-data' on a save it cannot rebuild.
   */
  static load(saved: SavedModel): CtrModel {
    const bad = (why: string): WrenError =>
      new WrenError('invalid-data', `Cannot load this ${saved.model} model: ${why}.`);
    if (!CTR_KINDS.includes(saved.model as CtrKind)) throw bad('not a CTR model');
    const { layout, ...rest } = saved.config;
    if (typeof layout !== 'string') throw bad('no field layout');
    const config: Partial<CtrConfig> = {};
    for (const [k, v] of Object.entries(rest)) if (typeof v === 'number') config[k] = v;
    const m = new CtrModel(saved.model as CtrKind, config, true);
    m.build(JSON.parse(layout) as CtrLayout);
    m.tableNames.forEach((name, t) => {
      const w = saved.arrays[`table:${name}`];
      if (!(w instanceof Float32Array) || w.length !== m.tables[t]!.weights.length)
        throw bad(`table ${name} does not fit`);
      m.tables[t]!.weights.set(w);
    });
    const dense = saved.arrays.dense;
    if (!(dense instanceof Float32Array) || dense.length !== m.dense.weights.length)
      throw bad('the dense weights do not fit');
    m.dense.weights.set(dense);
    const { 'norm:mean': mean, 'norm:sd': sd } = saved.arrays;
    const { 'movie:nums': movieNums, 'movie:genres': movieGenres } = saved.arrays;
    if (
      mean instanceof Float32Array &&
      sd instanceof Float32Array &&
      movieNums instanceof Float32Array &&
      movieGenres instanceof Int32Array
    )
      m.serving = { mean, sd, movieNums, movieGenres };
    return m;
  }

  /** Predicted probabilities of a positive label for every row. */
  predict(data: CtrRows): Float32Array {
    const out = new Float32Array(data.rows);
    const order = Int32Array.from({ length: data.rows }, (_, i) => i);
    const net = this.network();
    const chunk = 4096;
    for (let b = 0; b < data.rows; b += chunk) {
      const to = Math.min(data.rows, b + chunk);
      const { idx, nums } = this.batchInputs(data, order, b, to);
      tf.tidy(() => {
        const rows = this.tables.map((t, j) =>
          tf.tensor2d(t.gather(idx[j]!), [idx[j]!.length, t.dim]),
        );
        const dense = this.dense.shapes.map(([r, c], j) => tf.tensor2d(this.dense.view(j), [r, c]));
        const logits = net.logits(rows, dense, tf.tensor2d(nums, [to - b, this.inputWidth]));
        out.set(tf.sigmoid(logits).dataSync(), b);
      });
    }
    return out;
  }
}
