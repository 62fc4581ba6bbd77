/**
 * The replay (replay.ts) split across threads: each helper rebuilds the
 * replay's context from shared arrays — the catalog, the item2vec vectors,
 * each pipeline's ranker from its model's saved arrays — serves its run of
 * held-out users and writes their figures into shared rows; this thread
 * serves the first run, then sums every row in user order, so the result is
 * exactly one thread's. Where a pipeline ranks with a model that needs tfjs
 * (the neural and sequence models), or the page has no shared memory, the
 * replay runs on this thread.
 */
import type { RankingSplit } from '../eval/protocols.ts';
import { loadModel, modelInfo } from '../models/index.ts';
import type { SavedModel } from '../models/types.ts';
import { acrossThreads, evenCuts, shared, splitThreads, stopFlag } from '../parallel/across.ts';
import type { ThreadPool } from '../parallel/pool.ts';
import type { Catalog } from './catalog.ts';
import type { ChannelName } from './channels.ts';
import type { PipelineOptions } from './pipeline.ts';
import { embeddingRanker, fusionRanker, rankerFor, type Ranker } from './rankers.ts';
import {
  replay,
  replayPlan,
  replayResult,
  replayUsersInto,
  Replayer,
  REPLAY_FIELDS,
  type ReplayContext,
  type ReplayOptions,
  type ReplayResult,
} from './replay.ts';
import type { MovieVectors } from './user-state.ts';

/** A pipeline's ranker as a helper rebuilds it: none (fusion alone), embedding similarity, or a saved model. */
export type RankerSpec =
  | { kind: 'none' }
  | { kind: 'fusion' }
  | { kind: 'embedding' }
  | { kind: 'model'; saved: SavedModel; title: string };

/** The spec of a ranker, or null when a helper cannot rebuild it (a model that needs tfjs, or no model to save). */
export function rankerSpec(ranker: Ranker | null): RankerSpec | null {
  if (!ranker) return { kind: 'none' };
  if (ranker === fusionRanker) return { kind: 'fusion' };
  if (ranker.name === 'embedding' && !ranker.model) return { kind: 'embedding' };
  const info = ranker.model && modelInfo(ranker.model.model);
  if (!ranker.model || !info || info.neural) return null;
  return { kind: 'model', saved: ranker.model.save(), title: ranker.title };
}

/** The ranker a spec describes, loaded on this thread. */
export async function rankerFrom(
  spec: RankerSpec,
  embedding: MovieVectors | null,
): Promise<Ranker | null> {
  switch (spec.kind) {
    case 'none':
      return null;
    case 'fusion':
      return fusionRanker;
    case 'embedding':
      if (!embedding) throw new Error('the embedding ranker needs item2vec');
      return embeddingRanker(embedding);
    case 'model':
      return rankerFor(await loadModel(spec.saved), spec.title);
  }
}

/** What a helper thread is sent: the split, the context's arrays, the plan's shape and its run of users. */
export interface ReplayHelperTask {
  task: 'replay';
  split: RankingSplit;
  catalog: Catalog;
  embedding: MovieVectors | null;
  variants: { name: string; spec: RankerSpec }[];
  channels: ChannelName[];
  pipeline: Partial<PipelineOptions>;
  k: number;
  maxUsers: number;
  from: number;
  to: number;
  rows: Float64Array;
  control: SharedArrayBuffer;
}

export async function runReplayHelper(t: ReplayHelperTask): Promise<number> {
  const ctx: ReplayContext = { catalog: t.catalog, embedding: t.embedding };
  const variants = await Promise.all(
    t.variants.map(async (v) => ({ name: v.name, ranker: await rankerFrom(v.spec, t.embedding) })),
  );
  const plan = replayPlan(t.split, ctx, {
    channels: t.channels,
    variants,
    k: t.k,
    maxUsers: t.maxUsers,
    pipeline: t.pipeline,
  });
  const replayer = new Replayer(t.split.data, ctx, t.pipeline);
  replayUsersInto(replayer, plan, t.from, t.to, t.rows, { stop: stopFlag(t.control) });
  return t.to - t.from;
}

/**
 * {@link replay} on `threads` threads (this one and helpers from `pool`)
 * where every pipeline's ranker can be rebuilt on a helper and the page has
 * shared memory; otherwise on this thread. The result is the same either
 * way, to the last bit.
 */
export async function replayAcross(
  split: RankingSplit,
  ctx: ReplayContext,
  opts: ReplayOptions & { pool?: ThreadPool; threads?: number } = {},
): Promise<ReplayResult> {
  const plan = replayPlan(split, ctx, opts);
  const n = plan.users.length;
  const threads = splitThreads(opts.pool, opts.threads, n);
  const specs = threads > 1 ? plan.variants.map((v) => rankerSpec(v.ranker)) : [];
  if (!opts.pool || threads < 2 || specs.some((s) => s === null)) return replay(split, ctx, opts);
  const width = (plan.channels.length + plan.variants.length) * REPLAY_FIELDS;
  const rows = new Float64Array(new SharedArrayBuffer(n * width * 8));
  const base = {
    task: 'replay' as const,
    split: shared(split),
    catalog: shared(ctx.catalog),
    embedding: shared(ctx.embedding),
    variants: plan.variants.map((v, i) => ({ name: v.name, spec: shared(specs[i]!) })),
    channels: plan.channels,
    pipeline: opts.pipeline ?? {},
    k: plan.k,
    maxUsers: n,
    rows,
  };
  const replayer = new Replayer(split.data, ctx, opts.pipeline);
  await acrossThreads(
    opts.pool,
    evenCuts(n, threads),
    (from, to, control): ReplayHelperTask & Record<string, unknown> => ({
      ...base,
      from,
      to,
      control,
    }),
    (from, to) =>
      replayUsersInto(replayer, plan, from, to, rows, {
        signal: opts.signal,
        onProgress: opts.onProgress && ((done) => opts.onProgress!(Math.min(n, done * threads), n)),
      }),
  );
  opts.onProgress?.(n, n);
  return replayResult(split, plan, rows, threads);
}
