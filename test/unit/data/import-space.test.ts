import { describe, expect, it } from 'vitest';
import {
  SPACE_RESERVE,
  bytesNeeded,
  checkRoom,
  importBytes,
  parsedBytes,
} from '../../../src/core/data/import-space.ts';
import { bytesFile, bytesInput } from '../../../src/core/data/sources.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { streamZip, toZip64 } from './zip-builders.ts';

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(65);

describe('import space', () => {
  it('needs 1.75 stored bytes per CSV byte, 25% more while writing, and 16 MiB to spare', () => {
    expect(bytesNeeded(0)).toBe(SPACE_RESERVE);
    expect(bytesNeeded(8_000_000)).toBe(8_000_000 * 1.75 * 1.25 + SPACE_RESERVE);
  });

  it('refuses what does not fit, with the numbers, and lets through what does', () => {
    const csv = 8_686_108; // the e2e test's 300k-rating archive
    const need = bytesNeeded(csv);
    const err = (() => {
      try {
        checkRoom('big.zip', csv, { usage: 30e6, quota: 30e6 + need - 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WrenError);
    expect((err as WrenError).code).toBe('quota');
    expect((err as WrenError).message).toBe(
      'Not enough storage for this import: big.zip holds 8.7 MB of data, which needs about ' +
        '35.8 MB free here (a 25% margin and 16 MB to spare included), and the browser has ' +
        '35.8 MB left for this site. Free space and try again: delete a dataset, an embedding ' +
        'or a model on the Data page, or free disk space on this device.',
    );
    expect(() => checkRoom('big.zip', csv, { usage: 30e6, quota: 30e6 + need })).not.toThrow();
    // A browser that does not say: no refusal.
    expect(() => checkRoom('big.zip', csv, {})).not.toThrow();
  });

  it('checks a parsed download by its ratings, as the demo is checked', () => {
    // 300,000 ratings stand for 9 MB of CSV: about 36 MB needed with the margin.
    expect(parsedBytes(300_000)).toBe(9_000_000);
    const need = bytesNeeded(parsedBytes(300_000));
    expect(() =>
      checkRoom('https://example.org/ml.zip', parsedBytes(300_000), { usage: 0, quota: need - 1 }),
    ).toThrow(/^Not enough storage for this import: https:\/\/example\.org\/ml\.zip holds 9\.0 MB/);
    expect(() =>
      checkRoom('https://example.org/ml.zip', parsedBytes(300_000), { usage: 0, quota: need }),
    ).not.toThrow();
  });

  it.each(['stored', 'deflate'] as const)(
    "reads an archive's unpacked sizes from its central directory (%s), data files only",
    async (mode) => {
      const zip = streamZip(
        {
          'ml/README.txt': bytes(5000),
          'ml/ratings.csv': bytes(70_000),
          'ml/movies.csv': bytes(3000),
          'ml/genome-scores.csv': bytes(9000),
          '__MACOSX/ml/._ratings.csv': bytes(100),
        },
        mode,
      );
      expect(await importBytes(bytesInput('ml.zip', zip))).toBe(73_000);
      expect(await importBytes(bytesInput('ml.zip', toZip64(zip)))).toBe(73_000);
    },
  );

  it('a folder counts its data files; a single file its size; a cut archive is unknown', async () => {
    const files = {
      kind: 'files' as const,
      files: [bytesFile('ml/ratings.csv', bytes(1234)), bytesFile('ml/notes.txt', bytes(99))],
    };
    expect(await importBytes(files)).toBe(1234);
    expect(await importBytes(bytesInput('ratings.csv', bytes(4321)))).toBe(4321);
    const zip = streamZip({ 'ml/ratings.csv': bytes(70_000) }, 'deflate');
    expect(await importBytes(bytesInput('ml.zip', zip.subarray(0, zip.length - 30)))).toBeNull();
  });
});
