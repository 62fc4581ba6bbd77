/**
 * The ranking protocols of DESIGN.md, as splits of the columnar ratings plus
 * one evaluator each. Every split is deterministic for its seed.
 *
 * - **ncf-loo** (He et al. 2017): every rating is an interaction; each user's
 *   latest one is held out and ranked against 99 sampled movies the user
 *   never rated. HR@10, NDCG@10.
 * - **msr-100k** (Microsoft Recommenders): each user's ratings split 75/25 at
 *   random; top-10 over movies the user did not rate in training.
 *   nDCG@10, Precision@10, Recall@10.
 * - **full-rank** (RecBole): ratings ≥ 3 stars; each user's interactions
 *   split 8:1:1 at random; every movie the user did not train or validate on
 *   is ranked. Recall@10, NDCG@10, Hit@10, MRR@10, item coverage.
 *
 * Items are movie indexes of the dataset; only movies with at least one rating
 * in the dataset are candidates (as the published benchmarks, whose item sets
 * come from the ratings file).
 */
import type { RatingColumns } from '../data/types.ts';
import type { Sequences } from '../features/sequences.ts';
import { Random } from '../random.ts';
import { hitNdcgAtRank, rankOfTarget, topK, topKScores } from './metrics.ts';

export type ProtocolName = 'ncf-loo' | 'msr-100k' | 'full-rank';
export const PROTOCOLS: readonly ProtocolName[] = ['ncf-loo', 'msr-100k', 'full-rank'];

/** What every model trains on: each user's training interactions, in time order. */
export interface InteractionData {
  userCount: number;
  itemCount: number;
  /** Per user (CSR): training items in time order. */
  train: Sequences;
  /** Half-star ratings parallel to `train.items`. */
  trainRatings: Uint8Array;
  /** Timestamps parallel to `train.items`. */
  trainTimes: Uint32Array;
  /** 1 for items that may be recommended at all (rated at least once in the dataset). */
  catalogue: Uint8Array;
}

export interface LooSplit {
  protocol: 'ncf-loo';
  seed: number;
  data: InteractionData;
  /** Evaluated users; per user 100 candidates, the held-out item first. */
  users: Int32Array;
  candidates: Int32Array;
  candidatesPerUser: number;
}

export interface HoldoutSplit {
  protocol: 'msr-100k' | 'full-rank';
  seed: number;
  data: InteractionData;
  /** Per user: validation items (full-rank only; empty otherwise). */
  valid: Sequences;
  /** Per user: test items. */
  test: Sequences;
}

export type RankingSplit = LooSplit | HoldoutSplit;

/** Ratings at or above this many half stars count in full-rank (3 stars, as RecBole's ml-1m). */
export const FULL_RANK_MIN_HALF_STARS = 6;

function catalogueOf(ratings: RatingColumns, itemCount: number): Uint8Array {
  const c = new Uint8Array(itemCount);
  for (let i = 0; i < ratings.movie.length; i++) c[ratings.movie[i]!] = 1;
  return c;
}

function itemCountOf(ratings: RatingColumns, itemCount?: number): number {
  if (itemCount !== undefined) return itemCount;
  let max = -1;
  for (let i = 0; i < ratings.movie.length; i++)
    if (ratings.movie[i]! > max) max = ratings.movie[i]!;
  return max + 1;
}

/** The items that may be recommended, as a list: every index with `catalogue[m]` set. */
export function cataloguePool(catalogue: Uint8Array): Int32Array {
  const out: number[] = [];
  for (let m = 0; m < catalogue.length; m++) if (catalogue[m]) out.push(m);
  return Int32Array.from(out);
}

/**
 * Collects leave-one-out candidates: per user the held-out item, then
 * `negatives` distinct items drawn from the pool that the user never had.
 */
class LooCandidates {
  private readonly users: number[] = [];
  /** Typed, grown by doubling: a number[] of every candidate took twice the memory. */
  private candidates = new Int32Array(1024);
  private n = 0;
  private readonly mark: Uint8Array;

  constructor(
    private readonly pool: Int32Array,
    private readonly negatives: number,
    private readonly rng: Random,
    itemCount: number,
  ) {
    this.mark = new Uint8Array(itemCount);
  }

  private push(m: number): void {
    if (this.n === this.candidates.length) {
      const more = new Int32Array(this.n * 2);
      more.set(this.candidates);
      this.candidates = more;
    }
    this.candidates[this.n++] = m;
  }

  /** Adds user `u` with `held` when the items in `seen` leave enough others to sample. */
  add(u: number, held: number, seen: ArrayLike<number>): void {
    const mark = this.mark;
    let distinct = 0;
    for (let i = 0; i < seen.length; i++) {
      if (!mark[seen[i]!]) distinct++;
      mark[seen[i]!] = 1;
    }
    if (this.pool.length - distinct >= this.negatives) {
      this.users.push(u);
      this.push(held);
      const picked = new Set<number>();
      while (picked.size < this.negatives) {
        const m = this.pool[this.rng.int(this.pool.length)]!;
        if (!mark[m] && !picked.has(m)) {
          picked.add(m);
          this.push(m);
        }
      }
    }
    for (let i = 0; i < seen.length; i++) mark[seen[i]!] = 0;
  }

  /** The split: `data` to train on, the collected users and candidates to rank. */
  split(seed: number, data: InteractionData): LooSplit {
    return {
      protocol: 'ncf-loo',
      seed,
      data,
      users: Int32Array.from(this.users),
      candidates: this.candidates.slice(0, this.n),
      candidatesPerUser: this.negatives + 1,
    };
  }
}

/** Builds per-user CSR arrays from a keep-predicate over rating indexes. */
class CsrBuilder {
  readonly offsets: Int32Array;
  private n = 0;
  private items: Int32Array;
  private ratingsOut: Uint8Array;
  private timesOut: Uint32Array;
  /** `capacity`: the rows expected at most (it grows past them where needed). */
  constructor(users: number, capacity = 1024) {
    this.offsets = new Int32Array(users + 1);
    this.items = new Int32Array(Math.max(1, capacity));
    this.ratingsOut = new Uint8Array(this.items.length);
    this.timesOut = new Uint32Array(this.items.length);
  }
  push(item: number, rating: number, time: number): void {
    if (this.n === this.items.length) this.grow();
    this.items[this.n] = item;
    this.ratingsOut[this.n] = rating;
    this.timesOut[this.n++] = time;
  }
  private grow(): void {
    const more = <T extends Int32Array | Uint8Array | Uint32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.items = more(this.items);
    this.ratingsOut = more(this.ratingsOut);
    this.timesOut = more(this.timesOut);
  }
  /** Rating `i` of the columns. */
  pushRating(r: RatingColumns, i: number): void {
    this.push(r.movie[i]!, r.rating[i]!, r.timestamp[i]!);
  }
  endUser(u: number): void {
    this.offsets[u + 1] = this.n;
  }
  /** The first `n` of a column: a view where little of it is unused, else a copy. */
  private used<T extends Int32Array | Uint8Array | Uint32Array>(a: T): T {
    return (this.n * 8 >= a.length * 7 ? a.subarray(0, this.n) : a.slice(0, this.n)) as T;
  }
  sequences(): Sequences {
    return { offsets: this.offsets, items: this.used(this.items) };
  }
  /** The collected rows as a model's training data. */
  interactions(itemCount: number, catalogue: Uint8Array): InteractionData {
    return {
      userCount: this.offsets.length - 1,
      itemCount,
      train: this.sequences(),
      trainRatings: this.used(this.ratingsOut),
      trainTimes: this.used(this.timesOut),
      catalogue,
    };
  }
}

/** ncf-loo: the latest rating of every user with ≥ 2 ratings is held out, with 99 sampled negatives. */
export function ncfLooSplit(
  ratings: RatingColumns,
  seed = 1,
  opts: { itemCount?: number; negatives?: number } = {},
): LooSplit {
  const itemCount = itemCountOf(ratings, opts.itemCount);
  const negatives = opts.negatives ?? 99;
  const catalogue = catalogueOf(ratings, itemCount);
  const userCount = ratings.userOffsets.length - 1;
  const train = new CsrBuilder(userCount, ratings.movie.length);
  const loo = new LooCandidates(
    cataloguePool(catalogue),
    negatives,
    new Random(seed, 0x4c4f4f), // "LOO"
    itemCount,
  );
  for (let u = 0; u < userCount; u++) {
    const start = ratings.userOffsets[u]!;
    const end = ratings.userOffsets[u + 1]!;
    const held = end - start >= 2 ? end - 1 : -1;
    for (let i = start; i < end; i++) if (i !== held) train.pushRating(ratings, i);
    train.endUser(u);
    if (held >= 0) loo.add(u, ratings.movie[held]!, ratings.movie.subarray(start, end));
  }
  return loo.split(seed, train.interactions(itemCount, catalogue));
}

/**
 * A validation split carved from training data alone (for early stopping and
 * tuning, never touching the test items): each user's latest training
 * interaction is held out with `negatives` sampled items the user has no
 * training interaction with, as ncf-loo does.
 */
export function validationLoo(data: InteractionData, seed = 1, negatives = 99): LooSplit {
  const { userCount, itemCount, catalogue } = data;
  const train = data.train;
  const kept = new CsrBuilder(userCount, train.items.length);
  const loo = new LooCandidates(
    cataloguePool(catalogue),
    negatives,
    new Random(seed, 0x56414c), // "VAL"
    itemCount,
  );
  for (let u = 0; u < userCount; u++) {
    const from = train.offsets[u]!;
    const to = train.offsets[u + 1]!;
    const held = to - from >= 2 ? to - 1 : -1;
    for (let i = from; i < to; i++)
      if (i !== held) kept.push(train.items[i]!, data.trainRatings[i]!, data.trainTimes[i]!);
    kept.endUser(u);
    if (held >= 0) loo.add(u, train.items[held]!, train.items.subarray(from, to));
  }
  return loo.split(seed, kept.interactions(itemCount, catalogue));
}

/**
 * RecBole's split sizes for ratios [0.8, 0.1, 0.1]: validation and test get
 * ⌊0.1·n⌋ each, or 1 when 0 < 0.1·n < 1 and training keeps more than one.
 */
export function recboleCounts(n: number): [number, number, number] {
  const ratios = [0.8, 0.1, 0.1];
  const cnt = ratios.map((r) => Math.floor(r * n));
  cnt[0] = n - cnt[1]! - cnt[2]!;
  for (let i = 1; i < ratios.length; i++) {
    if (cnt[0]! <= 1) break;
    const want = ratios[ratios.length - i]! * n;
    if (want > 0 && want < 1) {
      cnt[ratios.length - i]!++;
      cnt[0]!--;
    }
  }
  return [cnt[0]!, cnt[1]!, cnt[2]!];
}

/**
 * A random per-user holdout: msr-100k (75/25 of every rating) or full-rank
 * (ratings ≥ 3 stars, 8:1:1). Training items stay in time order.
 */
export function holdoutSplit(
  ratings: RatingColumns,
  protocol: 'msr-100k' | 'full-rank',
  seed = 1,
  opts: { itemCount?: number } = {},
): HoldoutSplit {
  const itemCount = itemCountOf(ratings, opts.itemCount);
  const userCount = ratings.userOffsets.length - 1;
  const minRating = protocol === 'full-rank' ? FULL_RANK_MIN_HALF_STARS : 0;
  const rng = new Random(seed, protocol === 'full-rank' ? 0x52424c : 0x4d5352);
  const train = new CsrBuilder(userCount, ratings.movie.length);
  const valid = new CsrBuilder(userCount);
  const test = new CsrBuilder(userCount);
  const kept = new Uint8Array(ratings.movie.length);
  for (let u = 0; u < userCount; u++) {
    const start = ratings.userOffsets[u]!;
    const end = ratings.userOffsets[u + 1]!;
    const idx: number[] = [];
    for (let i = start; i < end; i++) if (ratings.rating[i]! >= minRating) idx.push(i);
    rng.shuffle(idx);
    const n = idx.length;
    let nTrain: number;
    let nValid: number;
    if (protocol === 'msr-100k') {
      nTrain = Math.round(0.75 * n);
      nValid = 0;
    } else {
      [nTrain, nValid] = recboleCounts(n);
    }
    // part[i]: 1 train, 2 valid, 3 test, for rating indexes of this user.
    const part = new Map<number, number>();
    idx.forEach((i, j) => part.set(i, j < nTrain ? 1 : j < nTrain + nValid ? 2 : 3));
    for (let i = start; i < end; i++) {
      const p = part.get(i);
      if (p === undefined) continue;
      kept[i] = 1;
      (p === 1 ? train : p === 2 ? valid : test).pushRating(ratings, i);
    }
    train.endUser(u);
    valid.endUser(u);
    test.endUser(u);
  }
  const catalogue = new Uint8Array(itemCount);
  for (let i = 0; i < kept.length; i++) if (kept[i]) catalogue[ratings.movie[i]!] = 1;
  return {
    protocol,
    seed,
    data: train.interactions(itemCount, catalogue),
    valid: valid.sequences(),
    test: test.sequences(),
  };
}

export function makeSplit(
  ratings: RatingColumns,
  protocol: ProtocolName,
  seed = 1,
  opts: { itemCount?: number } = {},
): RankingSplit {
  return protocol === 'ncf-loo'
    ? ncfLooSplit(ratings, seed, opts)
    : holdoutSplit(ratings, protocol, seed, opts);
}

/**
 * Scores items for a user: with `items`, fills `out[j]` for `items[j]`;
 * with null, fills `out[m]` for every item index m (length itemCount).
 */
export type Scorer = (user: number, items: Int32Array | null, out: Float32Array) => void;

export interface ProtocolMetrics {
  /** ncf-loo: HR@k and NDCG@k; holdout: Hit@k, NDCG@k, Recall@k, Precision@k, MRR@k, coverage. */
  [metric: string]: number;
  users: number;
  k: number;
}

export interface EvalOptions {
  k?: number;
  /** Called now and then with users done / total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** For full-rank: evaluate on the validation items instead of test. */
  useValidation?: boolean;
  /** Each evaluated user's own figures (for paired comparisons between models). */
  onUser?: (user: number, m: { hit: number; ndcg: number; recall?: number }) => void;
}

/** Evaluates a scorer on a split with its protocol's metrics. */
export function evaluateSplit(
  split: RankingSplit,
  score: Scorer,
  opts: EvalOptions = {},
): ProtocolMetrics {
  const k = opts.k ?? 10;
  const n = usersToEvaluate(split);
  const rows = new Float64Array(n * USER_FIELDS);
  const tops = split.protocol === 'ncf-loo' ? null : new Int32Array(n * k);
  evaluateUsers(split, score, 0, n, rows, tops, { ...opts, k });
  return aggregateUsers(split, rows, tops, opts);
}

/** Per evaluated user: evaluated (0 or 1), hit, ndcg, recall, precision, mrr. */
export const USER_FIELDS = 6;

/** How many slots {@link evaluateUsers} fills: ncf-loo's evaluated users, or every user for the holdout protocols. */
export function usersToEvaluate(split: RankingSplit): number {
  return split.protocol === 'ncf-loo' ? split.users.length : split.data.userCount;
}

/**
 * Scores slots [from, to) of a split — ncf-loo's evaluated users by index,
 * or user ids for the holdout protocols — writing each one's figures into
 * `rows` (USER_FIELDS per slot) and, for holdout, its top k into `tops`
 * (k per slot, −1 after the last). Threads can each take a run of slots.
 */
export function evaluateUsers(
  split: RankingSplit,
  score: Scorer,
  from: number,
  to: number,
  rows: Float64Array,
  tops: Int32Array | null,
  opts: EvalOptions & { k: number; stop?: () => boolean },
): void {
  const { k } = opts;
  const total = to - from;
  const tick = (e: number): void => {
    if (opts.onProgress && ((e - from) & 255) === 255) opts.onProgress(e - from + 1, total);
  };
  if (split.protocol === 'ncf-loo') {
    const per = split.candidatesPerUser;
    const out = new Float32Array(per);
    for (let e = from; e < to; e++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (opts.stop?.()) return;
      score(split.users[e]!, split.candidates.subarray(e * per, (e + 1) * per), out);
      const r = hitNdcgAtRank(rankOfTarget(out, 0), k);
      rows.set([1, r.hit, r.ndcg, 0, 0, 0], e * USER_FIELDS);
      tick(e);
    }
    opts.onProgress?.(total, total);
    return;
  }
  const { data } = split;
  const target = opts.useValidation ? split.valid : split.test;
  const out = new Float32Array(data.itemCount);
  const relevant = new Uint8Array(data.itemCount);
  const mask = (s: Sequences, u: number): void => {
    for (let i = s.offsets[u]!, end = s.offsets[u + 1]!; i < end; i++) out[s.items[i]!] = NaN;
  };
  for (let u = from; u < to; u++) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (opts.stop?.()) return;
    tops!.fill(-1, u * k, (u + 1) * k);
    const a = target.offsets[u]!;
    const b = target.offsets[u + 1]!;
    if (a === b) {
      rows.fill(0, u * USER_FIELDS, (u + 1) * USER_FIELDS);
      continue;
    }
    score(u, null, out);
    for (let m = 0; m < data.itemCount; m++) if (!data.catalogue[m]) out[m] = NaN;
    mask(data.train, u);
    // Test ranking leaves out the validation items too (RecBole's full sort).
    if (!opts.useValidation) mask(split.valid, u);
    for (let i = a; i < b; i++) relevant[target.items[i]!] = 1;
    const ranked = topK(out, k);
    const s = topKScores(ranked, (m) => relevant[m] === 1, b - a, k);
    for (let i = a; i < b; i++) relevant[target.items[i]!] = 0;
    tops!.set(ranked, u * k);
    rows.set([1, s.hit, s.ndcg, s.recall, s.precision, s.mrr], u * USER_FIELDS);
    tick(u);
  }
  opts.onProgress?.(total, total);
}

/**
 * The protocol's metrics from every slot's figures, summed in slot order (so
 * any split of the slots across threads gives the same numbers), calling
 * `onUser` for each evaluated user.
 */
export function aggregateUsers(
  split: RankingSplit,
  rows: Float64Array,
  tops: Int32Array | null,
  opts: EvalOptions = {},
): ProtocolMetrics {
  const k = opts.k ?? 10;
  const slots = usersToEvaluate(split);
  const sums = { recall: 0, precision: 0, ndcg: 0, hit: 0, mrr: 0 };
  let n = 0;
  const loo = split.protocol === 'ncf-loo';
  for (let e = 0; e < slots; e++) {
    const o = e * USER_FIELDS;
    if (!rows[o]) continue;
    n++;
    sums.hit += rows[o + 1]!;
    sums.ndcg += rows[o + 2]!;
    if (loo) {
      opts.onUser?.(split.users[e]!, { hit: rows[o + 1]!, ndcg: rows[o + 2]! });
      continue;
    }
    sums.recall += rows[o + 3]!;
    sums.precision += rows[o + 4]!;
    sums.mrr += rows[o + 5]!;
    opts.onUser?.(e, { hit: rows[o + 1]!, ndcg: rows[o + 2]!, recall: rows[o + 3]! });
  }
  const mean = (x: number): number => (n ? x / n : 0);
  if (loo) return { hr: mean(sums.hit), ndcg: mean(sums.ndcg), users: n, k };
  const { data } = split;
  const recommended = new Uint8Array(data.itemCount);
  for (let i = 0; i < tops!.length; i++) if (tops![i]! >= 0) recommended[tops![i]!] = 1;
  let catalogueSize = 0;
  let covered = 0;
  for (let m = 0; m < data.itemCount; m++) {
    catalogueSize += data.catalogue[m]!;
    covered += recommended[m]!;
  }
  return {
    recall: mean(sums.recall),
    precision: mean(sums.precision),
    ndcg: mean(sums.ndcg),
    hit: mean(sums.hit),
    mrr: mean(sums.mrr),
    coverage: catalogueSize ? covered / catalogueSize : 0,
    users: n,
    k,
  };
}
