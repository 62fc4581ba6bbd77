/**
 * new-user-k (src/core/eval/new-user.ts) split across threads: each helper
 * rebuilds a ranker's list function from shared arrays — a saved history
 * model (EASE) alone, the personal blend over it, or For You's pipeline over
 * the saved automatic build with the catalog and the item2vec vectors —
 * serves its run of new users for every k and writes their figures into
 * shared rows; this thread serves the first run, then sums every row in
 * user order, so the metrics are exactly one thread's. Lists without a spec
 * (popularity, ItemKNN: cheaper to serve than to share) stay on this thread.
 */
import {
  newUserMetrics,
  newUserRows,
  newUsersOf,
  NEW_USER_FIELDS,
  NEW_USER_KS,
  scoreList,
  type ListFn,
  type NewUserMetrics,
  type NewUserOptions,
  type NewUserSplit,
} from '../eval/new-user.ts';
import type { HistoryModel } from '../models/history-model.ts';
import { loadModel } from '../models/index.ts';
import type { SavedModel } from '../models/types.ts';
import { acrossThreads, evenCuts, shared, splitThreads, stopFlag } from '../parallel/across.ts';
import type { ThreadPool } from '../parallel/pool.ts';
import { genreLookup, type Catalog } from './catalog.ts';
import { personalList, pipelineList, type PersonalParams } from './personal-ranker.ts';
import type { PipelineOptions } from './pipeline.ts';
import type { MovieVectors } from './user-state.ts';

/** A list function as a helper rebuilds it, over the movies `ranked` marks. */
export type ListSpec =
  | { kind: 'history'; saved: SavedModel; ranked: Uint8Array }
  | {
      kind: 'personal';
      saved: SavedModel;
      catalog: Catalog;
      ranked: Uint8Array;
      params: PersonalParams;
    }
  | {
      kind: 'pipeline';
      saved: SavedModel;
      catalog: Catalog;
      embedding: MovieVectors | null;
      ranked: Uint8Array;
      params: PersonalParams;
      pipeline: Partial<PipelineOptions>;
    };

/** The specs of the list functions that can be rebuilt on a helper. */
const specs = new WeakMap<ListFn, ListSpec>();

/** `list`, remembered as what `spec` rebuilds. */
export function withSpec(list: ListFn, spec: ListSpec): ListFn {
  specs.set(list, spec);
  return list;
}

/** The list function a spec describes, loaded on this thread. */
export async function listFrom(spec: ListSpec): Promise<ListFn> {
  const model = (await loadModel(spec.saved)) as unknown as HistoryModel;
  if (spec.kind === 'history')
    return scoreList(
      (h, o) =>
        model.scoreHistory(
          h.map((x) => x.movie),
          null,
          o,
        ),
      spec.ranked,
    );
  if (spec.kind === 'personal') return personalList(model, spec.catalog, spec.ranked, spec.params);
  return pipelineList(model, spec.catalog, spec.embedding, spec.ranked, spec.params, spec.pipeline);
}

/** What a helper thread is sent: the split, the list's spec, the catalog (for genres) and its run of users. */
export interface NewUsersHelperTask {
  task: 'new-users';
  /** The new users' revealed histories: all a helper reads of the split. */
  split: Pick<NewUserSplit, 'liked'>;
  spec: ListSpec;
  catalog: Catalog;
  ks: readonly number[];
  who: number[];
  at: number;
  from: number;
  to: number;
  rows: Float64Array;
  control: SharedArrayBuffer;
}

export async function runNewUsersHelper(t: NewUsersHelperTask): Promise<number> {
  const list = await listFrom(t.spec);
  newUserRows(t.split, list, genreLookup(t.catalog), t.ks, t.who, t.from, t.to, t.rows, {
    at: t.at,
    stop: stopFlag(t.control),
  });
  return t.to - t.from;
}

/**
 * {@link evaluateNewUsers} for a list function, on `threads` threads where
 * the list can be rebuilt on a helper ({@link withSpec}) and the page has
 * shared memory; otherwise on this thread. The metrics are the same either
 * way, to the last bit.
 */
export async function evaluateNewUsersAcross(
  split: NewUserSplit,
  list: ListFn,
  catalog: Catalog,
  opts: NewUserOptions & { pool?: ThreadPool; threads?: number } = {},
): Promise<NewUserMetrics[]> {
  const ks = opts.ks ?? NEW_USER_KS;
  const at = opts.at ?? 10;
  const who = newUsersOf(split, opts.only);
  const n = who.length;
  const spec = specs.get(list);
  const threads = spec ? splitThreads(opts.pool, opts.threads, n) : 1;
  const genres = genreLookup(catalog);
  const buffer = threads > 1 ? new SharedArrayBuffer(n * ks.length * NEW_USER_FIELDS * 8) : null;
  const rows = new Float64Array(buffer ?? new ArrayBuffer(n * ks.length * NEW_USER_FIELDS * 8));
  const local = (from: number, to: number, share = 1): void =>
    newUserRows(split, list, genres, ks, who, from, to, rows, {
      at,
      signal: opts.signal,
      onProgress:
        opts.onProgress &&
        ((done, total) => opts.onProgress!(Math.min(total * share, done * share), total * share)),
    });
  if (!buffer) local(0, n);
  else {
    const base = {
      task: 'new-users' as const,
      // Only what the helpers read: the training ratings are not theirs to copy.
      split: { liked: split.liked },
      spec: shared(spec!),
      catalog: shared(catalog),
      ks,
      who,
      at,
      rows,
    };
    await acrossThreads(
      opts.pool!,
      evenCuts(n, threads),
      (from, to, control): NewUsersHelperTask & Record<string, unknown> => ({
        ...base,
        from,
        to,
        control,
      }),
      (from, to) => local(from, to, threads),
    );
  }
  return newUserMetrics(ks, n, rows);
}
