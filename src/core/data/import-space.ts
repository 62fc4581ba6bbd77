/**
 * Whether an import fits: its size, known before anything is read (an
 * archive's unpacked sizes from its central directory, a folder's file
 * sizes), against what the browser says is left (`navigator.storage.estimate()`).
 *
 * Measured on ml-latest-small in Chromium 156 (test/e2e/quota.test.ts logs it):
 * its four CSV files hold 3,294,793 bytes, and IndexedDB's usage right after
 * the import was 3.98–5.53 MB (estimate().usageDetails.indexedDB, eight runs:
 * mostly 3.98 MB, once 4.78 MB, once 5.53 MB, when LevelDB had not compacted
 * its log yet): 1.21–1.68 stored bytes per CSV byte. Large datasets store
 * less per CSV byte (a rating is 13 bytes stored, ~25 in ratings.csv), so one
 * ratio taken from the small one, the highest seen rounded up to 1.75, errs
 * on the safe side.
 *
 * The margin: the need is 1.75 × the CSV bytes, plus 25% for what the write
 * holds twice while it runs (LevelDB's log before compaction, blob files
 * written before their transaction commits), plus 16 MiB for the rest of the
 * app (models, embeddings, the profile). A disk that fills mid-write can make
 * Chromium wipe the whole origin's storage, so refusing early is cheap.
 *
 * Caveat, measured: on a nearly full small disk Chromium's estimate() still
 * reports a gigabyte left, so this check cannot catch every full disk; what
 * a failed write lost is checked (and reported) after it.
 */
import { WrenError } from '../errors.ts';
import { roleByName } from './detect.ts';
import type { ImportInput } from './sources.ts';
import { isJunkEntry } from './zip.ts';
import { readArchiveEnd, readCentralDirectory } from './zip-records.ts';

/** Stored bytes per byte of MovieLens CSV (measured 1.21–1.68 on ml-latest-small). */
export const STORED_PER_CSV_BYTE = 1.75;
/** Extra share of the stored size the write needs while it runs. */
export const SPACE_MARGIN = 0.25;
/** Fixed bytes kept free for everything else. */
export const SPACE_RESERVE = 16 * 1024 * 1024;
/** CSV bytes per generated rating (a ratings.csv line is ~25 bytes; movies and tags add a little). */
export const CSV_BYTES_PER_RATING = 30;

/**
 * The CSV bytes a parsed dataset stands for, for a source whose size is not
 * known before it is read (a URL: the check runs after the download is
 * parsed, before any write).
 */
export function parsedBytes(ratings: number): number {
  return ratings * CSV_BYTES_PER_RATING;
}

/** Bytes an import of `csvBytes` of MovieLens files needs free, margin included. */
export function bytesNeeded(csvBytes: number): number {
  return Math.ceil(csvBytes * STORED_PER_CSV_BYTE * (1 + SPACE_MARGIN) + SPACE_RESERVE);
}

export interface SpaceEstimate {
  usage?: number | undefined;
  quota?: number | undefined;
}

/**
 * Throws the 'quota' WrenError when `csvBytes` of data would not fit in what
 * `est` says is left. Does nothing when the browser does not say.
 */
export function checkRoom(what: string, csvBytes: number, est: SpaceEstimate): void {
  if (est.quota === undefined || est.usage === undefined) return;
  const left = Math.max(0, est.quota - est.usage);
  const need = bytesNeeded(csvBytes);
  if (need <= left) return;
  throw new WrenError(
    'quota',
    `Not enough storage for this import: ${what} holds ${mb(csvBytes)} of data, which needs ` +
      `about ${mb(need)} free here (a 25% margin and 16 MB to spare included), and the browser ` +
      `has ${mb(left)} left for this site. Free space and try again: delete a dataset, an ` +
      `embedding or a model on the Data page, or free disk space on this device.`,
  );
}

const mb = (b: number): string =>
  b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${Math.max(0.1, b / 1e6).toFixed(1)} MB`;

/**
 * The bytes of MovieLens data in an input before it is read: the files the
 * import reads (by name), or every file when no name is known. An archive's
 * sizes come from its central directory (one read of its end). null when
 * they cannot be known this way (a stream, a damaged archive: the import
 * itself then says what is wrong).
 */
export async function importBytes(input: ImportInput): Promise<number | null> {
  if (input.kind === 'files') return dataBytes(input.files);
  if (!input.read || input.size < 22) return input.read ? input.size : null;
  const head = await input.read(0, 4);
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
  if (!isZip) return input.size;
  try {
    const tailStart = Math.max(0, input.size - 128 * 1024);
    const tail = await input.read(tailStart, input.size - tailStart);
    const end = readArchiveEnd(tail, tailStart);
    if (end === null || end === 'trailing') return null;
    const entries = end.entries ?? readCentralDirectory(await input.read(end.cdOffset, end.cdSize));
    return dataBytes(entries.filter((e) => !isJunkEntry(e.name) && !e.name.endsWith('/')));
  } catch {
    return null;
  }
}

function dataBytes(files: { name: string; size: number }[]): number | null {
  if (files.some((f) => f.size < 0)) return null;
  const known = files.filter((f) => roleByName(f.name) !== null);
  return (known.length > 0 ? known : files).reduce((s, f) => s + f.size, 0);
}
