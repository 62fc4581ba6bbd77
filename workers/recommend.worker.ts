/// <reference lib="webworker" />
/**
 * Recommendations worker: holds the open dataset's catalogue, the chosen
 * embedding, the best stored ranking model and your real-time features, and
 * answers each change of your profile with a new For You list (recall → rank
 * → re-rank, src/core/recommend). tfjs is loaded only when the chosen model
 * is a neural one.
 */
import * as Comlink from 'comlink';
import { jobRunner } from './jobs.ts';
import { WrenError } from '../src/core/errors.ts';
import { loadModel } from '../src/core/models/index.ts';
import type { SequentialModel } from '../src/core/models/sequential.ts';
import { attentionView } from '../src/core/recommend/attention-view.ts';
import { buildCatalog, type Catalog } from '../src/core/recommend/catalog.ts';
import { CHANNELS, recallChannel } from '../src/core/recommend/channels.ts';
import { predictRating } from '../src/core/recommend/predict.ts';
import {
  DEFAULT_PIPELINE,
  mainReason,
  reasonText,
  recommend,
  type PipelineContext,
  type PipelineOptions,
} from '../src/core/recommend/pipeline.ts';
import {
  idFamily,
  LIKED,
  MovieMatcher,
  resolveProfile,
  type Profile,
} from '../src/core/recommend/profile.ts';
import { embeddingRanker, type Ranker } from '../src/core/recommend/rankers.ts';
import { movieVectors, UserState } from '../src/core/recommend/user-state.ts';
import {
  WrenDb,
  allMovies,
  chosenEmbedding,
  getEmbeddingData,
  getModelData,
  getUsers,
  listModels,
  ratingsOfUser,
  type ModelRow,
} from '../src/store/index.ts';
import type {
  DatasetUserView,
  ForYouResult,
  MovieForYou,
  RankerChoice,
  RecommendWorkerApi,
} from './recommend-protocol.ts';
import {
  ctrServable,
  forYouCtrRows,
  loadCtrRanker,
  loadPersonalRanker,
  loadRanker,
  RANKABLE,
} from './rankers.ts';
import { onboardingPicks, RATED_LOW } from '../src/core/recommend/onboarding.ts';

const db = new WrenDb();
const jobs = jobRunner();

interface Session {
  datasetId: string;
  ctx: PipelineContext;
  state: UserState;
  notInterested: Set<number>;
  unmatched: number;
  embedding: string | null;
  options: PipelineOptions;
  /** The dataset's rating scale in stars. */
  scale: { min: number; max: number };
  /** Stored ncf-loo models, best NDCG@10 first, then servable sparrow-ctr ones, best ROC-AUC first. */
  models: ModelRow[];
  /** The automatic build's model (For You's default ranker), the newest one. */
  personal: ModelRow | undefined;
  /** The dataset's genre list (the vocabulary CTR models were trained with). */
  genres: string[];
  choice: string;
}
let session: Session | null = null;
/** Loaded stored models by id (the dataset-user view asks for each of them). */
const loaded = new Map<string, Promise<Ranker | null>>();

/** The stored sequence model the attention view read last (one kept: they are large). */
let sequence: { id: string; read: Promise<{ model: SequentialModel; users: number }> } | null =
  null;

/** A stored SASRec or GRU4Rec model, loaded in plain JS (no tfjs), with its dataset user count. */
function sequenceModel(id: string): Promise<{ model: SequentialModel; users: number }> {
  if (sequence?.id === id) return sequence.read;
  const read = getModelData(db, id).then(async (data) => {
    if (!data) throw new WrenError('not-found', 'That model is not stored any more.');
    const { saved } = data;
    if (saved.model !== 'sasrec' && saved.model !== 'gru4rec')
      throw new WrenError('invalid-settings', `${saved.model} is not a sequence model.`);
    return { model: (await loadModel(saved)) as SequentialModel, users: saved.userCount };
  });
  sequence = { id, read };
  read.catch(() => {
    if (sequence?.read === read) sequence = null;
  });
  return read;
}

/** The automatic build's newest model among a dataset's stored models. */
function personalModel(stored: readonly ModelRow[]): ModelRow | undefined {
  const rows = stored.filter((r) => r.protocol === 'personal');
  return rows.sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** The stored models that can rank: ncf-loo ones, best NDCG@10 first. */
function rankableModels(stored: readonly ModelRow[]): ModelRow[] {
  const rows = stored.filter((r) => r.protocol === 'ncf-loo' && RANKABLE.includes(r.model));
  return rows.sort((a, b) => (b.metrics.ndcg ?? 0) - (a.metrics.ndcg ?? 0));
}

/**
 * The stored sparrow-ctr models that can rank For You (forYouCtrRows: never ctr-random's; those
 * saved with their standardization and movie features), best ROC-AUC first, titled with it.
 */
async function ctrModels(stored: readonly ModelRow[], catalog: Catalog): Promise<ModelRow[]> {
  const rows = forYouCtrRows(stored);
  const ok = await Promise.all(
    rows.map(async (r) => {
      const data = await getModelData(db, r.id);
      return !!data && ctrServable(data.saved, catalog);
    }),
  );
  return rows
    .filter((_, i) => ok[i])
    .sort((a, b) => (b.metrics.rocAuc ?? 0) - (a.metrics.rocAuc ?? 0))
    .map((r) => ({ ...r, title: `${r.title} (ROC-AUC ${(r.metrics.rocAuc ?? 0).toFixed(3)})` }));
}

function rankerOf(row: ModelRow, catalog: Catalog, genres: string[] = []): Promise<Ranker | null> {
  let r = loaded.get(row.id);
  if (!r) {
    r = getModelData(db, row.id).then((data) =>
      !data
        ? null
        : row.protocol === 'sparrow-ctr'
          ? ctrServable(data.saved, catalog)
            ? loadCtrRanker(data.saved, catalog, genres, row.title)
            : null
          : data.saved.itemCount !== catalog.count
            ? null
            : row.protocol === 'personal'
              ? loadPersonalRanker(data.saved, catalog, row.title)
              : loadRanker(data.saved, row.title),
    );
    loaded.set(row.id, r);
  }
  return r;
}

/** Puts a ranker choice in force; a model that is gone falls back to 'auto'. */
async function choose(s: Session, choice: string): Promise<void> {
  const known = choice === 'auto' || choice === 'fusion' || choice === 'embedding';
  const stored = s.models.some((m) => m.id === choice) || s.personal?.id === choice;
  const c = known || stored ? choice : 'auto';
  s.ctx.ranker = await chosenRanker(s, c);
  s.choice = c;
}

function openSession(): Session {
  if (!session) throw new WrenError('not-found', 'No dataset is open for recommendations.');
  return session;
}

/** The best stored ncf-loo model ('auto'), if any. */
const bestModel = (s: Session): ModelRow | undefined =>
  s.models.find((m) => m.protocol === 'ncf-loo');

/**
 * The ranker for a choice: 'auto' is the automatic build's personal ranker,
 * else the best stored ncf-loo model, else the embedding's cosine.
 */
async function chosenRanker(s: Session, choice: string): Promise<Ranker | null> {
  const { catalog, embedding } = s.ctx;
  const cosine = embedding ? embeddingRanker(embedding) : null;
  if (choice === 'fusion') return null;
  if (choice === 'embedding') return cosine;
  if (choice === 'auto' && s.personal) {
    const personal = await rankerOf(s.personal, catalog);
    if (personal) return personal;
  }
  const row =
    choice === 'auto'
      ? bestModel(s)
      : choice === s.personal?.id
        ? s.personal
        : s.models.find((m) => m.id === choice);
  if (!row) {
    if (choice !== 'auto') throw new WrenError('not-found', 'That model is not stored any more.');
    return cosine;
  }
  return (await rankerOf(row, catalog, s.genres)) ?? (choice === 'auto' ? cosine : null);
}

function choices(s: Session): RankerChoice[] {
  const best = bestModel(s);
  return [
    {
      id: 'auto',
      title: s.personal
        ? `Wren's default (${s.personal.title})`
        : best
          ? `Best on validation (${best.title})`
          : s.ctx.embedding
            ? 'Best available (embedding similarity)'
            : 'Best available (channel fusion)',
    },
    { id: 'fusion', title: 'Channel fusion' },
    ...(s.ctx.embedding ? [{ id: 'embedding', title: 'Embedding similarity' }] : []),
    ...s.models.map((m) =>
      m.protocol === 'sparrow-ctr'
        ? { id: m.id, title: m.title }
        : { id: m.id, title: m.title, ndcg: m.metrics.ndcg },
    ),
  ];
}

function forYou(s: Session): ForYouResult {
  const r = recommend(s.ctx, { state: s.state }, s.options, s.notInterested);
  const c = s.ctx.catalog;
  return {
    items: r.items.map((x) => ({
      movie: x.movie,
      score: x.score,
      reason: reasonText(c, mainReason(x.hits)),
      channels: CHANNELS.filter((ch) => x.hits.some((h) => h.channel === ch)),
    })),
    stage: r.stage,
    ranker: r.ranker,
    rankerTitle: r.ranker === s.ctx.ranker?.name ? s.ctx.ranker.title : 'Channel fusion',
    perChannel: r.perChannel,
    candidates: r.candidates,
    ms: r.ms,
    rated: s.state.count,
    liked: s.state.positives().length,
    unmatched: s.unmatched,
    embedding: s.embedding,
    rankers: choices(s),
    choice: s.choice,
  };
}

const api: RecommendWorkerApi = {
  open(datasetId, profile: Profile, options) {
    return jobs.run(async () => {
      const ds = await db.datasets.get(datasetId);
      if (!ds || ds.status !== 'ready')
        throw new WrenError('not-found', 'That dataset is not here any more.');
      if (session?.datasetId !== datasetId) loaded.clear();
      const movies = await allMovies(db, datasetId);
      const catalog = buildCatalog(movies);
      const chosen = await chosenEmbedding(db, datasetId);
      const data = chosen && (await getEmbeddingData(db, chosen.id));
      const embedding = data ? movieVectors(data.items, data.vectors) : null;
      const matcher = new MovieMatcher({
        ids: idFamily(ds.format),
        movieIds: catalog.movieIds,
        titles: catalog.titles,
      });
      const resolved = resolveProfile(profile, matcher);
      const stored = await listModels(db, datasetId);
      session = {
        datasetId,
        ctx: { catalog, embedding, ranker: null },
        state: UserState.from(catalog, embedding, resolved.history),
        notInterested: resolved.notInterested,
        unmatched: resolved.unmatched,
        embedding: chosen?.name ?? null,
        options: { ...DEFAULT_PIPELINE, ...options },
        scale: { min: ds.minRating / 2, max: ds.maxRating / 2 },
        models: [...rankableModels(stored), ...(await ctrModels(stored, catalog))],
        personal: personalModel(stored),
        genres: [...ds.genres],
        choice: 'auto',
      };
      await choose(session, options.ranker ?? 'auto');
      return forYou(session);
    });
  },

  change(change) {
    return jobs.run(async () => {
      const s = session;
      if (!s) throw new WrenError('not-found', 'No dataset is open for recommendations.');
      if (change.kind === 'rate')
        s.state.rate({ movie: change.movie, rating: change.rating, at: change.at });
      else if (change.kind === 'unrate') s.state.unrate(change.movie);
      else if (change.on) s.notInterested.add(change.movie);
      else s.notInterested.delete(change.movie);
      return forYou(s);
    });
  },

  configure(options) {
    return jobs.run(async () => {
      const s = openSession();
      if (options.ranker !== undefined && options.ranker !== s.choice)
        await choose(s, options.ranker);
      s.options = { ...s.options, ...options };
      return forYou(s);
    });
  },

  explain(movie) {
    return jobs.run(async () => {
      const s = openSession();
      const { catalog, embedding } = s.ctx;
      if (!Number.isInteger(movie) || movie < 0 || movie >= catalog.count)
        throw new WrenError('not-found', `There is no movie ${movie} in this dataset.`);
      const p = predictRating(catalog, embedding, s.state.ratings.values(), movie, {
        min: s.scale.min,
        max: s.scale.max,
      });
      const yours = s.state.ratings.get(movie)?.rating ?? null;
      let because: number[] = [];
      if (yours !== null && yours >= LIKED && embedding) {
        const one = new UserState(catalog, embedding);
        one.rate({ movie, rating: yours, at: 0 });
        // Rare movies are not trusted as neighbours (unless you asked for hidden gems).
        const seen = (m: number): boolean =>
          s.state.ratings.has(m) ||
          s.notInterested.has(m) ||
          catalog.ratingCount[m]! < (s.options.minRatings ?? 0);
        because = recallChannel(s.ctx, one, 'because', 12, seen).movies;
      }
      const out: MovieForYou = {
        movie,
        yourRating: yours,
        rated: s.state.count,
        predicted: p.rating,
        movieBaseline: p.movieBaseline,
        yourOffset: p.yourOffset,
        neighbourPull: p.neighbourPull,
        neighbours: p.neighbours.slice(0, 5),
        embedding: embedding ? s.embedding : null,
        because,
      };
      return out;
    });
  },

  history() {
    return jobs.run(async () => {
      const s = openSession();
      return { history: s.state.history(), unmatched: s.unmatched };
    });
  },

  datasetUser(userId, k) {
    return jobs.run(async () => {
      const s = openSession();
      const { catalog, embedding } = s.ctx;
      const r = await ratingsOfUser(db, s.datasetId, userId);
      if (!r) throw new WrenError('not-found', `There is no user ${userId} in this dataset.`);
      const history = Array.from(r.movie, (movie, i) => ({
        movie,
        rating: r.rating[i]! / 2,
        at: r.timestamp[i]!,
      }));
      const state = UserState.from(catalog, embedding, history);
      const seen = (m: number): boolean => state.ratings.has(m);
      const channels = CHANNELS.filter(
        (ch) =>
          (embedding || (ch !== 'embedding' && ch !== 'because')) &&
          (ch !== 'tower' || s.ctx.ranker?.retrieve),
      ).map((channel) => {
        const found = recallChannel(s.ctx, state, channel, k, seen, r.index);
        return {
          channel,
          movies: found.movies,
          reasons: found.hits.map((h) => reasonText(catalog, h, 'they')),
        };
      });
      const rankers: { name: string; title: string; ranker: Ranker | null }[] = [
        { name: 'fusion', title: 'Channel fusion', ranker: null },
      ];
      if (embedding)
        rankers.push({
          name: 'embedding',
          title: 'Embedding similarity',
          ranker: embeddingRanker(embedding),
        });
      // Wren's default ranker, then the stored models (ncf-loo ones, then sparrow-ctr ones), at most eight columns.
      for (const row of [...(s.personal ? [s.personal] : []), ...s.models].slice(0, 8)) {
        const ranker = await rankerOf(row, catalog, s.genres);
        if (ranker) rankers.push({ name: row.id, title: row.title, ranker });
      }
      const options = { ...s.options, k, minForModel: 0 };
      const lists = rankers.map(({ name, title, ranker }) => {
        const t0 = performance.now();
        const out = recommend({ catalog, embedding, ranker }, { state, user: r.index }, options);
        return {
          name,
          title,
          stage: out.stage,
          movies: out.items.map((x) => x.movie),
          ms: performance.now() - t0,
        };
      });
      const users = await getUsers(db, s.datasetId);
      const view: DatasetUserView = {
        userId,
        users: users?.userIds.length ?? 0,
        index: r.index,
        history,
        demographics:
          users && (users.gender || users.age || users.occupation)
            ? {
                gender: users.gender?.[r.index] ?? null,
                age: users.age?.[r.index] ?? null,
                occupation: users.occupation?.[r.index] ?? null,
              }
            : null,
        channels,
        rankers: lists,
        embedding: embedding ? s.embedding : null,
      };
      return view;
    });
  },

  sequenceAttention(modelId, userId) {
    return jobs.run(async () => {
      const s = openSession();
      const { catalog } = s.ctx;
      const { model, users } = await sequenceModel(modelId);
      if (model.movieCount !== catalog.count)
        throw new WrenError(
          'invalid-data',
          'This model was trained on other movies than this dataset’s.',
        );
      let history: ArrayLike<number>;
      if (userId === null) history = s.state.history().map((h) => h.movie);
      else {
        const r = await ratingsOfUser(db, s.datasetId, userId);
        if (!r) throw new WrenError('not-found', `There is no user ${userId} in this dataset.`);
        if (r.index >= users)
          throw new WrenError('not-found', `User ${userId} is not among this model’s users.`);
        history = model.historyOf(r.index);
      }
      return attentionView(model, history, catalog);
    });
  },

  cancel() {
    jobs.cancel();
  },

  onboarding(shown, passed, n) {
    return jobs.run(async () => {
      const s = openSession();
      const { catalog } = s.ctx;
      const valid = (m: number): boolean => Number.isInteger(m) && m >= 0 && m < catalog.count;
      const rated = [...s.state.ratings.values()];
      const ranker = s.ctx.ranker?.retrieve ? s.ctx.ranker : null;
      const seen = new Set(shown.filter(valid));
      const skip = (m: number): boolean =>
        s.state.ratings.has(m) || s.notInterested.has(m) || seen.has(m);
      return onboardingPicks(
        catalog,
        {
          liked: rated.filter((r) => r.rating >= LIKED).map((r) => r.movie),
          low: rated.filter((r) => r.rating <= RATED_LOW).map((r) => r.movie),
          passed: passed.filter((m) => valid(m) && !s.state.ratings.has(m)),
          shown: [...seen],
          exclude: (m) => s.state.ratings.has(m) || s.notInterested.has(m),
          // A model that retrieves from the whole catalogue (two-tower) brings its own scores.
          score: ranker
            ? () => {
                const found = ranker.retrieve!({ state: s.state }, 300, skip);
                const out = new Float32Array(catalog.count).fill(-Infinity);
                found.movies.forEach((m, i) => (out[m] = found.scores[i]!));
                return out;
              }
            : undefined,
        },
        Math.max(0, Math.min(100, Math.floor(n))),
      );
    });
  },
};

Comlink.expose(api);
