/** Mult-VAE settings and defaults, apart from the model so listing models loads no tfjs. */

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
export const MULT_VAE_DEFAULTS: MultVaeConfig = {
  hidden: 600,
  latent: 200,
  epochs: 200,
  batchSize: 100,
  learningRate: 0.001,
  dropout: 0.5,
  annealCap: 0.2,
  annealEpochs: 100,
  validate: 1,
  validateEvery: 5,
  patience: 5,
  seed: 1,
};
