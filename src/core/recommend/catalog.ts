/**
 * What the recommendation pipeline knows about a dataset's movies, as flat
 * arrays built once per dataset: genres, years, popularity, a Bayesian
 * average, and the lists the popularity and genre channels read from.
 */
import { bayesianScores } from '../data/home.ts';

/** The fields of a movie the pipeline reads (a MovieRow or a core Movie has them). */
export interface CatalogMovie {
  index: number;
  movieId: number;
  title: string;
  year: number | null;
  genres: readonly string[];
  ratingCount: number;
  ratingAvg: number;
}

export interface Catalog {
  count: number;
  movieIds: Int32Array;
  titles: string[];
  /** Genre names; genre g of movie m: `genreOf[genreOffsets[m] … genreOffsets[m + 1] − 1]`. */
  genres: string[];
  genreOffsets: Int32Array;
  genreOf: Int32Array;
  /** Release year, 0 when unknown. */
  year: Int32Array;
  ratingCount: Int32Array;
  /** Bayesian average in stars (0 for movies nobody rated). */
  score: Float32Array;
  /** The mean of every rating, in stars (0 when nobody rated anything). */
  mean: number;
  /** Rated movies, most rated first. */
  popular: Int32Array;
  /** Rated movies, highest Bayesian average first. */
  topRated: Int32Array;
  /** Per genre, its rated movies by Bayesian average. */
  byGenre: Int32Array[];
}

/** Builds the catalog; `movies[i].index` must be i. */
export function buildCatalog(movies: readonly CatalogMovie[]): Catalog {
  const n = movies.length;
  const genreIndex = new Map<string, number>();
  const genres: string[] = [];
  const genreOffsets = new Int32Array(n + 1);
  const list: number[] = [];
  const year = new Int32Array(n);
  const ratingCount = new Int32Array(n);
  const movieIds = new Int32Array(n);
  const titles: string[] = new Array<string>(n);
  movies.forEach((m, i) => {
    if (m.index !== i) throw new RangeError(`movie ${i} has index ${m.index}`);
    for (const g of m.genres) {
      let k = genreIndex.get(g);
      if (k === undefined) {
        k = genres.length;
        genreIndex.set(g, k);
        genres.push(g);
      }
      list.push(k);
    }
    genreOffsets[i + 1] = list.length;
    year[i] = m.year ?? 0;
    ratingCount[i] = m.ratingCount;
    movieIds[i] = m.movieId;
    titles[i] = m.title;
  });
  // The same shrinkage as Home's "top rated".
  const score = Float32Array.from(bayesianScores(movies));
  let total = 0;
  let sum = 0;
  for (const m of movies) {
    total += m.ratingCount;
    sum += m.ratingAvg * m.ratingCount;
  }
  const rated = movies.filter((m) => m.ratingCount > 0).map((m) => m.index);
  const byScore = (a: number, b: number): number => score[b]! - score[a]! || a - b;
  const topRated = Int32Array.from(rated).sort(byScore);
  const popular = Int32Array.from(rated).sort((a, b) => ratingCount[b]! - ratingCount[a]! || a - b);
  const genreOf = Int32Array.from(list);
  const members: number[][] = genres.map(() => []);
  for (const m of topRated)
    for (let j = genreOffsets[m]!; j < genreOffsets[m + 1]!; j++) members[genreOf[j]!]!.push(m);
  return {
    count: n,
    movieIds,
    titles,
    genres,
    genreOffsets,
    genreOf,
    year,
    ratingCount,
    score,
    mean: total > 0 ? sum / total : 0,
    popular,
    topRated,
    byGenre: members.map((x) => Int32Array.from(x)),
  };
}

/** The genre indexes of movie `m`. */
export function genresOf(c: Catalog, m: number): Int32Array {
  return c.genreOf.subarray(c.genreOffsets[m]!, c.genreOffsets[m + 1]!);
}

/** The catalogue's genres as the new-user protocols read them (src/core/eval/new-user.ts). */
export const genreLookup = (
  c: Catalog,
): { genreCount: number; genresOf(m: number): Int32Array; names: readonly string[] } => ({
  genreCount: c.genres.length,
  genresOf: (m) => genresOf(c, m),
  names: c.genres,
});
