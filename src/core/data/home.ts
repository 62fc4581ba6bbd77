import type { Dataset, Movie } from './types.ts';

/** Movie indexes for the Home rows, as SparrowRecSys' index page shows them. */
export interface HomeLists {
  topRated: number[];
  mostRated: number[];
  byGenre: Record<string, number[]>;
  /** Number of movies in each genre (rated or not). */
  genreSizes: Record<string, number>;
}

type Rated = Pick<Movie, 'ratingAvg' | 'ratingCount'>;

/**
 * Bayesian average in stars: shrinks movies with few ratings towards the
 * global mean, so "top rated" is not a list of one-rating 5-star movies.
 */
export function bayesianAverage(movie: Rated, globalMean: number, weight: number): number {
  const sum = movie.ratingAvg * movie.ratingCount;
  return (sum + globalMean * weight) / (movie.ratingCount + weight);
}

/**
 * Bayesian averages of every movie (0 for unrated ones), shrunk towards the mean rating with a
 * weight of the median rating count of rated movies, at least 5.
 */
export function bayesianScores(movies: readonly (Rated & { index: number })[]): Float64Array {
  const rated = movies.filter((m) => m.ratingCount > 0);
  let total = 0;
  let sum = 0;
  for (const m of rated) {
    total += m.ratingCount;
    sum += m.ratingAvg * m.ratingCount;
  }
  const mean = total > 0 ? sum / total : 0;
  const counts = rated.map((m) => m.ratingCount).sort((a, b) => a - b);
  const weight = Math.max(5, counts[Math.floor(counts.length / 2)] ?? 0);
  const score = new Float64Array(movies.length);
  for (const m of rated) score[m.index] = bayesianAverage(m, mean, weight);
  return score;
}

/** Ranks movies for the Home rows: top rated (Bayesian), most rated, and per genre. */
export function computeHomeLists(ds: Dataset, perRow = 24): HomeLists {
  const rated = ds.movies.filter((m) => m.ratingCount > 0);
  const score = bayesianScores(ds.movies);

  const byScore = [...rated].sort((a, b) => score[b.index]! - score[a.index]! || a.index - b.index);
  const byCount = [...rated].sort((a, b) => b.ratingCount - a.ratingCount || a.index - b.index);
  const byGenre: Record<string, number[]> = {};
  const genreSizes: Record<string, number> = {};
  for (const g of ds.genres) {
    byGenre[g] = [];
    genreSizes[g] = 0;
  }
  for (const m of ds.movies) for (const g of m.genres) genreSizes[g] = (genreSizes[g] ?? 0) + 1;
  for (const m of byCount) {
    for (const g of m.genres) {
      const list = (byGenre[g] ??= []);
      if (list.length < perRow) list.push(m.index);
    }
  }
  return {
    topRated: byScore.slice(0, perRow).map((m) => m.index),
    mostRated: byCount.slice(0, perRow).map((m) => m.index),
    byGenre,
    genreSizes,
  };
}
