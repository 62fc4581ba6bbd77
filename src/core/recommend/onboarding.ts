/**
 * Onboarding that learns, as MovieLens' sign-up pages do: well-known movies
 * are offered in sets, and each set follows what the person did with the
 * ones before it. Genres of movies they liked rank higher; genres of movies
 * they passed over (shown and not rated, or "haven't seen it") or rated low
 * rank lower; no movie is offered twice, and none they rated.
 *
 * Each candidate — one of the most rated movies not yet shown, plus the most
 * rated well-known members of the genres they like — scores
 *
 *   popularity (log rating count, 0…1)
 *   + GENRE × genre preference (a smoothed like rate per genre, −1…1)
 *   + HOOK × the caller's model score, as a rank within the candidates (0…1)
 *
 * and the set is picked greedily, each pick lowering its genres for the rest
 * of the set, so a set leans towards the person's taste without becoming one
 * genre (and the first set, with no signal yet, spreads across genres).
 * Deterministic: ties go to the lower movie index.
 */
import { genresOf, type Catalog } from './catalog.ts';

/** A rating at or below this (in stars) counts as "rated low". Liked is LIKED (3.5) and up. */
export const RATED_LOW = 2.5;

export interface OnboardingSignals {
  /** Movies rated 3.5 stars and up. */
  liked: readonly number[];
  /** Movies rated RATED_LOW and below. */
  low: readonly number[];
  /** Movies shown and not rated, or marked "haven't seen it". */
  passed: readonly number[];
  /** Every movie offered so far: never offered again. */
  shown: readonly number[];
  /** Any other movie never to offer: every rated one, "not interested". */
  exclude?: (movie: number) => boolean;
  /**
   * A model's scores over the whole catalogue from the liked movies (higher is better; a
   * non-finite score means "no opinion"), or null. Called only when something is liked.
   */
  score?: (liked: number[]) => Float32Array | null;
}

/** How many of the most rated unseen movies are candidates. */
export const POOL = 300;
/** Weight of the genre preference against popularity (0…1). */
const GENRE = 1.2;
/** Weight of the hook's score (as a rank, 0…1). */
const HOOK = 0.8;
/** How much each pick in a set lowers its genres for the rest of the set. */
const SPREAD = 0.16;
/** What a passed-over and a low-rated movie take from their genres, against 1 for a liked one. */
const PASSED = 0.35;
const LOW = 0.8;

/**
 * Per genre, −1…1: (liked − LOW·low − PASSED·passed) / (liked + low + passed + 1), each movie
 * counting 1/√(its genre count) towards each of its genres.
 */
export function genrePreference(
  c: Catalog,
  s: Pick<OnboardingSignals, 'liked' | 'low' | 'passed'>,
): Float64Array {
  const plus = new Float64Array(c.genres.length);
  const minus = new Float64Array(c.genres.length);
  const seen = new Float64Array(c.genres.length);
  const add = (movies: readonly number[], pos: number, neg: number): void => {
    for (const m of movies) {
      const gs = genresOf(c, m);
      const w = gs.length ? 1 / Math.sqrt(gs.length) : 0;
      for (const g of gs) {
        plus[g]! += pos * w;
        minus[g]! += neg * w;
        seen[g]! += w;
      }
    }
  };
  add(s.liked, 1, 0);
  add(s.low, 0, LOW);
  add(s.passed, 0, PASSED);
  return plus.map((p, g) => (p - minus[g]!) / (seen[g]! + 1));
}

/** The next `n` movies to offer, best first. */
export function onboardingPicks(c: Catalog, s: OnboardingSignals, n: number): number[] {
  if (n <= 0) return [];
  const skip = new Set<number>([...s.shown, ...s.liked, ...s.low, ...s.passed]);
  const excluded = (m: number): boolean => skip.has(m) || (s.exclude?.(m) ?? false);
  const pref = genrePreference(c, s);

  // Candidates: the POOL most rated movies not excluded, and the well-known members of liked genres.
  const pool: number[] = [];
  const inPool = new Set<number>();
  for (let i = 0; i < c.popular.length && pool.length < Math.max(POOL, n); i++) {
    const m = c.popular[i]!;
    if (!excluded(m)) {
      pool.push(m);
      inPool.add(m);
    }
  }
  // "Well known": at least as rated as the movie at twice the pool's depth in the popular list.
  const known = c.ratingCount[c.popular[Math.min(c.popular.length - 1, 2 * POOL)] ?? 0] ?? 0;
  pref.forEach((p, g) => {
    if (p <= 0) return;
    let added = 0;
    for (const m of c.byGenre[g] ?? []) {
      if (added >= n) break;
      if (inPool.has(m) || excluded(m) || c.ratingCount[m]! < known) continue;
      pool.push(m);
      inPool.add(m);
      added++;
    }
  });
  if (!pool.length) return [];

  const top = Math.log1p(c.ratingCount[c.popular[0]!] ?? 0) || 1;
  const base = pool.map((m) => {
    const gs = genresOf(c, m);
    let sum = 0;
    let max = -Infinity;
    for (const g of gs) {
      sum += pref[g]!;
      max = Math.max(max, pref[g]!);
    }
    // Half the best genre, half the mean: a horror comedy is a horror movie, and a little less so.
    const genre = gs.length ? 0.5 * max + (0.5 * sum) / gs.length : 0;
    return Math.log1p(c.ratingCount[m]!) / top + GENRE * genre;
  });

  if (s.liked.length && s.score) {
    const scores = s.score([...s.liked]);
    if (scores) {
      const scored = pool
        .map((m, j) => ({ j, v: scores[m] ?? NaN }))
        .filter((x) => Number.isFinite(x.v))
        .sort((a, b) => b.v - a.v || pool[a.j]! - pool[b.j]!);
      scored.forEach(({ j }, r) => (base[j]! += HOOK * (1 - r / scored.length)));
    }
  }

  // Greedy: each pick lowers its genres for the rest of the set.
  const used = new Float64Array(c.genres.length);
  const taken = new Uint8Array(pool.length);
  const out: number[] = [];
  while (out.length < n && out.length < pool.length) {
    let best = -1;
    let bestScore = -Infinity;
    for (let j = 0; j < pool.length; j++) {
      if (taken[j]) continue;
      const gs = genresOf(c, pool[j]!);
      let crowd = 0;
      for (const g of gs) crowd += used[g]!;
      const v = base[j]! - (gs.length ? (SPREAD * crowd) / gs.length : 0);
      if (v > bestScore || (v === bestScore && pool[j]! < pool[best]!)) {
        best = j;
        bestScore = v;
      }
    }
    taken[best] = 1;
    const m = pool[best]!;
    out.push(m);
    for (const g of genresOf(c, m)) used[g]! += 1;
  }
  return out;
}
