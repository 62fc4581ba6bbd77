/**
 * SASRec's and GRU4Rec's training graph in tfjs, over a batch of B windows
 * of L positions laid out batch-major as B·L rows. The movie rows arrive
 * already gathered from the typed-array table (see train/sequence-trainer.ts);
 * this file only holds the network between them and the hidden states.
 * sequential-forward.ts computes the same function in plain JS for serving.
 */
import type * as TF from '@tensorflow/tfjs';
import { LN_EPSILON, SASREC_BLOCK_WEIGHTS, type SequentialConfig } from './sequential-config.ts';
import type { SequentialKind } from './sequential-config.ts';

type Tf = typeof TF;

export interface BatchContext {
  B: number;
  L: number;
  /** [B·L, 1]: 1 where the position holds a movie, 0 where it is padding. */
  mask: TF.Tensor2D;
  /** [B, L]: the same mask, as the attention's key mask and the GRU's step mask. */
  keyMask: Float32Array;
  /** Dropout in training (identity when evaluating). */
  drop: (x: TF.Tensor2D) => TF.Tensor2D;
  /** Self-attention of SASRec's blocks: q, k, v [B·L, d] → [B·L, d]. */
  attention: Attention;
  /** 2-D matMul (see matMulOp). */
  mm: (a: TF.Tensor2D, b: TF.Tensor2D) => TF.Tensor2D;
  /** LayerNorm over each row (see layerNorm, layerNormOp). */
  ln: (x: TF.Tensor2D, g: TF.Tensor, b: TF.Tensor) => TF.Tensor2D;
}

export type Attention = (
  q: TF.Tensor2D,
  k: TF.Tensor2D,
  v: TF.Tensor2D,
  ctx: Pick<BatchContext, 'B' | 'L' | 'keyMask'>,
) => TF.Tensor2D;

/**
 * a · b for 2-D tensors, with its gradient taken by plain (untransposed)
 * products of explicitly transposed operands: tfjs' wasm matMul runs
 * transposed operands 4–10× slower than a transpose followed by a plain
 * product (bench/sequential.ts), and the stock gradient uses them.
 */
export function matMulOp(tf: Tf): (a: TF.Tensor2D, b: TF.Tensor2D) => TF.Tensor2D {
  return tf.customGrad((...args) => {
    const [a, b, save] = args as [TF.Tensor2D, TF.Tensor2D, TF.GradSaveFunc];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [sa, sb] = saved as [TF.Tensor2D, TF.Tensor2D];
        return [
          tf.matMul(dy as TF.Tensor2D, tf.transpose(sb)),
          tf.matMul(tf.transpose(sa), dy as TF.Tensor2D),
        ];
      },
    };
  }) as (a: TF.Tensor2D, b: TF.Tensor2D) => TF.Tensor2D;
}

/** LayerNorm over each row, in tfjs ops (autodiff's gradient): the reference. */
export function layerNorm(tf: Tf, x: TF.Tensor2D, g: TF.Tensor, b: TF.Tensor): TF.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LN_EPSILON))), g), b);
}

/**
 * LayerNorm as one op computed in plain JS, forward and backward, for the
 * backends whose tensors live in CPU memory (wasm, cpu): about forty tfjs ops
 * per LayerNorm (moments, broadcasts, their gradients) become two loops.
 */
export function layerNormOp(tf: Tf): (x: TF.Tensor2D, g: TF.Tensor, b: TF.Tensor) => TF.Tensor2D {
  const op = tf.customGrad((...args) => {
    const [tx, tg, tb] = args as [TF.Tensor2D, TF.Tensor, TF.Tensor];
    const [n, d] = tx.shape;
    const x = tx.dataSync() as Float32Array;
    const g = tg.dataSync() as Float32Array;
    const b = tb.dataSync() as Float32Array;
    const xhat = new Float32Array(n * d);
    const inv = new Float32Array(n);
    const y = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const o = r * d;
      let mean = 0;
      for (let j = 0; j < d; j++) mean += x[o + j]!;
      mean /= d;
      let v = 0;
      for (let j = 0; j < d; j++) v += (x[o + j]! - mean) ** 2;
      const s = 1 / Math.sqrt(v / d + LN_EPSILON);
      inv[r] = s;
      for (let j = 0; j < d; j++) {
        const h = (x[o + j]! - mean) * s;
        xhat[o + j] = h;
        y[o + j] = h * g[j]! + b[j]!;
      }
    }
    return {
      value: tf.tensor2d(y, [n, d]),
      gradFunc: (dyT: TF.Tensor) => {
        const dy = dyT.dataSync() as Float32Array;
        const dx = new Float32Array(n * d);
        const dg = new Float32Array(d);
        const db = new Float32Array(d);
        for (let r = 0; r < n; r++) {
          const o = r * d;
          let m1 = 0;
          let m2 = 0;
          for (let j = 0; j < d; j++) {
            const gy = dy[o + j]!;
            dg[j]! += gy * xhat[o + j]!;
            db[j]! += gy;
            const dh = gy * g[j]!;
            m1 += dh;
            m2 += dh * xhat[o + j]!;
          }
          m1 /= d;
          m2 /= d;
          const s = inv[r]!;
          for (let j = 0; j < d; j++) dx[o + j] = s * (dy[o + j]! * g[j]! - m1 - xhat[o + j]! * m2);
        }
        return [tf.tensor2d(dx, [n, d]), tf.tensor(dg, tg.shape), tf.tensor(db, tb.shape)];
      },
    };
  });
  return (x, g, b) => op(x, g, b) as TF.Tensor2D;
}

/**
 * Causal self-attention by tfjs' batched matMul, with the mask as an additive
 * bias (−1e9 on future and padding keys). The reference that the faster
 * attention ops are held to.
 */
export function batchedAttention(tf: Tf): Attention {
  return (q, k, v, { B, L, keyMask }) => {
    const d = q.shape[1];
    const bias = new Float32Array(B * L * L);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < L; i++)
        for (let j = 0; j < L; j++)
          bias[(b * L + i) * L + j] = j <= i && keyMask[b * L + j] ? 0 : -1e9;
    const s = tf.add(
      tf.mul(tf.matMul(q.reshape([B, L, d]), k.reshape([B, L, d]), false, true), 1 / Math.sqrt(d)),
      tf.tensor3d(bias, [B, L, L]),
    );
    return tf.matMul(tf.softmax(s), v.reshape([B, L, d])).reshape([B * L, d]);
  };
}

/** Hidden states [B·L, d] of every position, from the gathered movie rows [B·L, d]. */
export function encodeBatch(
  tf: Tf,
  kind: SequentialKind,
  config: Pick<SequentialConfig, 'dim' | 'blocks'>,
  rows: TF.Tensor2D,
  dense: TF.Tensor[],
  ctx: BatchContext,
): TF.Tensor2D {
  return kind === 'sasrec'
    ? sasrec(tf, config, rows, dense, ctx)
    : gru(tf, config.dim, rows, dense, ctx);
}

function sasrec(
  tf: Tf,
  config: Pick<SequentialConfig, 'dim' | 'blocks'>,
  rows: TF.Tensor2D,
  dense: TF.Tensor[],
  ctx: BatchContext,
): TF.Tensor2D {
  const { B, L, mask, drop } = ctx;
  const d = config.dim;
  const scaled = tf.mul(rows, Math.sqrt(d)).reshape([B, L, d]);
  let x: TF.Tensor2D = tf.mul(tf.add(scaled, dense[0]!).reshape([B * L, d]), mask);
  x = drop(x);
  for (let b = 0; b < config.blocks; b++) {
    const at = 1 + b * SASREC_BLOCK_WEIGHTS;
    const W = (k: number): TF.Tensor2D => dense[at + k] as TF.Tensor2D;
    const h = ctx.ln(x, W(0), W(1));
    const a = ctx.attention(ctx.mm(h, W(2)), ctx.mm(h, W(3)), ctx.mm(h, W(4)), ctx);
    x = tf.add(x, drop(a));
    const h2 = ctx.ln(x, W(5), W(6));
    const f1: TF.Tensor2D = tf.relu(tf.add(ctx.mm(h2, W(7)), W(8)));
    const f: TF.Tensor2D = tf.add(ctx.mm(f1, W(9)), W(10));
    x = tf.mul(tf.add(x, drop(f)), mask);
  }
  const f = 1 + config.blocks * SASREC_BLOCK_WEIGHTS;
  return ctx.ln(x, dense[f]!, dense[f + 1]!);
}

function gru(
  tf: Tf,
  d: number,
  rows: TF.Tensor2D,
  dense: TF.Tensor[],
  ctx: BatchContext,
): TF.Tensor2D {
  const { B, L, keyMask, drop } = ctx;
  const [Wx, Wh, bx, bh] = dense as [TF.Tensor2D, TF.Tensor2D, TF.Tensor2D, TF.Tensor2D];
  const gx = tf.add(ctx.mm(drop(rows), Wx), bx).reshape([B, L, 3 * d]);
  let h: TF.Tensor2D = tf.zeros([B, d]);
  const outs: TF.Tensor2D[] = [];
  const step = new Float32Array(B);
  for (let t = 0; t < L; t++) {
    const x = tf.slice(gx, [0, t, 0], [B, 1, 3 * d]).reshape([B, 3 * d]);
    const [xr, xz, xn] = tf.split(x, 3, 1) as TF.Tensor2D[];
    const [hr, hz, hn] = tf.split(tf.add(ctx.mm(h, Wh), bh), 3, 1) as TF.Tensor2D[];
    const r = tf.sigmoid(tf.add(xr!, hr!));
    const z = tf.sigmoid(tf.add(xz!, hz!));
    const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
    const next = tf.add(n, tf.mul(z, tf.sub(h, n)));
    // Left padding: the state stays zero until the window's first movie.
    for (let b = 0; b < B; b++) step[b] = keyMask[b * L + t]!;
    const m = tf.tensor2d(step, [B, 1]);
    h = tf.add(h, tf.mul(m, tf.sub(next, h)));
    outs.push(h);
  }
  return tf.stack(outs, 1).reshape([B * L, d]);
}

/**
 * Sampled-softmax cross-entropy: per weighted position, the target's logit
 * against `negs` shared movies' logits; the weighted mean. Returns the loss
 * of (hidden states, target rows, negative rows), its gradient written out:
 * softmax − one-hot, through two plain products (no concat, no max mask).
 *
 * `hits` (one per position, may be omitted) counts the position's own target
 * among the sampled movies. Those accidental hits leave the denominator, as
 * TensorFlow's `remove_accidental_hits` does: otherwise, with 4,096 of 9,742
 * movies sampled, a third of the targets compete with copies of themselves
 * and the loss never drops below log 2 for them. Taking hits · e^pos out of
 * the sum keeps the gradients exact: the copies' softmax share flows to the
 * target's own row, and the positive's term gives it back.
 */
export function sampledSoftmaxLoss(
  tf: Tf,
  weights: TF.Tensor2D,
  weightSum: number,
  hits?: TF.Tensor2D,
): (h: TF.Tensor2D, targets: TF.Tensor2D, negs: TF.Tensor2D) => TF.Scalar {
  const c = 1 / Math.max(1, weightSum);
  return tf.customGrad((...args) => {
    const [h, t, n, save] = args as [TF.Tensor2D, TF.Tensor2D, TF.Tensor2D, TF.GradSaveFunc];
    const pos = tf.sum(tf.mul(h, t), 1, true);
    const neg = tf.matMul(h, tf.transpose(n));
    const m = tf.maximum(tf.max(neg, 1, true), pos);
    const eneg = tf.exp(tf.sub(neg, m));
    // The positive's weight in the denominator: 1 − hits (its copies among the negatives cancel).
    const own = hits ? tf.sub(1, hits) : tf.scalar(1);
    const sum = tf.add(tf.mul(own, tf.exp(tf.sub(pos, m))), tf.sum(eneg, 1, true));
    // Floor: the copies' logits come from another product and may round below the positive's.
    const lse = tf.add(m, tf.log(tf.maximum(sum, 1e-30)));
    save([h, t, n, pos, eneg, tf.exp(tf.sub(m, lse)), lse, own]);
    return {
      value: tf.mul(tf.sum(tf.mul(tf.sub(lse, pos), weights)), c) as TF.Scalar,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [sh, st, sn, sp, eneg, scale, slse, sown] = saved as TF.Tensor2D[];
        const w = tf.mul(weights, tf.mul(dy, c));
        const dpos = tf.mul(tf.sub(tf.mul(sown!, tf.exp(tf.sub(sp!, slse!))), 1), w); // [BL, 1]
        // softmax of the negatives = exp(neg − m) · exp(m − lse).
        const dneg = tf.mul(eneg!, tf.mul(scale!, w)); // [BL, N]
        return [
          tf.add(tf.mul(dpos, st!), tf.matMul(dneg, sn!)),
          tf.mul(dpos, sh!),
          tf.matMul(tf.transpose(dneg), sh!),
        ];
      },
    };
  }) as (h: TF.Tensor2D, targets: TF.Tensor2D, negs: TF.Tensor2D) => TF.Scalar;
}
