/**
 * An epoch's samples are streamed (EpochSamples.fill, fillSamples) rather
 * than materialised: the streamed samples are the ones the materialised epoch
 * gave for a seed (a copy of that code is the reference here), wherever the
 * chunks are cut and wherever the source's arrays are kept; and what the
 * WebAssembly kernel's threads hold of them does not grow with the data.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import {
  cataloguePool,
  ncfLooSplit,
  type InteractionData,
} from '../../../src/core/eval/protocols.ts';
import { Random } from '../../../src/core/random.ts';
import { CHUNK_BATCHES } from '../../../src/core/train/ncf-trainer.ts';
import { ncfLayout, sourceViews } from '../../../src/core/train/ncf-wasm.ts';
import {
  EpochSamples,
  fillSamples,
  sampleLengths,
} from '../../../src/core/train/sparse-trainer.ts';

const ds = generateDataset({
  ratings: 5_000,
  users: 90,
  movies: 200,
  seed: 6,
  demographics: false,
});
const { data } = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length, negatives: 50 });

/** The epochs as the trainer materialised them before it streamed them (its code, kept). */
function materialised(
  d: InteractionData,
  negatives: number,
  seed: number,
  epochs: number,
): { users: Int32Array; items: Int32Array; labels: Float32Array }[] {
  // Each user's distinct movies, sorted, as sortedHistories built them.
  const hist = { offsets: new Int32Array(d.userCount + 1), items: [] as number[] };
  for (let u = 0; u < d.userCount; u++) {
    const run = d.train.items.subarray(d.train.offsets[u]!, d.train.offsets[u + 1]!);
    hist.items.push(...[...new Set(run)].sort((a, b) => a - b));
    hist.offsets[u + 1] = hist.items.length;
  }
  const pool = cataloguePool(d.catalogue);
  const rng = new Random(seed, 0x545241);
  const n = d.train.items.length * (1 + negatives);
  const has = (from: number, to: number, m: number): boolean =>
    hist.items.slice(from, to).includes(m);
  const out = [];
  for (let e = 0; e < epochs; e++) {
    const raw = { users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
    let s = 0;
    for (let u = 0; u < d.userCount; u++) {
      const from = hist.offsets[u]!;
      const to = hist.offsets[u + 1]!;
      const full = to - from >= pool.length;
      for (let i = d.train.offsets[u]!; i < d.train.offsets[u + 1]!; i++) {
        raw.users[s] = u;
        raw.items[s] = d.train.items[i]!;
        raw.labels[s++] = 1;
        for (let k = 0; k < negatives; k++) {
          let m = pool[rng.int(pool.length)]!;
          while (!full && has(from, to, m)) m = pool[rng.int(pool.length)]!;
          raw.users[s] = u;
          raw.items[s] = m;
          raw.labels[s++] = 0;
        }
      }
    }
    const order = Int32Array.from({ length: n }, (_, i) => i);
    rng.shuffle(order);
    out.push({
      users: order.map((o) => raw.users[o]!),
      items: order.map((o) => raw.items[o]!),
      labels: Float32Array.from(order, (o) => raw.labels[o]!),
    });
  }
  return out;
}

/** Every sample of the epoch through `fill`, in chunks of `chunk` (a buffer reused, as the trainers do). */
function streamed(samples: EpochSamples, chunk: number) {
  const n = samples.total;
  const all = { users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
  const buf = {
    users: new Int32Array(chunk),
    items: new Int32Array(chunk),
    labels: new Float32Array(chunk),
  };
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    buf.users.fill(-7);
    samples.fill(from, to, buf.users, buf.items, buf.labels);
    all.users.set(buf.users.subarray(0, to - from), from);
    all.items.set(buf.items.subarray(0, to - from), from);
    all.labels.set(buf.labels.subarray(0, to - from), from);
  }
  return all;
}

describe('EpochSamples', () => {
  it('streams, epoch after epoch, the samples the materialised epochs gave for a seed', () => {
    for (const [negatives, seed, chunk] of [
      [4, 1, 256],
      [2, 9, 1000],
      [0, 3, 77],
    ] as const) {
      const want = materialised(data, negatives, seed, 2);
      const samples = new EpochSamples(data, { negatives, seed });
      expect(samples.total).toBe(data.train.items.length * (1 + negatives));
      for (const epoch of want) {
        samples.next();
        expect(streamed(samples, chunk)).toEqual(epoch);
      }
    }
  });

  it('finds the user of every sample around users with no training interactions', () => {
    // Users 0, 2, 3 and 5 have none; 1 (who had movie 2 twice) and 4 share the catalogue's 12.
    const items = Int32Array.from([2, 0, 2, 3, 9, 5, 6]);
    const d: InteractionData = {
      userCount: 6,
      itemCount: 12,
      train: { offsets: Int32Array.from([0, 0, 4, 4, 4, 7, 7]), items },
      trainRatings: new Uint8Array(7).fill(8),
      trainTimes: new Uint32Array(7),
      catalogue: new Uint8Array(12).fill(1),
    };
    const samples = new EpochSamples(d, { negatives: 3, seed: 4 });
    samples.next();
    const got = streamed(samples, 5);
    expect(got).toEqual(materialised(d, 3, 4, 1)[0]);
    expect(new Set(got.users)).toEqual(new Set([1, 4]));
  });

  it('keeps its source in the arrays it is given (a helper reads the same samples from them)', () => {
    const negatives = 4;
    for (const narrow of [true, false]) {
      const n = sampleLengths(data, negatives);
      expect(n.narrow).toBe(true);
      const s = 4 * n.offsets;
      const p = s + 4 * n.positives;
      const q = p + (narrow ? 2 : 4) * n.drawn;
      const buffer = new ArrayBuffer(q + 4 * n.order);
      const layout = {
        offsets: [0, n.offsets] as [number, number],
        positives: [s, n.positives] as [number, number],
        drawn: [p, n.drawn] as [number, number],
        order: [q, n.order] as [number, number],
        narrow,
      };
      const store = sourceViews(buffer, layout);
      expect(store.drawn).toBeInstanceOf(narrow ? Uint16Array : Int32Array);
      const samples = new EpochSamples(data, { negatives, seed: 2 }, store);
      samples.next();
      expect(samples.source.order.buffer).toBe(buffer);
      expect(samples.source.drawn.buffer).toBe(buffer);
      expect(store.positives).toEqual(data.train.items);
      // What a helper thread does: views on the same memory, filled without the EpochSamples.
      const views = { negatives, ...sourceViews(buffer, layout) };
      const m = 300;
      const a = {
        users: new Int32Array(m),
        items: new Int32Array(m),
        labels: new Float32Array(m),
      };
      fillSamples(views, 1000, 1000 + m, a.users, a.items, a.labels);
      const want = materialised(data, negatives, 2, 1)[0]!;
      expect(a.users).toEqual(want.users.subarray(1000, 1000 + m));
      expect(a.items).toEqual(want.items.subarray(1000, 1000 + m));
      expect(a.labels).toEqual(want.labels.subarray(1000, 1000 + m));
    }
  });

  it('keeps the negatives in 2 bytes each where movie indexes fit, else in 4', () => {
    const wide = { ...data, itemCount: 70_000 };
    expect(new EpochSamples(data, { negatives: 2, seed: 1 }).source.drawn).toBeInstanceOf(
      Uint16Array,
    );
    expect(new EpochSamples(wide, { negatives: 2, seed: 1 }).source.drawn).toBeInstanceOf(
      Int32Array,
    );
  });
});

describe('the kernel’s memory for samples', () => {
  // NeuMF with 4 factors and a tower 8 → 4: four tables of 4-wide rows, and 45 dense weights
  // (the tower's 8 × 4 + 4, the output layer's 8 + 1).
  const shape = { factors: 4, tower: [8, 4] };
  const rows = [10, 20, 10, 20];
  const adam = (n: number) => ({
    w: new Float32Array(n),
    m: new Float32Array(n),
    v: new Float32Array(n),
  });
  const arrays = { tables: rows.map((r) => adam(r * 4)), dense: adam(45) };
  const batch = 256;
  const chunk = CHUNK_BATCHES * batch;
  const lengths = (interactions: number, users: number, itemCount = 70_000) =>
    sampleLengths(
      {
        userCount: users,
        itemCount,
        train: { offsets: new Int32Array(users + 1), items: new Int32Array(interactions) },
      },
      4,
    );

  it('gives each thread a buffer of one chunk of batches, whatever the data’s size', () => {
    const small = ncfLayout(shape, arrays, rows, chunk, batch, 3, lengths(1_000, 10));
    const big = ncfLayout(shape, arrays, rows, chunk, batch, 3, lengths(1_000_000, 5_000));
    // The threads' part (descriptors, scratch, buffers) is as large for both.
    const threadsPart = (l: typeof small) => l.end - l.descs[0]!;
    expect(threadsPart(big)).toBe(threadsPart(small));
    for (const l of [small, big]) {
      expect(l.chunk).toBe(CHUNK_BATCHES * batch);
      expect(l.buffers).toHaveLength(3);
      for (const [u, i, y] of l.buffers) expect([i - u, y - i]).toEqual([chunk * 4, chunk * 4]);
    }
    // Only the shared source grows: 4 bytes per offset, positive, negative and sample (with
    // more than 65,536 movies; else 2 per negative).
    const narrow = ncfLayout(shape, arrays, rows, chunk, batch, 3, lengths(1_000_000, 5_000, 900));
    // (Descriptors start on a 4 KiB page.)
    expect(Math.abs(big.descs[0]! - narrow.descs[0]! - 2 * 4_000_000)).toBeLessThan(4096);
    const grown = big.descs[0]! - small.descs[0]!;
    const words = (n: ReturnType<typeof lengths>) => n.offsets + n.positives + n.drawn + n.order;
    expect(grown).toBeGreaterThanOrEqual(
      4 * (words(lengths(1_000_000, 5_000)) - words(lengths(1_000, 10))),
    );
    expect(grown).toBeLessThan(
      4 * (words(lengths(1_000_000, 5_000)) - words(lengths(1_000, 10))) + 8192,
    );
  });

  it('lays out no samples at all for one thread (it fills its buffer from the data where it is)', () => {
    const l = ncfLayout(shape, arrays, rows, chunk, batch, 1);
    expect(l.source).toBeUndefined();
    const modelBytes = [...arrays.tables, arrays.dense].reduce((a, t) => a + 12 * t.w.length, 0);
    // The model's arrays, one descriptor with its scratch and buffer: well under a megabyte.
    expect(l.end - 65536).toBeLessThan(modelBytes + 3 * 4 * chunk + 64 * 1024);
  });
});
