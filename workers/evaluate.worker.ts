/// <reference lib="webworker" />
/**
 * Evaluation worker (the Pipeline page): glue between core (protocol splits,
 * item2vec, models, replay, A/B test) and the store. For the open dataset it
 * splits the ratings by a protocol, trains item2vec and the chosen rankers on
 * the training split only, replays the held-out users through every recall
 * channel alone and through the pipelines, and compares pipeline A with B by
 * an A/B split and by interleaving. The split, embedding and trained models
 * are kept for the next run on the same dataset, protocol and seed. tfjs is
 * loaded only when a neural model ranks. `newUsers` runs new-user-k and the
 * taste probe (src/core/recommend/new-user-eval.ts) for For You's pipeline
 * and the reference rankers.
 */
import * as Comlink from 'comlink';
import { jobRunner } from './jobs.ts';
import { parallelOptions } from './pool.ts';
import { loadTf } from './rankers.ts';
import { defaultSettingsFor } from '../src/core/embeddings/embed.ts';
import { jsKernel } from '../src/core/embeddings/sgns-cpu.ts';
import { wasmKernel, wasmSimdSupported } from '../src/core/embeddings/sgns-wasm.ts';
import { throwIfAborted, WrenError } from '../src/core/errors.ts';
import { makeSplit, type RankingSplit } from '../src/core/eval/protocols.ts';
import { modelInfo } from '../src/core/models/index.ts';
import { abTest } from '../src/core/recommend/abtest.ts';
import { runNewUserK, runTasteProbe } from '../src/core/recommend/new-user-eval.ts';
import { trainingCatalog, trainMovieVectors } from '../src/core/recommend/offline.ts';
import { trainRanker, type TrainedRanker } from '../src/core/recommend/train-ranker.ts';
import { replayAcross } from '../src/core/recommend/parallel-replay.ts';
import {
  Replayer,
  replayUsers,
  type ReplayContext,
  type ReplayVariant,
} from '../src/core/recommend/replay.ts';
import { WrenDb, allMovies, getUsers, readRatings } from '../src/store/index.ts';
import {
  EVAL_PROTOCOLS,
  EVAL_RANKERS,
  type EvaluateProgress,
  type EvaluateRequest,
  type EvaluateResult,
  type EvaluateStage,
  type EvaluateWorkerApi,
  type NewUsersProgress,
  type NewUsersResult,
} from './evaluate-protocol.ts';

const db = new WrenDb();
const jobs = jobRunner();
/** The new-user reports: a runner of their own, so they may run beside a replay. */
const newUserJobs = jobRunner();

/** What a run on one dataset, protocol and seed builds once: kept for the next run. */
interface Prepared {
  key: string;
  split: RankingSplit;
  ctx: ReplayContext;
  userIds: Int32Array;
  seconds: { read: number; split: number; embedding: number };
  rankers: Map<string, TrainedRanker>;
}
let prepared: Prepared | null = null;

const now = (): number => performance.now();
const since = (t0: number): number => (now() - t0) / 1000;

/** Lets the event loop run, so a cancel sent during a long synchronous stage is seen. */
async function checkpoint(signal: AbortSignal): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  throwIfAborted(signal);
}

function checkRequest(req: EvaluateRequest): void {
  if (!EVAL_PROTOCOLS.includes(req.protocol))
    throw new WrenError(
      'invalid-settings',
      `The protocol is ${EVAL_PROTOCOLS.join(' or ')}; found "${req.protocol}".`,
    );
  for (const name of [req.a, req.b])
    if (!EVAL_RANKERS.includes(name))
      throw new WrenError('invalid-settings', `Unknown ranker "${name}".`);
  if (!(Number.isInteger(req.seed) && req.seed >= 0))
    throw new WrenError('invalid-settings', 'The seed is a whole number of 0 or more.');
  if (req.maxUsers !== null && !(Number.isInteger(req.maxUsers) && req.maxUsers >= 1))
    throw new WrenError('invalid-settings', 'The user cap is a whole number of at least 1.');
  checkThreads(req.threads);
}

function checkThreads(threads: number | undefined): void {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
    throw new WrenError(
      'invalid-settings',
      'The number of threads is a whole number of at least 1.',
    );
}

/** Progress to the page: the stage as a step of the run, at most every 100 ms within a stage. */
function reporter(onProgress: (p: EvaluateProgress) => void, steps: number) {
  let step = -1;
  let last = 0;
  return {
    stage(stage: EvaluateStage, label: string): (done: number, total: number) => void {
      step++;
      const at = step;
      onProgress({ stage, label, step: at, steps, done: 0, total: 0 });
      last = now();
      return (done, total) => {
        const t = now();
        if (t - last < 100 && done < total) return;
        last = t;
        onProgress({ stage, label, step: at, steps, done, total });
      };
    },
  };
}

/** The core's stage names (new-user-eval.ts) in words. */
function newUserStage(stage: string): string {
  if (stage === 'ItemKNN') return 'training ItemKNN (cosine)';
  if (stage === 'EASE') return 'training EASE (λ 400)';
  if (stage === 'the automatic build')
    return 'building For You’s model (EASE, as the app builds it)';
  const serving = /^new users: (.+)$/.exec(stage);
  if (serving) {
    const title: Record<string, string> = {
      pipeline: 'For You’s pipeline',
      popularity: 'popularity',
      itemknn: 'ItemKNN',
      ease: 'EASE',
    };
    return `their top 10 from ${title[serving[1]!] ?? serving[1]}`;
  }
  return stage;
}

/**
 * Progress of the new-user reports: a step for reading, then one for each
 * stage the core names (ItemKNN, EASE, the automatic build and serving each
 * of the four rankers on new-user-k; the three models again, on every rating,
 * for the probe), at most every 100 ms within a stage.
 */
function newUserReporter(onProgress: (p: NewUsersProgress) => void) {
  const steps = 1 + 7 + 3;
  let step = -1;
  let current = '';
  let last = 0;
  return (phase: string, stage: string, share: number): void => {
    const key = `${phase}/${stage}`;
    const t = now();
    if (key !== current) {
      current = key;
      step = Math.min(step + 1, steps - 1);
    } else if (t - last < 100) return;
    last = t;
    // The serving stages report their place among the rankers, not a share of their own.
    const within = /^new users: /.test(stage) ? 0 : Math.min(1, Math.max(0, share));
    onProgress({ label: `${phase}: ${newUserStage(stage)}`, step, steps, share: within });
  };
}

const api: EvaluateWorkerApi = {
  run(req, onProgress) {
    return jobs.run(async (signal) => {
      checkRequest(req);
      const t0 = now();
      const ds = await db.datasets.get(req.datasetId);
      if (!ds || ds.status !== 'ready')
        throw new WrenError('not-found', 'That dataset is not here any more.');
      const key = `${req.datasetId}/${req.protocol}/${req.seed}`;
      const reused = prepared?.key === key;
      if (!reused) prepared = null;
      const names = [...new Set([req.a, req.b])];
      const toTrain = names.filter((n) => !prepared?.rankers.has(n));
      // Fusion and embedding similarity need no training: no step of their own.
      const models = toTrain.filter((n) => n !== 'fusion' && n !== 'embedding');
      const steps = (reused ? 0 : 3) + models.length + 2;
      const report = reporter(onProgress, steps);

      if (!prepared) {
        report.stage('read', 'Reading the ratings from this browser’s storage');
        let t = now();
        const [ratings, movies, users] = await Promise.all([
          readRatings(db, req.datasetId),
          allMovies(db, req.datasetId),
          getUsers(db, req.datasetId),
        ]);
        if (!users) throw new WrenError('not-found', 'This dataset has no user table.');
        const read = since(t);
        await checkpoint(signal);
        report.stage(
          'split',
          req.protocol === 'ncf-loo'
            ? 'Holding out each user’s latest rating (ncf-loo)'
            : 'Splitting each user’s ratings 8:1:1 (full-rank)',
        );
        t = now();
        const split = makeSplit(ratings, req.protocol, req.seed, { itemCount: ds.counts.movies });
        const catalog = trainingCatalog(movies, split.data);
        const splitSeconds = since(t);
        await checkpoint(signal);
        const embedProgress = report.stage(
          'embedding',
          'Training item2vec on the training ratings',
        );
        t = now();
        const embedding = await trainMovieVectors(
          split.data,
          wasmSimdSupported() ? wasmKernel : jsKernel,
          { ...defaultSettingsFor('item2vec'), seed: req.seed },
          { signal, onProgress: (p) => embedProgress(p.done, p.total) },
        );
        prepared = {
          key,
          split,
          ctx: { catalog, embedding },
          userIds: users.userIds,
          seconds: { read, split: splitSeconds, embedding: since(t) },
          rankers: new Map(),
        };
      }
      const p = prepared;
      for (const name of toTrain) {
        await checkpoint(signal);
        const fitProgress = models.includes(name)
          ? report.stage('fit', `Training ${modelInfo(name)!.title} on the training ratings`)
          : () => undefined;
        p.rankers.set(
          name,
          await trainRanker(name, p.split.data, {
            seed: req.seed,
            embedding: p.ctx.embedding,
            catalog: p.ctx.catalog,
            loadTf,
            signal,
            onProgress: (stage, done, total) => fitProgress(done, total),
            ...parallelOptions(req.threads ?? 1),
          }),
        );
      }
      const a = p.rankers.get(req.a)!;
      const b = p.rankers.get(req.b)!;

      await checkpoint(signal);
      const all = replayUsers(p.split);
      const users = all.slice(0, req.maxUsers ?? Infinity);
      const replayProgress = report.stage(
        'replay',
        `Replaying ${users.length} held-out users through each channel and pipeline`,
      );
      let t = now();
      const variants: ReplayVariant[] = names.map((name) => ({
        name,
        ranker: p.rankers.get(name)!.ranker,
      }));
      const across = parallelOptions(req.threads ?? 1);
      const replayed = await replayAcross(p.split, p.ctx, {
        variants,
        maxUsers: users.length,
        signal,
        onProgress: replayProgress,
        ...across,
      });
      const replaySeconds = since(t);

      await checkpoint(signal);
      const abProgress = report.stage(
        'abtest',
        `A/B test and interleaving: ${a.title} vs ${b.title}`,
      );
      t = now();
      const replayer = new Replayer(p.split.data, p.ctx);
      const ab = abTest(
        users.map((u) => ({ ...u, id: p.userIds[u.user]! })),
        replayer.lister(a.ranker),
        replayer.lister(b.ranker),
        {
          experiment: `${req.a}-vs-${req.b}`,
          seed: req.seed,
          step: Math.max(10, Math.ceil(users.length / 400)),
          signal,
          onProgress: abProgress,
        },
      );
      const result: EvaluateResult = {
        request: req,
        titles: { a: a.title, b: b.title },
        heldOut: all.length,
        replay: replayed,
        ab,
        seconds: {
          ...(reused ? { read: 0, split: 0, embedding: 0 } : p.seconds),
          fit: Object.fromEntries(models.map((n) => [n, p.rankers.get(n)!.seconds])),
          replay: replaySeconds,
          abtest: since(t),
          total: since(t0),
        },
        reused,
      };
      return result;
    });
  },

  newUsers(datasetId, opts, onProgress) {
    return newUserJobs.run(async (signal) => {
      const seed = opts.seed ?? 1;
      const ks = opts.ks ?? [1, 3, 5, 10, 20];
      if (!(Number.isInteger(seed) && seed >= 0))
        throw new WrenError('invalid-settings', 'The seed is a whole number of 0 or more.');
      if (!ks.length || !ks.every((k) => Number.isInteger(k) && k >= 1))
        throw new WrenError('invalid-settings', 'Each k is a whole number of at least 1.');
      checkThreads(opts.threads);
      const across = parallelOptions(opts.threads ?? 1);
      const t0 = now();
      const ds = await db.datasets.get(datasetId);
      if (!ds || ds.status !== 'ready')
        throw new WrenError('not-found', 'That dataset is not here any more.');
      const report = newUserReporter(onProgress);
      report('Reading', 'the ratings from this browser’s storage', 0);
      const [ratings, movies] = await Promise.all([
        readRatings(db, datasetId),
        allMovies(db, datasetId),
      ]);
      const read = since(t0);
      await checkpoint(signal);
      // No embedding: it only adds candidates (the “Close to your taste” and “Because you liked” channels).
      let t = now();
      const newUserK = await runNewUserK(
        { movies, ratings },
        {
          seed,
          ks,
          embed: undefined,
          signal,
          onProgress: (stage, share) => report('New users', stage, share),
          ...across,
        },
      );
      const newUserSeconds = since(t);
      await checkpoint(signal);
      t = now();
      const probe = await runTasteProbe(
        { movies, ratings },
        {
          seed,
          embed: undefined,
          signal,
          onProgress: (stage, share) => report('Taste probe', stage, share),
          ...across,
        },
      );
      const result: NewUsersResult = {
        datasetId,
        seed,
        // The split (every rating, typed arrays) stays here: the page needs only the figures.
        rows: newUserK.rows,
        newUsers: newUserK.split.users.length,
        probe,
        seconds: { read, newUserK: newUserSeconds, probe: since(t), total: since(t0) },
        threads: across.threads ?? 1,
      };
      return result;
    });
  },

  cancel() {
    jobs.cancel();
    newUserJobs.cancel();
  },
};

Comlink.expose(api);
