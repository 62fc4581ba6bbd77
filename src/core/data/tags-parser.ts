/** Tag files: tags.csv (`userId,movieId,tag,timestamp`) and tags.dat (`UserID::MovieID::Tag::Timestamp`). */
import { splitCsv } from './csv.ts';
import type { Family } from './detect.ts';
import { parseId, parseTimestamp } from './fields.ts';
import { shown } from './issues.ts';
import { readDataRows } from './lines.ts';
import type { TextParseOptions } from './movies-parser.ts';

export interface RawTag {
  userId: number;
  movieId: number;
  /** As written (an empty tag stays empty). */
  tag: string;
  timestamp: number;
  line: number;
}

/** Parses tags.csv (family 'ml-csv') or tags.dat ('ml-dat'). */
export async function parseTags(
  file: string,
  family: Family,
  chunks: AsyncIterable<Uint8Array>,
  opts: TextParseOptions,
): Promise<RawTag[]> {
  const out: RawTag[] = [];
  const row = family === 'ml-csv' ? csvTag : datTag;
  await readDataRows(
    file,
    chunks,
    opts.header,
    (text, line) => {
      const t = row(text, line);
      if (typeof t === 'string') opts.issues.bad(file, line, t);
      else out.push(t);
    },
    opts.signal,
  );
  return out;
}

function tag(user: string, movie: string, text: string, ts: string, line: number): RawTag | string {
  const userId = parseId(user);
  if (userId === null)
    return `expected a positive whole number as the user id, found ${shown(user)}`;
  const movieId = parseId(movie);
  if (movieId === null)
    return `expected a positive whole number as the movie id, found ${shown(movie)}`;
  const timestamp = parseTimestamp(ts);
  if (timestamp === null)
    return `expected a timestamp in whole seconds since 1970, found ${shown(ts)}`;
  return { userId, movieId, tag: text, timestamp, line };
}

function csvTag(text: string, line: number): RawTag | string {
  const r = splitCsv(text);
  if (!r.fields) return r.error;
  const f = r.fields;
  if (f.length !== 4)
    return `expected 4 fields (userId,movieId,tag,timestamp), found ${f.length}: ${shown(text)}`;
  return tag(f[0]!, f[1]!, f[2]!, f[3]!, line);
}

function datTag(text: string, line: number): RawTag | string {
  const a = text.indexOf('::');
  const b = a < 0 ? -1 : text.indexOf('::', a + 2);
  const c = text.lastIndexOf('::');
  if (a < 0 || b < 0 || c <= b)
    return `expected UserID::MovieID::Tag::Timestamp, found ${shown(text)}`;
  return tag(text.slice(0, a), text.slice(a + 2, b), text.slice(b + 2, c), text.slice(c + 2), line);
}
