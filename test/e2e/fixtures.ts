/** Archives for browser tests: the genuine ones when present, generated ones otherwise. */
import { genuine } from '../genuine.ts';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { movieLensFiles, zipMovieLens, type Layout } from '../../src/core/data/write-movielens.ts';
import { DATASETS, SHOTS } from './harness.ts';

/** Writes a generated MovieLens-layout zip to the artifacts folder and returns its path. */
export async function generatedZip(
  name: string,
  ratings: number,
  layout: Layout,
  seed = 7,
): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}-${layout}-${ratings}-${seed}.zip`);
  if (existsSync(path)) return path;
  const ds = generateDataset({ ratings, seed });
  const parts: Uint8Array[] = [];
  for await (const c of zipMovieLens(movieLensFiles(ds, layout), name)) parts.push(c);
  writeFileSync(`${path}.part`, Buffer.concat(parts));
  renameSync(`${path}.part`, path);
  return path;
}

export interface Archive {
  path: string;
  genuine: boolean;
}

/** ml-latest-small.zip from ../shared/datasets, or (not in CI: test/genuine.ts) a generated archive of the same layout and size. */
export async function smallArchive(): Promise<Archive> {
  const real = join(DATASETS, 'ml-latest-small.zip');
  if (genuine('ml-latest-small.zip')) return { path: real, genuine: true };
  return { path: await generatedZip('ml-latest-small', 100_836, 'ml-latest'), genuine: false };
}

export async function hundredKArchive(): Promise<Archive> {
  const real = join(DATASETS, 'ml-100k.zip');
  if (genuine('ml-100k.zip')) return { path: real, genuine: true };
  return { path: await generatedZip('ml-100k', 100_000, 'ml-100k'), genuine: false };
}

/** A text file pretending to be a zip, and the zip at `zipPath` cut in half. */
export function badFiles(dir: string, zipPath: string): { notZip: string; truncated: string } {
  mkdirSync(dir, { recursive: true });
  const notZip = join(dir, 'holiday-photos.zip');
  writeFileSync(notZip, 'These are not the ratings you are looking for.\n');
  const truncated = join(dir, 'ml-latest-small-truncated.zip');
  const bytes = readFileSync(zipPath);
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return { notZip, truncated };
}
