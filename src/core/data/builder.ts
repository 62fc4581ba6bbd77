/**
 * Assembles a Dataset from parsed files: dense movie and user indexes in id
 * order, ratings resolved, sorted and de-duplicated, per-movie and per-user
 * statistics, tags and links attached.
 */
import { WrenError, throwIfAborted } from '../errors.ts';
import type { Family } from './detect.ts';
import { ML100K_GENRES } from './genres-parser.ts';
import { distinctIds, IdIndex } from './id-index.ts';
import type { Issues } from './issues.ts';
import { MAX_DUPLICATE_SHARE } from './limits.ts';
import type { Link } from './links-parser.ts';
import type { RawMovie } from './movies-parser.ts';
import type { RatingRows } from './rating-rows.ts';
import { indexRatings } from './ratings-index.ts';
import type { RawTag } from './tags-parser.ts';
import type { Dataset, Movie, RatingColumns, Tag, User } from './types.ts';
import type { RawUser } from './users-parser.ts';

/** Everything read from one family's files. */
export interface Parts {
  family: Family;
  name: string;
  movies: { file: string; rows: RawMovie[] };
  ratings: RatingRows;
  users?: RawUser[] | undefined;
  tags?: { file: string; rows: RawTag[] } | undefined;
  links?: Map<number, Link> | undefined;
  /** ml-100k: u.genre's names in index order. */
  genreNames?: string[] | undefined;
}

export interface BuildOptions {
  issues: Issues;
  /**
   * Largest share of the ratings rows that may be repeats of a (user, movie)
   * pair (default MAX_DUPLICATE_SHARE); more is 'invalid-data'.
   */
  maxDuplicateShare?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Progress of the indexing passes. */
  onStep?: (done: number, total: number) => void;
}

/** Builds the Dataset. Throws 'bad-row' for ratings of unknown movies unless bad rows may be skipped. */
export function buildDataset(parts: Parts, opts: BuildOptions): Dataset {
  const { issues, signal } = opts;
  const STEPS = 8;
  const step = (done: number): void => {
    throwIfAborted(signal);
    opts.onStep?.(done, STEPS);
  };
  const rawMovies = parts.movies.rows.slice().sort((x, y) => x.movieId - y.movieId);
  const movieIds = new IdIndex(rawMovies.map((m) => m.movieId));
  const { genres, movieGenres } = genreLists(parts, rawMovies);

  const rows = parts.ratings;
  const cols = rows.columns();
  const movie = cols.movieId;
  for (let i = 0; i < movie.length; i++) {
    const m = movieIds.get(movie[i]!);
    if (m < 0) {
      issues.bad(rows.file, rows.lineOf(i), `movie ${movie[i]} is not in ${parts.movies.file}`);
      issues.unknownMovies++;
    }
    movie[i] = m;
  }
  step(1);

  const rawUsers = parts.users ?? [];
  const userIds = new IdIndex(
    distinctIds(
      rawUsers.map((u) => u.userId),
      cols.userId,
    ),
  );
  const user = cols.userId;
  for (let i = 0; i < user.length; i++) user[i] = userIds.get(user[i]!);
  step(2);

  let duplicates = 0;
  const ratings = indexRatings(
    { user, movie, rating: cols.rating, timestamp: cols.timestamp },
    userIds.size,
    movieIds.size,
    (row) => {
      duplicates++;
      issues.duplicates++;
      issues.note({
        file: rows.file,
        line: rows.lineOf(row),
        reason: 'a repeated rating of the same movie by the same user; the latest one is kept',
      });
    },
    (done) => step(2 + done),
  );
  if (ratings.user.length === 0)
    throw new WrenError('empty-file', `${rows.file} holds no usable ratings.`, { file: rows.file });
  const considered = ratings.user.length + duplicates;
  if (duplicates > (opts.maxDuplicateShare ?? MAX_DUPLICATE_SHARE) * considered) {
    const f = (x: number): string => x.toLocaleString('en');
    throw new WrenError(
      'invalid-data',
      `${rows.file}: ${f(duplicates)} of its ${f(considered)} ratings repeat a (user, movie) ` +
        `pair rated on another line, leaving ${f(ratings.user.length)} distinct ` +
        `${ratings.user.length === 1 ? 'rating' : 'ratings'}. MovieLens ratings files hold no ` +
        `repeats; a file made mostly of them is not a usable dataset, and nothing was imported.`,
      { file: rows.file },
    );
  }

  const movies = movieRows(rawMovies, movieGenres, parts.links, ratings);
  const users = userRows(userIds, rawUsers, ratings);
  const tags = tagRows(parts.tags, movieIds, userIds, parts.movies.file, issues);
  let minRating = 10;
  let maxRating = 1;
  for (const r of ratings.rating) {
    if (r < minRating) minRating = r;
    if (r > maxRating) maxRating = r;
  }
  step(STEPS);
  return {
    name: parts.name,
    format: parts.family,
    movies,
    users,
    tags,
    ratings,
    genres,
    minRating,
    maxRating,
    skipped: issues.report(),
  };
}

/** The dataset's genre list and each movie's genres. ml-100k's "unknown" flag is not a genre. */
function genreLists(
  parts: Parts,
  movies: RawMovie[],
): { genres: string[]; movieGenres: string[][] } {
  if (parts.family === 'ml-100k') {
    const names = parts.genreNames ?? ML100K_GENRES;
    const isGenre = names.map((g) => g.toLowerCase() !== 'unknown');
    const movieGenres = movies.map((m) => {
      const out: string[] = [];
      for (let i = 0; i < names.length && i < 31; i++)
        if (m.genreFlags & (1 << i) && isGenre[i]) out.push(names[i]!);
      return out;
    });
    return { genres: names.filter((_, i) => isGenre[i]), movieGenres };
  }
  const seen = new Set<string>();
  for (const m of movies) for (const g of m.genres) seen.add(g);
  return { genres: [...seen].sort(), movieGenres: movies.map((m) => m.genres) };
}

function movieRows(
  raw: RawMovie[],
  genres: string[][],
  links: Map<number, Link> | undefined,
  r: RatingColumns,
): Movie[] {
  const n = raw.length;
  const hist = new Int32Array(n * 10);
  for (let i = 0; i < r.movie.length; i++) hist[r.movie[i]! * 10 + r.rating[i]! - 1]!++;
  return raw.map((m, index) => {
    const histogram = Array.from(hist.subarray(index * 10, index * 10 + 10));
    let count = 0;
    let sum = 0;
    histogram.forEach((c, h) => {
      count += c;
      sum += c * (h + 1);
    });
    const link = links?.get(m.movieId);
    return {
      index,
      movieId: m.movieId,
      title: m.title,
      year: m.year,
      genres: genres[index]!,
      imdbId: link?.imdbId ?? null,
      tmdbId: link?.tmdbId ?? null,
      ratingCount: count,
      ratingAvg: count > 0 ? sum / count / 2 : 0,
      histogram,
    };
  });
}

function userRows(ids: IdIndex, raw: RawUser[], r: RatingColumns): User[] {
  const info = new Map(raw.map((u) => [u.userId, u]));
  const out: User[] = [];
  for (let index = 0; index < ids.size; index++) {
    const userId = ids.sortedIds[index]!;
    const from = r.userOffsets[index]!;
    const to = r.userOffsets[index + 1]!;
    let sum = 0;
    for (let i = from; i < to; i++) sum += r.rating[i]!;
    const u = info.get(userId);
    out.push({
      index,
      userId,
      gender: u?.gender ?? null,
      age: u?.age ?? null,
      occupation: u?.occupation ?? null,
      zip: u?.zip ?? null,
      ratingCount: to - from,
      ratingAvg: to > from ? sum / (to - from) / 2 : 0,
    });
  }
  return out;
}

function tagRows(
  tags: Parts['tags'],
  movies: IdIndex,
  users: IdIndex,
  moviesFile: string,
  issues: Issues,
): Tag[] {
  const out: Tag[] = [];
  for (const t of tags?.rows ?? []) {
    const movie = movies.get(t.movieId);
    if (movie < 0) {
      issues.bad(tags!.file, t.line, `movie ${t.movieId} is not in ${moviesFile}`);
      continue;
    }
    out.push({
      user: users.get(t.userId),
      userId: t.userId,
      movie,
      tag: t.tag,
      timestamp: t.timestamp,
    });
  }
  return out;
}
