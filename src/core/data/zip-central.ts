/**
 * Random-access unzip: reads a zip through its central directory, for inputs
 * that can be read at any offset (a File or Blob, a file on disk).
 *
 * The streaming reader (zip.ts) must find where an entry with a data
 * descriptor ends by looking for the next record's signature in the
 * compressed bytes, and a false match there cuts the entry short. Here every
 * entry's place and sizes come from the central directory, so nothing is
 * guessed: each entry's compressed bytes are read in pieces of a few MiB,
 * inflated (or passed through when stored), and its size and CRC-32 are
 * checked against the directory before its last bytes are handed over.
 * Entries that are left unread (files the import does not need) are never
 * inflated. A cut archive is 'truncated'; anything else wrong is 'corrupt-zip'.
 */
import { WrenError, throwIfAborted } from '../errors.ts';
import { type ImportLimits, limitsOf, sizeError, tooManyEntries } from './limits.ts';
import { entryBytes, type EntrySpan, Advance } from './zip-inflate.ts';
import { damaged, isJunkEntry, type ZipEntry } from './zip.ts';
import {
  type CentralEntry,
  readArchiveEnd,
  readCentralDirectory,
  readLocalHeader,
  SIG_LOCAL,
  u16,
  u32,
} from './zip-records.ts';

/**
 * Reads `length` bytes at `offset` of the input. It returns fewer only when
 * the input ends first.
 */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export interface CentralZipOptions {
  signal?: AbortSignal;
  /**
   * Called with each count of archive bytes passed (entries' headers and
   * compressed bytes, in archive order; an entry left unread counts when it
   * is left). The central directory is not counted.
   */
  onBytes?: (n: number) => void;
  /** How much the archive may unpack to (limits.ts; the defaults unless a test lowers them). */
  limits?: Partial<ImportLimits>;
}

/**
 * Bytes read from the end to find the end records: the end of central
 * directory (22 bytes) with the longest comment (65,535), the zip64 locator
 * and record before it, with the same margin the streaming reader scans.
 */
const TAIL = 128 * 1024;
/** A first read of a local header: its fixed part and a usual name. */
const HEADER_READ = 30 + 1024;

/** The input, with the errors that name it. */
export class ZipSource {
  constructor(
    readonly zip: string,
    readonly size: number,
    private readonly readAt: ReadAt,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** Reads exactly `length` bytes at `offset`: 'truncated' when the input has fewer. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    throwIfAborted(this.signal);
    if (offset + length > this.size) throw this.truncated();
    const b = await this.readAt(offset, length);
    if (b.length < length) throw this.truncated();
    return b.length === length ? b : b.subarray(0, length);
  }

  truncated(): WrenError {
    return new WrenError(
      'truncated',
      `${this.zip} ends early: the archive is truncated (got ${this.size} bytes). Download it again.`,
      { file: this.zip },
    );
  }

  corrupt(what: string): WrenError {
    return new WrenError('corrupt-zip', `${this.zip} is damaged: ${what}. Download it again.`, {
      file: this.zip,
    });
  }
}

/**
 * The entries of the zip archive `zip` (`size` bytes, read with `read`), in
 * archive order, without folders, `__MACOSX/` and dot files. The end records
 * and the central directory are read and checked before the first entry is
 * given. Entries may be read in any order, in part or not at all; an entry
 * read to its end has been checked against its size and CRC-32.
 */
export async function* centralEntries(
  zip: string,
  size: number,
  read: ReadAt,
  opts: CentralZipOptions = {},
): AsyncGenerator<ZipEntry> {
  const src = new ZipSource(zip, size, read, opts.signal);
  const { entries, cdOffset } = await readDirectory(src);
  checkSizes(src.zip, entries, limitsOf(opts.limits));
  const advance = new Advance(opts.onBytes);
  for (let i = 0; i < entries.length; i++) {
    const c = entries[i]!;
    if (!isJunkEntry(c.name)) yield entryOf(src, c, await locate(src, c, cdOffset), advance);
    advance.to(entries[i + 1]?.offset ?? cdOffset);
  }
}

/** Finds, reads and checks the end records and the central directory; entries in archive order. */
async function readDirectory(
  src: ZipSource,
): Promise<{ entries: CentralEntry[]; cdOffset: number }> {
  const tailStart = Math.max(0, src.size - TAIL);
  const tail = await src.read(tailStart, src.size - tailStart);
  const end = readArchiveEnd(tail, tailStart);
  if (end === null) throw src.truncated();
  if (end === 'trailing') throw src.corrupt('there are stray bytes after its end');
  const cdStop = end.cdOffset + end.cdSize;
  if (cdStop > src.size) throw src.truncated();
  if (cdStop !== end.cdEnd)
    throw src.corrupt('its central directory is not where its end record says');
  const entries = end.entries ?? readCentralDirectory(await src.read(end.cdOffset, end.cdSize));
  if (entries.length !== end.count)
    throw src.corrupt(`its directory has ${entries.length} entries instead of ${end.count}`);
  for (const c of entries) {
    if (c.method !== 0 && c.method !== 8)
      throw src.corrupt(
        `${c.name} uses compression method ${c.method}; only stored and deflate are supported`,
      );
    if ((c.flags & 1) !== 0) throw src.corrupt(`${c.name} is encrypted`);
    if (c.offset >= end.cdOffset)
      throw c.offset >= src.size
        ? src.truncated()
        : src.corrupt(`the directory puts ${c.name} at byte ${c.offset}, inside itself`);
  }
  return { entries: entries.slice().sort((a, b) => a.offset - b.offset), cdOffset: end.cdOffset };
}

/**
 * Refuses, before anything is inflated, an archive whose directory says it
 * unpacks to more than the limits allow: an entry too large, all entries
 * together too large, an entry that unpacks to absurdly more than its
 * compressed bytes, or more entries than any MovieLens archive by far. Every entry is counted, used or not. The directory's
 * sizes cannot lie past this: each entry's unpacked bytes are counted while
 * it is inflated and it fails as soon as it grows past its listed size.
 */
export function checkSizes(zip: string, entries: CentralEntry[], limits: ImportLimits): void {
  if (entries.length > limits.maxEntries)
    throw tooManyEntries(zip, entries.length, limits.maxEntries);
  let total = 0;
  for (const c of entries) {
    total += c.size;
    const e = sizeError(zip, c.name, c.size, c.compressedSize, total, limits);
    if (e) throw e;
  }
}

/** Reads the entry's local header: where its compressed bytes start and end. */
async function locate(src: ZipSource, c: CentralEntry, cdOffset: number): Promise<EntrySpan> {
  let b = await src.read(c.offset, Math.min(HEADER_READ, src.size - c.offset));
  if (b.length < 30) throw src.truncated();
  if (u32(b, 0) !== SIG_LOCAL)
    throw src.corrupt(`there is no file header where ${c.name} should start (byte ${c.offset})`);
  const length = 30 + u16(b, 26) + u16(b, 28);
  if (b.length < length) b = await src.read(c.offset, length);
  const h = readLocalHeader(b, 0);
  if (h === null || h === 'short') throw src.truncated(); // not reached: the header was read whole
  if (h.name !== c.name)
    throw src.corrupt(`the file header at byte ${c.offset} names ${h.name}, not ${c.name}`);
  const start = c.offset + h.headerLength;
  const end = start + c.compressedSize;
  if (end > src.size) throw src.truncated();
  if (end > cdOffset) throw src.corrupt(`${c.name} runs into the central directory`);
  if (c.method === 0 && c.compressedSize !== c.size)
    throw src.corrupt(damaged(c.name, c.size, c.compressedSize));
  return { name: c.name, method: c.method, crc: c.crc, size: c.size, start, end };
}

/** An entry as the import reads it; `verify` reads it again when it was not read through. */
function entryOf(src: ZipSource, c: CentralEntry, span: EntrySpan, advance: Advance): ZipEntry {
  let checked = false;
  return {
    name: c.name,
    size: c.size,
    chunks: async function* () {
      yield* entryBytes(src, span, advance);
      checked = true;
    },
    verify: async () => {
      if (checked) return;
      for await (const _ of entryBytes(src, span, null));
      checked = true;
    },
  };
}
