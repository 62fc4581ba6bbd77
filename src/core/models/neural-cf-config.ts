/** NeuralCF settings and defaults, apart from the model so listing models loads no tfjs. */

import type { TrainSettings } from '../train/sparse-trainer.ts';
import { defaultsOf, schemaOf, type Schema } from './config-check.ts';

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

/** The sparse trainer's settings, as GMF, MLP, NeuMF and two-tower take them. */
const TRAIN_SETTINGS: Schema<TrainSettings> = {
  epochs: {
    default: 20,
    kind: 'whole',
    min: 1,
    doc: 'Passes over the training interactions (at most, when validating).',
  },
  batchSize: {
    default: 256,
    kind: 'whole',
    min: 1,
    doc: 'Interactions (with their sampled negatives) per step.',
  },
  negatives: {
    default: 4,
    kind: 'whole',
    min: 0,
    doc: 'Movies the user did not rate, sampled as negatives for each interaction.',
  },
  learningRate: { default: 0.003, kind: 'number', min: 0, above: true, doc: 'Adam’s step size.' },
  l2: {
    default: 0,
    kind: 'number',
    min: 0,
    doc: 'L2 penalty on the embedding rows a batch touches.',
  },
  seed: {
    default: 1,
    kind: 'whole',
    min: 0,
    doc: 'Seeds the initial weights, the negatives and the order of the batches.',
  },
};

/**
 * He et al.'s ml-1m setting (GMF 8, MLP [64, 32, 16, 8] on 32-d embeddings, 4 negatives, batch
 * 256); the learning rate 0.003 was picked on ml-latest-small's validation split (0.001: 0.455).
 */
export const NCF_SETTINGS = schemaOf<NcfConfig>({
  factors: {
    default: 8,
    kind: 'whole',
    min: 1,
    doc: 'GMF factors: the width of its user and movie rows.',
  },
  mlpEmbedding: {
    default: 32,
    kind: 'whole',
    min: 2,
    doc: 'MLP embedding size per side; the tower’s input is twice this.',
  },
  mlpLayers: {
    default: 3,
    kind: 'whole',
    min: 1,
    doc: 'Hidden layers of the MLP tower, each half as wide as the one before (3: 64 → 32 → 16 → 8).',
  },
  ...TRAIN_SETTINGS,
  validate: {
    default: 1,
    kind: 'switch',
    doc: 'Hold out each user’s latest training interaction, validate after every epoch and keep the best epoch.',
  },
  patience: {
    default: 3,
    kind: 'whole',
    min: 1,
    doc: 'Epochs without a better validation NDCG@10 before training stops.',
  },
  pretrain: {
    default: 0,
    kind: 'switch',
    doc: 'NeuMF only: start from a GMF and an MLP trained first (He et al.’s pre-training).',
  },
  finetuneScale: {
    default: 0.1,
    kind: 'number',
    min: 0,
    doc: 'The learning rate after pre-training, as a share of learningRate.',
  },
});

export const NCF_DEFAULTS: NcfConfig = defaultsOf(NCF_SETTINGS);

/** Two-tower: each side's embedding through its own tower (E → 64 → 32), scored by a dot product. */
export const TWO_TOWER_LAYERS: readonly number[] = [64, 32];

/** The MLP tower's widths, input first: 2e → e → e/2 … (`mlpLayers` hidden layers after the input). */
export function mlpTowerSizes(config: Pick<NcfConfig, 'mlpEmbedding' | 'mlpLayers'>): number[] {
  const sizes = [2 * config.mlpEmbedding];
  for (let i = 0; i < config.mlpLayers; i++) sizes.push(Math.max(1, sizes.at(-1)! >> 1));
  return sizes;
}
