/**
 * The WebAssembly SIMD skip-gram kernel (source: wasm/sgns.ts, AssemblyScript).
 * Same algorithm and random stream as the plain-JS kernel; four floats per
 * instruction. The fastest trainer on a machine without a GPU (bench/embed.ts).
 */
import { WrenError } from '../errors.ts';
import type { Sequences } from '../features/sequences.ts';
import { SGNS_WASM_BASE64 } from './sgns-wasm.generated.ts';
import {
  runKernel,
  sigmoidTables,
  type Kernel,
  type KernelInput,
  type TrainResult,
} from './sgns-driver.ts';
import type { SgnsSettings, TrainOptions } from './sgns.ts';

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

/** Places each array in the module's memory, 16-byte aligned; returns the byte offsets. */
function layout(sizes: number[], base: number): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let at = base;
  for (const s of sizes) {
    offsets.push(at);
    at += Math.ceil(s / 16) * 16;
  }
  return { offsets, end: at };
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
  const { dim, window, negatives } = input.settings;
  const { rows, offsets, keep, table } = input;
  const { longest } = input;
  const tables = sigmoidTables();
  const f = input.syn0.length * 4;
  const { offsets: at, end } = layout(
    [
      f, // syn0
      f, // syn1
      table.length * 4,
      keep.length * 4,
      rows.length * 4,
      offsets.length * 4,
      dim * 4, // neu
      longest * 4, // buf
      tables.sigmoid.length * 4,
      tables.lossPos.length * 4,
      tables.lossNeg.length * 4,
    ],
    65536,
  );
  const pages = Math.ceil(end / 65536) - w.memory!.buffer.byteLength / 65536;
  if (pages > 0) w.memory!.grow(pages);
  const mem = w.memory!.buffer;
  const p = (i: number): number => at[i]!;
  new Float32Array(mem, p(0), input.syn0.length).set(input.syn0);
  new Int32Array(mem, p(2), table.length).set(table);
  new Float32Array(mem, p(3), keep.length).set(keep);
  new Int32Array(mem, p(4), rows.length).set(rows);
  new Int32Array(mem, p(5), offsets.length).set(offsets);
  new Float32Array(mem, p(8), tables.sigmoid.length).set(tables.sigmoid);
  new Float32Array(mem, p(9), tables.lossPos.length).set(tables.lossPos);
  new Float32Array(mem, p(10), tables.lossNeg.length).set(tables.lossNeg);
  w.setup(dim, window, negatives, table.length - 1, input.seed >>> 0, ...at);
  const lr0 = input.settings.learningRate;
  const lrMin = input.settings.minLearningRate;
  return {
    engine: 'wasm-simd',
    trainSentences: (s0, s1, processed, total) =>
      w.trainSentences(s0, s1, processed, total, lr0, lrMin),
    takeLoss: () => w.takeLoss(),
    vectors: () => new Float32Array(w.memory!.buffer, p(0), input.syn0.length).slice(),
    dispose: () => undefined,
  };
}

/** Trains item vectors with the WebAssembly SIMD kernel. */
export const trainSgnsWasm = (
  corpus: Sequences,
  itemCount: number,
  settings: SgnsSettings,
  opts: TrainOptions = {},
): Promise<TrainResult> => runKernel(corpus, itemCount, settings, wasmKernel, opts);
