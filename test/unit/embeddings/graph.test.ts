import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTransitionGraph,
  hasEdge,
  sampleEdge,
  sampleStart,
} from '../../../src/core/embeddings/graph.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { Random } from '../../../src/core/random.ts';
import { chiSquare, chiSquareCritical, seqs } from './helpers.ts';

/** Edges of row a as [target, weight] pairs. */
function row(g: ReturnType<typeof buildTransitionGraph>, a: number): [number, number][] {
  const out: [number, number][] = [];
  for (let e = g.offsets[a]!; e < g.offsets[a + 1]!; e++) out.push([g.targets[e]!, g.weights[e]!]);
  return out;
}

describe('buildTransitionGraph', () => {
  it('counts each consecutive pair once per occurrence, rows sorted by target', () => {
    const g = buildTransitionGraph(
      seqs([[0, 1, 2], [0, 1, 3], [1, 2], [2], [], [4, 0], [4, 2], [4, 0]]),
      6,
    );
    expect(g.nodeCount).toBe(6);
    expect(row(g, 0)).toEqual([[1, 2]]);
    expect(row(g, 1)).toEqual([
      [2, 2],
      [3, 1],
    ]);
    expect(row(g, 2)).toEqual([]);
    expect(row(g, 4)).toEqual([
      [0, 2],
      [2, 1],
    ]);
    expect(Array.from(g.offsets)).toEqual([0, 1, 3, 3, 3, 5, 5]);
    // The start weight is the number of transitions out of a node.
    expect(Array.from(g.nodeWeight)).toEqual([2, 3, 0, 0, 3, 0]);
    expect(g.transitions).toBe(8);
  });

  it('defaults the node count to the largest item + 1 and rejects items out of range', () => {
    expect(buildTransitionGraph(seqs([[3, 7]])).nodeCount).toBe(8);
    expect(buildTransitionGraph(seqs([])).nodeCount).toBe(0);
    expect(() => buildTransitionGraph(seqs([[0, 5]]), 5)).toThrow(WrenError);
    expect(() => buildTransitionGraph(seqs([[0, -1]]), 5)).toThrow(/outside/);
  });

  it('keeps self-loops (an item repeated in a row)', () => {
    const g = buildTransitionGraph(seqs([[2, 2, 2]]));
    expect(row(g, 2)).toEqual([[2, 2]]);
  });

  it('matches a brute-force pair count on random corpora', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(9), { maxLength: 12 }), { maxLength: 15 }), (lists) => {
        const g = buildTransitionGraph(seqs(lists), 10);
        const want = new Map<string, number>();
        for (const l of lists)
          for (let i = 0; i + 1 < l.length; i++) {
            const key = `${l[i]}>${l[i + 1]}`;
            want.set(key, (want.get(key) ?? 0) + 1);
          }
        const got = new Map<string, number>();
        for (let a = 0; a < 10; a++) {
          const r = row(g, a);
          for (let j = 1; j < r.length; j++) expect(r[j]![0]).toBeGreaterThan(r[j - 1]![0]);
          for (const [b, w] of r) got.set(`${a}>${b}`, w);
        }
        expect(got).toEqual(want);
        for (const key of want.keys()) {
          const [a, b] = key.split('>').map(Number) as [number, number];
          expect(hasEdge(g, a, b)).toBe(true);
        }
        for (let a = 0; a < 10; a++)
          for (let b = 0; b < 10; b++) expect(hasEdge(g, a, b)).toBe(want.has(`${a}>${b}`));
      }),
      { numRuns: 150 },
    );
  });
});

describe('sampling', () => {
  it('draws out-edges in proportion to their weights', () => {
    const lists: number[][] = [];
    const w = [1, 2, 3, 4, 10, 7];
    w.forEach((count, t) => {
      for (let i = 0; i < count; i++) lists.push([0, t + 1]);
    });
    const g = buildTransitionGraph(seqs(lists));
    const rng = new Random(5);
    const counts = new Array<number>(w.length).fill(0);
    for (let i = 0; i < 200_000; i++) counts[g.targets[sampleEdge(g, 0, rng)]! - 1]! += 1;
    const total = w.reduce((a, b) => a + b, 0);
    expect(
      chiSquare(
        counts,
        w.map((x) => x / total),
      ),
    ).toBeLessThan(chiSquareCritical(w.length - 1));
    expect(sampleEdge(g, 3, rng)).toBe(-1);
  });

  it('draws start nodes by their share of the transitions, never a node without out-edges', () => {
    const g = buildTransitionGraph(seqs([[0, 1, 2, 3], [0, 1], [0, 2], [4]]), 6);
    const rng = new Random(9);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 100_000; i++) counts[sampleStart(g, rng)]! += 1;
    // Out-transitions: 0 → 3, 1 → 1, 2 → 1; nodes 3, 4, 5 have none.
    expect(counts.slice(3)).toEqual([0, 0, 0]);
    expect(chiSquare(counts.slice(0, 3), [3 / 5, 1 / 5, 1 / 5])).toBeLessThan(chiSquareCritical(2));
    expect(sampleStart(buildTransitionGraph(seqs([[1]])), rng)).toBe(-1);
  });
});
