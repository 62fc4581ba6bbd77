import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJunkEntry, unzipEntries } from '../../../src/core/data/zip.ts';
import { pieces, readAll, utf8, wrenError, zipOf, zipWithDescriptors } from './helpers.ts';

/** Every entry's name and text, read through the streaming reader. */
async function unpack(
  data: Uint8Array,
  sizes: number | number[] = 1000,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of unzipEntries('test.zip', pieces(data, sizes)))
    out[e.name] = new TextDecoder().decode(await readAll(e.chunks()));
  return out;
}

const entries = {
  'ml-x/': '',
  'ml-x/README.txt': 'Summary\n'.repeat(50),
  'ml-x/movies.csv': 'movieId,title,genres\n1,Toy Story (1995),Comedy\n'.repeat(40),
  'ml-x/ratings.csv': 'userId,movieId,rating,timestamp\n' + '1,1,4.0,964982703\n'.repeat(300),
  '__MACOSX/ml-x/._ratings.csv': 'resource fork',
  'ml-x/.DS_Store': 'junk',
};
const wanted = ['ml-x/README.txt', 'ml-x/movies.csv', 'ml-x/ratings.csv'];

describe('unzipEntries', () => {
  for (const [kind, zip] of [
    ['deflated', zipOf(entries, 6)],
    ['stored', zipOf(entries, 0)],
    ['with data descriptors', zipWithDescriptors(entries)],
  ] as const) {
    it(`streams the entries of a ${kind} zip in archive order, without folders and junk`, async () => {
      for (const sizes of [1, 7, 100, 1 << 20]) {
        const got = await unpack(zip, sizes);
        expect(Object.keys(got)).toEqual(wanted);
        for (const name of wanted) expect(got[name]).toBe(entries[name as keyof typeof entries]);
      }
    });

    it(`reports a ${kind} zip cut anywhere as truncated, naming the bytes it got`, async () => {
      const cuts = new Set([1, 4, 29, 30, 31, zip.length - 23, zip.length - 22, zip.length - 1]);
      for (let c = 1; c < zip.length; c += Math.ceil(zip.length / 60)) cuts.add(c);
      for (const cut of cuts) {
        const e = await wrenError(() => unpack(zip.subarray(0, cut), 64), 'truncated');
        expect(e.message).toContain(
          `test.zip ends early: the archive is truncated (got ${cut} bytes)`,
        );
      }
    });

    it(`never returns wrong bytes from a ${kind} zip with a flipped byte`, async () => {
      const good = await unpack(zip);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(zip.length - 1),
          fc.integer({ min: 1, max: 255 }),
          async (at, mask) => {
            const bad = zip.slice();
            bad[at]! ^= mask;
            let got: Record<string, string>;
            try {
              got = await unpack(bad, 333);
            } catch (e) {
              // A flip in a size field may list an absurd size: refused unread, as too large.
              expect((e as { code?: string }).code).toMatch(/^(corrupt-zip|truncated|too-large)$/);
              return;
            }
            // A flip in a field nobody checks (a date, a version) changes nothing.
            expect(got).toEqual(good);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('reports damage inside compressed data as corrupt-zip, naming the archive and the entry', async () => {
    const big = {
      'd/ratings.csv': Array.from(
        { length: 3000 },
        (_, i) => `${i + 1},${i * 7},3.5,${964982703 + i}`,
      ).join('\n'),
    };
    const zip = zipOf(big, 6);
    const bad = zip.slice();
    for (let i = 200; i < 260; i++) bad[i]! ^= 0x5a;
    const e = await wrenError(() => unpack(bad), 'corrupt-zip');
    expect(e.message).toMatch(/^test\.zip is damaged: /);
    expect(e.message).toContain('d/ratings.csv');
  });

  it('finds a missing file between entries through the central directory', async () => {
    const zip = zipOf({ 'a.txt': 'aaaa', 'b.txt': 'bbbb' }, 0);
    // Break the second local header's signature: fflate alone would skip that entry.
    const second = 30 + 5 + 4;
    const bad = zip.slice();
    bad[second] = 0;
    await wrenError(() => unpack(bad), 'corrupt-zip');
  });

  it('lets an entry be read in part, or not at all, and goes on with the next', async () => {
    const zip = zipOf({ 'a.txt': 'x'.repeat(5000), 'b.txt': 'second', 'c.txt': 'third' }, 6);
    const names: string[] = [];
    let c = '';
    for await (const e of unzipEntries('t.zip', pieces(zip, 100))) {
      names.push(e.name);
      if (e.name === 'a.txt') for await (const _ of e.chunks()) break;
      if (e.name === 'c.txt') c = new TextDecoder().decode(await readAll(e.chunks()));
    }
    expect(names).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(c).toBe('third');
  });

  it('verify() reads the rest of an entry and reports a damaged one', async () => {
    const text = 'x,y\n'.repeat(2000);
    const zip = zipOf({ 'a.csv': text }, 0);
    const bad = zip.slice();
    bad[30 + 5 + 4000]! ^= 1; // inside the stored data
    for await (const e of unzipEntries('t.zip', pieces(bad, 64))) {
      const it = e.chunks()[Symbol.asyncIterator]();
      await it.next();
      await wrenError(() => e.verify(), 'corrupt-zip');
      break;
    }
    for await (const e of unzipEntries('t.zip', pieces(zip, 64))) await e.verify();
  });

  it('reads an archive with a comment, calls a cut comment truncated and extra bytes damage', async () => {
    const zip = zipOf({ 'a.txt': 'hello' });
    const withComment = new Uint8Array(zip.length + 10);
    withComment.set(zip);
    withComment.set(utf8('a comment!'), zip.length);
    new DataView(withComment.buffer).setUint16(zip.length - 2, 10, true);
    expect(await unpack(withComment)).toEqual({ 'a.txt': 'hello' });
    await wrenError(() => unpack(withComment.subarray(0, zip.length + 4)), 'truncated');
    const extra = new Uint8Array(zip.length + 3);
    extra.set(zip);
    const e = await wrenError(() => unpack(extra), 'corrupt-zip');
    expect(e.message).toContain('stray bytes');
  });

  it('accepts an empty archive', async () => {
    expect(await unpack(zipOf({}))).toEqual({});
  });

  it('hands over a big entry in small pieces, even from one big input chunk', async () => {
    let x = 1;
    const rows: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      x = (x * 48271) % 2147483647;
      rows.push(`${1 + (x % 900)},${1 + (x % 9000)},${1 + (x % 5)}.0,${964982703 + (x % 100000)}`);
    }
    const text = rows.join('\n');
    const zip = zipOf({ 'r.csv': text }, 6);
    let biggest = 0;
    let total = 0;
    for await (const e of unzipEntries('t.zip', pieces(zip, zip.length)))
      for await (const c of e.chunks()) {
        biggest = Math.max(biggest, c.length);
        total += c.length;
      }
    expect(total).toBe(text.length);
    expect(zip.length).toBeGreaterThan(256 * 1024);
    expect(biggest).toBeLessThan(512 * 1024);
  });

  it('reads an entry whose data descriptor has no signature', async () => {
    // The signature before a data descriptor is optional; drop the first entry's.
    // (fflate misreads a signature-less descriptor on the last entry; the checks then call it damaged.)
    const zip = zipWithDescriptors({ 'a.txt': 'first file '.repeat(30), 'b.txt': 'second' });
    let at = 0;
    while (!(zip[at] === 0x50 && zip[at + 1] === 0x4b && zip[at + 2] === 7 && zip[at + 3] === 8))
      at++;
    const stripped = new Uint8Array(zip.length - 4);
    stripped.set(zip.subarray(0, at));
    stripped.set(zip.subarray(at + 4), at);
    // Fix the central directory: where entry 2's header and the directory start.
    const view = new DataView(stripped.buffer);
    const eocd = stripped.length - 22;
    const cdStart = view.getUint32(eocd + 16, true) - 4;
    view.setUint32(eocd + 16, cdStart, true);
    const second = cdStart + 46 + 5;
    view.setUint32(second + 42, view.getUint32(second + 42, true) - 4, true);
    expect(await unpack(stripped, 50)).toEqual({
      'a.txt': 'first file '.repeat(30),
      'b.txt': 'second',
    });
  });

  it('tells junk entries apart', () => {
    expect(isJunkEntry('ml-25m/')).toBe(true);
    expect(isJunkEntry('__MACOSX/ml-25m/._ratings.csv')).toBe(true);
    expect(isJunkEntry('ml-25m/.hidden')).toBe(true);
    expect(isJunkEntry('ml-25m/ratings.csv')).toBe(false);
    expect(utf8('x').length).toBe(1);
  });
});
