/** ml-100k's u.genre: `name|index` lines giving the order of u.item's genre flags. */
import { parseCount } from './fields.ts';
import { shown } from './issues.ts';
import { readTextLines } from './lines.ts';
import type { TextParseOptions } from './movies-parser.ts';

/** u.genre as distributed, for when the file is missing. */
export const ML100K_GENRES: readonly string[] = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/** Parses u.genre into names ordered by their index. */
export async function parseGenres(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  opts: TextParseOptions,
): Promise<string[]> {
  const byIndex: string[] = [];
  await readTextLines(
    file,
    chunks,
    (text, line) => {
      if (text.trim() === '') return;
      const f = text.split('|');
      const index = f.length === 2 ? parseCount(f[1]!) : null;
      if (index === null || index > 63 || f[0]!.trim() === '')
        return opts.issues.bad(file, line, `expected genre|index, found ${shown(text)}`);
      byIndex[index] = f[0]!.trim();
    },
    opts.signal,
  );
  return Array.from(byIndex, (g, i) => g ?? `genre ${i}`);
}
