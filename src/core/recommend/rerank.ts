/**
 * Re-ranking: the ranked candidates become the list you see. Maximal
 * marginal relevance (Carbonell & Goldstein 1998) trades the ranker's order
 * against similarity to what is already picked — similarity being the
 * genres two movies share (Jaccard) — and an optional freshness bonus moves
 * newer movies up. Relevance is the candidate's rank, not its raw score, so
 * the trade-off means the same for every ranker.
 */
import { genresOf, type Catalog } from './catalog.ts';

export interface RerankOptions {
  /** How many to return. */
  k: number;
  /** 0: the ranker's order; 1: genres as different as possible. */
  diversity: number;
  /** 0: off; 1: the newest movie gains as much as the top rank. */
  freshness: number;
}

/** Jaccard similarity of two movies' genres (0 when either has none). */
export function genreSimilarity(c: Catalog, a: number, b: number): number {
  const ga = genresOf(c, a);
  const gb = genresOf(c, b);
  if (ga.length === 0 || gb.length === 0) return 0;
  let both = 0;
  for (const g of ga) if (gb.includes(g)) both++;
  return both / (ga.length + gb.length - both);
}

/**
 * Picks `k` of `movies` (given best first by the ranker) greedily: each step
 * takes the movie with the highest (1 − λ)·relevance − λ·max similarity to
 * the picked ones, where relevance = 1 − rank / n plus the freshness bonus.
 * Returns positions into `movies`.
 */
export function rerank(c: Catalog, movies: ArrayLike<number>, opts: RerankOptions): number[] {
  const n = movies.length;
  const k = Math.min(opts.k, n);
  const lambda = Math.min(1, Math.max(0, opts.diversity));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = c.year[movies[i]!]!;
    if (y > 0) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  const relevance = Float64Array.from({ length: n }, (_, i) => {
    const y = c.year[movies[i]!]!;
    const fresh = y > 0 && hi > lo ? (y - lo) / (hi - lo) : 0;
    return 1 - i / n + opts.freshness * fresh;
  });
  if (lambda === 0 && opts.freshness === 0) return Array.from({ length: k }, (_, i) => i);
  const maxSim = new Float64Array(n);
  const taken = new Uint8Array(n);
  const out: number[] = [];
  while (out.length < k) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const v = (1 - lambda) * relevance[i]! - lambda * maxSim[i]!;
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    }
    taken[best] = 1;
    out.push(best);
    for (let i = 0; i < n; i++)
      if (!taken[i])
        maxSim[i] = Math.max(maxSim[i]!, genreSimilarity(c, movies[i]!, movies[best]!));
  }
  return out;
}
