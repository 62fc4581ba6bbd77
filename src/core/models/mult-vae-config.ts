/** Mult-VAE settings and defaults, apart from the model so listing models loads no tfjs. */
import { defaultsOf, periodicChecks, schemaOf } from './config-check.ts';

export interface MultVaeConfig {
  [key: string]: number;
  /** Width of the encoder's and the decoder's hidden layer (the paper: 600). */
  hidden: number;
  /** Size of the latent code z (the paper: 200). */
  latent: number;
  epochs: number;
  /** Users per step. */
  batchSize: number;
  learningRate: number;
  /** Share of each user's (L2-normalised) input row dropped in training. */
  dropout: number;
  /** The KL weight β grows linearly from 0 to this (the paper: 0.2)… */
  annealCap: number;
  /** …reaching it after this many epochs (the paper: 200,000 steps ≈ 146 of its 200 ML-20M epochs). */
  annealEpochs: number;
  /** 1: hold out each user's latest training interaction, validate, keep the best check. */
  validate: number;
  /** Epochs between validation checks. */
  validateEvery: number;
  /** Checks without a better validation NDCG@10 before training stops. */
  patience: number;
  seed: number;
}

/**
 * Liang et al.'s architecture and optimiser ([I → 600 → 200] encoder, Adam 1e-3, dropout 0.5,
 * β annealed up to 0.2), with the batch and annealing scaled to MovieLens' few hundred users.
 */
export const MULT_VAE_SETTINGS = schemaOf<MultVaeConfig>({
  hidden: {
    default: 600,
    kind: 'whole',
    min: 1,
    doc: 'Width of the encoder’s and the decoder’s hidden layer (the paper: 600).',
  },
  latent: {
    default: 200,
    kind: 'whole',
    min: 1,
    doc: 'Size of the latent code z (the paper: 200).',
  },
  epochs: {
    default: 200,
    kind: 'whole',
    min: 1,
    doc: 'Passes over the users (at most, when validating).',
  },
  batchSize: { default: 100, kind: 'whole', min: 1, doc: 'Users per step.' },
  learningRate: { default: 0.001, kind: 'number', min: 0, above: true, doc: 'Adam’s step size.' },
  dropout: {
    default: 0.5,
    kind: 'number',
    min: 0,
    max: 0.95,
    doc: 'Share of each user’s (L2-normalised) input row dropped in training.',
  },
  annealCap: {
    default: 0.2,
    kind: 'number',
    min: 0,
    doc: 'The KL weight β grows linearly from 0 to this (the paper: 0.2)…',
  },
  annealEpochs: {
    default: 100,
    kind: 'whole',
    min: 0,
    doc: '…reaching it after this many epochs (the paper: 200,000 steps, about 146 of its 200 ML-20M epochs).',
  },
  ...periodicChecks(5, 5),
  seed: {
    default: 1,
    kind: 'whole',
    min: 0,
    doc: 'Seeds the initial weights, the dropout and the order of the users.',
  },
});

export const MULT_VAE_DEFAULTS: MultVaeConfig = defaultsOf(MULT_VAE_SETTINGS);
