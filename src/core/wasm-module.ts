/**
 * The generated WebAssembly kernels (scripts/build-wasm.mjs) ship as base64
 * text so node, a page and a worker load them alike. This compiles one once,
 * on first use, or gives null where the engine has no WebAssembly or rejects
 * the module (no SIMD).
 */
export function wasmModule(base64: string): () => Promise<WebAssembly.Module | null> {
  let compiled: Promise<WebAssembly.Module | null> | null = null;
  return () => {
    compiled ??= (async () => {
      if (typeof WebAssembly !== 'object') return null;
      const bin = atob(base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      if (!WebAssembly.validate(bytes)) return null;
      return WebAssembly.compile(bytes);
    })();
    return compiled;
  };
}
