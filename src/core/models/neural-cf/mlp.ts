/** NCF's MLP (He et al. 2017): a ReLU tower over the concatenated user and movie embeddings. */
import * as tf from '@tensorflow/tfjs';
import { ncfShape } from '../../train/ncf-trainer.ts';
import { denseTower, towerShapes } from '../dense-layers.ts';
import { mlpTowerSizes } from '../neural-cf-config.ts';
import { outputLayer, type NcfStructure, type NcfTable } from './structure.ts';

/** The user and movie embeddings of the MLP tower (NeuMF's and two-tower's too). */
export const MLP_TABLES: readonly NcfTable[] = [
  { name: 'userMlp', by: 'user', dim: (c) => c.mlpEmbedding, seed: 3 },
  { name: 'itemMlp', by: 'item', dim: (c) => c.mlpEmbedding, seed: 4 },
];

/** The MLP branch: [e_u, e_i] through the tower's layers, ReLU after each. */
export function mlpBranch(user: tf.Tensor2D, item: tf.Tensor2D, tower: tf.Tensor[]): tf.Tensor2D {
  return denseTower(tf.concat([user, item], 1), tower, false);
}

export const mlp: NcfStructure = {
  tables: MLP_TABLES,
  shapes: (c) => {
    const sizes = mlpTowerSizes(c);
    return [...towerShapes(sizes), [sizes.at(-1)!, 1], [1, 1]];
  },
  logits: (rows, dense) => {
    const n = dense.length - 2;
    return outputLayer(mlpBranch(rows[0]!, rows[1]!, dense.slice(0, n)), dense, n);
  },
  kernel: (c) => ncfShape(0, mlpTowerSizes(c)),
  side: null,
};
