/**
 * Exact cosine nearest neighbours over unit-length rows: one query, or many
 * at once (what evaluation uses). The dot products run in blocked loops
 * (four rows per query, or two rows × four queries) with float64
 * accumulators, which is what V8 runs fastest; the best k are kept in a
 * bounded min-heap, so a query costs O(n·dim + n·log k) and no sort.
 *
 * Results are ordered by score (the float64 dot, before it is stored as
 * float32), high to low, ties by row index, low first. Every kernel adds
 * the products of a dot in the same order (dimension 0 upwards), so the
 * single and the batched search give identical scores.
 */

/** The k best rows of one query, best first. */
export interface TopK {
  index: Int32Array;
  score: Float32Array;
}

/** The k best rows of each of many queries: query q owns slots `q·k .. q·k + k − 1`. */
export interface TopKBatch {
  k: number;
  /** Row indexes, -1 where fewer than k rows were candidates. */
  index: Int32Array;
  /** Cosine scores, -Infinity where `index` is -1. */
  score: Float32Array;
}

/** Rows to leave out: `true` (function) or non-zero (mask) means excluded. */
export type Exclusion = ((row: number) => boolean) | Uint8Array;

export interface BatchOptions {
  /** Rows no query may return (non-zero = excluded; rows past its end are allowed). */
  mask?: Uint8Array;
  /** Rows excluded per query: query q excludes `items[offsets[q]] … items[offsets[q + 1] − 1]` (e.g. movies already seen). */
  perQuery?: { offsets: Int32Array; items: Int32Array };
}

/**
 * Returns unit-length copies of the rows of `vectors` (`dim` values a row).
 * A zero row stays zero (it then scores 0 against every query).
 */
export function normalizeRows(vectors: Float32Array, dim: number): Float32Array {
  checkShape(vectors, dim);
  const out = new Float32Array(vectors.length);
  for (let o = 0; o < vectors.length; o += dim) {
    let n = 0;
    for (let k = 0; k < dim; k++) n += vectors[o + k]! * vectors[o + k]!;
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let k = 0; k < dim; k++) out[o + k] = vectors[o + k]! * inv;
  }
  return out;
}

/** The rows `rows` of `vectors`, packed (e.g. to use some items as queries). */
export function gatherRows(
  vectors: Float32Array,
  dim: number,
  rows: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i]! * dim;
    out.set(vectors.subarray(o, o + dim), i * dim);
  }
  return out;
}

/**
 * The `k` rows of `vectors` with the highest dot product with `query` (the
 * cosine when both are unit length), skipping excluded rows. Returns fewer
 * than k when fewer rows are candidates.
 */
export function exactTopK(
  vectors: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  exclude?: Exclusion,
): TopK {
  checkShape(vectors, dim);
  if (query.length !== dim)
    throw new RangeError(`exactTopK: query has ${query.length} values, not ${dim}`);
  const n = vectors.length / dim;
  const heap = new TopKHeap(Math.max(0, Math.min(k, n)));
  if (heap.k === 0) return { index: new Int32Array(0), score: new Float32Array(0) };
  const q = Float64Array.from(query);
  const excluded =
    exclude === undefined
      ? null
      : typeof exclude === 'function'
        ? exclude
        : (r: number) => !!exclude[r];
  const offer = (r: number, s: number): void => {
    if (excluded === null || !excluded(r)) heap.offer(s, r);
  };
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const o0 = r * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let j = 0; j < dim; j++) {
      const y = q[j]!;
      d0 += vectors[o0 + j]! * y;
      d1 += vectors[o1 + j]! * y;
      d2 += vectors[o2 + j]! * y;
      d3 += vectors[o3 + j]! * y;
    }
    const t = heap.threshold;
    if (d0 > t) offer(r, d0);
    if (d1 > heap.threshold) offer(r + 1, d1);
    if (d2 > heap.threshold) offer(r + 2, d2);
    if (d3 > heap.threshold) offer(r + 3, d3);
  }
  for (; r < n; r++) {
    let d = 0;
    for (let j = 0, o = r * dim; j < dim; j++) d += vectors[o + j]! * q[j]!;
    if (d > heap.threshold) offer(r, d);
  }
  const size = heap.size;
  const index = new Int32Array(size);
  const score = new Float32Array(size);
  heap.drain(index, score, 0);
  return { index, score };
}

/**
 * The `k` best rows for each query (`queries` holds them packed, `dim`
 * values each). Four queries share each pass over the rows.
 */
export function exactTopKBatch(
  vectors: Float32Array,
  dim: number,
  queries: Float32Array,
  k: number,
  opts: BatchOptions = {},
): TopKBatch {
  checkShape(vectors, dim);
  checkShape(queries, dim);
  const n = vectors.length / dim;
  const nq = queries.length / dim;
  const kk = Math.max(0, Math.floor(k));
  const index = new Int32Array(nq * kk).fill(-1);
  const score = new Float32Array(nq * kk).fill(-Infinity);
  if (kk === 0 || n === 0) return { k: kk, index, score };
  const { mask, perQuery } = opts;
  if (perQuery && perQuery.offsets.length < nq + 1)
    throw new RangeError(
      `exactTopKBatch: perQuery has ${perQuery.offsets.length - 1} lists for ${nq} queries`,
    );
  // Bit j of stamp[r]: query j of the current block excludes row r.
  const stamp = perQuery ? new Uint8Array(n) : null;
  const heaps = [0, 1, 2, 3].map(() => new TopKHeap(Math.min(kk, n)));
  const qt = new Float64Array(4 * dim); // the block's queries, interleaved: qt[j·4 + b]
  const offer = (b: number, r: number, s: number): void => {
    if (mask !== undefined && mask[r]) return;
    if (stamp !== null && (stamp[r]! & (1 << b)) !== 0) return;
    heaps[b]!.offer(s, r);
  };
  for (let q0 = 0; q0 < nq; q0 += 4) {
    const nb = Math.min(4, nq - q0);
    qt.fill(0);
    for (let b = 0; b < nb; b++) {
      for (let j = 0; j < dim; j++) qt[j * 4 + b] = queries[(q0 + b) * dim + j]!;
      heaps[b]!.clear();
      if (stamp && perQuery) markExcluded(stamp, perQuery, q0 + b, 1 << b, n);
    }
    const h0 = heaps[0]!;
    const h1 = heaps[1]!;
    const h2 = heaps[2]!;
    const h3 = heaps[3]!;
    for (let r = 0; r < n; r += 2) {
      const o = r * dim;
      const pair = r + 1 < n;
      const o2 = pair ? o + dim : o;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0, t = 0; j < dim; j++, t += 4) {
        const x = vectors[o + j]!;
        const y = vectors[o2 + j]!;
        const y0 = qt[t]!;
        const y1 = qt[t + 1]!;
        const y2 = qt[t + 2]!;
        const y3 = qt[t + 3]!;
        a0 += x * y0;
        a1 += x * y1;
        a2 += x * y2;
        a3 += x * y3;
        b0 += y * y0;
        b1 += y * y1;
        b2 += y * y2;
        b3 += y * y3;
      }
      if (a0 > h0.threshold) offer(0, r, a0);
      if (a1 > h1.threshold && nb > 1) offer(1, r, a1);
      if (a2 > h2.threshold && nb > 2) offer(2, r, a2);
      if (a3 > h3.threshold && nb > 3) offer(3, r, a3);
      if (!pair) continue;
      if (b0 > h0.threshold) offer(0, r + 1, b0);
      if (b1 > h1.threshold && nb > 1) offer(1, r + 1, b1);
      if (b2 > h2.threshold && nb > 2) offer(2, r + 1, b2);
      if (b3 > h3.threshold && nb > 3) offer(3, r + 1, b3);
    }
    for (let b = 0; b < nb; b++) {
      heaps[b]!.drain(index, score, (q0 + b) * kk);
      if (stamp && perQuery) markExcluded(stamp, perQuery, q0 + b, 0, n);
    }
  }
  return { k: kk, index, score };
}

/** Sets (bit ≠ 0) or clears (bit = 0) the stamps of query q's excluded rows. */
function markExcluded(
  stamp: Uint8Array,
  list: { offsets: Int32Array; items: Int32Array },
  q: number,
  bit: number,
  n: number,
): void {
  for (let i = list.offsets[q]!, end = list.offsets[q + 1]!; i < end; i++) {
    const r = list.items[i]!;
    if (r >= 0 && r < n) stamp[r] = bit === 0 ? 0 : stamp[r]! | bit;
  }
}

function checkShape(v: Float32Array, dim: number): void {
  if (!Number.isInteger(dim) || dim < 1)
    throw new RangeError(`dim must be a whole number ≥ 1, got ${dim}`);
  if (v.length % dim !== 0) throw new RangeError(`${v.length} values do not make rows of ${dim}`);
}

/**
 * A bounded min-heap of (score, row): the root is the worst kept entry
 * (lowest score; among equal scores, the highest row). `threshold` is the
 * score a new entry must beat — rows arrive in increasing order, so an equal
 * score never displaces an earlier row.
 */
export class TopKHeap {
  readonly k: number;
  readonly keys: Float64Array;
  readonly rows: Int32Array;
  size = 0;
  threshold = -Infinity;

  constructor(k: number) {
    this.k = k;
    this.keys = new Float64Array(k);
    this.rows = new Int32Array(k);
    this.clear();
  }

  clear(): void {
    this.size = 0;
    this.threshold = this.k === 0 ? Infinity : -Infinity;
  }

  /** Adds an entry that beats `threshold` (callers check first). */
  offer(s: number, r: number): void {
    const keys = this.keys;
    const rows = this.rows;
    if (this.size < this.k) {
      // Sift up from the new leaf.
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(s, r, keys[p]!, rows[p]!)) break;
        keys[i] = keys[p]!;
        rows[i] = rows[p]!;
        i = p;
      }
      keys[i] = s;
      rows[i] = r;
    } else {
      this.siftDown(0, s, r, this.size);
    }
    if (this.size === this.k) this.threshold = keys[0]!;
  }

  /** Writes the entries best first into `index`/`score` at `at`, and empties the heap. */
  drain(index: Int32Array, score: Float32Array, at: number): void {
    for (let n = this.size; n > 0; n--) {
      index[at + n - 1] = this.rows[0]!;
      score[at + n - 1] = this.keys[0]!;
      this.siftDown(0, this.keys[n - 1]!, this.rows[n - 1]!, n - 1);
    }
    this.clear();
  }

  /** Places (s, r) at hole i of a heap of `size` entries, moving worse children up. */
  private siftDown(i: number, s: number, r: number, size: number): void {
    const keys = this.keys;
    const rows = this.rows;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && worse(keys[c + 1]!, rows[c + 1]!, keys[c]!, rows[c]!)) c++;
      if (!worse(keys[c]!, rows[c]!, s, r)) break;
      keys[i] = keys[c]!;
      rows[i] = rows[c]!;
      i = c;
    }
    keys[i] = s;
    rows[i] = r;
  }
}

/** Whether (s1, r1) ranks below (s2, r2). */
function worse(s1: number, r1: number, s2: number, r2: number): boolean {
  return s1 < s2 || (s1 === s2 && r1 > r2);
}
