// AssemblyScript, not TypeScript (f64x2, v128, load<T>, usize): the two
// matrix products of the blocked sweep in ../linalg.ts, in WebAssembly
// with 128-bit SIMD (two float64 lanes). Compiled by `npm run build:wasm` into
// ../spd-inverse-wasm.generated.ts; the caller owns the memory layout and
// passes byte addresses. Float64 throughout, no fused multiply-add, so the
// result is the same on every engine.
//
// A "panel" holds 4 rows of an m×kb matrix t-major: element (4p + r, t) at
// panel p, offset t·4 + r; consecutive panels are `stride` doubles apart.

/** out[r·ld + c] −= Σ_t x[t·4 + r] · y[t·4 + c] for r, c < 4 (ld in bytes). */
function block4(out: usize, ld: usize, x: usize, y: usize, kb: i32): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  const end = x + ((<usize>kb) << 5);
  for (; x < end; x += 32, y += 32) {
    const b0 = v128.load(y);
    const b1 = v128.load(y, 16);
    let s = v128.load64_splat(x);
    c00 = f64x2.add(c00, f64x2.mul(s, b0));
    c01 = f64x2.add(c01, f64x2.mul(s, b1));
    s = v128.load64_splat(x, 8);
    c10 = f64x2.add(c10, f64x2.mul(s, b0));
    c11 = f64x2.add(c11, f64x2.mul(s, b1));
    s = v128.load64_splat(x, 16);
    c20 = f64x2.add(c20, f64x2.mul(s, b0));
    c21 = f64x2.add(c21, f64x2.mul(s, b1));
    s = v128.load64_splat(x, 24);
    c30 = f64x2.add(c30, f64x2.mul(s, b0));
    c31 = f64x2.add(c31, f64x2.mul(s, b1));
  }
  let o = out;
  v128.store(o, f64x2.sub(v128.load(o), c00));
  v128.store(o, f64x2.sub(v128.load(o, 16), c01), 16);
  o += ld;
  v128.store(o, f64x2.sub(v128.load(o), c10));
  v128.store(o, f64x2.sub(v128.load(o, 16), c11), 16);
  o += ld;
  v128.store(o, f64x2.sub(v128.load(o), c20));
  v128.store(o, f64x2.sub(v128.load(o, 16), c21), 16);
  o += ld;
  v128.store(o, f64x2.sub(v128.load(o), c30));
  v128.store(o, f64x2.sub(v128.load(o, 16), c31), 16);
}

/** block4 for the last, partial panels: only rows < `rows` and columns < `cols`. */
function blockEdge(out: usize, ld: usize, x: usize, y: usize, kb: i32, rows: i32, cols: i32): void {
  for (let r: i32 = 0; r < rows; r++)
    for (let c: i32 = 0; c < cols; c++) {
      let s: f64 = 0;
      for (let t: i32 = 0; t < kb; t++)
        s +=
          load<f64>(x + ((<usize>(t * 4 + r)) << 3)) * load<f64>(y + ((<usize>(t * 4 + c)) << 3));
      const p = out + <usize>r * ld + ((<usize>c) << 3);
      store<f64>(p, load<f64>(p) - s);
    }
}

/**
 * W −= C·Q in W's panel layout: wp panel p, rows t of column block q come from
 * qp panel q (Q's columns 4q…4q+3) against cp panel p (C's rows 4p…4p+3).
 * Row panels [p0, p1) only, so threads can share the work.
 */
export function product(
  wp: usize,
  qp: usize,
  cp: usize,
  kb: i32,
  stride: i32,
  p0: i32,
  p1: i32,
  colPanels: i32,
): void {
  const sb = (<usize>stride) << 3;
  for (let p: i32 = p0; p < p1; p++)
    for (let q: i32 = 0; q < colPanels; q++)
      block4(
        wp + <usize>p * sb + ((<usize>q) << 7),
        32,
        qp + <usize>q * sb,
        cp + <usize>p * sb,
        kb,
      );
}

/**
 * The upper triangle of the n×n row-major `a` (4×4 blocks on and above the
 * diagonal) −= W·Cᵀ, skipping the row and column panels [pk0, pk1); columns
 * in tiles of `tile` panels so C's tile stays in cache. Row panels [ip0, ip1)
 * only, so threads can share the work.
 */
export function update(
  a: usize,
  n: i32,
  wp: usize,
  cp: usize,
  kb: i32,
  stride: i32,
  pk0: i32,
  pk1: i32,
  tile: i32,
  ip0: i32,
  ip1: i32,
): void {
  const panels = (n + 3) >> 2;
  const sb = (<usize>stride) << 3;
  const ld = (<usize>n) << 3;
  for (let j0: i32 = max(0, ip0 - (ip0 % tile)); j0 < panels; j0 += tile) {
    const j1 = min(panels, j0 + tile);
    const last = min(j1, ip1);
    for (let ip: i32 = ip0; ip < last; ip++) {
      if (ip >= pk0 && ip < pk1) continue;
      const rows = min(4, n - ip * 4);
      const x = wp + <usize>ip * sb;
      const row = a + <usize>ip * 4 * ld;
      for (let jp: i32 = max(j0, ip); jp < j1; jp++) {
        if (jp >= pk0 && jp < pk1) continue;
        const cols = min(4, n - jp * 4);
        const out = row + ((<usize>jp) << 5);
        const y = cp + <usize>jp * sb;
        if (rows == 4 && cols == 4) block4(out, ld, x, y, kb);
        else blockEdge(out, ld, x, y, kb, rows, cols);
      }
    }
  }
}
