/**
 * new-user-k and the taste probe (src/core/eval/new-user.ts) run on a
 * dataset for every ranker the reports compare: popularity, ItemKNN (cosine),
 * EASE (λ 400) — each alone, scoring the whole catalogue as the numpy
 * references do — and `pipeline`, exactly what For You does by default after
 * the automatic build: the personal ranker over the automatically built
 * model, recall → rank → re-rank with the default settings. Shared by the
 * CLI, bench/ and the evaluation worker (the Pipeline page).
 */
import type { Movie, RatingColumns } from '../data/types.ts';
import {
  NEW_USER_KS,
  newUserSplit,
  pairedDifference,
  positivesOf,
  probePersonas,
  scoreList,
  tasteProbe,
  type ListFn,
  type NewUserMetrics,
  type NewUserSplit,
  type ProbeResult,
} from '../eval/new-user.ts';
import type { InteractionData } from '../eval/protocols.ts';
import { Ease } from '../models/ease.ts';
import { ItemKnn } from '../models/item-knn.ts';
import { genreLookup, type Catalog } from './catalog.ts';
import { interactionsOf, trainingCatalog } from './offline.ts';
import { fitPersonalModel } from './personal.ts';
import { PERSONAL_PARAMS, pipelineList, type PersonalParams } from './personal-ranker.ts';
import type { ThreadPool } from '../parallel/pool.ts';
import { evaluateNewUsersAcross, withSpec } from './parallel-new-users.ts';
import type { PipelineOptions } from './pipeline.ts';
import type { MovieVectors } from './user-state.ts';

export const REFERENCE_RANKERS = ['popularity', 'itemknn', 'ease'] as const;
export type NewUserRanker = 'pipeline' | (typeof REFERENCE_RANKERS)[number];

export interface DatasetLike {
  movies: readonly Movie[];
  ratings: RatingColumns;
}

export interface RunOptions {
  seed?: number;
  ks?: readonly number[];
  /** Which rankers (default: all four). */
  rankers?: readonly NewUserRanker[];
  /** The embedding For You would have, trained on the given training data; null: none. */
  embed?: (data: InteractionData) => Promise<MovieVectors | null>;
  /** Pipeline settings over the defaults (diversity, sizes …). */
  pipeline?: Partial<PipelineOptions>;
  params?: PersonalParams;
  onProgress?: (stage: string, share: number) => void;
  signal?: AbortSignal;
  /** Helper threads for the fits and for serving the new users (where memory can be shared). */
  pool?: ThreadPool;
  threads?: number;
}

export interface NewUserRow {
  k: number;
  users: number;
  rankers: Partial<
    Record<
      NewUserRanker,
      Omit<NewUserMetrics, 'k' | 'users' | 'perUser'> & { perUser?: Float64Array }
    >
  >;
  /** The pipeline's NDCG@10 minus each reference's, paired by user, with a 95% bootstrap interval. */
  versus?: Partial<Record<NewUserRanker, { mean: number; lo: number; hi: number }>>;
}

export interface ProbeReport {
  genres: number;
  rankers: Partial<Record<NewUserRanker, ProbeResult>>;
}

/** Each ranker as a list function over models trained on `data` (the users who are not new). */
export async function listsFor(
  data: InteractionData,
  positives: InteractionData,
  catalog: Catalog,
  ranked: Uint8Array,
  opts: RunOptions,
): Promise<Partial<Record<NewUserRanker, ListFn>>> {
  const want = opts.rankers ?? ['pipeline', ...REFERENCE_RANKERS];
  const out: Partial<Record<NewUserRanker, ListFn>> = {};
  const fitOpts = { signal: opts.signal, pool: opts.pool, threads: opts.threads };
  const liked = (h: readonly { movie: number }[]): number[] => h.map((x) => x.movie);
  if (want.includes('popularity')) {
    const counts = new Float32Array(data.itemCount);
    for (const m of positives.train.items) counts[m]!++;
    out.popularity = scoreList((_h, o) => o.set(counts), ranked);
  }
  if (want.includes('itemknn')) {
    opts.onProgress?.('ItemKNN', 0);
    // Every neighbour, as the reference's full cosine; at most 1,000 on big catalogues (memory).
    const knn = new ItemKnn({ neighbours: data.itemCount <= 10_000 ? data.itemCount : 1000 });
    await knn.fit(positives, fitOpts);
    // Served here: sharing its neighbour lists with a helper costs more than serving them (measured).
    out.itemknn = scoreList((h, o) => knn.scoreHistory(liked(h), null, o), ranked);
  }
  if (want.includes('ease')) {
    opts.onProgress?.('EASE', 0);
    const ease = new Ease({ lambda: 400 });
    await ease.fit(positives, fitOpts);
    out.ease = withSpec(
      scoreList((h, o) => ease.scoreHistory(liked(h), null, o), ranked),
      { kind: 'history', saved: ease.save(), ranked },
    );
  }
  if (want.includes('pipeline')) {
    opts.onProgress?.('the automatic build', 0);
    const model = await fitPersonalModel(
      data,
      {
        ...fitOpts,
        onProgress: (p) => opts.onProgress?.('the automatic build', p.done / Math.max(1, p.total)),
      },
      { catalog },
    );
    const embedding = opts.embed ? await opts.embed(data) : null;
    const params = opts.params ?? PERSONAL_PARAMS;
    const pipeline = opts.pipeline ?? {};
    out.pipeline = withSpec(pipelineList(model, catalog, embedding, ranked, params, pipeline), {
      kind: 'pipeline',
      saved: model.save(),
      catalog,
      embedding,
      ranked,
      params,
      pipeline,
    });
  }
  return out;
}

/** new-user-k for every ranker. */
export async function runNewUserK(
  ds: DatasetLike,
  opts: RunOptions = {},
): Promise<{ split: NewUserSplit; rows: NewUserRow[] }> {
  const all = interactionsOf(ds.ratings, ds.movies.length);
  const split = newUserSplit(all, opts.seed ?? 1);
  const catalog = trainingCatalog(ds.movies, split.data);
  const lists = await listsFor(split.data, split.positives, catalog, split.catalogue, opts);
  const ks = opts.ks ?? NEW_USER_KS;
  const rows: NewUserRow[] = ks.map((k) => ({ k, users: 0, rankers: {} }));
  const names = Object.keys(lists) as NewUserRanker[];
  for (const [i, name] of names.entries()) {
    opts.onProgress?.(`new users: ${name}`, i / names.length);
    const metrics = await evaluateNewUsersAcross(split, lists[name]!, catalog, {
      ks,
      signal: opts.signal,
      pool: opts.pool,
      threads: opts.threads,
    });
    metrics.forEach(({ k: _k, users, ...m }, j) => {
      rows[j]!.users = users;
      rows[j]!.rankers[name] = m;
    });
  }
  for (const row of rows) {
    const mine = row.rankers.pipeline?.perUser;
    if (!mine) continue;
    row.versus = {};
    for (const name of REFERENCE_RANKERS) {
      const other = row.rankers[name]?.perUser;
      if (other) row.versus[name] = pairedDifference(mine, other, opts.seed ?? 1);
    }
  }
  return { split, rows };
}

/** The taste probe for every ranker, models trained on every rating. */
export async function runTasteProbe(ds: DatasetLike, opts: RunOptions = {}): Promise<ProbeReport> {
  const all = interactionsOf(ds.ratings, ds.movies.length);
  const catalog = trainingCatalog(ds.movies, all);
  const ranked = catalog.ratingCount.map((c) => (c > 0 ? 1 : 0));
  const lists = await listsFor(all, positivesOf(all), catalog, Uint8Array.from(ranked), opts);
  const g = genreLookup(catalog);
  const personas = probePersonas(catalog.ratingCount, g);
  const rankers: ProbeReport['rankers'] = {};
  for (const name of Object.keys(lists) as NewUserRanker[])
    rankers[name] = tasteProbe(personas, lists[name]!, catalog.ratingCount, g);
  return { genres: personas.length, rankers };
}
