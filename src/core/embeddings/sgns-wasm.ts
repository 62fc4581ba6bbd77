/**
 * The WebAssembly SIMD skip-gram kernel (source: wasm/sgns.ts, AssemblyScript).
 * Same algorithm and random stream as the plain-JS kernel; four floats per
 * instruction. The fastest trainer on a machine without a GPU (bench/embed.ts).
 */
import { WrenError } from '../errors.ts';
import { SGNS_WASM_BASE64 } from './sgns-wasm.generated.ts';
import { trainerWith, sigmoidTables, type Kernel, type KernelInput } from './sgns-driver.ts';

/** The kernel's exports (wasm/sgns.ts); the shared-memory build imports its memory instead. */
export interface SgnsExports {
  memory?: WebAssembly.Memory;
  setup(...args: number[]): void;
  setupDelayed(d0: number, d1: number, mark: number, touched: number, flushTokens: number): void;
  trainSentences(
    s0: number,
    s1: number,
    processed: number,
    total: number,
    lr0: number,
    lrMin: number,
  ): number;
  takeLoss(): number;
}

let compiled: Promise<WebAssembly.Module> | null = null;

function wasmBytes(): Uint8Array<ArrayBuffer> {
  const bin = atob(SGNS_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Whether this engine can run the SIMD kernel. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes());
  } catch {
    return false;
  }
}

/** Where a kernel's arrays lie in its memory (byte addresses from 64 KiB). */
export interface KernelLayout {
  /** syn0, syn1, the negative table, keep, the corpus, offsets, sigmoid, lossPos, lossNeg. */
  arrays: number[];
  /** Each thread's scratch blocks, in the order asked for. */
  scratch: number[][];
  /** The first byte past everything. */
  end: number;
}

/**
 * Lays out the kernel's input arrays (16-byte aligned), then `threads` sets
 * of scratch blocks of `scratch` bytes each, aligned to `scratchAlign`
 * (4096 keeps each thread's rows on pages of their own).
 */
export function kernelLayout(
  input: KernelInput,
  scratch: number[],
  threads = 1,
  scratchAlign = 16,
): KernelLayout {
  const tables = sigmoidTables();
  const f = input.syn0.length * 4;
  const sizes = [
    f, // syn0
    f, // syn1
    input.table.length * 4,
    input.keep.length * 4,
    input.rows.length * 4,
    input.offsets.length * 4,
    tables.sigmoid.length * 4,
    tables.lossPos.length * 4,
    tables.lossNeg.length * 4,
  ];
  let end = 65536;
  const arrays = sizes.map((s) => {
    const at = end;
    end += Math.ceil(s / 16) * 16;
    return at;
  });
  const blocks = Array.from({ length: threads }, () =>
    scratch.map((s) => {
      const at = end;
      end += Math.ceil(s / scratchAlign) * scratchAlign;
      return at;
    }),
  );
  return { arrays, scratch: blocks, end };
}

/** Copies the input arrays and the sigmoid tables to their places in `mem` (syn1 stays zero). */
export function writeKernelInput(mem: ArrayBufferLike, l: KernelLayout, input: KernelInput): void {
  const tables = sigmoidTables();
  const at = l.arrays;
  new Float32Array(mem, at[0], input.syn0.length).set(input.syn0);
  new Int32Array(mem, at[2], input.table.length).set(input.table);
  new Float32Array(mem, at[3], input.keep.length).set(input.keep);
  new Int32Array(mem, at[4], input.rows.length).set(input.rows);
  new Int32Array(mem, at[5], input.offsets.length).set(input.offsets);
  new Float32Array(mem, at[6], tables.sigmoid.length).set(tables.sigmoid);
  new Float32Array(mem, at[7], tables.lossPos.length).set(tables.lossPos);
  new Float32Array(mem, at[8], tables.lossNeg.length).set(tables.lossNeg);
}

/** The arguments of the kernel's setup(): settings, `seed`, and where the arrays and this thread's neu and buf are. */
export function setupArgs(
  input: KernelInput,
  l: KernelLayout,
  neu: number,
  buf: number,
  seed: number,
): number[] {
  const { dim, window, negatives } = input.settings;
  const [syn0, syn1, table, keep, corpus, offsets, sigmoid, lossPos, lossNeg] = l.arrays;
  return [
    dim,
    window,
    negatives,
    input.table.length - 1,
    seed >>> 0,
    syn0!,
    syn1!,
    table!,
    keep!,
    corpus!,
    offsets!,
    neu,
    buf,
    sigmoid!,
    lossPos!,
    lossNeg!,
  ];
}

export async function wasmKernel(input: KernelInput): Promise<Kernel> {
  if (!wasmSimdSupported())
    throw new WrenError('backend', 'This browser has no WebAssembly SIMD; use the JS trainer.');
  compiled ??= WebAssembly.compile(wasmBytes());
  const instance = await WebAssembly.instantiate(await compiled, {
    env: {
      abort: () => {
        throw new WrenError('internal', 'The WebAssembly trainer aborted.');
      },
    },
  });
  const w = instance.exports as unknown as SgnsExports;
  const l = kernelLayout(input, [input.settings.dim * 4, input.longest * 4]);
  const pages = Math.ceil(l.end / 65536) - w.memory!.buffer.byteLength / 65536;
  if (pages > 0) w.memory!.grow(pages);
  writeKernelInput(w.memory!.buffer, l, input);
  const [neu, buf] = l.scratch[0]!;
  w.setup(...setupArgs(input, l, neu!, buf!, input.seed));
  const lr0 = input.settings.learningRate;
  const lrMin = input.settings.minLearningRate;
  return {
    engine: 'wasm-simd',
    trainSentences: (s0, s1, processed, total) =>
      w.trainSentences(s0, s1, processed, total, lr0, lrMin),
    takeLoss: () => w.takeLoss(),
    vectors: () => new Float32Array(w.memory!.buffer, l.arrays[0], input.syn0.length).slice(),
    dispose: () => undefined,
  };
}

/** Trains item vectors with the WebAssembly SIMD kernel. */
export const trainSgnsWasm = trainerWith(wasmKernel);
