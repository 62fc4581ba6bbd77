/**
 * importMovieLens: a zip, a single file or a set of extracted files in, a
 * Dataset out. Files are recognised by their contents and may come in any
 * order; everything streams, so only the parsed columns stay in memory.
 */
import { WrenError, throwIfAborted } from '../errors.ts';
import { buildDataset } from './builder.ts';
import { Collected, type FamilyParts } from './collect.ts';
import { type Detected, detect } from './detect.ts';
import { parseGenres } from './genres-parser.ts';
import { Issues } from './issues.ts';
import { type ImportLimits, limitsOf } from './limits.ts';
import { firstLine, peek } from './lines.ts';
import { parseLinks } from './links-parser.ts';
import { parseMovies } from './movies-parser.ts';
import { countBytes, ImportProgress } from './progress.ts';
import { parseRatings, type RatingsSep } from './ratings-parser.ts';
import { baseName, type BlobImport, type ImportInput, type SourceFile } from './sources.ts';
import { parseTags } from './tags-parser.ts';
import type { Dataset, ProgressFn } from './types.ts';
import { parseUsers } from './users-parser.ts';
import { unzipEntries, type ZipEntry } from './zip.ts';
import { centralEntries, type ReadAt } from './zip-central.ts';

export interface ImportOptions {
  /** Dataset name; by default the zip's name without ".zip", or the folder's name. */
  name?: string;
  /** Malformed rows to skip before giving up (default 0: the first one is an error). */
  maxBadRows?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /**
   * Lower limits on what may be unpacked and read (tests); the defaults
   * (limits.ts) lie far beyond any MovieLens release.
   */
  limits?: Partial<ImportLimits>;
}

interface Ctx {
  limits: ImportLimits;
  issues: Issues;
  signal: AbortSignal | undefined;
  progress: ImportProgress;
  found: Collected;
}

const SEPARATORS: Record<Detected['family'], RatingsSep> = {
  'ml-csv': ',',
  'ml-dat': '::',
  'ml-100k': '\t',
};

/**
 * Reads a MovieLens dataset (ml-latest(-small), ml-20m/25m/32m, ml-1m,
 * ml-10m, ml-100k) from a zip, a folder's files or a single file.
 */
export async function importMovieLens(
  input: ImportInput,
  opts: ImportOptions = {},
): Promise<Dataset> {
  const { signal } = opts;
  throwIfAborted(signal);
  const total =
    input.kind === 'blob' ? input.size : input.files.reduce((s, f) => s + Math.max(0, f.size), 0);
  const ctx: Ctx = {
    limits: limitsOf(opts.limits),
    issues: new Issues(opts.maxBadRows ?? 0),
    signal,
    progress: new ImportProgress(opts.onProgress, total),
    found: new Collected(),
  };
  if (input.kind === 'blob') await readBlob(input, ctx);
  else for (const f of input.files) await readFile(f, ctx, true);
  throwIfAborted(signal);
  const subject = input.kind === 'blob' ? `${input.name} holds` : 'The selected files hold';
  const parts = ctx.found.parts(subject, opts.name ?? datasetName(input));
  ctx.progress.endRead();
  return buildDataset(parts, {
    issues: ctx.issues,
    maxDuplicateShare: ctx.limits.maxDuplicateShare,
    signal,
    onStep: (done, t) => ctx.progress.index(done, t),
  });
}

async function readBlob(input: BlobImport, ctx: Ctx): Promise<void> {
  const read = input.read?.bind(input);
  if (read && input.size >= 4 && isZip(await read(0, 4))) return readCentralZip(input, read, ctx);
  const p = await peek(countBytes(input.chunks(), ctx.progress));
  if (p.head.length === 0)
    throw new WrenError('empty-file', `${input.name} is empty.`, { file: input.name });
  if (isZip(p.head)) return readZip(input.name, p.chunks, ctx);
  if (p.head.length < 4 && p.head.every((b, i) => b === ZIP_START[i]))
    throw new WrenError(
      'truncated',
      `${input.name} ends early: the archive is truncated (got ${p.head.length} bytes). Download it again.`,
      { file: input.name },
    );
  const d = detect(input.name, firstLine(p.head));
  if (!d) {
    await p.close();
    throw new WrenError(
      'not-a-zip',
      `${input.name} is not a zip archive or a MovieLens file: it starts with ${preview(p.head)}.`,
      { file: input.name },
    );
  }
  ctx.found.saw(baseName(input.name), d, true);
  await readDetected(baseName(input.name), d, p.chunks, ctx);
}

/** A zip that streams in (a download): the streaming reader. */
async function readZip(name: string, chunks: AsyncIterable<Uint8Array>, ctx: Ctx): Promise<void> {
  for await (const entry of unzipEntries(name, chunks, ctx.signal, ctx.limits))
    await readFile(entry, ctx, false);
}

/** A zip with random access: read through its central directory; unneeded entries stay packed. */
async function readCentralZip(input: BlobImport, read: ReadAt, ctx: Ctx): Promise<void> {
  const entries = centralEntries(input.name, input.size, read, {
    signal: ctx.signal,
    onBytes: (n) => ctx.progress.addBytes(n),
    limits: ctx.limits,
  });
  for await (const entry of entries) await readFile(entry, ctx, false);
}

/** One file (or zip entry): detect it, then parse it or pass over it. */
async function readFile(f: SourceFile | ZipEntry, ctx: Ctx, count: boolean): Promise<void> {
  let read = 0;
  const source = count ? counted(f.chunks(), ctx, (n) => (read += n)) : f.chunks();
  const verify = 'verify' in f ? f.verify : null;
  try {
    const p = await peek(source);
    if (count && isZip(p.head)) return await readZip(f.name, p.chunks, ctx);
    const d = detect(f.name, firstLine(p.head));
    const used = d !== null && !ctx.found.has(d);
    ctx.found.saw(baseName(f.name), d, used);
    if (!d || !used) return await p.close();
    await readDetected(baseName(f.name), d, p.chunks, ctx);
  } catch (e) {
    // A zip entry that is damaged explains bad contents better than the contents do
    // (not so a file refused for its size: reading it again would take as long).
    if (verify && e instanceof WrenError && e.code !== 'cancelled' && e.code !== 'too-large')
      await verify();
    throw e;
  } finally {
    if (count && f.size > read) ctx.progress.addBytes(f.size - read);
  }
}

async function* counted(
  chunks: AsyncIterable<Uint8Array>,
  ctx: Ctx,
  onRead: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    throwIfAborted(ctx.signal);
    onRead(c.length);
    ctx.progress.addBytes(c.length);
    yield c;
  }
}

async function readDetected(
  file: string,
  d: Detected,
  chunks: AsyncIterable<Uint8Array>,
  ctx: Ctx,
): Promise<void> {
  const f: FamilyParts = ctx.found.take(d);
  const opts = { issues: ctx.issues, header: d.header, signal: ctx.signal };
  if (d.role !== 'ratings') chunks = bounded(file, chunks, ctx.limits.maxTextFileBytes);
  switch (d.role) {
    case 'ratings':
      f.ratings = await parseRatings(file, chunks, {
        sep: SEPARATORS[d.family],
        hasHeader: d.header,
        issues: ctx.issues,
        signal: ctx.signal,
        onRows: (n) => ctx.progress.setRows(n),
        maxRows: ctx.limits.maxRatings,
      });
      return;
    case 'movies':
      f.movies = { file, rows: await parseMovies(file, d.family, chunks, opts) };
      if (f.movies.rows.length === 0)
        throw new WrenError('empty-file', `${file} lists no movies.`, { file });
      return;
    case 'users':
      f.users = await parseUsers(file, d.family, chunks, opts);
      return;
    case 'tags':
      f.tags = { file, rows: await parseTags(file, d.family, chunks, opts) };
      return;
    case 'links':
      f.links = await parseLinks(file, chunks, opts);
      return;
    case 'genres':
      f.genres = await parseGenres(file, chunks, opts);
      return;
  }
}

/**
 * The chunks of `file`, a file whose rows become objects in memory (all but
 * ratings): 'too-large' once it passes `max` bytes.
 */
async function* bounded(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  max: number,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const c of chunks) {
    total += c.length;
    if (total > max)
      throw new WrenError(
        'too-large',
        `${file} is larger than the ${max.toLocaleString('en')} bytes allowed for it (the ` +
          `largest such MovieLens file, ml-32m's tags.csv, is about 70 MB); this is not a ` +
          `MovieLens file, and nothing was imported.`,
        { file },
      );
    yield c;
  }
}

/** A local file header's signature, "PK\x03\x04". */
const ZIP_START = [0x50, 0x4b, 3, 4];

/** Starts like a zip: a file header, or the end record of an empty archive. */
function isZip(b: Uint8Array): boolean {
  return b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && b[3] === b[2] + 1;
}

/** The first bytes, as text when they are printable, else in hex. */
function preview(b: Uint8Array): string {
  const head = b.subarray(0, 16);
  const printable = head.every((c) => (c >= 32 && c < 127) || c === 9 || c === 10 || c === 13);
  if (printable) return JSON.stringify(new TextDecoder().decode(head));
  const hex = Array.from(head.subarray(0, 8), (c) => c.toString(16).padStart(2, '0')).join(' ');
  const gz =
    head[0] === 0x1f && head[1] === 0x8b ? ' (a gzip file: unpack it, or use the .zip)' : '';
  return `the bytes ${hex}${gz}`;
}

/** The zip's name without ".zip", the folder's name, or "MovieLens". */
function datasetName(input: ImportInput): string {
  if (input.kind === 'blob')
    return baseName(input.name).replace(/\.(zip|csv|dat)$/i, '') || 'MovieLens';
  const tops = new Set(input.files.map((f) => (f.name.includes('/') ? f.name.split('/')[0] : '')));
  const [top] = tops;
  return tops.size === 1 && top ? top : 'MovieLens';
}
