/**
 * For You's session on a hand-made catalogue and fake stored models: which stored models it
 * offers and in which order, the choices' titles, the fallbacks when a model is gone or can't
 * rank this catalogue, each model loaded once (again only when another dataset is opened), and
 * the dataset-user view's fields. The loaders are fakes that count their calls; their rankers
 * order candidates by movie index, highest first, so a list shows which ranker made it.
 */
import { describe, expect, it } from 'vitest';
import { WrenError } from '../../../src/core/errors.ts';
import type { SavedModel } from '../../../src/core/models/types.ts';
import { buildCatalog, type CatalogMovie } from '../../../src/core/recommend/catalog.ts';
import { CHANNELS } from '../../../src/core/recommend/channels.ts';
import {
  StoredRankers,
  type RankerLoaders,
  type StoredModel,
} from '../../../src/core/recommend/for-you-models.ts';
import {
  ForYou,
  ForYouSession,
  type DatasetUserRatings,
  type ForYouInput,
  type ForYouOptions,
} from '../../../src/core/recommend/for-you-session.ts';
import type { Ranker } from '../../../src/core/recommend/rankers.ts';
import type { MovieVectors } from '../../../src/core/recommend/user-state.ts';

const N = 60;
/** Movies 0–29 are Drama, 30–59 Comedy; lower indexes are more rated (every one above 10 ratings). */
const movies: CatalogMovie[] = Array.from({ length: N }, (_, i) => ({
  index: i,
  movieId: 1000 + i,
  title: `Movie ${i} (${1980 + (i % 30)})`,
  year: 1980 + (i % 30),
  genres: [i < 30 ? 'Drama' : 'Comedy'],
  ratingCount: 500 - 5 * i,
  ratingAvg: 3 + (i % 5) / 5,
}));
const catalog = buildCatalog(movies);

/** Drama along axis 0, Comedy along axis 1, each a little apart. */
const embedding: MovieVectors = (() => {
  const dim = 4;
  const vectors = new Float32Array(N * dim);
  for (let m = 0; m < N; m++) {
    vectors[m * dim + (m < 30 ? 0 : 1)] = 0.95;
    vectors[m * dim + 2 + (m % 2)] = 0.3;
  }
  const items = Int32Array.from({ length: N }, (_, m) => m);
  return { dim, items, vectors, rowOf: items.slice() };
})();

const row = (
  id: string,
  model: string,
  protocol: string,
  title: string,
  metrics: Record<string, number> = {},
  createdAt = 0,
): StoredModel => ({ id, model, protocol, title, metrics, createdAt });

/** A stored model's arrays; `config.id` tells the fake loaders which one they were given. */
const saved = (
  id: string,
  model: string,
  itemCount = N,
  arrays: SavedModel['arrays'] = {},
): SavedModel => ({ model, config: { id }, userCount: 10, itemCount, arrays });

/** A CTR model's arrays with its serving data (standardization, four numbers per movie). */
const ctrSaved = (id: string, model: string): SavedModel =>
  saved(id, model, N, {
    'norm:mean': new Float32Array(4),
    'movie:nums': new Float32Array(N * 4),
  });

/** Orders candidates by movie index, highest first. */
const fakeRanker = (name: string, title: string, extra: Partial<Ranker> = {}): Ranker => ({
  name,
  title,
  score(_input, candidates, out) {
    candidates.forEach((c, j) => (out[j] = c.movie));
  },
  ...extra,
});

/** Loaders over an in-memory store, counting which model each loader was asked for. */
function fakeLoaders(store: Map<string, SavedModel>, extra: Partial<Ranker> = {}) {
  const calls = { model: [] as string[], personal: [] as string[], ctr: [] as string[] };
  const ctrGenres: (readonly string[])[] = [];
  const idOf = (s: SavedModel): string => String(s.config.id);
  const loaders: RankerLoaders = {
    saved: async (id) => store.get(id),
    model: async (s, title) => {
      calls.model.push(idOf(s));
      return fakeRanker(s.model, title, extra);
    },
    personal: (s, _catalog, title) => {
      calls.personal.push(idOf(s));
      return fakeRanker('personal', title, extra);
    },
    ctr: async (s, _catalog, genres, title) => {
      calls.ctr.push(idOf(s));
      ctrGenres.push(genres);
      return fakeRanker(s.model, title, extra);
    },
  };
  return { loaders, calls, ctrGenres };
}

/** Every kind of stored row: two rankable ncf-loo models, rows For You never offers, two CTR models, two personal ones. */
const STORED: StoredModel[] = [
  row('knn', 'itemknn', 'ncf-loo', 'ItemKNN', { ndcg: 0.1 }),
  row('ease', 'ease', 'ncf-loo', 'EASE', { ndcg: 0.3 }),
  row('odd', 'not-a-model', 'ncf-loo', 'Odd', { ndcg: 0.9 }),
  row('fr', 'ease', 'full-rank', 'EASE full-rank', { ndcg: 0.5 }),
  row('lr', 'lr', 'sparrow-ctr', 'LR', { rocAuc: 0.7 }),
  row('dfm', 'deepfm', 'sparrow-ctr', 'DeepFM', { rocAuc: 0.75 }),
  row('bare', 'fm', 'sparrow-ctr', 'FM', { rocAuc: 0.9 }),
  row('rnd', 'lr', 'ctr-random', 'LR random', { rocAuc: 0.95 }),
  row('p-old', 'ease', 'personal', 'Your older model', {}, 1),
  row('p-new', 'ease', 'personal', 'Your model', {}, 2),
];

const storeOf = (): Map<string, SavedModel> =>
  new Map([
    ['knn', saved('knn', 'itemknn')],
    ['ease', saved('ease', 'ease')],
    ['odd', saved('odd', 'not-a-model')],
    ['fr', saved('fr', 'ease')],
    ['lr', ctrSaved('lr', 'lr')],
    ['dfm', ctrSaved('dfm', 'deepfm')],
    // Saved without its serving data: it can't rank For You.
    ['bare', saved('bare', 'fm')],
    ['rnd', ctrSaved('rnd', 'lr')],
    ['p-old', saved('p-old', 'ease')],
    ['p-new', saved('p-new', 'ease')],
  ]);

/** Six Drama movies liked, one Comedy disliked. */
const HISTORY = [
  ...[0, 1, 2, 3, 4, 5].map((movie, i) => ({ movie, rating: 4.5, at: 100 + i })),
  { movie: 40, rating: 1, at: 200 },
];

/** Some of the settings: the session fills in the pipeline's defaults. */
const opts = (o: Partial<ForYouOptions>): ForYouOptions => o as ForYouOptions;

const input = (over: Partial<ForYouInput> = {}): ForYouInput => ({
  datasetId: 'ml',
  catalog,
  embedding,
  embeddingName: 'item2vec',
  profile: { history: HISTORY, notInterested: new Set([6]), unmatched: 2 },
  options: opts({ k: 10 }),
  scale: { min: 0.5, max: 5 },
  stored: STORED,
  genres: ['Drama', 'Comedy'],
  ...over,
});

async function sessionOf(
  over: Partial<ForYouInput> = {},
  store = storeOf(),
  extra: Partial<Ranker> = {},
) {
  const fake = fakeLoaders(store, extra);
  const s = await ForYouSession.create(
    input(over),
    new StoredRankers(fake.loaders),
    fake.loaders.saved,
  );
  return { s, ...fake };
}

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<WrenError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as WrenError;
  }
  throw new Error('expected a rejection');
}

describe('For You’s stored models', () => {
  it('offers ncf-loo models by NDCG@10, then servable sparrow-ctr ones by ROC-AUC, titled with it', async () => {
    const { s } = await sessionOf();
    expect(s.models.map((m) => m.id)).toEqual(['ease', 'knn', 'dfm', 'lr']);
    expect(s.models.map((m) => m.title)).toEqual([
      'EASE',
      'ItemKNN',
      'DeepFM (ROC-AUC 0.750)',
      'LR (ROC-AUC 0.700)',
    ]);
    expect(s.personal?.id).toBe('p-new');
  });

  it('leaves out a CTR model whose arrays are not stored any more', async () => {
    const store = storeOf();
    store.delete('dfm');
    const { s } = await sessionOf({}, store);
    expect(s.models.map((m) => m.id)).toEqual(['ease', 'knn', 'lr']);
  });
});

describe('the ranker choices', () => {
  it('lists auto, fusion, the embedding, then every offered model, NDCG@10 on ncf-loo ones only', async () => {
    const { s } = await sessionOf();
    const choices = s.choices();
    expect(choices.map((c) => [c.id, c.title])).toEqual([
      ['auto', "Wren's default (Your model)"],
      ['fusion', 'Channel fusion'],
      ['embedding', 'Embedding similarity'],
      ['ease', 'EASE'],
      ['knn', 'ItemKNN'],
      ['dfm', 'DeepFM (ROC-AUC 0.750)'],
      ['lr', 'LR (ROC-AUC 0.700)'],
    ]);
    expect(choices.map((c) => c.ndcg)).toEqual([
      undefined,
      undefined,
      undefined,
      0.3,
      0.1,
      undefined,
      undefined,
    ]);
    expect(choices[5]).not.toHaveProperty('ndcg');
  });

  it('titles auto by what it stands for: the best ncf-loo model, else the embedding, else fusion', async () => {
    const auto = async (over: Partial<ForYouInput>) =>
      (await sessionOf(over)).s.choices().find((c) => c.id === 'auto')!.title;
    const noPersonal = STORED.filter((r) => r.protocol !== 'personal');
    expect(await auto({ stored: noPersonal })).toBe('Best on validation (EASE)');
    // CTR models are offered but never stand for auto.
    const ctrOnly = noPersonal.filter((r) => r.protocol !== 'ncf-loo');
    expect(await auto({ stored: ctrOnly })).toBe('Best available (embedding similarity)');
    expect(await auto({ stored: ctrOnly, embedding: null })).toBe(
      'Best available (channel fusion)',
    );
  });

  it('offers no embedding choice without an embedding', async () => {
    const { s } = await sessionOf({ embedding: null });
    expect(s.choices().map((c) => c.id)).toEqual(['auto', 'fusion', 'ease', 'knn', 'dfm', 'lr']);
  });
});

describe('choosing a ranker', () => {
  it('auto is the newest personal model; the list names it once there is enough signal', async () => {
    const { s, calls } = await sessionOf();
    await s.choose('auto');
    expect(s.choice).toBe('auto');
    expect(s.ctx.ranker?.title).toBe('Your model');
    expect(calls.personal).toEqual(['p-new']);
    const r = s.forYou();
    expect(r.stage).toBe('model');
    expect(r.ranker).toBe('personal');
    expect(r.rankerTitle).toBe('Your model');
    expect(r.choice).toBe('auto');
  });

  it('auto falls back to the best ncf-loo model when the personal one was trained on other movies', async () => {
    const store = storeOf();
    store.set('p-new', saved('p-new', 'ease', N + 1));
    const { s, calls } = await sessionOf({}, store);
    await s.choose('auto');
    expect(s.ctx.ranker?.title).toBe('EASE');
    expect(calls.personal).toEqual([]);
    expect(calls.model).toEqual(['ease']);
  });

  it('auto falls back to the embedding’s cosine when no stored model can rank, and to fusion without one', async () => {
    const store = storeOf();
    store.delete('p-new');
    store.set('ease', saved('ease', 'ease', N - 1));
    const { s } = await sessionOf({}, store);
    await s.choose('auto');
    expect(s.ctx.ranker?.name).toBe('embedding');
    expect(s.forYou().rankerTitle).toBe('Embedding similarity');

    const bare = await sessionOf({ embedding: null }, store);
    await bare.s.choose('auto');
    expect(bare.s.ctx.ranker).toBeNull();
    const r = bare.s.forYou();
    expect(r.stage).toBe('fusion');
    expect(r.rankerTitle).toBe('Channel fusion');
  });

  it('a stored model chosen by name that can’t rank gives fusion, not the cosine', async () => {
    const store = storeOf();
    store.set('knn', saved('knn', 'itemknn', N + 5));
    const { s } = await sessionOf({}, store);
    await s.choose('knn');
    expect(s.choice).toBe('knn');
    expect(s.ctx.ranker).toBeNull();
    expect(s.forYou().stage).toBe('fusion');
    // A CTR model stored again without its serving data after the session was opened.
    store.set('lr', saved('lr', 'lr'));
    await s.choose('lr');
    expect(s.choice).toBe('lr');
    expect(s.ctx.ranker).toBeNull();
  });

  it('a model that is not offered any more falls back to auto', async () => {
    const { s } = await sessionOf();
    await s.choose('knn');
    await s.choose('gone');
    expect(s.choice).toBe('auto');
    expect(s.ctx.ranker?.title).toBe('Your model');
    // ctr-random and full-rank models are stored but never offered.
    await s.choose('rnd');
    expect(s.choice).toBe('auto');
  });

  it('fusion has no ranker, embedding the cosine, and each stored model its own loader', async () => {
    const { s, calls, ctrGenres } = await sessionOf();
    await s.choose('fusion');
    expect(s.ctx.ranker).toBeNull();
    await s.choose('embedding');
    expect(s.ctx.ranker?.name).toBe('embedding');
    await s.choose('p-old');
    expect(s.choice).toBe('auto');
    await s.choose('p-new');
    expect(s.choice).toBe('p-new');
    expect(s.ctx.ranker?.name).toBe('personal');
    await s.choose('dfm');
    expect(s.ctx.ranker?.title).toBe('DeepFM (ROC-AUC 0.750)');
    expect(calls.ctr).toEqual(['dfm']);
    expect(ctrGenres).toEqual([['Drama', 'Comedy']]);

    const { s: plain } = await sessionOf({ embedding: null });
    await plain.choose('embedding');
    expect(plain.choice).toBe('embedding');
    expect(plain.ctx.ranker).toBeNull();
  });
});

describe('loading each stored model once', () => {
  it('reuses a loaded ranker across choices and the dataset-user view', async () => {
    const { s, calls } = await sessionOf();
    await s.choose('knn');
    await s.choose('ease');
    await s.choose('knn');
    const first = s.ctx.ranker;
    await s.datasetUser(7, 5, ratingsOf(), undefined);
    await s.choose('ease');
    await s.choose('knn');
    expect(s.ctx.ranker).toBe(first);
    expect(calls.model.sort()).toEqual(['ease', 'knn']);
    expect(calls.personal).toEqual(['p-new']);
    expect(calls.ctr.sort()).toEqual(['dfm', 'lr']);
  });

  it('keeps the loaded rankers while the same dataset is opened again, drops them for another', async () => {
    const store = storeOf();
    const fake = fakeLoaders(store);
    const forYou = new ForYou(fake.loaders);
    await forYou.open(input({ options: opts({ ranker: 'knn' }) }));
    await forYou.open(input({ options: opts({ ranker: 'knn' }) }));
    expect(fake.calls.model).toEqual(['knn']);
    await forYou.open(input({ datasetId: 'other', options: opts({ ranker: 'knn' }) }));
    expect(fake.calls.model).toEqual(['knn', 'knn']);
    await forYou.open(input({ datasetId: 'other' }));
    expect(fake.calls.personal).toEqual(['p-new']);
    expect(forYou.session().datasetId).toBe('other');
  });

  it('configure changes the ranker only when the choice changes, and keeps earlier settings', async () => {
    const store = storeOf();
    const fake = fakeLoaders(store);
    const forYou = new ForYou(fake.loaders);
    const opened = await forYou.open(input({ options: opts({ ranker: 'knn', k: 10 }) }));
    expect(opened.choice).toBe('knn');
    expect(opened.items).toHaveLength(10);
    const s = forYou.session();
    const ranker = s.ctx.ranker;
    const r = await s.configure(opts({ k: 4 }));
    expect(r.items).toHaveLength(4);
    expect(r.choice).toBe('knn');
    expect(s.ctx.ranker).toBe(ranker);
    const again = await s.configure(opts({ ranker: 'ease' }));
    expect(again.items).toHaveLength(4);
    expect(again.rankerTitle).toBe('EASE');
    expect(fake.calls.model).toEqual(['knn', 'ease']);
  });

  it('answers not-found before any dataset is open', async () => {
    const forYou = new ForYou(fakeLoaders(storeOf()).loaders);
    const e = await rejection(() => forYou.session());
    expect(e).toBeInstanceOf(WrenError);
    expect(e.code).toBe('not-found');
  });
});

describe('your list', () => {
  it('counts your ratings and likes, and follows each change', async () => {
    const { s } = await sessionOf();
    await s.choose('knn');
    const r = s.forYou();
    expect(r.rated).toBe(7);
    expect(r.liked).toBe(6);
    expect(r.unmatched).toBe(2);
    expect(r.embedding).toBe('item2vec');
    // The fake ranker puts the highest unseen index first; 6 is not wanted, 0–5 and 40 are rated.
    const top = r.items[0]!.movie;
    expect(r.items.some((x) => [0, 1, 2, 3, 4, 5, 6, 40].includes(x.movie))).toBe(false);
    const hidden = s.change({ kind: 'not-interested', movie: top, on: true });
    expect(hidden.items.map((x) => x.movie)).not.toContain(top);
    const shown = s.change({ kind: 'not-interested', movie: top, on: false });
    expect(shown.items[0]!.movie).toBe(top);
    const rated = s.change({ kind: 'rate', movie: top, rating: 2, at: 300 });
    expect(rated.rated).toBe(8);
    expect(rated.items.map((x) => x.movie)).not.toContain(top);
    expect(s.change({ kind: 'unrate', movie: top }).rated).toBe(7);
  });

  it('explains only movies of this dataset, and gives your history back', async () => {
    const { s } = await sessionOf();
    for (const m of [-1, N, 1.5])
      expect((await rejection(() => s.explain(m))).code).toBe('not-found');
    const liked = s.explain(0);
    expect(liked.yourRating).toBe(4.5);
    expect(liked.rated).toBe(7);
    expect(liked.embedding).toBe('item2vec');
    // Close to a liked Drama movie: other Drama movies you have neither rated nor hidden.
    expect(liked.because.length).toBeGreaterThan(0);
    for (const m of liked.because) {
      expect(m).toBeLessThan(30);
      expect([0, 1, 2, 3, 4, 5, 6]).not.toContain(m);
    }
    expect(s.explain(40).because).toEqual([]);
    expect(s.history()).toEqual({ history: HISTORY, unmatched: 2 });
  });

  it('onboarding never picks a movie you rated, hid or were shown, and at most 100', async () => {
    const { s } = await sessionOf();
    const picks = s.onboarding([10, 11, -3], [12], 8.7);
    expect(picks).toHaveLength(8);
    for (const m of picks) expect([0, 1, 2, 3, 4, 5, 6, 40, 10, 11, 12]).not.toContain(m);
    expect(s.onboarding([], [], 500).length).toBeLessThanOrEqual(100);
    expect(s.onboarding([], [], -2)).toEqual([]);
  });
});

/** Dataset user 7 at index 3: two Comedy movies liked, one Drama movie disliked (half-stars). */
const ratingsOf = (): DatasetUserRatings => ({
  index: 3,
  movie: Int32Array.from([31, 32, 8]),
  rating: Uint8Array.from([10, 9, 3]),
  timestamp: Uint32Array.from([100, 200, 300]),
});

describe('a dataset user laid open', () => {
  it('gives their history in stars, their position, and their demographics', async () => {
    const { s } = await sessionOf();
    const users = {
      userIds: [1, 2, 5, 7, 9],
      gender: [null, 'M', 'M', 'F', 'M'] as ('M' | 'F' | null)[],
      age: [18, 25, 35, 45, 50],
      occupation: null,
    };
    const v = await s.datasetUser(7, 5, ratingsOf(), users);
    expect(v.userId).toBe(7);
    expect(v.users).toBe(5);
    expect(v.index).toBe(3);
    expect(v.history).toEqual([
      { movie: 31, rating: 5, at: 100 },
      { movie: 32, rating: 4.5, at: 200 },
      { movie: 8, rating: 1.5, at: 300 },
    ]);
    expect(v.demographics).toEqual({ gender: 'F', age: 45, occupation: null });
    expect(v.embedding).toBe('item2vec');

    const none = await s.datasetUser(7, 5, ratingsOf(), {
      userIds: [1, 2, 5, 7],
      gender: null,
      age: null,
      occupation: null,
    });
    expect(none.demographics).toBeNull();
    expect(none.users).toBe(4);
    const jobs = await s.datasetUser(7, 5, ratingsOf(), {
      userIds: [1, 2, 5, 7],
      gender: null,
      age: null,
      occupation: [null, null, null, 'writer'],
    });
    expect(jobs.demographics).toEqual({ gender: null, age: null, occupation: 'writer' });
    const unknown = await s.datasetUser(7, 5, ratingsOf(), undefined);
    expect(unknown.users).toBe(0);
    expect(unknown.demographics).toBeNull();
  });

  it('answers not-found for a user the dataset does not have', async () => {
    const { s } = await sessionOf();
    const e = await rejection(s.datasetUser(99, 5, null, undefined));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('There is no user 99 in this dataset.');
  });

  it('runs the pipeline with fusion, the cosine, Wren’s default and each stored model that can rank', async () => {
    const store = storeOf();
    store.set('knn', saved('knn', 'itemknn', N + 1));
    const { s } = await sessionOf({}, store);
    const v = await s.datasetUser(7, 5, ratingsOf(), undefined);
    expect(v.rankers.map((r) => [r.name, r.title])).toEqual([
      ['fusion', 'Channel fusion'],
      ['embedding', 'Embedding similarity'],
      ['p-new', 'Your model'],
      ['ease', 'EASE'],
      ['dfm', 'DeepFM (ROC-AUC 0.750)'],
      ['lr', 'LR (ROC-AUC 0.700)'],
    ]);
    for (const r of v.rankers) {
      expect(r.movies.length).toBeLessThanOrEqual(5);
      for (const m of [31, 32, 8]) expect(r.movies).not.toContain(m);
    }
    // Every model ranks from the first rating (minForModel 0); the fakes put high indexes first.
    const ease = v.rankers.find((r) => r.name === 'ease')!;
    expect(ease.stage).toBe('model');
    expect(ease.movies).toEqual([...ease.movies].sort((a, b) => b - a));
    expect(v.rankers[0]!.stage).toBe('fusion');
  });

  it('shows at most eight model columns: the personal model, then the offered models in order', async () => {
    const many = Array.from({ length: 10 }, (_, i) =>
      row(`m${i}`, 'itemknn', 'ncf-loo', `KNN ${i}`, { ndcg: 1 - i / 10 }),
    );
    const store = new Map(many.map((r) => [r.id, saved(r.id, 'itemknn')]));
    store.set('p-new', saved('p-new', 'ease'));
    const { s } = await sessionOf({ stored: [...many, STORED[9]!], embedding: null }, store);
    const v = await s.datasetUser(7, 5, ratingsOf(), undefined);
    expect(v.rankers.map((r) => r.name)).toEqual([
      'fusion',
      'p-new',
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
    ]);
    expect(v.embedding).toBeNull();
  });

  it('lists each channel alone: no embedding channels without one, the tower only for a retrieving ranker', async () => {
    const { s } = await sessionOf();
    const v = await s.datasetUser(7, 4, ratingsOf(), undefined);
    expect(v.channels.map((c) => c.channel)).toEqual(CHANNELS.filter((c) => c !== 'tower'));
    const popular = v.channels.find((c) => c.channel === 'popular')!;
    expect(popular.movies).toEqual([0, 1, 2, 3]);
    expect(popular.reasons).toHaveLength(4);

    const { s: plain } = await sessionOf({ embedding: null });
    const p = await plain.datasetUser(7, 4, ratingsOf(), undefined);
    expect(p.channels.map((c) => c.channel)).toEqual(
      CHANNELS.filter((c) => c !== 'tower' && c !== 'embedding' && c !== 'because'),
    );

    const retrieve = () => ({ movies: [59, 58], scores: [2, 1] });
    const { s: tower } = await sessionOf({}, storeOf(), { retrieve });
    await tower.choose('knn');
    const t = await tower.datasetUser(7, 4, ratingsOf(), undefined);
    expect(t.channels.map((c) => c.channel)).toEqual(CHANNELS);
    expect(t.channels.find((c) => c.channel === 'tower')!.movies).toEqual([59, 58]);
  });
});

describe('models imported from safetensors files', () => {
  /** Two imported models (one keyed by this dataset's users, one by others) and one that can't rank. */
  const imported = (): { stored: StoredModel[]; store: Map<string, SavedModel> } => {
    const store = storeOf();
    store.set('imp-old', saved('imp-old', 'neumf'));
    store.set('imp-new', saved('imp-new', 'ease'));
    store.set('imp-odd', saved('imp-odd', 'not-a-model'));
    const stored: StoredModel[] = [
      ...STORED,
      { ...row('imp-old', 'neumf', 'imported', 'NeuMF (imported from t.safetensors)', {}, 5) },
      {
        ...row('imp-new', 'ease', 'imported', 'EASE (imported from e.safetensors)', {}, 6),
        usersMatch: true,
      },
      row('imp-odd', 'not-a-model', 'imported', 'Odd (imported)', {}, 7),
    ];
    return { stored, store };
  };

  it('offers them after the ncf-loo models, newest first, titled as not evaluated, never as auto', async () => {
    const { stored, store } = imported();
    const { s } = await sessionOf(
      { stored: stored.filter((r) => r.protocol !== 'personal') },
      store,
    );
    expect(s.models.map((m) => m.id)).toEqual(['ease', 'knn', 'imp-new', 'imp-old', 'dfm', 'lr']);
    const choices = s.choices();
    expect(choices.find((c) => c.id === 'imp-old')).toEqual({
      id: 'imp-old',
      title: 'NeuMF (imported from t.safetensors) — not evaluated here',
    });
    // 'auto' is the best model Wren evaluated, not an imported one.
    expect(choices[0]!.title).toBe('Best on validation (EASE)');
    const only = await sessionOf(
      { stored: stored.filter((r) => r.protocol === 'imported') },
      store,
    );
    expect(only.s.bestModel()).toBeUndefined();
  });

  it('ranks For You with one chosen by name, through the stored-model loader', async () => {
    const { stored, store } = imported();
    const { s, calls } = await sessionOf({ stored }, store);
    await s.choose('imp-old');
    expect(s.choice).toBe('imp-old');
    expect(calls.model).toEqual(['imp-old']);
    const r = s.forYou();
    expect(r.ranker).toBe('neumf');
    expect(r.rankerTitle).toBe('NeuMF (imported from t.safetensors) — not evaluated here');
    expect(r.items.length).toBeGreaterThan(0);
  });

  it('ranks a dataset user only with one whose user rows are the dataset’s users', async () => {
    const { stored, store } = imported();
    const { s } = await sessionOf({ stored }, store);
    const v = await s.datasetUser(7, 5, ratingsOf(), undefined);
    const names = v.rankers.map((r) => r.name);
    expect(names).toContain('imp-new');
    expect(names).not.toContain('imp-old');
  });
});
