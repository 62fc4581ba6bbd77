/**
 * ItemKNN against a brute-force cosine written here from the definition:
 * sim(i, j) = co(i, j) / (√nᵢ √nⱼ + shrink), each item j keeping its
 * `neighbours` most similar items, a user's score
 * for j the summed similarity of j's kept neighbours among their movies.
 * Both paths: a few neighbours (ranked), and every neighbour (kept as found).
 */
import { describe, expect, it } from 'vitest';
import type { InteractionData } from '../../../src/core/eval/protocols.ts';
import { ItemKnn } from '../../../src/core/models/item-knn.ts';
import { Random } from '../../../src/core/random.ts';

const USERS = 80;
const ITEMS = 40;

function data(): InteractionData {
  const rng = new Random(3, 1);
  const offsets = [0];
  const items: number[] = [];
  for (let u = 0; u < USERS; u++) {
    const mine = new Set<number>();
    const n = 2 + rng.int(8);
    // Two tastes, so similarities differ in size.
    const base = u % 2 ? 0 : 20;
    while (mine.size < n) mine.add(rng.chance(0.8) ? base + rng.int(20) : rng.int(ITEMS));
    items.push(...mine);
    offsets.push(items.length);
  }
  return {
    userCount: USERS,
    itemCount: ITEMS,
    train: { offsets: Int32Array.from(offsets), items: Int32Array.from(items) },
    trainRatings: new Uint8Array(items.length).fill(8),
    trainTimes: Uint32Array.from(items, (_, i) => i),
    catalogue: new Uint8Array(ITEMS).fill(1),
  };
}

/**
 * Scores for `history` by the definition, as a range: items tied with the
 * last kept neighbour of j may be kept in any order (the model keeps the
 * first it met), so the score is the strictly better neighbours' part plus
 * some count of the tied similarity, that count between `lo` and `hi`.
 */
function bruteForce(d: InteractionData, neighbours: number, shrink: number, history: number[]) {
  const users: Set<number>[] = Array.from({ length: ITEMS }, () => new Set());
  for (let u = 0; u < USERS; u++)
    for (let a = d.train.offsets[u]!; a < d.train.offsets[u + 1]!; a++)
      users[d.train.items[a]!]!.add(u);
  const sim = (i: number, j: number): number => {
    let co = 0;
    for (const u of users[i]!) if (users[j]!.has(u)) co++;
    return co / (Math.sqrt(users[i]!.size) * Math.sqrt(users[j]!.size) + shrink + 1e-9);
  };
  return Array.from({ length: ITEMS }, (_, j) => {
    const sims = Array.from({ length: ITEMS }, (_, i) => (i === j ? 0 : sim(i, j)));
    const ranked = sims
      .map((s, i) => ({ s, i }))
      .filter((x) => x.s > 0)
      .sort((x, y) => y.s - x.s);
    const last = ranked[Math.min(neighbours, ranked.length) - 1]?.s ?? Infinity;
    const strict = ranked.filter((x) => x.s > last);
    const tied = ranked.filter((x) => x.s === last);
    const slots = Math.min(neighbours, ranked.length) - strict.length;
    const tiedIn = tied.filter((x) => history.includes(x.i)).length;
    return {
      strict: strict.filter((x) => history.includes(x.i)).reduce((t, x) => t + x.s, 0),
      tie: last,
      lo: Math.max(0, slots - (tied.length - tiedIn)),
      hi: Math.min(tiedIn, slots),
    };
  });
}

describe('ItemKNN', () => {
  const d = data();
  for (const [neighbours, shrink] of [
    [5, 0],
    [5, 10],
    [ITEMS, 0],
    [ITEMS, 10],
  ] as const)
    it(`${neighbours === ITEMS ? 'every' : neighbours} neighbours, shrink ${shrink}: the brute-force scores`, async () => {
      const knn = new ItemKnn({ neighbours, shrink });
      await knn.fit(d);
      for (const history of [[0], [3, 7, 11], [21, 25, 30, 39], [1, 22]]) {
        const got = new Float32Array(ITEMS);
        knn.scoreHistory(history, null, got);
        const want = bruteForce(d, neighbours, shrink, history);
        for (let j = 0; j < ITEMS; j++) {
          const w = want[j]!;
          const ties = w.hi > 0 ? (got[j]! - w.strict) / w.tie : 0;
          expect(Math.abs(ties - Math.round(ties))).toBeLessThan(1e-4);
          expect(Math.round(ties)).toBeGreaterThanOrEqual(w.lo);
          expect(Math.round(ties)).toBeLessThanOrEqual(w.hi);
          if (w.lo === w.hi) expect(got[j]).toBeCloseTo(w.strict + w.lo * w.tie, 5);
        }
        // Not all zero: the histories reach neighbours.
        expect(Math.max(...got)).toBeGreaterThan(0.1);
      }
    });
});
