import { describe, expect, it } from 'vitest';
import { normalizeRows } from '../../../src/core/embeddings/topk.ts';
import type { EmbeddingDataRow } from '../../../src/store/db.ts';
import type { EmbeddingRow } from '../../../src/store/db.ts';
import {
  EmbeddingCache,
  formatScore,
  hasVector,
  loadedEmbedding,
  MIN_SIMILAR_RATINGS,
  MovieRowCache,
  SimilarFinder,
  similarMovies,
  wellRatedSimilar,
  mostRated,
  WARM_CHUNK,
  type LoadedEmbedding,
  type Neighbour,
  type SimilarFinderOptions,
} from '../../../src/ui/lib/similar.ts';
import { rowIndex } from '../../../src/core/recommend/user-state.ts';

/** Movies 10, 11, 12, 14 (13 has no vector) in 2-D, at angles 0°, 10°, 90°, 20°. */
function row(id = 'e1'): EmbeddingDataRow {
  const deg = [0, 10, 90, 20].map((d) => (d * Math.PI) / 180);
  const v = new Float32Array(deg.flatMap((a) => [Math.cos(a) * 3, Math.sin(a) * 3]));
  return {
    id,
    datasetId: 'ds',
    items: new Int32Array([10, 11, 12, 14]),
    vectors: normalizeRows(v, 2),
    map: new Float32Array(8),
    hnsw: null,
  };
}

describe('similar movies', () => {
  it('maps movie indexes to vector rows', () => {
    expect([...rowIndex(new Int32Array([3, 0, 5]))]).toEqual([1, -1, -1, 0, -1, 2]);
    const e = loadedEmbedding(row());
    expect(e.dim).toBe(2);
    expect(hasVector(e, 11)).toBe(true);
    expect(hasVector(e, 13)).toBe(false);
    expect(hasVector(e, 99)).toBe(false);
    expect(hasVector(e, -1)).toBe(false);
  });

  it('ranks by cosine, best first, leaving the movie itself out', () => {
    const e = loadedEmbedding(row());
    const near = similarMovies(e, 10, 12)!;
    expect(near.map((n) => n.index)).toEqual([11, 14, 12]);
    expect(near[0]!.score).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 5);
    expect(near[2]!.score).toBeCloseTo(0, 5);
    expect(similarMovies(e, 12, 1)!.map((n) => n.index)).toEqual([14]);
    expect(similarMovies(e, 13, 5)).toBeNull();
    expect(formatScore(0.8349)).toBe('0.83');
    expect(formatScore(1)).toBe('1.00');
  });

  it('reads an embedding once, shares concurrent reads and forgets failures and deletes', async () => {
    const cache = new EmbeddingCache(2);
    let reads = 0;
    const read = () => {
      reads++;
      return Promise.resolve(row());
    };
    const [a, b] = await Promise.all([cache.get('e1', read), cache.get('e1', read)]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
    await cache.get('e1', read);
    expect(reads).toBe(1);
    cache.forget('e1');
    await cache.get('e1', read);
    expect(reads).toBe(2);

    await expect(cache.get('bad', () => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
    expect(cache.has('bad')).toBe(false);
    expect(await cache.get('gone', () => Promise.resolve(undefined))).toBeNull();
    expect(cache.has('gone')).toBe(false);
  });

  it('keeps at most max embeddings, dropping the least recently used', async () => {
    const cache = new EmbeddingCache(2);
    const read = (id: string) => () => Promise.resolve(row(id));
    await cache.get('a', read('a'));
    await cache.get('b', read('b'));
    await cache.get('a', read('a')); // a is now the most recent
    await cache.get('c', read('c'));
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
  });
});

/** Movies 0…n-1 in 2-D at 0°, 1°, 2°, …: movie i's nearest are i±1, i±2, … */
function fan(n: number): EmbeddingDataRow {
  const v = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    v[2 * i] = Math.cos((i * Math.PI) / 180);
    v[2 * i + 1] = Math.sin((i * Math.PI) / 180);
  }
  return {
    id: 'fan',
    datasetId: 'ds',
    items: Int32Array.from({ length: n }, (_, i) => i),
    vectors: normalizeRows(v, 2),
    map: new Float32Array(n * 2),
    hnsw: null,
  };
}

/** Rating counts of movies 0…n-1 by a rule. */
const countsOf = (n: number, count: (i: number) => number): Int32Array =>
  Int32Array.from({ length: n }, (_, i) => count(i));

/**
 * What the list did before it kept rating counts: ask for 3k neighbours,
 * read their rows (for `ratingCount`), drop the rare ones, and widen ×4
 * until k are kept. The reference the count filter must agree with.
 */
async function byReadingRows(
  e: LoadedEmbedding,
  index: number,
  k: number,
  rows: (ix: number[]) => Promise<{ index: number; ratingCount: number }[]>,
  minRatings = MIN_SIMILAR_RATINGS,
): Promise<Neighbour[] | null> {
  const all = e.items.length - 1;
  let ask = Math.min(all, k * 3);
  for (;;) {
    const near = similarMovies(e, index, ask);
    if (!near) return null;
    const count = new Map((await rows(near.map((n) => n.index))).map((m) => [m.index, m]));
    const kept = near.filter((n) => (count.get(n.index)?.ratingCount ?? 0) >= minRatings);
    if (kept.length >= k || ask >= all) return kept.slice(0, k);
    ask = Math.min(all, ask * 4);
  }
}

describe('well-rated similar movies', () => {
  it('leaves out movies with fewer than 10 ratings and still shows k', () => {
    expect(MIN_SIMILAR_RATINGS).toBe(10);
    const e = loadedEmbedding(row());
    // 11 is the nearest to 10 but has 9 ratings.
    const counts = countsOf(15, (i) => (i === 11 ? 9 : 10));
    const near = wellRatedSimilar(e, 10, 2, counts)!;
    expect(near.map((n) => n.index)).toEqual([14, 12]);
    expect(near[0]!.score).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 5);
    expect(wellRatedSimilar(e, 13, 2, counts)).toBeNull();
    // A movie past the end of the counts counts as unrated.
    expect(
      wellRatedSimilar(
        e,
        10,
        3,
        countsOf(13, () => 50),
      )!.map((n) => n.index),
    ).toEqual([11, 12]);
  });

  it('finds k past a long run of rare nearest neighbours', () => {
    const e = loadedEmbedding(fan(200));
    // Movies 1–20 are rare: the first 9 neighbours of movie 0 are not enough.
    const counts = countsOf(200, (i) => (i >= 1 && i <= 20 ? 3 : 50));
    expect(wellRatedSimilar(e, 0, 3, counts)!.map((n) => n.index)).toEqual([21, 22, 23]);
  });

  it('shows a rare movie its well-rated neighbours, and fewer than k when there are no more', () => {
    const e = loadedEmbedding(fan(30));
    const counts = countsOf(30, (i) => (i === 0 || i % 2 === 1 ? 2 : 40));
    expect(wellRatedSimilar(e, 0, 4, counts)!.map((n) => n.index)).toEqual([2, 4, 6, 8]);
    const few = wellRatedSimilar(e, 0, 40, counts)!;
    expect(few).toHaveLength(14);
    expect(few.every((n) => counts[n.index]! >= 10)).toBe(true);
    // Hidden from none: a minimum of 0 keeps every neighbour (the cached mask follows the minimum).
    expect(wellRatedSimilar(e, 0, 4, counts, 0)!.map((n) => n.index)).toEqual([1, 2, 3, 4]);
    expect(wellRatedSimilar(e, 0, 4, counts)!.map((n) => n.index)).toEqual([2, 4, 6, 8]);
  });

  it('gives the same 12 movies, scores and order as reading the rows, on random vectors', async () => {
    const rand = lcg(7);
    const n = 3000;
    const dim = 16;
    const v = Float32Array.from({ length: n * dim }, () => rand() - 0.5);
    // Every third movie has no vector; counts skewed so that about 60% are rare.
    const items = Int32Array.from({ length: n }, (_, r) => r + Math.floor(r / 2));
    const e = loadedEmbedding({
      id: 'r',
      datasetId: 'ds',
      items,
      vectors: normalizeRows(v, dim),
      map: new Float32Array(n * 2),
      hnsw: null,
    });
    const counts = countsOf(items[n - 1]! + 1, () => Math.floor(rand() ** 3 * 40));
    let reads = 0;
    const rows = (ix: number[]) => {
      reads++;
      return Promise.resolve(ix.map((index) => ({ index, ratingCount: counts[index]! })));
    };
    let widened = 0;
    for (let q = 0; q < 60; q++) {
      const index = items[Math.floor(rand() * n)]!;
      const before = reads;
      const want = (await byReadingRows(e, index, 12, rows))!;
      if (reads - before > 1) widened++;
      const got = wellRatedSimilar(e, index, 12, counts)!;
      expect(got).toHaveLength(12);
      expect(got).toEqual(want);
    }
    // The fixture does make the row-reading version widen its search.
    expect(widened).toBeGreaterThan(0);
  });
});

/** A small deterministic generator in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** An embedding's description (only its id and name are read). */
function embRow(id: string): EmbeddingRow {
  return { id, datasetId: 'ds', name: id } as EmbeddingRow;
}

/** A finder over counting readers: movie rows are { index, ratingCount }. */
function finderOver(
  n: number,
  count: (i: number) => number,
  opts: SimilarFinderOptions = { rowsMax: 30 },
) {
  const reads = { chosen: 0, vectors: 0, counts: 0, movies: [] as number[][] };
  let chosen: string | undefined = 'fan';
  const counts = countsOf(n, count);
  const finder = new SimilarFinder<{ index: number; ratingCount: number }>(
    {
      chosen: () => {
        reads.chosen++;
        return Promise.resolve(chosen === undefined ? undefined : embRow(chosen));
      },
      vectors: (id) => {
        reads.vectors++;
        return Promise.resolve({ ...fan(n), id });
      },
      ratingCounts: () => {
        reads.counts++;
        return Promise.resolve(counts);
      },
      movies: (_ds, ix) => {
        reads.movies.push(ix);
        return Promise.resolve(ix.map((index) => ({ index, ratingCount: counts[index]! })));
      },
    },
    new EmbeddingCache(),
    opts,
  );
  return { finder, reads, choose: (id: string | undefined) => (chosen = id) };
}

describe('similar finder', () => {
  it('reads the choice, vectors and counts once, and only rows it has not shown lately', async () => {
    const { finder, reads } = finderOver(100, () => 50);
    const a = await finder.find('ds', 50, 4);
    if (a.s !== 'ready') throw new Error(a.s);
    const aIx = a.items.map((it) => it.movie.index);
    expect([...aIx].sort()).toEqual([48, 49, 51, 52]);
    expect(a.emb.id).toBe('fan');
    expect(a.searchMs).toBeGreaterThanOrEqual(0);
    expect(reads.movies).toEqual([aIx]);
    // A neighbour's page: its list overlaps; only the new rows are read.
    const b = await finder.find('ds', 51, 4);
    if (b.s !== 'ready') throw new Error(b.s);
    expect([...b.items.map((it) => it.movie.index)].sort()).toEqual([49, 50, 52, 53]);
    expect(reads.movies).toHaveLength(2);
    expect([...reads.movies[1]!].sort()).toEqual([50, 53]);
    await finder.find('ds', 50, 4);
    expect(reads.movies).toHaveLength(2);
    expect([reads.chosen, reads.vectors, reads.counts]).toEqual([1, 1, 1]);
  });

  it('follows a new choice after forgetChoice, and drops the list when none is left', async () => {
    const { finder, reads, choose } = finderOver(100, () => 50);
    expect((await finder.find('ds', 10, 3)).s).toBe('ready');
    choose('other');
    // Until told, the cached choice stands (the app tells it on every write to the embeddings).
    expect(((await finder.find('ds', 10, 3)) as { emb: EmbeddingRow }).emb.id).toBe('fan');
    finder.forgetChoice();
    expect(((await finder.find('ds', 10, 3)) as { emb: EmbeddingRow }).emb.id).toBe('other');
    expect(reads.vectors).toBe(2);
    choose(undefined);
    finder.forgetChoice();
    expect((await finder.find('ds', 10, 3)).s).toBe('none');
    // "None" is not kept: an embedding stored later shows without being told.
    choose('fan');
    expect((await finder.find('ds', 10, 3)).s).toBe('ready');
    expect(reads.chosen).toBe(4);
  });

  it('warms the rows of the most-rated movies once, when idle, keeping the rows pages used', async () => {
    // Movie i has i ratings: 10…99 are listable, the most-rated first.
    const byI = countsOf(100, (i) => i);
    expect(mostRated(byI, 10, 5)).toEqual([99, 98, 97, 96, 95]);
    expect(mostRated(byI.subarray(0, 12), 10, 5)).toEqual([11, 10]);
    expect(WARM_CHUNK).toBeGreaterThanOrEqual(20);
    const tasks: (() => void)[] = [];
    const warmed: string[] = [];
    const { finder, reads } = finderOver(100, (i) => i, {
      rowsMax: 25,
      warmRows: 20,
      idle: (t) => tasks.push(t),
      onWarm: (ds) => warmed.push(ds),
    });
    await finder.find('ds', 20, 4);
    const shown = reads.movies[0]!;
    expect(tasks).toHaveLength(1);
    tasks[0]!();
    await new Promise((r) => setTimeout(r, 0));
    // Room for 21 more rows: the 20 most-rated, read in one go (one chunk).
    expect(reads.movies[1]).toEqual(mostRated(byI, 10, 20));
    // A next idle step finds nothing left to read.
    expect(tasks).toHaveLength(2);
    expect(warmed).toEqual([]);
    tasks[1]!();
    expect(warmed).toEqual(['ds']);
    await finder.find('ds', 90, 4);
    expect(reads.movies).toHaveLength(2);
    // Rows a page shows push warm rows out first, not the ones shown.
    await finder.find('ds', 40, 4);
    await finder.find('ds', 20, 4);
    expect(reads.movies).toHaveLength(3);
    expect(finder.rows.size).toBe(25);
    // Once per dataset, however many pages.
    expect(tasks).toHaveLength(2);
    expect(shown).toHaveLength(4);
  });

  it('warms in chunks, one per idle moment, until the cache is full', async () => {
    const tasks: (() => void)[] = [];
    const warmed: string[] = [];
    const chunk = 100;
    // 360 movies (the fan's angles do not wrap); the 4 shown (29, 31, 28, 32) are not among the 300 warmed.
    const { finder, reads } = finderOver(360, (i) => i, {
      rowsMax: chunk * 2 + 50,
      warmRows: chunk * 3,
      warmChunk: chunk,
      idle: (t) => tasks.push(t),
      onWarm: (ds) => warmed.push(ds),
    });
    await finder.find('ds', 30, 4);
    for (let step = 0; step < 5 && tasks.length > step; step++) {
      expect(warmed).toEqual([]);
      tasks[step]!();
      await new Promise((r) => setTimeout(r, 0));
    }
    // Chunks of `chunk`, then what room is left (46 after the 4 shown), then one idle moment
    // for the searches and the word, and no more steps.
    expect(reads.movies.slice(1).map((ix) => ix.length)).toEqual([chunk, chunk, 46]);
    expect(tasks).toHaveLength(4);
    expect(finder.rows.size).toBe(chunk * 2 + 50);
    // Said once, when the cache is full.
    expect(warmed).toEqual(['ds']);
  });

  it('says so for a movie without a vector, and keeps no failed read', async () => {
    const { finder } = finderOver(10, () => 50);
    const r = await finder.find('ds', 99, 3);
    expect(r.s).toBe('no-vector');
    const broken = new SimilarFinder(
      {
        chosen: () => Promise.resolve(embRow('fan')),
        vectors: () => Promise.resolve(fan(10)),
        ratingCounts: () => Promise.reject(new Error('disk')),
        movies: () => Promise.resolve([]),
      },
      new EmbeddingCache(),
    );
    await expect(broken.find('ds', 1, 3)).rejects.toThrow('disk');
    await expect(broken.find('ds', 1, 3)).rejects.toThrow('disk');
  });

  it('keeps at most max rows, the least recently used going first', async () => {
    const cache = new MovieRowCache<{ index: number }>(3);
    const asked: number[][] = [];
    const read = (ix: number[]) => {
      asked.push(ix);
      return Promise.resolve(ix.filter((i) => i !== 9).map((index) => ({ index })));
    };
    expect((await cache.get('ds', [1, 2, 9], read)).map((m) => m.index)).toEqual([1, 2]);
    await cache.get('ds', [3, 1], read); // 1 is now the most recent, 2 the least
    await cache.get('ds', [4], read);
    expect(cache.size).toBe(3);
    await cache.get('ds', [1, 3, 4], read);
    expect(asked).toEqual([[1, 2, 9], [3], [4]]);
    await cache.get('ds', [2], read);
    expect(asked.at(-1)).toEqual([2]);
    // Another dataset's movie 1 is another row.
    await cache.get('other', [1], read);
    expect(asked.at(-1)).toEqual([1]);
  });
});
