import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import {
  evaluateSplit,
  holdoutSplit,
  ncfLooSplit,
  recboleCounts,
  validationLoo,
  type HoldoutSplit,
} from '../../../src/core/eval/protocols.ts';
import { columns, type Row } from '../features/helpers.ts';

const ds = generateDataset({
  ratings: 20_000,
  users: 150,
  movies: 400,
  seed: 5,
  demographics: false,
});

function userRows(u: number): { movie: number; rating: number; time: number }[] {
  const r = ds.ratings;
  const out = [];
  for (let i = r.userOffsets[u]!; i < r.userOffsets[u + 1]!; i++)
    out.push({ movie: r.movie[i]!, rating: r.rating[i]!, time: r.timestamp[i]! });
  return out;
}

describe('ncf-loo split', () => {
  const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });
  it('holds out each user’s latest rating with 99 never-rated negatives', () => {
    expect(split.users.length).toBe(150);
    expect(split.candidates.length).toBe(150 * 100);
    for (let e = 0; e < split.users.length; e++) {
      const u = split.users[e]!;
      const rows = userRows(u);
      const cands = [...split.candidates.subarray(e * 100, (e + 1) * 100)];
      expect(cands[0]).toBe(rows.at(-1)!.movie);
      const rated = new Set(rows.map((r) => r.movie));
      const negs = cands.slice(1);
      expect(new Set(negs).size).toBe(99);
      for (const m of negs) expect(rated.has(m)).toBe(false);
      const train = [
        ...split.data.train.items.subarray(
          split.data.train.offsets[u]!,
          split.data.train.offsets[u + 1]!,
        ),
      ];
      expect(train).toEqual(rows.slice(0, -1).map((r) => r.movie));
    }
  });
  it('is deterministic for a seed and differs across seeds', () => {
    const again = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });
    expect(again.candidates).toEqual(split.candidates);
    const other = ncfLooSplit(ds.ratings, 2, { itemCount: ds.movies.length });
    expect(other.candidates).not.toEqual(split.candidates);
  });
  it('skips users with a single rating and never samples unrated catalogue gaps', () => {
    const rows: Row[][] = [
      [[0, 8, 1]],
      [
        [1, 8, 1],
        [2, 6, 2],
      ],
    ];
    const s = ncfLooSplit(columns(rows), 1, { itemCount: 200, negatives: 0 });
    expect([...s.users]).toEqual([1]);
    expect(s.data.catalogue.reduce((a, b) => a + b, 0)).toBe(3);
  });
  it('an oracle scorer is perfect and a constant scorer gets no hits', () => {
    const oracle = evaluateSplit(split, (_u, items, out) => {
      out.fill(0);
      out[0] = 1;
      void items;
    });
    expect(oracle.hr).toBe(1);
    expect(oracle.ndcg).toBe(1);
    const flat = evaluateSplit(split, (_u, _i, out) => out.fill(0.5));
    expect(flat.hr).toBe(0);
  });
});

describe('validation split', () => {
  it('holds out each user’s latest training item, never a test item, with unseen negatives', () => {
    const s = holdoutSplit(ds.ratings, 'full-rank', 1, { itemCount: ds.movies.length });
    const v = validationLoo(s.data, 1, 20);
    const { train } = s.data;
    let evaluated = 0;
    for (let u = 0; u < 150; u++) {
      const items = [...train.items.subarray(train.offsets[u]!, train.offsets[u + 1]!)];
      const kept = [
        ...v.data.train.items.subarray(v.data.train.offsets[u]!, v.data.train.offsets[u + 1]!),
      ];
      if (items.length < 2) {
        expect(kept).toEqual(items);
        continue;
      }
      expect(kept).toEqual(items.slice(0, -1));
      const e = [...v.users].indexOf(u);
      expect(e).toBeGreaterThanOrEqual(0);
      evaluated++;
      const cands = [...v.candidates.subarray(e * 21, (e + 1) * 21)];
      expect(cands[0]).toBe(items.at(-1));
      for (const m of cands.slice(1)) expect(items.includes(m)).toBe(false);
      const test = new Set(s.test.items.subarray(s.test.offsets[u]!, s.test.offsets[u + 1]!));
      expect(test.has(cands[0]!)).toBe(false);
    }
    expect(evaluated).toBeGreaterThan(100);
  });
});

describe('holdout splits', () => {
  it('RecBole split sizes', () => {
    expect(recboleCounts(10)).toEqual([8, 1, 1]);
    expect(recboleCounts(5)).toEqual([3, 1, 1]);
    expect(recboleCounts(2)).toEqual([1, 0, 1]);
    expect(recboleCounts(25)).toEqual([21, 2, 2]);
  });

  const parts = (s: HoldoutSplit, u: number): number[][] =>
    [s.data.train, s.valid, s.test].map((q) => [
      ...q.items.subarray(q.offsets[u]!, q.offsets[u + 1]!),
    ]);

  it('msr-100k: 75/25 of every user’s ratings, disjoint and complete', () => {
    const s = holdoutSplit(ds.ratings, 'msr-100k', 1, { itemCount: ds.movies.length });
    for (let u = 0; u < 150; u++) {
      const [train, valid, test] = parts(s, u);
      const rows = userRows(u);
      expect(valid).toEqual([]);
      expect(train!.length).toBe(Math.round(0.75 * rows.length));
      expect(new Set([...train!, ...test!])).toEqual(new Set(rows.map((r) => r.movie)));
      expect(train!.length + test!.length).toBe(rows.length);
    }
    const again = holdoutSplit(ds.ratings, 'msr-100k', 1, { itemCount: ds.movies.length });
    expect(again.test.items).toEqual(s.test.items);
    expect(
      holdoutSplit(ds.ratings, 'msr-100k', 2, { itemCount: ds.movies.length }).test.items,
    ).not.toEqual(s.test.items);
  });

  it('full-rank: ratings ≥ 3 stars only, split 8:1:1; training stays in time order', () => {
    const s = holdoutSplit(ds.ratings, 'full-rank', 1, { itemCount: ds.movies.length });
    for (let u = 0; u < 150; u++) {
      const [train, valid, test] = parts(s, u);
      const kept = userRows(u).filter((r) => r.rating >= 6);
      const [a, b, c] = recboleCounts(kept.length);
      expect([train!.length, valid!.length, test!.length]).toEqual([a, b, c]);
      expect(new Set([...train!, ...valid!, ...test!])).toEqual(new Set(kept.map((r) => r.movie)));
      const order = kept.map((r) => r.movie).filter((m) => train!.includes(m));
      expect(train).toEqual(order);
    }
  });

  it('evaluation masks training (and validation) items and scores the test items', () => {
    const s = holdoutSplit(ds.ratings, 'full-rank', 1, { itemCount: ds.movies.length });
    // An oracle that knows the test items: every relevant item ranks first.
    const testOf = (u: number): Set<number> => new Set(parts(s, u)[2]);
    const oracle = evaluateSplit(s, (u, _items, out) => {
      const t = testOf(u);
      for (let m = 0; m < out.length; m++) out[m] = t.has(m) ? 2 : 0;
    });
    expect(oracle.ndcg).toBeCloseTo(1, 12);
    expect(oracle.hit).toBe(1);
    expect(oracle.mrr).toBe(1);
    // A scorer that prefers training items gains nothing: they are masked.
    const cheat = evaluateSplit(s, (u, _items, out) => {
      const [train, valid] = parts(s, u);
      const t = testOf(u);
      out.fill(0);
      for (const m of [...train!, ...valid!]) out[m] = 5;
      for (const m of t) out[m] = 1;
    });
    expect(cheat.ndcg).toBeCloseTo(1, 12);
    // On validation, the validation items are the targets and test items are not masked.
    const onValid = evaluateSplit(
      s,
      (u, _items, out) => {
        const v = new Set(parts(s, u)[1]);
        for (let m = 0; m < out.length; m++) out[m] = v.has(m) ? 2 : 0;
      },
      { useValidation: true },
    );
    expect(onValid.hit).toBe(1);
    expect(oracle.coverage).toBeGreaterThan(0);
    expect(oracle.coverage).toBeLessThanOrEqual(1);
  });
});
