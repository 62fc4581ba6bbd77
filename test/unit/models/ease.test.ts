/**
 * EASE: both formulations (primal B, dual by Woodbury) give the scores of
 * B = −P / diag(P) with a zero diagonal computed directly from the definition;
 * the `maxDim` cap models the most popular movies only; several λ fitted
 * from one Gram matrix give the models separate fits give; λ = 0 chooses λ
 * on validation and then fits exactly as that λ given by hand.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { ncfLooSplit, type InteractionData } from '../../../src/core/eval/protocols.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { invertSpdInPlace, spdWasmSupported } from '../../../src/core/models/linalg.ts';
import { Random } from '../../../src/core/random.ts';

function data(users: number, movies: number, ratings: number): InteractionData {
  const ds = generateDataset({ ratings, users, movies, seed: 5, demographics: false });
  return ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length }).data;
}

/** Each user's distinct items, as sets. */
function histories(d: InteractionData): Set<number>[] {
  return Array.from({ length: d.userCount }, (_, u) => {
    return new Set(d.train.items.subarray(d.train.offsets[u]!, d.train.offsets[u + 1]!));
  });
}

/** B from its definition over the given movies (dense, float64). */
async function directB(h: Set<number>[], movies: number[], lambda: number): Promise<Float64Array> {
  const n = movies.length;
  const g = new Float64Array(n * n);
  for (const s of h)
    for (let a = 0; a < n; a++)
      if (s.has(movies[a]!)) for (let b = 0; b < n; b++) if (s.has(movies[b]!)) g[a * n + b]!++;
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  await invertSpdInPlace(g, n);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (i !== j) b[i * n + j] = -g[i * n + j]! / g[j * n + j]!;
  return b;
}

async function expectDefinition(d: InteractionData, model: Ease, lambda: number): Promise<void> {
  const h = histories(d);
  const movies = [...new Set(d.train.items)].sort((a, b) => a - b);
  const b = await directB(h, movies, lambda);
  const n = movies.length;
  const out = new Float32Array(d.itemCount);
  const rng = new Random(3, 1);
  // Training users, and a history that is nobody's (as the app's own profile).
  const someone = movies.filter(() => rng.next() < 0.05);
  for (const history of [...h.slice(0, 5).map((s) => [...s]), someone]) {
    model.scoreHistory(history, null, out);
    for (let j = 0; j < n; j++) {
      let want = 0;
      for (let i = 0; i < n; i++) if (history.includes(movies[i]!)) want += b[i * n + j]!;
      expect(out[movies[j]!]).toBeCloseTo(want, 4);
    }
    // A few candidates (the ncf-loo path) score as the whole catalogue does.
    const few = Int32Array.from(movies.slice(0, 5));
    const some = new Float32Array(few.length);
    model.scoreHistory(history, few, some);
    few.forEach((m, j) => expect(some[j]).toBeCloseTo(out[m]!, 5));
  }
}

describe('invertSpdInPlace', () => {
  it('gives A⁻¹ with A·A⁻¹ = I', async () => {
    const n = 30;
    const rng = new Random(9, 2);
    const m = Float64Array.from({ length: n * n }, () => rng.next() - 0.5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 0.5 : 0;
        for (let k = 0; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
        a[i * n + j] = s;
      }
    const inv = Float64Array.from(a);
    await invertSpdInPlace(inv, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * inv[k * n + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
  });

  it('refuses a matrix that is not positive definite', async () => {
    await expect(invertSpdInPlace(Float64Array.from([1, 2, 2, 1]), 2)).rejects.toThrow(
      /not positive definite/,
    );
  });
});

describe('EASE', () => {
  it('with fewer users than movies (dual, Woodbury) scores as B from its definition', async () => {
    const d = data(40, 150, 2_000);
    const model = new Ease({ lambda: 20 });
    await model.fit(d);
    expect(model.formulation).toBe('dual');
    await expectDefinition(d, model, 20);
  });

  it('with fewer movies than users (primal) scores as B from its definition', async () => {
    const d = data(200, 60, 3_000);
    const model = new Ease({ lambda: 20 });
    await model.fit(d);
    expect(model.formulation).toBe('primal');
    await expectDefinition(d, model, 20);
    // The inverse ran in the WebAssembly kernel wherever the engine has SIMD, and says so.
    expect(model.engine).toBe((await spdWasmSupported()) ? 'wasm-simd' : 'js');
    expect(await spdWasmSupported()).toBe(true);
  });

  it('past maxDim models the most popular movies and ranks the others last', async () => {
    const d = data(120, 200, 4_000);
    const model = new Ease({ lambda: 20, maxDim: 50 });
    await model.fit(d);
    expect(model.modelled).toBe(50);
    const counts = new Int32Array(d.itemCount);
    for (const s of histories(d)) for (const m of s) counts[m]!++;
    const out = new Float32Array(d.itemCount);
    model.score(0, null, out);
    const modelled = [...out.keys()].filter((m) => out[m]! > -1e8);
    expect(modelled).toHaveLength(50);
    const least = Math.min(...modelled.map((m) => counts[m]!));
    const others = [...counts.keys()].filter((m) => !modelled.includes(m));
    expect(Math.max(...others.map((m) => counts[m]!))).toBeLessThanOrEqual(least);
    expect(Math.max(...others.map((m) => out[m]!))).toBeLessThan(
      Math.min(...modelled.map((m) => out[m]!)),
    );
  });

  it('fits at several λ from one Gram matrix as separate fits do, primal and dual', async () => {
    for (const d of [data(200, 60, 3_000), data(40, 150, 2_000)]) {
      const fitAt = await Ease.atEachLambda(d, { maxDim: 50 });
      // Each try leaves the Gram matrix as it was: a λ asked again gives the same model.
      for (const lambda of [10, 250, 10]) {
        const shared = await fitAt(lambda);
        const alone = new Ease({ lambda, maxDim: 50 });
        await alone.fit(d);
        expect(shared.formulation).toBe(alone.formulation);
        expect(shared.config).toEqual(alone.config);
        expect(shared.save().arrays).toEqual(alone.save().arrays);
      }
    }
  });

  it('λ = 0 chooses λ on validation, then fits as that λ given by hand', async () => {
    const d = data(80, 120, 4_000);
    const stages: string[] = [];
    const auto = new Ease({ lambda: 0 });
    await auto.fit(d, { onProgress: (p) => stages.push(p.stage) });
    const lambda = auto.config.lambda;
    expect(Number.isInteger(Math.log2(lambda / 400))).toBe(true);
    expect(new Set(stages.filter((s) => s.startsWith('choosing λ'))).size).toBeGreaterThanOrEqual(
      3,
    );
    const byHand = new Ease({ lambda });
    await byHand.fit(d);
    const a = new Float32Array(d.itemCount);
    const b = new Float32Array(d.itemCount);
    auto.score(3, null, a);
    byHand.score(3, null, b);
    expect(a).toEqual(b);
  });
});
