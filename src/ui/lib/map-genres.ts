/**
 * Colouring the movie map by first genre: each movie's first genre (read
 * once per dataset from the movie rows), then one group per genre present
 * among the map's points, most common first, each with its colour.
 */
import { allMovies, type DatasetRow, type WrenDb } from '../../store/index.ts';
import { genreColours, OTHER_COLOUR } from './movie-map.ts';

export const NO_GENRE = '(no genres listed)';

export interface GenreGroup {
  genre: string;
  colour: string;
  /** Points of the map in this group. */
  count: number;
}

export interface MapColouring {
  /** Most common first; "(no genres listed)" last. */
  groups: GenreGroup[];
  /** Group of each map row. */
  codes: Uint16Array;
}

/**
 * The first genre of every movie as a position in `genreNames` (-1 when it
 * has none or one not in the list), indexed by movie index.
 */
export function firstGenreIndex(
  movies: readonly { index: number; genres: readonly string[] }[],
  movieCount: number,
  genreNames: readonly string[],
): Int16Array {
  const pos = new Map(genreNames.map((g, i) => [g, i]));
  const out = new Int16Array(movieCount).fill(-1);
  for (const m of movies) {
    if (m.index < 0 || m.index >= movieCount) continue;
    const g = m.genres[0];
    out[m.index] = g === undefined ? -1 : (pos.get(g) ?? -1);
  }
  return out;
}

/** Groups and codes for the map rows `items` (movie index of each row). */
export function colourMap(
  items: Int32Array,
  first: Int16Array,
  genreNames: readonly string[],
): MapColouring {
  const g = genreNames.length;
  const counts = new Int32Array(g + 1); // the last slot: no genre
  const genreOf = (r: number): number => {
    const m = items[r]!;
    const k = m >= 0 && m < first.length ? first[m]! : -1;
    return k >= 0 && k < g && genreNames[k] !== NO_GENRE ? k : g;
  };
  for (let r = 0; r < items.length; r++) counts[genreOf(r)]!++;
  const present = new Map<string, number>();
  for (let k = 0; k < g; k++) if (counts[k]! > 0) present.set(genreNames[k]!, counts[k]!);
  const colours = genreColours(present);
  const order = [...present.keys()].sort(
    (a, b) => present.get(b)! - present.get(a)! || (a < b ? -1 : a > b ? 1 : 0),
  );
  const groups: GenreGroup[] = order.map((genre) => ({
    genre,
    colour: colours.get(genre) ?? OTHER_COLOUR,
    count: present.get(genre)!,
  }));
  if (counts[g]! > 0) groups.push({ genre: NO_GENRE, colour: OTHER_COLOUR, count: counts[g]! });
  const groupOf = new Int32Array(g + 1);
  for (let k = 0; k < g; k++) groupOf[k] = order.indexOf(genreNames[k]!);
  groupOf[g] = groups.length - 1;
  const codes = new Uint16Array(items.length);
  for (let r = 0; r < items.length; r++) codes[r] = groupOf[genreOf(r)]!;
  return { groups, codes };
}

const cache = new Map<string, Promise<Int16Array>>();

/** Every movie's first genre in `ds` (one range read of the movie rows, cached per dataset). */
export function loadFirstGenres(db: WrenDb, ds: DatasetRow): Promise<Int16Array> {
  const hit = cache.get(ds.id);
  if (hit) return hit;
  const n = ds.counts.movies;
  const p = allMovies(db, ds.id).then((rows) => firstGenreIndex(rows, n, ds.genres));
  p.catch(() => cache.delete(ds.id));
  cache.clear(); // one dataset at a time
  cache.set(ds.id, p);
  return p;
}
