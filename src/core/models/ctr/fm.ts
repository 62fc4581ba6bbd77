/**
 * A factorization machine (Rendle 2010): the linear part, plus every pair of
 * fields' factors by their dot product.
 */
import * as tf from '@tensorflow/tfjs';
import { linearPart, type CtrPart, type CtrStructure } from './network.ts';

/**
 * FM's pairwise part: the dot products of every pair among the fields' factors and the numeric
 * features' vectors (x_k · v_k), as ½ ((Σ v)² − Σ v²). The numeric vectors start at a tenth of
 * Glorot's scale.
 */
export const pairwisePart: CtrPart = {
  weights: ({ numeric, dim }) => [{ shape: [numeric, dim], scale: 0.1 }],
  terms: (x, w) => {
    const numVecs = tf.mul(tf.expandDims(x.numeric, 2), tf.expandDims(w[0]!, 0)); // [B, D, dim]
    const all = tf.concat([tf.stack(x.factors, 1), numVecs], 1); // [B, F + D, dim]
    const sum = tf.sum(all, 1);
    return [tf.mul(0.5, tf.sum(tf.sub(tf.square(sum), tf.sum(tf.square(all), 1)), 1, true))];
  },
};

export const fm: CtrStructure = { row: 'weight+factors', parts: [linearPart, pairwisePart] };
