/// <reference lib="webworker" />
/**
 * Recommendations worker: reads the open dataset's catalogue, its chosen
 * embedding, its stored models and your profile from the store, and hands
 * them to For You's session (src/core/recommend/for-you-session.ts), which
 * answers each change of your profile with a new list (recall → rank →
 * re-rank). tfjs is loaded only when a chosen model is a neural or CTR one.
 */
import * as Comlink from 'comlink';
import { jobRunner } from './jobs.ts';
import { WrenError } from '../src/core/errors.ts';
import { loadModel } from '../src/core/models/index.ts';
import type { SequentialModel } from '../src/core/models/sequential.ts';
import { attentionView } from '../src/core/recommend/attention-view.ts';
import { buildCatalog } from '../src/core/recommend/catalog.ts';
import { ForYou } from '../src/core/recommend/for-you-session.ts';
import {
  idFamily,
  MovieMatcher,
  resolveProfile,
  type Profile,
} from '../src/core/recommend/profile.ts';
import { movieVectors } from '../src/core/recommend/user-state.ts';
import {
  WrenDb,
  allMovies,
  chosenEmbedding,
  getEmbeddingData,
  getModelData,
  getUsers,
  listModels,
  ratingsOfUser,
} from '../src/store/index.ts';
import type { RecommendWorkerApi } from './recommend-protocol.ts';
import { loadCtrRanker, loadPersonalRanker, loadRanker } from './rankers.ts';

const db = new WrenDb();
const jobs = jobRunner();

/** For You's session and the stored models' rankers (src/core/recommend/for-you-session.ts). */
const forYou = new ForYou({
  saved: (id) => getModelData(db, id).then((data) => data?.saved),
  model: loadRanker,
  personal: loadPersonalRanker,
  ctr: loadCtrRanker,
});

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

const api: RecommendWorkerApi = {
  open(datasetId, profile: Profile, options) {
    return jobs.run(async () => {
      const ds = await db.datasets.get(datasetId);
      if (!ds || ds.status !== 'ready')
        throw new WrenError('not-found', 'That dataset is not here any more.');
      const catalog = buildCatalog(await allMovies(db, datasetId));
      const chosen = await chosenEmbedding(db, datasetId);
      const data = chosen && (await getEmbeddingData(db, chosen.id));
      const matcher = new MovieMatcher({
        ids: idFamily(ds.format),
        movieIds: catalog.movieIds,
        titles: catalog.titles,
      });
      return forYou.open({
        datasetId,
        catalog,
        embedding: data ? movieVectors(data.items, data.vectors) : null,
        embeddingName: chosen?.name ?? null,
        profile: resolveProfile(profile, matcher),
        options,
        scale: { min: ds.minRating / 2, max: ds.maxRating / 2 },
        stored: await listModels(db, datasetId),
        genres: ds.genres,
      });
    });
  },

  change(change) {
    return jobs.run(async () => forYou.session().change(change));
  },

  configure(options) {
    return jobs.run(async () => forYou.session().configure(options));
  },

  explain(movie) {
    return jobs.run(async () => forYou.session().explain(movie));
  },

  history() {
    return jobs.run(async () => forYou.session().history());
  },

  datasetUser(userId, k) {
    return jobs.run(async () => {
      const s = forYou.session();
      const r = await ratingsOfUser(db, s.datasetId, userId);
      const users = r ? await getUsers(db, s.datasetId) : undefined;
      return s.datasetUser(userId, k, r, users);
    });
  },

  sequenceAttention(modelId, userId) {
    return jobs.run(async () => {
      const s = forYou.session();
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
    return jobs.run(async () => forYou.session().onboarding(shown, passed, n));
  },
};

Comlink.expose(api);
