/**
 * Hash routes: `#/`, `#/genre/:name?sort=`, `#/movie/:index`, `#/search?q=`,
 * `#/data`, `#/lab`, `#/models`, `#/for-you`, `#/start`, `#/taste`, `#/user/:id`
 * (a dataset user by their id in the dataset, `#/user` to pick one), `#/pipeline`. Pure parsing and formatting (the reactive part is router.svelte.ts).
 */

export type GenreSort = 'count' | 'rating' | 'year' | 'title';
export const GENRE_SORTS: GenreSort[] = ['count', 'rating', 'year', 'title'];
/** The pseudo-genre that lists every movie. */
export const ALL_GENRES = 'all';

export type Route =
  | { name: 'home' }
  | { name: 'genre'; genre: string; sort: GenreSort }
  | { name: 'movie'; index: number }
  | { name: 'search'; q: string }
  | { name: 'data' }
  | { name: 'lab' }
  | { name: 'models' }
  | { name: 'for-you' }
  | { name: 'start' }
  | { name: 'taste' }
  | { name: 'user'; userId: number | null }
  | { name: 'pipeline' }
  | { name: 'not-found'; path: string };

/** Parses `location.hash` (with or without the leading '#'). */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '');
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter((p) => p.length > 0);
  const head = parts[0];
  if (parts.length === 0) return { name: 'home' };
  if (head === 'data' && parts.length === 1) return { name: 'data' };
  if (head === 'lab' && parts.length === 1) return { name: 'lab' };
  if (head === 'models' && parts.length === 1) return { name: 'models' };
  if (head === 'for-you' && parts.length === 1) return { name: 'for-you' };
  if (head === 'start' && parts.length === 1) return { name: 'start' };
  if (head === 'taste' && parts.length === 1) return { name: 'taste' };
  if (head === 'pipeline' && parts.length === 1) return { name: 'pipeline' };
  if (head === 'user' && parts.length === 1) return { name: 'user', userId: null };
  if (head === 'user' && parts.length === 2 && /^\d+$/.test(parts[1]!)) {
    return { name: 'user', userId: Number(parts[1]) };
  }
  if (head === 'search' && parts.length === 1) return { name: 'search', q: params.get('q') ?? '' };
  if (head === 'genre') {
    const genre = parts.length > 1 ? safeDecode(parts.slice(1).join('/')) : ALL_GENRES;
    const s = params.get('sort');
    const sort = GENRE_SORTS.find((g) => g === s) ?? 'count';
    return { name: 'genre', genre, sort };
  }
  if (head === 'movie' && parts.length === 2 && /^\d+$/.test(parts[1]!)) {
    return { name: 'movie', index: Number(parts[1]) };
  }
  return { name: 'not-found', path: raw };
}

/** The hash for a route, e.g. `#/genre/Sci-Fi?sort=rating`. */
export function routeHref(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'data':
      return '#/data';
    case 'lab':
      return '#/lab';
    case 'models':
      return '#/models';
    case 'for-you':
      return '#/for-you';
    case 'start':
      return '#/start';
    case 'taste':
      return '#/taste';
    case 'pipeline':
      return '#/pipeline';
    case 'user':
      return route.userId === null ? '#/user' : `#/user/${route.userId}`;
    case 'search':
      return route.q ? `#/search?q=${encodeURIComponent(route.q)}` : '#/search';
    case 'movie':
      return `#/movie/${route.index}`;
    case 'genre': {
      const base = `#/genre/${encodeURIComponent(route.genre)}`;
      return route.sort === 'count' ? base : `${base}?sort=${route.sort}`;
    }
    case 'not-found':
      return `#${route.path}`;
  }
}

export const labHref = '#/lab';
export const userHref = (userId: number | null = null): string =>
  routeHref({ name: 'user', userId });
export const movieHref = (index: number): string => routeHref({ name: 'movie', index });
export const genreHref = (genre: string, sort: GenreSort = 'count'): string =>
  routeHref({ name: 'genre', genre, sort });

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
