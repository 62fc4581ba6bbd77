/**
 * tfjs engines for the workers, loaded on demand (tfjs is 2 MB).
 * The wasm backend's files are served by this site (emitted by Vite, precached
 * by the service worker), never fetched from a CDN.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { EngineSpec } from '../src/core/embeddings/engines.ts';
import { tfKernel } from '../src/core/embeddings/sgns-tf.ts';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/**
 * The threads tfjs's wasm backend starts (its threaded build runs only on a
 * cross-origin isolated page): Wren's training-thread setting rather than
 * tfjs's own default of half the cores. Read once, when the backend first
 * starts in this worker; later calls change nothing.
 */
export function wasmThreads(threads: number): void {
  setThreadsCount(Math.max(1, Math.floor(threads)));
}

/** True when the GPU behind WebGPU/WebGL is a software fallback (SwiftShader): a CPU in disguise. */
export async function softwareGpu(backend: 'webgpu' | 'webgl'): Promise<boolean> {
  if (backend === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = (await gpu?.requestAdapter()) as
      | { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean; vendor?: string } }
      | null
      | undefined;
    if (!adapter) return true;
    return Boolean(adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter);
  }
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return true;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(
    ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
  );
  return /swiftshader|llvmpipe|software/i.test(renderer);
}

/** Makes `backend` tfjs's backend; false where it cannot start here (no GPU, no wasm). */
export async function activateBackend(backend: string): Promise<boolean> {
  try {
    return (await tf.setBackend(backend)) && tf.getBackend() === backend;
  } catch {
    return false;
  }
}

/**
 * The tfjs engines. With `includeSoftware` false, WebGPU and WebGL on a
 * software rasteriser report themselves unavailable (they are 10–40× slower
 * than wasm there; ../shared/browser.md), so the automatic probe skips them.
 */
export function tfEngines(includeSoftware: boolean): EngineSpec[] {
  const spec = (backend: string): EngineSpec => ({
    name: `tfjs-${backend}`,
    async activate() {
      if ((backend === 'webgpu' || backend === 'webgl') && !includeSoftware) {
        if (await softwareGpu(backend)) return false;
      }
      return activateBackend(backend);
    },
    kernel: (input) => tfKernel(input),
  });
  return ['webgpu', 'webgl', 'wasm', 'cpu'].map(spec);
}
