/** Reading a text file of rows that each carry a unique id (movies, users). */
import type { Issues } from './issues.ts';
import { readDataRows } from './lines.ts';

/** Options of the text-file parsers (movies, users, tags, links). */
export interface TextParseOptions {
  issues: Issues;
  /** The first non-blank line is a header to skip. */
  header: boolean;
  signal?: AbortSignal | undefined;
}

/**
 * The rows of `file` parsed by `row` (which returns a reason string for a bad
 * row); a repeated id is a bad row naming the line where it first appeared.
 * `what` names the id in messages ("movie", "user").
 */
export async function readKeyedRows<T>(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  what: string,
  row: (text: string, line: number) => T | string,
  idOf: (r: T) => number,
  opts: TextParseOptions,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Map<number, number>();
  await readDataRows(
    file,
    chunks,
    opts.header,
    (text, line) => {
      const r = row(text, line);
      if (typeof r === 'string') return opts.issues.bad(file, line, r);
      const id = idOf(r);
      const first = seen.get(id);
      if (first !== undefined)
        return opts.issues.bad(
          file,
          line,
          `${what} ${id} is listed twice (first on line ${first})`,
        );
      seen.set(id, line);
      out.push(r);
    },
    opts.signal,
  );
  return out;
}
