/** GMF (He et al. 2017): the element-wise product of user and movie factors, weighted into a logit. */
import * as tf from '@tensorflow/tfjs';
import { ncfShape } from '../../train/ncf-trainer.ts';
import { meanRow, type LinearSide } from './fold-in.ts';
import { outputLayer, type NcfStructure, type NcfTable, type NcfWeights } from './structure.ts';

/** GMF's user and movie factors (NeuMF's GMF branch reads them too). */
export const GMF_TABLES: readonly NcfTable[] = [
  { name: 'userGmf', by: 'user', dim: (c) => c.factors, seed: 1 },
  { name: 'itemGmf', by: 'item', dim: (c) => c.factors, seed: 2 },
];

/** The GMF branch: p_u ⊙ q_i. */
export function gmfBranch(user: tf.Tensor2D, item: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(user, item);
}

/** GMF is linear in the user's row p: p · (h ⊙ q) + b, so the features of a movie are h ⊙ q. */
function gmfSide({ tables, dense }: NcfWeights): LinearSide {
  const q = tables.itemGmf!;
  const h = dense.view(0);
  return {
    start: meanRow(tables.userGmf!),
    bias: dense.view(1)[0]!,
    features: (items) => {
      const d = q.dim;
      const x = q.gather(items);
      for (let r = 0; r < items.length; r++) for (let k = 0; k < d; k++) x[r * d + k]! *= h[k]!;
      return x;
    },
  };
}

export const gmf: NcfStructure = {
  tables: GMF_TABLES,
  shapes: (c) => [
    [c.factors, 1],
    [1, 1],
  ],
  logits: (rows, dense) => outputLayer(gmfBranch(rows[0]!, rows[1]!), dense, 0),
  kernel: (c) => ncfShape(c.factors, []),
  side: gmfSide,
};
