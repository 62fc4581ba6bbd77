/**
 * DIN (Zhou et al. 2018): Embedding+MLP where the candidate movie attends
 * over the user's last liked movies instead of averaging them.
 */
import * as tf from '@tensorflow/tfjs';
import { CTR_NETWORK } from '../ctr-info.ts';
import { mlpPart, type CtrHistory, type CtrStructure } from './network.ts';

/**
 * DIN's pooling: the history's vectors weighted by how well each matches the candidate, through
 * the unit [e_j, e_c, e_j − e_c, e_j ⊙ e_c] → 16 → 1; the mask drops padding.
 */
const attention: CtrHistory = {
  weights: (dim) => {
    const a = CTR_NETWORK.attention;
    return [{ shape: [4 * dim, a] }, { shape: [1, a] }, { shape: [a, 1] }, { shape: [1, 1] }];
  },
  pool: (seq, candidate, mask, w) => {
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
  },
};

export const din: CtrStructure = { row: 'factors', history: attention, parts: [mlpPart] };
