import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { movieLensFiles, zipMovieLens } from '../../../src/core/data/write-movielens.ts';
import { bytesOf } from './files.ts';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

const join = (parts: Uint8Array[]) => Buffer.concat(parts);

const ds = generateDataset({ ratings: 20_000, seed: 4 });

describe('zipMovieLens', () => {
  it('zips every file under one top folder, with a folder entry, and unzips to the same bytes', async () => {
    const files = movieLensFiles(ds, 'ml-latest');
    const zip = join(await collect(zipMovieLens(files, 'ml-synthetic')));
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual([
      'ml-synthetic/',
      ...files.map((f) => `ml-synthetic/${f.name}`),
    ]);
    expect(entries['ml-synthetic/']?.length).toBe(0);
    for (const f of files) {
      const got = Buffer.from(entries[`ml-synthetic/${f.name}`] as Uint8Array);
      expect(got.equals(Buffer.from(bytesOf(f)))).toBe(true);
    }
    // Deflated: much smaller than the text.
    const textSize = files.reduce((a, f) => a + bytesOf(f).length, 0);
    expect(zip.length).toBeLessThan(textSize * 0.6);
  });

  it('is byte-for-byte reproducible, and a higher level compresses at least as well', async () => {
    const files = movieLensFiles(ds, 'ml-100k');
    const a = join(await collect(zipMovieLens(files, 'ml-100k')));
    const b = join(await collect(zipMovieLens(files, 'ml-100k')));
    expect(a.equals(b)).toBe(true);
    const best = join(await collect(zipMovieLens(files, 'ml-100k', 9)));
    expect(best.length).toBeLessThanOrEqual(a.length);
    const stored = join(await collect(zipMovieLens(files, 'ml-100k', 0)));
    expect(stored.length).toBeGreaterThan(a.length);
    expect(Object.keys(unzipSync(best))).toContain('ml-100k/u.item');
  });

  it('hands out the archive in pieces as it goes', async () => {
    const pieces = await collect(zipMovieLens(movieLensFiles(ds, 'ml-1m'), 'ml-1m'));
    expect(pieces.length).toBeGreaterThan(4);
  });

  it('rejects a level outside 0–9', async () => {
    await expect(collect(zipMovieLens([], 'x', 10))).rejects.toThrow(RangeError);
  });
});
