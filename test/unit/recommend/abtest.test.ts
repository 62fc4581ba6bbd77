/**
 * A/B tests on replayed users. Assignment is stable, even and independent
 * between experiments; team-draft interleaving keeps its invariants; and
 * with planted rankers — one that puts the held-out movie near the top for
 * some users, against a random order — the better one wins both ways, with
 * signs that flip when A and B swap, while identical rankers give intervals
 * that cover 0.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abTest,
  arrivalOrder,
  assign,
  bucketOf,
  BUCKETS,
  fnv1a32,
  interleavedOutcome,
  preference,
  teamDraft,
  twoSidedP,
  usersToSignificance,
  type AbUser,
} from '../../../src/core/recommend/abtest.ts';
import { Random } from '../../../src/core/random.ts';

/** χ² of the 10 × 10 table of two bucketings' deciles against independence with uniform margins (df 99). */
function decileChi2(
  first: (id: number) => number,
  second: (id: number) => number,
  n: number,
): number {
  const table = new Float64Array(100);
  for (let id = 1; id <= n; id++)
    table[Math.floor((first(id) * 10) / BUCKETS) * 10 + Math.floor((second(id) * 10) / BUCKETS)]!++;
  const expected = n / 100;
  return table.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
/** The 0.999 quantile of χ² with 99 degrees of freedom. */
const CHI2_99_999 = 148.23;

describe('assignment', () => {
  it('hashes with 32-bit FNV-1a', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('is stable across calls and splits about evenly, or by the share asked for', () => {
    const n = 20_000;
    let b = 0;
    let b20 = 0;
    for (let id = 1; id <= n; id++) {
      const v = assign('exp', id);
      expect(assign('exp', id)).toBe(v);
      if (v === 'B') b++;
      if (assign('exp', id, 0.2) === 'B') b20++;
      const bucket = bucketOf('exp', id);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(BUCKETS);
    }
    // Within 4 standard deviations of a fair split.
    expect(Math.abs(b / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    expect(Math.abs(b20 / n - 0.2)).toBeLessThan(4 * Math.sqrt(0.16 / n));
    expect(assign('exp', 7, 0)).toBe('A');
    expect(assign('exp', 7, 1)).toBe('B');
  });

  it('is independent between experiment names (and plain FNV-1a, the control, is not)', () => {
    const n = 50_000;
    for (const [x, y] of [
      ['exp1', 'exp2'],
      ['itemknn-vs-popularity', 'fusion-vs-itemknn'],
    ] as const) {
      expect(
        decileChi2(
          (id) => bucketOf(x, id),
          (id) => bucketOf(y, id),
          n,
        ),
      ).toBeLessThan(CHI2_99_999);
      const raw = (e: string) => (id: number) => fnv1a32(`${e}:${id}`) % BUCKETS;
      expect(decileChi2(raw(x), raw(y), n)).toBeGreaterThan(CHI2_99_999);
    }
  });
});

describe('team-draft interleaving', () => {
  const coinOf = (seed: number) => {
    const rng = new Random(seed);
    return () => rng.next() < 0.5;
  };

  it('lists each item once, from its team’s list, and every prefix holds the top picks of both lists', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 25 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 25 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer(),
        (a, b, k, seed) => {
          const { items, teams } = teamDraft(a, b, k, coinOf(seed));
          expect(new Set(items).size).toBe(items.length);
          expect(items.length).toBe(Math.min(k, new Set([...a, ...b]).size));
          let na = 0;
          let nb = 0;
          items.forEach((m, i) => {
            expect((teams[i] === 0 ? a : b).includes(m)).toBe(true);
            if (teams[i] === 0) na++;
            else nb++;
            // A's t-th pick is its best unused item, so its top t are all in.
            const prefix = new Set(items.slice(0, i + 1));
            for (const x of a.slice(0, na)) expect(prefix.has(x)).toBe(true);
            for (const x of b.slice(0, nb)) expect(prefix.has(x)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the teams within one pick of each other, so every prefix of 2t holds the top t of both', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer(), fc.integer(), (n, s1, s2) => {
        const rng = new Random(s1);
        const a = rng.shuffle(Array.from({ length: n }, (_, i) => i));
        const b = rng.shuffle([...a]);
        const { items, teams } = teamDraft(a, b, n, coinOf(s2));
        expect([...items].sort((x, y) => x - y)).toEqual(a.slice().sort((x, y) => x - y));
        let diff = 0;
        teams.forEach((t, i) => {
          diff += t === 0 ? 1 : -1;
          expect(Math.abs(diff)).toBeLessThanOrEqual(1);
          const prefix = new Set(items.slice(0, i + 1));
          const half = Math.floor((i + 1) / 2);
          for (const x of [...a.slice(0, half), ...b.slice(0, half)])
            expect(prefix.has(x)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('credits a click to the team that placed the movie', () => {
    const u = { user: 0, targets: Int32Array.of(5), candidates: null, exclude: new Int32Array(0) };
    const merged = teamDraft([5, 1, 2], [3, 4, 5], 4, () => true);
    expect(merged.items).toEqual([5, 3, 1, 4]);
    expect(interleavedOutcome(u, merged, 4)).toBe(-1);
    expect(
      interleavedOutcome(
        u,
        teamDraft([1, 2, 5], [5, 3, 4], 4, () => true),
        4,
      ),
    ).toBe(1);
    expect(
      interleavedOutcome(
        u,
        teamDraft([1, 2], [3, 4], 4, () => true),
        4,
      ),
    ).toBe(0);
  });
});

describe('statistics', () => {
  it('p-values and the preference interval behave at their edges', () => {
    expect(twoSidedP(0)).toBe(1);
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 6);
    expect(twoSidedP(-3)).toBeCloseTo(0.0026998, 6);
    expect(preference(0, 0)).toEqual({ value: 0, lo: -1, hi: 1, p: 1 });
    const even = preference(12, 12);
    expect(even.value).toBe(0);
    expect(even.p).toBe(1);
    expect(even.lo).toBeCloseTo(-even.hi, 12);
    const all = preference(0, 20);
    expect(all.value).toBe(1);
    expect(all.hi).toBeCloseTo(1, 12);
    expect(all.lo).toBeGreaterThan(0);
    const swapped = preference(20, 0);
    expect(swapped.lo).toBeCloseTo(-all.hi, 12);
  });

  it('counts users to significance from the point the CI stays off 0', () => {
    const pt = (users: number, lo: number, hi: number) => ({ users, value: (lo + hi) / 2, lo, hi });
    expect(
      usersToSignificance([
        pt(10, 0.1, 0.5),
        pt(20, -0.1, 0.4),
        pt(30, 0.05, 0.3),
        pt(40, 0.1, 0.2),
      ]),
    ).toBe(30);
    expect(usersToSignificance([pt(10, -0.5, -0.1), pt(20, -0.3, -0.1)])).toBe(10);
    expect(usersToSignificance([pt(10, 0.1, 0.5), pt(20, -0.1, 0.4)])).toBeNull();
    expect(usersToSignificance([])).toBeNull();
  });
});

/** Users with 100 candidates each, the held-out movie first. */
const looUsers: AbUser[] = Array.from({ length: 800 }, (_, i) => {
  const candidates = Int32Array.from({ length: 100 }, (_, j) => i * 1000 + j);
  return {
    id: i + 1,
    user: i,
    targets: candidates.slice(0, 1),
    candidates,
    exclude: new Int32Array(0),
  };
});

/** A random order of the candidates, seeded per user and ranker. */
const randomRanker =
  (stream: number) =>
  (u: AbUser): number[] =>
    new Random(u.id, stream).shuffle([...(u.candidates ?? [])]);

/** A random order, except that for a share `p` of users each held-out movie goes into the top 5. */
const plantedRanker =
  (stream: number, p: number) =>
  (u: AbUser): number[] => {
    const rng = new Random(u.id, stream);
    const list = rng.shuffle([...(u.candidates ?? [])]);
    if (!rng.chance(p)) return list;
    const targets = new Set(u.targets);
    const rest = list.filter((m) => !targets.has(m));
    for (const t of u.targets) rest.splice(rng.int(5), 0, t);
    return rest;
  };

describe('A/B split and interleaving on planted rankers', () => {
  const opts = { experiment: 'planted', step: 10 };

  it('the better ranker wins both ways, and interleaving settles with fewer users', () => {
    const r = abTest(looUsers, randomRanker(1), plantedRanker(2, 0.15), opts);
    expect(r).toMatchObject({ k: 10, users: looUsers.length, primary: 'hit' });
    const hit = r.ab.find((m) => m.metric === 'hit')!;
    expect(hit.a.n + hit.b.n).toBe(looUsers.length);
    // Chance level for a random order: 10 of 100.
    expect(hit.a.lo).toBeLessThan(0.1);
    expect(hit.a.hi).toBeGreaterThan(0.1);
    expect(hit.diff!.lo).toBeGreaterThan(0);
    expect(hit.diff!.p).toBeLessThan(0.05);
    const il = r.interleaving;
    expect(il.winsA + il.winsB + il.ties).toBe(looUsers.length);
    expect(il.winsB).toBeGreaterThan(il.winsA);
    expect(il.preference.lo).toBeGreaterThan(0);
    expect(hit.usersToSignificance).not.toBeNull();
    expect(il.usersToSignificance).not.toBeNull();
    expect(il.usersToSignificance!).toBeLessThan(hit.usersToSignificance!);
    // The settling series ends at the final estimate.
    expect(il.settling.at(-1)).toMatchObject({
      users: looUsers.length,
      value: il.preference.value,
    });
    expect(hit.settling.at(-1)).toMatchObject({ users: looUsers.length, value: hit.diff!.value });
    expect(il.settling.map((s) => s.users)).toEqual(
      Array.from({ length: 80 }, (_, i) => 10 * (i + 1)),
    );
  });

  it('swapping A and B flips the signs', () => {
    const r = abTest(looUsers, plantedRanker(2, 0.15), randomRanker(1), opts);
    expect(r.ab.find((m) => m.metric === 'hit')!.diff!.hi).toBeLessThan(0);
    expect(r.interleaving.preference.hi).toBeLessThan(0);
  });

  it('identical rankers give intervals that cover 0 and never settle', () => {
    const same = randomRanker(3);
    const r = abTest(looUsers, same, same, opts);
    for (const m of r.ab) {
      expect(m.diff!.lo).toBeLessThan(0);
      expect(m.diff!.hi).toBeGreaterThan(0);
      expect(m.usersToSignificance).toBeNull();
    }
    expect(r.interleaving.preference.lo).toBeLessThan(0);
    expect(r.interleaving.preference.hi).toBeGreaterThan(0);
    expect(r.interleaving.usersToSignificance).toBeNull();
  });

  it('full-rank: recall@20 of several held-out movies, the better ranker ahead', () => {
    const users: AbUser[] = looUsers.slice(0, 400).map((u) => ({
      ...u,
      targets: u.candidates!.slice(0, 5),
      candidates: null,
      exclude: new Int32Array(0),
    }));
    const universe = (u: AbUser) => Array.from({ length: 100 }, (_, j) => u.user * 1000 + j);
    const rnd = (u: AbUser) => new Random(u.id, 4).shuffle(universe(u));
    const good = (u: AbUser) =>
      plantedRanker(5, 0.3)({ ...u, candidates: Int32Array.from(universe(u)) });
    const r = abTest(users, rnd, good, opts);
    expect(r).toMatchObject({ k: 20, primary: 'recall' });
    expect(r.ab.map((m) => m.metric)).toEqual(['recall', 'ndcg', 'hit']);
    expect(r.ab[0]!.diff!.lo).toBeGreaterThan(0);
    expect(r.interleaving.preference.lo).toBeGreaterThan(0);
  });

  it('is deterministic and walks users in one arrival order, whatever order they come in', () => {
    const a = randomRanker(1);
    const b = plantedRanker(2, 0.15);
    const first = abTest(looUsers, a, b, opts);
    expect(abTest([...looUsers].reverse(), a, b, opts)).toEqual(first);
    const order = arrivalOrder(looUsers, 'planted').map((u) => u.id);
    expect(order).not.toEqual(looUsers.map((u) => u.id));
    expect(new Set(order).size).toBe(looUsers.length);
  });
});
