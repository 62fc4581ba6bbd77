/**
 * The blocked inverse of a symmetric positive definite matrix
 * (invertSpdInPlace): equal to the unblocked sweep it replaced and to A⁻¹ by
 * definition at awkward sizes and block widths, on both kernels; the
 * WebAssembly SIMD products against a plain loop; only the upper triangle is
 * read; a matrix that is not positive definite throws; progress rises to n
 * and a throw from it stops the inversion.
 */
import { describe, expect, it } from 'vitest';
import {
  invertSpdBySweep,
  invertSpdInPlace,
  spdWasmSupported,
  type SpdKernel,
} from '../../../src/core/models/linalg.ts';
import { SPD_INVERSE_WASM_BASE64 } from '../../../src/core/models/spd-inverse-wasm.generated.ts';
import { Random } from '../../../src/core/random.ts';

/** XᵀX + λI for a sparse random 0/1 X (EASE's Gram matrix), or M·Mᵀ + 0.1·I for a dense M. */
function spd(n: number, seed: number, kind: 'gram' | 'dense' = 'gram'): Float64Array {
  const rng = new Random(seed, 4);
  const a = new Float64Array(n * n);
  if (kind === 'gram') {
    for (let u = 0; u < 2 * n + 5; u++) {
      const cols: number[] = [];
      for (let j = 0; j < n; j++) if (rng.next() < 0.15) cols.push(j);
      for (const i of cols) for (const j of cols) a[i * n + j]!++;
    }
    for (let i = 0; i < n; i++) a[i * n + i]! += 3;
  } else {
    const m = Float64Array.from({ length: n * n }, () => rng.next() - 0.5);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 0.1 : 0;
        for (let k = 0; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
        a[i * n + j] = s;
      }
  }
  return a;
}

async function bySweep(a: Float64Array, n: number): Promise<Float64Array> {
  const r = Float64Array.from(a);
  await invertSpdBySweep(r, n);
  return r;
}

async function blocked(
  a: Float64Array,
  n: number,
  kernel: SpdKernel,
  block?: number,
): Promise<Float64Array> {
  const r = Float64Array.from(a);
  expect(await invertSpdInPlace(r, n, undefined, { kernel, block })).toBe(kernel);
  return r;
}

/** max |x − y| / max |y|. */
function relError(x: Float64Array, y: Float64Array): number {
  let e = 0;
  let big = 0;
  for (let i = 0; i < y.length; i++) {
    e = Math.max(e, Math.abs(x[i]! - y[i]!));
    big = Math.max(big, Math.abs(y[i]!));
  }
  return e / big;
}

/** max |A·X − I| (A from its upper triangle). */
function residual(a: Float64Array, x: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[Math.min(i, k) * n + Math.max(i, k)]! * x[k * n + j]!;
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  return worst;
}

const SIZES = [1, 2, 3, 5, 31, 33, 64, 65, 127, 129, 257];
const KERNELS: SpdKernel[] = ['js', 'wasm'];

describe('invertSpdInPlace', () => {
  it('runs its WebAssembly SIMD kernel in this engine (so the wasm cases below are not skipped)', async () => {
    expect(await spdWasmSupported()).toBe(true);
    const a = spd(9, 1);
    expect(await invertSpdInPlace(Float64Array.from(a), 9)).toBe('wasm');
    expect(await invertSpdInPlace(Float64Array.from(a), 9, undefined, { kernel: 'wasm' })).toBe(
      'wasm',
    );
    expect(await invertSpdInPlace(Float64Array.from(a), 9, undefined, { kernel: 'js' })).toBe('js');
  });

  for (const kernel of KERNELS)
    it(`(${kernel}) equals the unblocked sweep to 1e-9 at awkward sizes and block widths`, async () => {
      for (const n of SIZES)
        for (const block of [undefined, 4, 8, 12, 32]) {
          const a = spd(n, n);
          const want = await bySweep(a, n);
          const got = await blocked(a, n, kernel, block);
          expect(relError(got, want), `n ${n}, block ${block}`).toBeLessThan(1e-9);
        }
    });

  for (const kernel of KERNELS)
    it(`(${kernel}) gives A⁻¹: A·A⁻¹ = I, symmetric, on ill-conditioned dense matrices too`, async () => {
      for (const [n, kind, block] of [
        [70, 'gram', 16],
        [45, 'dense', 8],
        [130, 'dense', undefined],
      ] as const) {
        const a = spd(n, 7, kind);
        const x = await blocked(a, n, kernel, block);
        expect(residual(a, x, n), `n ${n} ${kind}`).toBeLessThan(1e-8);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < i; j++) expect(x[i * n + j]).toBe(x[j * n + i]);
      }
    });

  it('reads only the upper triangle', async () => {
    const n = 50;
    const a = spd(n, 2);
    const want = await blocked(a, n, 'wasm', 8);
    for (const kernel of KERNELS) {
      const b = Float64Array.from(a);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) b[i * n + j] = NaN;
      await invertSpdInPlace(b, n, undefined, { kernel, block: 8 });
      expect(b).toEqual(want);
    }
  });

  it('the wasm and JS kernels give the same numbers (same operations, no fused multiply-add)', async () => {
    const differing = (x: Float64Array, y: Float64Array): number =>
      x.reduce((count, v, i) => count + (Object.is(v, y[i]) ? 0 : 1), 0);
    for (const n of [33, 150, 301]) {
      const a = spd(n, 11, 'dense');
      expect(differing(await blocked(a, n, 'wasm', 16), await blocked(a, n, 'js', 16))).toBe(0);
      expect(differing(await blocked(a, n, 'wasm'), await blocked(a, n, 'js'))).toBe(0);
    }
  });

  for (const kernel of KERNELS)
    it(`(${kernel}) refuses a matrix that is not positive definite, wherever the bad pivot falls`, async () => {
      await expect(
        invertSpdInPlace(Float64Array.from([1, 2, 2, 1]), 2, undefined, { kernel }),
      ).rejects.toThrow(/not positive definite/);
      // Indefinite only in its last block: the first blocks' products run first.
      const n = 40;
      const a = spd(n, 3);
      a[37 * n + 37] = -1;
      await expect(invertSpdInPlace(a, n, undefined, { kernel, block: 8 })).rejects.toThrow(
        /not positive definite/,
      );
      // Positive diagonal, but a Schur complement goes negative: [[1, 2], [2, 1]] inside I.
      const b = new Float64Array(n * n);
      for (let i = 0; i < n; i++) b[i * n + i] = 1;
      b[10 * n + 30] = 2;
      await expect(invertSpdInPlace(b, n, undefined, { kernel, block: 8 })).rejects.toThrow(
        /not positive definite/,
      );
      const c = spd(n, 3);
      c[20 * n + 25] = NaN;
      await expect(invertSpdInPlace(c, n, undefined, { kernel, block: 8 })).rejects.toThrow(
        /not positive definite/,
      );
    });

  for (const kernel of KERNELS)
    it(`(${kernel}) reports progress after each block, rising to n`, async () => {
      const n = 100;
      const seen: number[] = [];
      await invertSpdInPlace(Float64Array.from(spd(n, 5)), n, (k) => void seen.push(k), {
        kernel,
        block: 16,
      });
      expect(seen).toEqual([16, 32, 48, 64, 80, 96, 100]);
      const byDefault: number[] = [];
      const m = 300;
      await invertSpdInPlace(Float64Array.from(spd(m, 5)), m, (k) => void byDefault.push(k), {
        kernel,
      });
      expect(byDefault.length).toBeGreaterThan(2);
      expect(byDefault.at(-1)).toBe(m);
      for (let i = 1; i < byDefault.length; i++)
        expect(byDefault[i]!).toBeGreaterThan(byDefault[i - 1]!);
    });

  for (const kernel of KERNELS)
    it(`(${kernel}) stops at a throw from the progress callback, sync or async`, async () => {
      const n = 100;
      for (const async of [false, true]) {
        const seen: number[] = [];
        const stop = new Error('stop');
        const onRow = (k: number): void | Promise<void> => {
          seen.push(k);
          if (k < 48) return;
          if (!async) throw stop;
          return new Promise((_, reject) => setTimeout(() => reject(stop), 0));
        };
        await expect(
          invertSpdInPlace(Float64Array.from(spd(n, 5)), n, onRow, { kernel, block: 16 }),
        ).rejects.toBe(stop);
        expect(seen).toEqual([16, 32, 48]);
      }
    });

  it('refuses a block width that is not a multiple of 4', async () => {
    await expect(invertSpdInPlace(spd(10, 1), 10, undefined, { block: 6 })).rejects.toThrow(
      /multiple of 4/,
    );
  });
});

describe('the WebAssembly SIMD kernel (wasm/spd-inverse.ts)', () => {
  interface Exports {
    memory: WebAssembly.Memory;
    product(...args: number[]): void;
    update(...args: number[]): void;
  }
  async function instance(): Promise<{ w: Exports; mem: () => Float64Array }> {
    const bytes = Uint8Array.from(atob(SPD_INVERSE_WASM_BASE64), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort: () => {} } });
    const w = instance.exports as unknown as Exports;
    w.memory.grow(4);
    return { w, mem: () => new Float64Array(w.memory.buffer) };
  }
  const panel = (p: Float64Array, stride: number, i: number, t: number): number =>
    p[(i >> 2) * stride + t * 4 + (i & 3)]!;

  it('update: the upper triangle −= W·Cᵀ outside the skipped panels, partial panels included', async () => {
    const { w, mem } = await instance();
    const n = 19; // 5 panels, the last of 3 rows
    const kb = 6;
    const stride = 8 * 4; // room for 8 pivots
    const [pa, pw, pc] = [65536, 65536 + 8192, 65536 + 16384];
    const rng = new Random(1, 1);
    const m = mem();
    const a0 = Float64Array.from({ length: n * n }, () => rng.next());
    const wp = Float64Array.from({ length: 5 * stride }, () => rng.next() - 0.5);
    const cp = Float64Array.from({ length: 5 * stride }, () => rng.next() - 0.5);
    m.set(a0, pa / 8);
    m.set(wp, pw / 8);
    m.set(cp, pc / 8);
    // Skip panel 1 (rows and columns 4…7); column tiles of 2 panels.
    w.update(pa, n, pw, pc, kb, stride, 1, 2, 2, 0, 5);
    const got = mem().subarray(pa / 8, pa / 8 + n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const skipped = i >> 2 === 1 || j >> 2 === 1 || i >> 2 > j >> 2;
        let s = 0;
        for (let t = 0; t < kb; t++) s += panel(wp, stride, i, t) * panel(cp, stride, j, t);
        const want = skipped ? a0[i * n + j]! : a0[i * n + j]! - s;
        expect(got[i * n + j], `(${i}, ${j})`).toBeCloseTo(want, 12);
      }
  });

  it('update and product take a range of row panels and leave the other rows alone', async () => {
    const { w, mem } = await instance();
    const n = 19;
    const kb = 6;
    const stride = 8 * 4;
    const [pa, pw, pc] = [65536, 65536 + 8192, 65536 + 16384];
    const rng = new Random(2, 1);
    const a0 = Float64Array.from({ length: n * n }, () => rng.next());
    const wp = Float64Array.from({ length: 5 * stride }, () => rng.next() - 0.5);
    const cp = Float64Array.from({ length: 5 * stride }, () => rng.next() - 0.5);
    const whole = async (): Promise<Float64Array> => {
      mem().set(a0, pa / 8);
      mem().set(wp, pw / 8);
      mem().set(cp, pc / 8);
      w.update(pa, n, pw, pc, kb, stride, 1, 2, 2, 0, 5);
      return mem().slice(pa / 8, pa / 8 + n * n);
    };
    const want = await whole();
    mem().set(a0, pa / 8);
    // Rows 8…15 (panels 2, 3) in one call, then the others in two more: the same numbers.
    w.update(pa, n, pw, pc, kb, stride, 1, 2, 2, 2, 4);
    const part = mem().slice(pa / 8, pa / 8 + n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        expect(part[i * n + j], `(${i}, ${j})`).toBe(
          i >= 8 && i < 16 ? want[i * n + j] : a0[i * n + j],
        );
    w.update(pa, n, pw, pc, kb, stride, 1, 2, 2, 0, 2);
    w.update(pa, n, pw, pc, kb, stride, 1, 2, 2, 4, 5);
    expect(mem().slice(pa / 8, pa / 8 + n * n)).toEqual(want);
  });

  it('product: W −= C·Q into W’s panels', async () => {
    const { w, mem } = await instance();
    const rows = 12;
    const kb = 7; // Q is 7×7, in 2 column panels
    const stride = 8 * 4;
    const [pw, pq, pc] = [65536, 65536 + 8192, 65536 + 16384];
    const rng = new Random(2, 1);
    const m = mem();
    const qp = Float64Array.from({ length: 2 * stride }, () => rng.next() - 0.5);
    const cp = Float64Array.from({ length: 3 * stride }, () => rng.next() - 0.5);
    m.set(qp, pq / 8);
    m.set(cp, pc / 8);
    w.product(pw, pq, pc, kb, stride, 0, 3, 2);
    const wp = mem().subarray(pw / 8, pw / 8 + 3 * stride);
    for (let i = 0; i < rows; i++)
      for (let t = 0; t < 8; t++) {
        let s = 0;
        for (let r = 0; r < kb; r++) s += panel(cp, stride, i, r) * panel(qp, stride, t, r);
        expect(panel(wp, stride, i, t), `(${i}, ${t})`).toBeCloseTo(-s, 12);
      }
  });
});
