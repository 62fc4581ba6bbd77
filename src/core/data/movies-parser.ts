/**
 * Movie files: movies.csv (`movieId,title,genres`), movies.dat
 * (`MovieID::Title::Genres`, latin-1 in ml-1m) and ml-100k's u.item
 * (`id|title|release date|video release date|IMDb URL|19 genre flags`).
 */
import { splitCsv } from './csv.ts';
import type { Family } from './detect.ts';
import { parseId } from './fields.ts';
import { shown } from './issues.ts';
import { readKeyedRows, type TextParseOptions } from './keyed-rows.ts';

export interface RawMovie {
  movieId: number;
  title: string;
  year: number | null;
  /** Genre names (CSV and .dat files). */
  genres: string[];
  /** ml-100k: bit i set when the flag for u.genre's genre i is 1. */
  genreFlags: number;
  line: number;
}

/** The text GroupLens writes for a movie without genres. */
export const NO_GENRES = '(no genres listed)';

/**
 * The release year from a title: the last "(1995)" or "(2006-2007)" style
 * group (the first year of a range), e.g. "Land Before Time III (1995) (V)" → 1995.
 */
export function yearFromTitle(title: string): number | null {
  const end = YEAR_AT_END.exec(title);
  if (end) return +end[1]!;
  let year: number | null = null;
  YEAR.lastIndex = 0;
  for (let m = YEAR.exec(title); m; m = YEAR.exec(title)) year = +m[1]!;
  return year;
}

const YEAR = /\((\d{4})(?:\s*[-–]\s*(?:\d{4})?\s*)?\)/g;
const YEAR_AT_END = /\((\d{4})(?:\s*[-–]\s*(?:\d{4})?\s*)?\)\s*$/;

/** Splits a `|`-separated genre list; "(no genres listed)" and blanks give nothing. */
export function splitGenres(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split('|')) {
    const g = part.trim();
    if (g !== '' && g !== NO_GENRES) out.push(g);
  }
  return out;
}

export type { TextParseOptions } from './keyed-rows.ts';

/** Parses a movie file of the given family. Movie ids must be unique. */
export async function parseMovies(
  file: string,
  family: Family,
  chunks: AsyncIterable<Uint8Array>,
  opts: TextParseOptions,
): Promise<RawMovie[]> {
  const row = family === 'ml-csv' ? csvMovie : family === 'ml-dat' ? datMovie : itemMovie;
  return readKeyedRows(file, chunks, 'movie', row, (m) => m.movieId, opts);
}

function movie(id: string, title: string, genres: string[], line: number): RawMovie | string {
  const movieId = parseId(id);
  if (movieId === null)
    return `expected a positive whole number as the movie id, found ${shown(id)}`;
  const t = title.trim();
  if (t === '') return `movie ${movieId} has an empty title`;
  return { movieId, title: t, year: yearFromTitle(t), genres, genreFlags: 0, line };
}

function csvMovie(text: string, line: number): RawMovie | string {
  const r = splitCsv(text);
  if (!r.fields) return r.error;
  const f = r.fields;
  if (f.length !== 3)
    return `expected 3 fields (movieId,title,genres), found ${f.length}: ${shown(text)}`;
  return movie(f[0]!, f[1]!, splitGenres(f[2]!), line);
}

function datMovie(text: string, line: number): RawMovie | string {
  const a = text.indexOf('::');
  const b = text.lastIndexOf('::');
  if (a < 0 || b <= a) return `expected MovieID::Title::Genres, found ${shown(text)}`;
  return movie(text.slice(0, a), text.slice(a + 2, b), splitGenres(text.slice(b + 2)), line);
}

function itemMovie(text: string, line: number): RawMovie | string {
  const f = text.split('|');
  if (f.length < 24)
    return `expected 24 fields separated by "|" (id, title, dates, IMDb URL, 19 genre flags), found ${f.length}`;
  const n = f.length;
  let flags = 0;
  for (let i = 0; i < 19; i++) {
    const v = f[n - 19 + i]!.trim();
    if (v === '1') flags |= 1 << i;
    else if (v !== '0')
      return `expected genre flags of 0 or 1, found ${shown(v)} in field ${n - 18 + i}`;
  }
  const m = movie(f[0]!, f.slice(1, n - 22).join('|'), [], line);
  if (typeof m === 'string') return m;
  m.genreFlags = flags;
  m.year ??= yearFromDate(f[n - 22]!);
  return m;
}

/** The year of an ml-100k release date such as "01-Jan-1995". */
function yearFromDate(s: string): number | null {
  const m = /(\d{4})\s*$/.exec(s);
  return m ? +m[1]! : null;
}
