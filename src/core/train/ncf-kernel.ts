/**
 * One training step of the NCF family (GMF, MLP and NeuMF; He et al. 2017)
 * written out in plain JS: forward, binary cross-entropy, backward, lazy Adam
 * on the embedding rows a batch touched and Adam on the dense weights, with
 * no tfjs op at all. The network is small (NeuMF's default tower is
 * 64 → 32 → 16 → 8), so a step through tfjs was mostly the cost of its ~60
 * ops, not of the arithmetic; here a sample costs its multiply-adds.
 *
 * The arithmetic is the sparse trainer's (sparse-trainer.ts, with
 * neural-cf.ts's network), to float rounding: same loss, same gradients, same
 * Adam (TensorFlow's, ε added to √v, bias correction by the global step), the
 * same L2 on touched rows.
 *
 * The arrays it trains may live in shared memory: several threads, each with
 * its own kernel (its own scratch), then train the same weights at once
 * (Hogwild; ncf-team.ts).
 */
import type { AdamSettings } from './embedding-table.ts';

/** Which parts of the network a variant has. */
export interface NcfShape {
  /** GMF factors; 0 when the variant has no GMF part (MLP). */
  factors: number;
  /** The MLP tower's widths, input (2 × embedding) first; empty when there is no tower (GMF). */
  tower: number[];
}

/** Weights and Adam moments of one array. */
export interface AdamArrays {
  w: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/**
 * The arrays a kernel trains: tables in the network's lookup order (user GMF,
 * item GMF where there is a GMF part; user MLP, item MLP where there is a
 * tower), and the dense weights as DenseParams lays them out (each tower
 * layer's W then b, then the output layer's W then b).
 */
export interface NcfArrays {
  tables: AdamArrays[];
  dense: AdamArrays;
}

/** One table's scratch for summing a batch's gradients per distinct row. */
interface RowSums {
  dim: number;
  /** Row → its slot in `sum`, −1 when the batch has not touched it. */
  slot: Int32Array;
  touched: Int32Array;
  count: number;
  sum: Float64Array;
}

export class NcfKernel {
  private readonly F: number;
  private readonly E: number;
  private readonly sizes: number[];
  /** Where each tower layer's W and b start in the dense array, and the output layer's. */
  private readonly wAt: number[] = [];
  private readonly bAt: number[] = [];
  private readonly outW: number;
  private readonly outB: number;
  /** Activations per tower layer (layer 0: the concatenated embeddings), and their gradients. */
  private readonly h: Float64Array[];
  private readonly dh: Float64Array[];
  private readonly joined: Float64Array;
  private readonly dJoined: Float64Array;
  private readonly denseGrad: Float64Array;
  private readonly rows: RowSums[];

  constructor(
    shape: NcfShape,
    private readonly a: NcfArrays,
    /** Rows of each table (users or items), for the slot maps. */
    tableRows: number[],
    batchSize: number,
  ) {
    this.F = shape.factors;
    this.sizes = shape.tower;
    this.E = shape.tower.length ? shape.tower[0]! / 2 : 0;
    let at = 0;
    for (let l = 1; l < this.sizes.length; l++) {
      this.wAt.push(at);
      at += this.sizes[l - 1]! * this.sizes[l]!;
      this.bAt.push(at);
      at += this.sizes[l]!;
    }
    const width = this.F + (this.sizes.length ? this.sizes.at(-1)! : 0);
    this.outW = at;
    this.outB = at + width;
    if (a.dense.w.length !== this.outB + 1)
      throw new RangeError(`NcfKernel: ${a.dense.w.length} dense weights for ${this.outB + 1}`);
    this.h = this.sizes.map((n) => new Float64Array(n));
    this.dh = this.sizes.map((n) => new Float64Array(n));
    this.joined = new Float64Array(width);
    this.dJoined = new Float64Array(width);
    this.denseGrad = new Float64Array(a.dense.w.length);
    this.rows = a.tables.map((t, j) => {
      const dim = t.w.length / tableRows[j]!;
      return {
        dim,
        slot: new Int32Array(tableRows[j]!).fill(-1),
        touched: new Int32Array(batchSize),
        count: 0,
        sum: new Float64Array(batchSize * dim),
      };
    });
  }

  /** The slot of `row` in table j's sums for this batch (zeroed when new). */
  private slotOf(r: RowSums, row: number): number {
    let k = r.slot[row]!;
    if (k < 0) {
      k = r.count++;
      r.slot[row] = k;
      r.touched[k] = row;
      r.sum.fill(0, k * r.dim, (k + 1) * r.dim);
    }
    return k * r.dim;
  }

  /**
   * One mini-batch of (user, item, label) samples `from`…`to` of the arrays;
   * `step` is the global Adam step, from 1. Returns the batch's mean loss.
   */
  trainBatch(
    users: Int32Array,
    items: Int32Array,
    labels: Float32Array,
    from: number,
    to: number,
    step: number,
    adam: AdamSettings,
  ): number {
    const { F, E, sizes, h, dh, joined, dJoined, denseGrad } = this;
    const L = sizes.length - 1;
    const W = this.a.dense.w;
    const tables = this.a.tables;
    const n = to - from;
    const mlp = F ? 2 : 0;
    denseGrad.fill(0);
    for (const r of this.rows) r.count = 0;
    let loss = 0;
    for (let s = from; s < to; s++) {
      const u = users[s]!;
      const it = items[s]!;
      // Forward: the GMF product, the tower, the output layer.
      if (F) {
        const ug = tables[0]!.w;
        const ig = tables[1]!.w;
        for (let k = 0; k < F; k++) joined[k] = ug[u * F + k]! * ig[it * F + k]!;
      }
      if (L > 0) {
        const um = tables[mlp]!.w;
        const im = tables[mlp + 1]!.w;
        const h0 = h[0]!;
        for (let k = 0; k < E; k++) {
          h0[k] = um[u * E + k]!;
          h0[E + k] = im[it * E + k]!;
        }
        for (let l = 1; l <= L; l++) {
          const x = h[l - 1]!;
          const z = h[l]!;
          const nin = sizes[l - 1]!;
          const nout = sizes[l]!;
          const w0 = this.wAt[l - 1]!;
          const b0 = this.bAt[l - 1]!;
          for (let o = 0; o < nout; o++) z[o] = W[b0 + o]!;
          for (let i = 0; i < nin; i++) {
            const xi = x[i]!;
            if (xi === 0) continue;
            const row = w0 + i * nout;
            for (let o = 0; o < nout; o++) z[o] = z[o]! + xi * W[row + o]!;
          }
          for (let o = 0; o < nout; o++) if (z[o]! < 0) z[o] = 0;
        }
        const top = h[L]!;
        for (let k = 0; k < top.length; k++) joined[F + k] = top[k]!;
      }
      let x = W[this.outB]!;
      for (let k = 0; k < joined.length; k++) x += joined[k]! * W[this.outW + k]!;
      const y = labels[s]!;
      // log(1 + e^x) − x·y, stably; its gradient (σ(x) − y) / n.
      loss += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - x * y;
      const d = (1 / (1 + Math.exp(-x)) - y) / n;
      // Backward.
      denseGrad[this.outB]! += d;
      for (let k = 0; k < joined.length; k++) {
        denseGrad[this.outW + k]! += joined[k]! * d;
        dJoined[k] = W[this.outW + k]! * d;
      }
      if (F) {
        const ug = tables[0]!.w;
        const ig = tables[1]!.w;
        const ru = this.rows[0]!;
        const ri = this.rows[1]!;
        const su = this.slotOf(ru, u);
        const si = this.slotOf(ri, it);
        for (let k = 0; k < F; k++) {
          ru.sum[su + k]! += dJoined[k]! * ig[it * F + k]!;
          ri.sum[si + k]! += dJoined[k]! * ug[u * F + k]!;
        }
      }
      if (L > 0) {
        const top = dh[L]!;
        for (let k = 0; k < top.length; k++) top[k] = dJoined[F + k]!;
        for (let l = L; l >= 1; l--) {
          const x = h[l - 1]!;
          const z = h[l]!;
          const dz = dh[l]!;
          const dx = dh[l - 1]!;
          const nin = sizes[l - 1]!;
          const nout = sizes[l]!;
          const w0 = this.wAt[l - 1]!;
          const b0 = this.bAt[l - 1]!;
          for (let o = 0; o < nout; o++) {
            if (z[o]! <= 0) dz[o] = 0;
            denseGrad[b0 + o]! += dz[o]!;
          }
          for (let i = 0; i < nin; i++) {
            const xi = x[i]!;
            const row = w0 + i * nout;
            let g = 0;
            for (let o = 0; o < nout; o++) {
              const dzo = dz[o]!;
              g += W[row + o]! * dzo;
              denseGrad[row + o]! += xi * dzo;
            }
            dx[i] = g;
          }
        }
        const d0 = dh[0]!;
        const ru = this.rows[mlp]!;
        const ri = this.rows[mlp + 1]!;
        const su = this.slotOf(ru, u);
        const si = this.slotOf(ri, it);
        for (let k = 0; k < E; k++) {
          ru.sum[su + k]! += d0[k]!;
          ri.sum[si + k]! += d0[E + k]!;
        }
      }
    }
    this.apply(step, adam);
    return loss / n;
  }

  /** Adam on every dense weight, lazy Adam (with L2) on each touched row; clears the slot maps. */
  private apply(step: number, s: AdamSettings): void {
    const { learningRate, beta1, beta2, epsilon, l2 } = s;
    const lr = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    const c1 = 1 - beta1;
    const c2 = 1 - beta2;
    const { w, m, v } = this.a.dense;
    const g = this.denseGrad;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      const mi = (m[i] = beta1 * m[i]! + c1 * gi);
      const vi = (v[i] = beta2 * v[i]! + c2 * gi * gi);
      w[i] = w[i]! - (lr * mi) / (Math.sqrt(vi) + epsilon);
    }
    this.rows.forEach((r, j) => {
      const t = this.a.tables[j]!;
      const d = r.dim;
      for (let k = 0; k < r.count; k++) {
        const row = r.touched[k]!;
        r.slot[row] = -1;
        const base = row * d;
        for (let c = 0; c < d; c++) {
          const at = base + c;
          const gc = r.sum[k * d + c]! + l2 * t.w[at]!;
          const mc = (t.m[at] = beta1 * t.m[at]! + c1 * gc);
          const vc = (t.v[at] = beta2 * t.v[at]! + c2 * gc * gc);
          t.w[at] = t.w[at]! - (lr * mc) / (Math.sqrt(vc) + epsilon);
        }
      }
    });
  }
}
