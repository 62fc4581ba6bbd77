/** The model registry: names, short explanations, construction and loading. */
import { ItemKnn } from './item-knn.ts';
import { Popularity } from './popularity.ts';
import { PureSvd } from './pure-svd.ts';
import type { Recommender, SavedModel } from './types.ts';

export type { FitOptions, FitProgress, Recommender, SavedModel } from './types.ts';

export interface ModelInfo {
  name: string;
  title: string;
  /** One paragraph: what it is and where it comes from. */
  about: string;
  paper: string;
  /** Numeric settings and their defaults. */
  defaults: Record<string, number>;
  create(config: Record<string, number>): Recommender;
  load(saved: SavedModel): Recommender;
}

export const MODELS: readonly ModelInfo[] = [
  {
    name: 'popularity',
    title: 'Popularity (TopPop)',
    about:
      'Recommends the movies with the most training interactions to everyone. Not personal, and a surprisingly hard floor.',
    paper: 'Cremonesi, Koren & Turrin, RecSys 2010',
    defaults: {},
    create: () => new Popularity(),
    load: (s) => Popularity.load(s),
  },
  {
    name: 'itemknn',
    title: 'ItemKNN (cosine)',
    about:
      'Item-based collaborative filtering: movies are similar when the same users rated them (cosine over user columns); a movie scores by its similarity to what the user already rated, over its k nearest neighbours.',
    paper: 'Sarwar et al., WWW 2001; Dacrema et al., RecSys 2019',
    defaults: { neighbours: 100, shrink: 0 },
    create: (c) => new ItemKnn(c),
    load: (s) => ItemKnn.load(s),
  },
  {
    name: 'puresvd',
    title: 'PureSVD',
    about:
      'Matrix factorization by a truncated SVD of the user × movie interaction matrix; a user scores movies by projecting their history onto the top singular vectors and back.',
    paper: 'Cremonesi, Koren & Turrin, RecSys 2010',
    defaults: { factors: 20, iterations: 12, oversample: 20, seed: 1 },
    create: (c) => new PureSvd(c),
    load: (s) => PureSvd.load(s),
  },
];

export function modelInfo(name: string): ModelInfo | undefined {
  return MODELS.find((m) => m.name === name);
}

export function loadModel(saved: SavedModel): Recommender {
  const info = modelInfo(saved.model);
  if (!info) throw new Error(`unknown model "${saved.model}"`);
  return info.load(saved);
}
