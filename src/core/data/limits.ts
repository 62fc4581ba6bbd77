/**
 * How much an import may unpack and read: far beyond any MovieLens release,
 * so that a zip bomb or a file of endless repeats is refused with a clear
 * error instead of filling memory. Every limit can be lowered for a test
 * (ImportOptions.limits); the defaults are the constants below.
 *
 * Source figures (the largest releases): ml-32m's ratings.csv is about 877 MB
 * with 32,000,204 ratings, its tags.csv about 70 MB with 2,000,072 tags, and
 * its whole archive unpacks to about 0.96 GB; ml-25m, with genome-scores.csv
 * (about 415 MB), unpacks to about 1.2 GB.
 */
import { WrenError } from '../errors.ts';

/** Unpacked bytes of one zip entry: 2 GiB, about 2.4× ml-32m's ratings.csv (877 MB). */
export const MAX_ENTRY_BYTES = 2 * 1024 ** 3;

/**
 * Unpacked bytes of all of a zip's entries together: 4 GiB, over 3× the
 * largest archive's total (ml-25m, about 1.2 GB) and 4× ml-32m's (0.96 GB).
 */
export const MAX_ARCHIVE_BYTES = 4 * 1024 ** 3;

/**
 * Unpacked size over compressed size, for one entry: 100×. MovieLens files
 * deflate 2.3× to 5.1× (measured: ml-latest-small.zip's ratings.csv 3.63×,
 * links.csv 2.28×, movies.csv 2.97×, tags.csv 3.26×, README.txt 2.54×;
 * ml-100k.zip's u.data 2.39×, u.item 5.09× (the most), the u*.base/test
 * splits 2.8–3.6×), so 100× leaves a margin of about 20× over the most
 * compressible one, while a bomb of repeated rows sits near deflate's ceiling
 * of about 1,030× (the reviewer's 2.3 GB from 6 MB: about 380×).
 */
export const MAX_RATIO = 100;

/**
 * Entries that unpack to at most this many bytes (1 MiB) are not held to
 * MAX_RATIO: a small, highly repetitive but legitimate file (a genome-tags
 * list, a README padded with blank lines, an empty-ish links file) may
 * compress beyond 100×, and can cost no more than 1 MiB anyway.
 */
export const RATIO_FLOOR = 1024 ** 2;

/**
 * Entries in one zip, folders included: 1,000. The MovieLens archive with the
 * most, ml-100k.zip, has 22 (its folder included); each entry is opened and its first bytes read to
 * tell what it holds, so an archive of 200,000 tiny entries took 61 s in node
 * and more than 3 minutes in Chromium (`npm run bench:hostile`) before this.
 */
export const MAX_ENTRIES = 1000;

/** Ratings in one ratings file: 2× ml-32m's 32,000,204. */
export const MAX_RATINGS = 2 * 32_000_204;

/**
 * Bytes of any other file that is parsed (movies, tags, links, users, genres),
 * which become objects in memory: 256 MiB, over 3× ml-32m's tags.csv (about
 * 70 MB), the largest of them.
 */
export const MAX_TEXT_FILE_BYTES = 256 * 1024 ** 2;

/**
 * A ratings file whose repeated (user, movie) pairs are more than this share
 * of its rows is refused: MovieLens ratings files hold no repeats at all, and
 * a file that is mostly repeats is generated or broken, not data to recommend
 * from (a handful of repeats is still dropped quietly, keeping the latest).
 */
export const MAX_DUPLICATE_SHARE = 0.5;

export interface ImportLimits {
  maxEntryBytes: number;
  maxArchiveBytes: number;
  maxRatio: number;
  ratioFloor: number;
  maxRatings: number;
  maxEntries: number;
  maxTextFileBytes: number;
  maxDuplicateShare: number;
}

export const DEFAULT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxEntryBytes: MAX_ENTRY_BYTES,
  maxArchiveBytes: MAX_ARCHIVE_BYTES,
  maxRatio: MAX_RATIO,
  ratioFloor: RATIO_FLOOR,
  maxRatings: MAX_RATINGS,
  maxEntries: MAX_ENTRIES,
  maxTextFileBytes: MAX_TEXT_FILE_BYTES,
  maxDuplicateShare: MAX_DUPLICATE_SHARE,
});

/** The default limits with `overrides` applied. */
export function limitsOf(overrides?: Partial<ImportLimits>): ImportLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

const n = (x: number): string => x.toLocaleString('en');

const NOT_MOVIELENS = 'This is not a MovieLens archive; nothing was imported.';

/** 'too-large': a zip with more entries than any MovieLens archive by far. */
export function tooManyEntries(zip: string, count: number | null, max: number): WrenError {
  return new WrenError(
    'too-large',
    `${zip} holds ${count === null ? 'more' : n(count)} files, more than the ${n(max)} allowed ` +
      `(a MovieLens archive holds at most 22). ${NOT_MOVIELENS}`,
  );
}

/** 'too-large': a zip entry that (says it) unpacks to more than one entry may. */
export function entryTooLarge(zip: string, entry: string, bytes: number, max: number): WrenError {
  return new WrenError(
    'too-large',
    `${zip}: ${entry} unpacks to ${bytes > max ? `${n(bytes)} bytes, ` : ''}more than the ` +
      `${n(max)} bytes allowed for one file (the largest MovieLens file, ml-32m's ` +
      `ratings.csv, is about 877 MB). ${NOT_MOVIELENS}`,
    { file: entry },
  );
}

/** 'too-large': an archive whose entries (say they) unpack to more than an archive may. */
export function archiveTooLarge(zip: string, entry: string, bytes: number, max: number): WrenError {
  return new WrenError(
    'too-large',
    `${zip} unpacks to ${bytes > max ? `${n(bytes)} bytes` : 'more'} in all (by ${entry}), ` +
      `more than the ${n(max)} bytes allowed (the largest MovieLens archive unpacks to ` +
      `about 1.2 GB). ${NOT_MOVIELENS}`,
    { file: entry },
  );
}

/** 'too-large': a zip entry that unpacks to absurdly more than its compressed bytes. */
export function ratioTooHigh(
  zip: string,
  entry: string,
  bytes: number,
  compressed: number,
  max: number,
): WrenError {
  const ratio = compressed > 0 ? Math.round(bytes / compressed) : Infinity;
  return new WrenError(
    'too-large',
    `${zip}: ${entry} unpacks to ${n(bytes)} bytes from ${n(compressed)} compressed ` +
      `(${Number.isFinite(ratio) ? `${n(ratio)}×` : 'from nothing'}; MovieLens files ` +
      `compress about 3 to 6×, and at most ${n(max)}× is accepted). This looks like a zip ` +
      `bomb, not a MovieLens archive; nothing was imported.`,
    { file: entry },
  );
}

/**
 * The one size check, for a zip entry's listed sizes or its bytes counted so
 * far: the entry's unpacked `bytes` against the entry limit, the archive's
 * `total` so far against the archive limit, and `bytes` over its `compressed`
 * bytes against the ratio (above the ratio's floor). The error, or null.
 */
export function sizeError(
  zip: string,
  entry: string,
  bytes: number,
  compressed: number,
  total: number,
  limits: ImportLimits,
): WrenError | null {
  const { maxEntryBytes, maxArchiveBytes, maxRatio, ratioFloor } = limits;
  if (bytes > maxEntryBytes) return entryTooLarge(zip, entry, bytes, maxEntryBytes);
  if (total > maxArchiveBytes) return archiveTooLarge(zip, entry, total, maxArchiveBytes);
  if (bytes > ratioFloor && bytes > maxRatio * compressed)
    return ratioTooHigh(zip, entry, bytes, compressed, maxRatio);
  return null;
}
