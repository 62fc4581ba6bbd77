/**
 * The hot path: ratings straight from bytes into typed arrays, no string per
 * line. Handles `userId,movieId,rating,timestamp` (CSV with a header),
 * `UserID::MovieID::Rating::Timestamp` (ml-1m, ml-10m) and ml-100k's
 * tab-separated u.data. Anything the fast loop does not accept goes to a slow
 * path that skips blank lines and the header and explains bad rows.
 */
import { WrenError } from '../errors.ts';
import { Issues, shown } from './issues.ts';
import { decodeText, splitLines } from './lines.ts';
import { MAX_RATINGS } from './limits.ts';
import { BLOCK, RatingRows } from './rating-rows.ts';

/** The field separator of a ratings file. */
export type RatingsSep = ',' | '::' | '\t';

const MAX_ID = 2147483647;
const MAX_TS = 4294967295;

export class RatingsParser {
  readonly rows: RatingRows;
  /** The line number of the next line. */
  line = 1;
  private headerPending: boolean;
  private readonly s0: number;
  private readonly two: boolean;

  constructor(
    readonly file: string,
    readonly sep: RatingsSep,
    hasHeader: boolean,
    private readonly issues: Issues,
  ) {
    this.rows = new RatingRows(file);
    this.headerPending = hasHeader;
    this.s0 = sep.charCodeAt(0);
    this.two = sep.length === 2;
  }

  /** Parses a run of whole lines (see lines.ts). */
  run(b: Uint8Array, start: number, end: number): void {
    const rows = this.rows;
    const s0 = this.s0;
    const two = this.two;
    let U = rows.u;
    let M = rows.m;
    let R = rows.r;
    let T = rows.t;
    let k = rows.k;
    let line = this.line;
    let p = start;
    while (p < end) {
      const ls = p;
      row: {
        if (this.headerPending) break row;
        let c = b[p]!;
        const f1 = p;
        let user = 0;
        while (c >= 48 && c <= 57) {
          user = user * 10 + c - 48;
          c = b[++p]!;
        }
        if (p === f1 || p - f1 > 10 || user === 0 || user > MAX_ID || c !== s0) break row;
        if (two && b[++p] !== s0) break row;
        c = b[++p]!;
        const f2 = p;
        let movie = 0;
        while (c >= 48 && c <= 57) {
          movie = movie * 10 + c - 48;
          c = b[++p]!;
        }
        if (p === f2 || p - f2 > 10 || movie === 0 || movie > MAX_ID || c !== s0) break row;
        if (two && b[++p] !== s0) break row;
        c = b[++p]!;
        const f3 = p;
        let half = 0;
        while (c >= 48 && c <= 57) {
          half = half * 10 + c - 48;
          c = b[++p]!;
        }
        if (p === f3 || p - f3 > 2) break row;
        half *= 2;
        if (c === 46) {
          c = b[++p]!;
          if (c === 53) half++;
          else if (c !== 48) break row;
          c = b[++p]!;
          while (c === 48) c = b[++p]!;
        }
        if (half < 1 || half > 10 || c !== s0) break row;
        if (two && b[++p] !== s0) break row;
        c = b[++p]!;
        const f4 = p;
        let ts = 0;
        while (c >= 48 && c <= 57) {
          ts = ts * 10 + c - 48;
          c = b[++p]!;
        }
        if (p === f4 || p - f4 > 10 || ts > MAX_TS) break row;
        if (c === 13) c = b[++p]!;
        if (c !== 10) break row;
        p++;
        line++;
        if (k === BLOCK) {
          rows.k = k;
          rows.newBlock();
          U = rows.u;
          M = rows.m;
          R = rows.r;
          T = rows.t;
          k = 0;
        }
        U[k] = user;
        M[k] = movie;
        R[k] = half;
        T[k] = ts;
        k++;
        continue;
      }
      rows.k = k;
      p = this.otherLine(b, ls, line);
      line++;
      rows.nextRowAt(line);
    }
    rows.k = k;
    this.line = line;
  }

  /** A line the fast loop did not take: blank, the header, or a bad row. Returns where the next line starts. */
  private otherLine(b: Uint8Array, start: number, line: number): number {
    const nl = b.indexOf(10, start);
    let text = decodeText(b.subarray(start, nl));
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return nl + 1;
    if (this.headerPending) {
      this.headerPending = false;
      return nl + 1;
    }
    this.issues.bad(this.file, line, explainRating(text, this.sep));
    return nl + 1;
  }
}

/** Says what is wrong with a ratings line the fast loop rejected. */
export function explainRating(text: string, sep: RatingsSep): string {
  const f = text.split(sep);
  if (f.length !== 4)
    return `expected 4 fields (user id, movie id, rating, timestamp) separated by ${shown(sep)}, found ${f.length}: ${shown(text)}`;
  const [user, movie, rating, ts] = f as [string, string, string, string];
  if (!isId(user)) return `expected a positive whole number as the user id, found ${shown(user)}`;
  if (!isId(movie))
    return `expected a positive whole number as the movie id, found ${shown(movie)}`;
  if (!/^\d{1,2}(\.(0+|50*))?$/.test(rating) || +rating < 0.5 || +rating > 5)
    return `expected a rating from 0.5 to 5 in steps of 0.5, found ${shown(rating)}`;
  if (!/^\d{1,10}$/.test(ts) || +ts > MAX_TS)
    return `expected a timestamp in whole seconds since 1970, found ${shown(ts)}`;
  return `could not read the row ${shown(text)}`;
}

function isId(s: string): boolean {
  return /^\d{1,10}$/.test(s) && +s > 0 && +s <= MAX_ID;
}

export interface RatingsParseOptions {
  sep: RatingsSep;
  hasHeader: boolean;
  issues: Issues;
  signal?: AbortSignal | undefined;
  /** Called after each chunk with the ratings read so far. */
  onRows?: (rows: number) => void;
  /** Most ratings accepted (default MAX_RATINGS); more is 'too-large'. */
  maxRows?: number;
}

/**
 * Parses a whole ratings file. Throws 'empty-file' when it holds no ratings
 * (0 bytes, or a header only) and 'bad-row' / 'too-many-bad-rows' as the
 * options say.
 */
export async function parseRatings(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  opts: RatingsParseOptions,
): Promise<RatingRows> {
  const p = new RatingsParser(file, opts.sep, opts.hasHeader, opts.issues);
  const onRows = opts.onRows;
  const maxRows = opts.maxRows ?? MAX_RATINGS;
  await splitLines(
    chunks,
    (b, s, e) => {
      p.run(b, s, e);
      if (p.rows.count > maxRows)
        throw new WrenError(
          'too-large',
          `${file} holds more than ${maxRows.toLocaleString('en')} ratings, the most accepted ` +
            `(ml-32m, the largest MovieLens release, has 32,000,204); this is not a MovieLens ` +
            `ratings file, and nothing was imported.`,
          { file, line: p.line - 1 },
        );
      onRows?.(p.rows.count);
    },
    { file, lineAt: () => p.line, signal: opts.signal },
  );
  if (p.rows.count === 0)
    throw new WrenError(
      'empty-file',
      `${file} holds no ratings: it is empty or has only a header.`,
      {
        file,
      },
    );
  return p.rows;
}
