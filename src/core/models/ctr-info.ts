/** The CTR models (sparrow-ctr, ctr-random): names, explanations and settings (no tfjs, so listing them stays light). */
import { schemaOf, withDefaults, type Schema } from './config-check.ts';
import { settingsFields, type ModelEntry } from './entry.ts';

export type CtrKind = 'lr' | 'fm' | 'emb-mlp' | 'wide-deep' | 'deepfm' | 'din' | 'dien';

export interface CtrModelInfo extends ModelEntry {
  name: CtrKind;
  task: 'ctr';
}

export interface CtrConfig {
  [key: string]: number;
  dim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2: number;
  seed: number;
  validate: number;
  patience: number;
  userDropout: number;
  movieDropout: number;
  validMetric: number;
}

/**
 * SparrowRecSys' settings (10-d embeddings, at most 5 epochs, Adam 0.001); the latest 10% of
 * training rows validate each epoch and the best epoch is kept.
 */
export const CTR_SETTINGS = schemaOf<CtrConfig>({
  dim: {
    default: 10,
    kind: 'whole',
    min: 1,
    doc: 'Embedding size of every field (FM and the MLPs; logistic regression uses 1).',
  },
  epochs: { default: 5, kind: 'whole', min: 1, doc: 'Passes over the training rows (at most).' },
  batchSize: { default: 256, kind: 'whole', min: 1, doc: 'Rows per step.' },
  learningRate: { default: 0.001, kind: 'number', min: 0, above: true, doc: 'Adam’s step size.' },
  l2: {
    default: 0,
    kind: 'number',
    min: 0,
    doc: 'L2 penalty on the embedding rows a step touches.',
  },
  seed: {
    default: 1,
    kind: 'whole',
    min: 0,
    doc: 'Seeds the initial weights, the dropouts and the order of the rows.',
  },
  validate: {
    default: 1,
    kind: 'switch',
    doc: 'Score the validation rows (the split’s own, or else the latest 10% of training rows) after each epoch and keep the best epoch.',
  },
  patience: {
    default: 2,
    kind: 'whole',
    min: 1,
    doc: 'Epochs without a better validation score before training stops.',
  },
  userDropout: {
    default: 1,
    kind: 'number',
    min: 0,
    max: 1,
    doc: 'Share of training rows whose user id is replaced by the padding id, so the padding row learns an unknown user (most test users of a time split are new).',
  },
  movieDropout: {
    default: 0,
    kind: 'number',
    min: 0,
    max: 1,
    doc: 'The same for the candidate movie’s id.',
  },
  validMetric: {
    default: 0,
    kind: 'whole',
    min: 0,
    max: 1,
    doc: 'What “best” means on validation: 0, the lowest logloss; 1, the highest ROC-AUC.',
  },
});

/**
 * ctr-random's settings over each model's defaults, as RecBole's context-aware runs: batches of
 * 2,048, early stopping on the validation ROC-AUC (the protocol's own 10%). Every test user has
 * training rows in a random split, so no user-id dropout.
 */
export const CTR_RANDOM_SETTINGS = {
  batchSize: 2048,
  epochs: 30,
  patience: 3,
  validMetric: 1,
  userDropout: 0,
};

/** The protocols the CTR models train and test on. */
export type CtrProtocol = 'sparrow-ctr' | 'ctr-random';
export const CTR_PROTOCOLS: readonly CtrProtocol[] = ['sparrow-ctr', 'ctr-random'];

/** Whether a protocol is one of the CTR models' (whose models are CTR_MODELS). */
export const isCtrProtocol = (p: string): p is CtrProtocol =>
  (CTR_PROTOCOLS as readonly string[]).includes(p);

/**
 * A CTR model's configuration on ctr-random (the CLI's `wren eval --protocol ctr-random`, the
 * Models page, the bench): its defaults under CTR_RANDOM_SETTINGS, with `seed`.
 */
export function ctrRandomConfig(info: CtrModelInfo, seed: number): Record<string, number> {
  return { ...info.defaults, ...CTR_RANDOM_SETTINGS, seed };
}

/** The CTR networks' fixed sizes, shared by ctr.ts and the diagrams (ctr-diagrams.ts). */
export const CTR_NETWORK = {
  /** The MLP's hidden layers (ReLU), before its one output unit. */
  hidden: [128, 128],
  /** DIN's attention unit: [e, c, e − c, e ⊙ c] → this many units → 1. */
  attention: 16,
  /** Wide&Deep's crossed feature: hashed buckets, as SparrowRecSys' `crossed_column(…, 10000)`. */
  crossBuckets: 10_000,
} as const;

/** A CTR model's entry; `settings`: its own defaults where they differ from CTR_SETTINGS'. */
function ctr(
  name: CtrKind,
  fields: Pick<CtrModelInfo, 'title' | 'about' | 'paper' | 'layers'>,
  settings: Schema<CtrConfig> = CTR_SETTINGS,
): CtrModelInfo {
  return { name, ...fields, task: 'ctr', neural: true, ...settingsFields(settings) };
}

export const CTR_MODELS: readonly CtrModelInfo[] = [
  ctr(
    'lr',
    {
      layers: 'ids (1 weight each) + 9 numeric → sum → σ',
      title: 'Logistic regression',
      about:
        'One weight per user, movie and genre id and per numeric feature, summed into a logit: the baseline every CTR model must beat.',
      paper: 'the sparrow-ctr baseline (DESIGN.md)',
    },
    // A linear model moves slowly at 0.001 (weights start at 0), so it takes a larger step.
    withDefaults(CTR_SETTINGS, { learningRate: 0.01 }),
  ),
  ctr('fm', {
    layers: 'ids and numeric as 10-d factors → linear + ½ Σ pairwise dot products → σ',
    title: 'Factorization machine',
    about:
      'Logistic regression plus every pair of features interacting through the dot product of their factor vectors.',
    paper: 'Rendle, ICDM 2010',
  }),
  ctr('emb-mlp', {
    layers: '5 id fields (10-d, lists averaged) + 9 numeric → 128 → 128 (ReLU) → 1 → σ',
    title: 'Embedding + MLP',
    about:
      'Every id field embedded (10-d), concatenated with the numeric features and fed through two 128-unit layers.',
    paper: 'SparrowRecSys EmbeddingMLP; Covington et al., RecSys 2016',
  }),
  ctr('wide-deep', {
    layers:
      'wide: ids + numeric + movie × last liked movie (10,000 hashed buckets) linear · deep: Embedding+MLP → summed → σ',
    title: 'Wide & Deep',
    about:
      'A linear (wide) part that memorises ids and, as in SparrowRecSys, the cross of the movie with the user’s last liked movie (one weight per pair, hashed into 10,000 buckets), beside the Embedding+MLP (deep) part, trained together.',
    paper: 'Cheng et al., DLRS 2016',
  }),
  ctr('deepfm', {
    layers: 'FM part + MLP part over the same 10-d embeddings → summed → σ',
    title: 'DeepFM',
    about:
      'A factorization machine and an MLP reading the same embeddings, their outputs summed: pairwise and higher-order interactions without hand-made crosses.',
    paper: 'Guo et al., IJCAI 2017',
  }),
  ctr('din', {
    layers:
      'last 5 liked movies weighted by attention([e, candidate, e − c, e ⊙ c] → 16 → 1) → Embedding+MLP → σ',
    title: 'DIN',
    about:
      'Embedding+MLP where the candidate movie attends over the user’s last five liked movies: a small network scores each against the candidate, and their vectors are pooled by those weights instead of averaged.',
    paper: 'Zhou et al., Deep Interest Network, KDD 2018',
  }),
  ctr('dien', {
    layers:
      'last 5 liked movies, oldest first → GRU → AUGRU (update gate × softmax(h · W · candidate)) → last state in Embedding+MLP → σ',
    title: 'DIEN',
    about:
      'DIN with the order of the user’s last five liked movies: a GRU reads them oldest to newest, and a second GRU whose updates are scaled by each step’s attention to the candidate movie follows how that interest evolved; its last state stands for the history. Without the paper’s auxiliary loss on the next liked movie.',
    paper: 'Zhou et al., Deep Interest Evolution Network, AAAI 2019',
  }),
];
