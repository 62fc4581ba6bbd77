/**
 * The dense layers the tfjs models share: a tower of fully connected layers
 * over weight tensors in [W, b] pairs, and DenseParams as tensors for
 * scoring (training uploads them itself, see sparse-trainer.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { DenseParams } from '../train/embedding-table.ts';

/**
 * `x` through fully connected layers, `weights` holding each layer's W and b in turn; ReLU after
 * every layer, or after every layer but the last where `lastLinear` (an output layer or a tower
 * whose output is compared by a dot product).
 */
export function denseTower(x: tf.Tensor2D, weights: tf.Tensor[], lastLinear: boolean): tf.Tensor2D {
  let h = x;
  for (let w = 0; w < weights.length; w += 2) {
    h = tf.add(tf.matMul(h, weights[w] as tf.Tensor2D), weights[w + 1]!);
    if (!lastLinear || w + 2 < weights.length) h = tf.relu(h);
  }
  return h;
}

/** Every weight of `dense` as a tensor of its shape (inside a tidy, or disposed by the caller). */
export function denseTensors(dense: DenseParams): tf.Tensor2D[] {
  return dense.shapes.map(([r, c], j) => tf.tensor2d(dense.view(j), [r, c]));
}

/** The [W, b] shapes of fully connected layers of the widths `sizes`, input first. */
export function towerShapes(sizes: readonly number[]): [number, number][] {
  return sizes.slice(1).flatMap((c, i): [number, number][] => [
    [sizes[i]!, c],
    [1, c],
  ]);
}
