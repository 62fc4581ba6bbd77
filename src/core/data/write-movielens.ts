/**
 * Renders a Dataset as the official MovieLens file layouts, streamed as
 * ~1 MB byte chunks so that even 25M ratings never become one string:
 *
 * - 'ml-latest' (ml-latest-small, ml-20m/25m/32m): movies.csv, ratings.csv,
 *   tags.csv, links.csv and README.txt. UTF-8, LF, header lines, RFC 4180
 *   quoting; ratings and tags sorted by userId then movieId.
 * - 'ml-1m': movies.dat, ratings.dat, users.dat (`::` separated, latin-1, no
 *   header) and README. Whole stars: half stars round up.
 * - 'ml-100k': u.data (tab separated, shuffled), u.item (24 `|` fields,
 *   latin-1), u.user, u.genre, u.occupation, u.info and README.
 *
 * Ids are written as the dataset has them. Users without demographics get
 * plausible ones derived from their userId, since the .dat layouts need them.
 */
import type { Dataset, Movie, Tag, User } from './types.ts';
import { ChunkWriter, csvField, rowsFile, textFile, type OutFile } from './write-chunks.ts';
import {
  datMovieGenres,
  demographicsOf,
  hundredKFiles,
  ml1mAge,
  ml1mOccupation,
  orderBy,
} from './write-movielens-dat.ts';

export { zipMovieLens, type OutFile } from './write-chunks.ts';

export type Layout = 'ml-latest' | 'ml-1m' | 'ml-100k';

/** The files of `layout` for `ds`, each streamed on demand. */
export function movieLensFiles(ds: Dataset, layout: Layout): OutFile[] {
  switch (layout) {
    case 'ml-latest':
      return [
        textFile('README.txt', () => readme(ds, layout)),
        moviesCsv(ds),
        ratingsCsv(ds),
        tagsCsv(ds),
        linksCsv(ds),
      ];
    case 'ml-1m':
      return [
        textFile('README', () => readme(ds, layout)),
        moviesDat(ds),
        ratingsDat(ds),
        usersDat(ds),
      ];
    case 'ml-100k':
      return [textFile('README', () => readme(ds, layout)), ...hundredKFiles(ds)];
  }
}

/** ml-latest genre names: ml-1m's "Children's" becomes "Children". */
function csvGenres(m: Movie): string {
  if (m.genres.length === 0) return '(no genres listed)';
  return m.genres.map((g) => (g === "Children's" ? 'Children' : g)).join('|');
}

function moviesByMovieId(ds: Dataset): Int32Array {
  return orderBy(ds.movies.length, (i) => (ds.movies[i] as Movie).movieId);
}

function moviesCsv(ds: Dataset): OutFile {
  const order = moviesByMovieId(ds);
  return rowsFile(
    'movies.csv',
    order.length,
    (i, w) => {
      const m = ds.movies[order[i] as number] as Movie;
      w.text(`${m.movieId},${csvField(m.title)},${csvField(csvGenres(m))}\n`);
    },
    { header: 'movieId,title,genres' },
  );
}

function linksCsv(ds: Dataset): OutFile {
  const order = moviesByMovieId(ds);
  return rowsFile(
    'links.csv',
    order.length,
    (i, w) => {
      const m = ds.movies[order[i] as number] as Movie;
      w.text(`${m.movieId},${m.imdbId ?? ''},${m.tmdbId ?? ''}\n`);
    },
    { header: 'movieId,imdbId,tmdbId' },
  );
}

function tagsCsv(ds: Dataset): OutFile {
  const movieId = (t: Tag) => ds.movies[t.movie]?.movieId ?? 0;
  const order = Array.from(ds.tags.keys()).sort((a, b) => {
    const x = ds.tags[a] as Tag;
    const y = ds.tags[b] as Tag;
    return x.userId - y.userId || movieId(x) - movieId(y) || a - b;
  });
  return rowsFile(
    'tags.csv',
    order.length,
    (i, w) => {
      const t = ds.tags[order[i] as number] as Tag;
      w.text(`${t.userId},${movieId(t)},${csvField(t.tag)},${t.timestamp}\n`);
    },
    { header: 'userId,movieId,tag,timestamp' },
  );
}

/**
 * A ratings file written user by user in userId order; within a user, rows
 * in movieId order or in the dataset's (time) order. `row` writes one rating.
 */
function ratingsFile(
  ds: Dataset,
  name: string,
  byMovieId: boolean,
  row: (w: ChunkWriter, userId: number, movieId: number, half: number, ts: number) => void,
  header?: string,
): OutFile {
  const { movie, rating, timestamp, userOffsets } = ds.ratings;
  return {
    name,
    *chunks() {
      const w = new ChunkWriter();
      if (header !== undefined) w.text(`${header}\n`);
      const users = orderBy(ds.users.length, (i) => (ds.users[i] as User).userId);
      let most = 0;
      for (let u = 0; u < ds.users.length; u++)
        most = Math.max(most, (userOffsets[u + 1] as number) - (userOffsets[u] as number));
      const keys = new Float64Array(most);
      const movieIds = Int32Array.from(ds.movies, (m) => m.movieId);
      for (const u of users) {
        const from = userOffsets[u] as number;
        const n = (userOffsets[u + 1] as number) - from;
        const userId = (ds.users[u] as User).userId;
        // Sort the user's rows by movieId through keys movieId·2^24 + row.
        for (let j = 0; j < n; j++)
          keys[j] = byMovieId ? (movieIds[movie[from + j] as number] as number) * 2 ** 24 + j : j;
        const sorted = keys.subarray(0, n);
        if (byMovieId) sorted.sort();
        for (let j = 0; j < n; j++) {
          const r = from + ((sorted[j] as number) % 2 ** 24);
          const movieId = movieIds[movie[r] as number] as number;
          row(w, userId, movieId, rating[r] as number, timestamp[r] as number);
          if (w.full) yield w.take();
        }
      }
      yield w.take();
    },
  };
}

function ratingsCsv(ds: Dataset): OutFile {
  return ratingsFile(
    ds,
    'ratings.csv',
    true,
    (w, userId, movieId, half, ts) => {
      w.uint(userId);
      w.byte(44);
      w.uint(movieId);
      w.byte(44);
      w.byte(48 + (half >> 1)); // "4.5": whole stars, point, 5 or 0
      w.byte(46);
      w.byte(half & 1 ? 53 : 48);
      w.byte(44);
      w.uint(ts);
      w.byte(10);
    },
    'userId,movieId,rating,timestamp',
  );
}

function ratingsDat(ds: Dataset): OutFile {
  return ratingsFile(ds, 'ratings.dat', false, (w, userId, movieId, half, ts) => {
    w.uint(userId);
    w.byte(58);
    w.byte(58);
    w.uint(movieId);
    w.byte(58);
    w.byte(58);
    w.uint(Math.ceil(half / 2));
    w.byte(58);
    w.byte(58);
    w.uint(ts);
    w.byte(10);
  });
}

function moviesDat(ds: Dataset): OutFile {
  const order = moviesByMovieId(ds);
  return rowsFile(
    'movies.dat',
    order.length,
    (i, w) => {
      const m = ds.movies[order[i] as number] as Movie;
      const genres = datMovieGenres(m);
      w.text(
        `${m.movieId}::${m.title}::${genres.length > 0 ? genres.join('|') : '(no genres listed)'}\n`,
      );
    },
    { latin1: true },
  );
}

function usersDat(ds: Dataset): OutFile {
  const order = orderBy(ds.users.length, (i) => (ds.users[i] as User).userId);
  return rowsFile(
    'users.dat',
    order.length,
    (i, w) => {
      const u = ds.users[order[i] as number] as User;
      const d = demographicsOf(u);
      w.text(
        `${u.userId}::${d.gender}::${ml1mAge(d.age)}::${ml1mOccupation(d.occupation)}::${d.zip}\n`,
      );
    },
    { latin1: true },
  );
}

function readme(ds: Dataset, layout: Layout): string {
  const origin =
    ds.format === 'synthetic'
      ? [
          'The data are synthetic: generated by Wren from a latent factor model,',
          'not collected from people.',
        ]
      : [`Converted by Wren from ${ds.format} files.`];
  return [
    `MovieLens-style data (${layout} layout)`,
    '='.repeat(40),
    '',
    `Dataset "${ds.name}": ${ds.ratings.movie.length} ratings and ${ds.tags.length} tag applications`,
    `by ${ds.users.length} users on ${ds.movies.length} movies.`,
    '',
    ...origin,
    `The layout follows the GroupLens MovieLens files: ${movieLensFilesNames(layout)}.`,
    '',
  ].join('\n');
}

function movieLensFilesNames(layout: Layout): string {
  if (layout === 'ml-latest') return 'movies.csv, ratings.csv, tags.csv, links.csv';
  if (layout === 'ml-1m') return 'movies.dat, ratings.dat, users.dat';
  return 'u.data, u.item, u.user, u.genre, u.occupation, u.info';
}
