// AssemblyScript, not TypeScript (v128, f32x4, load<T>, usize): one training
// step of GMF, MLP or NeuMF in WebAssembly with 128-bit SIMD (four float32
// lanes). Compiled by `npm run build:wasm` into ../ncf-wasm.generated.ts and,
// on imported shared memory, ../ncf-shared-wasm.generated.ts. The caller
// (../ncf-wasm.ts) owns the memory layout: it writes a descriptor of byte
// addresses and sizes (see setup) and calls trainBatch per mini-batch.
//
// The arithmetic is ../ncf-kernel.ts's (the plain-JS step) in float32:
// forward, binary cross-entropy on the logit, backward, Adam on every dense
// weight and lazy Adam (with L2) on the embedding rows the batch touched,
// each distinct row's gradients summed first.

// The descriptor: i32 words at `desc`, written by the caller, one per thread
// (its scratch is its own). Fixed word positions:
//   0 F (GMF factors, 0: none)   1 E (embedding per side, 0: no tower)
//   2 L (tower layers)           3 T (tables: 2 or 4)
//   4 width (output layer's input) 5 denseN (dense weights)
//   6 outW, 7 outB (byte offsets of the output layer's W and b in the dense arrays)
//   8 dense w, 9 m, 10 v, 11 grad, 12 joined, 13 dJoined, 14 users, 15 items, 16 labels
//   20 + l: sizes[l] (l ≤ 8)   30 + j: layer j + 1's W byte offset   40 + j: its b
//   50 + l: activations h_l    60 + l: their gradients
//   70 + 8t: table t's weights, m, v, slot map (i32 per row, −1), touched rows, sums, dim, count
// Globals live in the instance, not in memory: no two threads share them.
let desc: usize = 0;
let F: i32 = 0;
let E: i32 = 0;
let L: i32 = 0;
let T: i32 = 0;
let width: i32 = 0;
let denseN: i32 = 0;
let outW: usize = 0;
let outB: usize = 0;
let dW: usize = 0;
let dM: usize = 0;
let dV: usize = 0;
let dG: usize = 0;
let joined: usize = 0;
let dJoined: usize = 0;
let users: usize = 0;
let items: usize = 0;
let labels: usize = 0;

@inline function word(i: i32): i32 {
  return load<i32>(desc + ((<usize>i) << 2));
}
@inline function addr(i: i32): usize {
  return <usize>load<i32>(desc + ((<usize>i) << 2));
}
@inline function size(l: i32): i32 {
  return word(20 + l);
}
@inline function tWord(t: i32, k: i32): i32 {
  return word(70 + 8 * t + k);
}

/** Reads the descriptor at `d` (see above). */
export function setup(d: usize): void {
  desc = d;
  F = word(0);
  E = word(1);
  L = word(2);
  T = word(3);
  width = word(4);
  denseN = word(5);
  outW = addr(6);
  outB = addr(7);
  dW = addr(8);
  dM = addr(9);
  dV = addr(10);
  dG = addr(11);
  joined = addr(12);
  dJoined = addr(13);
  users = addr(14);
  items = addr(15);
  labels = addr(16);
}

/** The slot (byte offset into the table's sums) of `row` in table t, zeroed when new this batch. */
function slotOf(t: i32, row: i32): usize {
  const sp = <usize>tWord(t, 3) + ((<usize>row) << 2);
  let k = load<i32>(sp);
  const dim = tWord(t, 6);
  const sum = <usize>tWord(t, 5);
  if (k < 0) {
    k = tWord(t, 7);
    store<i32>(desc + ((<usize>(70 + 8 * t + 7)) << 2), k + 1);
    store<i32>(sp, k);
    store<i32>(<usize>tWord(t, 4) + ((<usize>k) << 2), row);
    memory.fill(sum + ((<usize>(k * dim)) << 2), 0, (<usize>dim) << 2);
  }
  return sum + ((<usize>(k * dim)) << 2);
}

/** z = relu(b + x·W) for one layer (x: nin, W: nin × nout row-major). */
function forwardLayer(x: usize, z: usize, w: usize, b: usize, nin: i32, nout: i32): void {
  const rowBytes = (<usize>nout) << 2;
  let o: i32 = 0;
  for (; o + 16 <= nout; o += 16) {
    const ob = (<usize>o) << 2;
    let a0 = v128.load(b + ob);
    let a1 = v128.load(b + ob, 16);
    let a2 = v128.load(b + ob, 32);
    let a3 = v128.load(b + ob, 48);
    let wp = w + ob;
    for (let i = 0; i < nin; i++, wp += rowBytes) {
      const s = v128.load32_splat(x + ((<usize>i) << 2));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(wp)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(wp, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(wp, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(wp, 48)));
    }
    const zero = f32x4.splat(0);
    v128.store(z + ob, f32x4.max(a0, zero));
    v128.store(z + ob, f32x4.max(a1, zero), 16);
    v128.store(z + ob, f32x4.max(a2, zero), 32);
    v128.store(z + ob, f32x4.max(a3, zero), 48);
  }
  for (; o + 4 <= nout; o += 4) {
    const ob = (<usize>o) << 2;
    let a0 = v128.load(b + ob);
    let wp = w + ob;
    for (let i = 0; i < nin; i++, wp += rowBytes)
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(x + ((<usize>i) << 2)), v128.load(wp)));
    v128.store(z + ob, f32x4.max(a0, f32x4.splat(0)));
  }
  for (; o < nout; o++) {
    const ob = (<usize>o) << 2;
    let a = load<f32>(b + ob);
    let wp = w + ob;
    for (let i = 0; i < nin; i++, wp += rowBytes) a += load<f32>(x + ((<usize>i) << 2)) * load<f32>(wp);
    store<f32>(z + ob, a > 0 ? a : 0);
  }
}

/**
 * Backward through one layer: dz (in place) = dz·[z > 0]; db += dz;
 * dW += xᵀ·dz; dx = W·dz.
 */
function backwardLayer(
  x: usize,
  z: usize,
  dz: usize,
  dx: usize,
  w: usize,
  gw: usize,
  gb: usize,
  nin: i32,
  nout: i32,
): void {
  for (let o = 0; o < nout; o++) {
    const ob = (<usize>o) << 2;
    if (load<f32>(z + ob) <= 0) store<f32>(dz + ob, 0);
    store<f32>(gb + ob, load<f32>(gb + ob) + load<f32>(dz + ob));
  }
  const vec = nout & ~3;
  const rowBytes = (<usize>nout) << 2;
  let wp = w;
  let gp = gw;
  for (let i = 0; i < nin; i++, wp += rowBytes, gp += rowBytes) {
    const xi = load<f32>(x + ((<usize>i) << 2));
    const s = f32x4.splat(xi);
    let acc = f32x4.splat(0);
    let o: i32 = 0;
    for (; o < vec; o += 4) {
      const ob = (<usize>o) << 2;
      const d = v128.load(dz + ob);
      acc = f32x4.add(acc, f32x4.mul(v128.load(wp + ob), d));
      v128.store(gp + ob, f32x4.add(v128.load(gp + ob), f32x4.mul(s, d)));
    }
    let g =
      f32x4.extract_lane(acc, 0) +
      f32x4.extract_lane(acc, 1) +
      f32x4.extract_lane(acc, 2) +
      f32x4.extract_lane(acc, 3);
    for (; o < nout; o++) {
      const ob = (<usize>o) << 2;
      const d = load<f32>(dz + ob);
      g += load<f32>(wp + ob) * d;
      store<f32>(gp + ob, load<f32>(gp + ob) + xi * d);
    }
    store<f32>(dx + ((<usize>i) << 2), g);
  }
}

/** dst[k] += a · src[k] for k < n (float32). */
function axpy(dst: usize, src: usize, a: f32, n: i32): void {
  const s = f32x4.splat(a);
  let k: i32 = 0;
  for (; k + 4 <= n; k += 4) {
    const kb = (<usize>k) << 2;
    v128.store(dst + kb, f32x4.add(v128.load(dst + kb), f32x4.mul(s, v128.load(src + kb))));
  }
  for (; k < n; k++) {
    const kb = (<usize>k) << 2;
    store<f32>(dst + kb, load<f32>(dst + kb) + a * load<f32>(src + kb));
  }
}

/**
 * Adam on n weights at w (moments m, v; gradient g, plus l2·w), computed in
 * float64 as the JS Adam does and stored as float32: in float32 the same
 * steps drifted from the JS trainers' within an epoch (rounding of 1 − β
 * compounds through the moments).
 */
function adam(w: usize, m: usize, v: usize, g: usize, n: i32, lr: f64, b1: f64, b2: f64, eps: f64, l2: f64): void {
  const vb1 = f64x2.splat(b1);
  const vc1 = f64x2.splat(1 - b1);
  const vb2 = f64x2.splat(b2);
  const vc2 = f64x2.splat(1 - b2);
  const vlr = f64x2.splat(lr);
  const veps = f64x2.splat(eps);
  const vl2 = f64x2.splat(l2);
  let k: i32 = 0;
  for (; k + 2 <= n; k += 2) {
    const kb = (<usize>k) << 2;
    const wk = f64x2.promote_low_f32x4(v128.load64_zero(w + kb));
    const gk = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(g + kb)), f64x2.mul(vl2, wk));
    const mk = f64x2.add(f64x2.mul(vb1, f64x2.promote_low_f32x4(v128.load64_zero(m + kb))), f64x2.mul(vc1, gk));
    const vk = f64x2.add(
      f64x2.mul(vb2, f64x2.promote_low_f32x4(v128.load64_zero(v + kb))),
      f64x2.mul(vc2, f64x2.mul(gk, gk)),
    );
    v128.store64_lane(m + kb, f32x4.demote_f64x2_zero(mk), 0);
    v128.store64_lane(v + kb, f32x4.demote_f64x2_zero(vk), 0);
    const step = f64x2.div(f64x2.mul(vlr, mk), f64x2.add(f64x2.sqrt(vk), veps));
    v128.store64_lane(w + kb, f32x4.demote_f64x2_zero(f64x2.sub(wk, step)), 0);
  }
  for (; k < n; k++) {
    const kb = (<usize>k) << 2;
    const wk = <f64>load<f32>(w + kb);
    const gk = <f64>load<f32>(g + kb) + l2 * wk;
    const mk = b1 * <f64>load<f32>(m + kb) + (1 - b1) * gk;
    const vk = b2 * <f64>load<f32>(v + kb) + (1 - b2) * gk * gk;
    store<f32>(m + kb, <f32>mk);
    store<f32>(v + kb, <f32>vk);
    store<f32>(w + kb, <f32>(wk - (lr * mk) / (Math.sqrt(vk) + eps)));
  }
}

/**
 * Samples [from, to) of users/items/labels as one mini-batch; `lr` is the
 * step's bias-corrected learning rate. Returns the batch's mean loss.
 */
export function trainBatch(from: i32, to: i32, lr: f64, b1: f64, b2: f64, eps: f64, l2: f64): f64 {
  const n = to - from;
  const inv: f32 = 1 / <f32>n;
  memory.fill(dG, 0, (<usize>denseN) << 2);
  for (let t = 0; t < T; t++) store<i32>(desc + ((<usize>(70 + 8 * t + 7)) << 2), 0);
  const mlp = F ? 2 : 0;
  let loss: f64 = 0;
  for (let s = from; s < to; s++) {
    const u = load<i32>(users + ((<usize>s) << 2));
    const it = load<i32>(items + ((<usize>s) << 2));
    let ug: usize = 0;
    let ig: usize = 0;
    if (F) {
      ug = <usize>tWord(0, 0) + ((<usize>(u * F)) << 2);
      ig = <usize>tWord(1, 0) + ((<usize>(it * F)) << 2);
      let k: i32 = 0;
      for (; k + 4 <= F; k += 4) {
        const kb = (<usize>k) << 2;
        v128.store(joined + kb, f32x4.mul(v128.load(ug + kb), v128.load(ig + kb)));
      }
      for (; k < F; k++) {
        const kb = (<usize>k) << 2;
        store<f32>(joined + kb, load<f32>(ug + kb) * load<f32>(ig + kb));
      }
    }
    if (L) {
      const eb = (<usize>E) << 2;
      const h0 = addr(50);
      memory.copy(h0, <usize>tWord(mlp, 0) + (<usize>u) * eb, eb);
      memory.copy(h0 + eb, <usize>tWord(mlp + 1, 0) + (<usize>it) * eb, eb);
      for (let l = 1; l <= L; l++)
        forwardLayer(addr(49 + l), addr(50 + l), dW + addr(29 + l), dW + addr(39 + l), size(l - 1), size(l));
      memory.copy(joined + ((<usize>F) << 2), addr(50 + L), (<usize>size(L)) << 2);
    }
    let x: f32 = load<f32>(dW + outB);
    for (let k = 0; k < width; k++) {
      const kb = (<usize>k) << 2;
      x += load<f32>(joined + kb) * load<f32>(dW + outW + kb);
    }
    const y = load<f32>(labels + ((<usize>s) << 2));
    const xd = <f64>x;
    loss += Math.max(xd, 0) + Math.log1p(Math.exp(-Math.abs(xd))) - xd * <f64>y;
    const d: f32 = (<f32>(1 / (1 + Math.exp(-xd))) - y) * inv;
    store<f32>(dG + outB, load<f32>(dG + outB) + d);
    axpy(dG + outW, joined, d, width);
    // dJoined = d · W_out
    for (let k = 0; k < width; k++) {
      const kb = (<usize>k) << 2;
      store<f32>(dJoined + kb, d * load<f32>(dW + outW + kb));
    }
    if (F) {
      const su = slotOf(0, u);
      const si = slotOf(1, it);
      for (let k = 0; k < F; k++) {
        const kb = (<usize>k) << 2;
        const dj = load<f32>(dJoined + kb);
        store<f32>(su + kb, load<f32>(su + kb) + dj * load<f32>(ig + kb));
        store<f32>(si + kb, load<f32>(si + kb) + dj * load<f32>(ug + kb));
      }
    }
    if (L) {
      memory.copy(addr(60 + L), dJoined + ((<usize>F) << 2), (<usize>size(L)) << 2);
      for (let l = L; l >= 1; l--)
        backwardLayer(
          addr(49 + l),
          addr(50 + l),
          addr(60 + l),
          addr(59 + l),
          dW + addr(29 + l),
          dG + addr(29 + l),
          dG + addr(39 + l),
          size(l - 1),
          size(l),
        );
      const su = slotOf(mlp, u);
      const si = slotOf(mlp + 1, it);
      axpy(su, addr(60), 1, E);
      axpy(si, addr(60) + ((<usize>E) << 2), 1, E);
    }
  }
  adam(dW, dM, dV, dG, denseN, lr, b1, b2, eps, 0);
  for (let t = 0; t < T; t++) {
    const dim = tWord(t, 6);
    const rowBytes = (<usize>dim) << 2;
    const count = tWord(t, 7);
    const w = <usize>tWord(t, 0);
    const m = <usize>tWord(t, 1);
    const v = <usize>tWord(t, 2);
    const slot = <usize>tWord(t, 3);
    const touched = <usize>tWord(t, 4);
    const sum = <usize>tWord(t, 5);
    for (let k = 0; k < count; k++) {
      const row = load<i32>(touched + ((<usize>k) << 2));
      store<i32>(slot + ((<usize>row) << 2), -1);
      const at = (<usize>row) * rowBytes;
      adam(w + at, m + at, v + at, sum + (<usize>k) * rowBytes, dim, lr, b1, b2, eps, l2);
    }
  }
  return loss / <f64>n;
}
