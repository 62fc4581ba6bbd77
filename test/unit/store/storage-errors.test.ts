/**
 * Every shape a full disk takes in IndexedDB maps to the one 'quota'
 * WrenError ("Storage is full…" with what to free), and other errors do not.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { STORAGE_FULL_MESSAGE, WrenError, isStorageFullError } from '../../../src/core/errors.ts';
import { WrenDb, isQuotaError, storageError, writeDataset } from '../../../src/store/index.ts';
import { tinyDataset } from './tiny.ts';

const dom = (name: string, message = name): DOMException => new DOMException(message, name);
const bulk = (failures: Error[]): Error =>
  new Dexie.BulkError(
    `movies.bulkPut(): ${failures.length} of 5000 operations failed`,
    Object.fromEntries(failures.map((f, i) => [i, f])) as Record<number, Error>,
  );

/** The shapes seen (or documented) when Chromium's IndexedDB runs out of disk. */
const FULL: [string, unknown][] = [
  ['QuotaExceededError (DOMException)', dom('QuotaExceededError', 'The quota has been exceeded.')],
  ['QuotaExceededError (Dexie)', new Dexie.QuotaExceededError('Quota exceeded')],
  [
    'DataError: Failed to write blobs (IOError)',
    dom('DataError', 'Failed to write blobs (IOError)'),
  ],
  [
    'Dexie DataError around the blob failure',
    new Dexie.DataError(
      'Failed to write blobs (IOError)',
      dom('DataError', 'Failed to write blobs (IOError)'),
    ),
  ],
  ['UnknownError (DOMException)', dom('UnknownError', 'Internal error committing transaction.')],
  ['UnknownError (Dexie)', new Dexie.UnknownError('IO error: .../000012.log: No space left')],
  [
    'AbortError (Dexie, an aborted transaction)',
    new Dexie.AbortError('The transaction was aborted'),
  ],
  [
    'BulkError of AbortErrors (the tester\u2019s "3297 of 5000 operations failed")',
    bulk([
      dom('AbortError', 'The transaction was aborted, so the request cannot be fulfilled.'),
      dom('AbortError', 'The transaction was aborted, so the request cannot be fulfilled.'),
    ]),
  ],
  ['BulkError of a QuotaExceededError', bulk([dom('QuotaExceededError')])],
  ['an error whose cause is one', new Error('write failed', { cause: dom('QuotaExceededError') })],
  ['an AbortError whose inner is one', new Dexie.AbortError('aborted', dom('UnknownError'))],
];

const OTHER: [string, unknown][] = [
  [
    'DataError of a bad key',
    dom('DataError', 'Evaluating the object store\u2019s key path did not yield a value.'),
  ],
  ['ConstraintError', new Dexie.ConstraintError('Key already exists in the object store.')],
  ['TypeError', new TypeError('x is undefined')],
  ['BulkError of ConstraintErrors', bulk([new Dexie.ConstraintError('Key already exists')])],
  ['a string', 'oops'],
  ['null', null],
];

afterEach(() => vi.restoreAllMocks());

describe('storage errors', () => {
  it.each(FULL)('%s is "storage is full"', (_, e) => {
    expect(isQuotaError(e)).toBe(true);
    const w = storageError(e);
    expect(w).toBeInstanceOf(WrenError);
    expect(w.code).toBe('quota');
    expect(w.message).toBe(STORAGE_FULL_MESSAGE);
    expect(w.message).toMatch(
      /^Storage is full: .*delete a dataset, an embedding or a model on the Data page, or free disk space/,
    );
  });

  it.each(OTHER)('%s is not', (_, e) => {
    expect(isQuotaError(e)).toBe(false);
    expect(storageError(e).code).not.toBe('quota');
  });

  it('a bare AbortError (a cancelled fetch) counts only where a write asks for it', () => {
    const e = dom('AbortError', 'The user aborted a request.');
    expect(isStorageFullError(e)).toBe(false);
    expect(isStorageFullError(e, true)).toBe(true);
    expect(WrenError.from(e).code).toBe('cancelled');
  });

  it('a WrenError passes through as it is (a cancel stays a cancel)', () => {
    const cancel = new WrenError('cancelled', 'Cancelled.');
    expect(isQuotaError(cancel)).toBe(false);
    expect(storageError(cancel)).toBe(cancel);
  });

  it('a failed dataset write becomes "storage is full"; a cancel mid-write stays a cancel', async () => {
    const db = new WrenDb(`errors-${Math.random()}`);
    await db.open();
    const abort = (): never => {
      throw bulk([
        dom('AbortError', 'The transaction was aborted, so the request cannot be fulfilled.'),
      ]);
    };
    vi.spyOn(db.movies, 'bulkPut').mockImplementation(abort);
    const full = await writeDataset(db, tinyDataset(), { source: 't' }).catch((e: unknown) => e);
    expect((full as WrenError).code).toBe('quota');
    expect((full as WrenError).message).toBe(STORAGE_FULL_MESSAGE);
    const ctl = new AbortController();
    vi.spyOn(db.ratingChunks, 'bulkPut').mockImplementation(() => {
      ctl.abort();
      throw new Dexie.AbortError('The transaction was aborted');
    });
    const cancelled = await writeDataset(db, tinyDataset(), {
      source: 't',
      signal: ctl.signal,
    }).catch((e: unknown) => e);
    expect((cancelled as WrenError).code).toBe('cancelled');
    expect(await db.datasets.count()).toBe(0);
    await db.delete();
  });

  it('an error keeps what a failure left of the data across the worker boundary', () => {
    const e = new WrenError('quota', STORAGE_FULL_MESSAGE).withAftermath('The dataset is gone.');
    expect(WrenError.fromData(structuredClone(e.toData())).aftermath).toBe('The dataset is gone.');
  });
});
