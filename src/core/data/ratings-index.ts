/**
 * Puts ratings in their final order: by user, then timestamp, then movie,
 * with a repeated (user, movie) pair kept once (the latest rating; on equal
 * timestamps the later line). One counting pass groups the rows by user
 * (nearly sequential, as MovieLens files are grouped by user already), then
 * each user's rows are de-duplicated and sorted on their own, packed into
 * one float64 key per row, which keeps the work in cache.
 */
import type { RatingColumns } from './types.ts';

/** Ratings with dense indexes, in file order. `movie` -1 marks a row to leave out. */
export interface IndexInput {
  user: Int32Array;
  movie: Int32Array;
  rating: Uint8Array;
  timestamp: Uint32Array;
}

/**
 * Sorts and de-duplicates. `users`/`movies` bound the indexes. `onDuplicate`
 * gets the input row of each dropped repeat; `onStep` is called after each pass.
 */
export function indexRatings(
  input: IndexInput,
  users: number,
  movies: number,
  onDuplicate: (row: number) => void = () => undefined,
  onStep: (done: number, total: number) => void = () => undefined,
): RatingColumns {
  const STEPS = 4;
  const { user, movie, rating, timestamp } = input;
  const offsets = new Int32Array(users + 1);
  let n = 0;
  let tsMin = 0xffffffff;
  let tsMax = 0;
  for (let i = 0; i < movie.length; i++) {
    if (movie[i]! < 0) continue;
    offsets[user[i]! + 1]!++;
    const t = timestamp[i]!;
    if (t < tsMin) tsMin = t;
    if (t > tsMax) tsMax = t;
    n++;
  }
  for (let u = 0; u < users; u++) offsets[u + 1]! += offsets[u]!;
  const order = new Int32Array(n);
  const cursor = offsets.slice(0, users);
  for (let i = 0; i < movie.length; i++) if (movie[i]! >= 0) order[cursor[user[i]!]!++] = i;
  const M = new Int32Array(n);
  const T = new Uint32Array(n);
  const R = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const row = order[j]!;
    M[j] = movie[row]!;
    T[j] = timestamp[row]!;
    R[j] = rating[row]!;
  }
  onStep(1, STEPS);

  // Repeats: walk each user's rows from the last line; keep the latest timestamp (ties: the later line).
  const seenBy = new Int32Array(movies).fill(-1);
  const keptAt = new Int32Array(movies);
  let dropped = 0;
  for (let u = 0; u < users; u++) {
    for (let j = offsets[u + 1]! - 1; j >= offsets[u]!; j--) {
      const m = M[j]!;
      if (seenBy[m] !== u) {
        seenBy[m] = u;
        keptAt[m] = j;
        continue;
      }
      const k = keptAt[m]!;
      const drop = T[j]! > T[k]! ? k : j;
      if (drop === k) keptAt[m] = j;
      R[drop] = 0;
      dropped++;
      onDuplicate(order[drop]!);
    }
  }
  onStep(2, STEPS);

  const final = sortUsers(M, T, R, offsets, tsMin, tsMax, movies);
  onStep(3, STEPS);
  const kept = n - dropped;
  const out: RatingColumns = {
    user: new Int32Array(kept),
    movie: kept === n ? M : M.slice(0, kept),
    rating: kept === n ? R : R.slice(0, kept),
    timestamp: kept === n ? T : T.slice(0, kept),
    userOffsets: final,
  };
  for (let u = 0; u < users; u++) out.user.fill(u, final[u]!, final[u + 1]!);
  onStep(4, STEPS);
  return out;
}

/**
 * Sorts each user's rows by (timestamp, movie) in place, dropping rows with
 * rating 0 and moving the rest left. Returns the new user offsets. A user's
 * movies are distinct by now, so the key is (timestamp, movie) and the
 * rating is looked up by movie afterwards.
 */
function sortUsers(
  M: Int32Array,
  T: Uint32Array,
  R: Uint8Array,
  offsets: Int32Array,
  tsMin: number,
  tsMax: number,
  movies: number,
): Int32Array {
  const users = offsets.length - 1;
  const out = new Int32Array(users + 1);
  const scale = 2 ** bitsFor(movies);
  const packed = (tsMax - tsMin + 1) * scale <= 2 ** 53;
  let longest = 0;
  for (let u = 0; u < users; u++) longest = Math.max(longest, offsets[u + 1]! - offsets[u]!);
  const keys = new Float64Array(longest);
  const ratingOf = new Uint8Array(movies);
  let w = 0;
  for (let u = 0; u < users; u++) {
    out[u] = w;
    const from = offsets[u]!;
    const to = offsets[u + 1]!;
    if (!packed) {
      w = sortSlow(M, T, R, from, to, w);
      continue;
    }
    let k = 0;
    let sorted = true;
    for (let j = from; j < to; j++) {
      const r = R[j]!;
      if (r === 0) continue;
      const m = M[j]!;
      ratingOf[m] = r;
      const key = (T[j]! - tsMin) * scale + m;
      if (k > 0 && key < keys[k - 1]!) sorted = false;
      keys[k++] = key;
    }
    if (!sorted) {
      if (k <= 16) insertionSort(keys, k);
      else keys.subarray(0, k).sort();
    }
    for (let i = 0; i < k; i++, w++) {
      const key = keys[i]!;
      const hi = Math.floor(key / scale);
      const m = key - hi * scale;
      M[w] = m;
      T[w] = hi + tsMin;
      R[w] = ratingOf[m]!;
    }
  }
  out[users] = w;
  return out;
}

function insertionSort(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** The same for timestamps spread too wide to pack (not MovieLens data). */
function sortSlow(
  M: Int32Array,
  T: Uint32Array,
  R: Uint8Array,
  from: number,
  to: number,
  w: number,
): number {
  const idx: number[] = [];
  for (let j = from; j < to; j++) if (R[j]! > 0) idx.push(j);
  idx.sort((a, b) => T[a]! - T[b]! || M[a]! - M[b]!);
  const m = idx.map((j) => M[j]!);
  const t = idx.map((j) => T[j]!);
  const r = idx.map((j) => R[j]!);
  for (let i = 0; i < idx.length; i++, w++) {
    M[w] = m[i]!;
    T[w] = t[i]!;
    R[w] = r[i]!;
  }
  return w;
}

/** Bits needed to write the numbers 0..n-1. */
function bitsFor(n: number): number {
  let b = 0;
  while (2 ** b < n) b++;
  return b;
}
