/** NeuMF (He et al. 2017): the GMF and MLP branches side by side, joined in one output layer. */
import * as tf from '@tensorflow/tfjs';
import { ncfShape } from '../../train/ncf-trainer.ts';
import { towerShapes } from '../dense-layers.ts';
import { mlpTowerSizes } from '../neural-cf-config.ts';
import type { SavedModel } from '../types.ts';
import { gmfBranch, GMF_TABLES } from './gmf.ts';
import { mlpBranch, MLP_TABLES } from './mlp.ts';
import { outputLayer, type NcfStructure } from './structure.ts';

export const neumf: NcfStructure = {
  tables: [...GMF_TABLES, ...MLP_TABLES],
  shapes: (c) => {
    const sizes = mlpTowerSizes(c);
    return [...towerShapes(sizes), [c.factors + sizes.at(-1)!, 1], [1, 1]];
  },
  logits: (rows, dense) => {
    const n = dense.length - 2;
    const g = gmfBranch(rows[0]!, rows[1]!);
    const h = mlpBranch(rows[2]!, rows[3]!, dense.slice(0, n));
    return outputLayer(tf.concat([g, h], 1), dense, n);
  },
  kernel: (c) => ncfShape(c.factors, mlpTowerSizes(c)),
  side: null,
};

/**
 * He et al.'s pre-trained start from a trained GMF's and MLP's saved arrays: their embeddings
 * and the MLP's tower as they are, the output layer half of each one's.
 */
export function pretrainedWeights(
  g: SavedModel['arrays'],
  m: SavedModel['arrays'],
  mlpLayers: number,
): SavedModel['arrays'] {
  const tower = 2 * mlpLayers;
  const w: SavedModel['arrays'] = {
    userGmf: g.userGmf!,
    itemGmf: g.itemGmf!,
    userMlp: m.userMlp!,
    itemMlp: m.itemMlp!,
  };
  for (let j = 0; j < tower; j++) w[`dense${j}`] = m[`dense${j}`]!;
  const half = (a: Float32Array | Int32Array): number[] => Array.from(a, (x) => 0.5 * x);
  w[`dense${tower}`] = Float32Array.from([...half(g.dense0!), ...half(m[`dense${tower}`]!)]);
  w[`dense${tower + 1}`] = Float32Array.from([0.5 * (g.dense1![0]! + m[`dense${tower + 1}`]![0]!)]);
  return w;
}
