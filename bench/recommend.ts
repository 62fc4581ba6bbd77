/**
 * bench/recommend: the recommendation pipeline, offline and live.
 *
 *   npm run bench:recommend [-- --only quality|rating|latency|threads] [-- --seed 1] [-- --runs 300]
 *                           [-- --threads 2 --rounds 3]
 *
 * quality: held-out users of ml-latest-small replayed through the pipeline
 * (src/core/recommend/replay.ts) on ncf-loo (HR@10, NDCG@10) and full-rank
 * (Recall@20, NDCG@20, Hit@20): every channel alone, the channels' fusion
 * ("recall only"), and the pipeline ranked by ItemKNN, PureSVD and item2vec
 * similarity (Wren's default item2vec settings, trained on the split's
 * training positives). For reference, each ranker alone with no recall
 * stage: scoring all the protocol's candidates (the 100 of ncf-loo, every
 * movie for full-rank) from the same state, as bench:models scores models.
 *
 * rating: the movie page's predicted rating on ml-latest-small and ml-100k — a seeded
 * 20% of each user's ratings held out — RMSE and MAE of the baseline +
 * item2vec-neighbourhood model against 5 stars (SparrowRecSys' hard-coded
 * figure), the mean rating, the movie's average, and the baselines alone.
 *
 * latency: "For You" in node for a profile of 20 liked movies, over ml-1m's
 * catalogue size (a generated dataset with 3,706 movies) and a generated
 * 62,000-movie catalogue (ml-25m's size), with 32-d random unit vectors as
 * the embedding and the personal ranker (the automatic build's EASE, at
 * most 4,000 modelled movies), ItemKNN or the embedding ranker: p50/p95 of
 * `recommend()` (default pipeline: k 20, diversity 0), and of the time
 * from `state.rate(…)` to the new list.
 *
 * threads: on ml-latest-small, one thread against --threads (node worker
 * threads running the browser's core code), taken in turns for --rounds
 * rounds, median seconds: the Pipeline page's replay (ncf-loo and
 * full-rank; fusion, ItemKNN, PureSVD, EASE and item2vec similarity, as
 * `quality`), For You's automatic build (EASE with its λ searched on
 * validation new users) and new-user-k (the Pipeline page's new-user
 * report). Each run on several threads must equal one thread's to the last
 * bit, or the bench stops.
 *
 * Appends JSON lines to bench/results/recommend.jsonl.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeInput } from '../src/cli/node-input.ts';
import { importMovieLens } from '../src/core/data/import.ts';
import { generateDataset } from '../src/core/data/synthetic.ts';
import type { Dataset } from '../src/core/data/types.ts';
import { wasmKernel } from '../src/core/embeddings/sgns-wasm.ts';
import { evaluateSplit, makeSplit } from '../src/core/eval/protocols.ts';
import { MODELS } from '../src/core/models/index.ts';
import { buildCatalog } from '../src/core/recommend/catalog.ts';
import type { Candidate } from '../src/core/recommend/channels.ts';
import {
  historyOf,
  interactionsOf,
  trainingCatalog,
  trainMovieVectors,
} from '../src/core/recommend/offline.ts';
import {
  movieBaseline,
  predictRating,
  ratingErrors,
  ratingHoldout,
} from '../src/core/recommend/predict.ts';
import { fitPersonalModel } from '../src/core/recommend/personal.ts';
import { personalRanker } from '../src/core/recommend/personal-ranker.ts';
import { DEFAULT_PIPELINE, recommend } from '../src/core/recommend/pipeline.ts';
import { embeddingRanker, rankerFor, type Ranker } from '../src/core/recommend/rankers.ts';
import { replay, Replayer, replayUsers, type ReplayVariant } from '../src/core/recommend/replay.ts';
import { replayAcross } from '../src/core/recommend/parallel-replay.ts';
import { trainRanker } from '../src/core/recommend/train-ranker.ts';
import { runNewUserK } from '../src/core/recommend/new-user-eval.ts';
import { nodePool } from '../src/cli/node-pool.ts';
import { movieVectors, UserState, type MovieVectors } from '../src/core/recommend/user-state.ts';
import { Random } from '../src/core/random.ts';
import { DATASETS, root } from '../test/e2e/harness.ts';
import { ML_1M_SHAPE } from './shapes.ts';

const RESULTS = join(root, 'bench/results');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    runs: { type: 'string', default: '300' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
  },
});
const seed = Number(values.seed);

function record(r: Record<string, unknown>): void {
  const line = { ...r, node: process.version, date: new Date().toISOString() };
  console.log(JSON.stringify(line));
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, 'recommend.jsonl'), JSON.stringify(line) + '\n');
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const seconds = (t0: number): number => r4((performance.now() - t0) / 1000);

async function loadSmall(): Promise<{ ds: Dataset; label: string }> {
  const path = join(DATASETS, 'ml-latest-small.zip');
  if (existsSync(path))
    return { ds: await importMovieLens(await nodeInput(path), {}), label: 'ml-latest-small' };
  console.error(
    'ml-latest-small not found: using generated data of its shape (figures not comparable)',
  );
  return {
    ds: generateDataset({ ratings: 100_836, users: 610, movies: 9_742, seed: 1 }),
    label: 'generated-ml-latest-small',
  };
}

/** A ranker alone, over the protocol's candidates (ncf-loo: 100; full-rank: every movie), from the replay's state. */
function aloneScorer(replayer: Replayer, ranker: Ranker, itemCount: number) {
  const every = Int32Array.from({ length: itemCount }, (_, m) => m);
  return (u: number, items: Int32Array | null, out: Float32Array): void => {
    const cands: Candidate[] = Array.from(items ?? every, (movie) => ({ movie, hits: [] }));
    ranker.score({ state: replayer.state(u), user: u }, cands, out);
  };
}

async function quality(): Promise<void> {
  const { ds, label } = await loadSmall();
  for (const protocol of ['ncf-loo', 'full-rank'] as const) {
    const split = makeSplit(ds.ratings, protocol, seed, { itemCount: ds.movies.length });
    let t0 = performance.now();
    const embedding = await trainMovieVectors(split.data, wasmKernel);
    const embedSeconds = seconds(t0);
    const ctx = { catalog: trainingCatalog(ds.movies, split.data), embedding };
    const variants: ReplayVariant[] = [{ name: 'fusion', ranker: null }];
    const fit: Record<string, number> = { embedding: embedSeconds };
    for (const name of ['itemknn', 'puresvd']) {
      const trained = await trainRanker(name, split.data, { seed });
      fit[name] = r4(trained.seconds);
      variants.push({ name, ranker: trained.ranker });
    }
    variants.push({ name: 'embedding', ranker: embeddingRanker(embedding) });
    t0 = performance.now();
    const r = replay(split, ctx, { variants });
    const replaySeconds = seconds(t0);
    const k = r.k;
    const shown = (m: { hit: number; ndcg: number; recall: number; recalled: number }) =>
      protocol === 'ncf-loo'
        ? { hr: r4(m.hit), ndcg: r4(m.ndcg), recalled: r4(m.recalled) }
        : { recall: r4(m.recall), ndcg: r4(m.ndcg), hit: r4(m.hit), recalled: r4(m.recalled) };
    for (const row of r.rows) {
      const name = row.kind === 'channel' ? `channel-${row.name}` : `pipeline-${row.name}`;
      record({
        suite: 'recommend-replay',
        name,
        dataset: label,
        metrics: {
          protocol,
          seed,
          k,
          users: r.users,
          ...shown(row.metrics),
          listLength: r4(row.listLength),
          ...(row.modelShare !== undefined && { modelShare: r4(row.modelShare) }),
          ...(row.kind === 'pipeline' && { fitSeconds: fit[row.name] ?? 0 }),
        },
        seconds: replaySeconds,
      });
    }
    // The rankers with no recall stage in front, on the same states.
    const replayer = new Replayer(split.data, ctx);
    for (const v of variants) {
      if (!v.ranker) continue;
      t0 = performance.now();
      const m = evaluateSplit(split, aloneScorer(replayer, v.ranker, split.data.itemCount), { k });
      record({
        suite: 'recommend-replay',
        name: `alone-${v.name}`,
        dataset: label,
        metrics: {
          protocol,
          seed,
          k,
          users: m.users,
          ...(protocol === 'ncf-loo'
            ? { hr: r4(m.hr!), ndcg: r4(m.ndcg!) }
            : { recall: r4(m.recall!), ndcg: r4(m.ndcg!), hit: r4(m.hit!) }),
        },
        seconds: seconds(t0),
      });
    }
  }
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** 32-d random unit vectors for every movie (the size of an item2vec embedding; for timing only). */
function randomVectors(n: number, dim: number): MovieVectors {
  const rng = new Random(seed, 32);
  const vectors = new Float32Array(n * dim);
  for (let m = 0; m < n; m++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      const x = rng.normal();
      vectors[m * dim + k] = x;
      norm += x * x;
    }
    for (let k = 0; k < dim; k++) vectors[m * dim + k]! /= Math.sqrt(norm);
  }
  return movieVectors(
    Int32Array.from({ length: n }, (_, m) => m),
    vectors,
  );
}

async function latency(): Promise<void> {
  const runs = Number(values.runs);
  const catalogues = [
    {
      label: 'generated-ml-1m-catalogue',
      opts: ML_1M_SHAPE,
    },
    {
      label: 'generated-62k-catalogue',
      opts: { ratings: 1_000_000, users: 6_250, movies: 62_000, seed: 1 },
    },
  ];
  for (const { label, opts } of catalogues) {
    const ds = generateDataset(opts);
    const catalog = buildCatalog(ds.movies);
    const embedding = randomVectors(ds.movies.length, 32);
    const knn = MODELS.find((m) => m.name === 'itemknn')!;
    const model = await knn.create(knn.defaults);
    let t0 = performance.now();
    await model.fit(interactionsOf(ds.ratings, ds.movies.length));
    const fitSeconds = seconds(t0);
    // Twenty liked movies among the 2,000 most rated, rated in order.
    const rng = new Random(seed, 20);
    const pool = Array.from(catalog.popular.subarray(0, 2000));
    rng.shuffle(pool);
    const profile = pool.slice(0, 20).map((movie, i) => ({ movie, rating: 4.5, at: 1_000 + i }));
    const fresh = pool.slice(20, 20 + runs);
    // For You's default after the automatic build: EASE on the liked ratings, the personal blend.
    t0 = performance.now();
    const personal = await fitPersonalModel(interactionsOf(ds.ratings, ds.movies.length));
    const personalFitSeconds = seconds(t0);
    const rankers = [
      personalRanker(personal, catalog, 'personal'),
      rankerFor(model, knn.title),
      embeddingRanker(embedding),
    ];
    for (const ranker of rankers) {
      t0 = performance.now();
      const state = UserState.from(catalog, embedding, profile);
      const ctx = { catalog, embedding, ranker };
      for (let i = 0; i < 20; i++) recommend(ctx, { state });
      const total: number[] = [];
      const stages = { recall: [] as number[], rank: [] as number[], rerank: [] as number[] };
      let candidates = 0;
      let stage = '';
      for (let i = 0; i < runs; i++) {
        const r = recommend(ctx, { state }, DEFAULT_PIPELINE);
        total.push(r.ms.total);
        stages.recall.push(r.ms.recall);
        stages.rank.push(r.ms.rank);
        stages.rerank.push(r.ms.rerank);
        candidates = r.candidates;
        stage = r.stage;
      }
      // A new rating, then the new list (the rating is taken back untimed, so the profile stays at 20).
      const rateToList: number[] = [];
      fresh.forEach((movie, i) => {
        const t = performance.now();
        state.rate({ movie, rating: 4.5, at: 10_000 + i });
        recommend(ctx, { state }, DEFAULT_PIPELINE);
        rateToList.push(performance.now() - t);
        state.unrate(movie);
      });
      for (const x of [total, stages.recall, stages.rank, stages.rerank, rateToList])
        x.sort((a, b) => a - b);
      record({
        suite: 'recommend-latency',
        name: `for-you-${ranker.name}`,
        dataset: label,
        metrics: {
          movies: ds.movies.length,
          ratings: ds.ratings.movie.length,
          dim: embedding.dim,
          liked: profile.length,
          k: DEFAULT_PIPELINE.k,
          diversity: DEFAULT_PIPELINE.diversity,
          stage,
          candidates,
          runs,
          p50Ms: r4(quantile(total, 0.5)),
          p95Ms: r4(quantile(total, 0.95)),
          recallP50Ms: r4(quantile(stages.recall, 0.5)),
          rankP50Ms: r4(quantile(stages.rank, 0.5)),
          rerankP50Ms: r4(quantile(stages.rerank, 0.5)),
          rateToListP50Ms: r4(quantile(rateToList, 0.5)),
          rateToListP95Ms: r4(quantile(rateToList, 0.95)),
          ...(ranker.name === 'itemknn' && { fitSeconds }),
          ...(ranker.name === 'personal' && {
            fitSeconds: personalFitSeconds,
            modelled: personal.modelled,
          }),
        },
        seconds: seconds(t0),
      });
    }
  }
}

/**
 * The movie page's predicted rating: a seeded 20% of each user's ratings
 * held out, predicted from the rest by the baseline + neighbourhood model
 * (src/core/recommend/predict.ts) against simpler guesses.
 */
async function rating(): Promise<void> {
  const sets = [await loadSmall()];
  const hundredK = join(DATASETS, 'ml-100k.zip');
  if (existsSync(hundredK))
    sets.push({ ds: await importMovieLens(await nodeInput(hundredK), {}), label: 'ml-100k' });
  for (const { ds, label } of sets) await ratingOn(ds, label);
}

async function ratingOn(ds: Dataset, label: string): Promise<void> {
  const { train, test } = ratingHoldout(ds.ratings, ds.movies.length, { seed });
  const catalog = trainingCatalog(ds.movies, train);
  const embedding = await trainMovieVectors(train, wasmKernel);
  const histories = new Map<number, ReturnType<typeof historyOf>>();
  const history = (u: number) => {
    let h = histories.get(u);
    if (!h) histories.set(u, (h = historyOf(train, u)));
    return h;
  };
  const guesses: [string, (u: number, m: number) => number][] = [
    ['always-5-stars', () => 5],
    ['mean-of-all-ratings', () => catalog.mean],
    ['movie-baseline', (_, m) => movieBaseline(catalog, m)],
    ['movie-and-user-baseline', (u, m) => predictRating(catalog, null, history(u), m).rating],
    [
      'baseline-and-item2vec-neighbours',
      (u, m) => predictRating(catalog, embedding, history(u), m).rating,
    ],
  ];
  for (const [name, guess] of guesses) {
    const t0 = performance.now();
    const e = ratingErrors(
      test.map((x) => ({ predicted: guess(x.user, x.movie), actual: x.rating })),
    );
    record({
      suite: 'recommend-rating',
      name,
      dataset: label,
      metrics: { seed, heldOut: e.n, rmse: r4(e.rmse), mae: r4(e.mae) },
      seconds: seconds(t0),
    });
  }
}

/** The median of `xs`. */
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs `job` on one thread and on `n`, in turns for `rounds` rounds; throws
 * unless every result equals the first one-thread result.
 */
async function inTurns<T>(
  n: number,
  rounds: number,
  job: (threads: number) => Promise<T>,
): Promise<{ one: number; many: number; runs: { one: number[]; many: number[] } }> {
  const runs = { one: [] as number[], many: [] as number[] };
  let first: string | null = null;
  for (let r = 0; r < rounds; r++)
    for (const threads of [1, n]) {
      const t0 = performance.now();
      const out = JSON.stringify(await job(threads), (_k, v: unknown) =>
        ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v,
      );
      (threads === 1 ? runs.one : runs.many).push(seconds(t0));
      first ??= out;
      if (out !== first) throw new Error(`${threads} threads gave another result than one`);
    }
  return { one: median(runs.one), many: median(runs.many), runs };
}

async function threads(): Promise<void> {
  const { ds, label } = await loadSmall();
  const n = Number(values.threads);
  const rounds = Number(values.rounds);
  const pool = nodePool(n - 1);
  await pool.warm();
  const put = (
    name: string,
    extra: Record<string, unknown>,
    t: Awaited<ReturnType<typeof inTurns>>,
  ) =>
    record({
      suite: 'recommend-threads',
      name,
      dataset: label,
      metrics: {
        ...extra,
        threads: n,
        rounds,
        oneSeconds: t.one,
        manySeconds: t.many,
        speedup: r4(t.one / t.many),
        oneRuns: t.runs.one,
        manyRuns: t.runs.many,
        sameResult: true,
      },
      seconds: r4(t.runs.one.reduce((a, b) => a + b, 0) + t.runs.many.reduce((a, b) => a + b, 0)),
    });
  try {
    for (const protocol of ['ncf-loo', 'full-rank'] as const) {
      const split = makeSplit(ds.ratings, protocol, seed, { itemCount: ds.movies.length });
      const embedding = await trainMovieVectors(split.data, wasmKernel);
      const ctx = { catalog: trainingCatalog(ds.movies, split.data), embedding };
      const variants: ReplayVariant[] = [{ name: 'fusion', ranker: null }];
      for (const name of ['itemknn', 'puresvd', 'ease'])
        variants.push({ name, ranker: (await trainRanker(name, split.data, { seed })).ranker });
      variants.push({ name: 'embedding', ranker: embeddingRanker(embedding) });
      const t = await inTurns(n, rounds, (threads) =>
        replayAcross(split, ctx, { variants, pool, threads }).then((r) => ({
          ...r,
          threads: 1,
        })),
      );
      put(
        `replay-${protocol}`,
        { protocol, users: replayUsers(split).length, variants: variants.length },
        t,
      );
    }
    const all = interactionsOf(ds.ratings, ds.movies.length);
    const catalog = trainingCatalog(ds.movies, all);
    const build = await inTurns(n, rounds, async (threads) => {
      const m = await fitPersonalModel(all, { pool, threads }, { catalog });
      const out = new Float32Array(all.itemCount);
      m.scoreHistory([0, 1, 2, 3, 4], null, out);
      return { config: m.config, out };
    });
    put('automatic-build', { ratings: all.train.items.length }, build);
    const nuk = await inTurns(
      n,
      rounds,
      async (threads) => (await runNewUserK(ds, { seed, pool, threads })).rows,
    );
    put('new-user-k', { seed }, nuk);
  } finally {
    pool.close();
  }
}

if (values.only === 'threads') await threads();
if (values.only === undefined || values.only === 'quality') await quality();
if (values.only === undefined || values.only === 'rating') await rating();
if (values.only === undefined || values.only === 'latency') await latency();
