/**
 * Your profile: the ratings, "not interested" marks and watchlist of the one
 * person holding the device. It lives apart from datasets (an import never
 * touches it), so a movie is named by what survives a change of dataset:
 * its MovieLens id, its title and its year. `resolveProfile` maps it onto a
 * dataset's movie indexes.
 */
import type { DatasetFormat } from '../data/types.ts';
import { splitTitle, tokenize } from '../search.ts';

/** How a movie is named in the profile. */
export interface ProfileMovie {
  /** MovieLens movieId in the dataset it was rated in. */
  movieId: number;
  /** The title as the dataset spells it, year suffix included. */
  title: string;
  /**
   * The id family: 'movielens' (ml-latest, ml-1m, ml-10m, ml-20m, ml-25m and
   * ml-32m share ids) or 'ml-100k' (its own numbering).
   */
  ids: IdFamily;
}

export type IdFamily = 'movielens' | 'ml-100k';

export const idFamily = (format: DatasetFormat): IdFamily =>
  format === 'ml-100k' ? 'ml-100k' : 'movielens';

export interface ProfileRating extends ProfileMovie {
  /** Stars, 0.5 … 5 in half steps. */
  rating: number;
  /** When it was given, ms since the epoch. */
  at: number;
}

export interface ProfileMark extends ProfileMovie {
  at: number;
}

export interface Profile {
  ratings: ProfileRating[];
  notInterested: ProfileMark[];
  watchlist: ProfileMark[];
}

export const emptyProfile = (): Profile => ({ ratings: [], notInterested: [], watchlist: [] });

/** A rating is "liked" (a positive) from this many stars, as in the sparrow-ctr labels. */
export const LIKED = 3.5;

/** Whether `x` is a valid rating: 0.5 … 5 in half steps. */
export const validRating = (x: number): boolean =>
  Number.isFinite(x) && x >= 0.5 && x <= 5 && Math.round(x * 2) === x * 2;

/** The key a movie is matched by across datasets: its normalized name and year. */
export function titleKey(title: string): string {
  const { name, year } = splitTitle(title);
  return `${tokenize(name).join(' ')}|${year ?? ''}`;
}

/** What a dataset offers for matching: its id family, MovieLens ids and titles by movie index. */
export interface CatalogIds {
  ids: IdFamily;
  movieIds: ArrayLike<number>;
  titles: readonly string[];
}

/** Matches profile movies to a dataset's movie indexes: by id in the same family, else by title. */
export class MovieMatcher {
  private byId = new Map<number, number>();
  private byTitle = new Map<string, number>();

  constructor(private readonly catalog: CatalogIds) {
    for (let m = 0; m < catalog.movieIds.length; m++) this.byId.set(catalog.movieIds[m]!, m);
    // The first movie with a key wins (remakes share a name but not a year, so collisions are rare).
    catalog.titles.forEach((t, m) => {
      const key = titleKey(t);
      if (!this.byTitle.has(key)) this.byTitle.set(key, m);
    });
  }

  /** The movie's index in this dataset, or -1 when the dataset does not have it. */
  find(movie: ProfileMovie): number {
    if (movie.ids === this.catalog.ids) {
      const m = this.byId.get(movie.movieId);
      if (m !== undefined) return m;
    }
    return this.byTitle.get(titleKey(movie.title)) ?? -1;
  }

  /** The profile name of movie index `m`. */
  name(m: number): ProfileMovie {
    return {
      movieId: this.catalog.movieIds[m]!,
      title: this.catalog.titles[m]!,
      ids: this.catalog.ids,
    };
  }
}

/** One of your ratings in a dataset's terms. */
export interface HistoryEntry {
  movie: number;
  rating: number;
  at: number;
}

/** The profile in one dataset's terms: what it could match, and how much it could not. */
export interface ResolvedProfile {
  /** Ratings of movies the dataset has, oldest first (ties by movie index). */
  history: HistoryEntry[];
  /** Movie indexes marked "not interested". */
  notInterested: Set<number>;
  watchlist: Set<number>;
  /** Profile entries the dataset does not have. */
  unmatched: number;
}

export function resolveProfile(profile: Profile, matcher: MovieMatcher): ResolvedProfile {
  let unmatched = 0;
  const latest = new Map<number, HistoryEntry>();
  for (const r of profile.ratings) {
    const movie = matcher.find(r);
    if (movie < 0) {
      unmatched++;
      continue;
    }
    // Two profile entries can land on one movie (rated in two datasets): the later wins.
    const prev = latest.get(movie);
    if (!prev || r.at >= prev.at) latest.set(movie, { movie, rating: r.rating, at: r.at });
  }
  const marks = (list: ProfileMark[]): Set<number> => {
    const out = new Set<number>();
    for (const x of list) {
      const m = matcher.find(x);
      if (m >= 0) out.add(m);
      else unmatched++;
    }
    return out;
  };
  return {
    history: [...latest.values()].sort((a, b) => a.at - b.at || a.movie - b.movie),
    notInterested: marks(profile.notInterested),
    watchlist: marks(profile.watchlist),
    unmatched,
  };
}
