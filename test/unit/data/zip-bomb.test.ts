/**
 * Bounded imports: zip bombs (a directory that says too much, a header that
 * lies, a data descriptor that says nothing), lines too long inside one
 * chunk, a file of endless rows and a file of repeats are refused with a
 * clear error, and nothing is stored. The bombs are made here, small: the
 * limits are lowered for the tests that would need gigabytes otherwise.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importMovieLens, type ImportOptions } from '../../../src/core/data/import.ts';
import {
  DEFAULT_LIMITS,
  MAX_ARCHIVE_BYTES,
  MAX_DUPLICATE_SHARE,
  MAX_ENTRIES,
  MAX_ENTRY_BYTES,
  MAX_RATINGS,
  MAX_RATIO,
  MAX_TEXT_FILE_BYTES,
  RATIO_FLOOR,
} from '../../../src/core/data/limits.ts';
import { longLine, splitLines } from '../../../src/core/data/lines.ts';
import { bytesInput, type ImportInput } from '../../../src/core/data/sources.ts';
import { checkSizes } from '../../../src/core/data/zip-central.ts';
import { readArchiveEnd, readCentralDirectory } from '../../../src/core/data/zip-records.ts';
import {
  checkStored,
  ProfileDb,
  snapshotStored,
  WrenDb,
  writeDataset,
} from '../../../src/store/index.ts';
import { tinyDataset } from '../store/tiny.ts';
import {
  blobOf,
  DATASETS,
  filesOf,
  has,
  utf8,
  wrenError,
  zipOf,
  zipWithDescriptors,
} from './helpers.ts';
import { archiveEnd } from './zip-builders.ts';

const MOVIES = 'movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n2,Heat (1995),Action\n';
const HEADER = 'userId,movieId,rating,timestamp\n';
const ROW = '1,1,5.0,964982703\n';

/** A ratings.csv of one row repeated until it is `bytes` long. */
function repeatedRatings(bytes: number): Uint8Array {
  return utf8(HEADER + ROW.repeat(Math.ceil(bytes / ROW.length)));
}

/** A dataset zip around `ratings` (deflated). */
function datasetZip(ratings: Uint8Array): Uint8Array {
  return zipOf({ 'ml-bomb/movies.csv': MOVIES, 'ml-bomb/ratings.csv': ratings });
}

/** The zip with `entry`'s unpacked size set to `size` in its local header and central directory. */
function withListedSize(zip: Uint8Array, entry: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const end = archiveEnd(out);
  let at = end.cdOffset;
  for (const c of end.entries!) {
    const nameLen = view.getUint16(at + 28, true);
    if (c.name === entry) {
      view.setUint32(at + 24, size, true);
      view.setUint32(c.offset + 22, size, true);
    }
    at += 46 + nameLen + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

/** Line 3 of ratings.csv is `length` bytes of digits that do not repeat (so they do not deflate much). */
function longRatings(length: number): Uint8Array {
  const head = utf8(HEADER + '1,1,4.0,5\n1,2,3.0,');
  const out = new Uint8Array(head.length + length + 1);
  out.set(head);
  let x = 12345;
  for (let i = head.length; i < head.length + length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = 48 + ((x >>> 24) % 10);
  }
  out[out.length - 1] = 10;
  return out;
}

/** The same bytes through the central-directory reader and through the streaming reader. */
const readers: [string, (name: string, zip: Uint8Array) => ImportInput][] = [
  ['central directory', (name, zip) => bytesInput(name, zip)],
  ['streaming', (name, zip) => blobOf(name, zip, 256 * 1024)],
];

/** The messages of the errors an import throws, with their code. */
async function refused(
  input: () => ImportInput,
  code: string,
  opts: ImportOptions = {},
): Promise<string> {
  const e = await wrenError(() => importMovieLens(input(), opts));
  expect(e.code, e.message).toBe(code);
  return e.message;
}

describe('the limits', () => {
  it('are the constants, with the values their comments give', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxEntryBytes: MAX_ENTRY_BYTES,
      maxArchiveBytes: MAX_ARCHIVE_BYTES,
      maxRatio: MAX_RATIO,
      ratioFloor: RATIO_FLOOR,
      maxRatings: MAX_RATINGS,
      maxEntries: MAX_ENTRIES,
      maxTextFileBytes: MAX_TEXT_FILE_BYTES,
      maxDuplicateShare: MAX_DUPLICATE_SHARE,
    });
    expect(MAX_ENTRIES).toBe(1000);
    expect(MAX_ENTRY_BYTES).toBe(2_147_483_648);
    expect(MAX_ARCHIVE_BYTES).toBe(4_294_967_296);
    expect(MAX_RATIO).toBe(100);
    expect(RATIO_FLOOR).toBe(1_048_576);
    expect(MAX_RATINGS).toBe(64_000_408);
    expect(MAX_TEXT_FILE_BYTES).toBe(268_435_456);
    expect(MAX_DUPLICATE_SHARE).toBe(0.5);
  });

  it('let the genuine ml-100k.zip through, the MovieLens archive with the most entries (22)', () => {
    if (!has('ml-100k.zip')) return;
    const zip = new Uint8Array(readFileSync(path.join(DATASETS, 'ml-100k.zip')));
    const end = readArchiveEnd(zip, 0);
    if (end === null || end === 'trailing') throw new Error('no end record');
    expect(end.count).toBe(22);
    expect(end.count).toBeLessThan(MAX_ENTRIES);
  });

  it.each([
    ['ml-latest-small.zip', 3.7],
    ['ml-100k.zip', 5.1],
  ])('let the genuine %s through, whose entries compress at most %f×', (name, most) => {
    if (!has(name)) return;
    const zip = new Uint8Array(readFileSync(path.join(DATASETS, name)));
    const end = readArchiveEnd(zip.subarray(zip.length - 65_600), zip.length - 65_600);
    if (end === null || end === 'trailing') throw new Error('not a zip');
    const entries =
      end.entries ?? readCentralDirectory(zip.subarray(end.cdOffset, end.cdOffset + end.cdSize));
    const ratios = entries.filter((c) => c.size > 0).map((c) => c.size / c.compressedSize);
    expect(Math.max(...ratios)).toBeLessThan(most);
    expect(() => checkSizes(name, entries, DEFAULT_LIMITS)).not.toThrow();
  });
});

describe('an archive of many files', () => {
  // A MovieLens archive with a few hundred tiny extra files: 306 entries in all.
  const extras = Object.fromEntries(
    Array.from({ length: 304 }, (_, i) => [`ml-many/extra/${i}.txt`, 'x']),
  );
  const many = zipOf({
    'ml-many/movies.csv': MOVIES,
    'ml-many/ratings.csv': HEADER + ROW,
    ...extras,
  });

  it.each(readers)(
    'is refused past the entry limit, before its files are read (%s)',
    async (_, input) => {
      const msg = await refused(() => input('many.zip', many), 'too-large', {
        limits: { maxEntries: 300 },
      });
      expect(msg).toMatch(
        /^many\.zip holds (306|more) files, more than the 300 allowed \(a MovieLens archive holds at most 22\)\. This is not a MovieLens archive; nothing was imported\.$/,
      );
    },
  );

  it.each(readers)('imports under the default limit (%s)', async (_, input) => {
    expect(DEFAULT_LIMITS.maxEntries).toBe(MAX_ENTRIES);
    const ds = await importMovieLens(input('many.zip', many));
    expect(ds.ratings.user.length).toBe(1);
  });
});

describe('a zip bomb', () => {
  // 40 MB of one row, deflated about 1,000 to 1: some 40 KB.
  const bomb = datasetZip(repeatedRatings(40e6));

  it.each(readers)('is refused for its ratio before it is inflated (%s)', async (_, input) => {
    const msg = await refused(() => input('bomb.zip', bomb), 'too-large');
    expect(msg).toMatch(
      /^bomb\.zip: ml-bomb\/ratings\.csv unpacks to 40,000,0\d\d bytes from [\d,]+ compressed \([\d,]+×; MovieLens files compress about 3 to 6×, and at most 100× is accepted\)\. This looks like a zip bomb/,
    );
  });

  it.each(readers)('is refused for its listed size (%s)', async (_, input) => {
    const opts = { limits: { maxRatio: 1e6, maxEntryBytes: 10e6 } };
    const msg = await refused(() => input('bomb.zip', bomb), 'too-large', opts);
    expect(msg).toMatch(
      /^bomb\.zip: ml-bomb\/ratings\.csv unpacks to 40,000,0\d\d bytes, more than the 10,000,000 bytes allowed for one file/,
    );
    const all = { limits: { maxRatio: 1e6, maxArchiveBytes: 20e6 } };
    expect(await refused(() => input('bomb.zip', bomb), 'too-large', all)).toMatch(
      /^bomb\.zip unpacks to 40,000,\d+ bytes in all \(by ml-bomb\/ratings\.csv\), more than the 20,000,000 bytes allowed/,
    );
  });

  it.each(readers)('is refused with the default limit on one entry (%s)', async (_, input) => {
    // A small zip whose headers list one byte more than MAX_ENTRY_BYTES: refused unread.
    const big = withListedSize(datasetZip(utf8(HEADER + ROW)), 'ml-bomb/ratings.csv', 2 ** 31 + 1);
    const msg = await refused(() => input('big.zip', big), 'too-large');
    expect(msg).toBe(
      "big.zip: ml-bomb/ratings.csv unpacks to 2,147,483,649 bytes, more than the 2,147,483,648 bytes allowed for one file (the largest MovieLens file, ml-32m's ratings.csv, is about 877 MB). This is not a MovieLens archive; nothing was imported.",
    );
  });

  it.each(readers)(
    'whose headers lie about its size is caught counting bytes (%s)',
    async (_, input) => {
      // Listed at 2 MB (a ratio the header check lets through), it unpacks to 40 MB.
      const liar = withListedSize(bomb, 'ml-bomb/ratings.csv', 2_000_000);
      const msg = await refused(() => input('liar.zip', liar), 'corrupt-zip');
      expect(msg).toBe(
        'liar.zip is damaged: ml-bomb/ratings.csv unpacks to more than 2000000 bytes. Download it again.',
      );
    },
  );

  it('with a data descriptor (no size before the data) is caught counting bytes', async () => {
    const described = zipWithDescriptors({
      'ml-bomb/movies.csv': MOVIES,
      'ml-bomb/ratings.csv': repeatedRatings(40e6),
    });
    const streaming = (): ImportInput => blobOf('dd.zip', described, 64 * 1024);
    expect(await refused(streaming, 'too-large')).toMatch(
      /^dd\.zip: ml-bomb\/ratings\.csv unpacks to [\d,]+ bytes from [\d,]+ compressed .* This looks like a zip bomb/,
    );
    const opts = { limits: { maxRatio: 1e6, maxEntryBytes: 5e6 } };
    expect(await refused(streaming, 'too-large', opts)).toMatch(
      /^dd\.zip: ml-bomb\/ratings\.csv unpacks to [\d,]+ bytes, more than the 5,000,000 bytes allowed/,
    );
    // The central directory lists the real size: refused before inflating.
    expect(await refused(() => bytesInput('dd.zip', described), 'too-large')).toMatch(
      /^dd\.zip: ml-bomb\/ratings\.csv unpacks to 40,000,0\d\d bytes from/,
    );
  });

  it('of more rows than allowed is refused, from a zip or a folder', async () => {
    const ratings = utf8(
      HEADER + Array.from({ length: 101 }, (_, i) => `${i + 1},1,4.0,5\n`).join(''),
    );
    const opts = { limits: { maxRatings: 100 } };
    const want =
      'ratings.csv holds more than 100 ratings, the most accepted (ml-32m, the largest MovieLens release, has 32,000,204); this is not a MovieLens ratings file, and nothing was imported.';
    for (const input of [
      () => bytesInput('rows.zip', datasetZip(ratings)),
      () => filesOf({ 'movies.csv': MOVIES, 'ratings.csv': ratings }),
    ])
      expect(await refused(input, 'too-large', opts)).toBe(want);
    expect(
      (await importMovieLens(bytesInput('rows.zip', datasetZip(ratings)))).ratings.user.length,
    ).toBe(101);
  });

  it('of a too large movies file is refused', async () => {
    const opts = { limits: { maxTextFileBytes: 50 } };
    expect(
      await refused(
        () => filesOf({ 'movies.csv': MOVIES, 'ratings.csv': HEADER + ROW }),
        'too-large',
        opts,
      ),
    ).toMatch(/^movies\.csv is larger than the 50 bytes allowed for it/);
  });
});

describe('a line too long', () => {
  const ratings = longRatings(10e6);
  const want =
    'ratings.csv line 3: found a line longer than 1048576 bytes; this is not a MovieLens text file';

  it('inside one chunk gets the same error as across chunks', async () => {
    const files = { 'movies.csv': MOVIES, 'ratings.csv': ratings };
    const zip = datasetZip(ratings);
    for (const input of [
      () => filesOf(files, 64 * 1024), // across chunks, as before
      () => filesOf(files, 16 << 20), // the whole file in one chunk
      () => bytesInput('longline.zip', zip),
      () => blobOf('longline.zip', zip, 16 << 20),
    ])
      expect(await refused(input, 'bad-row')).toBe(want);
  });

  it('is found by splitLines in one chunk, after the lines before it are fed', async () => {
    const runs: number[] = [];
    let line = 1;
    const e = await wrenError(
      () =>
        splitLines(
          (async function* () {
            yield ratings;
          })(),
          (b, s, end) => {
            for (let i = s; i < end; i++) if (b[i] === 10) line++;
            runs.push(end - s);
          },
          { file: 'ratings.csv', lineAt: () => line },
        ),
      'bad-row',
    );
    expect(e.message).toBe(want);
    expect(e.line).toBe(3);
    expect(runs).toEqual([HEADER.length + 10]);
  });

  it('is a line of more than maxLine bytes, wherever it starts', () => {
    const lines = (...n: number[]): Uint8Array => utf8(n.map((k) => 'x'.repeat(k) + '\n').join(''));
    expect(longLine(lines(10, 10, 10), 10)).toBe(-1);
    expect(longLine(lines(10, 11, 10), 10)).toBe(11);
    expect(longLine(lines(3, 4, 11), 10)).toBe(9);
    expect(longLine(lines(11), 10)).toBe(0);
    expect(longLine(utf8('x'.repeat(10)), 10)).toBe(-1); // cut off, not too long yet
    expect(longLine(utf8('x'.repeat(11)), 10)).toBe(0);
  });

  it('made of two chunks, each under the limit, is caught when joined', async () => {
    const half = utf8('y'.repeat(700_000));
    const e = await wrenError(() =>
      splitLines(
        (async function* () {
          yield half;
          yield new Uint8Array([...half, 10]);
        })(),
        () => undefined,
        { file: 'tags.csv', lineAt: () => 1 },
      ),
    );
    expect(e.message).toBe(
      'tags.csv line 1: found a line longer than 1048576 bytes; this is not a MovieLens text file',
    );
  });
});

describe('a ratings file of repeats', () => {
  it('is refused, naming the count; half of it repeats is still a dataset', async () => {
    const ratings = HEADER + ROW.repeat(1000);
    const msg = await refused(
      () => bytesInput('dupes.zip', datasetZip(utf8(ratings))),
      'invalid-data',
    );
    expect(msg).toBe(
      'ratings.csv: 999 of its 1,000 ratings repeat a (user, movie) pair rated on another line, leaving 1 distinct rating. MovieLens ratings files hold no repeats; a file made mostly of them is not a usable dataset, and nothing was imported.',
    );
    const half = HEADER + '1,1,4.0,5\n1,2,3.0,6\n2,1,4.0,5\n2,1,2.0,7\n1,1,4.0,8\n1,2,5.0,9\n';
    const ds = await importMovieLens(filesOf({ 'movies.csv': MOVIES, 'ratings.csv': half }));
    expect(ds.skipped.duplicates).toBe(3);
    expect(ds.ratings.user.length).toBe(3);
  });
});

describe('nothing is stored after a refused import', () => {
  let db: WrenDb;
  let profileDb: ProfileDb;
  let n = 0;
  beforeEach(async () => {
    db = new WrenDb(`bomb-${n}`);
    profileDb = new ProfileDb(`bomb-profile-${n++}`);
    await Promise.all([db.open(), profileDb.open()]);
  });
  afterEach(async () => {
    await Promise.all([db.delete(), profileDb.delete()]);
  });

  it('keeps the datasets there were, and adds none', async () => {
    const id = await writeDataset(db, tinyDataset('kept'), { source: 't' });
    const before = await snapshotStored(db, profileDb);
    const count = await db.datasets.count();
    const bomb = datasetZip(repeatedRatings(40e6));
    const inputs: [() => ImportInput, string][] = [
      [() => bytesInput('bomb.zip', bomb), 'too-large'],
      [
        () => blobOf('liar.zip', withListedSize(bomb, 'ml-bomb/ratings.csv', 2_000_000)),
        'corrupt-zip',
      ],
      [() => bytesInput('longline.zip', datasetZip(longRatings(2e6))), 'bad-row'],
      [() => bytesInput('dupes.zip', datasetZip(utf8(HEADER + ROW.repeat(100)))), 'invalid-data'],
    ];
    for (const [input, code] of inputs) {
      // What the import worker does: write the dataset only once it is parsed.
      const e = await wrenError(async () => {
        const ds = await importMovieLens(input());
        await writeDataset(db, ds, { source: 'bomb' });
      }, code as never);
      expect(e.code).toBe(code);
    }
    expect(await db.datasets.count()).toBe(count);
    expect((await db.datasets.toArray()).map((d) => d.id)).toEqual([id]);
    expect(await checkStored(db, profileDb, before)).toEqual({
      lost: [],
      profileBefore: 0,
      profileMissing: 0,
      profileRestored: 0,
    });
  });
});
