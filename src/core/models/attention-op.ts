/**
 * SASRec's causal self-attention as one tfjs op whose forward and backward
 * run in a WebAssembly SIMD kernel (wasm/attention.ts) over the causal
 * triangle only. tfjs' wasm backend runs a batched (rank-3) matMul through a
 * slow generic loop (../shared/browser.md: ~15× a 2-D product), and attention
 * is six of them per block per step; on webgl/webgpu the batched op stays
 * (the data would otherwise leave the GPU twice per block).
 */
import type * as TF from '@tensorflow/tfjs';
import { ATTENTION_WASM_BASE64 } from './attention-wasm.generated.ts';
import { wasmModule } from '../wasm-module.ts';
import type { Attention } from './sequential-net.ts';

type Tf = typeof TF;

interface AttentionExports {
  memory: WebAssembly.Memory;
  forward(
    q: number,
    k: number,
    v: number,
    mask: number,
    p: number,
    out: number,
    B: number,
    L: number,
    d: number,
    scale: number,
  ): void;
  backward(
    dout: number,
    q: number,
    k: number,
    v: number,
    p: number,
    dq: number,
    dk: number,
    dv: number,
    tmp: number,
    B: number,
    L: number,
    d: number,
    scale: number,
  ): void;
}

const attentionModule = wasmModule(ATTENTION_WASM_BASE64);

/** The kernel's two passes on plain arrays (what the tfjs op and the tests call). */
export interface AttentionKernel {
  /** out and the weights p (B·L·L) from q, k, v (B·L·d) and the key mask (B·L). */
  forward(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    mask: Float32Array,
    B: number,
    L: number,
    d: number,
  ): { out: Float32Array; p: Float32Array };
  backward(
    dout: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    p: Float32Array,
    B: number,
    L: number,
    d: number,
  ): { dq: Float32Array; dk: Float32Array; dv: Float32Array };
}

/** The WebAssembly kernel, or null where the engine has no WebAssembly SIMD. */
export async function attentionKernel(): Promise<AttentionKernel | null> {
  const module = await attentionModule();
  if (!module) return null;
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort: () => {
        throw new Error('the WebAssembly attention aborted');
      },
    },
  });
  const w = instance.exports as unknown as AttentionExports;
  const base = 65536;
  /** Byte offsets of `sizes` floats each, 16-byte aligned, growing memory to fit. */
  const layout = (sizes: number[]): number[] => {
    const at: number[] = [];
    let end = base;
    for (const n of sizes) {
      at.push(end);
      end += Math.ceil((n * 4) / 16) * 16;
    }
    const pages = Math.ceil(end / 65536) - w.memory.buffer.byteLength / 65536;
    if (pages > 0) w.memory.grow(pages);
    return at;
  };
  const f32 = (at: number, n: number): Float32Array => new Float32Array(w.memory.buffer, at, n);
  return {
    forward(q, k, v, mask, B, L, d) {
      const n = B * L * d;
      const [aq, ak, av, am, ap, ao] = layout([n, n, n, B * L, B * L * L, n]) as number[];
      f32(aq!, n).set(q);
      f32(ak!, n).set(k);
      f32(av!, n).set(v);
      f32(am!, B * L).set(mask);
      w.forward(aq!, ak!, av!, am!, ap!, ao!, B, L, d, 1 / Math.sqrt(d));
      return { out: f32(ao!, n).slice(), p: f32(ap!, B * L * L).slice() };
    },
    backward(dout, q, k, v, p, B, L, d) {
      const n = B * L * d;
      const [ag, aq, ak, av, ap, adq, adk, adv, at] = layout([
        n,
        n,
        n,
        n,
        B * L * L,
        n,
        n,
        n,
        L,
      ]) as number[];
      f32(ag!, n).set(dout);
      f32(aq!, n).set(q);
      f32(ak!, n).set(k);
      f32(av!, n).set(v);
      f32(ap!, B * L * L).set(p);
      w.backward(ag!, aq!, ak!, av!, ap!, adq!, adk!, adv!, at!, B, L, d, 1 / Math.sqrt(d));
      return { dq: f32(adq!, n).slice(), dk: f32(adk!, n).slice(), dv: f32(adv!, n).slice() };
    },
  };
}

/** The kernel as a tfjs attention op (its gradient included). */
export function kernelAttention(tf: Tf, kernel: AttentionKernel): Attention {
  return (q, k, v, { B, L, keyMask }) => {
    const d = q.shape[1];
    const op = tf.customGrad((...args) => {
      const [tq, tk, tv] = args as [TF.Tensor2D, TF.Tensor2D, TF.Tensor2D];
      const qa = tq.dataSync() as Float32Array;
      const ka = tk.dataSync() as Float32Array;
      const va = tv.dataSync() as Float32Array;
      const { out, p } = kernel.forward(qa, ka, va, keyMask, B, L, d);
      return {
        value: tf.tensor2d(out, [B * L, d]),
        gradFunc: (dy: TF.Tensor) => {
          const g = kernel.backward(dy.dataSync() as Float32Array, qa, ka, va, p, B, L, d);
          return [
            tf.tensor2d(g.dq, [B * L, d]),
            tf.tensor2d(g.dk, [B * L, d]),
            tf.tensor2d(g.dv, [B * L, d]),
          ];
        },
      };
    });
    return op(q, k, v) as TF.Tensor2D;
  };
}

/**
 * The attention op for the active backend: the WebAssembly kernel on the
 * wasm and cpu backends (when d is a multiple of 4 and the engine has SIMD),
 * else null (the caller keeps tfjs' batched products).
 */
export async function fastAttention(tf: Tf, dim: number): Promise<Attention | null> {
  if (dim % 4 !== 0 || !['wasm', 'cpu'].includes(tf.getBackend())) return null;
  const kernel = await attentionKernel();
  return kernel ? kernelAttention(tf, kernel) : null;
}
