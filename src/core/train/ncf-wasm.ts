/**
 * The WebAssembly SIMD step of GMF, MLP and NeuMF (wasm/ncf.ts): where its
 * arrays lie in the kernel's memory, the descriptor each thread's instance
 * reads, and the copies of the model's arrays in and out.
 *
 * Memory from 64 KiB on (below is the kernel's own): every table's weights
 * and Adam moments, the dense weights and theirs, where threads share it the
 * epoch's sample source (the positives, the drawn negatives and the order:
 * see EpochSamples), then per thread a descriptor, its scratch and its buffer
 * of samples (one chunk of batches, refilled as the epoch goes) on pages of
 * its own. Nothing per thread grows with the data.
 */
import { wasmModule } from '../wasm-module.ts';
import type { AdamSettings } from './embedding-table.ts';
import type { AdamArrays, NcfArrays, NcfShape } from './ncf-kernel.ts';
import type { SampleSource } from './sparse-trainer.ts';
import { NCF_SHARED_WASM_BASE64 } from './ncf-shared-wasm.generated.ts';
import { NCF_WASM_BASE64 } from './ncf-wasm.generated.ts';

export const ncfModule = wasmModule(NCF_WASM_BASE64);
export const ncfSharedModule = wasmModule(NCF_SHARED_WASM_BASE64);

/** The kernel's exports. */
export interface NcfExports {
  memory?: WebAssembly.Memory;
  setup(desc: number): void;
  trainBatch(
    from: number,
    to: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    l2: number,
  ): number;
}

type SourceArray = Exclude<keyof SampleSource, 'negatives'>;

/** The lengths of a {@link SampleSource}'s arrays; `narrow`: `drawn` has 2-byte elements. */
export type SourceLengths = Record<SourceArray, number> & { narrow: boolean };

/** Where a sample source lies: [byte address, length] of each array. */
export type SourceLayout = Record<SourceArray, [number, number]> & { narrow: boolean };

/** Where the arrays lie: byte addresses. */
export interface NcfLayout {
  /** Per table and for the dense weights (last): w, m, v. */
  arrays: [number, number, number][];
  /** The shared sample source, where one was laid out. */
  source?: SourceLayout;
  /** Samples each thread's buffer holds. */
  chunk: number;
  /** Each thread's sample buffer: users, items, labels. */
  buffers: [number, number, number][];
  /** Each thread's descriptor address. */
  descs: number[];
  /** Each thread's descriptor words. */
  words: Int32Array[];
  /** Rows of each table (the length of each slot map). */
  rows: number[];
  end: number;
}

const MAX_LAYERS = 8;
const DESC_WORDS = 102;

/** Tower layers a kernel can take. */
export const NCF_WASM_MAX_LAYERS = MAX_LAYERS;

/**
 * Lays out a network's arrays, a sample source of `source`'s lengths (where
 * given) and `threads` threads' scratch for batches of `batchSize` and
 * buffers of `chunk` samples.
 */
export function ncfLayout(
  shape: NcfShape,
  arrays: NcfArrays,
  tableRows: number[],
  chunk: number,
  batchSize: number,
  threads: number,
  source?: SourceLengths,
): NcfLayout {
  let at = 65536;
  const take = (bytes: number, align = 16): number => {
    at = Math.ceil(at / align) * align;
    const a = at;
    at += bytes;
    return a;
  };
  const all = [...arrays.tables, arrays.dense];
  const placed = all.map(
    (a) =>
      [take(a.w.length * 4), take(a.m.length * 4), take(a.v.length * 4)] as [
        number,
        number,
        number,
      ],
  );
  let placedSource: SourceLayout | undefined;
  if (source) {
    const at = (n: number, bytes = 4): [number, number] => [take(n * bytes), n];
    placedSource = {
      offsets: at(source.offsets),
      positives: at(source.positives),
      drawn: at(source.drawn, source.narrow ? 2 : 4),
      order: at(source.order),
      narrow: source.narrow,
    };
  }
  const F = shape.factors;
  const sizes = shape.tower;
  const L = Math.max(0, sizes.length - 1);
  const E = L ? sizes[0]! / 2 : 0;
  const width = F + (L ? sizes[L]! : 0);
  const denseN = arrays.dense.w.length;
  const dims = arrays.tables.map((t, j) => t.w.length / tableRows[j]!);
  const descs: number[] = [];
  const words: Int32Array[] = [];
  const buffers: [number, number, number][] = [];
  for (let th = 0; th < threads; th++) {
    const d = new Int32Array(DESC_WORDS);
    const desc = take(DESC_WORDS * 4, 4096);
    d.set([F, E, L, arrays.tables.length, width, denseN], 0);
    let off = 0;
    for (let l = 1; l <= L; l++) {
      d[30 + l - 1] = off;
      off += sizes[l - 1]! * sizes[l]! * 4;
      d[40 + l - 1] = off;
      off += sizes[l]! * 4;
    }
    d[6] = off;
    d[7] = off + width * 4;
    if (d[7]! / 4 + 1 !== denseN)
      throw new RangeError(`ncfLayout: ${denseN} dense weights for ${d[7]! / 4 + 1}`);
    const dense = placed.at(-1)!;
    d.set([dense[0], dense[1], dense[2], take(denseN * 4), take(width * 4), take(width * 4)], 8);
    const buffer: [number, number, number] = [take(chunk * 4), take(chunk * 4), take(chunk * 4)];
    d.set(buffer, 14);
    buffers.push(buffer);
    // The tower's widths, activations and their gradients (none without a tower).
    for (let l = 0; l < sizes.length; l++) {
      d[20 + l] = sizes[l]!;
      d[50 + l] = take(sizes[l]! * 4);
      d[60 + l] = take(sizes[l]! * 4);
    }
    arrays.tables.forEach((_, t) => {
      const [w, m, v] = placed[t]!;
      const slot = take(tableRows[t]! * 4);
      const touched = take(batchSize * 4);
      const sum = take(batchSize * dims[t]! * 4);
      d.set([w, m, v, slot, touched, sum, dims[t]!, 0], 70 + 8 * t);
    });
    descs.push(desc);
    words.push(d);
    at = Math.ceil(at / 4096) * 4096;
  }
  return {
    arrays: placed,
    source: placedSource,
    chunk,
    buffers,
    descs,
    words,
    rows: tableRows,
    end: at,
  };
}

/** Writes every descriptor, clears the slot maps (−1) and copies the model's arrays in. */
export function writeNcfInput(buffer: ArrayBufferLike, l: NcfLayout, arrays: NcfArrays): void {
  l.words.forEach((d, th) => {
    new Int32Array(buffer, l.descs[th]!, d.length).set(d);
    l.rows.forEach((rows, t) => new Int32Array(buffer, d[70 + 8 * t + 3]!, rows).fill(-1));
  });
  copyArrays(buffer, l, arrays, 'in');
}

/** Copies w, m and v of every array into the kernel's memory or back out of it. */
export function copyArrays(
  buffer: ArrayBufferLike,
  l: NcfLayout,
  arrays: NcfArrays,
  way: 'in' | 'out',
): void {
  const all: AdamArrays[] = [...arrays.tables, arrays.dense];
  all.forEach((a, j) => {
    (['w', 'm', 'v'] as const).forEach((k, i) => {
      const view = new Float32Array(buffer, l.arrays[j]![i]!, a[k].length);
      if (way === 'in') view.set(a[k]);
      else a[k].set(view);
    });
  });
}

/** The arrays of a sample source laid out in `buffer`. */
export function sourceViews(
  buffer: ArrayBufferLike,
  s: SourceLayout,
): Omit<SampleSource, 'negatives'> {
  const view = ([at, n]: [number, number]): Int32Array => new Int32Array(buffer, at, n);
  const [at, n] = s.drawn;
  return {
    offsets: view(s.offsets),
    positives: view(s.positives),
    drawn: s.narrow ? new Uint16Array(buffer, at, n) : view(s.drawn),
    order: view(s.order),
  };
}

/** A thread's sample buffer (`buffers[th]` of a layout, `chunk` samples) in `buffer`. */
export function bufferViews(
  buffer: ArrayBufferLike,
  [users, items, labels]: [number, number, number],
  chunk: number,
): { users: Int32Array; items: Int32Array; labels: Float32Array } {
  return {
    users: new Int32Array(buffer, users, chunk),
    items: new Int32Array(buffer, items, chunk),
    labels: new Float32Array(buffer, labels, chunk),
  };
}

/** The step's bias-corrected learning rate (TensorFlow's Adam). */
export function adamRate(s: AdamSettings, step: number): number {
  return (s.learningRate * Math.sqrt(1 - s.beta2 ** step)) / (1 - s.beta1 ** step);
}

/** One batch through an instance: samples [from, to) at global step `step`. */
export function wasmBatch(
  w: NcfExports,
  from: number,
  to: number,
  step: number,
  s: AdamSettings,
): number {
  return w.trainBatch(from, to, adamRate(s, step), s.beta1, s.beta2, s.epsilon, s.l2);
}
