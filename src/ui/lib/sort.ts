/** Sorting a genre's movies for the Genre page. */
import { bayesianAverage } from '../../core/data/home.ts';
import type { Movie } from '../../core/data/types.ts';
import type { GenreSort } from './routes.ts';

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * Sorts in place and returns `rows`. 'rating' ranks by a Bayesian average
 * (shrunk towards the list's mean by its median rating count) so a single
 * five-star rating does not top the list; 'title' sorts as MovieLens writes
 * titles ("American President, The" under A), 'year' puts the newest first.
 */
export function sortForDisplay<T extends Movie>(rows: T[], sort: GenreSort): T[] {
  const byCount = (a: T, b: T): number => b.ratingCount - a.ratingCount || a.index - b.index;
  if (sort === 'count') return rows.sort(byCount);
  if (sort === 'title')
    return rows.sort((a, b) => collator.compare(a.title, b.title) || a.index - b.index);
  if (sort === 'year') return rows.sort((a, b) => (b.year ?? -1) - (a.year ?? -1) || byCount(a, b));
  let total = 0;
  let sum = 0;
  for (const m of rows) {
    total += m.ratingCount;
    sum += m.ratingAvg * m.ratingCount;
  }
  const mean = total > 0 ? sum / total : 0;
  const counts = rows
    .map((m) => m.ratingCount)
    .filter((c) => c > 0)
    .sort((a, b) => a - b);
  const weight = Math.max(5, counts[Math.floor(counts.length / 2)] ?? 0);
  const score = new Map<T, number>();
  for (const m of rows) score.set(m, m.ratingCount > 0 ? bayesianAverage(m, mean, weight) : -1);
  return rows.sort((a, b) => score.get(b)! - score.get(a)! || byCount(a, b));
}
