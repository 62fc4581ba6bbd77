/**
 * The upper triangle of EASE's movie × movie Gram matrix (how many people
 * liked both movies), on one thread or split by rows across a pool's
 * threads. Each user's modelled movies, as columns in ascending order, are
 * the input; row r of the triangle counts, for every user with r, the
 * columns ≥ r in that user's list. Threads take runs of rows of about equal
 * work and write disjoint rows of one shared matrix: the same counts as one
 * thread.
 */
import { acrossThreads, shared } from '../parallel/across.ts';
import { shareByPrefix, sharedMemorySupported, type ThreadPool } from '../parallel/pool.ts';

/** Each user's modelled columns, ascending (CSR). */
export interface SortedColumns {
  offsets: Int32Array;
  cols: Int32Array;
}

/** Rows counted in one pass over the users: their part of the matrix (64 × 3,706 × 8 bytes for ml-1m) stays in cache. */
const ROW_BLOCK = 64;

/**
 * Adds the pair counts of rows [r0, r1) to `gram` (dim × dim, row-major,
 * upper triangle), a block of rows at a time: the increments land all over
 * a row, so a whole-matrix pass missed the cache on nearly every one (one
 * pass: 1.8 s for ml-1m's shape; by blocks of 64 rows: 0.8 s, in a scratch timing; the
 * EASE fit of bench:linalg --ease went from 5.4 s to 4.3 s on one thread).
 */
export function gramRows(
  s: SortedColumns,
  gram: Float64Array,
  dim: number,
  r0: number,
  r1: number,
): void {
  for (let b0 = r0; b0 < r1; b0 += ROW_BLOCK)
    gramBlock(s, gram, dim, b0, Math.min(r1, b0 + ROW_BLOCK));
}

function gramBlock(
  s: SortedColumns,
  gram: Float64Array,
  dim: number,
  r0: number,
  r1: number,
): void {
  const { offsets, cols } = s;
  const users = offsets.length - 1;
  for (let u = 0; u < users; u++) {
    const from = offsets[u]!;
    const to = offsets[u + 1]!;
    // The first position whose column is ≥ r0 (binary search: the list is sorted).
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cols[mid]! < r0) lo = mid + 1;
      else hi = mid;
    }
    for (let a = lo; a < to; a++) {
      const c = cols[a]!;
      if (c >= r1) break;
      const row = c * dim;
      for (let b = a; b < to; b++) gram[row + cols[b]!]!++;
    }
  }
}

/** Cuts rows [0, dim) into `parts` runs of about equal pair counts. */
export function shareGramRows(s: SortedColumns, dim: number, parts: number): number[] {
  // Row r's work: for every user with r, the columns from r on. Its running sum cuts the rows.
  const prefix = new Float64Array(dim + 1);
  const { offsets, cols } = s;
  for (let u = 0; u + 1 < offsets.length; u++) {
    const to = offsets[u + 1]!;
    for (let a = offsets[u]!; a < to; a++) prefix[cols[a]! + 1]! += to - a;
  }
  for (let r = 0; r < dim; r++) prefix[r + 1]! += prefix[r]!;
  return shareByPrefix(prefix, parts);
}

/** What a helper thread is sent for its rows. */
export interface GramHelperTask {
  task: 'gram';
  offsets: Int32Array;
  cols: Int32Array;
  /** The dim × dim matrix on a SharedArrayBuffer. */
  gram: Float64Array;
  dim: number;
  r0: number;
  r1: number;
}

export function runGramHelper(t: GramHelperTask): number {
  gramRows({ offsets: t.offsets, cols: t.cols }, t.gram, t.dim, t.r0, t.r1);
  return 0;
}

/**
 * The Gram matrix's upper triangle, on `threads` threads when a pool and
 * shared memory are there (this thread takes the first run of rows), else on
 * this one.
 */
export async function gramUpper(
  s: SortedColumns,
  dim: number,
  pool?: ThreadPool,
  threads = 1,
): Promise<Float64Array> {
  const parts = Math.min(threads, (pool?.size ?? 0) + 1);
  if (!pool || parts < 2 || !sharedMemorySupported()) {
    const gram = new Float64Array(dim * dim);
    gramRows(s, gram, dim, 0, dim);
    return gram;
  }
  const gram = new Float64Array(new SharedArrayBuffer(dim * dim * 8));
  const offsets = shared(s.offsets);
  const cols = shared(s.cols);
  await acrossThreads(
    pool,
    shareGramRows(s, dim, parts),
    (r0, r1) => ({ task: 'gram', offsets, cols, gram, dim, r0, r1 }),
    (r0, r1) => gramRows({ offsets, cols }, gram, dim, r0, r1),
  );
  return gram;
}
