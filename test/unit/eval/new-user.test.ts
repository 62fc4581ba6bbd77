/**
 * new-user-k and the taste probe on hand-made data: who is new, what is
 * revealed and what is the target, Recall@10 / NDCG@10 computed by hand,
 * Steck's miscalibration, and the probe's personas and shares.
 */
import { describe, expect, it } from 'vitest';
import {
  chooseNewUsers,
  evaluateNewUsers,
  miscalibration,
  newUserSplit,
  pairedDifference,
  positivesOf,
  probePersonas,
  scoreList,
  tasteProbe,
  type GenreLookup,
} from '../../../src/core/eval/new-user.ts';
import type { InteractionData } from '../../../src/core/eval/protocols.ts';

/** Users' ratings as (movie, half stars) in time order. */
function dataOf(users: [number, number][][], itemCount: number): InteractionData {
  const offsets = new Int32Array(users.length + 1);
  const items: number[] = [];
  const ratings: number[] = [];
  const times: number[] = [];
  users.forEach((u, i) => {
    u.forEach(([m, r], t) => {
      items.push(m);
      ratings.push(r);
      times.push(100 * i + t);
    });
    offsets[i + 1] = items.length;
  });
  const catalogue = new Uint8Array(itemCount);
  for (const m of items) catalogue[m] = 1;
  return {
    userCount: users.length,
    itemCount,
    train: { offsets, items: Int32Array.from(items) },
    trainRatings: Uint8Array.from(ratings),
    trainTimes: Uint32Array.from(times),
    catalogue,
  };
}

/** 50 users; user u likes movies u % 10, (u + 1) % 10, … and dislikes movie 19. */
const users: [number, number][][] = Array.from({ length: 50 }, (_, u) => [
  ...Array.from({ length: 6 }, (_, j) => [(u + j) % 10, 8] as [number, number]),
  [19, 2],
]);
const data = dataOf(users, 20);

describe('newUserSplit', () => {
  const split = newUserSplit(data, 1);

  it('makes a seeded 20% of the users new, and nothing of theirs stays in training', () => {
    expect(split.users.length).toBe(10);
    expect(newUserSplit(data, 1).users).toEqual(split.users);
    expect(newUserSplit(data, 2).users).not.toEqual(split.users);
    for (const u of split.users)
      expect(split.data.train.offsets[u + 1]! - split.data.train.offsets[u]!).toBe(0);
    expect(split.data.train.items.length).toBe(40 * 7);
  });

  it('reveals only liked movies, in time order', () => {
    split.users.forEach((u, e) => {
      expect(split.liked[e]!.map((h) => h.movie)).toEqual(
        Array.from({ length: 6 }, (_, j) => (u + j) % 10),
      );
      expect(split.liked[e]!.every((h) => h.rating === 4)).toBe(true);
    });
  });

  it('ranks the movies somebody liked, and keeps the liked ratings apart', () => {
    expect(split.catalogue[19]).toBe(0);
    expect(split.catalogue[3]).toBe(1);
    expect(positivesOf(split.data).train.items.length).toBe(40 * 6);
  });

  it('splits a training split again for validation, among users with ratings', () => {
    const val = newUserSplit(split.data, 2);
    expect(val.users.length).toBe(8);
    for (const u of val.users) expect(split.users.includes(u)).toBe(false);
  });
});

describe('chooseNewUsers', () => {
  it('is newUserSplit’s choice; a cap keeps the first of the same seeded order', () => {
    expect(chooseNewUsers(data, 1)).toEqual(newUserSplit(data, 1).users);
    expect(chooseNewUsers(data, 1, 0.2, 10)).toEqual(newUserSplit(data, 1).users);
    const capped = chooseNewUsers(data, 1, 0.2, 4);
    expect(capped).toHaveLength(4);
    expect(chooseNewUsers(data, 1, 0.2, 4)).toEqual(capped);
    for (const u of capped) expect(newUserSplit(data, 1).users).toContain(u);
    expect([...capped]).toEqual([...capped].sort((a, b) => a - b));
  });

  it('splitting the liked ratings alone gives the liked part of the split of every rating', () => {
    const whole = newUserSplit(data, 1);
    const liked = newUserSplit(positivesOf(data), 1, 0.2, chooseNewUsers(data, 1));
    expect(liked.users).toEqual(whole.users);
    expect(liked.liked).toEqual(whole.liked);
    expect(liked.catalogue).toEqual(whole.catalogue);
    expect(liked.positives.train).toEqual(whole.positives.train);
    expect(liked.positives.trainRatings).toEqual(whole.positives.trainRatings);
    expect(liked.positives.trainTimes).toEqual(whole.positives.trainTimes);
  });
});

describe('positivesOf', () => {
  it('keeps the liked ratings in order, and gives back data where every rating is liked', () => {
    const p = positivesOf(data);
    expect(p.train.items.length).toBe(50 * 6);
    expect(Array.from(p.trainRatings).every((r) => r === 8)).toBe(true);
    expect(p.train.offsets[1]).toBe(6);
    expect(Array.from(p.train.items.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(p.trainTimes.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(positivesOf(p)).toBe(p);
  });
});

const noGenres: GenreLookup = { genreCount: 1, genresOf: () => [0] };

describe('evaluateNewUsers', () => {
  const split = newUserSplit(data, 1);

  it('scores a list of exactly the later likes 1, and one of none 0', () => {
    const perfect = evaluateNewUsers(
      split,
      (h) => {
        const u = split.liked.find((x) => x[0]!.movie === h[0]!.movie)!;
        return u.slice(h.length).map((x) => x.movie);
      },
      noGenres,
      { ks: [1, 3] },
    );
    expect(perfect.map((x) => [x.recall, x.ndcg])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const none = evaluateNewUsers(split, () => [19, 18, 17], noGenres, { ks: [1] });
    expect(none[0]!.recall).toBe(0);
    expect(none[0]!.ndcg).toBe(0);
  });

  it('computes Recall@10 over min(10, targets) and NDCG@10 by hand', () => {
    // k = 4: two targets each; a list with one target at rank 2 (0-based 1).
    const r = evaluateNewUsers(
      split,
      (h) => {
        const u = split.liked.find((x) => x[0]!.movie === h[0]!.movie)!;
        return [19, u[5]!.movie, 18];
      },
      noGenres,
      { ks: [4] },
    )[0]!;
    expect(r.recall).toBeCloseTo(0.5, 12);
    expect(r.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
  });

  it('leaves out users with no more liked movies than k', () => {
    expect(evaluateNewUsers(split, () => [], noGenres, { ks: [5, 6] }).map((x) => x.users)).toEqual(
      [10, 0],
    );
  });

  it('never lets a scorer recommend a revealed movie', () => {
    const list = scoreList((_h, out) => out.fill(1), split.catalogue);
    const revealed = [{ movie: 0, rating: 4, at: 0 }];
    expect(Array.from(list(revealed, 20))).not.toContain(0);
    expect(Array.from(list(revealed, 20))).not.toContain(19);
  });
});

describe('miscalibration (Steck 2018)', () => {
  // Movie m has genre m % 3; movie 9 has genres 0 and 1.
  const g: GenreLookup = { genreCount: 3, genresOf: (m) => (m === 9 ? [0, 1] : [m % 3]) };

  it('is 0 when the list has the liked genres in the same shares', () => {
    expect(miscalibration([0, 1], [3, 4], g)).toBeCloseTo(0, 12);
  });

  it('matches KL(p ‖ 0.99 q + 0.01 p) by hand', () => {
    // p = (1/2, 1/2, 0); q = (1, 0, 0) from list [0, 3].
    const want = 0.5 * Math.log(0.5 / (0.99 * 1 + 0.01 * 0.5)) + 0.5 * Math.log(0.5 / (0.01 * 0.5));
    expect(miscalibration([0, 1], [0, 3], g)).toBeCloseTo(want, 12);
    // A movie with two genres gives each half its weight.
    expect(miscalibration([9], [0, 1], g)).toBeCloseTo(0, 12);
  });
});

describe('taste probe', () => {
  // 300 movies: genre 0 for m < 150, genre 1 above, genre 2 for m % 100 === 0 (only 3 movies).
  const names = ['Horror', 'Comedy', 'Tiny'];
  const g = {
    genreCount: 3,
    names,
    genresOf: (m: number) => [m < 150 ? 0 : 1, ...(m % 100 === 0 ? [2] : [])],
  };
  const counts = Float64Array.from({ length: 300 }, (_, m) => (m % 20 === 19 ? 3 : 1000 - m));

  it('asks each genre with at least 100 movies, with its most-rated movies', () => {
    const personas = probePersonas(counts, g, 5, 100);
    expect(personas.map((p) => names[p.genre])).toEqual(['Comedy', 'Horror']);
    expect(personas.find((p) => p.genre === 0)!.movies).toEqual([0, 1, 2, 3, 4]);
  });

  it('reports the in-genre and rare shares of the top 10', () => {
    const personas = probePersonas(counts, g, 5, 100);
    // Always the same ten: 10–19, all Horror, one of them (19) rare.
    const r = tasteProbe(personas, () => [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], counts, g);
    expect(r.genres).toBe(2);
    expect(r.perGenre.find((x) => x.genre === 'Horror')).toEqual({
      genre: 'Horror',
      inGenre: 1,
      rare: 0.1,
    });
    expect(r.inGenre).toBeCloseTo(0.5, 12);
    expect(r.rare).toBeCloseTo(0.1, 12);
  });
});

describe('pairedDifference', () => {
  const a = Array.from({ length: 80 }, (_, i) => ((i * 37) % 11) / 10);
  it('is exactly 0 for a ranker against itself', () => {
    expect(pairedDifference(a, a)).toEqual({ mean: 0, lo: 0, hi: 0 });
  });

  it('puts a clearly better ranker above 0, a noisy tie around it, the same way for the same seed', () => {
    const better = pairedDifference(
      a.map((x) => x + 0.2),
      a,
    );
    expect(better.mean).toBeCloseTo(0.2, 12);
    expect(better.lo).toBeGreaterThan(0);
    const noisy = a.map((x, i) => x + (i % 2 ? 0.3 : -0.3));
    const tie = pairedDifference(noisy, a, 3);
    expect(tie.lo).toBeLessThan(0);
    expect(tie.hi).toBeGreaterThan(0);
    expect(pairedDifference(noisy, a, 3)).toEqual(tie);
  });
});
