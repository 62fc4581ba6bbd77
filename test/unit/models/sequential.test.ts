/**
 * SASRec and GRU4Rec: the plain-JS forward that serves them computes what the
 * tfjs training graph computes; the WebAssembly attention op matches tfjs'
 * batched attention in value and gradient; windows train every transition
 * once; and on data whose next movie follows from order alone, they learn
 * the order that an order-blind model (EASE) cannot see.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateSplit,
  type InteractionData,
  ncfLooSplit,
} from '../../../src/core/eval/protocols.ts';
import { attentionKernel, kernelAttention } from '../../../src/core/models/attention-op.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import {
  denseShapes,
  SASREC_DEFAULTS,
  type SequentialKind,
} from '../../../src/core/models/sequential-config.ts';
import {
  encodeSequence,
  type SequentialWeights,
} from '../../../src/core/models/sequential-forward.ts';
import {
  batchedAttention,
  encodeBatch,
  layerNorm,
  layerNormOp,
  matMulOp,
  sampledSoftmaxLoss,
} from '../../../src/core/models/sequential-net.ts';
import { SequentialModel } from '../../../src/core/models/sequential.ts';
import { Random } from '../../../src/core/random.ts';
import { DenseParams, EmbeddingTable } from '../../../src/core/train/embedding-table.ts';
import {
  fillBatch,
  SequenceTrainer,
  trainingWindows,
} from '../../../src/core/train/sequence-trainer.ts';
import { cycleRatings } from './cycle-data.ts';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const config = { ...SASREC_DEFAULTS, dim: 8, maxLen: 6, blocks: 2 };

function randomWeights(kind: SequentialKind, items: number, seed: number): SequentialWeights {
  const rng = new Random(seed);
  const r = (n: number, s = 0.4): Float32Array =>
    Float32Array.from({ length: n }, () => rng.normal() * s);
  const dense = denseShapes(kind, config).map(({ name, shape: [a, b] }) =>
    /^ln.*g/.test(name) ? Float32Array.from({ length: b }, () => 1 + rng.normal() * 0.1) : r(a * b),
  );
  const table = r((items + 1) * config.dim, 0.5);
  table.fill(0, items * config.dim);
  return { kind, config, items: table, dense };
}

/** Hidden states of the tfjs graph (no dropout) for windows of `seqs`. */
function graphStates(w: SequentialWeights, windows: number[][], pad: number): Float32Array {
  const L = config.maxLen;
  const seqs = {
    offsets: Int32Array.from([0, ...windows.map((_, i) => windows.slice(0, i + 1).flat().length)]),
    items: Int32Array.from(windows.flat()),
  };
  // A window of n movies + one target: fillBatch puts the n inputs at the last n positions.
  const ws = windows.map((s, i) => ({
    user: i,
    from: seqs.offsets[i]!,
    to: seqs.offsets[i]! + s.length,
  }));
  const batch = fillBatch(seqs, ws, L, pad, new Int32Array(0));
  const d = config.dim;
  const gathered = new Float32Array(batch.inputs.length * d);
  batch.inputs.forEach((m, i) => gathered.set(w.items.subarray(m * d, (m + 1) * d), i * d));
  const out = tf.tidy(() =>
    encodeBatch(
      tf,
      w.kind,
      config,
      tf.tensor2d(gathered, [ws.length * L, d]),
      w.dense.map((x, j) => tf.tensor2d(x, denseShapes(w.kind, config)[j]!.shape)),
      {
        B: ws.length,
        L,
        mask: tf.tensor2d(batch.mask, [ws.length * L, 1]),
        keyMask: batch.mask,
        drop: (x) => x,
        attention: batchedAttention(tf),
        mm: matMulOp(tf),
        ln: (x, g, b) => layerNorm(tf, x, g, b),
      },
    ),
  );
  const rows = out.dataSync() as Float32Array;
  out.dispose();
  return rows;
}

describe.each(['sasrec', 'gru4rec'] as const)('%s forward', (kind) => {
  it('plain JS gives the tfjs graph’s hidden state at the latest position', () => {
    const items = 20;
    const w = randomWeights(kind, items, 3);
    // Windows of 2..7 movies (7 = maxLen + 1 fills every position); the last movie is the target.
    const windows = [
      [1, 2],
      [3, 4, 5, 6],
      [7, 8, 9, 10, 11, 12, 13],
      [19, 0, 5],
    ];
    const states = graphStates(w, windows, items);
    const d = config.dim;
    windows.forEach((s, b) => {
      const js = encodeSequence(w, s.slice(0, -1));
      const at = (b * config.maxLen + config.maxLen - 1) * d;
      for (let t = 0; t < d; t++) expect(js[t]).toBeCloseTo(states[at + t]!, 4);
    });
  });
});

describe('WebAssembly attention', () => {
  it('matches tfjs’ batched attention in value and in every gradient', async () => {
    const kernel = await attentionKernel();
    expect(kernel).not.toBeNull();
    const B = 3;
    const L = 5;
    const d = 8;
    const rng = new Random(9);
    const r = (): tf.Tensor2D =>
      tf.tensor2d(
        Float32Array.from({ length: B * L * d }, () => rng.normal()),
        [B * L, d],
      );
    const [q, k, v, dy] = [r(), r(), r(), r()];
    // Window 0 full, window 1 left-padded by 2, window 2 by 4.
    const keyMask = Float32Array.from({ length: B * L }, (_, i) =>
      i % L >= [0, 2, 4][Math.floor(i / L)]! ? 1 : 0,
    );
    const ctx = { B, L, keyMask };
    const rowMask = tf.tensor2d(keyMask, [B * L, 1]);
    const run = (op: ReturnType<typeof batchedAttention>) =>
      tf.tidy(() => {
        const f = (a: tf.Tensor2D, b: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor =>
          tf.sum(tf.mul(tf.mul(op(a, b, c, ctx), rowMask), dy));
        const out = tf.mul(op(q, k, v, ctx), rowMask).dataSync();
        const grads = tf
          .grads(f as (...x: tf.Tensor[]) => tf.Tensor)([q, k, v])
          .map((g) => Array.from(g.dataSync()));
        return { out: Array.from(out), grads };
      });
    const want = run(batchedAttention(tf));
    const got = run(kernelAttention(tf, kernel!));
    got.out.forEach((x, i) => expect(x).toBeCloseTo(want.out[i]!, 4));
    got.grads.forEach((g, j) => g.forEach((x, i) => expect(x).toBeCloseTo(want.grads[j]![i]!, 4)));
    expect(want.grads[1]!.some((x) => Math.abs(x) > 1e-3)).toBe(true);
  });
});

describe('the JS ops', () => {
  it('LayerNorm and the transposing matMul match tfjs’ own in value and every gradient', () => {
    const rng = new Random(4);
    const t = (r: number, c: number): tf.Tensor2D =>
      tf.tensor2d(
        Float32Array.from({ length: r * c }, () => rng.normal()),
        [r, c],
      );
    const [x, g, b, dy, w] = [t(7, 8), t(1, 8), t(1, 8), t(7, 8), t(8, 8)];
    const check = (
      mine: (...a: tf.Tensor2D[]) => tf.Tensor2D,
      ref: (...a: tf.Tensor2D[]) => tf.Tensor2D,
      inputs: tf.Tensor2D[],
    ): void => {
      const run = (f: (...a: tf.Tensor2D[]) => tf.Tensor2D) =>
        tf.tidy(() => {
          const value = Array.from(f(...inputs).dataSync());
          const loss = (...a: tf.Tensor[]): tf.Tensor =>
            tf.sum(tf.mul(f(...(a as tf.Tensor2D[])), dy));
          return {
            value,
            grads: tf
              .grads(loss)(inputs)
              .map((gr) => Array.from(gr.dataSync())),
          };
        });
      const want = run(ref);
      const got = run(mine);
      got.value.forEach((v, i) => expect(v).toBeCloseTo(want.value[i]!, 4));
      got.grads.forEach((gr, j) =>
        gr.forEach((v, i) => expect(v).toBeCloseTo(want.grads[j]![i]!, 4)),
      );
    };
    const ln = layerNormOp(tf);
    check(
      (a, c, e) => ln(a!, c!, e!),
      (a, c, e) => layerNorm(tf, a!, c!, e!),
      [x, g, b],
    );
    const mm = matMulOp(tf);
    check(
      (a, c) => mm(a!, c!),
      (a, c) => tf.matMul(a!, c!),
      [x, w],
    );
  });
});

describe('the sampled-softmax loss', () => {
  it('drops accidental hits: value and per-movie gradients equal a softmax over the other movies', () => {
    const rng = new Random(9);
    const d = 4;
    const table = Float32Array.from({ length: 6 * d }, () => rng.normal());
    const row = (ids: number[]): tf.Tensor2D =>
      tf.tensor2d(
        ids.flatMap((i) => Array.from(table.subarray(i * d, (i + 1) * d))),
        [ids.length, d],
      );
    const h = tf.tensor2d(
      Float32Array.from({ length: 3 * d }, () => rng.normal()),
      [3, d],
    );
    const targets = [1, 2, 5];
    // Movie 1 is sampled twice, movie 2 once; movie 5 not at all.
    const negs = [1, 0, 2, 3, 1, 4];
    const hits = targets.map((t) => negs.filter((n) => n === t).length);
    expect(hits).toEqual([2, 1, 0]);
    const weights = tf.tensor2d([1, 1, 1], [3, 1]);
    const loss = sampledSoftmaxLoss(tf, weights, 3, tf.tensor2d(hits, [3, 1]));
    const ids = [...targets, ...negs];
    const run = tf.tidy(() => {
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Scalar =>
        loss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D);
      const { value, grads } = tf.valueAndGrads(f as (...x: tf.Tensor[]) => tf.Scalar)([
        h,
        row(targets),
        row(negs),
      ]);
      return {
        value: value.dataSync()[0]!,
        dh: grads[0]!.dataSync(),
        rows: [grads[1]!, grads[2]!],
      };
    });
    // Gradients summed per movie, as lazy Adam sums them over the touched rows.
    const perMovie = (g: Float32Array[]): Float32Array => {
      const out = new Float32Array(6 * d);
      const all = [...g[0]!, ...g[1]!];
      ids.forEach((id, r) => {
        for (let j = 0; j < d; j++) out[id * d + j]! += all[r * d + j]!;
      });
      return out;
    };
    const mine = perMovie(run.rows.map((g) => g.dataSync() as Float32Array));
    // The reference: each position's softmax over its target and the sampled movies that differ from it.
    const ref = tf.tidy(() => {
      const tbl = tf.tensor2d(table, [6, d]);
      // counts[i][m]: how often movie m is among position i's candidates.
      const counts = tf.tensor2d(
        targets.flatMap((t) =>
          Array.from({ length: 6 }, (_, m) =>
            m === t ? 1 : negs.filter((n) => n === m && n !== t).length,
          ),
        ),
        [3, 6],
      );
      const onTarget = tf.tensor2d(
        targets.flatMap((t) => Array.from({ length: 6 }, (_, m) => (m === t ? 1 : 0))),
        [3, 6],
      );
      const f = (hh: tf.Tensor, tt: tf.Tensor): tf.Scalar => {
        const logits = tf.matMul(hh as tf.Tensor2D, tt as tf.Tensor2D, false, true);
        const lse = tf.log(tf.sum(tf.mul(counts, tf.exp(logits)), 1));
        return tf.mean(tf.sub(lse, tf.sum(tf.mul(onTarget, logits), 1))) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(f)([h, tbl]);
      return { value: value.dataSync()[0]!, dh: grads[0]!.dataSync(), dt: grads[1]!.dataSync() };
    });
    expect(run.value).toBeCloseTo(ref.value, 5);
    run.dh.forEach((x, i) => expect(x).toBeCloseTo(ref.dh[i]!, 5));
    mine.forEach((x, i) => expect(x).toBeCloseTo(ref.dt[i]!, 5));
    // Without the hits the loss differs: the copies of movies 1 and 2 stay in the denominator.
    const kept = tf.tidy(
      () => sampledSoftmaxLoss(tf, weights, 3)(h, row(targets), row(negs)).dataSync()[0]!,
    );
    expect(kept).toBeGreaterThan(ref.value + 0.05);
  });
});

describe('training windows', () => {
  it('cover every transition of every user exactly once, latest window ending at the latest movie', () => {
    const seqs = {
      offsets: Int32Array.from([0, 1, 4, 17]),
      items: Int32Array.from({ length: 17 }, (_, i) => 100 + i),
    };
    const L = 5;
    const windows = trainingWindows(seqs, L);
    const seen = new Map<string, number>();
    for (const w of windows) {
      expect(w.to - w.from).toBeLessThanOrEqual(L + 1);
      expect(w.to - w.from).toBeGreaterThanOrEqual(2);
      for (let i = w.from; i + 1 < w.to; i++) {
        const key = `${i}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    // User 0 has one movie (no transition); users 1 and 2 have 2 + 12 transitions.
    expect(seen.size).toBe(2 + 12);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(windows.some((w) => w.user === 2 && w.to === 17)).toBe(true);
    const batch = fillBatch(seqs, [windows.find((w) => w.user === 1)!], L, 999, new Int32Array(0));
    expect(Array.from(batch.inputs)).toEqual([999, 999, 999, 101, 102]);
    expect(Array.from(batch.targets)).toEqual([999, 999, 999, 102, 103]);
    expect(Array.from(batch.mask)).toEqual([0, 0, 0, 1, 1]);
  });
});

describe('the negatives of a step', () => {
  const seqs = {
    offsets: Int32Array.from([0, 4, 9]),
    items: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 1, 2]),
  };
  const pool = Int32Array.from([0, 1, 2, 3, 4, 5, 6]);
  async function negativesSeen(negatives: number): Promise<number[][]> {
    const c = { ...config, negatives, epochs: 1, batchSize: 1, dropout: 0 };
    const table = new EmbeddingTable(8, c.dim, { seed: 1 });
    const dense = new DenseParams(
      denseShapes('sasrec', c).map((x) => x.shape),
      (_j, r, cols) => new Float32Array(r * cols).fill(0.01),
    );
    const trainer = new SequenceTrainer(tf, 'sasrec', c, table, dense);
    const seen: number[][] = [];
    trainer.trainBatch = (b) => (seen.push(Array.from(b.negatives)), 0);
    await trainer.fit(seqs, pool);
    return seen;
  }

  it('are every movie of the pool once when 0 are asked for (the full softmax), else a sample', async () => {
    const full = await negativesSeen(0);
    expect(full.length).toBe(2);
    for (const n of full) expect([...n].sort()).toEqual(Array.from(pool));
    const sampled = await negativesSeen(3);
    expect(sampled.every((n) => n.length === 3 && n.every((m) => pool.includes(m)))).toBe(true);
  });
});

describe.each(['sasrec', 'gru4rec'] as const)('%s on ordered data', (kind) => {
  it('puts the next movie of the cycle first, where EASE cannot tell next from previous', async () => {
    const ratings = cycleRatings(400, 120, 5);
    const split = ncfLooSplit(ratings, 1, { itemCount: 120 });
    const m = new SequentialModel(kind, {
      dim: 16,
      maxLen: 10,
      blocks: 1,
      dropout: 0,
      negatives: 32,
      epochs: 12,
      batchSize: 64,
      learningRate: 0.01,
      validateEvery: 4,
      patience: 10,
    });
    await m.fit(split.data);
    const ease = new Ease({ lambda: 10 });
    await ease.fit(split.data as InteractionData);
    const hr1 = (s: (u: number, i: Int32Array | null, o: Float32Array) => void): number =>
      evaluateSplit(split, s, { k: 1 }).hr!;
    const seq = hr1((u, i, o) => m.score(u, i, o));
    const blind = hr1((u, i, o) => ease.score(u, i, o));
    expect(seq).toBeGreaterThan(0.9);
    expect(seq).toBeGreaterThan(blind + 0.2);
  }, 120_000);
});

describe('a trained SASRec', () => {
  it('saves and loads to identical scores, explains by attention, and stops when cancelled', async () => {
    const ratings = cycleRatings(120, 60, 8);
    const split = ncfLooSplit(ratings, 1, { itemCount: 60 });
    const small = { dim: 8, maxLen: 8, blocks: 1, negatives: 16, epochs: 2, batchSize: 32 };
    const m = new SequentialModel('sasrec', small);
    await m.fit(split.data);
    const back = SequentialModel.load(structuredClone(m.save()));
    const a = new Float32Array(60);
    const b = new Float32Array(60);
    for (const u of [0, 5, 77]) {
      m.score(u, null, a);
      back.score(u, null, b);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
    const history = Array.from(m.historyOf(5));
    const view = m.attention(history);
    expect(view.items).toEqual(history.slice(-Math.min(history.length, 8)));
    expect(view.weights).toHaveLength(1);
    expect(view.weights[0]!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    const broken = m.save();
    broken.arrays.dense1 = new Float32Array(3);
    expect(() => SequentialModel.load(broken)).toThrow(/ln1g\.0 has 3 values/);

    const ctl = new AbortController();
    const stopped = new SequentialModel('sasrec', { ...small, epochs: 50 });
    let steps = 0;
    await expect(
      stopped.fit(split.data, {
        signal: ctl.signal,
        onProgress: () => {
          if (++steps === 3) ctl.abort();
        },
      }),
    ).rejects.toThrow();
    expect(steps).toBe(3);
  }, 60_000);
});
