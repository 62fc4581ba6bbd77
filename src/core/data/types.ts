/**
 * The in-memory shape of a MovieLens dataset, shared by the parsers, the
 * synthetic generator, the store and (later) features and models.
 *
 * Ids: MovieLens ids (`movieId`, `userId`) are sparse; everything else uses
 * dense indexes 0..n-1 assigned at import (`Movie.index`, `User.index`).
 */

/** Which family of MovieLens files a dataset came from. */
export type DatasetFormat =
  | 'ml-csv' // ml-latest(-small), ml-20m, ml-25m, ml-32m: movies.csv, ratings.csv, tags.csv, links.csv
  | 'ml-dat' // ml-1m, ml-10m: movies.dat, ratings.dat, users.dat, tags.dat (`::` separated)
  | 'ml-100k' // u.data, u.item, u.user, u.genre
  | 'synthetic';

/** Ratings are stored as half stars: 1 = 0.5 stars … 10 = 5 stars. */
export type HalfStars = number;

export interface Movie {
  index: number;
  movieId: number;
  /** Title as in the file, including the year suffix, e.g. "American President, The (1995)". */
  title: string;
  /** Release year parsed from the title, null when absent. */
  year: number | null;
  genres: string[];
  imdbId: string | null;
  tmdbId: number | null;
  ratingCount: number;
  /** Mean rating in stars (0 when unrated). */
  ratingAvg: number;
  /** Counts per half star: histogram[h - 1] for h = 1..10. */
  histogram: number[];
}

export interface User {
  index: number;
  userId: number;
  gender: 'M' | 'F' | null;
  /** Age in years (ml-100k) or the ml-1m age bucket code. */
  age: number | null;
  occupation: string | null;
  zip: string | null;
  ratingCount: number;
  ratingAvg: number;
}

export interface Tag {
  user: number; // user index, -1 when the user has no ratings
  userId: number;
  movie: number; // movie index
  tag: string;
  timestamp: number;
}

/**
 * Ratings as columns, sorted by user index, then timestamp, then movie index.
 * `userOffsets[u]..userOffsets[u+1]` are user u's rows (length users + 1).
 */
export interface RatingColumns {
  user: Int32Array;
  movie: Int32Array;
  rating: Uint8Array;
  timestamp: Uint32Array;
  userOffsets: Int32Array;
}

/** One problem found in the input, kept for the report. */
export interface RowIssue {
  file: string;
  line: number;
  reason: string;
}

export interface SkipReport {
  /** Rows skipped because they were malformed (only when skipping was allowed). */
  badRows: number;
  /** Ratings whose movie is not in the movie file. */
  unknownMovies: number;
  /** Repeated (user, movie) ratings; the latest one is kept. */
  duplicates: number;
  /** The first few issues, for display. */
  samples: RowIssue[];
}

export interface Dataset {
  name: string;
  format: DatasetFormat;
  movies: Movie[];
  users: User[];
  tags: Tag[];
  ratings: RatingColumns;
  /** Genre names in a fixed order (the dataset's own order where it has one). */
  genres: string[];
  /** Rating scale in half stars: ml-100k/ml-1m use whole stars (2..10). */
  minRating: HalfStars;
  maxRating: HalfStars;
  skipped: SkipReport;
}

/** Progress reported by long operations. `done` never goes backwards. */
export interface Progress {
  stage: string;
  done: number;
  total: number;
  /** Rows parsed so far (for rows/s). */
  rows?: number;
}

export type ProgressFn = (p: Progress) => void;
