/**
 * What a NeuralCF variant is made of: its embedding tables, its dense
 * weights, its logit, how it trains (the GMF/MLP/NeuMF kernel, or tfjs), and
 * how a new user folds in. neural-cf.ts builds, trains, scores and saves any
 * variant from this.
 */
import * as tf from '@tensorflow/tfjs';
import type { DenseParams, EmbeddingTable } from '../../train/embedding-table.ts';
import type { NcfShape } from '../../train/ncf-kernel.ts';
import type { NcfConfig } from '../neural-cf-config.ts';
import type { LinearSide } from './fold-in.ts';

/** An embedding table: its saved name, which index of a pair looks it up, its width, its seed. */
export interface NcfTable {
  name: string;
  by: 'user' | 'item';
  dim(config: NcfConfig): number;
  /** Its rows start seeded by `config.seed · 16 + seed`. */
  seed: number;
}

/** A trained variant's weights, as its fold-in reads them. */
export interface NcfWeights {
  tables: Record<string, EmbeddingTable>;
  dense: DenseParams;
  config: NcfConfig;
  itemCount: number;
}

export interface NcfStructure {
  /** Its tables, in lookup order (also the order they are saved in). */
  tables: readonly NcfTable[];
  /** The shapes of its dense weights, in order. */
  shapes(config: NcfConfig): [number, number][];
  /** The logit of each (user, movie) pair from its looked-up rows (one per table) and the dense weights. */
  logits(rows: tf.Tensor2D[], dense: tf.Tensor[]): tf.Tensor1D;
  /** The network as the GMF/MLP/NeuMF kernel trains it; null: its dense part trains in tfjs. */
  kernel: ((config: NcfConfig) => NcfShape) | null;
  /**
   * Its user side where the logit is linear in it, for a fold-in by logistic regression; null:
   * the user's rows are fitted through tfjs.
   */
  side: ((w: NcfWeights) => LinearSide) | null;
}

/** The output layer: one unit over the joined branches, from dense weights `at` and `at + 1`. */
export function outputLayer(joined: tf.Tensor2D, dense: tf.Tensor[], at: number): tf.Tensor1D {
  return tf.add(tf.matMul(joined, dense[at] as tf.Tensor2D), dense[at + 1]!).reshape([-1]);
}
