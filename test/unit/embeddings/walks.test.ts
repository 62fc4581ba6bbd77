import { describe, expect, it } from 'vitest';
import { buildTransitionGraph, type TransitionGraph } from '../../../src/core/embeddings/graph.ts';
import { deepWalks, node2vecWalks } from '../../../src/core/embeddings/walks.ts';
import type { Progress } from '../../../src/core/data/types.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { sequenceAt, sequenceCount, type Sequences } from '../../../src/core/features/sequences.ts';
import { Random } from '../../../src/core/random.ts';
import { chiSquare, chiSquareCritical, seqs } from './helpers.ts';

/** A random corpus over `nodes` items, biased so that weights differ a lot. */
function randomCorpus(nodes: number, count: number, seed: number): Sequences {
  const rng = new Random(seed);
  const lists: number[][] = [];
  for (let s = 0; s < count; s++) {
    const l = [rng.int(nodes)];
    for (let i = 0; i < 8; i++) l.push(rng.chance(0.5) ? (l[i]! + 1) % nodes : rng.int(nodes));
    lists.push(l);
  }
  return seqs(lists);
}

function weightOf(g: TransitionGraph, a: number, b: number): number {
  for (let e = g.offsets[a]!; e < g.offsets[a + 1]!; e++)
    if (g.targets[e] === b) return g.weights[e]!;
  return 0;
}

function walksOf(s: Sequences): number[][] {
  return Array.from({ length: sequenceCount(s) }, (_, i) => Array.from(sequenceAt(s, i)));
}

describe('deepWalks', () => {
  const g = buildTransitionGraph(randomCorpus(12, 400, 3), 12);

  it('steps along edges with frequencies proportional to the edge weights', async () => {
    const walks = await deepWalks(g, { numWalks: 20_000, walkLength: 10, seed: 1 });
    const n = g.nodeCount;
    const seen = new Float64Array(n * n);
    let offEdge = 0;
    for (const w of walksOf(walks))
      for (let i = 0; i + 1 < w.length; i++) {
        if (weightOf(g, w[i]!, w[i + 1]!) === 0) offEdge++;
        seen[w[i]! * n + w[i + 1]!]!++;
      }
    expect(offEdge).toBe(0);
    let stat = 0;
    let df = 0;
    for (let a = 0; a < n; a++) {
      const lo = g.offsets[a]!;
      const hi = g.offsets[a + 1]!;
      if (hi - lo < 2) continue;
      const obs: number[] = [];
      const p: number[] = [];
      for (let e = lo; e < hi; e++) {
        obs.push(seen[a * n + g.targets[e]!]!);
        p.push(g.weights[e]! / g.nodeWeight[a]!);
      }
      stat += chiSquare(obs, p);
      df += hi - lo - 1;
    }
    expect(df).toBeGreaterThan(50);
    expect(stat).toBeLessThan(chiSquareCritical(df));
  });

  it('starts walks in proportion to the transitions out of each node', async () => {
    const walks = await deepWalks(g, { numWalks: 30_000, walkLength: 2, seed: 2 });
    const counts = new Array<number>(g.nodeCount).fill(0);
    for (let w = 0; w < sequenceCount(walks); w++) counts[walks.items[walks.offsets[w]!]!]! += 1;
    const p = Array.from(g.nodeWeight, (x) => x / g.transitions);
    expect(chiSquare(counts, p)).toBeLessThan(chiSquareCritical(g.nodeCount - 1));
  });

  it('ends a walk early at a node with no out-edge', async () => {
    const chain = buildTransitionGraph(seqs([[0, 1, 2]]));
    const walks = walksOf(await deepWalks(chain, { numWalks: 50, walkLength: 10, seed: 1 }));
    expect(walks).toHaveLength(50);
    for (const w of walks)
      expect([
        [0, 1, 2],
        [1, 2],
      ]).toContainEqual(w);
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const opts = { numWalks: 500, walkLength: 8, seed: 7 };
    const a = await deepWalks(g, opts);
    expect(await deepWalks(g, opts)).toEqual(a);
    expect((await deepWalks(g, { ...opts, seed: 8 })).items).not.toEqual(a.items);
  });

  it("with start 'every-node' starts numWalks walks at every node with an out-edge", async () => {
    const h = buildTransitionGraph(seqs([[0, 1, 2], [3, 1], [5]]), 7);
    const walks = walksOf(
      await deepWalks(h, { numWalks: 4, walkLength: 3, seed: 1, start: 'every-node' }),
    );
    const starts = walks.map((w) => w[0]!);
    expect(starts.sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 3, 3, 3, 3]);
    // Each round visits the start nodes in a shuffled order, each once.
    for (let r = 0; r < 4; r++)
      expect(
        walks
          .slice(r * 3, r * 3 + 3)
          .map((w) => w[0])
          .sort(),
      ).toEqual([0, 1, 3]);
  });

  it('returns no walks for a graph with no edges, and rejects bad settings', async () => {
    const empty = buildTransitionGraph(seqs([[1], [2]]));
    expect(sequenceCount(await deepWalks(empty, { numWalks: 10, walkLength: 5, seed: 1 }))).toBe(0);
    await expect(deepWalks(g, { numWalks: -1, walkLength: 5, seed: 1 })).rejects.toThrow(WrenError);
    await expect(deepWalks(g, { numWalks: 1, walkLength: 0, seed: 1 })).rejects.toThrow(/length/);
    await expect(
      node2vecWalks(g, { numWalks: 1, walkLength: 5, seed: 1, p: 0, q: 1 }),
    ).rejects.toThrow(/p and q/);
  });

  it('reports progress in walks, ending at the total, and can be cancelled', async () => {
    const seen: Progress[] = [];
    await deepWalks(g, {
      numWalks: 10_000,
      walkLength: 3,
      seed: 1,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((p) => p.stage === 'walks' && p.total === 10_000)).toBe(true);
    expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
    expect(seen.at(-1)!.done).toBe(10_000);

    const ac = new AbortController();
    const run = deepWalks(g, {
      numWalks: 100_000,
      walkLength: 3,
      seed: 1,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.done > 0) ac.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'WrenError', code: 'cancelled' });
  });
});

describe('node2vecWalks', () => {
  // t = 0 came before v = 1. From v: back to t (weight 1), to a = 2 (an
  // out-neighbour of t) with weight wa, to b = 3 (not one) with weight wb.
  function graph(wa: number, wb: number): TransitionGraph {
    const lists = [
      [0, 1, 0],
      [0, 2],
    ];
    for (let i = 0; i < wa; i++) lists.push([1, 2]);
    for (let i = 0; i < wb; i++) lists.push([1, 3]);
    return buildTransitionGraph(seqs(lists), 4);
  }

  /** How often the step after 0 → 1 goes to 0, 2 and 3. */
  async function secondSteps(g: TransitionGraph, p: number, q: number): Promise<number[]> {
    const walks = await node2vecWalks(g, {
      numWalks: 40_000,
      walkLength: 3,
      seed: 3,
      p,
      q,
      start: 'every-node',
    });
    const counts = [0, 0, 0, 0];
    for (const w of walksOf(walks)) if (w[0] === 0 && w[1] === 1) counts[w[2]!]! += 1;
    return [counts[0]!, counts[2]!, counts[3]!];
  }

  for (const [p, q] of [
    [0.5, 2],
    [4, 0.25],
  ] as const) {
    it(`biases the second step 1/p : 1 : 1/q (p = ${p}, q = ${q})`, async () => {
      const counts = await secondSteps(graph(1, 1), p, q);
      expect(counts.reduce((a, b) => a + b)).toBeGreaterThan(15_000);
      const w = [1 / p, 1, 1 / q];
      const total = w[0]! + w[1]! + w[2]!;
      expect(
        chiSquare(
          counts,
          w.map((x) => x / total),
        ),
      ).toBeLessThan(chiSquareCritical(2));
    });
  }

  it('multiplies the bias by the edge weight, also where rejection sampling gives up', async () => {
    // q = 0.001 with b's edge 1,000 times lighter than a's: almost every proposal is rejected.
    const counts = await secondSteps(graph(1000, 1), 1, 0.001);
    const w = [1, 1000, 1000];
    expect(
      chiSquare(
        counts,
        w.map((x) => x / 2001),
      ),
    ).toBeLessThan(chiSquareCritical(2));
  });

  it('equals DeepWalk when p = q = 1, and is deterministic for a seed', async () => {
    const g = graph(3, 2);
    const opts = { numWalks: 300, walkLength: 6, seed: 5 };
    const a = await node2vecWalks(g, { ...opts, p: 2, q: 0.5 });
    expect(await node2vecWalks(g, { ...opts, p: 2, q: 0.5 })).toEqual(a);
    expect(await node2vecWalks(g, { ...opts, p: 1, q: 1 })).toEqual(await deepWalks(g, opts));
    expect(await node2vecWalks(g, { ...opts, p: 1, q: 1 })).not.toEqual(a);
  });
});
