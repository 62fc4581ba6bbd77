/** The session cache of movie rows: IndexedDB is read only for rows not seen before. */
import { describe, expect, it } from 'vitest';
import { MovieRowCache } from '../../../src/ui/lib/movie-rows.ts';
import type { MovieRow, WrenDb } from '../../../src/store/index.ts';

const row = (index: number): MovieRow => ({ index, title: `M${index}` }) as unknown as MovieRow;

describe('MovieRowCache', () => {
  it('reads only the missing rows, keeps the order asked, and skips rows that do not exist', async () => {
    const asked: number[][] = [];
    const cache = new MovieRowCache(async (_db, _id, indexes) => {
      asked.push([...indexes]);
      return indexes.filter((i) => i < 100).map(row);
    });
    const db = {} as WrenDb;
    expect((await cache.get(db, 'a', [3, 1, 2])).map((m) => m.index)).toEqual([3, 1, 2]);
    expect((await cache.get(db, 'a', [2, 5, 3, 500])).map((m) => m.index)).toEqual([2, 5, 3]);
    expect(asked).toEqual([
      [3, 1, 2],
      [5, 500],
    ]);
    // Another dataset has rows of its own; a dropped one is read again.
    await cache.get(db, 'b', [1]);
    cache.drop('a');
    await cache.get(db, 'a', [1]);
    expect(asked.slice(2)).toEqual([[1], [1]]);
  });
});
