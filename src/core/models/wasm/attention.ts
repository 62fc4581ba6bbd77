// AssemblyScript, not TypeScript (f32x4, v128, load<T>, usize): SASRec's
// causal self-attention for B windows of L positions, forward and backward,
// in WebAssembly with 128-bit SIMD (four float32 lanes over the hidden
// width d, a multiple of 4). Compiled by `npm run build:wasm` into
// ../attention-wasm.generated.ts; the caller owns the memory layout and
// passes byte addresses. Rows are batch-major: row b·L + i is window b's
// position i. Position i attends to positions j ≤ i whose key mask is set;
// a position with no such key (left padding) gets weights 0 and output 0.
// Only the causal triangle is computed, half of what a batched product does.

/** Σ_t a[t]·b[t] over d floats. */
@inline
function dot(a: usize, b: usize, d: i32): f32 {
  let acc = f32x4.splat(0);
  const end = a + ((<usize>d) << 2);
  for (; a < end; a += 16, b += 16) acc = f32x4.add(acc, f32x4.mul(v128.load(a), v128.load(b)));
  return (
    f32x4.extract_lane(acc, 0) +
    f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) +
    f32x4.extract_lane(acc, 3)
  );
}

/** y[t] += s·x[t] over d floats. */
@inline
function axpy(y: usize, s: f32, x: usize, d: i32): void {
  const sv = f32x4.splat(s);
  const end = y + ((<usize>d) << 2);
  for (; y < end; y += 16, x += 16) v128.store(y, f32x4.add(v128.load(y), f32x4.mul(sv, v128.load(x))));
}

/**
 * out = softmax(q·kᵀ·scale, causal + key mask)·v; p (B·L·L) keeps the
 * weights for the backward pass.
 */
export function forward(
  q: usize,
  k: usize,
  v: usize,
  mask: usize,
  p: usize,
  out: usize,
  B: i32,
  L: i32,
  d: i32,
  scale: f32,
): void {
  const rowBytes = (<usize>d) << 2;
  for (let b: i32 = 0; b < B; b++) {
    const base = b * L;
    for (let i: i32 = 0; i < L; i++) {
      const r = base + i;
      const pr = p + ((<usize>(r * L)) << 2);
      const qr = q + <usize>r * rowBytes;
      let max: f32 = -Infinity;
      memory.fill(pr, 0, (<usize>L) << 2);
      for (let j: i32 = 0; j <= i; j++) {
        let s: f32 = -Infinity;
        if (load<f32>(mask + ((<usize>(base + j)) << 2)) != 0)
          s = dot(qr, k + <usize>(base + j) * rowBytes, d) * scale;
        store<f32>(pr + ((<usize>j) << 2), s);
        if (s > max) max = s;
      }
      const o = out + <usize>r * rowBytes;
      memory.fill(o, 0, rowBytes);
      if (max == -Infinity) {
        memory.fill(pr, 0, (<usize>L) << 2);
        continue;
      }
      let sum: f32 = 0;
      for (let j: i32 = 0; j <= i; j++) {
        const at = pr + ((<usize>j) << 2);
        const e: f32 = Mathf.exp(load<f32>(at) - max);
        store<f32>(at, e);
        sum += e;
      }
      const inv: f32 = 1 / sum;
      for (let j: i32 = 0; j <= i; j++) {
        const at = pr + ((<usize>j) << 2);
        const w = load<f32>(at) * inv;
        store<f32>(at, w);
        if (w != 0) axpy(o, w, v + <usize>(base + j) * rowBytes, d);
      }
    }
  }
}

/**
 * Gradients of `forward` given dout: dq, dk, dv (each B·L·d, overwritten).
 * `tmp` holds L floats of scratch.
 */
export function backward(
  dout: usize,
  q: usize,
  k: usize,
  v: usize,
  p: usize,
  dq: usize,
  dk: usize,
  dv: usize,
  tmp: usize,
  B: i32,
  L: i32,
  d: i32,
  scale: f32,
): void {
  const rowBytes = (<usize>d) << 2;
  const bytes = (<usize>(B * L)) * rowBytes;
  memory.fill(dq, 0, bytes);
  memory.fill(dk, 0, bytes);
  memory.fill(dv, 0, bytes);
  for (let b: i32 = 0; b < B; b++) {
    const base = b * L;
    for (let i: i32 = 0; i < L; i++) {
      const r = base + i;
      const pr = p + ((<usize>(r * L)) << 2);
      const dor = dout + <usize>r * rowBytes;
      // dp_j = dout_i · v_j; dv_j += p_ij · dout_i; Σ p·dp for the softmax.
      let pdp: f32 = 0;
      for (let j: i32 = 0; j <= i; j++) {
        const w = load<f32>(pr + ((<usize>j) << 2));
        if (w == 0) {
          store<f32>(tmp + ((<usize>j) << 2), 0);
          continue;
        }
        const row = <usize>(base + j) * rowBytes;
        const g = dot(dor, v + row, d);
        store<f32>(tmp + ((<usize>j) << 2), g);
        pdp += w * g;
        axpy(dv + row, w, dor, d);
      }
      const qr = q + <usize>r * rowBytes;
      const dqr = dq + <usize>r * rowBytes;
      for (let j: i32 = 0; j <= i; j++) {
        const w = load<f32>(pr + ((<usize>j) << 2));
        if (w == 0) continue;
        const ds = w * (load<f32>(tmp + ((<usize>j) << 2)) - pdp) * scale;
        const row = <usize>(base + j) * rowBytes;
        axpy(dqr, ds, k + row, d);
        axpy(dk + row, ds, qr, d);
      }
    }
  }
}
