/**
 * The inverse on several threads (invertSpdInPlace with a pool, real node
 * worker threads): the block products split by row panels give exactly the
 * numbers of one thread, at awkward sizes; the work is cut evenly (by area
 * for the triangle); a helper that fails fails the inversion; the Gram
 * matrix split by rows counts what one thread counts; the scaled mirror (B
 * from the inverse) split by rows of tiles writes what one thread writes;
 * and EASE fitted on three threads is the model fitted on one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodePool } from '../../../src/cli/node-pool.ts';
import {
  invertSpdInPlace,
  scaledMirror,
  scaledMirrorAcross,
  shareRows,
} from '../../../src/core/models/linalg.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { gramRows, gramUpper, shareGramRows } from '../../../src/core/models/gram.ts';
import { Random } from '../../../src/core/random.ts';
import { brokenPool } from '../parallel/broken-pool.ts';
import type { InteractionData } from '../../../src/core/eval/protocols.ts';

const pool = nodePool(2);
afterAll(() => pool.close());

function gram(n: number, seed: number): Float64Array {
  const rng = new Random(seed, 4);
  const a = new Float64Array(n * n);
  for (let u = 0; u < 2 * n + 5; u++) {
    const cols: number[] = [];
    for (let j = 0; j < n; j++) if (rng.next() < 0.15) cols.push(j);
    for (const i of cols) for (const j of cols) a[i * n + j]!++;
  }
  for (let i = 0; i < n; i++) a[i * n + i]! += 3;
  return a;
}

describe('sharing rows', () => {
  it('cuts equal runs, or equal areas of a triangle, covering every row once', () => {
    expect(shareRows(10, 2, false)).toEqual([0, 5, 10]);
    const cuts = shareRows(1000, 3, true);
    expect(cuts[0]).toBe(0);
    expect(cuts.at(-1)).toBe(1000);
    const area = (a: number, b: number): number => {
      let s = 0;
      for (let r = a; r < b; r++) s += 1000 - r;
      return s;
    };
    const parts = [0, 1, 2].map((p) => area(cuts[p]!, cuts[p + 1]!));
    for (const w of parts) expect(Math.abs(w / area(0, 1000) - 1 / 3)).toBeLessThan(0.01);
    // The first run (most work per row) is the shortest.
    expect(cuts[1]! - cuts[0]!).toBeLessThan(cuts[3]! - cuts[2]!);
    const few = shareRows(1, 3, true);
    expect(few[0]).toBe(0);
    expect(few.at(-1)).toBe(1);
    expect(few).toEqual([...few].sort((x, y) => x - y));
  });
});

describe('invertSpdInPlace on several threads', () => {
  it.each([
    [3, 64],
    [130, 64],
    [257, 32],
  ])('n = %i (block %i): three threads give exactly one thread’s numbers', async (n, block) => {
    const g = gram(n, n);
    const one = Float64Array.from(g);
    await invertSpdInPlace(one, n, undefined, { kernel: 'wasm', block });
    const three = Float64Array.from(g);
    const rows: number[] = [];
    const kernel = await invertSpdInPlace(three, n, (k) => void rows.push(k), {
      kernel: 'wasm',
      block,
      pool,
      threads: 3,
    });
    expect(kernel).toBe('wasm');
    expect(three).toEqual(one);
    expect(rows.at(-1)).toBe(n);
  });

  it('a helper that fails fails the inversion with its message', async () => {
    const broken = brokenPool('out of memory');
    const g = gram(200, 1);
    await expect(
      invertSpdInPlace(g, 200, undefined, { kernel: 'wasm', pool: broken, threads: 2 }),
    ).rejects.toThrow(/helper thread failed: out of memory/);
    broken.close();
  });
});

describe('the Gram matrix on several threads', () => {
  it('counts every pair once, upper triangle only, as one thread does', async () => {
    const rng = new Random(3);
    const dim = 97;
    const lists = Array.from({ length: 400 }, () =>
      [...new Set(Array.from({ length: 1 + rng.int(30) }, () => rng.int(dim)))].sort(
        (a, b) => a - b,
      ),
    );
    const offsets = new Int32Array(lists.length + 1);
    lists.forEach((l, u) => (offsets[u + 1] = offsets[u]! + l.length));
    const s = { offsets, cols: Int32Array.from(lists.flat()) };
    const want = new Float64Array(dim * dim);
    for (const l of lists) for (const i of l) for (const j of l) if (i <= j) want[i * dim + j]!++;
    const one = await gramUpper(s, dim);
    expect(one).toEqual(want);
    const three = await gramUpper(s, dim, pool, 3);
    expect(Array.from(three)).toEqual(Array.from(want));
    // Rows split by work: no run is empty here, and the runs cover the rows.
    const cuts = shareGramRows(s, dim, 3);
    expect(cuts[0]).toBe(0);
    expect(cuts.at(-1)).toBe(dim);
    const part = new Float64Array(dim * dim);
    gramRows(s, part, dim, cuts[1]!, cuts[2]!);
    for (let i = 0; i < dim; i++)
      for (let j = 0; j < dim; j++)
        expect(part[i * dim + j]).toBe(i >= cuts[1]! && i < cuts[2]! ? want[i * dim + j] : 0);
  });
});

describe('the scaled mirror on several threads', () => {
  for (const [n, diagonal] of [
    [70, false],
    [97, true],
    [130, false],
  ] as const)
    it(`n = ${n}${diagonal ? ', diagonal kept' : ''}: every value one thread writes, on three`, async () => {
      const rng = new Random(n, 2);
      const src = new Float64Array(new SharedArrayBuffer(n * n * 8));
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) src[i * n + j] = rng.next() - 0.5;
      const scale = Float64Array.from({ length: n }, () => 1 + rng.next());
      const want = new Float32Array(n * n).fill(7);
      scaledMirror(src, want, n, scale, diagonal);
      const spy = { tasks: 0 };
      const counted = {
        ...pool,
        run: <T>(t: { task: string } & Record<string, unknown>) => {
          spy.tasks++;
          return pool.run<T>(t);
        },
      };
      const got = new Float32Array(new SharedArrayBuffer(n * n * 4)).fill(7);
      await scaledMirrorAcross(src, got, n, scale, diagonal, counted, 3);
      expect(spy.tasks).toBe(2);
      expect(Array.from(got)).toEqual(Array.from(want));
      // Off the diagonal, B_ij = src_ij · scale_j and B_ji = src_ij · scale_i.
      expect(got[1]).toBeCloseTo(src[1]! * scale[1]!, 6);
      expect(got[n]).toBeCloseTo(src[1]! * scale[0]!, 6);
      expect(got[0]).toBe(diagonal ? Math.fround(src[0]! * scale[0]!) : 7);
    });
});

describe('EASE on several threads', () => {
  it('fits the same model as on one thread', async () => {
    const rng = new Random(9);
    const users = 300;
    const items = 180;
    const offsets = new Int32Array(users + 1);
    const list: number[] = [];
    for (let u = 0; u < users; u++) {
      const seen = new Set<number>();
      for (let k = 0; k < 12; k++) seen.add(rng.int(items));
      list.push(...[...seen].sort((a, b) => a - b));
      offsets[u + 1] = list.length;
    }
    const data: InteractionData = {
      train: { offsets, items: Int32Array.from(list) },
      trainRatings: new Uint8Array(list.length).fill(10),
      trainTimes: Uint32Array.from(list, (_, i) => i),
      catalogue: new Uint8Array(items).fill(1),
      userCount: users,
      itemCount: items,
    };
    const one = new Ease({ lambda: 50 });
    await one.fit(data);
    const three = new Ease({ lambda: 50 });
    await three.fit(data, { pool, threads: 3 });
    const a = new Float32Array(items);
    const b = new Float32Array(items);
    for (const u of [0, 17, 299]) {
      one.score(u, null, a);
      three.score(u, null, b);
      expect(b).toEqual(a);
    }
  });
});
