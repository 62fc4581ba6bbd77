import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centralEntries, type ReadAt } from '../../../src/core/data/zip-central.ts';
import { READ } from '../../../src/core/data/zip-inflate.ts';
import { readCentralDirectory } from '../../../src/core/data/zip-records.ts';
import { unzipEntries } from '../../../src/core/data/zip.ts';
import { pieces, readAll, utf8, wrenError, zipOf, zipWithDescriptors } from './helpers.ts';
import { archiveEnd, indexOf, join, SIGNATURES, streamZip, toZip64 } from './zip-builders.ts';

const memory =
  (data: Uint8Array): ReadAt =>
  (offset, length) =>
    Promise.resolve(data.subarray(offset, offset + length));

/** Every entry's name and bytes (as latin-1 text, so any byte compares), read through the directory. */
async function unpack(data: Uint8Array, read = memory(data)): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of centralEntries('test.zip', data.length, read))
    out[e.name] = Buffer.from(await readAll(e.chunks())).toString('latin1');
  return out;
}

/** The same, through the streaming reader. */
async function unpackStreaming(data: Uint8Array): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of unzipEntries('test.zip', pieces(data, 4096)))
    out[e.name] = Buffer.from(await readAll(e.chunks())).toString('latin1');
  return out;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Text with the three record signatures spread through it. */
function tricky(lines: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < lines; i++) {
    parts.push(utf8(`line ${i} of text that compresses, `));
    if (i % 97 === 5) parts.push(SIGNATURES);
  }
  return join(parts);
}

const entries = {
  'ml-x/': new Uint8Array(0),
  'ml-x/README.txt': utf8('Summary\n'.repeat(50)),
  'ml-x/notes.bin': tricky(3000),
  'ml-x/movies.csv': utf8('movieId,title,genres\n1,Toy Story (1995),Comedy\n'.repeat(40)),
  '__MACOSX/ml-x/._movies.csv': SIGNATURES,
  'ml-x/.DS_Store': utf8('junk'),
  'ml-x/empty.txt': new Uint8Array(0),
};
const wanted = ['ml-x/README.txt', 'ml-x/notes.bin', 'ml-x/movies.csv', 'ml-x/empty.txt'];
const expected = Object.fromEntries(
  wanted.map((n) => [n, latin1(entries[n as keyof typeof entries])]),
);

/** Where the central directory record of entry `i` starts. */
function centralRecord(zip: Uint8Array, i: number): number {
  const end = archiveEnd(zip);
  const v = new DataView(zip.buffer, zip.byteOffset);
  let at = end.cdOffset;
  for (let k = 0; k < i; k++)
    at += 46 + v.getUint16(at + 28, true) + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
  return at;
}

describe('centralEntries: data descriptors and record signatures inside entries', () => {
  for (const mode of ['stored', 'deflate-0'] as const) {
    it(`reads a ${mode} zip from fflate's streaming Zip whose data holds PK\\3\\4, PK\\7\\8 and PK\\1\\2`, async () => {
      const zip = streamZip(entries, mode);
      const dir = readCentralDirectory(zip.subarray(archiveEnd(zip).cdOffset));
      expect(dir.every((e) => (e.flags & 8) !== 0)).toBe(true);
      expect(indexOf(zip, SIGNATURES)).toBeGreaterThan(0); // the signatures are there as they are
      expect(await unpack(zip)).toEqual(expected);
      // The streaming reader cannot find where such an entry ends: it takes the first
      // signature in its data for the next record. It says the zip is damaged (never
      // returns wrong bytes), although the zip is fine; hence the central-directory reader.
      await wrenError(() => unpackStreaming(zip), 'corrupt-zip');
    });
  }

  it('reads a deflated streamed zip as the streaming reader does', async () => {
    const zip = streamZip(entries, 'deflate', 1000);
    expect(await unpack(zip)).toEqual(expected);
    expect(await unpackStreaming(zip)).toEqual(expected);
  });

  it('reads zips with and without descriptors, stored or deflated, and zip64 records', async () => {
    const zips = [
      zipOf(entries, 6),
      zipOf(entries, 0),
      zipWithDescriptors(entries),
      toZip64(zipOf(entries, 6)),
      toZip64(streamZip(entries, 'stored')),
    ];
    for (const zip of zips) {
      const got = await unpack(zip);
      expect(Object.keys(got)).toEqual(wanted);
      expect(got).toEqual(expected);
    }
    // The zip64 records really are what is read: their values replace the 0xFFFFFFFF ones.
    const z64 = toZip64(zipOf(entries, 6));
    expect(new DataView(z64.buffer).getUint32(z64.length - 6, true)).toBe(0xffffffff);
    expect(readCentralDirectory(z64.subarray(archiveEnd(z64).cdOffset))[1]).toMatchObject({
      name: 'ml-x/README.txt',
      size: 400,
    });
  });

  it('gives entries in archive order even when the directory lists them otherwise', async () => {
    const zip = zipOf({ 'a.txt': 'first', 'b.txt': 'second' }, 0);
    const end = archiveEnd(zip);
    const first = zip.subarray(end.cdOffset, centralRecord(zip, 1));
    const second = zip.subarray(centralRecord(zip, 1), end.cdOffset + end.cdSize);
    const swapped = join([
      zip.subarray(0, end.cdOffset),
      second,
      first,
      zip.subarray(end.cdOffset + end.cdSize),
    ]);
    const names: string[] = [];
    for await (const e of centralEntries('t.zip', swapped.length, memory(swapped)))
      names.push(e.name);
    expect(names).toEqual(['a.txt', 'b.txt']);
  });
});

describe('centralEntries: damage', () => {
  const kinds = [
    ['deflated', zipOf(entries, 6)],
    ['stored with descriptors', streamZip(entries, 'stored')],
    ['deflated with descriptors', zipWithDescriptors(entries)],
  ] as const;
  for (const [kind, zip] of kinds) {
    it(`reports a ${kind} zip cut anywhere as truncated, naming the bytes it got`, async () => {
      const cuts = new Set([
        1,
        4,
        22,
        29,
        30,
        31,
        zip.length - 23,
        zip.length - 22,
        zip.length - 1,
      ]);
      for (let c = 1; c < zip.length; c += Math.ceil(zip.length / 80)) cuts.add(c);
      for (const cut of cuts) {
        const part = zip.subarray(0, cut);
        const e = await wrenError(() => unpack(part), 'truncated');
        expect(e.message).toBe(
          `test.zip ends early: the archive is truncated (got ${cut} bytes). Download it again.`,
        );
      }
    });

    it(`never returns wrong bytes from a ${kind} zip with a flipped byte`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(zip.length - 1),
          fc.integer({ min: 1, max: 255 }),
          async (at, mask) => {
            const bad = zip.slice();
            bad[at]! ^= mask;
            let got: Record<string, string>;
            try {
              got = await unpack(bad);
            } catch (e) {
              // A flip in a size field may list an absurd size: refused unread, as too large.
              expect((e as { code?: string }).code).toMatch(/^(corrupt-zip|truncated|too-large)$/);
              return;
            }
            // A flip in a field nobody needs (a date, a version) changes nothing.
            expect(got).toEqual(expected);
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it('calls damage inside compressed data corrupt-zip, naming the archive and the entry', async () => {
    const zip = zipOf({ 'd/notes.bin': tricky(5000) }, 6);
    const end = archiveEnd(zip);
    const start = 30 + 'd/notes.bin'.length;
    for (let at = start + 3; at < end.cdOffset - 2; at += 97) {
      const bad = zip.slice();
      bad[at]! ^= 0x24;
      const e = await wrenError(() => unpack(bad), 'corrupt-zip');
      expect(e.message).toMatch(/^test\.zip is damaged: d\/notes\.bin .*\. Download it again\.$/);
    }
  });

  it('says what is wrong with the directory or a header', async () => {
    const zip = zipOf({ 'a.txt': 'aaaa', 'b.txt': 'bbbb' }, 0);
    const v = (b: Uint8Array) => new DataView(b.buffer);
    const cd1 = centralRecord(zip, 1);
    const edit = (f: (b: Uint8Array) => void): Uint8Array => {
      const b = zip.slice();
      f(b);
      return b;
    };
    // An entry placed past the end: truncated; placed elsewhere inside: damaged.
    await wrenError(
      () => unpack(edit((b) => v(b).setUint32(cd1 + 42, 1 << 30, true))),
      'truncated',
    );
    const e1 = await wrenError(
      () => unpack(edit((b) => v(b).setUint32(cd1 + 42, 3, true))),
      'corrupt-zip',
    );
    expect(e1.message).toContain('no file header where b.txt should start (byte 3)');
    // Sizes that run into the directory or past the end.
    await wrenError(
      () => unpack(edit((b) => v(b).setUint32(cd1 + 20, 1 << 30, true))),
      'truncated',
    );
    const e2 = await wrenError(
      () => unpack(edit((b) => v(b).setUint32(cd1 + 20, 60, true))),
      'corrupt-zip',
    );
    expect(e2.message).toContain('b.txt runs into the central directory');
    // A directory that does not end at the end record, or past the end.
    const eocd = zip.length - 22;
    await wrenError(
      () => unpack(edit((b) => v(b).setUint32(eocd + 16, 1 << 30, true))),
      'truncated',
    );
    await wrenError(() => unpack(edit((b) => v(b).setUint32(eocd + 16, 1, true))), 'corrupt-zip');
    const e3 = await wrenError(
      () => unpack(edit((b) => v(b).setUint16(eocd + 10, 3, true))),
      'corrupt-zip',
    );
    expect(e3.message).toContain('its directory has 2 entries instead of 3');
    // Methods and encryption.
    const e4 = await wrenError(
      () => unpack(edit((b) => v(b).setUint16(cd1 + 10, 12, true))),
      'corrupt-zip',
    );
    expect(e4.message).toBe(
      'test.zip is damaged: b.txt uses compression method 12; only stored and deflate are supported. Download it again.',
    );
    const e5 = await wrenError(
      () => unpack(edit((b) => v(b).setUint16(cd1 + 8, 1, true))),
      'corrupt-zip',
    );
    expect(e5.message).toContain('b.txt is encrypted');
    // Local and central names that differ.
    const e6 = await wrenError(() => unpack(edit((b) => (b[30] = 0x7a))), 'corrupt-zip');
    expect(e6.message).toContain('names z.txt, not a.txt');
  });

  it('reads an archive with a comment, calls a cut comment truncated and extra bytes damage', async () => {
    const zip = zipOf({ 'a.txt': 'hello' });
    const withComment = join([zip, utf8('a comment!')]);
    new DataView(withComment.buffer).setUint16(zip.length - 2, 10, true);
    expect(await unpack(withComment)).toEqual({ 'a.txt': 'hello' });
    await wrenError(() => unpack(withComment.subarray(0, zip.length + 4)), 'truncated');
    const e = await wrenError(() => unpack(join([zip, new Uint8Array(3)])), 'corrupt-zip');
    expect(e.message).toContain('stray bytes');
  });

  it('accepts an empty archive', async () => {
    expect(await unpack(zipOf({}))).toEqual({});
  });

  it('calls an input that reads short truncated (a file that shrank)', async () => {
    const zip = zipOf(entries, 6);
    const short: ReadAt = (o, l) => Promise.resolve(zip.subarray(o, Math.min(o + l, 5000)));
    await wrenError(() => unpack(zip, short), 'truncated');
  });
});

describe('centralEntries: reading', () => {
  /** Text that deflates about as MovieLens ratings do, `n` rows. */
  function ratings(n: number): Uint8Array {
    let x = 1;
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      x = (x * 48271) % 2147483647;
      rows.push(`${1 + (x % 900)},${1 + (x % 9000)},${1 + (x % 5)}.0,${964982703 + (x % 100000)}`);
    }
    return utf8(rows.join('\n'));
  }

  it('reads in bounded pieces, hands over bounded chunks and leaves unread entries packed', async () => {
    const big = ratings(250_000);
    const zip = zipOf({ 'r.csv': big, 'skip.csv': ratings(100_000), 'last.txt': 'end' }, 0);
    const skip = archiveEnd(zip).entries![1]!;
    const skipEnd = skip.offset + 30 + 'skip.csv'.length + skip.compressedSize;
    expect(skip.compressedSize).toBeGreaterThan(1_000_000);
    const reads: number[] = [];
    let readOfSkip = 0;
    const read: ReadAt = (o, l) => {
      reads.push(l);
      // (The first read is the archive's last 128 KiB, for its directory.)
      if (reads.length > 1)
        readOfSkip += Math.max(0, Math.min(o + l, skipEnd) - Math.max(o, skip.offset));
      return memory(zip)(o, l);
    };
    let biggest = 0;
    let total = 0;
    let last = '';
    for await (const e of centralEntries('t.zip', zip.length, read)) {
      if (e.name === 'r.csv')
        for await (const c of e.chunks()) {
          biggest = Math.max(biggest, c.length);
          total += c.length;
        }
      if (e.name === 'skip.csv') for await (const _ of e.chunks()) break;
      if (e.name === 'last.txt') last = latin1(await readAll(e.chunks()));
    }
    expect(total).toBe(big.length);
    expect(last).toBe('end');
    expect(big.length).toBeGreaterThan(2 * READ);
    expect(Math.max(...reads)).toBeLessThanOrEqual(READ);
    expect(biggest).toBeLessThanOrEqual(READ);
    // skip.csv was peeked at: its header and one small read, not its megabytes.
    expect(readOfSkip).toBeLessThanOrEqual(2 * 1024 + 64 * 1024);
  });

  it('reports the bytes passed in order, up to the directory, without going back', async () => {
    const zip = zipOf({ 'a/': '', 'a/r.csv': ratings(100_000), 'a/b.txt': 'b', 'a/.x': 'x' }, 6);
    const steps: number[] = [];
    for await (const e of centralEntries('t.zip', zip.length, memory(zip), {
      onBytes: (n) => steps.push(n),
    }))
      await readAll(e.chunks());
    expect(steps.every((n) => n > 0)).toBe(true);
    expect(steps.length).toBeGreaterThan(2);
    expect(steps.reduce((s, n) => s + n, 0)).toBe(archiveEnd(zip).cdOffset);
  });

  it('verify() reads an entry read in part, or not at all, and reports a damaged one', async () => {
    const text = utf8('x,y\n'.repeat(200_000));
    const zip = zipOf({ 'a.csv': text }, 0);
    const bad = zip.slice();
    bad[30 + 5 + 700_000]! ^= 1; // inside the stored data, past the first read
    for await (const e of centralEntries('t.zip', bad.length, memory(bad))) {
      const it = e.chunks()[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      await it.return?.();
      const err = await wrenError(() => e.verify(), 'corrupt-zip');
      expect(err.message).toContain('a.csv does not match its checksum');
    }
    for await (const e of centralEntries('t.zip', zip.length, memory(zip))) await e.verify();
  });

  it('stops with "cancelled" between reads', async () => {
    const zip = zipOf({ 'r.csv': ratings(150_000) }, 0);
    const ac = new AbortController();
    const e = await wrenError(async () => {
      for await (const entry of centralEntries('t.zip', zip.length, memory(zip), {
        signal: ac.signal,
      }))
        for await (const _ of entry.chunks()) ac.abort();
    }, 'cancelled');
    expect(e.message).toBe('Cancelled.');
  });
});
