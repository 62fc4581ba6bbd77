/**
 * Comparing two recommenders on replayed users, two ways (SparrowRecSys'
 * ABTest, done properly):
 *
 * - A/B split: a stable hash of the experiment and the user id (32-bit
 *   FNV-1a, then an avalanche) picks a bucket, the bucket the variant, and
 *   each user is served by their variant only. Per variant: the mean of a
 *   per-user metric with its 95% CI; the difference B − A with a 95% CI
 *   (Welch's standard error, normal approximation) and a two-sided p-value.
 * - Team-draft interleaving (Radlinski, Kurup & Joachims, CIKM 2008): every
 *   user sees one list merged from both, each item credited to the variant
 *   ("team") that contributed it; the user's held-out movies in the merged
 *   top k are the clicks, and the team with more clicks wins that user.
 *   Preference Δ = (wins B − wins A) / (users with a winner), with a 95% CI
 *   (Wilson's interval for the binomial share of B's wins) and the sign
 *   test's p-value (normal approximation).
 *
 * Both walk the users in one fixed "arrival" order (a hash of the id) and
 * report a settling series — the cumulative difference and its CI after
 * every `step` users — and how many users it took until the CI excluded 0
 * for good (null when it never did). Every user is evidence for both
 * variants in interleaving, so it settles with fewer users than the split.
 * Deterministic: the only randomness (the draft's coin) is seeded per user
 * from the same hash.
 */
import { Random } from '../random.ts';
import { listMetrics, type ListMetrics, type ReplayUser } from './replay.ts';

/** 32-bit FNV-1a of the string's UTF-8 bytes. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Buckets users are hashed into: shares are set in steps of 1/BUCKETS. */
export const BUCKETS = 10_000;

/**
 * MurmurHash3's finalizer: FNV-1a mixes its last bytes poorly (its low bit
 * is the parity of the bytes' low bits, so "exp1:7" and "exp2:7" always
 * differ in it, and buckets of two experiments are visibly dependent over
 * consecutive ids); this avalanche makes every output bit depend on every
 * input bit.
 */
function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The user's bucket in an experiment, 0 … BUCKETS − 1 (the same on every call). */
export function bucketOf(experiment: string, userId: number | string): number {
  return fmix32(fnv1a32(`${experiment}:${userId}`)) % BUCKETS;
}

export type Variant = 'A' | 'B';

/** The user's variant: B for the first `shareB` of the buckets (default half). */
export function assign(experiment: string, userId: number | string, shareB = 0.5): Variant {
  if (!(shareB >= 0 && shareB <= 1))
    throw new RangeError(`shareB must be in [0, 1] (got ${shareB})`);
  return bucketOf(experiment, userId) < Math.round(shareB * BUCKETS) ? 'B' : 'A';
}

/** 1.96: the two-sided 95% normal quantile. */
const Z95 = 1.959963984540054;

/** The complementary error function (Numerical Recipes' erfcc; relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedP(z: number): number {
  if (Number.isNaN(z)) return 1;
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** A mean with its 95% CI. */
export interface MeanCi {
  n: number;
  mean: number;
  lo: number;
  hi: number;
}

/** An estimated difference with its 95% CI and two-sided p-value. */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
  p: number;
}

/** Running sums of one arm. */
class Moments {
  n = 0;
  sum = 0;
  sumSq = 0;
  add(x: number): void {
    this.n++;
    this.sum += x;
    this.sumSq += x * x;
  }
  get mean(): number {
    return this.n ? this.sum / this.n : 0;
  }
  /** Sample variance (n − 1). */
  get variance(): number {
    return this.n > 1 ? Math.max(0, (this.sumSq - this.n * this.mean ** 2) / (this.n - 1)) : 0;
  }
  ci(): MeanCi {
    const half = this.n > 1 ? Z95 * Math.sqrt(this.variance / this.n) : Infinity;
    return { n: this.n, mean: this.mean, lo: this.mean - half, hi: this.mean + half };
  }
}

/** B − A with Welch's standard error; null until each arm has two users. */
function welch(a: Moments, b: Moments): Estimate | null {
  if (a.n < 2 || b.n < 2) return null;
  const value = b.mean - a.mean;
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  if (se === 0) return { value, lo: value, hi: value, p: value === 0 ? 1 : 0 };
  return { value, lo: value - Z95 * se, hi: value + Z95 * se, p: twoSidedP(value / se) };
}

/** Δ = (winsB − winsA) / (winsA + winsB) with Wilson's 95% interval and the sign test's p. */
export function preference(winsA: number, winsB: number): Estimate {
  const n = winsA + winsB;
  if (n === 0) return { value: 0, lo: -1, hi: 1, p: 1 };
  const p = winsB / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return {
    value: (winsB - winsA) / n,
    lo: 2 * (centre - half) - 1,
    hi: 2 * (centre + half) - 1,
    p: twoSidedP((winsB - n / 2) / (Math.sqrt(n) / 2)),
  };
}

/** One point of a settling series: after `users` users, the cumulative estimate. */
export interface SettlePoint {
  users: number;
  value: number;
  lo: number;
  hi: number;
}

/**
 * Users until the CI excluded 0 and kept excluding it (on the final side) at
 * every later point; null when the final CI covers 0.
 */
export function usersToSignificance(series: readonly SettlePoint[]): number | null {
  const last = series.at(-1);
  if (!last) return null;
  const side = last.lo > 0 ? 1 : last.hi < 0 ? -1 : 0;
  if (side === 0) return null;
  let first = series.length - 1;
  while (first > 0) {
    const s = series[first - 1]!;
    if (!(side > 0 ? s.lo > 0 : s.hi < 0)) break;
    first--;
  }
  return series[first]!.users;
}

/** The interleaved list and, per position, the team (0 = A, 1 = B) that contributed it. */
export interface Interleaved {
  items: number[];
  teams: Uint8Array;
}

/**
 * Team-draft interleaving of two ranked lists into `k` items: each round the
 * team with fewer picks (a coin flip when even) adds its best item not yet
 * in the list. When one list runs out the other goes on alone.
 */
export function teamDraft(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  k: number,
  coin: () => boolean,
): Interleaved {
  const used = new Set<number>();
  const items: number[] = [];
  const teams: number[] = [];
  let ia = 0;
  let ib = 0;
  let na = 0;
  let nb = 0;
  while (items.length < k) {
    while (ia < a.length && used.has(a[ia]!)) ia++;
    while (ib < b.length && used.has(b[ib]!)) ib++;
    const aLeft = ia < a.length;
    const bLeft = ib < b.length;
    if (!aLeft && !bLeft) break;
    const aPicks = !bLeft || (aLeft && (na < nb || (na === nb && coin())));
    const m = aPicks ? a[ia]! : b[ib]!;
    used.add(m);
    items.push(m);
    teams.push(aPicks ? 0 : 1);
    if (aPicks) na++;
    else nb++;
  }
  return { items, teams: Uint8Array.from(teams) };
}

/** A replayed user with the id their variant is hashed from (the dataset's userId). */
export interface AbUser extends ReplayUser {
  id: number;
}

/** The users in the experiment's arrival order (by hash, then id): the same for both methods. */
export function arrivalOrder<U extends { id: number }>(
  users: readonly U[],
  experiment: string,
): U[] {
  const key = new Map(users.map((u) => [u.id, fnv1a32(`${experiment}/arrival/${u.id}`)]));
  return [...users].sort((x, y) => key.get(x.id)! - key.get(y.id)! || x.id - y.id);
}

/** A list restricted to the user's candidates (ncf-loo), or as it is. */
function withinCandidates(u: ReplayUser, list: ArrayLike<number>): ArrayLike<number> {
  if (!u.candidates) return list;
  const allowed = new Set(u.candidates);
  return Array.prototype.filter.call(list, (m: number) => allowed.has(m)) as number[];
}

export interface AbOptions {
  experiment: string;
  /** Share of users in B (default 0.5). */
  shareB?: number;
  /** Cut-off: default 10 with candidates (ncf-loo), 20 without (full-rank). */
  k?: number;
  /** A settling point after every `step` users (default 10), and after the last. */
  step?: number;
  /** Stream of the interleaving coins (default 1). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export type AbMetric = keyof ListMetrics;

export interface AbMetricResult {
  metric: AbMetric;
  a: MeanCi;
  b: MeanCi;
  /** B − A; null when an arm has fewer than two users. */
  diff: Estimate | null;
  settling: SettlePoint[];
  usersToSignificance: number | null;
}

export interface InterleavingResult {
  users: number;
  winsA: number;
  winsB: number;
  ties: number;
  preference: Estimate;
  settling: SettlePoint[];
  usersToSignificance: number | null;
}

export interface AbTestResult {
  experiment: string;
  k: number;
  users: number;
  /** The metric the settling comparison reads: hit (ncf-loo) or recall (full-rank). */
  primary: AbMetric;
  ab: AbMetricResult[];
  interleaving: InterleavingResult;
}

/** Per user of an interleaved list: +1 B won, −1 A won, 0 a tie. */
export function interleavedOutcome(u: ReplayUser, merged: Interleaved, k: number): -1 | 0 | 1 {
  const targets = new Set(u.targets);
  let a = 0;
  let b = 0;
  const n = Math.min(k, merged.items.length);
  for (let i = 0; i < n; i++) {
    if (!targets.has(merged.items[i]!)) continue;
    if (merged.teams[i] === 0) a++;
    else b++;
  }
  return b > a ? 1 : a > b ? -1 : 0;
}

/**
 * Both comparisons of variants A and B over the same users; `a` and `b`
 * return a user's ranked movies, best first (a Replayer's `lister`, say).
 */
export function abTest<U extends AbUser>(
  users: readonly U[],
  a: (u: U) => ArrayLike<number>,
  b: (u: U) => ArrayLike<number>,
  opts: AbOptions,
): AbTestResult {
  const order = arrivalOrder(users, opts.experiment);
  const hasCandidates = order.some((u) => u.candidates);
  const k = opts.k ?? (hasCandidates ? 10 : 20);
  const step = Math.max(1, Math.floor(opts.step ?? 10));
  const seed = opts.seed ?? 1;
  const metrics: AbMetric[] = hasCandidates ? ['hit', 'ndcg'] : ['recall', 'ndcg', 'hit'];
  const arms = metrics.map(() => ({ A: new Moments(), B: new Moments() }));
  const abSeries: SettlePoint[][] = metrics.map(() => []);
  const ilSeries: SettlePoint[] = [];
  let winsA = 0;
  let winsB = 0;
  const n = order.length;
  order.forEach((u, i) => {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const la = withinCandidates(u, a(u));
    const lb = withinCandidates(u, b(u));
    // A/B: the user sees their variant only.
    const variant = assign(opts.experiment, u.id, opts.shareB);
    const m = listMetrics(u, variant === 'A' ? la : lb, k);
    metrics.forEach((name, j) => arms[j]![variant].add(m[name]));
    // Interleaving: the user sees both, merged.
    const rng = new Random(fnv1a32(`${opts.experiment}:${u.id}`), seed);
    const outcome = interleavedOutcome(
      u,
      teamDraft(la, lb, k, () => rng.next() < 0.5),
      k,
    );
    if (outcome > 0) winsB++;
    else if (outcome < 0) winsA++;
    if ((i + 1) % step === 0 || i + 1 === n) {
      metrics.forEach((_, j) => {
        const d = welch(arms[j]!.A, arms[j]!.B);
        if (d) abSeries[j]!.push({ users: i + 1, value: d.value, lo: d.lo, hi: d.hi });
      });
      const p = preference(winsA, winsB);
      ilSeries.push({ users: i + 1, value: p.value, lo: p.lo, hi: p.hi });
    }
    if (opts.onProgress && (i & 31) === 31) opts.onProgress(i + 1, n);
  });
  opts.onProgress?.(n, n);
  return {
    experiment: opts.experiment,
    k,
    users: n,
    primary: metrics[0]!,
    ab: metrics.map((metric, j) => ({
      metric,
      a: arms[j]!.A.ci(),
      b: arms[j]!.B.ci(),
      diff: welch(arms[j]!.A, arms[j]!.B),
      settling: abSeries[j]!,
      usersToSignificance: usersToSignificance(abSeries[j]!),
    })),
    interleaving: {
      users: n,
      winsA,
      winsB,
      ties: n - winsA - winsB,
      preference: preference(winsA, winsB),
      settling: ilSeries,
      usersToSignificance: usersToSignificance(ilSeries),
    },
  };
}
