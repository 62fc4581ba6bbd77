import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WrenError } from '../../../src/core/errors.ts';
import {
  WrenDb,
  cleanupAbandonedImports,
  deleteDataset,
  getActiveDataset,
  getIdMap,
  getMovie,
  getMovieByMovieId,
  getMovies,
  getUsers,
  listDatasets,
  moviesByGenre,
  ratingsOfUser,
  readRatings,
  readUsers,
  setActiveDataset,
  tagsForMovie,
  writeDataset,
} from '../../../src/store/index.ts';
import { tinyDataset } from './tiny.ts';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { CHUNK_SIZE } from '../../../src/store/write.ts';

let db: WrenDb;
let n = 0;
beforeEach(async () => {
  db = new WrenDb(`test-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

/** Row counts in every table, to prove that nothing is left behind. */
async function census(): Promise<Record<string, number>> {
  return {
    datasets: await db.datasets.count(),
    movies: await db.movies.count(),
    users: await db.users.count(),
    tags: await db.tags.count(),
    ratingChunks: await db.ratingChunks.count(),
    idMaps: await db.idMaps.count(),
  };
}

describe('writeDataset', () => {
  it('stores a dataset that reads back identically and becomes active', async () => {
    const ds = tinyDataset();
    const progress: number[] = [];
    const id = await writeDataset(db, ds, {
      source: 'tiny.zip',
      onProgress: (p) => progress.push(p.done / p.total),
    });
    const active = await getActiveDataset(db);
    expect(active?.id).toBe(id);
    expect(active?.status).toBe('ready');
    expect(active?.counts).toEqual({ ratings: 9, users: 3, movies: 4, tags: 3 });
    const back = await readRatings(db, id);
    expect(Array.from(back.user)).toEqual(Array.from(ds.ratings.user));
    expect(Array.from(back.movie)).toEqual(Array.from(ds.ratings.movie));
    expect(Array.from(back.rating)).toEqual(Array.from(ds.ratings.rating));
    expect(Array.from(back.timestamp)).toEqual(Array.from(ds.ratings.timestamp));
    expect(Array.from(back.userOffsets)).toEqual([0, 3, 6, 9]);
    // progress never goes backwards and ends at 100%
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });

  it('answers the UI queries: by index, by MovieLens id, by genre, tags, titles', async () => {
    const id = await writeDataset(db, tinyDataset(), { source: 't' });
    expect((await getMovie(db, id, 1))?.title).toBe('American President, The (1995)');
    expect((await getMovieByMovieId(db, id, 9))?.title).toBe('Sabrina (1995)');
    expect((await getMovies(db, id, [3, 0, 99])).map((m) => m.index)).toEqual([3, 0]);
    const comedy = await moviesByGenre(db, id, 'Comedy', 'title');
    expect(comedy.map((m) => m.title)).toEqual([
      'American President, The (1995)',
      'Sabrina (1995)',
      'Toy Story (1995)',
    ]);
    expect(await moviesByGenre(db, id, 'Western')).toEqual([]);
    expect(await tagsForMovie(db, id, 1)).toEqual([
      { tag: 'politics', count: 2 },
      { tag: 'romance', count: 1 },
    ]);
    const users = await getUsers(db, id);
    expect(Array.from(users!.userIds)).toEqual([1, 2, 3]);
    expect(Array.from(users!.ratingCount)).toEqual([3, 3, 3]);
    expect(users!.gender).toBeNull(); // no demographics in this dataset
    const map = await getIdMap(db, id);
    expect(Array.from(map!.movieIds)).toEqual([1, 2, 5, 9]);
    expect(map!.titles[2]).toBe('Heat (1995)');
  });

  it('gives the users back as the importer built them, demographics and all', async () => {
    const ds = generateDataset({ ratings: 2_000, seed: 5 });
    expect(ds.users.some((u) => u.age !== null && u.zip !== null)).toBe(true);
    const id = await writeDataset(db, ds, { source: 'g' });
    // The average is stored as a 32-bit float.
    const f32 = ds.users.map((u) => ({ ...u, ratingAvg: Math.fround(u.ratingAvg) }));
    expect(await readUsers(db, id)).toEqual(f32);
    const bare = generateDataset({ ratings: 2_000, seed: 5, demographics: false });
    const plain = await writeDataset(db, bare, { source: 'p' });
    const none = await readUsers(db, plain);
    expect(none.length).toBe(ds.users.length);
    expect(none.every((u) => !u.gender && !u.age && !u.occupation && !u.zip)).toBe(true);
    expect(await readUsers(db, 'no-such-dataset')).toEqual([]);
  });

  it('splits ratings over chunks and reassembles them in order', async () => {
    const ds = tinyDataset('big', 50_000); // 150k ratings → 2 chunks of 131,072
    const id = await writeDataset(db, ds, { source: 't' });
    expect(await db.ratingChunks.count()).toBe(2);
    const back = await readRatings(db, id);
    expect(back.rating).toEqual(ds.ratings.rating);
    expect(back.movie).toEqual(ds.ratings.movie);
  });

  it('keeps genre queries apart between datasets', async () => {
    const a = await writeDataset(db, tinyDataset('a'), { source: 'a' });
    const b = await writeDataset(db, tinyDataset('b'), { source: 'b' });
    expect((await moviesByGenre(db, a, 'Comedy')).every((m) => m.datasetId === a)).toBe(true);
    expect((await moviesByGenre(db, b, 'Comedy')).length).toBe(3);
    expect((await listDatasets(db)).map((d) => d.name)).toEqual(['a', 'b']);
    expect((await getActiveDataset(db))?.id).toBe(b);
    await setActiveDataset(db, a);
    expect((await getActiveDataset(db))?.id).toBe(a);
  });
});

describe('atomic imports', () => {
  it('a cancelled import leaves nothing and the previous dataset stays active', async () => {
    const first = await writeDataset(db, tinyDataset('first'), { source: 'a' });
    const before = await census();
    const ctl = new AbortController();
    const err = await writeDataset(db, tinyDataset('second', 50_000), {
      source: 'b',
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.done > 0) ctl.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrenError);
    expect((err as WrenError).code).toBe('cancelled');
    expect(await census()).toEqual(before);
    expect((await getActiveDataset(db))?.id).toBe(first);
  });

  it('a full disk gives a "quota" error and removes the partial dataset', async () => {
    const first = await writeDataset(db, tinyDataset('first'), { source: 'a' });
    const before = await census();
    const spy = vi
      .spyOn(db.movies, 'bulkPut')
      .mockRejectedValueOnce(
        new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
      );
    const err = (await writeDataset(db, tinyDataset('second'), { source: 'b' }).catch(
      (e: unknown) => e,
    )) as WrenError;
    spy.mockRestore();
    expect(err.code).toBe('quota');
    expect(err.message).toMatch(/Storage is full/);
    expect(await census()).toEqual(before);
    expect((await getActiveDataset(db))?.id).toBe(first);
  });

  it('clean-up removes abandoned imports but not running ones', async () => {
    const ready = await writeDataset(db, tinyDataset('ready'), { source: 'a' });
    // What a tab closed mid-import leaves: a dataset row still 'importing' and some of its rows.
    const row = (await db.datasets.get(ready))!;
    const [stale, live] = ['ds-stale', 'ds-live'];
    for (const id of [stale, live]) {
      await db.datasets.add({ ...row, id, status: 'importing', createdAt: row.createdAt + 1 });
      const m = (await getMovie(db, ready, 0))!;
      await db.movies.add({ ...m, datasetId: id });
      await db.ratingChunks.add({ ...(await db.ratingChunks.get([ready, 0]))!, datasetId: id });
    }
    expect((await db.datasets.get(stale))?.status).toBe('importing');
    const removed = await cleanupAbandonedImports(db, (id) => id === live);
    expect(removed).toEqual([stale]);
    expect(await db.datasets.get(stale)).toBeUndefined();
    expect((await db.datasets.get(live))?.status).toBe('importing');
    expect(
      await db.movies.where('[datasetId+index]').between([stale, 0], [stale, 1e9]).count(),
    ).toBe(0);
    expect((await getActiveDataset(db))?.id).toBe(ready);
  });

  it('deleteDataset removes every row of that dataset only', async () => {
    const a = await writeDataset(db, tinyDataset('a'), { source: 'a' });
    const afterA = await census();
    const b = await writeDataset(db, tinyDataset('b'), { source: 'b' });
    await deleteDataset(db, b);
    expect(await census()).toEqual(afterA);
    expect((await getActiveDataset(db))?.id).toBe(a);
    await deleteDataset(db, a);
    expect(Object.values(await census()).every((c) => c === 0)).toBe(true);
    expect(await getActiveDataset(db)).toBeNull();
  });
});

describe('ratingsOfUser', () => {
  it('reads one user from the chunks that hold them, across a chunk boundary, as the whole read has it', async () => {
    const ds = generateDataset({
      ratings: 2 * CHUNK_SIZE + 5_000,
      users: 1_000,
      movies: 600,
      seed: 4,
    });
    const id = await writeDataset(db, ds, { source: 'generated' });
    const all = await readRatings(db, id);
    const off = all.userOffsets;
    // The users whose ratings straddle a chunk boundary, the first and the last.
    const picks = new Set([0, ds.users.length - 1]);
    for (let u = 0; u < off.length - 1; u++)
      if (Math.floor(off[u]! / CHUNK_SIZE) !== Math.floor((off[u + 1]! - 1) / CHUNK_SIZE))
        picks.add(u);
    expect(picks.size).toBeGreaterThanOrEqual(4);
    for (const u of picks) {
      const r = await ratingsOfUser(db, id, ds.users[u]!.userId);
      expect(r?.index).toBe(u);
      expect(Array.from(r!.movie)).toEqual(Array.from(all.movie.subarray(off[u]!, off[u + 1]!)));
      expect(Array.from(r!.rating)).toEqual(Array.from(all.rating.subarray(off[u]!, off[u + 1]!)));
      expect(Array.from(r!.timestamp)).toEqual(
        Array.from(all.timestamp.subarray(off[u]!, off[u + 1]!)),
      );
    }
    expect(await ratingsOfUser(db, id, -5)).toBeNull();
  });
});
