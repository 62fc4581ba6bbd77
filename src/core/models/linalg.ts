/** Small dense linear algebra in float64 typed arrays (row-major). */
import { wasmModule } from '../wasm-module.ts';
import { acrossThreads, onSharedMemory, shared } from '../parallel/across.ts';
import { shareByPrefix, sharedMemorySupported, type ThreadPool } from '../parallel/pool.ts';
import { SPD_INVERSE_SHARED_WASM_BASE64 } from './spd-inverse-shared-wasm.generated.ts';
import { SPD_INVERSE_WASM_BASE64 } from './spd-inverse-wasm.generated.ts';

/**
 * Orthonormalises the columns of the n×l matrix `a` in place (modified
 * Gram–Schmidt, applied twice for stability). A column that vanishes is left
 * as zeros.
 */
export function orthonormalizeColumns(a: Float64Array, n: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < l; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += a[r * l + c]! * a[r * l + p]!;
        for (let r = 0; r < n; r++) a[r * l + c]! -= dot * a[r * l + p]!;
      }
      let norm = 0;
      for (let r = 0; r < n; r++) norm += a[r * l + c]! ** 2;
      norm = Math.sqrt(norm);
      const inv = norm > 1e-12 ? 1 / norm : 0;
      for (let r = 0; r < n; r++) a[r * l + c]! *= inv;
    }
  }
}

/**
 * Eigen-decomposition of a symmetric l×l matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in descending order and the matching eigenvectors as
 * the columns of an l×l matrix.
 */
export function symmetricEigen(
  m: Float64Array,
  l: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * l + q]! - a[p * l + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!;
          const akq = a[k * l + q]!;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!;
          const aqk = a[q * l + k]!;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!;
          const vkq = v[k * l + q]!;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort(
    (x, y) => a[y * l + y]! - a[x * l + x]!,
  );
  const values = new Float64Array(l);
  const vectors = new Float64Array(l * l);
  order.forEach((src, dst) => {
    values[dst] = a[src * l + src]!;
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src]!;
  });
  return { values, vectors };
}

/** Which code does the block products of {@link invertSpdInPlace}. */
export type SpdKernel = 'auto' | 'wasm' | 'js';

export interface InvertOptions {
  /** 'auto' (the default): WebAssembly SIMD where the engine has it, else plain JS. */
  kernel?: SpdKernel;
  /** Pivots per block step (a multiple of 4); by default chosen from n. */
  block?: number;
  /**
   * Threads for the block products (this one and `threads - 1` helpers from
   * `pool`), on memory they share; 1, or no shared memory here: one thread.
   */
  threads?: number;
  pool?: ThreadPool;
  /**
   * Called at the end with the working n×n matrix, whose upper triangle then
   * holds −A⁻¹, instead of A⁻¹ being mirrored into `a` (which is left without
   * meaningful values): for a caller that wants something else made of the
   * inverse (EASE's B) without one more pass over n² values.
   */
  finish?: (negatedUpper: Float64Array) => void | Promise<void>;
}

/**
 * Inverts the symmetric positive definite n×n matrix `a` (row-major; only its
 * upper triangle is read) in place, leaving the full symmetric A⁻¹.
 *
 * A blocked sweep operator: the same algorithm as {@link invertSpdBySweep},
 * `block` pivots at a time. Sweeping the pivot block K of the current matrix
 * (P = A_KK, C = A_·K) gives A_ij − W_i·C_jᵀ for i, j outside K with
 * W = C·P⁻¹, W in K's columns and −P⁻¹ in A_KK; after every block the matrix
 * holds −A⁻¹. P⁻¹ comes from the scalar sweep (its pivots are the same as the
 * unblocked sweep's, so a matrix that is not positive definite throws at the
 * same pivot), and the two products, W = C·P⁻¹ and the rank-`block` update of
 * the upper triangle (n³/2 multiply-adds in all, the unblocked sweep's
 * count), run on 4×4 register blocks of packed panels: WebAssembly SIMD
 * (wasm/spd-inverse.ts, float64 lanes, no fused multiply-add: the same
 * numbers as the plain-JS kernel) when available, else plain JS. The
 * WebAssembly kernel works on a copy of the matrix in its own memory (n²
 * doubles more while it runs, freed with the instance). After a throw `a`
 * holds no meaningful values.
 *
 * `onRow(k)` is called after each block step with the pivots done so far (k
 * increasing to n), so a long inversion can report progress, yield, or stop
 * by throwing. Resolves to the kernel that ran.
 */
export async function invertSpdInPlace(
  a: Float64Array,
  n: number,
  onRow?: (k: number) => void | Promise<void>,
  options: InvertOptions = {},
): Promise<'wasm' | 'js'> {
  if (a.length < n * n) throw new RangeError(`need ${n}×${n} values, got ${a.length}`);
  const nb = blockSize(n, options.block);
  const kind = options.kernel ?? 'auto';
  const threads = Math.min(options.threads ?? 1, (options.pool?.size ?? 0) + 1);
  const ws =
    (kind !== 'js' && threads > 1 && options.pool
      ? await sharedWorkspace(a, n, nb, options.pool, threads)
      : null) ??
    (kind !== 'js' ? await wasmWorkspace(a, n, nb, kind === 'wasm') : null) ??
    jsWorkspace(a, n, nb);
  try {
    return await invertIn(ws, a, n, nb, onRow, options.finish);
  } finally {
    ws.dispose?.();
  }
}

async function invertIn(
  ws: Workspace,
  a: Float64Array,
  n: number,
  nb: number,
  onRow?: (k: number) => void | Promise<void>,
  finish?: (negatedUpper: Float64Array) => void | Promise<void>,
): Promise<'wasm' | 'js'> {
  if (n === 0) return ws.kernel;
  const m = ws.a;
  const np = (n + 3) >> 2;
  const stride = ws.stride;
  // Column tiles of C: about 256 KiB, to stay in L2.
  const tile = Math.max(8, Math.floor(8192 / nb));
  const q = new Float64Array(nb * nb);
  for (let k0 = 0; k0 < n; k0 += nb) {
    const k1 = Math.min(n, k0 + nb);
    const kb = k1 - k0;
    const kp = (kb + 3) >> 2;
    // Q = −P⁻¹ (full kb×kb) by the scalar sweep of P = A_KK.
    for (let s = 0; s < kb; s++)
      for (let t = s; t < kb; t++) q[s * kb + t] = m[(k0 + s) * n + k0 + t]!;
    sweepUpper(q, kb);
    for (let s = 0; s < kb; s++) for (let t = s + 1; t < kb; t++) q[t * kb + s] = q[s * kb + t]!;
    packQ(ws.qp, q, kb, kp, stride);
    packC(ws.cp, m, n, k0, k1, np, stride);
    ws.wp.fill(0, 0, np * stride);
    await ws.product(kb, stride, np, kp);
    await ws.update(kb, stride, k0 >> 2, (k1 + 3) >> 2, tile);
    // K's own rows and columns: W and −P⁻¹.
    const wp = ws.wp;
    for (let i = 0; i < k0; i++) {
      const o = (i >> 2) * stride + (i & 3);
      for (let t = 0; t < kb; t++) m[i * n + k0 + t] = wp[o + t * 4]!;
    }
    for (let t = 0; t < kb; t++) {
      const row = (k0 + t) * n;
      for (let i = k1; i < n; i++) m[row + i] = wp[(i >> 2) * stride + t * 4 + (i & 3)]!;
      for (let s = t; s < kb; s++) m[row + k0 + s] = q[t * kb + s]!;
    }
    if (onRow) await onRow(k1);
  }
  if (finish) await finish(m);
  else negateAndMirror(m, a, n);
  return ws.kernel;
}

/**
 * The block size: wide enough to keep the products busy, narrow enough that
 * W = C·P⁻¹ (n²·block multiply-adds in all) stays cheap; 64 and 128 were the
 * fastest measured here (bench/linalg.ts --block).
 */
function blockSize(n: number, block?: number): number {
  if (block !== undefined) {
    if (!(block >= 4 && block % 4 === 0)) throw new RangeError('block must be a multiple of 4');
    return block;
  }
  return n >= 2048 ? 128 : 64;
}

/**
 * Where the block products run. `a` is the n×n working matrix (the caller's
 * array, or its copy in WebAssembly memory); `cp`, `wp`, `qp` hold C, W and
 * Q = −P⁻¹ in panels: element (4p + r, t) at p·stride + t·4 + r.
 */
interface Workspace {
  kernel: 'wasm' | 'js';
  a: Float64Array;
  cp: Float64Array;
  wp: Float64Array;
  qp: Float64Array;
  stride: number;
  /** W −= C·Q over all row panels and the Q column panels (on several threads: resolves when all are done). */
  product(kb: number, stride: number, rowPanels: number, colPanels: number): void | Promise<void>;
  /** Upper triangle of `a` −= W·Cᵀ, skipping panels [pk0, pk1). */
  update(kb: number, stride: number, pk0: number, pk1: number, tile: number): void | Promise<void>;
  /** Frees what the workspace holds beyond garbage collection (helper threads' work). */
  dispose?(): void;
}

/** C = A_·K (upper triangle read), zero in K's rows and past n. */
function packC(
  cp: Float64Array,
  m: Float64Array,
  n: number,
  k0: number,
  k1: number,
  np: number,
  stride: number,
): void {
  cp.fill(0, 0, np * stride);
  const kb = k1 - k0;
  for (let i = 0; i < k0; i++) {
    const o = (i >> 2) * stride + (i & 3);
    const row = i * n + k0;
    for (let t = 0; t < kb; t++) cp[o + t * 4] = m[row + t]!;
  }
  for (let t = 0; t < kb; t++) {
    const row = (k0 + t) * n;
    for (let i = k1; i < n; i++) cp[(i >> 2) * stride + t * 4 + (i & 3)] = m[row + i]!;
  }
}

/** Q's columns in panels (Q symmetric: panel p holds columns 4p…4p+3, rows t). */
function packQ(qp: Float64Array, q: Float64Array, kb: number, kp: number, stride: number): void {
  qp.fill(0, 0, kp * stride);
  for (let t = 0; t < kb; t++) {
    const o = (t >> 2) * stride + (t & 3);
    for (let s = 0; s < kb; s++) qp[o + s * 4] = q[t * kb + s]!;
  }
}

/** dst = −src, with the upper triangle of src mirrored. dst may be src. */
function negateAndMirror(src: Float64Array, dst: Float64Array, n: number): void {
  scaledMirror(src, dst, n, new Float64Array(n).fill(-1), true);
}

/**
 * From the upper triangle of src (n×n, row-major): dst_ij = src_ij · scale_j
 * and dst_ji = src_ij · scale_i for i < j, and the diagonal likewise when
 * `diagonal` (else left as it is), in 32×32 tiles (the transpose stays in
 * cache). dst may be src: each upper entry is read before anything writes it.
 */
export function scaledMirror(
  src: Float64Array,
  dst: Float64Array | Float32Array,
  n: number,
  scale: Float64Array,
  diagonal: boolean,
  /** Rows of tiles [from, to): `from` a multiple of 32 (threads can each take a run; their writes never meet). */
  from = 0,
  to = n,
): void {
  const T = MIRROR_TILE;
  const skip = diagonal ? 0 : 1;
  for (let i0 = from; i0 < to; i0 += T)
    for (let j0 = i0; j0 < n; j0 += T) {
      const i1 = Math.min(n, i0 + T);
      const j1 = Math.min(n, j0 + T);
      for (let i = i0; i < i1; i++)
        for (let j = Math.max(i + skip, j0); j < j1; j++) {
          const v = src[i * n + j]!;
          dst[i * n + j] = v * scale[j]!;
          dst[j * n + i] = v * scale[i]!;
        }
    }
}

const MIRROR_TILE = 32;

/** What a helper thread is sent for its rows of tiles of {@link scaledMirror}. */
export interface MirrorHelperTask {
  task: 'mirror';
  src: Float64Array;
  dst: Float64Array | Float32Array;
  n: number;
  scale: Float64Array;
  diagonal: boolean;
  from: number;
  to: number;
}

export function runMirrorHelper(t: MirrorHelperTask): number {
  scaledMirror(t.src, t.dst, t.n, t.scale, t.diagonal, t.from, t.to);
  return t.to - t.from;
}

/**
 * {@link scaledMirror} split by rows of tiles across a pool's threads when
 * `src` and `dst` both lie on shared memory, else on this thread; the same
 * values either way (every value is written once, by one thread).
 */
export async function scaledMirrorAcross(
  src: Float64Array,
  dst: Float64Array | Float32Array,
  n: number,
  scale: Float64Array,
  diagonal: boolean,
  pool?: ThreadPool,
  threads = 1,
): Promise<void> {
  const parts = Math.min(threads, (pool?.size ?? 0) + 1);
  const rows = Math.ceil(n / MIRROR_TILE);
  if (!pool || parts < 2 || rows < parts || !onSharedMemory(src) || !onSharedMemory(dst))
    return scaledMirror(src, dst, n, scale, diagonal);
  // Tile row r holds about n − 32r values: cut the rows by those running sums.
  const prefix = new Float64Array(rows + 1);
  for (let r = 0; r < rows; r++) prefix[r + 1] = prefix[r]! + (n - r * MIRROR_TILE);
  const cuts = shareByPrefix(prefix, parts).map((r) => Math.min(n, r * MIRROR_TILE));
  const sharedScale = shared(scale);
  await acrossThreads(
    pool,
    cuts,
    (from, to) => ({ task: 'mirror', src, dst, n, scale: sharedScale, diagonal, from, to }),
    (from, to) => scaledMirror(src, dst, n, scale, diagonal, from, to),
  );
}

/** Sweeps every pivot of the m×m upper triangle in `p` (row-major): leaves −P⁻¹ there. */
function sweepUpper(p: Float64Array, m: number): void {
  const col = new Float64Array(m);
  for (let k = 0; k < m; k++) sweepPivot(p, m, k, col);
}

/** One pivot of the sweep operator on the upper triangle; throws on a pivot that is not positive. */
function sweepPivot(a: Float64Array, n: number, k: number, col: Float64Array): void {
  const d = a[k * n + k]!;
  if (!(d > 0)) throw new Error('matrix is not positive definite');
  for (let i = 0; i < k; i++) col[i] = a[i * n + k]!;
  for (let j = k + 1; j < n; j++) col[j] = a[k * n + j]!;
  col[k] = 0;
  const inv = 1 / d;
  for (let i = 0; i < n; i++) {
    const f = col[i]! * inv;
    if (f === 0) continue;
    const row = i * n;
    for (let j = i; j < n; j++) a[row + j]! -= f * col[j]!;
  }
  for (let i = 0; i < k; i++) a[i * n + k] = col[i]! * inv;
  for (let j = k + 1; j < n; j++) a[k * n + j] = col[j]! * inv;
  a[k * n + k] = -inv;
}

/**
 * The unblocked inverse: the sweep operator (Goodnight 1979) one pivot at a
 * time, which keeps the matrix symmetric, so only the upper triangle is
 * updated (half of Gauss–Jordan's work; no pivoting is needed for such
 * matrices). The lower triangle is mirrored at the end. `onRow(k)` is called
 * every 32 pivots. About 0.4 GFLOP/s in V8; kept as the reference that
 * {@link invertSpdInPlace} is tested and benchmarked against.
 */
export async function invertSpdBySweep(
  a: Float64Array,
  n: number,
  onRow?: (k: number) => void | Promise<void>,
): Promise<void> {
  const col = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    sweepPivot(a, n, k, col);
    if (onRow && (k & 31) === 31) await onRow(k + 1);
  }
  // The sweep leaves −A⁻¹.
  negateAndMirror(a, a, n);
}

// ---------------------------------------------------------------- plain JS

function jsWorkspace(a: Float64Array, n: number, nb: number): Workspace {
  const np = (n + 3) >> 2;
  const stride = nb * 4;
  const cp = new Float64Array(np * stride);
  const wp = new Float64Array(np * stride);
  const qp = new Float64Array((nb >> 2) * stride);
  return {
    kernel: 'js',
    a,
    cp,
    wp,
    qp,
    stride,
    product: (kb, s, rowPanels, colPanels) => {
      for (let p = 0; p < rowPanels; p++)
        for (let c = 0; c < colPanels; c++) block4(wp, p * s + c * 16, 4, qp, c * s, cp, p * s, kb);
    },
    update: (kb, s, pk0, pk1, tile) => updateJs(a, n, wp, cp, kb, s, pk0, pk1, tile, 0, np),
  };
}

/** The JS twin of wasm/spd-inverse.ts's `update`. */
function updateJs(
  a: Float64Array,
  n: number,
  wp: Float64Array,
  cp: Float64Array,
  kb: number,
  stride: number,
  pk0: number,
  pk1: number,
  tile: number,
  ip0: number,
  ip1: number,
): void {
  const panels = (n + 3) >> 2;
  for (let j0 = ip0 - (ip0 % tile); j0 < panels; j0 += tile) {
    const j1 = Math.min(panels, j0 + tile);
    const last = Math.min(j1, ip1);
    for (let ip = ip0; ip < last; ip++) {
      if (ip >= pk0 && ip < pk1) continue;
      const rows = Math.min(4, n - ip * 4);
      for (let jp = Math.max(j0, ip); jp < j1; jp++) {
        if (jp >= pk0 && jp < pk1) continue;
        const cols = Math.min(4, n - jp * 4);
        const out = ip * 4 * n + jp * 4;
        if (rows === 4 && cols === 4) block4(a, out, n, wp, ip * stride, cp, jp * stride, kb);
        else blockEdge(a, out, n, wp, ip * stride, cp, jp * stride, kb, rows, cols);
      }
    }
  }
}

/** out[o + r·ld + c] −= Σ_t x[xo + t·4 + r] · y[yo + t·4 + c] for r, c < 4. */
// prettier-ignore
function block4(
  out: Float64Array, o: number, ld: number,
  x: Float64Array, xo: number, y: Float64Array, yo: number, kb: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = xo + kb * 4;
  for (; xo < end; xo += 4, yo += 4) {
    const x0 = x[xo]!, x1 = x[xo + 1]!, x2 = x[xo + 2]!, x3 = x[xo + 3]!;
    const y0 = y[yo]!, y1 = y[yo + 1]!, y2 = y[yo + 2]!, y3 = y[yo + 3]!;
    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
    c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
    c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
  }
  out[o]! -= c00; out[o + 1]! -= c01; out[o + 2]! -= c02; out[o + 3]! -= c03;
  o += ld;
  out[o]! -= c10; out[o + 1]! -= c11; out[o + 2]! -= c12; out[o + 3]! -= c13;
  o += ld;
  out[o]! -= c20; out[o + 1]! -= c21; out[o + 2]! -= c22; out[o + 3]! -= c23;
  o += ld;
  out[o]! -= c30; out[o + 1]! -= c31; out[o + 2]! -= c32; out[o + 3]! -= c33;
}

/** block4 for the last, partial panels: only rows < `rows` and columns < `cols`. */
function blockEdge(
  out: Float64Array,
  o: number,
  ld: number,
  x: Float64Array,
  xo: number,
  y: Float64Array,
  yo: number,
  kb: number,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let t = 0; t < kb; t++) s += x[xo + t * 4 + r]! * y[yo + t * 4 + c]!;
      out[o + r * ld + c]! -= s;
    }
}

// ------------------------------------------------------- WebAssembly SIMD

interface SpdInverseExports {
  memory: WebAssembly.Memory;
  product(
    wp: number,
    qp: number,
    cp: number,
    kb: number,
    stride: number,
    p0: number,
    p1: number,
    colPanels: number,
  ): void;
  update(
    a: number,
    n: number,
    wp: number,
    cp: number,
    kb: number,
    stride: number,
    pk0: number,
    pk1: number,
    tile: number,
    ip0: number,
    ip1: number,
  ): void;
}

/**
 * Where the WebAssembly workspace keeps the matrix and its panels (doubles:
 * `at`; byte addresses from 64 KiB: `ptr`; the first byte past them: `end`).
 */
function panelLayout(n: number, nb: number) {
  const np = (n + 3) >> 2;
  const stride = nb * 4;
  const at = [n * n, np * stride, np * stride, (nb >> 2) * stride];
  const ptr: number[] = [];
  let end = 65536;
  for (const len of at) {
    ptr.push(end);
    end += Math.ceil((len * 8) / 16) * 16;
  }
  return { np, stride, at, ptr, end };
}

/**
 * Views of the matrix and its panels in a kernel's memory, with the upper
 * triangle of `a` copied in (the only part the inverse reads), and their
 * byte addresses.
 */
function placeMatrix(
  buffer: ArrayBufferLike,
  ptr: number[],
  at: number[],
  a: Float64Array,
  n: number,
) {
  const view = (i: number): Float64Array =>
    new Float64Array(buffer, ptr[i]!, at[i]!) as unknown as Float64Array;
  const m = view(0);
  for (let i = 0; i < n; i++) m.set(a.subarray(i * n + i, i * n + n), i * n + i);
  const [pa, pc, pw, pq] = ptr as [number, number, number, number];
  return { views: { a: m, cp: view(1), wp: view(2), qp: view(3) }, pa, pc, pw, pq };
}

/** The compiled kernel, or null where the engine has no WebAssembly SIMD. */
const spdInverseModule = wasmModule(SPD_INVERSE_WASM_BASE64);

/** Whether {@link invertSpdInPlace} can use its WebAssembly SIMD kernel here. */
export async function spdWasmSupported(): Promise<boolean> {
  return (await spdInverseModule()) !== null;
}

/**
 * A fresh instance holding a copy of `a` and the panels (its memory is freed
 * with it). Null, or a throw when `required`, where WebAssembly SIMD or the
 * memory is missing.
 */
async function wasmWorkspace(
  a: Float64Array,
  n: number,
  nb: number,
  required: boolean,
): Promise<Workspace | null> {
  const module = await spdInverseModule();
  if (!module) {
    if (required) throw new Error('this engine has no WebAssembly SIMD');
    return null;
  }
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort: () => {
        throw new Error('the WebAssembly inverse aborted');
      },
    },
  });
  const w = instance.exports as unknown as SpdInverseExports;
  const { np, stride, at, ptr, end } = panelLayout(n, nb);
  try {
    const pages = Math.ceil(end / 65536) - w.memory.buffer.byteLength / 65536;
    if (pages > 0) w.memory.grow(pages);
  } catch (e) {
    if (required) throw e;
    return null;
  }
  const { views, pa, pc, pw, pq } = placeMatrix(w.memory.buffer, ptr, at, a, n);
  return {
    kernel: 'wasm',
    ...views,
    stride,
    product: (kb, s, rowPanels, colPanels) => w.product(pw, pq, pc, kb, s, 0, rowPanels, colPanels),
    update: (kb, s, pk0, pk1, tile) => w.update(pa, n, pw, pc, kb, s, pk0, pk1, tile, 0, np),
  };
}

// ------------------------------------------- WebAssembly SIMD, several threads

const spdSharedModule = wasmModule(SPD_INVERSE_SHARED_WASM_BASE64);

/** What a helper thread is sent for its rows of one block product. */
export interface SpdHelperTask {
  task: 'spd';
  memory: WebAssembly.Memory;
  op: 'product' | 'update';
  args: number[];
}

/** A helper thread's share of a block product, on the caller's shared memory. */
export async function runSpdHelper(t: SpdHelperTask): Promise<number> {
  const module = await spdSharedModule();
  if (!module) throw new Error('this engine has no WebAssembly SIMD');
  const instance = new WebAssembly.Instance(module, { env: { memory: t.memory, abort } });
  const w = instance.exports as unknown as SpdInverseExports;
  if (t.op === 'product') w.product(...(t.args as Parameters<SpdInverseExports['product']>));
  else w.update(...(t.args as Parameters<SpdInverseExports['update']>));
  return 0;
}

const abort = (): never => {
  throw new Error('the WebAssembly inverse aborted');
};

/** Cuts [0, rows) into `parts` runs of equal work when row r costs rows − r (a triangle); equal runs otherwise. */
export function shareRows(rows: number, parts: number, triangle: boolean): number[] {
  const cuts = [0];
  for (let p = 1; p < parts; p++) {
    // Work before x in a triangle: x·rows − x²/2; solve for a p/parts share of rows²/2.
    const x = triangle ? rows - rows * Math.sqrt(1 - p / parts) : (rows * p) / parts;
    cuts.push(Math.min(rows, Math.max(cuts[p - 1]!, Math.round(x))));
  }
  cuts.push(rows);
  return cuts;
}

/**
 * The WebAssembly workspace on memory shared with `threads - 1` helpers:
 * each block product is cut by row panels, this thread takes the first run
 * and the helpers the others (the same numbers as one thread: every output
 * block is computed once, by the same code). Null where there is no shared
 * memory or no SIMD, so the caller falls back to one thread.
 */
async function sharedWorkspace(
  a: Float64Array,
  n: number,
  nb: number,
  pool: ThreadPool,
  threads: number,
): Promise<Workspace | null> {
  if (!sharedMemorySupported()) return null;
  const module = await spdSharedModule();
  if (!module) return null;
  const { np, stride, at, ptr, end } = panelLayout(n, nb);
  const pages = Math.ceil(end / 65536);
  if (pages > 65536) return null;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  const w = instance.exports as unknown as SpdInverseExports;
  const { views, pa, pc, pw, pq } = placeMatrix(memory.buffer, ptr, at, a, n);
  const split = async (
    cuts: number[],
    op: 'product' | 'update',
    args: (r0: number, r1: number) => number[],
  ): Promise<void> =>
    acrossThreads(
      pool,
      cuts,
      (r0, r1) => ({ task: 'spd', memory, op, args: args(r0, r1) }),
      (r0, r1) => {
        const mine = args(r0, r1);
        if (op === 'product') w.product(...(mine as Parameters<SpdInverseExports['product']>));
        else w.update(...(mine as Parameters<SpdInverseExports['update']>));
      },
    );
  return {
    kernel: 'wasm',
    ...views,
    stride,
    product: (kb, s, rowPanels, colPanels) =>
      split(shareRows(rowPanels, threads, false), 'product', (p0, p1) => [
        pw,
        pq,
        pc,
        kb,
        s,
        p0,
        p1,
        colPanels,
      ]),
    update: (kb, s, pk0, pk1, tile) =>
      split(shareRows(np, threads, true), 'update', (i0, i1) => [
        pa,
        n,
        pw,
        pc,
        kb,
        s,
        pk0,
        pk1,
        tile,
        i0,
        i1,
      ]),
  };
}
