/**
 * The written layouts against the genuine GroupLens files in
 * ../shared/datasets (WREN_DATASETS): the same line shapes must describe
 * both. Skipped when the files are missing; write-movielens.test.ts covers
 * the same code on generated data either way.
 */
import { DATASETS, genuine } from '../../genuine.ts';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { movieLensFiles } from '../../../src/core/data/write-movielens.ts';
import { bytesOf, fileNamed, latin1, utf8 } from './files.ts';

const datasets = DATASETS;
const small = path.join(datasets, 'ml-latest-small');
const zip100k = path.join(datasets, 'ml-100k.zip');
const partial1m = path.join(datasets, 'ml-1m-partial');

const ds = generateDataset({ ratings: 20_000, seed: 9 });

/** Non-empty lines, CRLF or LF. */
const lines = (text: string) => text.split(/\r?\n/).filter((l) => l !== '');

function ours(layout: 'ml-latest' | 'ml-1m' | 'ml-100k', name: string, enc = utf8): string {
  return enc(bytesOf(fileNamed(movieLensFiles(ds, layout), name)));
}

/** Lines of `text` that `shape` does not describe (the first few). */
function misfits(text: string, shape: RegExp, skipHeader = false): string[] {
  return lines(text)
    .slice(skipHeader ? 1 : 0)
    .filter((l) => !shape.test(l))
    .slice(0, 5);
}

describe.skipIf(!genuine('ml-latest-small'))('ml-latest layout vs ml-latest-small', () => {
  const real = (name: string) => readFileSync(path.join(small, name), 'utf8');
  const shapes: Record<string, RegExp> = {
    'ratings.csv': /^\d+,\d+,[0-5]\.[05],\d+$/,
    'movies.csv': /^\d+,("([^"]|"")*"|[^",]*),[A-Za-z|()' -]+$/,
    'links.csv': /^\d+,\d{7},\d*$/,
    'tags.csv': /^\d+,\d+,("([^"]|"")*"|[^",]*),\d+$/,
  };

  for (const [name, shape] of Object.entries(shapes)) {
    it(`${name}: same header, and one line shape fits both files`, () => {
      expect(lines(ours('ml-latest', name))[0]).toBe(lines(real(name))[0]);
      expect(misfits(real(name), shape, true)).toEqual([]);
      expect(misfits(ours('ml-latest', name), shape, true)).toEqual([]);
    });
  }
});

describe.skipIf(!genuine('ml-100k.zip'))('ml-100k layout vs ml-100k.zip', () => {
  const entries = existsSync(zip100k) ? unzipSync(readFileSync(zip100k)) : {};
  const real = (name: string) => latin1(entries[`ml-100k/${name}`] ?? new Uint8Array());

  it('u.genre and u.occupation are byte-identical to the real ones', () => {
    expect(ours('ml-100k', 'u.genre', latin1)).toBe(real('u.genre'));
    expect(ours('ml-100k', 'u.occupation', latin1)).toBe(real('u.occupation'));
  });

  const shapes: Record<string, RegExp> = {
    'u.data': /^\d+\t\d+\t[1-5]\t\d+$/,
    'u.user': /^\d+\|\d+\|[MF]\|[a-z]+\|[0-9A-Z]{5}$/,
    'u.item': /^\d+\|[^|]+\|(\d{1,2}-[A-Z][a-z]{2}-\d{4})?\|\|(http:\/\/[^|]+)?(\|[01]){19}$/,
    'u.info': /^\d+ (users|items|ratings)$/,
  };
  for (const [name, shape] of Object.entries(shapes)) {
    it(`${name}: one line shape fits both files`, () => {
      expect(misfits(real(name), shape)).toEqual([]);
      expect(misfits(ours('ml-100k', name, latin1), shape)).toEqual([]);
    });
  }

  it('u.item is latin-1 in both (é is the single byte 0xE9)', () => {
    expect(entries['ml-100k/u.item']?.includes(0xe9)).toBe(true);
    expect(bytesOf(fileNamed(movieLensFiles(ds, 'ml-100k'), 'u.item')).includes(0xe9)).toBe(true);
  });
});

describe.skipIf(!genuine('ml-1m-partial'))('ml-1m layout vs ml-1m-partial', () => {
  const real = (name: string) => latin1(readFileSync(path.join(partial1m, name)));
  const shapes: Record<string, RegExp> = {
    'movies.dat': /^\d+::[^:]+(:[^:]+)*::[A-Za-z|'-]+$/,
    'users.dat': /^\d+::[MF]::(1|18|25|35|45|50|56)::([0-9]|1[0-9]|20)::[0-9-]+$/,
  };
  for (const [name, shape] of Object.entries(shapes)) {
    it(`${name}: one line shape fits both files`, () => {
      expect(misfits(real(name), shape)).toEqual([]);
      expect(misfits(ours('ml-1m', name, latin1), shape)).toEqual([]);
    });
  }

  it('movies.dat uses the same genre names', () => {
    const names = (text: string) =>
      new Set(lines(text).flatMap((l) => (l.split('::')[2] ?? '').split('|')));
    const theirs = names(real('movies.dat'));
    for (const g of names(ours('ml-1m', 'movies.dat', latin1))) expect(theirs).toContain(g);
  });
});
