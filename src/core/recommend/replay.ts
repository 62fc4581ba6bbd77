/**
 * Offline replay of the whole pipeline: every held-out user of a protocol's
 * split is served, from their training ratings alone, as the app would serve
 * them — recall from every channel, rank, re-rank — and the list is scored
 * against what they went on to rate. The same users are served by each
 * channel alone and by the channels' fusion ("recall only"), so the value of
 * each stage shows beside the full pipeline.
 *
 * - ncf-loo: each user's 100 candidates (the held-out movie first) are
 *   ordered by their position in the list (earlier = higher); candidates the
 *   list lacks tie below it (the mid-tie rule of `rankOfTarget`). HR@10,
 *   NDCG@10, and `recalled`: the share of held-out movies the list holds.
 * - full-rank: the list's top k (20) against the user's test movies; the
 *   training movies are rated (so never recommended) and the validation
 *   movies left out, as RecBole's full sort. Recall@k, NDCG@k, Hit@k, and
 *   `recalled`: the share of test movies anywhere in the list.
 *
 * A pipeline runs with every merged candidate kept (k unbounded) and no
 * diversity or freshness, so its list is the ranker's order; a channel alone
 * is its own proposals at its pipeline size, in its own order. Rankers see
 * the dataset user's index (`RankInput.user`), so neural models use their
 * trained rows. Deterministic: nothing here draws random numbers.
 */
import type { InteractionData, RankingSplit } from '../eval/protocols.ts';
import { hitNdcgAtRank, rankOfTarget, topKScores } from '../eval/metrics.ts';
import type { Catalog } from './catalog.ts';
import { CHANNELS, recallChannel, type ChannelName } from './channels.ts';
import { historyOf } from './offline.ts';
import {
  DEFAULT_PIPELINE,
  recommend,
  type PipelineOptions,
  type PipelineStage,
} from './pipeline.ts';
import type { Ranker } from './rankers.ts';
import { UserState, type MovieVectors } from './user-state.ts';

/** One held-out user of a split. */
export interface ReplayUser {
  /** Dataset user index. */
  user: number;
  /** ncf-loo: the held-out movie; full-rank: the test movies. */
  targets: Int32Array;
  /** ncf-loo: the 100 candidates, held-out first; full-rank: null (every movie). */
  candidates: Int32Array | null;
  /** Movies never to recommend besides the rated ones (full-rank: validation movies). */
  exclude: Int32Array;
}

/** A user's ranked movies, best first. */
export type ListFn = (u: ReplayUser) => ArrayLike<number>;

/** The evaluated users of a split, in user order. */
export function replayUsers(split: RankingSplit): ReplayUser[] {
  const out: ReplayUser[] = [];
  if (split.protocol === 'ncf-loo') {
    const per = split.candidatesPerUser;
    split.users.forEach((user, e) => {
      const candidates = split.candidates.slice(e * per, (e + 1) * per);
      out.push({ user, targets: candidates.slice(0, 1), candidates, exclude: new Int32Array(0) });
    });
    return out;
  }
  const { test, valid } = split;
  for (let u = 0; u + 1 < test.offsets.length; u++) {
    if (test.offsets[u] === test.offsets[u + 1]) continue;
    out.push({
      user: u,
      targets: test.items.slice(test.offsets[u], test.offsets[u + 1]),
      candidates: null,
      exclude: valid.items.slice(valid.offsets[u], valid.offsets[u + 1]),
    });
  }
  return out;
}

/** Per-user figures of one list. */
export interface ListMetrics {
  /** ncf-loo: the held-out movie in the top k; full-rank: any test movie in the top k. */
  hit: number;
  ndcg: number;
  /** Full-rank: test movies in the top k / test movies (ncf-loo: equals hit). */
  recall: number;
  /** Share of the targets anywhere in the list. */
  recalled: number;
}

/** Scores a user's list against their held-out movies at cut-off `k`. */
export function listMetrics(u: ReplayUser, list: ArrayLike<number>, k: number): ListMetrics {
  if (u.candidates) {
    const position = new Map<number, number>();
    for (let i = 0; i < list.length; i++) if (!position.has(list[i]!)) position.set(list[i]!, i);
    const scores = Float64Array.from(u.candidates, (m) => {
      const p = position.get(m);
      return p === undefined ? -Infinity : list.length - p;
    });
    const { hit, ndcg } = hitNdcgAtRank(rankOfTarget(scores, 0), k);
    return { hit, ndcg, recall: hit, recalled: position.has(u.candidates[0]!) ? 1 : 0 };
  }
  const targets = new Set(u.targets);
  const top = Array.prototype.slice.call(list, 0, k) as number[];
  const s = topKScores(top, (m) => targets.has(m), targets.size, k);
  let found = 0;
  for (let i = 0; i < list.length; i++) if (targets.has(list[i]!)) found++;
  return { hit: s.hit, ndcg: s.ndcg, recall: s.recall, recalled: found / targets.size };
}

export interface ReplayContext {
  /** Built from the split's training interactions (`trainingCatalog`). */
  catalog: Catalog;
  /** Trained on the split's training interactions; null turns 'embedding' and 'because' off. */
  embedding: MovieVectors | null;
}

/** A pipeline to replay: its ranker, or null for the channels' fusion alone ("recall only"). */
export interface ReplayVariant {
  name: string;
  ranker: Ranker | null;
}

/**
 * The pipeline options of a replay: every candidate kept (rare movies too:
 * ncf-loo's sampled negatives are mostly rare, and dropping them would make
 * its figures incomparable), the ranker's order.
 */
export function replayPipelineOptions(opts: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    ...DEFAULT_PIPELINE,
    minRatings: 0,
    ...opts,
    k: Number.MAX_SAFE_INTEGER,
    diversity: 0,
    freshness: 0,
  };
}

/**
 * Serves held-out users from their training ratings: the state of a user is
 * built once and shared by every list asked of them.
 */
export class Replayer {
  private last: { user: number; state: UserState } | null = null;
  readonly options: PipelineOptions;
  private readonly notAllowed: Uint8Array;

  constructor(
    readonly data: InteractionData,
    readonly ctx: ReplayContext,
    opts: Partial<PipelineOptions> = {},
  ) {
    this.options = replayPipelineOptions(opts);
    // Movies outside the split's catalogue are never recommended (they cannot be relevant).
    this.notAllowed = Uint8Array.from(data.catalogue, (c) => (c ? 0 : 1));
  }

  /** The user's state from their training ratings (cached for the last user). */
  state(user: number): UserState {
    if (this.last?.user !== user)
      this.last = {
        user,
        state: UserState.from(this.ctx.catalog, this.ctx.embedding, historyOf(this.data, user)),
      };
    return this.last.state;
  }

  private seen(u: ReplayUser): (m: number) => boolean {
    const state = this.state(u.user);
    const excluded = new Set(u.exclude);
    return (m) => state.ratings.has(m) || this.notAllowed[m] === 1 || excluded.has(m);
  }

  /** The pipeline's full list for a user, and the stage it used. */
  pipeline(u: ReplayUser, ranker: Ranker | null): { movies: number[]; stage: PipelineStage } {
    const state = this.state(u.user);
    const seen = this.seen(u);
    const r = recommend(
      { catalog: this.ctx.catalog, embedding: this.ctx.embedding, ranker },
      { state, user: u.user },
      { ...this.options, exclude: seen },
    );
    return { movies: r.items.map((i) => i.movie), stage: r.stage };
  }

  /** One channel's proposals for a user at its pipeline size, in its order. */
  channel(u: ReplayUser, channel: ChannelName): number[] {
    const n = this.options.sizes[channel];
    return recallChannel(this.ctx, this.state(u.user), channel, n, this.seen(u)).movies;
  }

  /** A variant as a list function (what an A/B test serves). */
  lister(ranker: Ranker | null): ListFn {
    return (u) => this.pipeline(u, ranker).movies;
  }
}

export interface ReplayOptions {
  /** Pipelines to replay (default: recall only). */
  variants?: readonly ReplayVariant[];
  /** Channels to replay alone (default: every channel the context can run). */
  channels?: readonly ChannelName[];
  /** Channel sizes and the ranker threshold (k, diversity and freshness are fixed). */
  pipeline?: Partial<PipelineOptions>;
  /** Cut-off: default 10 (ncf-loo) or 20 (full-rank). */
  k?: number;
  /** Replay only the first n users. */
  maxUsers?: number;
  /** Called now and then with users done / total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ReplayRow {
  /** A channel's name, or the variant's name. */
  name: string;
  kind: 'channel' | 'pipeline';
  /** Mean per-user figures: hit, ndcg, recall, recalled (see ListMetrics). */
  metrics: ListMetrics;
  /** Pipelines: the share of users the ranker served (the rest were served by fusion: too few liked movies). */
  modelShare?: number;
  /** Mean list length. */
  listLength: number;
}

export interface ReplayResult {
  protocol: RankingSplit['protocol'];
  seed: number;
  k: number;
  users: number;
  rows: ReplayRow[];
  /** Threads the users were served on. */
  threads: number;
}

/** What a replay serves: its cut-off, channels, pipelines and users (all of them, or the first `maxUsers`). */
export interface ReplayPlan {
  k: number;
  channels: ChannelName[];
  variants: readonly ReplayVariant[];
  users: ReplayUser[];
}

/** The plan of {@link replay} for these options. */
export function replayPlan(
  split: RankingSplit,
  ctx: ReplayContext,
  opts: ReplayOptions = {},
): ReplayPlan {
  if (split.protocol === 'msr-100k')
    throw new RangeError(
      'replay runs on ncf-loo and full-rank (msr-100k has no validation set to leave out).',
    );
  const sizes = replayPipelineOptions(opts.pipeline).sizes;
  const channels = (opts.channels ?? CHANNELS).filter(
    (c) =>
      // 'tower', 'model' and 'next' are a ranker's own retrieval: they run inside a pipeline, not alone.
      c !== 'tower' &&
      c !== 'model' &&
      c !== 'next' &&
      sizes[c] > 0 &&
      (ctx.embedding || (c !== 'embedding' && c !== 'because')),
  );
  return {
    k: opts.k ?? (split.protocol === 'ncf-loo' ? 10 : 20),
    channels,
    variants: opts.variants ?? [{ name: 'fusion', ranker: null }],
    users: replayUsers(split).slice(0, opts.maxUsers ?? Infinity),
  };
}

/** Per user and per row (channels, then pipelines): hit, ndcg, recall, recalled, list length, served by the model (0 or 1). */
export const REPLAY_FIELDS = 6;

/**
 * Serves users [from, to) of a plan through each of its channels and
 * pipelines, writing their figures into `out` (REPLAY_FIELDS per row, one
 * block of rows per user). Threads can each take a run of users.
 */
export function replayUsersInto(
  replayer: Replayer,
  plan: ReplayPlan,
  from: number,
  to: number,
  out: Float64Array,
  opts: {
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
    stop?: () => boolean;
  } = {},
): void {
  const { channels, variants, users, k } = plan;
  const width = (channels.length + variants.length) * REPLAY_FIELDS;
  const put = (e: number, row: number, m: ListMetrics, length: number, model: number): void =>
    out.set([m.hit, m.ndcg, m.recall, m.recalled, length, model], e * width + row * REPLAY_FIELDS);
  for (let e = from; e < to; e++) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (opts.stop?.()) return;
    const u = users[e]!;
    channels.forEach((c, i) => {
      const list = replayer.channel(u, c);
      put(e, i, listMetrics(u, list, k), list.length, 0);
    });
    variants.forEach((v, j) => {
      const { movies, stage } = replayer.pipeline(u, v.ranker);
      put(
        e,
        channels.length + j,
        listMetrics(u, movies, k),
        movies.length,
        stage === 'model' ? 1 : 0,
      );
    });
    if (opts.onProgress && ((e - from) & 31) === 31) opts.onProgress(e - from + 1, to - from);
  }
}

/** A replay's result from every user's figures, summed in user order (so any split across threads gives the same numbers). */
export function replayResult(
  split: RankingSplit,
  plan: ReplayPlan,
  out: Float64Array,
  threads = 1,
): ReplayResult {
  const names = [
    ...plan.channels.map((name) => ({ name, kind: 'channel' as const })),
    ...plan.variants.map((v) => ({ name: v.name, kind: 'pipeline' as const })),
  ];
  const n = plan.users.length;
  const width = names.length * REPLAY_FIELDS;
  const mean = (x: number): number => (n ? x / n : 0);
  return {
    protocol: split.protocol,
    seed: split.seed,
    k: plan.k,
    users: n,
    threads,
    rows: names.map(({ name, kind }, r) => {
      const sums = new Float64Array(REPLAY_FIELDS);
      for (let e = 0; e < n; e++)
        for (let f = 0; f < REPLAY_FIELDS; f++) sums[f]! += out[e * width + r * REPLAY_FIELDS + f]!;
      return {
        name,
        kind,
        metrics: {
          hit: mean(sums[0]!),
          ndcg: mean(sums[1]!),
          recall: mean(sums[2]!),
          recalled: mean(sums[3]!),
        },
        ...(kind === 'pipeline' && { modelShare: mean(sums[5]!) }),
        listLength: mean(sums[4]!),
      };
    }),
  };
}

/** Replays the split's held-out users through each channel alone and each pipeline. */
export function replay(
  split: RankingSplit,
  ctx: ReplayContext,
  opts: ReplayOptions = {},
): ReplayResult {
  const plan = replayPlan(split, ctx, opts);
  const replayer = new Replayer(split.data, ctx, opts.pipeline);
  const n = plan.users.length;
  const out = new Float64Array(n * (plan.channels.length + plan.variants.length) * REPLAY_FIELDS);
  replayUsersInto(replayer, plan, 0, n, out, opts);
  opts.onProgress?.(n, n);
  return replayResult(split, plan, out);
}
