/**
 * What a file holds, decided from its first line; the file name is only a
 * hint (it breaks ties, and says that a file which should be MovieLens data
 * but does not look like it is an error rather than something to ignore).
 */
import { WrenError } from '../errors.ts';
import { splitCsv } from './csv.ts';
import { shown } from './issues.ts';
import { baseName } from './sources.ts';

/** The three families of MovieLens files. */
export type Family = 'ml-csv' | 'ml-dat' | 'ml-100k';
export type Role = 'ratings' | 'movies' | 'tags' | 'links' | 'users' | 'genres';

export interface Detected {
  family: Family;
  role: Role;
  /** The first non-blank line is a header to skip. */
  header: boolean;
}

/** The CSV headers, in the case GroupLens writes them. */
export const CSV_HEADERS = {
  ratings: 'userId,movieId,rating,timestamp',
  movies: 'movieId,title,genres',
  tags: 'userId,movieId,tag,timestamp',
  links: 'movieId,imdbId,tmdbId',
} as const;

/** The layout of each headerless file, for messages. */
const LAYOUTS: Record<string, string> = {
  'ratings.dat': 'UserID::MovieID::Rating::Timestamp',
  'movies.dat': 'MovieID::Title::Genres',
  'users.dat': 'UserID::Gender::Age::Occupation::Zip-code',
  'tags.dat': 'UserID::MovieID::Tag::Timestamp',
  'u.data': 'user id<TAB>item id<TAB>rating<TAB>timestamp',
  'u.item': 'movie id|title|release date|video release date|IMDb URL|19 genre flags',
  'u.user': 'user id|age|gender|occupation|zip code',
  'u.genre': 'genre|index',
};

/** File names that say what a file must be. */
const KNOWN: Record<string, Detected> = {
  'ratings.csv': { family: 'ml-csv', role: 'ratings', header: true },
  'movies.csv': { family: 'ml-csv', role: 'movies', header: true },
  'tags.csv': { family: 'ml-csv', role: 'tags', header: true },
  'links.csv': { family: 'ml-csv', role: 'links', header: true },
  'ratings.dat': { family: 'ml-dat', role: 'ratings', header: false },
  'movies.dat': { family: 'ml-dat', role: 'movies', header: false },
  'users.dat': { family: 'ml-dat', role: 'users', header: false },
  'tags.dat': { family: 'ml-dat', role: 'tags', header: false },
  'u.data': { family: 'ml-100k', role: 'ratings', header: false },
  'u.item': { family: 'ml-100k', role: 'movies', header: false },
  'u.user': { family: 'ml-100k', role: 'users', header: false },
  'u.genre': { family: 'ml-100k', role: 'genres', header: false },
};

/** ml-100k's train/test splits: the same layout as u.data, never the dataset itself. */
const SPLIT = /^u[1-5]\.(base|test)$|^u[ab]\.(base|test)$/;

/** The role a file name suggests, if any. */
export function roleByName(path: string): Detected | null {
  return KNOWN[baseName(path).toLowerCase()] ?? null;
}

/**
 * Decides what the file `path` holds from `first`, its first non-blank line
 * (null when it has none). Returns null for files that are not MovieLens
 * data. Throws 'empty-file' for an empty ratings or movies file, and
 * 'bad-header' for a file whose name says what it should be but whose first
 * line does not fit.
 */
export function detect(path: string, first: string | null): Detected | null {
  const file = baseName(path);
  const byName = roleByName(path);
  if (first === null) {
    if (byName && (byName.role === 'ratings' || byName.role === 'movies'))
      throw new WrenError('empty-file', `${file} is empty.`, { file });
    return null;
  }
  const found = byContent(file, first, byName);
  if (found || !byName) return found;
  if (byName.family === 'ml-csv') {
    const expected = CSV_HEADERS[byName.role as keyof typeof CSV_HEADERS];
    throw new WrenError(
      'bad-header',
      `${file} line 1: expected the header ${shown(expected)}, found ${shown(first)}.`,
      { file, line: 1 },
    );
  }
  throw new WrenError(
    'bad-header',
    `${file} line 1: expected lines like ${shown(LAYOUTS[file.toLowerCase()] ?? '')}, found ${shown(first)}.`,
    { file, line: 1 },
  );
}

function byContent(file: string, line: string, byName: Detected | null): Detected | null {
  const csv = csvRole(line);
  if (csv) return { family: 'ml-csv', role: csv, header: true };
  if (line.includes('::')) return datRole(line.split('::'), byName);
  if (line.includes('\t')) {
    const f = line.split('\t');
    if (
      f.length === 4 &&
      isInt(f[0]) &&
      isInt(f[1]) &&
      isRating(f[2]) &&
      isInt(f[3]) &&
      !SPLIT.test(file)
    )
      return { family: 'ml-100k', role: 'ratings', header: false };
    return null;
  }
  if (line.includes('|')) return pipeRole(line.split('|'), byName);
  return null;
}

function csvRole(line: string): Role | null {
  const r = splitCsv(line);
  if (!r.fields) return null;
  const h = r.fields.map((f) => f.trim().toLowerCase()).join(',');
  for (const [role, header] of Object.entries(CSV_HEADERS))
    if (h === header.toLowerCase()) return role as Role;
  return null;
}

function datRole(f: string[], byName: Detected | null): Detected | null {
  const dat = (role: Role): Detected => ({ family: 'ml-dat', role, header: false });
  if (f.length === 3 && isInt(f[0])) return dat('movies');
  if (f.length === 5 && isInt(f[0]) && (f[1] === 'M' || f[1] === 'F')) return dat('users');
  if (f.length >= 4 && isInt(f[0]) && isInt(f[1]) && isInt(f[f.length - 1])) {
    if (byName?.role === 'tags') return dat('tags');
    if (byName?.role === 'ratings') return dat('ratings');
    return f.length === 4 && isRating(f[2]) ? dat('ratings') : dat('tags');
  }
  if (f.length > 3 && isInt(f[0]) && byName?.role === 'movies') return dat('movies');
  return null;
}

function pipeRole(f: string[], byName: Detected | null): Detected | null {
  const k = (role: Role): Detected => ({ family: 'ml-100k', role, header: false });
  if (f.length >= 24 && isInt(f[0]) && f.slice(-19).every((x) => x === '0' || x === '1'))
    return k('movies');
  if (f.length === 5 && isInt(f[0]) && isInt(f[1]) && (f[2] === 'M' || f[2] === 'F'))
    return k('users');
  if (f.length === 2 && isInt(f[1]) && f[0] !== '' && (byName?.role === 'genres' || !isInt(f[0])))
    return k('genres');
  return null;
}

function isInt(s: string | undefined): boolean {
  return s !== undefined && /^\d{1,10}$/.test(s.trim());
}

function isRating(s: string | undefined): boolean {
  return s !== undefined && /^\d(\.\d+)?$/.test(s.trim());
}
