/**
 * DIEN (Zhou et al. 2019): Embedding+MLP where the user's last liked movies
 * are read in time order by a GRU, then by an attention-gated GRU (AUGRU)
 * whose last state stands for them.
 */
import * as tf from '@tensorflow/tfjs';
import { mlpPart, type CtrHistory, type CtrStructure, type CtrWeight } from './network.ts';

/**
 * A GRU's weights, hidden size h = d: W_x [d, 3h] for the update, reset and candidate gates,
 * U [h, 2h] for the first two, U_n [h, h] for the candidate, b [1, 3h].
 */
function gruWeights(d: number): CtrWeight[] {
  return [{ shape: [d, 3 * d] }, { shape: [d, 2 * d] }, { shape: [d, d] }, { shape: [1, 3 * d] }];
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
 * DIEN's evolved interest: a GRU reads the history oldest to newest (`seq` lists the most recent
 * first, as lastPositives does), keeping its state over padding; an AUGRU reads the GRU's states
 * with its update gate scaled by each state's attention to the candidate (h_t · W_a · e_c,
 * softmax over the valid steps, 0 on padding); the AUGRU's last state stands for the history.
 * Weights: the GRU's, W_a, the AUGRU's.
 */
const evolution: CtrHistory = {
  weights: (dim) => [...gruWeights(dim), { shape: [dim, dim] }, ...gruWeights(dim)],
  pool: (seq, candidate, mask, w) => {
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
  },
};

export const dien: CtrStructure = { row: 'factors', history: evolution, parts: [mlpPart] };
