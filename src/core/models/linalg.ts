/** Small dense linear algebra in float64 typed arrays (row-major). */

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

/**
 * Inverts the symmetric positive definite n×n matrix `a` in place by the
 * sweep operator (Goodnight 1979), which keeps the matrix symmetric, so only
 * the upper triangle is updated (half of Gauss–Jordan's work; no pivoting is
 * needed for such matrices). The lower triangle is mirrored at the end.
 * `onRow(k)` is called every 32 pivots, so a long inversion can report
 * progress or stop by throwing.
 */
export async function invertSpdInPlace(
  a: Float64Array,
  n: number,
  onRow?: (k: number) => void | Promise<void>,
): Promise<void> {
  const col = new Float64Array(n);
  for (let k = 0; k < n; k++) {
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
    if (onRow && (k & 31) === 31) await onRow(k + 1);
  }
  // The sweep leaves −A⁻¹.
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const v = -a[i * n + j]!;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
}
