/**
 * An embedding table that lives in a typed array, outside tfjs, and is
 * trained with sparse ("lazy") Adam: a step gathers the rows a batch touches,
 * the model's tfjs graph returns the gradient of those gathered rows, and only
 * those rows (and their Adam moments) are updated. The cost of a step is
 * proportional to the rows it touches, never to the table's size — the answer
 * to tfjs' dense `unsortedSegmentSum` gradient (missing on wasm, vocab × dim
 * on webgl/webgpu) and to WebGL's 16,384 texture limit, since the table is
 * never a texture.
 *
 * Lazy Adam as TensorFlow Addons' LazyAdam: moments of untouched rows do not
 * decay; bias correction uses the global step.
 */
import { Random } from '../random.ts';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2 penalty on the touched rows, added to their gradient. */
  l2: number;
}

export const ADAM_DEFAULTS: AdamSettings = {
  learningRate: 0.001,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  l2: 0,
};

/** Glorot-uniform weights (rows × cols), seeded: the dense layers' starting point. */
export function glorot(rng: Random, rows: number, cols: number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => rng.uniform(-limit, limit));
}

/** A dense weight's usual start: a bias (one row) at 0, any other weight Glorot-uniform. */
export function layerStart(rng: Random, rows: number, cols: number): Float32Array {
  return rows === 1 ? new Float32Array(cols) : glorot(rng, rows, cols);
}

/** How DenseParams starts its weight j of rows × cols. */
export type DenseInit = (j: number, rows: number, cols: number) => Float32Array;

export class EmbeddingTable {
  readonly rows: number;
  readonly dim: number;
  readonly weights: Float32Array;
  /** Adam's first and second moments, one per weight. */
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Scratch: summed gradient per distinct touched row, and the row list. */
  private readonly slot: Int32Array;
  private sum = new Float32Array(0);
  private touched = new Int32Array(0);

  /** Rows start as N(0, initStd²), seeded. */
  constructor(
    rows: number,
    dim: number,
    opts: { seed?: number; initStd?: number; weights?: Float32Array } = {},
  ) {
    this.rows = rows;
    this.dim = dim;
    if (opts.weights) {
      if (opts.weights.length !== rows * dim)
        throw new RangeError(`EmbeddingTable: ${opts.weights.length} weights for ${rows} × ${dim}`);
      this.weights = opts.weights;
    } else {
      this.weights = new Float32Array(rows * dim);
      const rng = new Random(opts.seed ?? 1, 0x454d42);
      const std = opts.initStd ?? 0.01;
      for (let i = 0; i < this.weights.length; i++) this.weights[i] = rng.normal() * std;
    }
    this.m = new Float32Array(rows * dim);
    this.v = new Float32Array(rows * dim);
    this.slot = new Int32Array(rows).fill(-1);
  }

  /** Copies the rows `idx` into `out` (idx.length × dim). */
  gather(
    idx: Int32Array,
    out: Float32Array = new Float32Array(idx.length * this.dim),
  ): Float32Array {
    const d = this.dim;
    const w = this.weights;
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]! * d;
      out.set(w.subarray(r, r + d), i * d);
    }
    return out;
  }

  /**
   * One lazy-Adam step on the rows `idx`, whose gradients are the rows of
   * `grad` (idx.length × dim). Repeated indices have their gradients summed
   * first, as a dense gradient would. `step` is the global step, from 1.
   */
  applyAdam(idx: Int32Array, grad: Float32Array, step: number, s: AdamSettings): void {
    const d = this.dim;
    if (this.sum.length < idx.length * d) {
      this.sum = new Float32Array(idx.length * d);
      this.touched = new Int32Array(idx.length);
    }
    let n = 0;
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      let k = this.slot[r]!;
      if (k < 0) {
        k = n++;
        this.slot[r] = k;
        this.touched[k] = r;
        this.sum.fill(0, k * d, k * d + d);
      }
      const g = i * d;
      const o = k * d;
      for (let j = 0; j < d; j++) this.sum[o + j]! += grad[g + j]!;
    }
    const { learningRate, beta1, beta2, epsilon, l2 } = s;
    const lr = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    const w = this.weights;
    const m = this.m;
    const v = this.v;
    for (let k = 0; k < n; k++) {
      const r = this.touched[k]!;
      this.slot[r] = -1;
      const base = r * d;
      for (let j = 0; j < d; j++) {
        const at = base + j;
        const g = this.sum[k * d + j]! + l2 * w[at]!;
        const mj = (m[at] = beta1 * m[at]! + (1 - beta1) * g);
        const vj = (v[at] = beta2 * v[at]! + (1 - beta2) * g * g);
        w[at]! -= (lr * mj) / (Math.sqrt(vj) + epsilon);
      }
    }
  }
}

/**
 * The dense weights of a network, kept in one typed array with their Adam
 * moments and updated in plain JS: a step uploads them as small tensors and
 * downloads their gradients, which costs less than tfjs' optimizer running
 * ten ops per variable per step.
 */
export class DenseParams {
  readonly shapes: [number, number][];
  readonly offsets: number[];
  readonly weights: Float32Array;
  /** Adam's first and second moments, one per weight. */
  readonly m: Float32Array;
  readonly v: Float32Array;

  constructor(shapes: [number, number][], init: DenseInit) {
    this.shapes = shapes;
    this.offsets = [0];
    for (const [r, c] of shapes) this.offsets.push(this.offsets.at(-1)! + r * c);
    this.weights = new Float32Array(this.offsets.at(-1)!);
    shapes.forEach(([r, c], j) => {
      const w = init(j, r, c);
      if (w.length !== r * c)
        throw new RangeError(`DenseParams: weight ${j} has ${w.length} values for ${r} × ${c}`);
      this.weights.set(w, this.offsets[j]!);
    });
    this.m = new Float32Array(this.weights.length);
    this.v = new Float32Array(this.weights.length);
  }

  /** The weights of parameter j (a view). */
  view(j: number): Float32Array {
    return this.weights.subarray(this.offsets[j]!, this.offsets[j + 1]!);
  }

  /** Every weight as a model saves it: `dense0`, `dense1`, … (copies). */
  toArrays(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    this.shapes.forEach((_, j) => (out[`dense${j}`] = this.view(j).slice()));
    return out;
  }

  /** `init`, except for the weights a save (`toArrays`) holds, which start as saved. */
  static orSaved(
    saved: Readonly<Record<string, Float32Array | Int32Array>> | undefined,
    init: DenseInit,
  ): DenseInit {
    return (j, r, c) => (saved?.[`dense${j}`] as Float32Array | undefined) ?? init(j, r, c);
  }

  /** One Adam step; `grads[j]` is parameter j's gradient. */
  applyAdam(grads: ArrayLike<number>[], step: number, s: AdamSettings): void {
    const { learningRate, beta1, beta2, epsilon } = s;
    const lr = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    const w = this.weights;
    const m = this.m;
    const v = this.v;
    grads.forEach((g, j) => {
      const base = this.offsets[j]!;
      for (let i = 0; i < g.length; i++) {
        const at = base + i;
        const gi = g[i]!;
        const mi = (m[at] = beta1 * m[at]! + (1 - beta1) * gi);
        const vi = (v[at] = beta2 * v[at]! + (1 - beta2) * gi * gi);
        w[at]! -= (lr * mi) / (Math.sqrt(vi) + epsilon);
      }
    });
  }
}
