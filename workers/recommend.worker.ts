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
import { buildCatalog, type Catalog } from '../src/core/recommend/catalog.ts';
import { CHANNELS } from '../src/core/recommend/channels.ts';
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
  listModels,
} from '../src/store/index.ts';
import type { ForYouResult, RecommendWorkerApi } from './recommend-protocol.ts';
import { loadRanker, RANKABLE } from './rankers.ts';

const db = new WrenDb();
const jobs = jobRunner();

interface Session {
  ctx: PipelineContext;
  state: UserState;
  notInterested: Set<number>;
  unmatched: number;
  embedding: string | null;
  options: PipelineOptions;
}
let session: Session | null = null;

/** The best stored model for ranking: the highest NDCG@10 on ncf-loo. */
async function bestRanker(datasetId: string, catalog: Catalog): Promise<Ranker | null> {
  const rows = (await listModels(db, datasetId)).filter(
    (r) => r.protocol === 'ncf-loo' && RANKABLE.includes(r.model),
  );
  rows.sort((a, b) => (b.metrics.ndcg ?? 0) - (a.metrics.ndcg ?? 0));
  const best = rows[0];
  const data = best && (await getModelData(db, best.id));
  if (!best || !data || data.saved.itemCount !== catalog.count) return null;
  return loadRanker(data.saved, best.title);
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
  };
}

const api: RecommendWorkerApi = {
  open(datasetId, profile: Profile, options) {
    return jobs.run(async () => {
      const ds = await db.datasets.get(datasetId);
      if (!ds || ds.status !== 'ready')
        throw new WrenError('not-found', 'That dataset is not here any more.');
      const movies = await allMovies(db, datasetId);
      const catalog = buildCatalog(movies);
      const chosen = await chosenEmbedding(db, datasetId);
      const data = chosen && (await getEmbeddingData(db, chosen.id));
      const embedding = data ? movieVectors(data.items, data.vectors) : null;
      const ranker =
        (await bestRanker(datasetId, catalog)) ?? (embedding ? embeddingRanker(embedding) : null);
      const matcher = new MovieMatcher({
        ids: idFamily(ds.format),
        movieIds: catalog.movieIds,
        titles: catalog.titles,
      });
      const resolved = resolveProfile(profile, matcher);
      session = {
        ctx: { catalog, embedding, ranker },
        state: UserState.from(catalog, embedding, resolved.history),
        notInterested: resolved.notInterested,
        unmatched: resolved.unmatched,
        embedding: chosen?.name ?? null,
        options: { ...DEFAULT_PIPELINE, ...options },
      };
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
      if (!session) throw new WrenError('not-found', 'No dataset is open for recommendations.');
      session.options = { ...session.options, ...options };
      return forYou(session);
    });
  },

  cancel() {
    jobs.cancel();
  },
};

Comlink.expose(api);
