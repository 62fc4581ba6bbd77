/**
 * importMovieLens on zips read through their central directory (inputs with
 * `read`), against the streaming reader (inputs without) and extracted files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeInput, readAt } from '../../../src/cli/node-input.ts';
import { importMovieLens } from '../../../src/core/data/import.ts';
import { blobInput, bytesInput, type BlobImport } from '../../../src/core/data/sources.ts';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import type { Dataset, Progress } from '../../../src/core/data/types.ts';
import {
  movieLensFiles,
  zipMovieLens,
  type Layout,
} from '../../../src/core/data/write-movielens.ts';
import { blobOf, DATASETS, file, filesOf, has, utf8, wrenError, zipOf } from './helpers.ts';
import { archiveEnd, indexOf, join, SIGNATURES, streamZip } from './zip-builders.ts';

/** A Dataset as one string and its rating columns' bytes: equal datasets give equal keys. */
function key(ds: Dataset): string {
  const { ratings, ...rest } = ds;
  const cols = (['user', 'movie', 'rating', 'timestamp', 'userOffsets'] as const).map((k) =>
    Buffer.from(ratings[k].buffer, ratings[k].byteOffset, ratings[k].byteLength).toString('base64'),
  );
  return JSON.stringify(rest) + cols.join('|');
}

/** The files of a generated dataset in `layout`, under `top/`. */
function generatedFiles(ratings: number, layout: Layout, top: string): Record<string, Uint8Array> {
  const ds = generateDataset({ ratings, seed: 4 });
  const out: Record<string, Uint8Array> = {};
  for (const f of movieLensFiles(ds, layout)) out[`${top}/${f.name}`] = join([...f.chunks()]);
  return out;
}

/** zipMovieLens's bytes: deflated entries with data descriptors, one top folder. */
async function movieLensZip(ratings: number, top: string): Promise<Uint8Array> {
  const ds = generateDataset({ ratings, seed: 4 });
  const parts: Uint8Array[] = [];
  for await (const c of zipMovieLens(movieLensFiles(ds, 'ml-latest'), top)) parts.push(c);
  return join(parts);
}

describe('importMovieLens through the central directory', () => {
  const files = generatedFiles(20_000, 'ml-latest', 'ml-gen');
  const withSignatures = {
    ...files,
    'ml-gen/README.txt': join([files['ml-gen/README.txt']!, SIGNATURES]),
    'ml-gen/notes.bin': join([utf8('notes\n'), ...Array.from({ length: 200 }, () => SIGNATURES)]),
  };

  for (const mode of ['stored', 'deflate-0'] as const) {
    it(`imports a ${mode} zip from a streaming zipper whose data holds record signatures`, async () => {
      const zip = streamZip(withSignatures, mode);
      expect(indexOf(zip, SIGNATURES)).toBeGreaterThan(0);
      const ds = await importMovieLens(bytesInput('ml-gen.zip', zip));
      expect(ds.ratings.user.length).toBe(20_000);
      expect(key(ds)).toBe(key(await importMovieLens(filesOf(withSignatures), { name: 'ml-gen' })));
      // The streaming reader (what a download gets) cannot find where README.txt ends.
      await wrenError(() => importMovieLens(blobOf('ml-gen.zip', zip)), 'corrupt-zip');
    });
  }

  it('gives the dataset the streaming reader gives for zips it can read', async () => {
    const zip = await movieLensZip(20_000, 'ml-gen');
    const central = await importMovieLens(bytesInput('ml-gen.zip', zip));
    expect(key(central)).toBe(key(await importMovieLens(blobOf('ml-gen.zip', zip, 5000))));
    expect(key(central)).toBe(key(await importMovieLens(filesOf(files), { name: 'ml-gen' })));
  });

  it('reports a cut zip as truncated or damaged, never as a smaller dataset', async () => {
    const zip = await movieLensZip(20_000, 'ml-gen');
    const cuts = new Set([4, 30, 100, zip.length - 22, zip.length - 1]);
    for (let c = 7; c < zip.length; c += Math.ceil(zip.length / 70)) cuts.add(c);
    for (const cut of cuts) {
      const e = await wrenError(() => importMovieLens(bytesInput('ml.zip', zip.subarray(0, cut))));
      expect(e.code, `cut at ${cut}: ${e.message}`).toMatch(/^(truncated|corrupt-zip)$/);
    }
  });

  it('blames the zip, naming the entry, for a flipped byte in compressed ratings', async () => {
    const zip = await movieLensZip(20_000, 'ml-gen');
    const start = indexOf(zip, new TextEncoder().encode('ml-gen/ratings.csv')) + 18;
    const end = indexOf(zip, new TextEncoder().encode('ml-gen/tags.csv')) - 30;
    for (let at = start + 10; at < end - 40; at += Math.floor((end - start) / 25)) {
      const bad = zip.slice();
      bad[at]! ^= 0x10;
      const e = await wrenError(() => importMovieLens(bytesInput('ml.zip', bad)), 'corrupt-zip');
      expect(e.message).toMatch(/^ml\.zip is damaged: ml-gen\/ratings\.csv /);
    }
  });

  it('leaves ml-100k-like splits packed, with progress that never goes back and ends complete', async () => {
    const k = generatedFiles(30_000, 'ml-100k', 'ml-100k');
    const splits: Record<string, Uint8Array> = {};
    for (const s of ['u1.base', 'u1.test', 'u2.base', 'ua.base', 'ub.test'])
      splits[`ml-100k/${s}`] = k['ml-100k/u.data']!;
    const zip = zipOf({ ...k, ...splits }, 6);
    let readBytes = 0;
    const counted: BlobImport = {
      ...(bytesInput('ml-100k.zip', zip) as BlobImport),
      read: (o, l) => {
        readBytes += l;
        return Promise.resolve(zip.subarray(o, o + l));
      },
    };
    const seen: Progress[] = [];
    const ds = await importMovieLens(counted, { onProgress: (p) => seen.push(p) });
    expect(key(ds)).toBe(key(await importMovieLens(blobOf('ml-100k.zip', zip))));
    // Each split: one 64 KiB read; each entry: a header read; the archive's last 128 KiB.
    const dir = archiveEnd(zip).entries!;
    const packed = dir
      .filter((e) => /\/u.\.(base|test)$/.test(e.name))
      .reduce((sum, e) => sum + e.compressedSize, 0);
    expect(packed).toBeGreaterThan(zip.length / 2);
    const most = zip.length - packed + 5 * 65536 + dir.length * 1100 + 131072;
    expect(readBytes).toBeLessThan(most);
    const read = seen.filter((p) => p.stage === 'read');
    for (let i = 1; i < read.length; i++)
      expect(read[i]!.done).toBeGreaterThanOrEqual(read[i - 1]!.done);
    expect(read.every((p) => p.done <= p.total && p.total === zip.length)).toBe(true);
    expect(read.at(-1)).toMatchObject({ done: zip.length, total: zip.length, rows: 30_000 });
  });
});

describe('random access from a file on disk and from a Blob', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wren-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the same bytes at any offset, fewer at the end', async () => {
    const data = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
    const p = path.join(dir, 'bytes.bin');
    writeFileSync(p, data);
    const blob = blobInput(new Blob([data as BlobPart]), 'bytes.bin');
    for (const [o, l] of [
      [0, 4],
      [1, 100_000],
      [123_457, 150_000],
      [299_990, 10],
      [299_990, 100],
      [300_000, 5],
    ] as const) {
      const want = data.subarray(o, o + l);
      expect(Buffer.from(await readAt(p, o, l)).equals(want)).toBe(true);
      expect(blob.kind === 'blob' && Buffer.from(await blob.read!(o, l)).equals(want)).toBe(true);
    }
  });

  it('imports the same dataset from a zip file and from the same zip as a Blob', async () => {
    const zip = await movieLensZip(10_000, 'ml-gen');
    const p = path.join(dir, 'ml-gen.zip');
    writeFileSync(p, zip);
    const fromDisk = await importMovieLens(await nodeInput(p));
    const fromBlob = await importMovieLens(blobInput(new Blob([zip as BlobPart]), 'ml-gen.zip'));
    expect(fromDisk.ratings.user.length).toBe(10_000);
    expect(key(fromDisk)).toBe(key(fromBlob));
  });
});

describe.skipIf(!has('ml-latest-small.zip') || !has('ml-latest-small/ratings.csv'))(
  'ml-latest-small.zip through the central directory',
  () => {
    it('gives the dataset of the streaming reader and of the folder', async () => {
      const zip = readFileSync(path.join(DATASETS, 'ml-latest-small.zip'));
      const central = await importMovieLens(
        await nodeInput(path.join(DATASETS, 'ml-latest-small.zip')),
      );
      expect([central.ratings.user.length, central.movies.length, central.tags.length]).toEqual([
        100836, 9742, 3683,
      ]);
      expect(key(central)).toBe(key(await importMovieLens(blobOf('ml-latest-small.zip', zip))));
      const folder = ['README.txt', 'links.csv', 'movies.csv', 'ratings.csv', 'tags.csv'].map((n) =>
        file(`ml-latest-small/${n}`, readFileSync(path.join(DATASETS, 'ml-latest-small', n))),
      );
      expect(key(central)).toBe(key(await importMovieLens({ kind: 'files', files: folder })));
    });
  },
);

describe.skipIf(!has('ml-100k.zip'))('ml-100k.zip through the central directory', () => {
  it('gives the dataset of the streaming reader, leaving the splits packed', async () => {
    const zip = readFileSync(path.join(DATASETS, 'ml-100k.zip'));
    const input = (await nodeInput(path.join(DATASETS, 'ml-100k.zip'))) as BlobImport;
    let readBytes = 0;
    const central = await importMovieLens({
      ...input,
      read: (o, l) => {
        readBytes += l;
        return input.read!(o, l);
      },
    });
    expect([central.ratings.user.length, central.users.length, central.movies.length]).toEqual([
      100000, 943, 1682,
    ]);
    expect(key(central)).toBe(key(await importMovieLens(blobOf('ml-100k.zip', zip))));
    // u.data, u.item, u.user and the small files: about 0.9 MB of 4.9 MB.
    expect(readBytes).toBeLessThan(2_000_000);
  });
});
