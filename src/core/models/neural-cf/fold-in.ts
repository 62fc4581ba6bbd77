/**
 * Fold-in: a user for someone a trained NeuralCF never saw, from the movies
 * they liked, every trained weight frozen. The liked movies are positives and
 * `negatives` sampled movies each are negatives; the fit is binary
 * cross-entropy plus L2 towards the mean trained user.
 *
 * A variant whose logit is linear in its user side (GMF, two-tower) folds in
 * as a small logistic regression in plain JS, a few ms; the others (MLP,
 * NeuMF) have their user rows fitted through tfjs' autodiff, a few hundred
 * ms (the "quick fine-tune").
 */
import * as tf from '@tensorflow/tfjs';
import { Random } from '../../random.ts';
import type { EmbeddingTable } from '../../train/embedding-table.ts';
import type { SparseNetwork } from '../../train/sparse-trainer.ts';
import { denseTensors } from '../dense-layers.ts';

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

/** A linear variant's user side: where users start, each movie's features, the bias. */
export interface LinearSide {
  start: Float32Array;
  bias: number;
  features: (items: Int32Array) => Float32Array;
}

/** The mean row of a table. */
export function meanRow(t: EmbeddingTable): Float32Array {
  const out = new Float64Array(t.dim);
  for (let r = 0; r < t.rows; r++)
    for (let k = 0; k < t.dim; k++) out[k]! += t.weights[r * t.dim + k]!;
  return Float32Array.from(out, (x) => x / Math.max(1, t.rows));
}

/** The fold-in's samples: the liked movies (label 1), then `negatives` sampled movies each (0). */
export function foldInSamples(
  liked: ArrayLike<number>,
  itemCount: number,
  opts: FoldInOptions,
): { ids: Int32Array; labels: number[] } {
  const { negatives = 4, seed = 1 } = opts;
  const rng = new Random(seed, 0x464f4c44);
  const pos = new Set(Array.from(liked));
  const items: number[] = [...pos];
  const labels: number[] = items.map(() => 1);
  for (let n = 0; n < pos.size * negatives; n++) {
    let m = rng.int(itemCount);
    for (let t = 0; pos.has(m) && t < 20; t++) m = rng.int(itemCount);
    items.push(m);
    labels.push(0);
  }
  return { ids: Int32Array.from(items), labels };
}

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

/** A linear variant's fold-in: its user side's weights, fitted from its start. */
export function foldInLinear(
  side: LinearSide,
  ids: Int32Array,
  labels: readonly number[],
  opts: FoldInOptions,
): Float32Array {
  const w = side.start.slice();
  if (ids.length) fitLogistic(w, side.features(ids), labels, side.bias, opts);
  return w;
}

/** The MLP's and NeuMF's fold-in: the user rows (one per user table) fitted by Adam through tfjs. */
export function foldInRows(
  net: SparseNetwork,
  ids: Int32Array,
  labels: number[],
  opts: FoldInOptions,
): Float32Array[] {
  const { steps = 20, learningRate = 0.05, l2 = 0.01 } = opts;
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
    dense: denseTensors(net.dense),
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
          const logits = net.logits(rows as tf.Tensor2D[], fixed.dense);
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

/** Logits of `items` for a folded-in user (`out[j]` for `items[j]`). */
export function scoreFolded(
  user: FoldedUser,
  side: () => LinearSide,
  net: SparseNetwork,
  items: Int32Array,
  out: Float32Array,
): void {
  const B = items.length;
  if (B === 0) return;
  if (user.kind === 'linear') {
    const { features, bias } = side();
    const x = features(items);
    const d = user.w.length;
    for (let r = 0; r < B; r++) {
      let z = bias;
      for (let k = 0; k < d; k++) z += user.w[k]! * x[r * d + k]!;
      out[r] = z;
    }
    return;
  }
  tf.tidy(() => {
    let u = 0;
    const rows = net.lookups.map((l) =>
      l.by === 'item'
        ? tf.tensor2d(l.table.gather(items), [B, l.table.dim])
        : tf.tile(tf.tensor2d(user.rows[u++]!, [1, l.table.dim]), [B, 1]),
    );
    out.set(net.logits(rows as tf.Tensor2D[], denseTensors(net.dense)).dataSync());
  });
}
