/** links.csv: `movieId,imdbId,tmdbId`. The IMDb id keeps its leading zeros; an empty id is null. */
import { splitCsv } from './csv.ts';
import { parseId } from './fields.ts';
import { shown } from './issues.ts';
import { readDataRows } from './lines.ts';
import type { TextParseOptions } from './movies-parser.ts';

export interface Link {
  imdbId: string | null;
  tmdbId: number | null;
}

/** Parses links.csv into movieId → ids. */
export async function parseLinks(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  opts: TextParseOptions,
): Promise<Map<number, Link>> {
  const out = new Map<number, Link>();
  await readDataRows(
    file,
    chunks,
    opts.header,
    (text, line) => {
      const r = linkLine(text);
      if (typeof r === 'string') opts.issues.bad(file, line, r);
      else out.set(r[0], r[1]);
    },
    opts.signal,
  );
  return out;
}

function linkLine(text: string): [number, Link] | string {
  const r = splitCsv(text);
  if (!r.fields) return r.error;
  const f = r.fields;
  if (f.length !== 3)
    return `expected 3 fields (movieId,imdbId,tmdbId), found ${f.length}: ${shown(text)}`;
  const movieId = parseId(f[0]!);
  if (movieId === null)
    return `expected a positive whole number as the movie id, found ${shown(f[0]!)}`;
  const imdb = f[1]!.trim();
  if (imdb !== '' && !/^\d{1,12}$/.test(imdb))
    return `expected digits as the IMDb id, found ${shown(imdb)}`;
  const tmdb = f[2]!.trim();
  if (tmdb !== '' && parseId(tmdb) === null)
    return `expected a whole number as the TMDB id, found ${shown(tmdb)}`;
  return [movieId, { imdbId: imdb || null, tmdbId: tmdb ? +tmdb : null }];
}
