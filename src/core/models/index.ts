/**
 * The model registry: every model Wren has, with what it can do, its
 * settings and how it is built and loaded. The ranking models are MODELS, the
 * CTR models (ctr-info.ts) CTR_MODELS, and REGISTRY holds both; the pipeline's
 * rankable models, the CLI's usage text and `wren models`, the Models page and
 * every settings check are derived from these entries.
 */
import { CTR_MODELS, type CtrModelInfo } from './ctr-info.ts';
import { Ease, EASE_SETTINGS } from './ease.ts';
import { settingsFields, type ModelEntry } from './entry.ts';
import { ItemKnn, ITEMKNN_SETTINGS } from './item-knn.ts';
import { MULT_VAE_SETTINGS } from './mult-vae-config.ts';
import { NCF_SETTINGS } from './neural-cf-config.ts';
import { Popularity } from './popularity.ts';
import { PureSvd, PURESVD_SETTINGS } from './pure-svd.ts';
import { sequentialSettings, type SequentialKind } from './sequential-config.ts';
import type { Recommender, SavedModel } from './types.ts';

export type { ModelEntry } from './entry.ts';
export type { FitOptions, FitProgress, Recommender, SavedModel } from './types.ts';

/**
 * How a ranking model ranks a person it was not trained on (you, on For You):
 * - 'same-for-all': it does not look at the person (popularity);
 * - 'history': from the movies they liked, as it scores any user (`scoreHistory`);
 * - 'fold-in': a user row fitted to their liked movies against the frozen model (`foldIn`);
 * - 'sequence': from the movies they rated, in the order they rated them.
 */
export type RanksBy = 'same-for-all' | 'history' | 'fold-in' | 'sequence';

export interface ModelInfo extends ModelEntry {
  task: 'rank';
  /** How it ranks a new person (`rankerFor` builds its ranker by this; the model contract checks it). */
  ranksBy: RanksBy;
  /** It searches the whole catalogue itself and feeds this For You recall channel. */
  retrieves?: 'tower' | 'next';
  /** Trains with Wren's own WebAssembly kernel (GMF, MLP, NeuMF), not on the tfjs backend; tfjs still scores. */
  kernel?: boolean;
  create(config: Record<string, number>): Promise<Recommender>;
  load(saved: SavedModel): Promise<Recommender>;
}

const NCF_LAYERS = {
  gmf: 'user 8-d ⊙ movie 8-d → dense 1 → σ',
  mlp: '[user 32-d, movie 32-d] → 32 → 16 → 8 (ReLU) → dense 1 → σ',
  neumf: '[user ⊙ movie (8-d), MLP 64 → 32 → 16 → 8] → dense 1 → σ',
  'two-tower': 'user 32-d → 64 → 32 · movie 32-d → 64 → 32 → dot product → σ',
};

function ncf(
  name: 'gmf' | 'mlp' | 'neumf' | 'two-tower',
  title: string,
  about: string,
  paper = 'He et al., Neural Collaborative Filtering, WWW 2017',
): ModelInfo {
  return {
    name,
    layers: NCF_LAYERS[name],
    title,
    about,
    paper,
    task: 'rank',
    ...settingsFields(NCF_SETTINGS),
    neural: true,
    ranksBy: 'fold-in',
    ...(name === 'two-tower' ? { retrieves: 'tower' as const } : { kernel: true }),
    create: async (c) => new (await import('./neural-cf.ts')).NeuralCf(name, c),
    load: async (s) => (await import('./neural-cf.ts')).NeuralCf.load(s),
  };
}

function sequential(
  name: SequentialKind,
  fields: Pick<ModelInfo, 'title' | 'about' | 'paper' | 'layers'>,
): ModelInfo {
  return {
    name,
    ...fields,
    task: 'rank',
    ...settingsFields(sequentialSettings(name)),
    neural: true,
    ranksBy: 'sequence',
    retrieves: 'next',
    create: async (c) => new (await import('./sequential.ts')).SequentialModel(name, c),
    load: async (s) => (await import('./sequential.ts')).SequentialModel.load(s),
  };
}

export const MODELS: readonly ModelInfo[] = [
  {
    name: 'popularity',
    layers: 'training count per movie → score',
    title: 'Popularity (TopPop)',
    about:
      'Recommends the movies with the most training interactions to everyone. Not personal, and a surprisingly hard floor.',
    paper: 'Cremonesi, Koren & Turrin, RecSys 2010',
    task: 'rank',
    settings: {},
    defaults: {},
    neural: false,
    ranksBy: 'same-for-all',
    create: async () => new Popularity(),
    load: async (s) => Popularity.load(s),
  },
  {
    name: 'itemknn',
    layers: 'the user’s movies → each movie’s top-100 cosine neighbours → summed similarity',
    title: 'ItemKNN (cosine)',
    about:
      'Item-based collaborative filtering: movies are similar when the same users rated them (cosine over user columns); a movie scores by its similarity to what the user already rated, over its k nearest neighbours.',
    paper: 'Sarwar et al., WWW 2001; Dacrema et al., RecSys 2019',
    task: 'rank',
    ...settingsFields(ITEMKNN_SETTINGS),
    neural: false,
    ranksBy: 'history',
    create: async (c) => new ItemKnn(c),
    load: async (s) => ItemKnn.load(s),
  },
  {
    name: 'puresvd',
    layers: 'the user’s movies (a 0/1 row) → × V (movies × 20) → × Vᵀ → a score per movie',
    title: 'PureSVD',
    about:
      'Matrix factorization by a truncated SVD of the user × movie interaction matrix; a user scores movies by projecting their history onto the top singular vectors and back.',
    paper: 'Cremonesi, Koren & Turrin, RecSys 2010',
    task: 'rank',
    ...settingsFields(PURESVD_SETTINGS),
    neural: false,
    ranksBy: 'history',
    create: async (c) => new PureSvd(c),
    load: async (s) => PureSvd.load(s),
  },
  {
    name: 'ease',
    layers:
      'the user’s movies (a 0/1 row) → × B (movies × movies, zero diagonal) → a score per movie',
    title: 'EASE',
    about:
      'A linear autoencoder with one layer and no hidden units: each movie’s score is a learned weighted sum of the movies the user has, with a movie never predicting itself. The weights have a closed form (one matrix inverse, λ chosen on validation) — no epochs, no sampling — and on these benchmarks it beats every deep model here, as Dacrema et al. and Steck found on theirs.',
    paper: 'Steck, Embarrassingly Shallow Autoencoders for Sparse Data, WWW 2019',
    task: 'rank',
    ...settingsFields(EASE_SETTINGS),
    neural: false,
    ranksBy: 'history',
    create: async (c) => new Ease(c),
    load: async (s) => Ease.load(s),
  },
  ncf(
    'gmf',
    'GMF',
    'Generalized matrix factorization: user and movie factors multiplied element-wise and weighted by one output layer, trained on interactions with sampled negatives.',
  ),
  ncf(
    'mlp',
    'NCF MLP',
    'A multi-layer perceptron over the concatenated user and movie embeddings (a tower halving in width: 64 → 32 → 16 → 8), trained on interactions with sampled negatives.',
  ),
  ncf(
    'neumf',
    'NeuMF',
    'GMF and the MLP tower side by side, joined in one output layer: the model of the Neural Collaborative Filtering paper.',
  ),
  ncf(
    'two-tower',
    'Two-tower',
    'A user tower and a movie tower (32-d embeddings through 64 → 32 layers) joined only by a dot product, so movie vectors can be computed once and searched: the retrieval model of large recommenders.',
    'Yi et al., Sampling-bias-corrected neural modeling, RecSys 2019',
  ),
  {
    name: 'mult-vae',
    layers:
      'the user’s movies (a 0/1 row, L2-normalised) → 600 → μ, log σ² (200-d, tanh) → z → 600 → softmax over movies',
    title: 'Mult-VAE',
    about:
      'A variational autoencoder over each user’s whole history: the row of movies they rated is encoded into a Gaussian latent code and decoded into a multinomial (softmax) over every movie, trained with a KL term annealed up to β = 0.2.',
    paper: 'Liang et al., Variational Autoencoders for Collaborative Filtering, WWW 2018',
    task: 'rank',
    ...settingsFields(MULT_VAE_SETTINGS),
    neural: true,
    ranksBy: 'history',
    create: async (c) => new (await import('./mult-vae.ts')).MultVae(c),
    load: async (s) => (await import('./mult-vae.ts')).MultVae.load(s),
  },
  sequential('sasrec', {
    title: 'SASRec',
    about:
      'Self-attention over the user’s latest movies in the order they were watched: each position looks back at the ones before it (a causal mask), and the last position’s state, dotted with every movie’s row of the same table, predicts what comes next. Trained on every position of every window with cross-entropy over every movie (a sample of 16,384 in a larger catalogue).',
    paper: 'Kang & McAuley, Self-Attentive Sequential Recommendation, ICDM 2018',
    layers:
      'the latest 200 movies (64-d rows · √d + positions) → 2 × [LayerNorm → causal self-attention → LayerNorm → feed-forward 64 → 64, ReLU] → LayerNorm → · every movie’s row',
  }),
  sequential('gru4rec', {
    title: 'GRU4Rec',
    about:
      'A recurrent network reads the user’s movies in order, one at a time, keeping a 64-d state; after the latest movie the state, dotted with every movie’s row, predicts what comes next. The first deep sequential recommender, trained here with the same table, loss and optimiser as SASRec.',
    paper: 'Hidasi et al., Session-based Recommendations with Recurrent Neural Networks, ICLR 2016',
    layers: 'the latest 50 movies (64-d rows) → GRU, 64-d state → · every movie’s row',
  }),
];

export function modelInfo(name: string): ModelInfo | undefined {
  return MODELS.find((m) => m.name === name);
}

export async function loadModel(saved: SavedModel): Promise<Recommender> {
  const info = modelInfo(saved.model);
  if (!info) throw new Error(`unknown model "${saved.model}"`);
  return info.load(saved);
}

/** Every model, ranking and CTR: the one list the CLI and the pages read. */
export const REGISTRY: readonly (ModelInfo | CtrModelInfo)[] = [...MODELS, ...CTR_MODELS];

/** A model's entry, ranking or CTR, by name. */
export function registryEntry(name: string): ModelInfo | CtrModelInfo | undefined {
  return REGISTRY.find((m) => m.name === name);
}
