/**
 * A protocol's per-user scoring split across threads: each helper loads the
 * model from its saved arrays (shared, not copied per thread), scores its run
 * of users and writes their figures into shared rows; the calling thread
 * scores the first run, then sums every row in user order, so the metrics
 * are exactly one thread's. For the models that score without tfjs (the
 * registry's non-neural ones: popularity, ItemKNN, PureSVD, EASE); the
 * others, or a page without shared memory, score on this thread.
 */
import { loadModel, modelInfo } from '../models/index.ts';
import type { Recommender, SavedModel } from '../models/types.ts';
import { acrossThreads, evenCuts, shared, splitThreads, stopFlag } from '../parallel/across.ts';
import type { ThreadPool } from '../parallel/pool.ts';
import {
  aggregateUsers,
  evaluateSplit,
  evaluateUsers,
  USER_FIELDS,
  usersToEvaluate,
  type EvalOptions,
  type ProtocolMetrics,
  type RankingSplit,
} from './protocols.ts';

/** What a helper thread is sent: the model, the split and its run of slots. */
export interface EvaluateHelperTask {
  task: 'evaluate';
  saved: SavedModel;
  split: RankingSplit;
  from: number;
  to: number;
  k: number;
  useValidation: boolean;
  rows: Float64Array;
  tops: Int32Array | null;
  /** Int32 stop flag at 0. */
  control: SharedArrayBuffer;
}

export async function runEvaluateHelper(t: EvaluateHelperTask): Promise<number> {
  const model = await loadModel(t.saved);
  evaluateUsers(
    t.split,
    (u, items, out) => model.score(u, items, out),
    t.from,
    t.to,
    t.rows,
    t.tops,
    {
      k: t.k,
      useValidation: t.useValidation,
      stop: stopFlag(t.control),
    },
  );
  return t.to - t.from;
}

/**
 * {@link evaluateSplit} for a trained model, on `threads` threads (this one
 * and helpers from `pool`) where the model scores without tfjs and the page
 * has shared memory; otherwise on this thread. The metrics are the same
 * either way, to the last bit.
 */
export async function evaluateModel(
  split: RankingSplit,
  model: Recommender,
  opts: EvalOptions & { pool?: ThreadPool; threads?: number } = {},
): Promise<ProtocolMetrics> {
  const score = (u: number, items: Int32Array | null, out: Float32Array): void =>
    model.score(u, items, out);
  const info = modelInfo(model.model);
  const slots = usersToEvaluate(split);
  const threads = splitThreads(opts.pool, opts.threads, slots);
  if (!opts.pool || threads < 2 || !info || info.neural) return evaluateSplit(split, score, opts);
  const k = opts.k ?? 10;
  const rows = new Float64Array(new SharedArrayBuffer(slots * USER_FIELDS * 8));
  const tops =
    split.protocol === 'ncf-loo' ? null : new Int32Array(new SharedArrayBuffer(slots * k * 4));
  const saved = shared(model.save());
  const sharedSplit = shared(split);
  await acrossThreads(
    opts.pool,
    evenCuts(slots, threads),
    (from, to, control): EvaluateHelperTask & Record<string, unknown> => ({
      task: 'evaluate',
      saved,
      split: sharedSplit,
      from,
      to,
      k,
      useValidation: opts.useValidation ?? false,
      rows,
      tops,
      control,
    }),
    (from, to) =>
      evaluateUsers(split, score, from, to, rows, tops, {
        ...opts,
        k,
        onProgress:
          opts.onProgress && ((done) => opts.onProgress!(Math.min(slots, done * threads), slots)),
      }),
  );
  opts.onProgress?.(slots, slots);
  return aggregateUsers(split, rows, tops, opts);
}
