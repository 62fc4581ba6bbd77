import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexRatings } from '../../../src/core/data/ratings-index.ts';

interface Row {
  user: number;
  movie: number;
  rating: number;
  ts: number;
}

/** The rules written plainly: drop movie -1, keep each (user, movie)'s latest (ties: later row), sort. */
function reference(rows: Row[]): { kept: Row[]; dropped: number[] } {
  const best = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.movie < 0) return;
    const k = `${r.user}/${r.movie}`;
    const j = best.get(k);
    if (j === undefined || rows[j]!.ts <= r.ts) best.set(k, i);
  });
  const keep = new Set(best.values());
  const dropped = rows.flatMap((r, i) => (r.movie >= 0 && !keep.has(i) ? [i] : []));
  const kept = [...keep]
    .map((i) => rows[i]!)
    .sort((a, b) => a.user - b.user || a.ts - b.ts || a.movie - b.movie);
  return { kept, dropped };
}

function run(rows: Row[], users: number, movies: number) {
  const dropped: number[] = [];
  const out = indexRatings(
    {
      user: Int32Array.from(rows, (r) => r.user),
      movie: Int32Array.from(rows, (r) => r.movie),
      rating: Uint8Array.from(rows, (r) => r.rating),
      timestamp: Uint32Array.from(rows, (r) => r.ts),
    },
    users,
    movies,
    (row) => dropped.push(row),
  );
  const kept: Row[] = Array.from(out.user, (u, i) => ({
    user: u,
    movie: out.movie[i]!,
    rating: out.rating[i]!,
    ts: out.timestamp[i]!,
  }));
  return { out, kept, dropped: dropped.sort((a, b) => a - b) };
}

describe('indexRatings', () => {
  it('sorts by user, time, movie; keeps the latest repeat (the later line on a tie); fills userOffsets', () => {
    const rows: Row[] = [
      { user: 1, movie: 0, rating: 6, ts: 50 },
      { user: 0, movie: 2, rating: 8, ts: 30 },
      { user: 0, movie: 1, rating: 2, ts: 30 },
      { user: 0, movie: 2, rating: 10, ts: 10 }, // older repeat: dropped
      { user: 1, movie: 0, rating: 4, ts: 50 }, // same time: the later line wins
      { user: 1, movie: 3, rating: 1, ts: 5 },
      { user: 2, movie: -1, rating: 7, ts: 1 }, // unknown movie: left out
    ];
    const { out, kept, dropped } = run(rows, 4, 4);
    expect(kept).toEqual([
      { user: 0, movie: 1, rating: 2, ts: 30 },
      { user: 0, movie: 2, rating: 8, ts: 30 },
      { user: 1, movie: 3, rating: 1, ts: 5 },
      { user: 1, movie: 0, rating: 4, ts: 50 },
    ]);
    expect(dropped).toEqual([0, 3]);
    expect(Array.from(out.userOffsets)).toEqual([0, 2, 4, 4, 4]);
  });

  it('agrees with the plain rules on random ratings', () => {
    const row = (users: number, movies: number, tsMax: number) =>
      fc.record({
        user: fc.integer({ min: 0, max: users - 1 }),
        movie: fc.integer({ min: -1, max: movies - 1 }),
        rating: fc.integer({ min: 1, max: 10 }),
        ts: fc.integer({ min: 0, max: tsMax }),
      });
    fc.assert(
      fc.property(
        fc
          .tuple(
            fc.integer({ min: 1, max: 6 }),
            fc.integer({ min: 1, max: 8 }),
            fc.constantFrom(3, 1000, 2 ** 32 - 1),
          )
          .chain(([u, m, t]) =>
            fc.tuple(fc.constant(u), fc.constant(m), fc.array(row(u, m, t), { maxLength: 60 })),
          ),
        ([users, movies, rows]) => {
          const got = run(rows, users, movies);
          const want = reference(rows);
          expect(got.kept).toEqual(want.kept);
          expect(got.dropped).toEqual(want.dropped);
          for (let u = 0; u < users; u++)
            expect(got.out.userOffsets[u + 1]! - got.out.userOffsets[u]!).toBe(
              want.kept.filter((r) => r.user === u).length,
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sorts timestamps spread too wide to pack with the movie index', () => {
    const movies = 2 ** 22;
    const rows: Row[] = [
      { user: 0, movie: movies - 1, rating: 3, ts: 2 ** 32 - 1 },
      { user: 0, movie: 5, rating: 4, ts: 0 },
      { user: 0, movie: 4, rating: 5, ts: 2 ** 32 - 1 },
    ];
    expect(run(rows, 1, movies).kept).toEqual(reference(rows).kept);
  });
});
