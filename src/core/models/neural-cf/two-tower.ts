/**
 * Two-tower (Yi et al., RecSys 2019): user and movie embeddings each through
 * a tower of their own, joined only by a dot product, so movie vectors can be
 * computed once and searched, as retrieval does.
 */
import * as tf from '@tensorflow/tfjs';
import { denseTower, towerShapes } from '../dense-layers.ts';
import { TWO_TOWER_LAYERS } from '../neural-cf-config.ts';
import { meanRow, type LinearSide } from './fold-in.ts';
import { MLP_TABLES } from './mlp.ts';
import type { NcfStructure, NcfWeights } from './structure.ts';

const TOWER = TWO_TOWER_LAYERS;

/** Dense weights per tower: each layer's W and b. */
const PER_TOWER = 2 * TOWER.length;

/**
 * Two-tower is linear in the user tower's output u: u · z_i + b, so the user side starts at the
 * mean trained user's u and a movie's features are its tower output z_i (every movie's computed
 * once).
 */
function towerSide({ tables, dense, config, itemCount }: NcfWeights): LinearSide {
  const dim = TOWER.at(-1)!;
  const run = (x: Float32Array, rows: number, from: number): Float32Array =>
    tf.tidy(() => {
      const w = dense.shapes
        .slice(from, from + PER_TOWER)
        .map(([r, c], j) => tf.tensor2d(dense.view(from + j), [r, c]));
      const h = denseTower(tf.tensor2d(x, [rows, config.mlpEmbedding]), w, true);
      return h.dataSync() as Float32Array;
    });
  const start = run(meanRow(tables.userMlp!), 1, 0);
  const z = run(tables.itemMlp!.weights, itemCount, PER_TOWER);
  return {
    start,
    bias: dense.view(2 * PER_TOWER)[0]!,
    features: (items) => {
      const x = new Float32Array(items.length * dim);
      items.forEach((m, r) => x.set(z.subarray(m * dim, (m + 1) * dim), r * dim));
      return x;
    },
  };
}

export const twoTower: NcfStructure = {
  tables: MLP_TABLES,
  shapes: (c) => {
    const sizes = [c.mlpEmbedding, ...TOWER];
    return [...towerShapes(sizes), ...towerShapes(sizes), [1, 1]];
  },
  logits: (rows, dense) => {
    const u = denseTower(rows[0]!, dense.slice(0, PER_TOWER), true);
    const i = denseTower(rows[1]!, dense.slice(PER_TOWER, 2 * PER_TOWER), true);
    return tf.add(tf.sum(tf.mul(u, i), 1, true), dense[2 * PER_TOWER]!).reshape([-1]);
  },
  kernel: null,
  side: towerSide,
};
