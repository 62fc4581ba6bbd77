/** Helpers for the Home rows (pure). */
import type { HomeLists } from '../../core/data/home.ts';

/** Every movie index the Home rows show, each once, in row order. */
export function homeIndexes(home: HomeLists): number[] {
  const seen = new Set<number>();
  for (const list of [home.topRated, home.mostRated, ...Object.values(home.byGenre)]) {
    for (const i of list) seen.add(i);
  }
  return [...seen];
}

/**
 * Genre names for the Home rows, largest (most movies) first. Pseudo-genres
 * such as "(no genres listed)" and genres without rated movies are left out.
 */
export function orderGenres(home: HomeLists): string[] {
  return Object.entries(home.byGenre)
    .filter(([g, list]) => !g.startsWith('(') && list.length > 0)
    .map(([g]) => ({ g, n: home.genreSizes[g] ?? 0 }))
    .sort((a, b) => b.n - a.n || (a.g < b.g ? -1 : a.g > b.g ? 1 : 0))
    .map((x) => x.g);
}
