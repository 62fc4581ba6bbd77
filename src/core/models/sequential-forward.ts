/**
 * SASRec's and GRU4Rec's forward pass for one sequence in plain JS: what
 * serving runs (For You, the protocols, the attention view), so scoring
 * needs no tfjs at all. The training graph (sequential-net.ts) computes the
 * same function in tfjs; a unit test holds the two to the same numbers.
 *
 * A sequence of n ≤ maxLen movies sits at the last n positions, as training
 * left-pads its windows, so the latest movie always has the last position.
 */
import {
  denseShapes,
  LN_EPSILON,
  SASREC_BLOCK_WEIGHTS,
  type SequentialConfig,
  type SequentialKind,
} from './sequential-config.ts';

export interface SequentialWeights {
  kind: SequentialKind;
  config: Pick<SequentialConfig, 'dim' | 'maxLen' | 'blocks'>;
  /** Movie rows ((itemCount + 1) × dim; the last row is padding). */
  items: Float32Array;
  /** Dense weights in `denseShapes` order. */
  dense: Float32Array[];
}

/** Wᵀ (c × k) of W (k × c). Not cached: training updates the weights in place between scorings. */
function transpose(w: Float32Array, k: number, c: number): Float32Array {
  const t = new Float32Array(k * c);
  for (let i = 0; i < k; i++) for (let j = 0; j < c; j++) t[j * k + i] = w[i * c + j]!;
  return t;
}

/**
 * x (rows × k) · W (k × c) → rows × c, plus an optional bias row. Each output
 * is one dot product of a row of x with a row of Wᵀ, summed in a local (four
 * running sums): about twice as fast in V8 as adding into the output row.
 */
function matmul(
  x: Float32Array,
  rows: number,
  w: Float32Array,
  k: number,
  c: number,
  bias?: Float32Array,
): Float32Array {
  const wt = transpose(w, k, c);
  const out = new Float32Array(rows * c);
  const k4 = k - (k % 4);
  for (let r = 0; r < rows; r++) {
    const xr = r * k;
    for (let j = 0; j < c; j++) {
      const wj = j * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i < k4; i += 4) {
        s0 += x[xr + i]! * wt[wj + i]!;
        s1 += x[xr + i + 1]! * wt[wj + i + 1]!;
        s2 += x[xr + i + 2]! * wt[wj + i + 2]!;
        s3 += x[xr + i + 3]! * wt[wj + i + 3]!;
      }
      for (; i < k; i++) s0 += x[xr + i]! * wt[wj + i]!;
      out[r * c + j] = s0 + s1 + s2 + s3 + (bias ? bias[j]! : 0);
    }
  }
  return out;
}

function layerNorm(x: Float32Array, rows: number, d: number, g: Float32Array, b: Float32Array) {
  const out = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let j = 0; j < d; j++) mean += x[r * d + j]!;
    mean /= d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (x[r * d + j]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + LN_EPSILON);
    for (let j = 0; j < d; j++) out[r * d + j] = (x[r * d + j]! - mean) * inv * g[j]! + b[j]!;
  }
  return out;
}

/** The sequence's last `maxLen` movies. */
function lastWindow(seq: ArrayLike<number>, maxLen: number): number[] {
  const n = Math.min(seq.length, maxLen);
  const out: number[] = [];
  for (let i = seq.length - n; i < seq.length; i++) out.push(seq[i]!);
  return out;
}

/**
 * SASRec: the final hidden state of the latest position. With `attention`,
 * each block's attention weights of the latest position over the window's
 * movies (oldest first) are pushed onto it.
 */
function sasrec(w: SequentialWeights, seq: ArrayLike<number>, attention?: Float32Array[]) {
  const { dim: d, maxLen: L, blocks } = w.config;
  const items = lastWindow(seq, L);
  const n = items.length;
  const pos = w.dense[0]!;
  const scale = Math.sqrt(d);
  let x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = items[i]! * d;
    const p = (L - n + i) * d;
    for (let j = 0; j < d; j++) x[i * d + j] = w.items[row + j]! * scale + pos[p + j]!;
  }
  let rows = n;
  const s = new Float64Array(n);
  for (let b = 0; b < blocks; b++) {
    const at = 1 + b * SASREC_BLOCK_WEIGHTS;
    const W = (k: number): Float32Array => w.dense[at + k]!;
    const h = layerNorm(x, rows, d, W(0), W(1));
    const last = b === blocks - 1;
    // The last block only needs the latest position's query.
    const qFrom = last ? rows - 1 : 0;
    const q = matmul(h.subarray(qFrom * d), rows - qFrom, W(2), d, d);
    const k = matmul(h, rows, W(3), d, d);
    const v = matmul(h, rows, W(4), d, d);
    const next = new Float32Array((rows - qFrom) * d);
    for (let qi = 0; qi < rows - qFrom; qi++) {
      const i = qi + qFrom;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let t = 0; t < d; t++) dot += q[qi * d + t]! * k[j * d + t]!;
        s[j] = dot / scale;
        if (s[j]! > max) max = s[j]!;
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += s[j] = Math.exp(s[j]! - max);
      for (let j = 0; j <= i; j++) s[j]! /= sum;
      if (attention && i === rows - 1) attention.push(Float32Array.from(s.subarray(0, i + 1)));
      for (let t = 0; t < d; t++) {
        let a = 0;
        for (let j = 0; j <= i; j++) a += s[j]! * v[j * d + t]!;
        next[qi * d + t] = x[i * d + t]! + a;
      }
    }
    rows -= qFrom;
    const h2 = layerNorm(next, rows, d, W(5), W(6));
    const f1 = matmul(h2, rows, W(7), d, d, W(8));
    for (let i = 0; i < f1.length; i++) if (f1[i]! < 0) f1[i] = 0;
    const f2 = matmul(f1, rows, W(9), d, d, W(10));
    for (let i = 0; i < next.length; i++) next[i]! += f2[i]!;
    x = next;
  }
  const f = 1 + blocks * SASREC_BLOCK_WEIGHTS;
  return layerNorm(x.subarray((rows - 1) * d), 1, d, w.dense[f]!, w.dense[f + 1]!);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** GRU4Rec: the GRU's hidden state after the latest movie (PyTorch's gate layout r, z, n). */
function gru(w: SequentialWeights, seq: ArrayLike<number>): Float32Array {
  const { dim: d, maxLen: L } = w.config;
  const [Wx, Wh, bx, bh] = w.dense as [Float32Array, Float32Array, Float32Array, Float32Array];
  const h = new Float32Array(d);
  for (const m of lastWindow(seq, L)) {
    const gx = matmul(w.items.subarray(m * d, (m + 1) * d), 1, Wx, d, 3 * d, bx);
    const gh = matmul(h, 1, Wh, d, 3 * d, bh);
    for (let j = 0; j < d; j++) {
      const r = sigmoid(gx[j]! + gh[j]!);
      const z = sigmoid(gx[d + j]! + gh[d + j]!);
      const nj = Math.tanh(gx[2 * d + j]! + r * gh[2 * d + j]!);
      h[j] = (1 - z) * nj + z * h[j]!;
    }
  }
  return h;
}

/** The hidden state that scores the next movie (zeros for an empty sequence). */
export function encodeSequence(
  w: SequentialWeights,
  seq: ArrayLike<number>,
  attention?: Float32Array[],
): Float32Array {
  if (seq.length === 0) return new Float32Array(w.config.dim);
  return w.kind === 'sasrec' ? sasrec(w, seq, attention) : gru(w, seq);
}

/** Scores for `items` (or every movie, `out[m]`, with null): the hidden state · each movie's row. */
export function scoreFromState(
  w: SequentialWeights,
  h: Float32Array,
  items: Int32Array | null,
  out: Float32Array,
  itemCount: number,
): void {
  const d = w.config.dim;
  const n = items ? items.length : itemCount;
  for (let j = 0; j < n; j++) {
    const m = items ? items[j]! : j;
    const row = m * d;
    let s = 0;
    for (let t = 0; t < d; t++) s += h[t]! * w.items[row + t]!;
    out[j] = s;
  }
}

/** Checks that saved dense weights have the shapes the config implies. */
export function checkDense(kind: SequentialKind, w: SequentialWeights): void {
  const shapes = denseShapes(kind, w.config);
  if (shapes.length !== w.dense.length)
    throw new RangeError(`${kind}: ${w.dense.length} dense weights, expected ${shapes.length}`);
  shapes.forEach(({ name, shape: [r, c] }, j) => {
    if (w.dense[j]!.length !== r * c)
      throw new RangeError(`${kind}: ${name} has ${w.dense[j]!.length} values, expected ${r * c}`);
  });
}
