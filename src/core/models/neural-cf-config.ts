/** NeuralCF settings and defaults, apart from the model so listing models loads no tfjs. */

import type { TrainSettings } from '../train/sparse-trainer.ts';

/** Epochs, batch size, negatives, learning rate, L2 and seed come from the sparse trainer's settings. */
export interface NcfConfig extends TrainSettings {
  [key: string]: number;
  /** GMF factors. */
  factors: number;
  /** MLP embedding size per side; the tower's input is twice this. */
  mlpEmbedding: number;
  /** Hidden layers of the MLP tower, each half as wide as the one before (3: 64 → 32 → 16 → 8). */
  mlpLayers: number;
  /** 1: hold out each user's latest training interaction, validate after every epoch, keep the best epoch. */
  validate: number;
  /** Epochs without a better validation NDCG@10 before training stops. */
  patience: number;
  /** NeuMF only — 1: start from a GMF and an MLP trained first (He et al.'s pre-training). */
  pretrain: number;
  /** The learning rate after pre-training, as a share of `learningRate`. */
  finetuneScale: number;
}

/**
 * He et al.'s ml-1m setting (GMF 8, MLP [64, 32, 16, 8] on 32-d embeddings, 4 negatives, batch
 * 256); the learning rate 0.003 was picked on ml-latest-small's validation split (0.001: 0.455).
 */
export const NCF_DEFAULTS: NcfConfig = {
  factors: 8,
  mlpEmbedding: 32,
  mlpLayers: 3,
  epochs: 20,
  batchSize: 256,
  negatives: 4,
  learningRate: 0.003,
  l2: 0,
  seed: 1,
  validate: 1,
  patience: 3,
  pretrain: 0,
  finetuneScale: 0.1,
};

/** Two-tower: each side's embedding through its own tower (E → 64 → 32), scored by a dot product. */
export const TWO_TOWER_LAYERS: readonly number[] = [64, 32];

/** The MLP tower's widths, input first: 2e → e → e/2 … (`mlpLayers` hidden layers after the input). */
export function mlpTowerSizes(config: Pick<NcfConfig, 'mlpEmbedding' | 'mlpLayers'>): number[] {
  const sizes = [2 * config.mlpEmbedding];
  for (let i = 0; i < config.mlpLayers; i++) sizes.push(Math.max(1, sizes.at(-1)! >> 1));
  return sizes;
}
