/**
 * Skip-gram on several threads (sgns-team.ts) with real node worker
 * threads: the corpus is shared out by tokens, every token is trained once
 * per epoch across the threads, the helpers really train (their share is
 * not done by the caller), the vectors learn planted clusters as one thread
 * does, cancel stops the helpers, and a helper that fails fails the job with
 * a clear message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodePool } from '../../../src/cli/node-pool.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { runKernel, prepareKernelInput } from '../../../src/core/embeddings/sgns-driver.ts';
import { shareSentences, teamWasmKernel } from '../../../src/core/embeddings/sgns-team.ts';
import { probeEngines } from '../../../src/core/embeddings/engines.ts';
import { wasmKernel } from '../../../src/core/embeddings/sgns-wasm.ts';
import {
  GENSIM_REFERENCE,
  type SgnsSettings,
  type TrainProgress,
} from '../../../src/core/embeddings/sgns.ts';
import { exactTopK, normalizeRows } from '../../../src/core/embeddings/topk.ts';
import { Random } from '../../../src/core/random.ts';
import { brokenPool } from '../parallel/broken-pool.ts';
import { seqs } from './helpers.ts';

const pool = nodePool(2);
afterAll(() => pool.close());

const PER = 25;
const CLUSTERS = 4;
function planted(seed: number, count = 400, length = 20) {
  const rng = new Random(seed);
  return seqs(
    Array.from({ length: count }, () => {
      const c = rng.int(CLUSTERS);
      return Array.from({ length }, () => c * PER + rng.int(PER));
    }),
  );
}
const S: SgnsSettings = { ...GENSIM_REFERENCE, dim: 16, epochs: 3 };

function purity(vectors: Float32Array, dim: number, items: Int32Array | number[]): number {
  const unit = normalizeRows(vectors, dim);
  let good = 0;
  for (let row = 0; row < items.length; row++) {
    const top = exactTopK(
      unit,
      dim,
      unit.subarray(row * dim, (row + 1) * dim),
      5,
      (x) => x === row,
    );
    let same = 0;
    for (const j of top.index)
      if (Math.floor(items[j]! / PER) === Math.floor(items[row]! / PER)) same++;
    if (same >= 3) good++;
  }
  return good / items.length;
}

describe('sharing sentences out', () => {
  it('cuts the corpus into runs of about equal tokens that cover it once', () => {
    const lengths = [5, 50, 3, 3, 40, 7, 1, 30, 12, 9];
    const c = seqs(lengths.map((n) => Array.from({ length: n }, (_, i) => i)));
    const cuts = shareSentences(c.offsets, 3);
    expect(cuts[0]).toBe(0);
    expect(cuts.at(-1)).toBe(lengths.length);
    expect(cuts).toEqual([...cuts].sort((a, b) => a - b));
    const tokens = cuts.slice(1).map((e, p) => c.offsets[e]! - c.offsets[cuts[p]!]!);
    const total = c.items.length;
    // No share is further from a third than the longest sentence.
    for (const t of tokens) expect(Math.abs(t - total / 3)).toBeLessThanOrEqual(50);
    expect(tokens.reduce((a, b) => a + b)).toBe(total);
  });

  it('leaves a share empty rather than splitting a sentence', () => {
    const c = seqs([[1, 2, 3]]);
    const cuts = shareSentences(c.offsets, 3);
    expect(cuts.at(-1)).toBe(1);
    expect(cuts.every((x) => x === 0 || x === 1)).toBe(true);
  });
});

describe('skip-gram on three threads', () => {
  it('trains every token of every epoch, helpers included, and learns the clusters', async () => {
    const corpus = planted(1);
    const progress: TrainProgress[] = [];
    const r = await runKernel(corpus, CLUSTERS * PER, S, teamWasmKernel(pool, 3), {
      onProgress: (p) => progress.push(p),
      sliceMs: 20,
    });
    expect(r.engine).toBe('wasm-threads');
    expect(r.threads).toBe(3);
    const last = progress.at(-1)!;
    // Subsampling drops tokens inside the kernel, but `done` counts the corpus as word2vec does.
    expect(last.done).toBe(corpus.items.length * S.epochs);
    expect(last.total).toBe(corpus.items.length * S.epochs);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(purity(r.vectors, S.dim, r.vocab.items)).toBeGreaterThanOrEqual(0.9);
  });

  it('the helpers train their shares: the caller alone would leave the vectors of those sentences untrained', async () => {
    // Two disjoint vocabularies: the first third of sentences use items 0..49, the rest 50..99.
    const rng = new Random(5);
    const lists = Array.from({ length: 300 }, (_, s) => {
      const base = s < 100 ? 0 : 50;
      const c = rng.int(2);
      return Array.from({ length: 20 }, () => base + c * 25 + rng.int(25));
    });
    const corpus = seqs(lists);
    const input = prepareKernelInput(corpus, 100, S);
    const kernel = await teamWasmKernel(pool, 3)(input);
    const [s0, s1] = kernel.team!.own;
    expect(s0).toBe(0);
    expect(s1).toBeLessThanOrEqual(110);
    kernel.dispose();
    const r = await runKernel(corpus, 100, S, teamWasmKernel(pool, 3));
    // Items 50..99 occur only in the helpers' shares; their vectors still split into the two planted clusters.
    const rows = Array.from(r.vocab.items)
      .map((m, row) => [m, row] as const)
      .filter(([m]) => m >= 50);
    const sub = new Float32Array(rows.length * S.dim);
    rows.forEach(([, row], i) =>
      sub.set(r.vectors.subarray(row * S.dim, (row + 1) * S.dim), i * S.dim),
    );
    expect(
      purity(
        sub,
        S.dim,
        rows.map(([m]) => m - 50),
      ),
    ).toBeGreaterThanOrEqual(0.9);
  });

  it('matches one thread in quality on the same corpus (within the planted task)', async () => {
    const corpus = planted(2);
    const one = await runKernel(corpus, CLUSTERS * PER, S, wasmKernel);
    const two = await runKernel(corpus, CLUSTERS * PER, S, teamWasmKernel(pool, 2));
    expect(
      Math.abs(
        purity(one.vectors, S.dim, one.vocab.items) - purity(two.vectors, S.dim, two.vocab.items),
      ),
    ).toBeLessThanOrEqual(0.05);
  });

  it('cancel stops the helpers too: the pool is free right after', async () => {
    const corpus = planted(3, 4000, 30);
    const ctl = new AbortController();
    const run = runKernel(corpus, CLUSTERS * PER, { ...S, epochs: 200 }, teamWasmKernel(pool, 3), {
      signal: ctl.signal,
      sliceMs: 20,
      onProgress: (p) => {
        if (p.done > 0) ctl.abort();
      },
    });
    await expect(run).rejects.toThrow();
    const t0 = performance.now();
    expect(await Promise.all([pool.run({ task: 'ping' }), pool.run({ task: 'ping' })])).toEqual([
      'pong',
      'pong',
    ]);
    // 200 epochs would take many seconds; stopped helpers answer at once.
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a helper that fails fails the job with a clear message', async () => {
    const broken = brokenPool('the thread ran out of memory');
    const err = await runKernel(
      planted(4, 2000),
      CLUSTERS * PER,
      { ...S, epochs: 50 },
      teamWasmKernel(broken, 2),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrenError);
    expect((err as WrenError).message).toMatch(
      /helper thread failed: the thread ran out of memory/,
    );
    broken.close();
  });

  it('the engine probe measures a team on all its threads and leaves the pool free', async () => {
    const [m] = await probeEngines(
      [
        {
          name: 'wasm-threads',
          activate: () => Promise.resolve(true),
          kernel: teamWasmKernel(pool, 3),
        },
      ],
      planted(6, 2000),
      CLUSTERS * PER,
      S,
      100,
    );
    expect(m).toMatchObject({ engine: 'wasm-threads', threads: 3 });
    expect(m!.tokensPerSecond).toBeGreaterThan(0);
    expect(await Promise.all([pool.run({ task: 'ping' }), pool.run({ task: 'ping' })])).toEqual([
      'pong',
      'pong',
    ]);
  });

  it('refuses more threads than its pool has', () => {
    expect(() => teamWasmKernel(pool, 4)).toThrow(/2 helper threads, not 3/);
    expect(() => teamWasmKernel(pool, 0)).toThrow(/whole number/);
  });
});
